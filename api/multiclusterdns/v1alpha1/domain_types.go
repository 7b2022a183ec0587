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

// Domain names the DNS zone under which the records of a federation are
// published. It lives in the control-plane namespace; ServiceDNSRecords of
// any namespace refer to it by name (spec.domainRef).
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=domains,categories=kubefed
// +kubebuilder:printcolumn:name=Domain,type=string,JSONPath=`.domain`
// +kubebuilder:printcolumn:name=Name-Server,type=string,JSONPath=`.nameServer`
// +kubebuilder:printcolumn:name=Age,type=date,JSONPath=`.metadata.creationTimestamp`
type Domain struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Domain is the DNS zone associated with the federation, e.g.
	// example.com.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\\\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",message="domain must be a lower-case DNS name without a trailing dot, e.g. example.com"
	Domain string `json:"domain"`
	// NameServer is the authoritative DNS name server for the federation
	// domain; informational.
	// +optional
	NameServer string `json:"nameServer,omitempty"`
}

// +kubebuilder:object:root=true

// DomainList contains a list of Domain.
type DomainList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Domain `json:"items"`
}
