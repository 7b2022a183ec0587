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

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Targets is a representation of a list of targets for an endpoint.
type Targets []string

// TTL is the time to live of a DNS record, in seconds.
type TTL int64

// Labels store metadata related to the endpoint.
type Labels map[string]string

// Record types written by the multi-cluster DNS controllers.
const (
	// RecordTypeA is an address record: the targets are IPv4 addresses.
	RecordTypeA = "A"
	// RecordTypeAAAA is an IPv6 address record.
	RecordTypeAAAA = "AAAA"
	// RecordTypeCNAME is an alias record: the one target is a host name.
	RecordTypeCNAME = "CNAME"
)

// Endpoint is one DNS record: a name, its type and its targets.
type Endpoint struct {
	// DNSName is the fully qualified name of the DNS record.
	DNSName string `json:"dnsName,omitempty"`
	// Targets are the addresses (A, AAAA) or the host name (CNAME) the
	// record points to.
	Targets Targets `json:"targets,omitempty"`
	// RecordType is the type of record, e.g. A or CNAME.
	RecordType string `json:"recordType,omitempty"`
	// RecordTTL is the TTL of the record in seconds.
	RecordTTL TTL `json:"recordTTL,omitempty"`
	// Labels stores labels defined for the Endpoint.
	// +optional
	Labels Labels `json:"labels,omitempty"`
}

// DNSEndpointSpec defines the desired state of DNSEndpoint.
type DNSEndpointSpec struct {
	// Endpoints are the DNS records to publish.
	Endpoints []*Endpoint `json:"endpoints,omitempty"`
}

// DNSEndpointStatus defines the observed state of DNSEndpoint.
type DNSEndpointStatus struct {
	// ObservedGeneration is the generation as observed by the controller
	// consuming the DNSEndpoint (external-dns).
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
}

// DNSEndpoint holds the DNS records derived from one ServiceDNSRecord
// (named service-<name>) or IngressDNSRecord (ingress-<name>), owned by it.
// external-dns's CRD source reads it and programs a DNS provider.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=dnsendpoints,categories=kubefed
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name=Observed,type=integer,JSONPath=`.status.observedGeneration`
// +kubebuilder:printcolumn:name=Age,type=date,JSONPath=`.metadata.creationTimestamp`
type DNSEndpoint struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DNSEndpointSpec   `json:"spec,omitempty"`
	Status DNSEndpointStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// DNSEndpointList contains a list of DNSEndpoint.
type DNSEndpointList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DNSEndpoint `json:"items"`
}
