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
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/controllers/multiclusterdns/clusterlb"
)

func ingress(addrs ...networkingv1.IngressLoadBalancerIngress) *networkingv1.Ingress {
	return &networkingv1.Ingress{Status: networkingv1.IngressStatus{LoadBalancer: networkingv1.IngressLoadBalancerStatus{Ingress: addrs}}}
}

func TestComputeStatus(t *testing.T) {
	c1 := clusterlb.Cluster{Name: "c1", Ready: true}
	c2 := clusterlb.Cluster{Name: "c2", Ready: true}
	last := []feddnsv1a1.ClusterIngressDNS{{Cluster: "c9"}}
	tests := []struct {
		name        string
		last        []feddnsv1a1.ClusterIngressDNS
		views       []clusterIngress
		want        string
		ready       metav1.ConditionStatus
		readyReason string
		avail       metav1.ConditionStatus
		mention     string
	}{{
		name:  "every cluster with an address",
		views: []clusterIngress{{cluster: c1, ingress: ingress(networkingv1.IngressLoadBalancerIngress{IP: "198.51.100.18"})}, {cluster: c2, ingress: ingress(networkingv1.IngressLoadBalancerIngress{Hostname: "lb.example.net"})}},
		want:  "c1,c2", ready: metav1.ConditionTrue, readyReason: feddnsv1a1.ReasonPublished, avail: metav1.ConditionTrue,
	}, {
		name:  "an invalid host name is left out and named; the others stay",
		views: []clusterIngress{{cluster: c1, ingress: ingress(networkingv1.IngressLoadBalancerIngress{IP: "198.51.100.18"})}, {cluster: c2, ingress: ingress(networkingv1.IngressLoadBalancerIngress{Hostname: "localhost"})}},
		want:  "c1", ready: metav1.ConditionTrue, readyReason: feddnsv1a1.ReasonPublished, avail: metav1.ConditionTrue,
		mention: `cluster c2: load balancer address "localhost" of Ingress shop/web is not a valid IP or DNS name`,
	}, {
		name:  "no address yet",
		views: []clusterIngress{{cluster: c1, ingress: ingress()}},
		ready: metav1.ConditionFalse, readyReason: feddnsv1a1.ReasonNoLoadBalancer, avail: metav1.ConditionFalse,
		mention: "is an ingress controller running",
	}, {
		name:  "the Ingress exists nowhere",
		views: []clusterIngress{{cluster: c1, problem: "cluster c1 has no federated Ingress shop/web"}},
		ready: metav1.ConditionFalse, readyReason: feddnsv1a1.ReasonIngressNotFound, avail: metav1.ConditionFalse,
		mention: "create a FederatedIngress",
	}, {
		name:  "no healthy cluster keeps the last targets",
		last:  last,
		views: []clusterIngress{{cluster: clusterlb.Cluster{Name: "c1"}, problem: "cluster c1 is not Ready"}},
		want:  "c9", ready: metav1.ConditionTrue, readyReason: feddnsv1a1.ReasonPublished, avail: metav1.ConditionFalse,
		mention: "the last published targets are kept",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &feddnsv1a1.IngressDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", Generation: 1},
				Spec: feddnsv1a1.IngressDNSRecordSpec{Hosts: []string{"shop.example.com"}}, Status: feddnsv1a1.IngressDNSRecordStatus{DNS: tt.last}}
			if tt.last != nil {
				// It was published before.
				rec.Status.Conditions = []metav1.Condition{{Type: feddnsv1a1.ConditionReady, Status: metav1.ConditionTrue, Reason: feddnsv1a1.ReasonPublished, Message: "Published for 1 hosts"}}
			}
			st := computeStatus(rec, tt.views)
			var got []string
			for _, c := range st.DNS {
				got = append(got, c.Cluster)
			}
			if g := strings.Join(got, ","); g != tt.want {
				t.Errorf("published %q, want %q", g, tt.want)
			}
			r := meta.FindStatusCondition(st.Conditions, feddnsv1a1.ConditionReady)
			a := meta.FindStatusCondition(st.Conditions, feddnsv1a1.ConditionAvailable)
			if r == nil || a == nil || r.Status != tt.ready || r.Reason != tt.readyReason || a.Status != tt.avail {
				t.Fatalf("conditions %+v", st.Conditions)
			}
			if !strings.Contains(r.Message+" | "+a.Message, tt.mention) {
				t.Errorf("messages %q | %q do not mention %q", r.Message, a.Message, tt.mention)
			}
		})
	}
}
