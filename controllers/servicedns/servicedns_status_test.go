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

package servicedns

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/internal/dnsrecords"
	"github.com/kubefed/kubefed/internal/dnsrecords/dnsrecordstest"
)

func svc(addrs ...corev1.LoadBalancerIngress) *corev1.Service {
	return &corev1.Service{Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: addrs}}}
}

// computeStatusCase is a case of TestComputeStatus.
type computeStatusCase struct {
	name         string
	spec         feddnsv1a1.ServiceDNSRecordSpec
	domain       *feddnsv1a1.Domain
	clusters     []clusterService
	wantClusters string // cluster@region, "+" when it has a load balancer
	conds        dnsrecordstest.Conditions
}

// The clusters, load balancer addresses and Domain of computeStatusCases.
var (
	eu     = dnsrecords.Cluster{Name: "c1", Ready: true, Region: "eu", Zones: []string{"eu-a"}}
	us     = dnsrecords.Cluster{Name: "c2", Ready: true, Region: "us"}
	domain = &feddnsv1a1.Domain{Domain: "example.com"}
)

// ip is a load balancer address.
func ip(s string) corev1.LoadBalancerIngress { return corev1.LoadBalancerIngress{IP: s} }

var computeStatusCases = []computeStatusCase{{
	name:   "healthy clusters are listed with their location and load balancer",
	domain: domain,
	clusters: []clusterService{
		{cluster: eu, read: true, service: svc(ip("198.51.100.17")), readyEndpoints: true},
		{cluster: us, read: true, service: svc(ip("198.51.100.33")), readyEndpoints: true},
	},
	wantClusters: "c1@eu+,c2@us+", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionTrue, ReadyReason: feddnsv1a1.ReasonPublished, Available: metav1.ConditionTrue},
}, {
	name:   "a cluster without ready endpoints is listed without load balancer and named",
	domain: domain,
	clusters: []clusterService{
		{cluster: eu, read: true, service: svc(ip("198.51.100.17")), readyEndpoints: true},
		{cluster: us, read: true, service: svc(ip("198.51.100.33"))},
	},
	wantClusters: "c1@eu+,c2@us", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionTrue, ReadyReason: feddnsv1a1.ReasonPublished, Available: metav1.ConditionTrue,
		Mention: "cluster c2: Service shop/web has no ready endpoint"},
}, {
	name:   "allowServiceWithoutEndpoints publishes it anyway",
	spec:   feddnsv1a1.ServiceDNSRecordSpec{AllowServiceWithoutEndpoints: true},
	domain: domain,
	clusters: []clusterService{
		{cluster: us, read: true, service: svc(ip("198.51.100.33"))},
	},
	wantClusters: "c2@us+", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionTrue, ReadyReason: feddnsv1a1.ReasonPublished, Available: metav1.ConditionTrue},
}, {
	name:   "no Ready cluster: nothing listed, the DNSEndpoint keeps its records",
	domain: domain,
	clusters: []clusterService{
		{cluster: dnsrecords.Cluster{Name: "c1"}, problem: "cluster c1 is not Ready"},
	},
	conds: dnsrecordstest.Conditions{Ready: metav1.ConditionFalse, ReadyReason: feddnsv1a1.ReasonServiceNotFound, Available: metav1.ConditionFalse,
		Mention: "the DNSEndpoint keeps the records it last published, if any. cluster c1 is not Ready"},
}, {
	name:         "a Ready cluster that is not connected is listed without load balancer",
	domain:       domain,
	clusters:     []clusterService{{cluster: eu, problem: "cluster c1 is not connected"}},
	wantClusters: "c1@eu", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionFalse, ReadyReason: feddnsv1a1.ReasonServiceNotFound, Available: metav1.ConditionFalse,
		Mention: "cluster c1 is not connected"},
}, {
	name:         "the Service exists nowhere",
	domain:       domain,
	clusters:     []clusterService{{cluster: eu, read: true, problem: "cluster c1 has no federated Service shop/web"}},
	wantClusters: "c1@eu", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionFalse, ReadyReason: feddnsv1a1.ReasonServiceNotFound, Available: metav1.ConditionFalse,
		Mention: "create a FederatedService"},
}, {
	name:         "no load balancer address",
	domain:       domain,
	clusters:     []clusterService{{cluster: eu, read: true, service: svc(), readyEndpoints: true}},
	wantClusters: "c1@eu", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionFalse, ReadyReason: feddnsv1a1.ReasonNoLoadBalancer, Available: metav1.ConditionFalse,
		Mention: "type LoadBalancer"},
}, {
	name:         "no ready endpoint anywhere",
	domain:       domain,
	clusters:     []clusterService{{cluster: eu, read: true, service: svc(ip("198.51.100.17"))}},
	wantClusters: "c1@eu", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionFalse, ReadyReason: feddnsv1a1.ReasonNoReadyEndpoints, Available: metav1.ConditionFalse,
		Mention: "allowServiceWithoutEndpoints"},
}, {
	name:         "only an invalid host name: in the status as KubeFed wrote it, not published",
	domain:       domain,
	clusters:     []clusterService{{cluster: eu, read: true, service: svc(corev1.LoadBalancerIngress{Hostname: "localhost"}), readyEndpoints: true}},
	wantClusters: "c1@eu+", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionFalse, ReadyReason: feddnsv1a1.ReasonInvalidHostname, Available: metav1.ConditionFalse,
		Mention: `load balancer address "localhost" of Service shop/web is not a valid IP or DNS name`},
}, {
	name: "missing Domain",
	clusters: []clusterService{
		{cluster: eu, read: true, service: svc(ip("198.51.100.17")), readyEndpoints: true},
	},
	wantClusters: "c1@eu+", conds: dnsrecordstest.Conditions{Ready: metav1.ConditionFalse, ReadyReason: feddnsv1a1.ReasonDomainNotFound, Available: metav1.ConditionTrue,
		Mention: "Domain kube-federation-system/fed does not exist"},
}}

func TestComputeStatus(t *testing.T) {
	tests := computeStatusCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.DomainRef = "fed"
			rec := &feddnsv1a1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", Generation: 2},
				Spec: tt.spec}
			st := computeStatus(&scope{record: rec, domain: tt.domain, domainNamespace: "kube-federation-system", clusters: tt.clusters})
			listed := dnsrecordstest.Listed(st.DNS, func(c feddnsv1a1.ClusterDNS) (string, []corev1.LoadBalancerIngress) {
				return c.Cluster + "@" + c.Region, c.LoadBalancer.Ingress
			})
			if listed != tt.wantClusters {
				t.Errorf("listed clusters %q, want %q", listed, tt.wantClusters)
			}
			r, _ := dnsrecordstest.CheckConditions(t, st.Conditions, tt.conds)
			if r.ObservedGeneration != 2 || st.ObservedGeneration != 2 {
				t.Errorf("observedGeneration %d/%d, want 2", r.ObservedGeneration, st.ObservedGeneration)
			}
			// The same input computes an equal status: nothing to write.
			rec.Status = st
			again := computeStatus(&scope{record: rec, domain: tt.domain, domainNamespace: "kube-federation-system", clusters: tt.clusters})
			if !equalStatus(again, st) {
				t.Errorf("a second computation differs:\n%+v\n%+v", again, st)
			}
		})
	}
}

func equalStatus(a, b feddnsv1a1.ServiceDNSRecordStatus) bool {
	return equality.Semantic.DeepEqual(a, b)
}
