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

package v1alpha1

// DefaultRecordTTL is the TTL, in seconds, of records whose spec sets none
// (or sets 0): KubeFed v0.6's defaultDNSTTL, for Services and Ingresses
// alike.
const DefaultRecordTTL TTL = 180

// Condition types of ServiceDNSRecord and IngressDNSRecord.
const (
	// ConditionReady is True when the record's names are published with at
	// least one cluster's load balancer.
	ConditionReady = "Ready"
	// ConditionAvailable is True when at least one cluster is healthy now;
	// False when none is and the last targets are kept.
	ConditionAvailable = "Available"
)

// Condition reasons.
const (
	// ReasonPublished: the names are published.
	ReasonPublished = "Published"
	// ReasonDomainNotFound: spec.domainRef names no Domain in the namespace.
	ReasonDomainNotFound = "DomainNotFound"
	// ReasonServiceNotFound: no Ready cluster has the Service (or it is not
	// managed by the federation).
	ReasonServiceNotFound = "ServiceNotFound"
	// ReasonIngressNotFound: no Ready cluster has the Ingress.
	ReasonIngressNotFound = "IngressNotFound"
	// ReasonNoLoadBalancer: the Service or Ingress exists but has no load
	// balancer address in any Ready cluster.
	ReasonNoLoadBalancer = "NoLoadBalancer"
	// ReasonNoReadyEndpoints: every cluster's Service with an address has
	// no ready endpoint.
	ReasonNoReadyEndpoints = "NoReadyEndpoints"
	// ReasonHealthy: at least one cluster is published with fresh data.
	ReasonHealthy = "Healthy"
	// ReasonNoHealthyCluster: no cluster is healthy; the last published
	// targets are kept.
	ReasonNoHealthyCluster = "NoHealthyCluster"
	// ReasonInvalidHostname: a load balancer hostname is not a valid DNS
	// name; it is left out.
	ReasonInvalidHostname = "InvalidHostname"
)
