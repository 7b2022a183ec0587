/*
Copyright 2026 The KubeFed Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package ingressdns

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/internal/dnsrecords"
	"github.com/kubefed/kubefed/internal/dnsrecords/dnsrecordstest"
)

func ingress(addrs ...networkingv1.IngressLoadBalancerIngress) *networkingv1.Ingress {
	return &networkingv1.Ingress{Status: networkingv1.IngressStatus{LoadBalancer: networkingv1.IngressLoadBalancerStatus{Ingress: addrs}}}
}

func TestComputeStatus(t *testing.T) {
	c1 := dnsrecords.Cluster{Name: "c1", Ready: true}
	c2 := dnsrecords.Cluster{Name: "c2", Ready: true}
	tests := []struct {
		name  string
		views []clusterIngress
		want  string // cluster, "+" when it has a load balancer
		conds dnsrecordstest.Conditions
	}{{
		name:  "every cluster with an address",
		views: []clusterIngress{{cluster: c1, ingress: ingress(networkingv1.IngressLoadBalancerIngress{IP: "198.51.100.18"})}, {cluster: c2, ingress: ingress(networkingv1.IngressLoadBalancerIngress{Hostname: "lb.example.net"})}},
		want:  "c1+,c2+", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionTrue, ReadyReason: feddnsv1a1.ReasonPublished, Available: metav1.ConditionTrue},
	}, {
		name:  "an invalid host name is named and not published; the others are",
		views: []clusterIngress{{cluster: c1, ingress: ingress(networkingv1.IngressLoadBalancerIngress{IP: "198.51.100.18"})}, {cluster: c2, ingress: ingress(networkingv1.IngressLoadBalancerIngress{Hostname: "localhost"})}},
		want:  "c1+,c2+", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionTrue, ReadyReason: feddnsv1a1.ReasonPublished, Available: metav1.ConditionTrue,
			Mention: `cluster c2: load balancer address "localhost" of Ingress shop/web is not a valid IP or DNS name`},
	}, {
		name:  "no address yet",
		views: []clusterIngress{{cluster: c1, ingress: ingress()}},
		want:  "c1", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionFalse, ReadyReason: feddnsv1a1.ReasonNoLoadBalancer, Available: metav1.ConditionFalse,
			Mention: "is an ingress controller running"},
	}, {
		name:  "the Ingress exists nowhere",
		views: []clusterIngress{{cluster: c1, problem: "cluster c1 has no federated Ingress shop/web"}},
		want:  "c1", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionFalse, ReadyReason: feddnsv1a1.ReasonIngressNotFound, Available: metav1.ConditionFalse,
			Mention: "create a FederatedIngress"},
	}, {
		name:  "no Ready cluster: nothing listed, the DNSEndpoint keeps its records",
		views: []clusterIngress{{cluster: dnsrecords.Cluster{Name: "c1"}, problem: "cluster c1 is not Ready"}},
		conds: dnsrecordstest.Conditions{Ready: metav1.ConditionFalse, ReadyReason: feddnsv1a1.ReasonIngressNotFound, Available: metav1.ConditionFalse,
			Mention: "the DNSEndpoint keeps the records it last published"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &feddnsv1a1.IngressDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", Generation: 1},
				Spec: feddnsv1a1.IngressDNSRecordSpec{Hosts: []string{"shop.example.com"}}}
			st := computeStatus(rec, tt.views)
			listed := dnsrecordstest.Listed(st.DNS, func(c feddnsv1a1.ClusterIngressDNS) (string, []corev1.LoadBalancerIngress) {
				return c.Cluster, c.LoadBalancer.Ingress
			})
			if listed != tt.want {
				t.Errorf("listed %q, want %q", listed, tt.want)
			}
			dnsrecordstest.CheckConditions(t, st.Conditions, tt.conds)
		})
	}
}

// TestStatusMatchesKubeFed checks status.dns against KubeFed v0.6.1's
// IngressDNS controller (KubeFed v0.6.1
// pkg/controller/ingressdns/controller.go, reconcile): one entry per Ready
// cluster, sorted by name, with the Ingress's load balancer (sorted by IP,
// then host name), empty where the cluster has no such Ingress. The first
// two cases are KubeFed v0.6.1's end to end tests (test/e2e/ingressdns.go:
// "IngressDNS status should be updated correctly when there are no
// corresponding ingresses in member clusters" and "... when there are
// corresponding ingresses in member clusters", load balancers 10.20.30.1,
// 10.20.30.2).
func TestStatusMatchesKubeFed(t *testing.T) {
	c1 := dnsrecords.Cluster{Name: "cluster1", Ready: true}
	c2 := dnsrecords.Cluster{Name: "cluster2", Ready: true}
	lb := func(addrs ...corev1.LoadBalancerIngress) corev1.LoadBalancerStatus {
		return corev1.LoadBalancerStatus{Ingress: addrs}
	}
	ip := func(s string) corev1.LoadBalancerIngress { return corev1.LoadBalancerIngress{IP: s} }
	tests := []struct {
		name  string
		views []clusterIngress
		want  []feddnsv1a1.ClusterIngressDNS
	}{{
		name: "no Ingress in the members: every Ready cluster, no load balancer",
		views: []clusterIngress{
			{cluster: c1, problem: "cluster cluster1 has no federated Ingress"},
			{cluster: c2, problem: "cluster cluster2 has no federated Ingress"},
		},
		want: []feddnsv1a1.ClusterIngressDNS{{Cluster: "cluster1"}, {Cluster: "cluster2"}},
	}, {
		name: "an Ingress with a load balancer in every member",
		views: []clusterIngress{
			{cluster: c1, ingress: ingress(networkingv1.IngressLoadBalancerIngress{IP: "10.20.30.1"})},
			{cluster: c2, ingress: ingress(networkingv1.IngressLoadBalancerIngress{IP: "10.20.30.2"})},
		},
		want: []feddnsv1a1.ClusterIngressDNS{{Cluster: "cluster1", LoadBalancer: lb(ip("10.20.30.1"))}, {Cluster: "cluster2", LoadBalancer: lb(ip("10.20.30.2"))}},
	}, {
		name: "entries sorted by IP, then host name; a cluster that is not Ready is not listed",
		views: []clusterIngress{
			{cluster: dnsrecords.Cluster{Name: "cluster0"}, problem: "cluster cluster0 is not Ready"},
			{cluster: c1, ingress: ingress(networkingv1.IngressLoadBalancerIngress{IP: "10.20.30.2"},
				networkingv1.IngressLoadBalancerIngress{Hostname: "a9.us-west-2.elb.amazonaws.test"}, networkingv1.IngressLoadBalancerIngress{IP: "10.20.30.1"})},
		},
		want: []feddnsv1a1.ClusterIngressDNS{{Cluster: "cluster1", LoadBalancer: lb(
			corev1.LoadBalancerIngress{Hostname: "a9.us-west-2.elb.amazonaws.test"}, ip("10.20.30.1"), ip("10.20.30.2"))}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &feddnsv1a1.IngressDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: "test-ingress-dns-x", Namespace: "e2e"},
				Spec: feddnsv1a1.IngressDNSRecordSpec{Hosts: []string{"foo.bar.test"}}}
			st := computeStatus(rec, tt.views)
			if !equality.Semantic.DeepEqual(st.DNS, tt.want) {
				got, _ := yaml.Marshal(st.DNS)
				want, _ := yaml.Marshal(tt.want)
				t.Errorf("status.dns:\n%s\nwant (KubeFed v0.6.1):\n%s", got, want)
			}
		})
	}
}
