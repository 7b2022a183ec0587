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

package dnsendpoint

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
)

// The inputs and expected records below are KubeFed v0.6's, transcribed as
// data from kubernetes-sigs/kubefed pkg/controller/dnsendpoint: the
// constants of common_test.go and service_test.go, the cases of
// TestGetEndpointsForServiceDNSObject (service_test.go) and
// TestGetEndpointsForIngressDNSObject (ingress_test.go), and, where a case
// says so, what getServiceDNSEndpoints (service.go) computes for an input
// its tests do not cover. KubeFed's ClusterDNS of v0.6 has a list of zones
// (earlier releases one zone): the cases give each cluster its zone as a
// one-element list. The HostnameInLB cases are left out: KubeFed resolved
// load balancer host names to addresses, kubefed publishes a CNAME
// (docs/dns.md, "Differences from KubeFed v0.6"; TestServiceEndpoints).
const (
	kfName      = "nginx"
	kfNamespace = "test"
	kfZone      = "example.com"
	kfFed       = "galactic"
	kfC1Region  = "us"
	kfC2Region  = "eu"
	kfC1Zone    = "us1"
	kfC2Zone    = "eu1"
	kfLB1       = "10.20.30.1"
	kfLB2       = "10.20.30.2"
	kfUserTTL   = 300
	// kfDefaultTTL is KubeFed's defaultDNSTTL, the TTL of records whose
	// spec sets none; KubeFed's tests name the constant, not its value.
	kfDefaultTTL = feddnsv1a1.DefaultRecordTTL
)

func kfLB(ips ...string) corev1.LoadBalancerStatus {
	var st corev1.LoadBalancerStatus
	for _, ip := range ips {
		st.Ingress = append(st.Ingress, corev1.LoadBalancerIngress{IP: ip})
	}
	return st
}

func kfEndpoint(name, typ string, ttl feddnsv1a1.TTL, targets ...string) *feddnsv1a1.Endpoint {
	return &feddnsv1a1.Endpoint{DNSName: name, RecordType: typ, RecordTTL: ttl, Targets: targets}
}

func TestServiceEndpointsMatchKubeFed(t *testing.T) {
	join := func(parts ...string) string { return strings.Join(parts, ".") }
	global := join(kfName, kfNamespace, kfFed, "svc", kfZone)
	c1Region := join(kfName, kfNamespace, kfFed, "svc", kfC1Region, kfZone)
	c1Zone := join(kfName, kfNamespace, kfFed, "svc", kfC1Zone, kfC1Region, kfZone)
	c2Region := join(kfName, kfNamespace, kfFed, "svc", kfC2Region, kfZone)
	c2Zone := join(kfName, kfNamespace, kfFed, "svc", kfC2Zone, kfC2Region, kfZone)
	c1 := func(lb corev1.LoadBalancerStatus) feddnsv1a1.ClusterDNS {
		return feddnsv1a1.ClusterDNS{Cluster: "c1", Region: kfC1Region, Zones: []string{kfC1Zone}, LoadBalancer: lb}
	}
	c2 := func(lb corev1.LoadBalancerStatus) feddnsv1a1.ClusterDNS {
		return feddnsv1a1.ClusterDNS{Cluster: "c2", Region: kfC2Region, Zones: []string{kfC2Zone}, LoadBalancer: lb}
	}
	A, CNAME := feddnsv1a1.RecordTypeA, feddnsv1a1.RecordTypeCNAME
	tests := []struct {
		name string
		spec feddnsv1a1.ServiceDNSRecordSpec
		dns  []feddnsv1a1.ClusterDNS
		want []*feddnsv1a1.Endpoint
	}{{
		name: "NoClusters",
	}, {
		name: "SingleLBInSingleCluster",
		dns:  []feddnsv1a1.ClusterDNS{c1(kfLB(kfLB1))},
		want: []*feddnsv1a1.Endpoint{
			kfEndpoint(global, A, kfDefaultTTL, kfLB1),
			kfEndpoint(c1Region, A, kfDefaultTTL, kfLB1),
			kfEndpoint(c1Zone, A, kfDefaultTTL, kfLB1),
		},
	}, {
		name: "LBsInBothClusters",
		dns:  []feddnsv1a1.ClusterDNS{c1(kfLB(kfLB1)), c2(kfLB(kfLB2))},
		want: []*feddnsv1a1.Endpoint{
			kfEndpoint(global, A, kfDefaultTTL, kfLB1, kfLB2),
			kfEndpoint(c2Region, A, kfDefaultTTL, kfLB2),
			kfEndpoint(c2Zone, A, kfDefaultTTL, kfLB2),
			kfEndpoint(c1Region, A, kfDefaultTTL, kfLB1),
			kfEndpoint(c1Zone, A, kfDefaultTTL, kfLB1),
		},
	}, {
		// A cluster listed without a load balancer (no endpoints, or none
		// yet): its region and zone names fall back one level up.
		name: "NoLBInOneCluster",
		dns:  []feddnsv1a1.ClusterDNS{c1(kfLB(kfLB1)), c2(kfLB())},
		want: []*feddnsv1a1.Endpoint{
			kfEndpoint(global, A, kfDefaultTTL, kfLB1),
			kfEndpoint(c2Region, CNAME, kfDefaultTTL, global),
			kfEndpoint(c2Zone, CNAME, kfDefaultTTL, c2Region),
			kfEndpoint(c1Region, A, kfDefaultTTL, kfLB1),
			kfEndpoint(c1Zone, A, kfDefaultTTL, kfLB1),
		},
	}, {
		name: "NoLBInBothClusters",
		dns:  []feddnsv1a1.ClusterDNS{c1(kfLB()), c2(kfLB())},
		want: []*feddnsv1a1.Endpoint{
			kfEndpoint(c2Region, CNAME, kfDefaultTTL, global),
			kfEndpoint(c2Zone, CNAME, kfDefaultTTL, c2Region),
			kfEndpoint(c1Region, CNAME, kfDefaultTTL, global),
			kfEndpoint(c1Zone, CNAME, kfDefaultTTL, c1Region),
		},
	}, {
		name: "UserConfiguredDNSRecordTTL",
		spec: feddnsv1a1.ServiceDNSRecordSpec{RecordTTL: kfUserTTL},
		dns:  []feddnsv1a1.ClusterDNS{c1(kfLB(kfLB1))},
		want: []*feddnsv1a1.Endpoint{
			kfEndpoint(global, A, kfUserTTL, kfLB1),
			kfEndpoint(c1Region, A, kfUserTTL, kfLB1),
			kfEndpoint(c1Zone, A, kfUserTTL, kfLB1),
		},
	}, {
		name: "UserConfiguredDNSPrefix",
		spec: feddnsv1a1.ServiceDNSRecordSpec{DNSPrefix: "foo"},
		dns:  []feddnsv1a1.ClusterDNS{c1(kfLB(kfLB1)), c2(kfLB(kfLB2))},
		want: []*feddnsv1a1.Endpoint{
			kfEndpoint("foo."+kfZone, CNAME, kfDefaultTTL, global),
			kfEndpoint(global, A, kfDefaultTTL, kfLB1, kfLB2),
			kfEndpoint(c2Region, A, kfDefaultTTL, kfLB2),
			kfEndpoint(c2Zone, A, kfDefaultTTL, kfLB2),
			kfEndpoint(c1Region, A, kfDefaultTTL, kfLB1),
			kfEndpoint(c1Zone, A, kfDefaultTTL, kfLB1),
		},
	}, {
		name: "UserConfiguredExternalName",
		spec: feddnsv1a1.ServiceDNSRecordSpec{ExternalName: "foo"},
		dns:  []feddnsv1a1.ClusterDNS{c1(kfLB(kfLB1)), c2(kfLB(kfLB2))},
		want: labelled(feddnsv1a1.Labels{"serviceName": kfName},
			kfEndpoint(join("foo", kfNamespace, kfFed, "svc", kfZone), A, kfDefaultTTL, kfLB1, kfLB2),
			kfEndpoint(join("foo", kfNamespace, kfFed, "svc", kfC2Region, kfZone), A, kfDefaultTTL, kfLB2),
			kfEndpoint(join("foo", kfNamespace, kfFed, "svc", kfC2Zone, kfC2Region, kfZone), A, kfDefaultTTL, kfLB2),
			kfEndpoint(join("foo", kfNamespace, kfFed, "svc", kfC1Region, kfZone), A, kfDefaultTTL, kfLB1),
			kfEndpoint(join("foo", kfNamespace, kfFed, "svc", kfC1Zone, kfC1Region, kfZone), A, kfDefaultTTL, kfLB1),
		),
	}, {
		// getServiceDNSEndpoints of v0.6 writes one name per zone of a
		// cluster.
		name: "several zones in one cluster (service.go)",
		dns: []feddnsv1a1.ClusterDNS{{Cluster: "c1", Region: kfC1Region, Zones: []string{kfC1Zone, "us2"},
			LoadBalancer: kfLB(kfLB1)}},
		want: []*feddnsv1a1.Endpoint{
			kfEndpoint(global, A, kfDefaultTTL, kfLB1),
			kfEndpoint(c1Region, A, kfDefaultTTL, kfLB1),
			kfEndpoint(c1Zone, A, kfDefaultTTL, kfLB1),
			kfEndpoint(join(kfName, kfNamespace, kfFed, "svc", "us2", kfC1Region, kfZone), A, kfDefaultTTL, kfLB1),
		},
	}, {
		// getServiceDNSEndpoints of v0.6 adds the dnsPrefix CNAME after the
		// loop over the clusters: also with none.
		name: "dnsPrefix without clusters (service.go)",
		spec: feddnsv1a1.ServiceDNSRecordSpec{DNSPrefix: "foo"},
		want: []*feddnsv1a1.Endpoint{kfEndpoint("foo."+kfZone, CNAME, kfDefaultTTL, global)},
	}, {
		// Two clusters of one region and zone, both with a load balancer:
		// DedupeAndMergeEndpoints merges the names' targets, sorted and
		// without duplicates.
		name: "clusters sharing a region and a zone (common.go)",
		dns: []feddnsv1a1.ClusterDNS{
			{Cluster: "c1", Region: kfC1Region, Zones: []string{kfC1Zone}, LoadBalancer: kfLB(kfLB2)},
			{Cluster: "c2", Region: kfC1Region, Zones: []string{kfC1Zone}, LoadBalancer: kfLB(kfLB1, kfLB2)},
		},
		want: []*feddnsv1a1.Endpoint{
			kfEndpoint(global, A, kfDefaultTTL, kfLB1, kfLB2),
			kfEndpoint(c1Region, A, kfDefaultTTL, kfLB1, kfLB2),
			kfEndpoint(c1Zone, A, kfDefaultTTL, kfLB1, kfLB2),
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.DomainRef = kfFed
			rec := &feddnsv1a1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: kfName, Namespace: kfNamespace}, Spec: tt.spec,
				Status: feddnsv1a1.ServiceDNSRecordStatus{Domain: kfZone, DNS: tt.dns}}
			got := ServiceEndpoints(rec, rec.Status.Domain, nil)
			if want := byName(tt.want); !equality.Semantic.DeepEqual(got, want) {
				t.Errorf("got:\n%s\nwant (KubeFed v0.6):\n%s", renderFull(got), renderFull(tt.want))
			}
		})
	}
}

func TestIngressEndpointsMatchKubeFed(t *testing.T) {
	A := feddnsv1a1.RecordTypeA
	const host, host2 = "foo.bar.test", "jane.goodall.test"
	tests := []struct {
		name  string
		hosts []string
		ttl   feddnsv1a1.TTL
		dns   []feddnsv1a1.ClusterIngressDNS
		want  []*feddnsv1a1.Endpoint
	}{{
		name: "NoClusters", hosts: []string{host},
	}, {
		name: "SingleLBInSingleCluster", hosts: []string{host},
		dns:  []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1", LoadBalancer: kfLB(kfLB1)}},
		want: []*feddnsv1a1.Endpoint{kfEndpoint(host, A, kfDefaultTTL, kfLB1)},
	}, {
		name: "LBsInBothClusters", hosts: []string{host},
		dns:  []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1", LoadBalancer: kfLB(kfLB1)}, {Cluster: "c2", LoadBalancer: kfLB(kfLB2)}},
		want: []*feddnsv1a1.Endpoint{kfEndpoint(host, A, kfDefaultTTL, kfLB1, kfLB2)},
	}, {
		name: "MultipleHosts", hosts: []string{host, host2},
		dns: []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1", LoadBalancer: kfLB(kfLB1)}, {Cluster: "c2", LoadBalancer: kfLB(kfLB2)}},
		want: []*feddnsv1a1.Endpoint{
			kfEndpoint(host, A, kfDefaultTTL, kfLB1, kfLB2),
			kfEndpoint(host2, A, kfDefaultTTL, kfLB1, kfLB2),
		},
	}, {
		name: "UserConfiguredDNSRecordTTL", hosts: []string{host}, ttl: kfUserTTL,
		dns:  []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1", LoadBalancer: kfLB(kfLB1)}},
		want: []*feddnsv1a1.Endpoint{kfEndpoint(host, A, kfUserTTL, kfLB1)},
	}, {
		// v0.6's status lists every Ready cluster, with an empty load
		// balancer where the cluster has no Ingress (ingressdns
		// controller.go); getIngressDNSEndpoints adds nothing for it.
		name: "a cluster listed without a load balancer (ingress.go)", hosts: []string{host},
		dns:  []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1", LoadBalancer: kfLB(kfLB1)}, {Cluster: "c2"}},
		want: []*feddnsv1a1.Endpoint{kfEndpoint(host, A, kfDefaultTTL, kfLB1)},
	}, {
		name: "no cluster with a load balancer (ingress.go)", hosts: []string{host},
		dns: []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1"}, {Cluster: "c2"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &feddnsv1a1.IngressDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: kfName, Namespace: kfNamespace},
				Spec:   feddnsv1a1.IngressDNSRecordSpec{Hosts: tt.hosts, RecordTTL: tt.ttl},
				Status: feddnsv1a1.IngressDNSRecordStatus{DNS: tt.dns}}
			got := IngressEndpoints(rec)
			if want := byName(tt.want); !equality.Semantic.DeepEqual(got, want) {
				t.Errorf("got:\n%s\nwant (KubeFed v0.6):\n%s", renderFull(got), renderFull(tt.want))
			}
		})
	}
}

func labelled(l feddnsv1a1.Labels, eps ...*feddnsv1a1.Endpoint) []*feddnsv1a1.Endpoint {
	for _, ep := range eps {
		ep.Labels = l
	}
	return eps
}

// renderFull prints endpoints with their labels.
func renderFull(eps []*feddnsv1a1.Endpoint) string {
	var b strings.Builder
	for _, ep := range eps {
		b.WriteString(render([]*feddnsv1a1.Endpoint{ep}))
		if len(ep.Labels) > 0 {
			fmt.Fprintf(&b, "  labels %v\n", map[string]string(ep.Labels))
		}
	}
	return b.String()
}

// byName orders expected records as KubeFed's tests did before comparing:
// by DNS name.
func byName(eps []*feddnsv1a1.Endpoint) []*feddnsv1a1.Endpoint {
	slices.SortStableFunc(eps, func(a, b *feddnsv1a1.Endpoint) int { return strings.Compare(a.DNSName, b.DNSName) })
	return eps
}
