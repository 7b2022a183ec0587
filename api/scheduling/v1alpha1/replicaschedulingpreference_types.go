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

// ReplicaSchedulingPreferenceShortName is the kubectl short name of
// ReplicaSchedulingPreference.
const ReplicaSchedulingPreferenceShortName = "rsp"

// Target kinds a ReplicaSchedulingPreference can schedule.
const (
	// TargetKindFederatedDeployment schedules the FederatedDeployment of the
	// same namespace and name.
	TargetKindFederatedDeployment = "FederatedDeployment"
	// TargetKindFederatedReplicaSet schedules the FederatedReplicaSet of the
	// same namespace and name.
	TargetKindFederatedReplicaSet = "FederatedReplicaSet"
)

// AllClusters is the key of ReplicaSchedulingPreferenceSpec.Clusters whose
// preferences apply to every cluster without an entry of its own.
const AllClusters = "*"

// Condition types and reasons of ReplicaSchedulingPreference status.
const (
	// ScheduledCondition is True when the replicas were divided and written
	// to the target's placement and overrides.
	ScheduledCondition = "Scheduled"

	// ScheduledReason is the reason of Scheduled=True.
	ScheduledReason = "Scheduled"
	// TargetNotFoundReason is the reason of Scheduled=False when the target
	// federated object does not exist.
	TargetNotFoundReason = "TargetNotFound"
	// NoClustersReason is the reason of Scheduled=False when no ready
	// cluster matches the preferences.
	NoClustersReason = "NoClusters"
	// SchedulingFailedReason is the reason of Scheduled=False when the plan
	// could not be computed or written.
	SchedulingFailedReason = "SchedulingFailed"
	// FeatureDisabledReason is the reason of Scheduled=False when the
	// SchedulerPreferences feature gate is disabled.
	FeatureDisabledReason = "FeatureDisabled"
)

// ReplicaSchedulingPreferenceSpec says how to divide a workload's replicas.
type ReplicaSchedulingPreferenceSpec struct {
	// TargetKind is the kind of the federated workload of the same namespace
	// and name to schedule: FederatedDeployment or FederatedReplicaSet.
	// +kubebuilder:validation:Enum=FederatedDeployment;FederatedReplicaSet
	TargetKind string `json:"targetKind"`

	// TotalReplicas is the number of replicas to run across all clusters.
	// It replaces the replicas of the target's template.
	// +kubebuilder:validation:Minimum=0
	TotalReplicas int32 `json:"totalReplicas"`

	// Rebalance, when true, lets running replicas move between clusters to
	// match the preferences; when false, running replicas stay where they
	// are.
	// +optional
	Rebalance bool `json:"rebalance,omitempty"`

	// IntersectWithClusterSelector, when true, restricts the clusters to
	// those selected by the target's placement.clusterSelector; when false,
	// the clusters named here replace the target's placement.
	// +optional
	IntersectWithClusterSelector bool `json:"intersectWithClusterSelector,omitempty"`

	// Clusters maps cluster names to preferences. The "*" entry applies to
	// every cluster without an entry of its own; without it, clusters that
	// are not listed get no replicas.
	// +optional
	// +kubebuilder:validation:MaxProperties=1000
	Clusters map[string]ClusterPreferences `json:"clusters,omitempty"`
}

// ClusterPreferences are the preferences for one cluster's share of
// replicas.
// +kubebuilder:validation:XValidation:rule="!has(self.maxReplicas) || !has(self.minReplicas) || self.maxReplicas >= self.minReplicas",message="maxReplicas must be greater than or equal to minReplicas"
type ClusterPreferences struct {
	// MinReplicas is the smallest number of replicas for the cluster.
	// Defaults to 0.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MinReplicas int64 `json:"minReplicas,omitempty"`

	// MaxReplicas is the largest number of replicas for the cluster;
	// unbounded when omitted.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxReplicas *int64 `json:"maxReplicas,omitempty"`

	// Weight is the cluster's share of the replicas that remain once every
	// cluster has its minimum. Defaults to 0.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Weight int64 `json:"weight,omitempty"`
}

// ReplicaSchedulingPreferenceStatus reports the last plan. It is an
// addition to KubeFed, whose ReplicaSchedulingPreference had no status.
type ReplicaSchedulingPreferenceStatus struct {
	// ObservedGeneration is the generation the plan was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Clusters are the replicas planned per cluster, sorted by name.
	// +optional
	// +listType=map
	// +listMapKey=name
	Clusters []ClusterReplicas `json:"clusters,omitempty"`
	// Conditions are the current conditions (Scheduled).
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ClusterReplicas is the number of replicas planned for one cluster.
type ClusterReplicas struct {
	// Name of the member cluster.
	Name string `json:"name"`
	// Replicas planned for the cluster.
	Replicas int64 `json:"replicas"`
	// Ideal is what the cluster would get with rebalance on: the
	// preferences and the observed capacities, regardless of the replicas
	// running now.
	// +optional
	Ideal int64 `json:"ideal,omitempty"`
	// Reason says why Replicas differ from the cluster's weighted share:
	// CappedByMax, CappedByCapacity, RaisedToMin, BelowMin, TookOverflow,
	// KeptCurrent, NotRebalanced; empty when they do not.
	// +optional
	Reason string `json:"reason,omitempty"`
	// Capacity is the number of replicas the cluster was seen able to run
	// (its other replicas stayed unschedulable), while that observation
	// holds; unset for clusters without unschedulable replicas.
	// +optional
	Capacity *int64 `json:"capacity,omitempty"`
	// CapacityObservedTime is when Capacity was observed; it is forgotten
	// some time later, and the cluster is tried again.
	// +optional
	CapacityObservedTime *metav1.Time `json:"capacityObservedTime,omitempty"`
	// Message says why the cluster's Pods could not be read (its capacity
	// is then unknown and its last observation, if any, is kept); empty
	// when they were read or did not need to be.
	// +optional
	Message string `json:"message,omitempty"`
}

// Reasons of the Scheduled condition beyond the ones above, and the
// cluster reason for an offline cluster.
const (
	// ClusterOfflineReason is the reason recorded for a cluster that had
	// replicas and is not Ready: its replicas are planned elsewhere.
	ClusterOfflineReason = "ClusterOffline"
)

// Reasons of the events recorded on a ReplicaSchedulingPreference.
const (
	// ScheduledEventReason is the reason of the Normal event recorded when a
	// new plan was written into the target.
	ScheduledEventReason = "Scheduled"
	// MemberReadFailedEventReason is the reason of the Warning event
	// recorded when the workload's Pods could not be read in a member
	// cluster (once per new error, not on every retry).
	MemberReadFailedEventReason = "MemberReadFailed"
)

// +kubebuilder:object:root=true
// +kubebuilder:resource:path=replicaschedulingpreferences,shortName=rsp,categories=kubefed
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name=Target-Kind,type=string,JSONPath=`.spec.targetKind`
// +kubebuilder:printcolumn:name=Total,type=integer,JSONPath=`.spec.totalReplicas`
// +kubebuilder:printcolumn:name=Scheduled,type=string,JSONPath=`.status.conditions[?(@.type=='Scheduled')].status`
// +kubebuilder:printcolumn:name=Age,type=date,JSONPath=`.metadata.creationTimestamp`

// ReplicaSchedulingPreference divides the replicas of the FederatedDeployment
// or FederatedReplicaSet of the same namespace and name across member
// clusters, and writes the result into that object's placement and
// per-cluster replica overrides.
type ReplicaSchedulingPreference struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the scheduling preference.
	// +optional
	Spec ReplicaSchedulingPreferenceSpec `json:"spec,omitempty"`
	// Status is the last plan.
	// +optional
	Status ReplicaSchedulingPreferenceStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ReplicaSchedulingPreferenceList is a list of ReplicaSchedulingPreferences.
type ReplicaSchedulingPreferenceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the ReplicaSchedulingPreferences.
	Items []ReplicaSchedulingPreference `json:"items"`
}
