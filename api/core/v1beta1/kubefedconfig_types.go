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
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Defaults of KubeFedConfig, applied by the CRD schema when a field is
// omitted. They are KubeFed v0.10's defaults.
const (
	// DefaultClusterAvailableDelay is the default of controllerDuration.availableDelay.
	DefaultClusterAvailableDelay = "20s"
	// DefaultClusterUnavailableDelay is the default of controllerDuration.unavailableDelay.
	DefaultClusterUnavailableDelay = "60s"
	// DefaultCacheSyncTimeout is the default of controllerDuration.cacheSyncTimeout.
	DefaultCacheSyncTimeout = "5m"
	// DefaultLeaderElectionLeaseDuration is the default of leaderElect.leaseDuration.
	DefaultLeaderElectionLeaseDuration = "15s"
	// DefaultLeaderElectionRenewDeadline is the default of leaderElect.renewDeadline.
	DefaultLeaderElectionRenewDeadline = "10s"
	// DefaultLeaderElectionRetryPeriod is the default of leaderElect.retryPeriod.
	DefaultLeaderElectionRetryPeriod = "5s"
	// DefaultLeaderElectionResourceLock is the default of leaderElect.resourceLock.
	DefaultLeaderElectionResourceLock = LeasesResourceLock
	// DefaultClusterHealthCheckPeriod is the default of clusterHealthCheck.period.
	DefaultClusterHealthCheckPeriod = "10s"
	// DefaultClusterHealthCheckFailureThreshold is the default of clusterHealthCheck.failureThreshold.
	DefaultClusterHealthCheckFailureThreshold = 3
	// DefaultClusterHealthCheckSuccessThreshold is the default of clusterHealthCheck.successThreshold.
	DefaultClusterHealthCheckSuccessThreshold = 1
	// DefaultClusterHealthCheckTimeout is the default of clusterHealthCheck.timeout.
	DefaultClusterHealthCheckTimeout = "3s"
	// DefaultSyncControllerMaxConcurrentReconciles is the default of
	// syncController.maxConcurrentReconciles (KubeFed: 1, which serialised
	// every object of a type behind the slowest member).
	DefaultSyncControllerMaxConcurrentReconciles = 8
	// DefaultStatusControllerMaxConcurrentReconciles is the default (and the
	// only accepted value) of statusController.maxConcurrentReconciles: see
	// StatusControllerConfig.
	DefaultStatusControllerMaxConcurrentReconciles = 1
)

// KubeFedConfigSpec is the configuration of the KubeFed control plane.
type KubeFedConfigSpec struct {
	// Scope of the control plane: Cluster (federate every namespace) or
	// Namespaced (federate only the control-plane namespace). It cannot be
	// changed after creation.
	// +kubebuilder:validation:Enum=Cluster;Namespaced
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="scope is immutable: delete and recreate the KubeFedConfig (and restart the controller manager) to change it"
	Scope apiextensionsv1.ResourceScope `json:"scope"`
	// ControllerDuration tunes reconcile timing.
	// +optional
	// +kubebuilder:default={}
	ControllerDuration *DurationConfig `json:"controllerDuration,omitempty"`
	// LeaderElect tunes leader election between controller manager replicas.
	// +optional
	// +kubebuilder:default={}
	LeaderElect *LeaderElectConfig `json:"leaderElect,omitempty"`
	// FeatureGates switches optional features on or off. Gates that are not
	// listed take their default (see FeatureGateName).
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=32
	FeatureGates []FeatureGatesConfig `json:"featureGates,omitempty"`
	// ClusterHealthCheck tunes how member cluster health is probed.
	// +optional
	// +kubebuilder:default={}
	ClusterHealthCheck *ClusterHealthCheckConfig `json:"clusterHealthCheck,omitempty"`
	// SyncController tunes the propagation (sync) controllers.
	// +optional
	// +kubebuilder:default={}
	SyncController *SyncControllerConfig `json:"syncController,omitempty"`
	// StatusController tunes the status collection controllers.
	// +optional
	// +kubebuilder:default={}
	StatusController *StatusControllerConfig `json:"statusController,omitempty"`
}

// DurationConfig tunes reconcile timing.
type DurationConfig struct {
	// AvailableDelay is how long to wait before reconciling again on a
	// healthy cluster.
	// +optional
	// +kubebuilder:default="20s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9.]+(ns|us|ms|s|m|h)([0-9.]+(ns|us|ms|s|m|h))*$') && duration(self) > duration('0s')",messageExpression="'controllerDuration.availableDelay ' + self + ' must be a positive duration such as 20s'"
	AvailableDelay *metav1.Duration `json:"availableDelay,omitempty"`
	// UnavailableDelay is how long to wait before giving up on an unhealthy
	// cluster.
	// +optional
	// +kubebuilder:default="60s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9.]+(ns|us|ms|s|m|h)([0-9.]+(ns|us|ms|s|m|h))*$') && duration(self) > duration('0s')",messageExpression="'controllerDuration.unavailableDelay ' + self + ' must be a positive duration such as 60s'"
	UnavailableDelay *metav1.Duration `json:"unavailableDelay,omitempty"`
	// CacheSyncTimeout is how long a controller waits for its caches to
	// sync before it gives up.
	// +optional
	// +kubebuilder:default="5m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9.]+(ns|us|ms|s|m|h)([0-9.]+(ns|us|ms|s|m|h))*$') && duration(self) > duration('0s')",messageExpression="'controllerDuration.cacheSyncTimeout ' + self + ' must be a positive duration such as 5m'"
	CacheSyncTimeout *metav1.Duration `json:"cacheSyncTimeout,omitempty"`
}

// LeaderElectConfig tunes leader election between controller manager
// replicas.
// +kubebuilder:validation:XValidation:rule="!has(self.leaseDuration) || !has(self.renewDeadline) || !self.leaseDuration.matches('^[0-9.]+(ns|us|ms|s|m|h)([0-9.]+(ns|us|ms|s|m|h))*$') || !self.renewDeadline.matches('^[0-9.]+(ns|us|ms|s|m|h)([0-9.]+(ns|us|ms|s|m|h))*$') || duration(self.leaseDuration) > duration(self.renewDeadline)",message="leaderElect.leaseDuration must be greater than leaderElect.renewDeadline"
type LeaderElectConfig struct {
	// LeaseDuration is how long non-leader candidates wait after observing a
	// leadership renewal before they try to take over a led but unrenewed
	// slot: the longest a stopped leader can keep leading.
	// +optional
	// +kubebuilder:default="15s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9.]+(ns|us|ms|s|m|h)([0-9.]+(ns|us|ms|s|m|h))*$') && duration(self) > duration('0s')",messageExpression="'leaderElect.leaseDuration ' + self + ' must be a positive duration such as 15s'"
	LeaseDuration *metav1.Duration `json:"leaseDuration,omitempty"`
	// RenewDeadline is how long the leader keeps retrying to renew its slot
	// before it stops leading. It must be less than LeaseDuration.
	// +optional
	// +kubebuilder:default="10s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9.]+(ns|us|ms|s|m|h)([0-9.]+(ns|us|ms|s|m|h))*$') && duration(self) > duration('0s')",messageExpression="'leaderElect.renewDeadline ' + self + ' must be a positive duration such as 10s'"
	RenewDeadline *metav1.Duration `json:"renewDeadline,omitempty"`
	// RetryPeriod is how long candidates wait between attempts to acquire or
	// renew leadership.
	// +optional
	// +kubebuilder:default="5s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9.]+(ns|us|ms|s|m|h)([0-9.]+(ns|us|ms|s|m|h))*$') && duration(self) > duration('0s')",messageExpression="'leaderElect.retryPeriod ' + self + ' must be a positive duration such as 5s'"
	RetryPeriod *metav1.Duration `json:"retryPeriod,omitempty"`
	// ResourceLock is the kind of object used as the leader election lock.
	// KubeFed's configmaps and endpoints are accepted for compatibility;
	// current Kubernetes clients lock with a Lease in every case.
	// +optional
	// +kubebuilder:default=leases
	ResourceLock *ResourceLockType `json:"resourceLock,omitempty"`
}

// ResourceLockType is the kind of object used as the leader election lock.
// +kubebuilder:validation:Enum=configmaps;endpoints;leases;configmapsleases;endpointsleases
type ResourceLockType string

const (
	// ConfigMapsResourceLock is KubeFed's default lock; accepted for
	// compatibility and served by a Lease.
	ConfigMapsResourceLock ResourceLockType = "configmaps"
	// EndpointsResourceLock is accepted for compatibility and served by a
	// Lease.
	EndpointsResourceLock ResourceLockType = "endpoints"
	// LeasesResourceLock locks with a coordination.k8s.io Lease (the
	// default).
	LeasesResourceLock ResourceLockType = "leases"
	// ConfigMapsLeasesResourceLock is client-go's migration lock; accepted
	// for compatibility and served by a Lease.
	ConfigMapsLeasesResourceLock ResourceLockType = "configmapsleases"
	// EndpointsLeasesResourceLock is client-go's migration lock; accepted
	// for compatibility and served by a Lease.
	EndpointsLeasesResourceLock ResourceLockType = "endpointsleases"
)

// FeatureGateName names an optional feature of the control plane.
type FeatureGateName string

const (
	// PushReconcilerFeature enables the sync controllers that push federated
	// objects to member clusters; Disabled stops every sync controller (each
	// FederatedTypeConfig says PushReconcilerDisabled) within seconds of the
	// change, and Enabled starts them again. Default: Enabled.
	PushReconcilerFeature FeatureGateName = "PushReconciler"
	// SchedulerPreferencesFeature enables ReplicaSchedulingPreference.
	// Default: Enabled.
	SchedulerPreferencesFeature FeatureGateName = "SchedulerPreferences"
	// RawResourceStatusCollectionFeature enables collecting the status of
	// member objects into status.clusters[].remoteStatus of federated objects
	// whose FederatedTypeConfig has statusCollection Enabled. Default:
	// Enabled (KubeFed: Disabled).
	RawResourceStatusCollectionFeature FeatureGateName = "RawResourceStatusCollection"
)

// DefaultFeatureGates holds the configuration of every known feature gate
// when the KubeFedConfig does not list it. A list in a schema default cannot
// be merged per entry, so this defaulting is done in code by
// KubeFedConfigSpec.FeatureGateEnabled.
var DefaultFeatureGates = map[FeatureGateName]ConfigurationMode{
	PushReconcilerFeature:              ConfigurationEnabled,
	SchedulerPreferencesFeature:        ConfigurationEnabled,
	RawResourceStatusCollectionFeature: ConfigurationEnabled,
}

// FeatureGatesConfig switches one feature gate.
type FeatureGatesConfig struct {
	// Name of the feature gate: PushReconciler, SchedulerPreferences or
	// RawResourceStatusCollection. KubeFed's retired gates
	// (CrossClusterServiceDiscovery, FederatedIngress) are accepted and
	// ignored.
	// +kubebuilder:validation:Enum=PushReconciler;SchedulerPreferences;RawResourceStatusCollection;CrossClusterServiceDiscovery;FederatedIngress
	Name string `json:"name"`
	// Configuration is Enabled or Disabled.
	Configuration ConfigurationMode `json:"configuration"`
}

// ConfigurationMode switches a feature on or off.
// +kubebuilder:validation:Enum=Enabled;Disabled
type ConfigurationMode string

const (
	// ConfigurationEnabled switches the feature on.
	ConfigurationEnabled ConfigurationMode = "Enabled"
	// ConfigurationDisabled switches the feature off.
	ConfigurationDisabled ConfigurationMode = "Disabled"
)

// ClusterHealthCheckConfig tunes how member cluster health is probed.
type ClusterHealthCheckConfig struct {
	// Period is how often each member cluster's health is probed.
	// +optional
	// +kubebuilder:default="10s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9.]+(ns|us|ms|s|m|h)([0-9.]+(ns|us|ms|s|m|h))*$') && duration(self) > duration('0s')",messageExpression="'clusterHealthCheck.period ' + self + ' must be a positive duration such as 10s'"
	Period *metav1.Duration `json:"period,omitempty"`
	// FailureThreshold is the number of consecutive failed probes after
	// which a healthy cluster is considered failed.
	// +optional
	// +kubebuilder:default=3
	// +kubebuilder:validation:XValidation:rule="self >= 1",message="clusterHealthCheck.failureThreshold must be at least 1"
	FailureThreshold *int64 `json:"failureThreshold,omitempty"`
	// SuccessThreshold is the number of consecutive successful probes after
	// which a failed cluster is considered healthy.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:XValidation:rule="self >= 1",message="clusterHealthCheck.successThreshold must be at least 1"
	SuccessThreshold *int64 `json:"successThreshold,omitempty"`
	// Timeout is how long one probe may take.
	// +optional
	// +kubebuilder:default="3s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9.]+(ns|us|ms|s|m|h)([0-9.]+(ns|us|ms|s|m|h))*$') && duration(self) > duration('0s')",messageExpression="'clusterHealthCheck.timeout ' + self + ' must be a positive duration such as 3s'"
	Timeout *metav1.Duration `json:"timeout,omitempty"`
}

// SyncControllerConfig tunes the propagation (sync) controllers.
type SyncControllerConfig struct {
	// MaxConcurrentReconciles is the number of federated objects of one type
	// reconciled at the same time.
	// +optional
	// +kubebuilder:default=8
	// +kubebuilder:validation:XValidation:rule="self >= 1",message="syncController.maxConcurrentReconciles must be at least 1"
	MaxConcurrentReconciles *int64 `json:"maxConcurrentReconciles,omitempty"`
	// AdoptResources says whether objects that already exist in member
	// clusters are adopted (Enabled) or reported as AlreadyExists
	// (Disabled).
	// +optional
	// +kubebuilder:default=Enabled
	AdoptResources *ResourceAdoption `json:"adoptResources,omitempty"`
}

// ResourceAdoption says whether pre-existing member objects are adopted.
// +kubebuilder:validation:Enum=Enabled;Disabled
type ResourceAdoption string

const (
	// AdoptResourcesEnabled adopts pre-existing member objects.
	AdoptResourcesEnabled ResourceAdoption = "Enabled"
	// AdoptResourcesDisabled leaves pre-existing member objects alone and
	// reports AlreadyExists for them.
	AdoptResourcesDisabled ResourceAdoption = "Disabled"
)

// StatusControllerConfig is KubeFed's tuning of its status controllers,
// which kept status in separate objects (FederatedTypeConfig statusType).
// kubefed has no such controllers: member status is collected by the sync
// controllers, bounded by syncController.maxConcurrentReconciles. The
// section is accepted with KubeFed's default value, which KubeFed's own
// KubeFedConfig carries, and any other value is refused at admission rather
// than silently ignored.
type StatusControllerConfig struct {
	// MaxConcurrentReconciles must be 1 (KubeFed's default) when set.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:XValidation:rule="self == 1",message="statusController.maxConcurrentReconciles has no effect: kubefed collects status in the sync controllers; set syncController.maxConcurrentReconciles instead, and leave this at 1 or remove it"
	MaxConcurrentReconciles *int64 `json:"maxConcurrentReconciles,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:path=kubefedconfigs,categories=kubefed
// +kubebuilder:printcolumn:name=Scope,type=string,JSONPath=`.spec.scope`
// +kubebuilder:printcolumn:name=Age,type=date,JSONPath=`.metadata.creationTimestamp`

// KubeFedConfig is the configuration of the KubeFed control plane. The
// controller manager reads the one named "kubefed" in its own namespace.
// Omitted settings are filled in by the API server from the schema defaults.
type KubeFedConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the configuration.
	Spec KubeFedConfigSpec `json:"spec"`
}

// +kubebuilder:object:root=true

// KubeFedConfigList is a list of KubeFedConfigs.
type KubeFedConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the KubeFedConfigs.
	Items []KubeFedConfig `json:"items"`
}

// FeatureGateEnabled reports whether the named feature is enabled: the
// configuration listed in spec.featureGates if any, else its default from
// DefaultFeatureGates. Unknown gates are disabled.
func (s *KubeFedConfigSpec) FeatureGateEnabled(name FeatureGateName) bool {
	for _, gate := range s.FeatureGates {
		if gate.Name == string(name) {
			return gate.Configuration == ConfigurationEnabled
		}
	}
	return DefaultFeatureGates[name] == ConfigurationEnabled
}
