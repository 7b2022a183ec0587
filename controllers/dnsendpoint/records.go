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
// is resolved against domain:
//
//   - the global name answers with the load balancers of every cluster in
//     status.dns;
//   - a region name, for every region of a cluster in status.dns or of a
//     joined cluster (known), answers with that region's clusters, or is a
//     CNAME to the global name when it has none;
//   - a zone name answers with that zone's clusters, or is a CNAME to its
//     region name (which may itself fall back to the global name);
//   - dnsPrefix.<domain> is a CNAME to the global name.
//
// Nothing is returned when no cluster has ever been published (there is no
// answer to fall back to). The result is sorted, so that an unchanged input
// gives an equal output.
func ServiceEndpoints(rec *feddnsv1a1.ServiceDNSRecord, domain string, known []Location) []*feddnsv1a1.Endpoint {
	if domain == "" || len(rec.Status.DNS) == 0 {
		return nil
	}
	ttl := rec.Spec.RecordTTL
	if ttl == 0 {
		ttl = feddnsv1a1.DefaultRecordTTL
	}
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
	for _, loc := range known {
		addLocation(loc)
	}
	for _, c := range rec.Status.DNS {
		addLocation(Location{Region: c.Region, Zones: c.Zones})
		global = append(global, c.LoadBalancer.Ingress...)
		if c.Region == "" {
			continue
		}
		regions[c.Region] = append(regions[c.Region], c.LoadBalancer.Ingress...)
		for _, z := range c.Zones {
			k := zoneKey{z, c.Region}
			zones[k] = append(zones[k], c.LoadBalancer.Ingress...)
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
	if rec.Spec.DNSPrefix != "" {
		out = append(out, &feddnsv1a1.Endpoint{DNSName: rec.Spec.DNSPrefix + "." + domain,
			RecordType: feddnsv1a1.RecordTypeCNAME, Targets: feddnsv1a1.Targets{names.Global()}, RecordTTL: ttl})
	}
	sortEndpoints(out)
	return out
}

// IngressEndpoints returns, for every host of an IngressDNSRecord, the
// records answering with the load balancers of every cluster in status.dns.
func IngressEndpoints(rec *feddnsv1a1.IngressDNSRecord) []*feddnsv1a1.Endpoint {
	ttl := rec.Spec.RecordTTL
	if ttl == 0 {
		ttl = feddnsv1a1.DefaultRecordTTL
	}
	var lbs []corev1.LoadBalancerIngress
	for _, c := range rec.Status.DNS {
		lbs = append(lbs, c.LoadBalancer.Ingress...)
	}
	var out []*feddnsv1a1.Endpoint
	for _, host := range rec.Spec.Hosts {
		out = append(out, records(host, lbs, "", ttl)...)
	}
	sortEndpoints(out)
	return out
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
