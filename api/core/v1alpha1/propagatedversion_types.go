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
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Prefixes of a ClusterObjectVersion's version string.
const (
	// GenerationVersionPrefix prefixes metadata.generation for member
	// objects that have one ("gen:3").
	GenerationVersionPrefix = "gen:"
	// ResourceVersionPrefix prefixes metadata.resourceVersion for member
	// objects without a generation ("rv:12345").
	ResourceVersionPrefix = "rv:"
)

// PropagatedVersionStatus records what was last propagated for one federated
// object.
type PropagatedVersionStatus struct {
	// TemplateVersion is the lowercase hex MD5 of the JSON encoding of the
	// federated object's spec.template when it was last propagated.
	TemplateVersion string `json:"templateVersion"`
	// OverrideVersion is the lowercase hex MD5 of the JSON encoding of
	// {"overrides": spec.overrides} when the object was last propagated.
	OverrideVersion string `json:"overridesVersion"`
	// ClusterVersions are the versions of the member objects last written,
	// one per member cluster.
	// +optional
	// +listType=map
	// +listMapKey=clusterName
	ClusterVersions []ClusterObjectVersion `json:"clusterVersions,omitempty"`
}

// ClusterObjectVersion is the version of a member object as last written.
type ClusterObjectVersion struct {
	// ClusterName is the member cluster's name.
	ClusterName string `json:"clusterName"`
	// Version is "gen:<metadata.generation>" or, for objects without a
	// generation, "rv:<metadata.resourceVersion>", as returned by the write.
	Version string `json:"version"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:path=propagatedversions,categories=kubefed

// PropagatedVersion records what the sync controller last propagated for a
// namespaced federated object. Its name is "<lowercased target kind>-<federated
// object name>" in the federated object's namespace (see
// PropagatedVersionName).
//
// Unlike KubeFed's, the CRD has no status subresource: the record is
// written with its status in one request (a create, later an update)
// instead of a create followed by a status update, which saves the host one
// write per new federated object. Readers see the same object; the sync
// controller still writes through the status subresource of a CRD that
// has one (installed by KubeFed or an older chart).
type PropagatedVersion struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Status is the record.
	// +optional
	Status PropagatedVersionStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// PropagatedVersionList is a list of PropagatedVersions.
type PropagatedVersionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the PropagatedVersions.
	Items []PropagatedVersion `json:"items"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:path=clusterpropagatedversions,scope=Cluster,categories=kubefed

// ClusterPropagatedVersion is the PropagatedVersion of a cluster-scoped
// federated object. Its name is "<lowercased target kind>-<federated object
// name>". Like PropagatedVersion, it has no status subresource.
type ClusterPropagatedVersion struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Status is the record.
	// +optional
	Status PropagatedVersionStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ClusterPropagatedVersionList is a list of ClusterPropagatedVersions.
type ClusterPropagatedVersionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the ClusterPropagatedVersions.
	Items []ClusterPropagatedVersion `json:"items"`
}

// PropagatedVersionName returns the name of the (Cluster)PropagatedVersion
// of a federated object: the target kind lower-cased, a dash, and the
// federated object's name ("deployment-web" for FederatedDeployment web).
func PropagatedVersionName(targetKind, federatedName string) string {
	return strings.ToLower(targetKind) + "-" + federatedName
}
