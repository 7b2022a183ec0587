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
	"net"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/internal/dnsrecords"
)

// Name prefixes of the DNSEndpoint written for each record kind (KubeFed's
// naming).
const (
	ServicePrefix = "service-"
	IngressPrefix = "ingress-"
)

// Location is where a cluster is: its region and zones, from its
// KubeFedCluster status.
type Location struct {
	Region string
	Zones  []string
}

// ServiceNames are the DNS names of one ServiceDNSRecord.
type ServiceNames struct {
	// Common is <service or externalName>.<namespace>.<domainRef>.svc.
	Common string
	// Domain is the DNS zone.
	Domain string
}

// NewServiceNames returns the names of a ServiceDNSRecord published under
// domain.
func NewServiceNames(rec *feddnsv1a1.ServiceDNSRecord, domain string) ServiceNames {
	svc := rec.Name
	if rec.Spec.ExternalName != "" {
		svc = rec.Spec.ExternalName
	}
	return ServiceNames{Common: strings.Join([]string{svc, rec.Namespace, rec.Spec.DomainRef, "svc"}, "."), Domain: domain}
}

// Global is the name that answers with every healthy cluster.
func (n ServiceNames) Global() string { return n.Common + "." + n.Domain }

// Region is the name that answers with the healthy clusters of a region.
func (n ServiceNames) Region(region string) string {
	return n.Common + "." + region + "." + n.Domain
}

// Zone is the name that answers with the healthy clusters of a zone.
func (n ServiceNames) Zone(zone, region string) string {
	return n.Common + "." + zone + "." + region + "." + n.Domain
}

// ServiceEndpoints returns the DNS records of a ServiceDNSRecord whose status
// is resolved against domain, as KubeFed v0.6's getServiceDNSEndpoints
// computed them from the same status:
//
//   - the global name answers with the load balancers of every cluster in
//     status.dns;
//   - the name of a cluster's region answers with the load balancers of
//     that region's clusters, or is a CNAME to the global name when none has
//     one;
//   - the name of each of a cluster's zones answers with that zone's load
//     balancers, or is a CNAME to its region name;
//   - dnsPrefix.<domain> is a CNAME to the global name;
//   - with externalName set, every record but the dnsPrefix CNAME carries
//     the label serviceName=<record name>.
//
// A name that is a fallback CNAME for one cluster and has addresses from
// another answers with the addresses, as KubeFed's DedupeAndMergeEndpoints
// kept the A record and discarded the CNAME. Where this differs from KubeFed
// v0.6.1 (docs/dns.md): IPv6 addresses make AAAA records; host names are not
// resolved: a name whose clusters have only host names is a CNAME to the
// first, and a name that also has addresses answers with the addresses
// alone; invalid load balancer entries are left out; a cluster without a
// region has only the global name; and the regions and zones of joined
// clusters that are not in the status (known: not Ready) get fallback names
// too, when the status lists a cluster. Nothing is returned without a
// domain. The result is sorted, so that an unchanged input gives an equal
// output.
func ServiceEndpoints(rec *feddnsv1a1.ServiceDNSRecord, domain string, known []Location) []*feddnsv1a1.Endpoint {
	if domain == "" {
		return nil
	}
	ttl := recordTTL(rec.Spec.RecordTTL)
	names := NewServiceNames(rec, domain)
	var global []corev1.LoadBalancerIngress
	regions := map[string][]corev1.LoadBalancerIngress{}
	type zoneKey struct{ zone, region string }
	zones := map[zoneKey][]corev1.LoadBalancerIngress{}
	addLocation := func(loc Location) {
		if loc.Region == "" {
			return
		}
		if _, ok := regions[loc.Region]; !ok {
			regions[loc.Region] = nil
		}
		for _, z := range loc.Zones {
			if z == "" {
				continue
			}
			if _, ok := zones[zoneKey{z, loc.Region}]; !ok {
				zones[zoneKey{z, loc.Region}] = nil
			}
		}
	}
	if len(rec.Status.DNS) > 0 {
		// Without any listed cluster KubeFed wrote no name but the
		// dnsPrefix CNAME; fallback names would lead nowhere.
		for _, loc := range known {
			addLocation(loc)
		}
	}
	for _, c := range rec.Status.DNS {
		addLocation(Location{Region: c.Region, Zones: c.Zones})
		lbs, _ := dnsrecords.CleanLoadBalancer(c.LoadBalancer.Ingress)
		global = append(global, lbs...)
		if c.Region == "" {
			continue
		}
		regions[c.Region] = append(regions[c.Region], lbs...)
		for _, z := range c.Zones {
			if z == "" {
				continue
			}
			k := zoneKey{z, c.Region}
			zones[k] = append(zones[k], lbs...)
		}
	}
	var out []*feddnsv1a1.Endpoint
	out = append(out, records(names.Global(), global, "", ttl)...)
	for region, lbs := range regions {
		out = append(out, records(names.Region(region), lbs, names.Global(), ttl)...)
	}
	for k, lbs := range zones {
		out = append(out, records(names.Zone(k.zone, k.region), lbs, names.Region(k.region), ttl)...)
	}
	if rec.Spec.ExternalName != "" {
		for _, ep := range out {
			ep.Labels = feddnsv1a1.Labels{"serviceName": rec.Name}
		}
	}
	if rec.Spec.DNSPrefix != "" {
		out = append(out, &feddnsv1a1.Endpoint{DNSName: rec.Spec.DNSPrefix + "." + domain,
			RecordType: feddnsv1a1.RecordTypeCNAME, Targets: feddnsv1a1.Targets{names.Global()}, RecordTTL: ttl})
	}
	if len(out) == 0 {
		return nil
	}
	sortEndpoints(out)
	return out
}

// IngressEndpoints returns, for every host of an IngressDNSRecord, the
// records answering with the load balancers of every cluster in status.dns
// (none for a host when no cluster has one), as KubeFed v0.6's
// getIngressDNSEndpoints did, with the differences ServiceEndpoints lists.
func IngressEndpoints(rec *feddnsv1a1.IngressDNSRecord) []*feddnsv1a1.Endpoint {
	ttl := recordTTL(rec.Spec.RecordTTL)
	var lbs []corev1.LoadBalancerIngress
	for _, c := range rec.Status.DNS {
		valid, _ := dnsrecords.CleanLoadBalancer(c.LoadBalancer.Ingress)
		lbs = append(lbs, valid...)
	}
	var out []*feddnsv1a1.Endpoint
	for _, host := range rec.Spec.Hosts {
		out = append(out, records(host, lbs, "", ttl)...)
	}
	if len(out) == 0 {
		return nil
	}
	sortEndpoints(out)
	return out
}

// HasServiceTargets says whether a cluster of the record's status has a
// load balancer that can be published.
func HasServiceTargets(dns []feddnsv1a1.ClusterDNS) bool {
	for _, c := range dns {
		if valid, _ := dnsrecords.CleanLoadBalancer(c.LoadBalancer.Ingress); len(valid) > 0 {
			return true
		}
	}
	return false
}

// HasIngressTargets says whether a cluster of the record's status has a
// load balancer that can be published.
func HasIngressTargets(dns []feddnsv1a1.ClusterIngressDNS) bool {
	for _, c := range dns {
		if valid, _ := dnsrecords.CleanLoadBalancer(c.LoadBalancer.Ingress); len(valid) > 0 {
			return true
		}
	}
	return false
}

func recordTTL(ttl feddnsv1a1.TTL) feddnsv1a1.TTL {
	if ttl == 0 {
		return feddnsv1a1.DefaultRecordTTL
	}
	return ttl
}

// records returns the records of one name: A and AAAA records for the IP
// addresses; without any address, a CNAME to the first host name (a name can
// hold only one CNAME); without any target, a CNAME to fallback, or nothing.
func records(name string, lbs []corev1.LoadBalancerIngress, fallback string, ttl feddnsv1a1.TTL) []*feddnsv1a1.Endpoint {
	var v4, v6, hosts []string
	for _, lb := range lbs {
		if ip := net.ParseIP(lb.IP); ip != nil {
			if ip.To4() != nil {
				v4 = append(v4, ip.String())
			} else {
				v6 = append(v6, ip.String())
			}
		} else if lb.Hostname != "" {
			hosts = append(hosts, strings.TrimSuffix(lb.Hostname, "."))
		}
	}
	var out []*feddnsv1a1.Endpoint
	add := func(typ string, targets []string) {
		slices.Sort(targets)
		targets = slices.Compact(targets)
		out = append(out, &feddnsv1a1.Endpoint{DNSName: name, RecordType: typ, Targets: targets, RecordTTL: ttl})
	}
	switch {
	case len(v4) > 0 || len(v6) > 0:
		if len(v4) > 0 {
			add(feddnsv1a1.RecordTypeA, v4)
		}
		if len(v6) > 0 {
			add(feddnsv1a1.RecordTypeAAAA, v6)
		}
	case len(hosts) > 0:
		slices.Sort(hosts)
		add(feddnsv1a1.RecordTypeCNAME, hosts[:1])
	case fallback != "":
		add(feddnsv1a1.RecordTypeCNAME, []string{fallback})
	}
	return out
}

func sortEndpoints(eps []*feddnsv1a1.Endpoint) {
	slices.SortFunc(eps, func(a, b *feddnsv1a1.Endpoint) int {
		if c := strings.Compare(a.DNSName, b.DNSName); c != 0 {
			return c
		}
		return strings.Compare(a.RecordType, b.RecordType)
	})
}
