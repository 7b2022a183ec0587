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
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ServiceDNSRecordSpec defines the desired state of ServiceDNSRecord.
type ServiceDNSRecordSpec struct {
	// DomainRef is the name of the Domain (in the control-plane namespace) under
	// which the Service's names are published.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",message="domainRef must be a DNS label (the Domain's name is part of every published name)"
	DomainRef string `json:"domainRef"`
	// RecordTTL is the TTL in seconds of the DNS records written for this
	// Service; 180 (KubeFed's default) when omitted or 0.
	// +kubebuilder:validation:Minimum=0
	// +optional
	RecordTTL TTL `json:"recordTTL,omitempty"`
	// DNSPrefix, when set, adds the name <DNSPrefix>.<domain> as a CNAME to
	// the Service's global name.
	// +kubebuilder:validation:MaxLength=200
	// +kubebuilder:validation:XValidation:rule="self.matches('^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\\\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",message="dnsPrefix must be lower-case DNS labels separated by dots"
	// +optional
	DNSPrefix string `json:"dnsPrefix,omitempty"`
	// ExternalName, when set, replaces the Service name part of every
	// published name.
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",message="externalName must be a DNS label"
	// +optional
	ExternalName string `json:"externalName,omitempty"`
	// AllowServiceWithoutEndpoints publishes a cluster's load balancer even
	// when its Service has no ready endpoint.
	// +optional
	AllowServiceWithoutEndpoints bool `json:"allowServiceWithoutEndpoints,omitempty"`
}

// ServiceDNSRecordStatus defines the observed state of ServiceDNSRecord.
type ServiceDNSRecordStatus struct {
	// Domain is the DNS zone of the referenced Domain.
	// +optional
	Domain string `json:"domain,omitempty"`
	// DNS lists every Ready cluster, sorted by name, with its region and
	// zones, as KubeFed v0.6 did. A cluster's load balancer is its
	// Service's, given only when the Service has a ready endpoint (or
	// allowServiceWithoutEndpoints is set); empty otherwise.
	// +optional
	DNS []ClusterDNS `json:"dns,omitempty"`
	// ObservedGeneration is the generation of the spec this status is for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions: Ready (the record resolved its Domain and published at
	// least one cluster) and Available (some cluster is healthy now).
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ClusterDNS is the load balancer of one cluster's Service.
type ClusterDNS struct {
	// Cluster is the KubeFedCluster's name.
	Cluster string `json:"cluster,omitempty"`
	// LoadBalancer is the Service's status.loadBalancer in that cluster.
	LoadBalancer corev1.LoadBalancerStatus `json:"loadBalancer,omitempty"`
	// Zones are the cluster's availability zones (its KubeFedCluster status).
	// +optional
	Zones []string `json:"zones,omitempty"`
	// Region is the cluster's region (its KubeFedCluster status).
	// +optional
	Region string `json:"region,omitempty"`
}

// ServiceDNSRecord publishes the load balancers of the Service of the same
// name and namespace in every member cluster under one set of DNS names:
//
//	global: <service>.<namespace>.<domainRef>.svc.<domain>
//	region: <service>.<namespace>.<domainRef>.svc.<region>.<domain>
//	zone:   <service>.<namespace>.<domainRef>.svc.<zone>.<region>.<domain>
//
// and, with dnsPrefix, <dnsPrefix>.<domain> as a CNAME to the global name.
// The records are written to the DNSEndpoint service-<name>.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=servicednsrecords,categories=kubefed
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name=Domain,type=string,JSONPath=`.status.domain`
// +kubebuilder:printcolumn:name=Ready,type=string,JSONPath=`.status.conditions[?(@.type=='Ready')].status`
// +kubebuilder:printcolumn:name=Available,type=string,JSONPath=`.status.conditions[?(@.type=='Available')].status`
// +kubebuilder:printcolumn:name=Reason,type=string,JSONPath=`.status.conditions[?(@.type=='Ready')].reason`,priority=1
// +kubebuilder:printcolumn:name=Age,type=date,JSONPath=`.metadata.creationTimestamp`
type ServiceDNSRecord struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ServiceDNSRecordSpec   `json:"spec,omitempty"`
	Status ServiceDNSRecordStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ServiceDNSRecordList contains a list of ServiceDNSRecord.
type ServiceDNSRecordList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ServiceDNSRecord `json:"items"`
}
