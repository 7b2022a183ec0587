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
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/yaml"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/internal/dnsrecords"
)

// statusCompatCase is a case of TestStatusMatchesKubeFed: what the members
// hold and the status.dns KubeFed v0.6.1 writes for it.
type statusCompatCase struct {
	name     string
	spec     feddnsv1a1.ServiceDNSRecordSpec
	clusters []clusterService
	want     []feddnsv1a1.ClusterDNS
}

// The Ready clusters of statusCompatCases.
var (
	cluster1 = dnsrecords.Cluster{Name: "cluster1", Ready: true, Region: "r0", Zones: []string{"z0"}}
	cluster2 = dnsrecords.Cluster{Name: "cluster2", Ready: true, Region: "r1", Zones: []string{"z1"}}
)

// lb is a load balancer status with addrs.
func lb(addrs ...corev1.LoadBalancerIngress) corev1.LoadBalancerStatus {
	return corev1.LoadBalancerStatus{Ingress: addrs}
}

// clusterEntry is the status.dns entry of c with load balancer l.
func clusterEntry(c dnsrecords.Cluster, l corev1.LoadBalancerStatus) feddnsv1a1.ClusterDNS {
	return feddnsv1a1.ClusterDNS{Cluster: c.Name, Region: c.Region, Zones: c.Zones, LoadBalancer: l}
}

var statusCompatCases = []statusCompatCase{{
	name: "no Service and no endpoints in the members: every Ready cluster with its location",
	clusters: []clusterService{
		{cluster: cluster1, read: true, problem: "cluster cluster1 has no federated Service"},
		{cluster: cluster2, read: true, problem: "cluster cluster2 has no federated Service"},
	},
	want: []feddnsv1a1.ClusterDNS{clusterEntry(cluster1, lb()), clusterEntry(cluster2, lb())},
}, {
	name: "a Service with a load balancer and endpoints in every member",
	clusters: []clusterService{
		{cluster: cluster1, read: true, service: svc(ip("10.20.30.1")), readyEndpoints: true},
		{cluster: cluster2, read: true, service: svc(ip("10.20.30.2")), readyEndpoints: true},
	},
	want: []feddnsv1a1.ClusterDNS{clusterEntry(cluster1, lb(ip("10.20.30.1"))), clusterEntry(cluster2, lb(ip("10.20.30.2")))},
}, {
	name: "a member whose Service has no endpoints is listed without its load balancer",
	clusters: []clusterService{
		{cluster: cluster1, read: true, service: svc(ip("10.20.30.1")), readyEndpoints: true},
		{cluster: cluster2, read: true, service: svc(ip("10.20.30.2"))},
	},
	want: []feddnsv1a1.ClusterDNS{clusterEntry(cluster1, lb(ip("10.20.30.1"))), clusterEntry(cluster2, lb())},
}, {
	name: "allowServiceWithoutEndpoints gives the load balancer anyway",
	spec: feddnsv1a1.ServiceDNSRecordSpec{AllowServiceWithoutEndpoints: true},
	clusters: []clusterService{
		{cluster: cluster1, read: true, service: svc(ip("10.20.30.1")), readyEndpoints: true},
		{cluster: cluster2, read: true, service: svc(ip("10.20.30.2"))},
	},
	want: []feddnsv1a1.ClusterDNS{clusterEntry(cluster1, lb(ip("10.20.30.1"))), clusterEntry(cluster2, lb(ip("10.20.30.2")))},
}, {
	name: "endpoints but no load balancer address yet",
	clusters: []clusterService{
		{cluster: cluster1, read: true, service: svc(), readyEndpoints: true},
	},
	want: []feddnsv1a1.ClusterDNS{clusterEntry(cluster1, lb())},
}, {
	name: "load balancer entries sorted by IP, then host name",
	clusters: []clusterService{
		{cluster: cluster1, read: true, readyEndpoints: true, service: svc(ip("10.20.30.2"),
			corev1.LoadBalancerIngress{Hostname: "a9.us-west-2.elb.amazonaws.test"}, ip("10.20.30.1"))},
	},
	want: []feddnsv1a1.ClusterDNS{clusterEntry(cluster1, lb(corev1.LoadBalancerIngress{Hostname: "a9.us-west-2.elb.amazonaws.test"},
		ip("10.20.30.1"), ip("10.20.30.2")))},
}, {
	// GetReadyClusters lists the Ready clusters; the loop meant to keep
	// the entries of offline clusters reads the status of the object it
	// has just built, which is empty, so it keeps none.
	name: "a cluster that is not Ready is not listed",
	clusters: []clusterService{
		{cluster: dnsrecords.Cluster{Name: "cluster0", Region: "r9", Zones: []string{"z9"}}, problem: "cluster cluster0 is not Ready"},
		{cluster: cluster1, read: true, service: svc(ip("10.20.30.1")), readyEndpoints: true},
	},
	want: []feddnsv1a1.ClusterDNS{clusterEntry(cluster1, lb(ip("10.20.30.1")))},
}}

// TestStatusMatchesKubeFed checks status.domain and status.dns against
// KubeFed v0.6.1's ServiceDNS controller (KubeFed v0.6.1
// pkg/controller/servicedns/controller.go, reconcile): one entry per Ready
// cluster, sorted by name, with the cluster's region and zones, and the
// Service's load balancer (sorted by IP, then host name:
// getServiceStatusInCluster) only when the Service has endpoints
// (serviceBackedByEndpointsInCluster) or the record sets
// allowServiceWithoutEndpoints. The first two cases are KubeFed v0.6.1's
// own end to end tests (test/e2e/servicedns.go: "ServiceDNS object status should be
// updated correctly when there are no service and/or endpoint in member
// clusters" and "DNSEndpoint object should be created with correct status
// when ServiceDNS object is created"), with their regions r0, r1, zones z0,
// z1 and load balancers 10.20.30.1, 10.20.30.2.
func TestStatusMatchesKubeFed(t *testing.T) {
	tests := statusCompatCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.DomainRef = "galactic"
			rec := &feddnsv1a1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: "test-service-dns-x", Namespace: "e2e"}, Spec: tt.spec}
			st := computeStatus(&scope{record: rec, domain: &feddnsv1a1.Domain{Domain: "example.com"},
				domainNamespace: "kube-federation-system", clusters: tt.clusters})
			if st.Domain != "example.com" {
				t.Errorf("status.domain %q, want example.com", st.Domain)
			}
			if !equality.Semantic.DeepEqual(st.DNS, tt.want) {
				got, _ := yaml.Marshal(st.DNS)
				want, _ := yaml.Marshal(tt.want)
				t.Errorf("status.dns:\n%s\nwant (KubeFed v0.6.1):\n%s", got, want)
			}
		})
	}
}

// TestSelectorlessServiceWithHandWrittenEndpoints checks that a Service
// without a selector counts as backed when Endpoints written by hand have
// an address, as in KubeFed v0.6.1, which read the Endpoints
// (serviceBackedByEndpointsInCluster). KubeFed's member informers saw only
// objects labelled kubefed.io/managed=true, so it counted such Endpoints
// only with that label (its e2e test writes them so: test/common/dns.go,
// NewEndpointObject); kubefed counts them with or without it (docs/dns.md,
// "Differences from KubeFed v0.6"). kube-controller-manager mirrors such
// Endpoints into EndpointSlices that carry the Endpoints' labels, not the
// Service's: without the label they are not in the member cache and are
// read from the member's API server.
func TestSelectorlessServiceWithHandWrittenEndpoints(t *testing.T) {
	key := types.NamespacedName{Namespace: "shop", Name: "db"}
	managed := map[string]string{"kubefed.io/managed": "true"}
	svc := func(selector map[string]string) *corev1.Service {
		return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name, Labels: managed},
			Spec: corev1.ServiceSpec{Selector: selector}}
	}
	mirrored := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: "db-abcde", Labels: map[string]string{
			discoveryv1.LabelServiceName: key.Name, discoveryv1.LabelManagedBy: mirroringController}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{"10.1.2.3"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
	}
	mirroredManaged := mirrored.DeepCopy()
	mirroredManaged.Labels["kubefed.io/managed"] = "true"
	cl := dnsrecords.Cluster{Name: "member1", Ready: true}
	tests := []struct {
		name    string
		svc     *corev1.Service
		live    bool // the mirrored slice is in the member (live reads)
		managed bool // the hand-written Endpoints, so the slice, carry kubefed.io/managed
		ready   bool
	}{
		{name: "no selector, hand-written Endpoints labelled kubefed.io/managed as in KubeFed's e2e", svc: svc(nil), live: true, managed: true, ready: true},
		{name: "no selector, hand-written Endpoints mirrored", svc: svc(nil), live: true, ready: true},
		{name: "no selector, no Endpoints", svc: svc(nil), ready: false},
		// With a selector, the EndpointSlice controller's slices (labelled
		// like the Service, so cached) decide; a mirrored slice does not
		// exist for such a Service.
		{name: "a selector, nothing cached", svc: svc(map[string]string{"app": "db"}), live: true, ready: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cached := fake.NewClientBuilder().WithObjects(tt.svc).Build()
			liveB := fake.NewClientBuilder().WithObjects(tt.svc.DeepCopy())
			if tt.live {
				slice := mirrored
				if tt.managed {
					slice = mirroredManaged
					cached = fake.NewClientBuilder().WithObjects(tt.svc.DeepCopy(), slice.DeepCopy()).Build()
				}
				liveB = liveB.WithObjects(slice.DeepCopy())
			}
			got := readService(t.Context(), dnsrecords.Member{Cached: cached, Live: liveB.Build()}, cl, key)
			if got.problem != "" || got.service == nil || !got.read {
				t.Fatalf("read %+v", got)
			}
			if got.readyEndpoints != tt.ready {
				t.Errorf("readyEndpoints %t, want %t", got.readyEndpoints, tt.ready)
			}
		})
	}
}
