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

// The inputs and expected records of the tests below are KubeFed v0.6.1's,
// transcribed as data from its pkg/controller/dnsendpoint: the constants of
// common.go (defaultDNSTTL), common_test.go and service_test.go, and every
// case of TestGetEndpointsForServiceDNSObject (service_test.go) and
// TestGetEndpointsForIngressDNSObject (ingress_test.go), under their names.
// Cases named "(common.go)" or "(service.go)" are not in KubeFed's tests:
// their expected records are what KubeFed v0.6.1's getServiceDNSEndpoints,
// getIngressDNSEndpoints and DedupeAndMergeEndpoints compute for the input,
// worked out by hand from that code.
//
// A case with a kubefed field is one where kubefed deliberately differs
// (docs/dns.md, "Differences from KubeFed v0.6"): the test checks that
// kubefed gives exactly those records and that they are not KubeFed's, so
// that the list of differences stays true.
const (
	kfName        = "nginx"
	kfNamespace   = "test"
	kfDNSZone     = "example.com"
	kfFederation  = "galactic"
	kfC1Region    = "us"
	kfC2Region    = "eu"
	kfC1Zone      = "us1"
	kfC2Zone      = "eu1"
	kfC3Zone      = "us2"
	kfLB1         = "10.20.30.1"
	kfLB2         = "10.20.30.2"
	kfLB3         = "10.20.30.3"
	kfUserTTL     = 300
	kfDefaultTTL  = 180 // defaultDNSTTL, common.go
	kfELBHostname = "a9.us-west-2.elb.amazonaws.test"
	// KubeFed's tests resolve kfELBHostname to kfLB3 (NetWrapperMock).
)

func kfIPs(ips ...string) corev1.LoadBalancerStatus {
	var st corev1.LoadBalancerStatus
	for _, ip := range ips {
		st.Ingress = append(st.Ingress, corev1.LoadBalancerIngress{IP: ip})
	}
	return st
}

func kfHostname(h string) corev1.LoadBalancerStatus {
	return corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{Hostname: h}}}
}

func kfEndpoint(name, typ string, ttl feddnsv1a1.TTL, targets ...string) *feddnsv1a1.Endpoint {
	return &feddnsv1a1.Endpoint{DNSName: name, RecordType: typ, RecordTTL: ttl, Targets: targets}
}

// checkAgainstKubeFed compares kubefed's records with KubeFed's; with
// differs set, it checks that kubefed gives differs instead, and that
// differs is indeed not KubeFed's result.
func checkAgainstKubeFed(t *testing.T, got, kubefedV06, differs []*feddnsv1a1.Endpoint) {
	t.Helper()
	kubefedV06 = byName(kubefedV06)
	if differs == nil {
		if !equality.Semantic.DeepEqual(got, kubefedV06) {
			t.Errorf("got:\n%s\nwant (KubeFed v0.6.1):\n%s", renderFull(got), renderFull(kubefedV06))
		}
		return
	}
	differs = byName(differs)
	if !equality.Semantic.DeepEqual(got, differs) {
		t.Errorf("got:\n%s\nwant (kubefed's documented difference):\n%s", renderFull(got), renderFull(differs))
	}
	if equality.Semantic.DeepEqual(differs, kubefedV06) {
		t.Errorf("the case is listed as a difference from KubeFed v0.6.1 but gives KubeFed's records:\n%s", renderFull(differs))
	}
}

// kfJoin joins the parts of a DNS name.
func kfJoin(parts ...string) string { return strings.Join(parts, ".") }

// The DNS names of serviceCompatCases: the prefixes of the federation's
// names (global, per region, per zone) and the Service's names under them.
var (
	kfGlobalPrefix   = kfJoin(kfNamespace, kfFederation, "svc", kfDNSZone)
	kfC1RegionPrefix = kfJoin(kfNamespace, kfFederation, "svc", kfC1Region, kfDNSZone)
	kfC1ZonePrefix   = kfJoin(kfNamespace, kfFederation, "svc", kfC1Zone, kfC1Region, kfDNSZone)
	kfC2RegionPrefix = kfJoin(kfNamespace, kfFederation, "svc", kfC2Region, kfDNSZone)
	kfC2ZonePrefix   = kfJoin(kfNamespace, kfFederation, "svc", kfC2Zone, kfC2Region, kfDNSZone)
	kfC3ZonePrefix   = kfJoin(kfNamespace, kfFederation, "svc", kfC3Zone, kfC1Region, kfDNSZone)
	kfGlobal         = kfJoin(kfName, kfGlobalPrefix)
	kfC1RegionName   = kfJoin(kfName, kfC1RegionPrefix)
	kfC1ZoneName     = kfJoin(kfName, kfC1ZonePrefix)
	kfC2RegionName   = kfJoin(kfName, kfC2RegionPrefix)
	kfC2ZoneName     = kfJoin(kfName, kfC2ZonePrefix)
	kfC3ZoneName     = kfJoin(kfName, kfC3ZonePrefix)
)

// kfRegionalA is KubeFed's A records of a Service whose clusters c1 and c2
// both have load balancer addresses, c1IPs and c2IPs: global (as KubeFed's
// test lists them) under the global name, and each cluster's under its
// region and zone names.
func kfRegionalA(ttl feddnsv1a1.TTL, global, c1IPs, c2IPs []string) []*feddnsv1a1.Endpoint {
	return []*feddnsv1a1.Endpoint{
		kfEndpoint(kfGlobal, A, ttl, global...),
		kfEndpoint(kfC1RegionName, A, ttl, c1IPs...),
		kfEndpoint(kfC1ZoneName, A, ttl, c1IPs...),
		kfEndpoint(kfC2RegionName, A, ttl, c2IPs...),
		kfEndpoint(kfC2ZoneName, A, ttl, c2IPs...),
	}
}

// kfC1 is cluster c1's status.dns entry, in region kfC1Region and zone
// kfC1Zone, with load balancer lb.
func kfC1(lb corev1.LoadBalancerStatus) feddnsv1a1.ClusterDNS {
	return feddnsv1a1.ClusterDNS{Cluster: "c1", Zones: []string{kfC1Zone}, Region: kfC1Region, LoadBalancer: lb}
}

// kfC2 is cluster c2's, in kfC2Region and kfC2Zone.
func kfC2(lb corev1.LoadBalancerStatus) feddnsv1a1.ClusterDNS {
	return feddnsv1a1.ClusterDNS{Cluster: "c2", Zones: []string{kfC2Zone}, Region: kfC2Region, LoadBalancer: lb}
}

// The record types, named as KubeFed's tests name them.
const (
	A, AAAA, CNAME = feddnsv1a1.RecordTypeA, feddnsv1a1.RecordTypeAAAA, feddnsv1a1.RecordTypeCNAME
)

// serviceCompatCase is a case of TestServiceEndpointsMatchKubeFed.
type serviceCompatCase struct {
	name string
	spec feddnsv1a1.ServiceDNSRecordSpec
	dns  []feddnsv1a1.ClusterDNS
	// kubefedV06 is KubeFed v0.6.1's expectEndpoints.
	kubefedV06 []*feddnsv1a1.Endpoint
	// kubefed, when set, is kubefed's documented different result.
	kubefed []*feddnsv1a1.Endpoint
}

var serviceCompatCases = []serviceCompatCase{{
	name: "NoClusters",
}, {
	name: "SingleLBInSingleCluster",
	dns:  []feddnsv1a1.ClusterDNS{kfC1(kfIPs(kfLB1))},
	kubefedV06: []*feddnsv1a1.Endpoint{
		kfEndpoint(kfGlobal, A, kfDefaultTTL, kfLB1),
		kfEndpoint(kfC1RegionName, A, kfDefaultTTL, kfLB1),
		kfEndpoint(kfC1ZoneName, A, kfDefaultTTL, kfLB1),
	},
}, {
	name:       "LBsInBothClusters",
	dns:        []feddnsv1a1.ClusterDNS{kfC1(kfIPs(kfLB1)), kfC2(kfIPs(kfLB2))},
	kubefedV06: kfRegionalA(kfDefaultTTL, []string{kfLB1, kfLB2}, []string{kfLB1}, []string{kfLB2}),
}, {
	name: "NoLBInOneCluster",
	dns:  []feddnsv1a1.ClusterDNS{kfC1(kfIPs(kfLB1)), kfC2(kfIPs())},
	kubefedV06: []*feddnsv1a1.Endpoint{
		kfEndpoint(kfGlobal, A, kfDefaultTTL, kfLB1),
		kfEndpoint(kfC1RegionName, A, kfDefaultTTL, kfLB1),
		kfEndpoint(kfC1ZoneName, A, kfDefaultTTL, kfLB1),
		kfEndpoint(kfC2RegionName, CNAME, kfDefaultTTL, kfGlobal),
		kfEndpoint(kfC2ZoneName, CNAME, kfDefaultTTL, kfC2RegionName),
	},
}, {
	name: "NoLBInBothClusters",
	dns:  []feddnsv1a1.ClusterDNS{kfC1(kfIPs()), kfC2(kfIPs())},
	kubefedV06: []*feddnsv1a1.Endpoint{
		kfEndpoint(kfC1RegionName, CNAME, kfDefaultTTL, kfGlobal),
		kfEndpoint(kfC1ZoneName, CNAME, kfDefaultTTL, kfC1RegionName),
		kfEndpoint(kfC2RegionName, CNAME, kfDefaultTTL, kfGlobal),
		kfEndpoint(kfC2ZoneName, CNAME, kfDefaultTTL, kfC2RegionName),
	},
}, {
	name:       "MultipleLBsInClusters",
	dns:        []feddnsv1a1.ClusterDNS{kfC1(kfIPs(kfLB1, kfLB3)), kfC2(kfIPs(kfLB2))},
	kubefedV06: kfRegionalA(kfDefaultTTL, []string{kfLB1, kfLB2, kfLB3}, []string{kfLB1, kfLB3}, []string{kfLB2}),
}, {
	// KubeFed resolved the host name (to kfLB3 in its test); kubefed
	// publishes a CNAME to it where a name's clusters have only host
	// names, and only the addresses where they also have IPs.
	name:       "HostnameInLB",
	dns:        []feddnsv1a1.ClusterDNS{kfC1(kfHostname(kfELBHostname)), kfC2(kfIPs(kfLB2))},
	kubefedV06: kfRegionalA(kfDefaultTTL, []string{kfLB2, kfLB3}, []string{kfLB3}, []string{kfLB2}),
	kubefed: []*feddnsv1a1.Endpoint{
		kfEndpoint(kfGlobal, A, kfDefaultTTL, kfLB2),
		kfEndpoint(kfC1RegionName, CNAME, kfDefaultTTL, kfELBHostname),
		kfEndpoint(kfC1ZoneName, CNAME, kfDefaultTTL, kfELBHostname),
		kfEndpoint(kfC2RegionName, A, kfDefaultTTL, kfLB2),
		kfEndpoint(kfC2ZoneName, A, kfDefaultTTL, kfLB2),
	},
}, {
	name: "UserConfiguredDNSRecordTTL",
	spec: feddnsv1a1.ServiceDNSRecordSpec{RecordTTL: kfUserTTL},
	dns:  []feddnsv1a1.ClusterDNS{kfC1(kfIPs(kfLB1))},
	kubefedV06: []*feddnsv1a1.Endpoint{
		kfEndpoint(kfGlobal, A, kfUserTTL, kfLB1),
		kfEndpoint(kfC1RegionName, A, kfUserTTL, kfLB1),
		kfEndpoint(kfC1ZoneName, A, kfUserTTL, kfLB1),
	},
}, {
	name: "UserConfiguredDNSPrefix",
	spec: feddnsv1a1.ServiceDNSRecordSpec{DNSPrefix: "foo"},
	dns:  []feddnsv1a1.ClusterDNS{kfC1(kfIPs(kfLB1)), kfC2(kfIPs(kfLB2))},
	kubefedV06: append(kfRegionalA(kfDefaultTTL, []string{kfLB1, kfLB2}, []string{kfLB1}, []string{kfLB2}),
		kfEndpoint("foo."+kfDNSZone, CNAME, kfDefaultTTL, kfGlobal),
	),
}, {
	name: "UserConfiguredExternalName",
	spec: feddnsv1a1.ServiceDNSRecordSpec{ExternalName: "foo"},
	dns:  []feddnsv1a1.ClusterDNS{kfC1(kfIPs(kfLB1)), kfC2(kfIPs(kfLB2))},
	kubefedV06: labelled(feddnsv1a1.Labels{"serviceName": kfName},
		kfEndpoint("foo."+kfGlobalPrefix, A, kfDefaultTTL, kfLB1, kfLB2),
		kfEndpoint("foo."+kfC1RegionPrefix, A, kfDefaultTTL, kfLB1),
		kfEndpoint("foo."+kfC1ZonePrefix, A, kfDefaultTTL, kfLB1),
		kfEndpoint("foo."+kfC2RegionPrefix, A, kfDefaultTTL, kfLB2),
		kfEndpoint("foo."+kfC2ZonePrefix, A, kfDefaultTTL, kfLB2),
	),
}, {
	name: "MultiZoneCluster",
	dns: []feddnsv1a1.ClusterDNS{
		{Cluster: "c1", Zones: []string{kfC1Zone, kfC3Zone}, Region: kfC1Region, LoadBalancer: kfIPs(kfLB1)},
		kfC2(kfIPs(kfLB2)),
	},
	kubefedV06: append(kfRegionalA(kfDefaultTTL, []string{kfLB1, kfLB2}, []string{kfLB1}, []string{kfLB2}),
		kfEndpoint(kfC3ZoneName, A, kfDefaultTTL, kfLB1),
	),
}, {
	// The dnsPrefix CNAME is added after the loop over the clusters:
	// also with none.
	name: "dnsPrefix without clusters (service.go)",
	spec: feddnsv1a1.ServiceDNSRecordSpec{DNSPrefix: "foo"},
	kubefedV06: []*feddnsv1a1.Endpoint{
		kfEndpoint("foo."+kfDNSZone, CNAME, kfDefaultTTL, kfGlobal),
	},
}, {
	// Clusters of one region and zone: DedupeAndMergeEndpoints merges
	// their targets, sorted, without duplicates.
	name: "clusters sharing a region and a zone (common.go)",
	dns: []feddnsv1a1.ClusterDNS{
		{Cluster: "c1", Zones: []string{kfC1Zone}, Region: kfC1Region, LoadBalancer: kfIPs(kfLB2)},
		{Cluster: "c2", Zones: []string{kfC1Zone}, Region: kfC1Region, LoadBalancer: kfIPs(kfLB1, kfLB2)},
	},
	kubefedV06: []*feddnsv1a1.Endpoint{
		kfEndpoint(kfGlobal, A, kfDefaultTTL, kfLB1, kfLB2),
		kfEndpoint(kfC1RegionName, A, kfDefaultTTL, kfLB1, kfLB2),
		kfEndpoint(kfC1ZoneName, A, kfDefaultTTL, kfLB1, kfLB2),
	},
}, {
	// A region name that is an A record for one cluster and a fallback
	// CNAME for another: DedupeAndMergeEndpoints keeps the A record
	// and discards the CNAME.
	name: "a region with one cluster without a load balancer (common.go)",
	dns: []feddnsv1a1.ClusterDNS{
		kfC1(kfIPs(kfLB1)),
		{Cluster: "c3", Zones: []string{kfC3Zone}, Region: kfC1Region},
	},
	kubefedV06: []*feddnsv1a1.Endpoint{
		kfEndpoint(kfGlobal, A, kfDefaultTTL, kfLB1),
		kfEndpoint(kfC1RegionName, A, kfDefaultTTL, kfLB1),
		kfEndpoint(kfC1ZoneName, A, kfDefaultTTL, kfLB1),
		kfEndpoint(kfC3ZoneName, CNAME, kfDefaultTTL, kfC1RegionName),
	},
}, {
	// getResolvedTargets keeps any address net.ParseIP accepts, and
	// generateEndpointForServiceDNSObject makes every record of
	// addresses an A record; kubefed writes IPv6 addresses as AAAA.
	name: "an IPv6 load balancer (service.go)",
	dns:  []feddnsv1a1.ClusterDNS{kfC1(kfIPs(kfLB1, "2001:db8::1"))},
	kubefedV06: []*feddnsv1a1.Endpoint{
		kfEndpoint(kfGlobal, A, kfDefaultTTL, kfLB1, "2001:db8::1"),
		kfEndpoint(kfC1RegionName, A, kfDefaultTTL, kfLB1, "2001:db8::1"),
		kfEndpoint(kfC1ZoneName, A, kfDefaultTTL, kfLB1, "2001:db8::1"),
	},
	kubefed: []*feddnsv1a1.Endpoint{
		kfEndpoint(kfGlobal, A, kfDefaultTTL, kfLB1),
		kfEndpoint(kfGlobal, AAAA, kfDefaultTTL, "2001:db8::1"),
		kfEndpoint(kfC1RegionName, A, kfDefaultTTL, kfLB1),
		kfEndpoint(kfC1RegionName, AAAA, kfDefaultTTL, "2001:db8::1"),
		kfEndpoint(kfC1ZoneName, A, kfDefaultTTL, kfLB1),
		kfEndpoint(kfC1ZoneName, AAAA, kfDefaultTTL, "2001:db8::1"),
	},
}}

func TestServiceEndpointsMatchKubeFed(t *testing.T) {
	tests := serviceCompatCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.DomainRef = kfFederation
			rec := &feddnsv1a1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: kfName, Namespace: kfNamespace}, Spec: tt.spec,
				Status: feddnsv1a1.ServiceDNSRecordStatus{Domain: kfDNSZone, DNS: tt.dns}}
			checkAgainstKubeFed(t, ServiceEndpoints(rec, rec.Status.Domain, nil), tt.kubefedV06, tt.kubefed)
		})
	}
}

func TestIngressEndpointsMatchKubeFed(t *testing.T) {
	const host, host2 = "foo.bar.test", "jane.goodall.test"
	tests := []struct {
		name       string
		hosts      []string
		ttl        feddnsv1a1.TTL
		dns        []feddnsv1a1.ClusterIngressDNS
		kubefedV06 []*feddnsv1a1.Endpoint
		kubefed    []*feddnsv1a1.Endpoint
	}{{
		name: "NoClusters", hosts: []string{host},
	}, {
		name: "SingleLBInSingleCluster", hosts: []string{host},
		dns:        []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1", LoadBalancer: kfIPs(kfLB1)}},
		kubefedV06: []*feddnsv1a1.Endpoint{kfEndpoint(host, A, kfDefaultTTL, kfLB1)},
	}, {
		name: "LBsInBothClusters", hosts: []string{host},
		dns:        []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1", LoadBalancer: kfIPs(kfLB1)}, {Cluster: "c2", LoadBalancer: kfIPs(kfLB2)}},
		kubefedV06: []*feddnsv1a1.Endpoint{kfEndpoint(host, A, kfDefaultTTL, kfLB1, kfLB2)},
	}, {
		// KubeFed resolved the host name (to kfLB3 in its test); kubefed
		// publishes only the addresses where a name also has IPs.
		name: "HostnameInLB", hosts: []string{host},
		dns:        []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1", LoadBalancer: kfHostname(kfELBHostname)}, {Cluster: "c2", LoadBalancer: kfIPs(kfLB2)}},
		kubefedV06: []*feddnsv1a1.Endpoint{kfEndpoint(host, A, kfDefaultTTL, kfLB2, kfLB3)},
		kubefed:    []*feddnsv1a1.Endpoint{kfEndpoint(host, A, kfDefaultTTL, kfLB2)},
	}, {
		name: "MultipleHosts", hosts: []string{host, host2},
		dns: []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1", LoadBalancer: kfIPs(kfLB1)}, {Cluster: "c2", LoadBalancer: kfIPs(kfLB2)}},
		kubefedV06: []*feddnsv1a1.Endpoint{
			kfEndpoint(host, A, kfDefaultTTL, kfLB1, kfLB2),
			kfEndpoint(host2, A, kfDefaultTTL, kfLB1, kfLB2),
		},
	}, {
		name: "UserConfiguredDNSRecordTTL", hosts: []string{host}, ttl: kfUserTTL,
		dns:        []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1", LoadBalancer: kfIPs(kfLB1)}},
		kubefedV06: []*feddnsv1a1.Endpoint{kfEndpoint(host, A, kfUserTTL, kfLB1)},
	}, {
		// The status lists every Ready cluster, with an empty load balancer
		// where the cluster has no Ingress (ingressdns/controller.go);
		// getIngressDNSEndpoints adds nothing for it.
		name: "a cluster listed without a load balancer (ingress.go)", hosts: []string{host},
		dns:        []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1", LoadBalancer: kfIPs(kfLB1)}, {Cluster: "c2"}},
		kubefedV06: []*feddnsv1a1.Endpoint{kfEndpoint(host, A, kfDefaultTTL, kfLB1)},
	}, {
		// generateEndpointForIngressDNSObject returns no record without
		// targets.
		name: "no cluster with a load balancer (ingress.go)", hosts: []string{host},
		dns: []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1"}, {Cluster: "c2"}},
	}, {
		// Only host names: KubeFed resolved them into an A record; kubefed
		// writes a CNAME to the host name.
		name: "only a host name (ingress.go)", hosts: []string{host},
		dns:        []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1", LoadBalancer: kfHostname(kfELBHostname)}},
		kubefedV06: []*feddnsv1a1.Endpoint{kfEndpoint(host, A, kfDefaultTTL, kfLB3)},
		kubefed:    []*feddnsv1a1.Endpoint{kfEndpoint(host, CNAME, kfDefaultTTL, kfELBHostname)},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &feddnsv1a1.IngressDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: kfName, Namespace: kfNamespace},
				Spec:   feddnsv1a1.IngressDNSRecordSpec{Hosts: tt.hosts, RecordTTL: tt.ttl},
				Status: feddnsv1a1.IngressDNSRecordStatus{DNS: tt.dns}}
			checkAgainstKubeFed(t, IngressEndpoints(rec), tt.kubefedV06, tt.kubefed)
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

// byName orders records as KubeFed's tests did before comparing: by DNS
// name (stable, so that kubefed's A before AAAA of one name stays).
func byName(eps []*feddnsv1a1.Endpoint) []*feddnsv1a1.Endpoint {
	slices.SortStableFunc(eps, func(a, b *feddnsv1a1.Endpoint) int { return strings.Compare(a.DNSName, b.DNSName) })
	return eps
}
