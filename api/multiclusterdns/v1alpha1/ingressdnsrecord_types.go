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

// IngressDNSRecordSpec defines the desired state of IngressDNSRecord.
type IngressDNSRecordSpec struct {
	// Hosts are the host names (from the Ingress rules) to publish.
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:items:MaxLength=253
	// +kubebuilder:validation:items:XValidation:rule="self.matches('^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\\\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",message="each host must be a lower-case DNS name without a trailing dot"
	// +optional
	Hosts []string `json:"hosts,omitempty"`
	// RecordTTL is the TTL in seconds of the DNS records written for the
	// Ingress; 180 (KubeFed's default) when omitted or 0.
	// +kubebuilder:validation:Minimum=0
	// +optional
	RecordTTL TTL `json:"recordTTL,omitempty"`
}

// IngressDNSRecordStatus defines the observed state of IngressDNSRecord.
type IngressDNSRecordStatus struct {
	// DNS lists every Ready cluster, sorted by name, with its Ingress's
	// load balancer (empty where the cluster has no such Ingress), as
	// KubeFed v0.6 did.
	// +optional
	DNS []ClusterIngressDNS `json:"dns,omitempty"`
	// ObservedGeneration is the generation of the spec this status is for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions: Ready and Available, as for ServiceDNSRecord.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ClusterIngressDNS is the load balancer of one cluster's Ingress.
type ClusterIngressDNS struct {
	// Cluster is the KubeFedCluster's name.
	Cluster string `json:"cluster,omitempty"`
	// LoadBalancer is the Ingress's status.loadBalancer in that cluster.
	LoadBalancer corev1.LoadBalancerStatus `json:"loadBalancer,omitempty"`
}

// IngressDNSRecord publishes, for each host, the load balancers of the
// Ingress of the same name and namespace in every member cluster. The
// records are written to the DNSEndpoint ingress-<name>.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=ingressdnsrecords,categories=kubefed
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name=Hosts,type=string,JSONPath=`.spec.hosts`
// +kubebuilder:printcolumn:name=Ready,type=string,JSONPath=`.status.conditions[?(@.type=='Ready')].status`
// +kubebuilder:printcolumn:name=Available,type=string,JSONPath=`.status.conditions[?(@.type=='Available')].status`
// +kubebuilder:printcolumn:name=Reason,type=string,JSONPath=`.status.conditions[?(@.type=='Ready')].reason`,priority=1
// +kubebuilder:printcolumn:name=Age,type=date,JSONPath=`.metadata.creationTimestamp`
type IngressDNSRecord struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   IngressDNSRecordSpec   `json:"spec,omitempty"`
	Status IngressDNSRecordStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// IngressDNSRecordList contains a list of IngressDNSRecord.
type IngressDNSRecordList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []IngressDNSRecord `json:"items"`
}
