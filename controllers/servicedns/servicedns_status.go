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
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/internal/dnsrecords"
)

// scope is what one reconcile read.
type scope struct {
	// record is the ServiceDNSRecord; always set.
	record *feddnsv1a1.ServiceDNSRecord
	// domain is the referenced Domain; nil when it does not exist.
	domain *feddnsv1a1.Domain
	// domainNamespace is where Domains are: the control-plane namespace.
	domainNamespace string
	// clusters holds one entry per joined cluster, sorted by name.
	clusters []clusterService
}

// clusterService is one cluster's view of the record's Service.
type clusterService struct {
	cluster dnsrecords.Cluster
	// read is true when the cluster was Ready, connected and answered.
	read bool
	// service is the member Service; nil when absent or not read.
	service *corev1.Service
	// readyEndpoints is true when an EndpointSlice of the Service has a
	// ready endpoint: for a Service without a selector, also a slice that
	// the EndpointSlice mirroring controller made from hand-written
	// Endpoints.
	readyEndpoints bool
	// problem says why the cluster has no load balancer in the status;
	// empty otherwise.
	problem string
}

// computeStatus derives the record's status from the scope, as KubeFed
// v0.6's ServiceDNS controller did: status.dns lists every Ready cluster
// (sorted by name) with its region and zones, and gives a cluster's load
// balancer only when its Service has a ready endpoint or the record sets
// allowServiceWithoutEndpoints. The conditions are kubefed's own.
func computeStatus(s *scope) feddnsv1a1.ServiceDNSRecordStatus {
	rec := s.record
	st := feddnsv1a1.ServiceDNSRecordStatus{ObservedGeneration: rec.Generation,
		Conditions: slices.Clone(rec.Status.Conditions)}
	var t dnsrecords.Tally
	// backed counts the Services with an address whose endpoints are
	// ready (or need not be).
	var backed int
	for _, c := range s.clusters {
		if !t.Cluster(c.cluster, c.problem) {
			continue
		}
		entry := feddnsv1a1.ClusterDNS{Cluster: c.cluster.Name, Region: c.cluster.Region, Zones: c.cluster.Zones}
		if c.service != nil {
			lbs := c.service.Status.LoadBalancer.Ingress
			valid := t.LoadBalancer(c.cluster, "Service "+rec.Namespace+"/"+rec.Name, lbs)
			switch {
			case !c.readyEndpoints && !rec.Spec.AllowServiceWithoutEndpoints:
				if len(lbs) > 0 {
					t.Problem(fmt.Sprintf("cluster %s: Service %s/%s has no ready endpoint", c.cluster.Name, rec.Namespace, rec.Name))
				}
			case len(lbs) > 0:
				backed++
				entry.LoadBalancer.Ingress = dnsrecords.SortLoadBalancer(lbs)
				if len(valid) > 0 {
					t.Published++
				}
			}
		}
		st.DNS = append(st.DNS, entry)
	}
	gen := rec.Generation
	t.SetAvailable(&st.Conditions, gen)

	if s.domain == nil {
		st.Domain = ""
		dnsrecords.SetCondition(&st.Conditions, gen, feddnsv1a1.ConditionReady, false, feddnsv1a1.ReasonDomainNotFound,
			fmt.Sprintf("Domain %s/%s does not exist: create it in the control-plane namespace or correct spec.domainRef; no DNS name is published", s.domainNamespace, rec.Spec.DomainRef))
		return st
	}
	st.Domain = s.domain.Domain
	if t.Published > 0 {
		dnsrecords.SetCondition(&st.Conditions, gen, feddnsv1a1.ConditionReady, true, feddnsv1a1.ReasonPublished,
			fmt.Sprintf("Published as %s", publishedName(rec, st.Domain)))
		return st
	}
	reason, what := feddnsv1a1.ReasonServiceNotFound, "no Ready cluster has the federated Service: create a FederatedService of the same name and namespace placed in at least one cluster"
	switch {
	case t.Found > 0 && t.WithAddress == 0:
		reason, what = feddnsv1a1.ReasonNoLoadBalancer, "no cluster's Service has a load balancer address: is it of type LoadBalancer, with a load balancer controller in the clusters?"
	case t.WithAddress > 0 && backed == 0:
		reason, what = feddnsv1a1.ReasonNoReadyEndpoints, "no cluster's Service has a ready endpoint (set spec.allowServiceWithoutEndpoints to publish anyway)"
	case backed > 0 && t.Invalid > 0:
		reason, what = feddnsv1a1.ReasonInvalidHostname, "no cluster's Service has a valid load balancer address"
	}
	t.SetNotReady(&st.Conditions, gen, reason, what)
	return st
}

func publishedName(rec *feddnsv1a1.ServiceDNSRecord, domain string) string {
	svc := rec.Name
	if rec.Spec.ExternalName != "" {
		svc = rec.Spec.ExternalName
	}
	return strings.Join([]string{svc, rec.Namespace, rec.Spec.DomainRef, "svc", domain}, ".")
}
