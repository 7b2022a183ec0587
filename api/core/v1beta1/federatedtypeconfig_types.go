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
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// NamespaceFederatedTypeConfigName is the name of the FederatedTypeConfig of
// Namespaces, the one type whose federated form (FederatedNamespace) is
// namespaced while its target is cluster-scoped.
const NamespaceFederatedTypeConfigName = "namespaces"

// FederatedTypeConfigSpec configures one federated type.
type FederatedTypeConfigSpec struct {
	// TargetType is the type created in member clusters, e.g. apps/v1
	// Deployment.
	TargetType APIResource `json:"targetType"`
	// Propagation says whether objects of the federated type are propagated
	// to member clusters.
	Propagation PropagationMode `json:"propagation"`
	// FederatedType is the type that holds template, placement and overrides
	// for the target type, e.g. types.kubefed.io/v1beta1 FederatedDeployment.
	// +kubebuilder:validation:XValidation:rule="has(self.group) && self.group.contains('.')",message="federatedType.group is required and must be a domain with at least one dot, e.g. types.kubefed.io"
	FederatedType APIResource `json:"federatedType"`
	// StatusType is KubeFed's type for status kept in a separate object
	// (FederatedServiceStatus). kubefed does not keep such objects: it
	// collects member status into the federated object's own status
	// (status.clusters[].remoteStatus, with statusCollection Enabled), so
	// the field is refused at admission rather than silently ignored. It
	// stays in the API so that KubeFed's objects decode.
	// +optional
	// +kubebuilder:validation:XValidation:rule="false",message="spec.statusType is not supported: kubefed collects member status into the federated object's status.clusters[].remoteStatus (set spec.statusCollection: Enabled); remove spec.statusType"
	StatusType *APIResource `json:"statusType,omitempty"`
	// StatusCollection says whether the status of member objects is
	// collected into the federated object.
	// +optional
	StatusCollection *StatusCollectionMode `json:"statusCollection,omitempty"`
	// Health says, with CEL expressions, when a member copy of the target
	// type is ready and when it has failed. Without it, the copy's
	// readiness follows kstatus's generic rules (status.observedGeneration
	// and the Ready, Reconciling and Stalled conditions); set it for a
	// custom resource whose status does not follow those conventions.
	// Each expression sees the member copy as self: the whole object as it
	// is in the member cluster (apiVersion, kind, metadata, spec, status),
	// and must return a bool. The functions are those of
	// CustomResourceDefinition validation rules. A field the copy does not
	// have makes the expression false: a copy whose controller has not
	// written status yet is not ready (has(self.status.x) says so
	// explicitly). failedWhen is evaluated first: a failed copy is failed
	// whatever readyWhen says. An expression that cannot be evaluated (a
	// value of an unexpected type, or more than a CRD validation rule's
	// cost limit) is reported on the federated object, naming the cluster.
	// An addition to KubeFed.
	// +optional
	Health *HealthRules `json:"health,omitempty"`
}

// HealthRules are CEL expressions evaluated on each member copy of the
// target type, bound as self; see FederatedTypeConfigSpec.Health.
// +kubebuilder:validation:XValidation:rule="has(self.readyWhen) || has(self.failedWhen)",message="health needs readyWhen, failedWhen or both: remove health to use the generic readiness rules"
type HealthRules struct {
	// ReadyWhen is true when the member copy is ready, e.g.
	// self.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')
	// && self.status.observedGeneration == self.metadata.generation.
	// A copy for which it is false is not ready yet (kstatus InProgress).
	// Without it, a copy that has not failed is ready by kstatus's generic
	// rules.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	ReadyWhen string `json:"readyWhen,omitempty"`
	// FailedWhen is true when the member copy has failed and will not
	// become ready without a change, e.g.
	// self.status.conditions.exists(c, c.type == 'Failed' && c.status == 'True').
	// A failed copy makes the federated object Stalled, naming the cluster.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	FailedWhen string `json:"failedWhen,omitempty"`
}

// APIResource identifies an API type, the way a dynamic client needs it.
type APIResource struct {
	// Group of the resource; empty for the core group.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self == '' || self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",messageExpression="'group ' + self + ' is not a valid API group: use lowercase DNS-1123 subdomain syntax, e.g. apps or networking.k8s.io'"
	Group string `json:"group,omitempty"`
	// Version of the resource, e.g. v1.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",messageExpression="'version ' + self + ' is not a valid API version: use a lowercase name such as v1 or v1beta1'"
	Version string `json:"version"`
	// Kind of the resource, camel-cased and singular, e.g. ConfigMap.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Kind string `json:"kind"`
	// PluralName is the lower-cased plural resource name, e.g. configmaps.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",messageExpression="'pluralName ' + self + ' is not a valid resource name: use the lowercase plural, e.g. configmaps'"
	PluralName string `json:"pluralName"`
	// Scope of the resource: Namespaced or Cluster.
	// +kubebuilder:validation:Enum=Cluster;Namespaced
	Scope apiextensionsv1.ResourceScope `json:"scope"`
}

// PropagationMode says whether propagation to member clusters is enabled.
// +kubebuilder:validation:Enum=Enabled;Disabled
type PropagationMode string

const (
	// PropagationEnabled propagates federated objects to member clusters.
	PropagationEnabled PropagationMode = "Enabled"
	// PropagationDisabled stops propagation; member objects are left as
	// they are.
	PropagationDisabled PropagationMode = "Disabled"
)

// StatusCollectionMode says whether member status is collected.
// +kubebuilder:validation:Enum=Enabled;Disabled
type StatusCollectionMode string

const (
	// StatusCollectionEnabled collects member status.
	StatusCollectionEnabled StatusCollectionMode = "Enabled"
	// StatusCollectionDisabled does not collect member status.
	StatusCollectionDisabled StatusCollectionMode = "Disabled"
)

// ControllerStatus says whether a controller for the type runs.
// +kubebuilder:validation:Enum=Running;NotRunning
type ControllerStatus string

const (
	// ControllerStatusRunning means the controller is running.
	ControllerStatusRunning ControllerStatus = "Running"
	// ControllerStatusNotRunning means the controller is not running.
	ControllerStatusNotRunning ControllerStatus = "NotRunning"
)

// FederatedTypeConfigStatus is the observed state of a FederatedTypeConfig.
type FederatedTypeConfigStatus struct {
	// ObservedGeneration is the generation the controllers last acted on.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration"`
	// PropagationController says whether the type's sync controller runs.
	// +optional
	PropagationController ControllerStatus `json:"propagationController"`
	// StatusController says whether the type's status controller runs.
	// +optional
	StatusController *ControllerStatus `json:"statusController,omitempty"`
	// Conditions say why the controllers run or not (a Ready condition
	// whose reason is, for example, FederatedTypeCRDNotFound). An addition
	// to KubeFed.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// FederatedTypeConfigReady is the condition type that says whether the
// type's sync controller runs, with one of the reasons below.
const FederatedTypeConfigReady = "Ready"

// FederatedTypeConfigStatusSchemaComplete is the condition type that says
// whether the federated type's CRD keeps every status field kubefed writes.
// It is set (False, reason StatusFieldsPruned) only when a status write
// showed that the CRD drops fields: a Federated<Kind> CRD made by KubeFed's
// tooling has no aggregatedStatus and no message fields. An addition to
// KubeFed.
const FederatedTypeConfigStatusSchemaComplete = "StatusSchemaComplete"

// ReasonStatusFieldsPruned is the reason of a False
// FederatedTypeConfigStatusSchemaComplete condition.
const ReasonStatusFieldsPruned = "StatusFieldsPruned"

// FederatedTypeConfigMemberWatchesReady is the condition type that says
// whether the type's sync controller watches its copies in every connected
// member. It is set (False, reason MemberWatchFailed) only while the watch
// could not be registered in some member, typically because the target
// type's CRD is installed in the host but not in that member: no copy can
// be written there meanwhile. The message names each such cluster and what
// to do; kubefed tries the watch again by itself (with a delay that grows
// to a minute), writes the copies once it runs, and removes the condition.
// An addition to KubeFed.
const FederatedTypeConfigMemberWatchesReady = "MemberWatchesReady"

// ReasonMemberWatchFailed is the reason of a False
// FederatedTypeConfigMemberWatchesReady condition.
const ReasonMemberWatchFailed = "MemberWatchFailed"

// Reasons of the FederatedTypeConfigReady condition.
const (
	// ReasonControllerRunning means the sync controller runs.
	ReasonControllerRunning = "ControllerRunning"
	// ReasonPushReconcilerDisabled means the PushReconciler feature gate
	// of the KubeFedConfig is Disabled: as in KubeFed, no sync controller
	// runs.
	ReasonPushReconcilerDisabled = "PushReconcilerDisabled"
	// ReasonPropagationDisabled means spec.propagation is Disabled.
	ReasonPropagationDisabled = "PropagationDisabled"
	// ReasonFederatedTypeCRDNotFound means the federated type is not served
	// by the host API server: its CRD is missing. The controller starts by
	// itself once it appears.
	ReasonFederatedTypeCRDNotFound = "FederatedTypeCRDNotFound"
	// ReasonNamespacesTypeMissing means a namespaced type waits for the
	// "namespaces" FederatedTypeConfig, which namespaced types need.
	ReasonNamespacesTypeMissing = "NamespacesTypeMissing"
	// ReasonClusterScopedTypeNotSupported means a cluster-scoped type is
	// not started because the control plane is Namespaced.
	ReasonClusterScopedTypeNotSupported = "ClusterScopedTypeNotSupported"
	// ReasonControllerStartFailed means the controller could not start, or
	// stopped with an error; it is started again with a growing delay.
	ReasonControllerStartFailed = "ControllerStartFailed"
	// ReasonControllerStarting means the controller was started and waits
	// for the host cache of its type to sync; it becomes ControllerRunning
	// when it has.
	ReasonControllerStarting = "ControllerStarting"
	// ReasonFederatedTypeAccessDenied means the controller's identity may
	// not list or watch the federated type (or FederatedNamespaces) in the
	// host: grant it, and the controller starts by itself.
	ReasonFederatedTypeAccessDenied = "FederatedTypeAccessDenied"
	// ReasonCacheSyncFailed means the host cache of the type did not sync
	// in time; the controller is started again with a growing delay.
	ReasonCacheSyncFailed = "CacheSyncFailed"
)

// +kubebuilder:object:root=true
// +kubebuilder:resource:path=federatedtypeconfigs,shortName=ftc,categories=kubefed
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name=Federated-Kind,type=string,JSONPath=`.spec.federatedType.kind`
// +kubebuilder:printcolumn:name=Propagation,type=string,JSONPath=`.spec.propagation`
// +kubebuilder:printcolumn:name=Controller,type=string,JSONPath=`.status.propagationController`
// +kubebuilder:printcolumn:name=Age,type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="self.metadata.name == (has(self.spec.targetType.group) && self.spec.targetType.group != '' ? self.spec.targetType.pluralName + '.' + self.spec.targetType.group : self.spec.targetType.pluralName)",messageExpression="'FederatedTypeConfig name ' + self.metadata.name + ' does not match its target type: name must be TARGET_PLURAL_NAME(.TARGET_GROUP_NAME), here ' + (has(self.spec.targetType.group) && self.spec.targetType.group != '' ? self.spec.targetType.pluralName + '.' + self.spec.targetType.group : self.spec.targetType.pluralName)"

// FederatedTypeConfig tells KubeFed about one type to federate (the target
// type, e.g. apps/v1 Deployment) and the federated type that describes it
// across clusters (e.g. FederatedDeployment) with three fields:
//
//   - template: the object to create in member clusters;
//   - placement: which member clusters get it;
//   - overrides: how it differs per cluster.
//
// Its name is the target's plural name, qualified by its group unless the
// group is the core group: deployments.apps, configmaps.
type FederatedTypeConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec configures the federated type.
	Spec FederatedTypeConfigSpec `json:"spec"`
	// Status is the observed state of the type's controllers.
	// +optional
	Status FederatedTypeConfigStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// FederatedTypeConfigList is a list of FederatedTypeConfigs.
type FederatedTypeConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the FederatedTypeConfigs.
	Items []FederatedTypeConfig `json:"items"`
}

// Namespaced reports whether the resource is namespace-scoped.
func (a *APIResource) Namespaced() bool {
	return a.Scope == apiextensionsv1.NamespaceScoped
}

// GroupVersion returns the resource's group and version.
func (a *APIResource) GroupVersion() schema.GroupVersion {
	return schema.GroupVersion{Group: a.Group, Version: a.Version}
}

// GroupVersionKind returns the resource's group, version and kind.
func (a *APIResource) GroupVersionKind() schema.GroupVersionKind {
	return a.GroupVersion().WithKind(a.Kind)
}

// GroupVersionResource returns the resource's group, version and plural
// resource name.
func (a *APIResource) GroupVersionResource() schema.GroupVersionResource {
	return a.GroupVersion().WithResource(a.PluralName)
}

// GroupQualifiedName returns the plural name qualified by the group
// ("deployments.apps"), or the plural name alone for the core group
// ("configmaps"). It is the name of the resource's FederatedTypeConfig.
func (a *APIResource) GroupQualifiedName() string {
	if a.Group == "" {
		return a.PluralName
	}
	return a.PluralName + "." + a.Group
}

// IsNamespace reports whether the configuration is the one for Namespaces.
func (f *FederatedTypeConfig) IsNamespace() bool {
	return f.Name == NamespaceFederatedTypeConfigName
}

// GetPropagationEnabled reports whether propagation is enabled.
func (f *FederatedTypeConfig) GetPropagationEnabled() bool {
	return f.Spec.Propagation == PropagationEnabled
}

// GetStatusEnabled reports whether member status is collected for the type.
func (f *FederatedTypeConfig) GetStatusEnabled() bool {
	return f.Spec.StatusCollection != nil && *f.Spec.StatusCollection == StatusCollectionEnabled
}

// GetFederatedNamespaced reports whether the federated type is namespaced.
// FederatedNamespace is namespaced although Namespace is not, so that the
// control plane can run with namespace-scoped permissions.
func (f *FederatedTypeConfig) GetFederatedNamespaced() bool {
	return f.IsNamespace() || f.Spec.FederatedType.Namespaced()
}

// PluralName computes the plural resource name of a kind the way KubeFed
// does: lower-case it and add "es" after s, x, z, ch, sh and o, "ies" in
// place of a final y, and "s" otherwise.
func PluralName(kind string) string {
	lower := strings.ToLower(kind)
	switch {
	case strings.HasSuffix(lower, "s"), strings.HasSuffix(lower, "x"),
		strings.HasSuffix(lower, "z"), strings.HasSuffix(lower, "ch"),
		strings.HasSuffix(lower, "sh"), strings.HasSuffix(lower, "o"):
		return lower + "es"
	case strings.HasSuffix(lower, "y"):
		return strings.TrimSuffix(lower, "y") + "ies"
	default:
		return lower + "s"
	}
}
