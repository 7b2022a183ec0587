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

package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TLSValidation names a TLS check that can be disabled for a member cluster.
// +kubebuilder:validation:Enum="*";SubjectName;ValidityPeriod
type TLSValidation string

const (
	// TLSAll disables every TLS check. It must be the only entry.
	TLSAll TLSValidation = "*"
	// TLSSubjectName disables the check of the server name against the
	// certificate.
	TLSSubjectName TLSValidation = "SubjectName"
	// TLSValidityPeriod disables the check of the certificate's validity
	// period.
	TLSValidityPeriod TLSValidation = "ValidityPeriod"
)

// KubeFedClusterSpec says how to reach a member cluster.
// +kubebuilder:validation:XValidation:rule="!has(self.disabledTLSValidations) || !('*' in self.disabledTLSValidations) || size(self.disabledTLSValidations) == 1",message="disabledTLSValidations: when * is specified, it is expected to be the only option in list"
type KubeFedClusterSpec struct {
	// APIEndpoint is the API server of the member cluster: an https URL
	// (https://host[:port]) or, as in KubeFed, a bare host, host:port, IP or
	// IP:port, which is reached over https. Plain http is refused because
	// the cluster's bearer token would travel unencrypted.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="!self.lowerAscii().startsWith('http://')",messageExpression="'apiEndpoint ' + self + ' uses plain http: use https so that the cluster token is not sent in clear text'"
	// +kubebuilder:validation:XValidation:rule="self.lowerAscii().startsWith('http://') || (self.lowerAscii().startsWith('https://') ? isURL(self) : (!self.contains('://') && isURL('https://' + self)))",messageExpression="'apiEndpoint ' + self + ' is not a valid https URL: use https://host[:port]'"
	APIEndpoint string `json:"apiEndpoint"`

	// CABundle is the PEM-encoded certificate authority bundle of the member
	// API server. When empty, the ca.crt key of the Secret is used, and then
	// the host's trust store.
	// +optional
	CABundle []byte `json:"caBundle,omitempty"`

	// SecretRef names the Secret, in the KubeFedCluster's namespace, whose
	// "token" key holds the bearer token used to access the member cluster.
	SecretRef LocalSecretReference `json:"secretRef"`

	// DisabledTLSValidations lists TLS checks to skip when connecting to the
	// member cluster: any of "*", "SubjectName" or "ValidityPeriod". "*" must
	// be the only entry.
	// +optional
	// +kubebuilder:validation:MaxItems=3
	DisabledTLSValidations []TLSValidation `json:"disabledTLSValidations,omitempty"`

	// ProxyURL is the URL of an HTTP(S) or SOCKS5 proxy to reach the member
	// cluster through.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="self == '' || isURL(self)",messageExpression="'proxyURL ' + self + ' is not a valid URL'"
	ProxyURL string `json:"proxyURL,omitempty"`
}

// LocalSecretReference is a reference to a Secret in the namespace of the
// referring object.
type LocalSecretReference struct {
	// Name of the Secret.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self != ''",message="secretRef.name is required: name the Secret whose \"token\" key holds the member cluster's bearer token"
	Name string `json:"name"`
}

// ClusterConditionType is the type of a KubeFedCluster condition.
// +kubebuilder:validation:Enum=Ready;Offline;ConfigMalformed
type ClusterConditionType string

const (
	// ClusterReady means the member cluster's /healthz answered ok: it
	// accepts workloads.
	ClusterReady ClusterConditionType = "Ready"
	// ClusterOffline means the member cluster is temporarily down or not
	// reachable.
	ClusterOffline ClusterConditionType = "Offline"
	// ClusterConfigMalformed means no client could be built for the member
	// cluster from its KubeFedCluster and Secret (bad endpoint, missing token
	// or CA).
	ClusterConfigMalformed ClusterConditionType = "ConfigMalformed"
)

// Reasons and messages of KubeFedCluster conditions, verbatim from KubeFed.
const (
	// ClusterReadyReason is the reason of Ready=True.
	ClusterReadyReason = "ClusterReady"
	// ClusterHealthzOKMessage is the message of Ready=True.
	ClusterHealthzOKMessage = "/healthz responded with ok"
	// ClusterNotReadyReason is the reason of Ready=False when /healthz
	// answered but not with ok.
	ClusterNotReadyReason = "ClusterNotReady"
	// ClusterHealthzNotOKMessage is the message of Ready=False for
	// ClusterNotReadyReason.
	ClusterHealthzNotOKMessage = "/healthz responded without ok"
	// ClusterNotReachableReason is the reason of Offline=True (and of
	// Ready=Unknown) when the API server could not be reached.
	ClusterNotReachableReason = "ClusterNotReachable"
	// ClusterNotReachableMessage is the message for ClusterNotReachableReason.
	ClusterNotReachableMessage = "cluster is not reachable"
	// ClusterReachableReason is the reason of Offline=False.
	ClusterReachableReason = "ClusterReachable"
	// ClusterReachableMessage is the message for ClusterReachableReason.
	ClusterReachableMessage = "cluster is reachable"
	// ClusterConfigMalformedReason is the reason of ConfigMalformed=True.
	ClusterConfigMalformedReason = "ClusterConfigMalformed"
	// ClusterConfigMalformedMessage is the message for
	// ClusterConfigMalformedReason.
	ClusterConfigMalformedMessage = "cluster's configuration may be malformed"
)

// ClusterCondition describes one aspect of a member cluster's state. Unlike
// metav1.Condition it keeps KubeFed's shape: lastProbeTime is required and
// reason and message are pointers.
type ClusterCondition struct {
	// Type of the condition: Ready, Offline or ConfigMalformed.
	Type ClusterConditionType `json:"type"`
	// Status of the condition: True, False or Unknown.
	// +kubebuilder:validation:Enum="True";"False";Unknown
	Status corev1.ConditionStatus `json:"status"`
	// LastProbeTime is when the condition was last checked.
	LastProbeTime metav1.Time `json:"lastProbeTime"`
	// LastTransitionTime is when the condition last changed status.
	// +optional
	LastTransitionTime *metav1.Time `json:"lastTransitionTime,omitempty"`
	// Reason is a brief CamelCase reason for the last transition.
	// +optional
	Reason *string `json:"reason,omitempty"`
	// Message is a human-readable description of the last transition.
	// +optional
	Message *string `json:"message,omitempty"`
}

// KubeFedClusterStatus is the observed state of a member cluster, written by
// the cluster controller.
type KubeFedClusterStatus struct {
	// Conditions are the current conditions of the cluster (Ready, Offline,
	// ConfigMalformed).
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []ClusterCondition `json:"conditions"`
	// Zones are the availability zones the cluster's nodes are in, e.g.
	// 'us-east1-a'.
	// +optional
	Zones []string `json:"zones,omitempty"`
	// Region is the region all of the cluster's nodes are in, e.g.
	// 'us-east1'.
	// +optional
	Region *string `json:"region,omitempty"`
	// KubernetesVersion is the git version the member API server reports,
	// e.g. 'v1.36.3'.
	// +optional
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:path=kubefedclusters,shortName=kfc,categories=kubefed
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name=Age,type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name=Ready,type=string,JSONPath=`.status.conditions[?(@.type=='Ready')].status`
// +kubebuilder:printcolumn:name=Endpoint,type=string,JSONPath=`.spec.apiEndpoint`,priority=1
// +kubebuilder:printcolumn:name=Version,type=string,JSONPath=`.status.kubernetesVersion`,priority=1

// KubeFedCluster registers a member cluster with the control plane and holds
// what is needed to talk to it. It lives in the control-plane namespace,
// next to the Secret it references.
type KubeFedCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec says how to reach the member cluster.
	Spec KubeFedClusterSpec `json:"spec"`
	// Status is the observed health of the member cluster.
	// +optional
	Status KubeFedClusterStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// KubeFedClusterList is a list of KubeFedClusters.
type KubeFedClusterList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the KubeFedClusters.
	Items []KubeFedCluster `json:"items"`
}
