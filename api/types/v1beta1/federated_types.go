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
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Placement is spec.placement: the member clusters a federated object goes
// to. Clusters, when set, wins over ClusterSelector; an empty
// ClusterSelector ({}) selects every cluster; with neither, no cluster.
type Placement struct {
	// Clusters names the member clusters.
	// +optional
	Clusters []GenericClusterReference `json:"clusters,omitempty"`
	// ClusterSelector selects member clusters by the labels of their
	// KubeFedCluster.
	// +optional
	ClusterSelector *metav1.LabelSelector `json:"clusterSelector,omitempty"`
}

// GenericClusterReference names one member cluster.
type GenericClusterReference struct {
	// Name of the KubeFedCluster.
	Name string `json:"name"`
}

// ClusterNames returns the names in Clusters, in order.
func (p *Placement) ClusterNames() []string {
	if p == nil || p.Clusters == nil {
		return nil
	}
	names := make([]string, 0, len(p.Clusters))
	for _, c := range p.Clusters {
		names = append(names, c.Name)
	}
	return names
}

// GenericOverrideItem is one entry of spec.overrides: the overrides of one
// member cluster.
type GenericOverrideItem struct {
	// ClusterName is the member cluster the overrides apply to.
	ClusterName string `json:"clusterName"`
	// ClusterOverrides are applied in order to the template.
	// +optional
	ClusterOverrides []ClusterOverride `json:"clusterOverrides,omitempty"`
}

// ClusterOverride is one JSON patch operation on the template.
type ClusterOverride struct {
	// Op is add, remove or replace; empty means replace.
	// +optional
	Op string `json:"op,omitempty"`
	// Path is a JSON pointer into the template, e.g. /spec/replicas.
	Path string `json:"path"`
	// Value is the JSON value for add and replace.
	// +optional
	Value *apiextensionsv1.JSON `json:"value,omitempty"`
}

// Operation returns Op, or DefaultOverrideOp when Op is empty.
func (o *ClusterOverride) Operation() string {
	if o.Op == "" {
		return DefaultOverrideOp
	}
	return o.Op
}

// GenericFederatedStatus is the status of every federated object.
type GenericFederatedStatus struct {
	// ObservedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions are the conditions of the object: Propagation (KubeFed's)
	// and the readiness conditions Ready, Reconciling and Stalled.
	// +optional
	Conditions []GenericCondition `json:"conditions,omitempty"`
	// Clusters is the propagation result per placed cluster.
	// +optional
	Clusters []GenericClusterStatus `json:"clusters,omitempty"`
	// AggregatedStatus sums the status of the member objects. It is an
	// addition to KubeFed.
	// +optional
	AggregatedStatus *AggregatedStatus `json:"aggregatedStatus,omitempty"`
	// Rollout is the state of the progressive rollout, when spec.rollout is
	// set. It is an addition to KubeFed.
	// +optional
	Rollout *RolloutStatus `json:"rollout,omitempty"`
}

// GenericCondition is a condition of a federated object. Times are RFC 3339
// strings, as KubeFed writes them.
type GenericCondition struct {
	// Type of the condition (Propagation, Ready, Reconciling, Stalled).
	Type ConditionType `json:"type"`
	// Status of the condition: True, False or Unknown.
	Status corev1.ConditionStatus `json:"status"`
	// LastUpdateTime is when the condition was last written, or a change
	// was last propagated.
	// +optional
	LastUpdateTime string `json:"lastUpdateTime,omitempty"`
	// LastTransitionTime is when the condition last changed status or
	// reason.
	// +optional
	LastTransitionTime string `json:"lastTransitionTime,omitempty"`
	// Reason of the last transition; for Propagation, empty when Status
	// is True.
	// +optional
	Reason AggregateReason `json:"reason,omitempty"`
	// Message says what went wrong and what to do, for a person. It is an
	// addition to KubeFed.
	// +optional
	Message string `json:"message,omitempty"`
}

// GenericClusterStatus is the propagation result for one member cluster.
type GenericClusterStatus struct {
	// Name of the member cluster.
	Name string `json:"name"`
	// Status is empty when the member object is up to date, else a
	// PropagationStatus.
	// +optional
	Status PropagationStatus `json:"status,omitempty"`
	// Message details a non-empty Status (the error returned by the member
	// cluster, for example). It is an addition to KubeFed.
	// +optional
	Message string `json:"message,omitempty"`
	// RemoteStatus is the status of the member object, when status
	// collection is enabled for the type.
	// +optional
	RemoteStatus *apiextensionsv1.JSON `json:"remoteStatus,omitempty"`
	// Readiness is the kstatus status of the member object as it is in the
	// cluster: Current, InProgress, Failed, Terminating, NotFound (no
	// copy) or Unknown (not readable). It is an addition to KubeFed.
	// +optional
	Readiness Readiness `json:"readiness,omitempty"`
	// ReadinessMessage says why the member object has its Readiness. It is
	// an addition to KubeFed.
	// +optional
	ReadinessMessage string `json:"readinessMessage,omitempty"`
	// Revision is the revision (ControllerRevision.revision) the member
	// object runs, when spec.rollout is set; 0 when there is no copy. It
	// is an addition to KubeFed.
	// +optional
	Revision int64 `json:"revision,omitempty"`
}

// AggregatedStatus sums the status of the member objects of a federated
// object across the clusters it is placed in. The sync controller fills the
// fields that make sense for the target kind and leaves the others unset:
//
//   - every kind: Clusters, ReadyClusters;
//   - Deployment, ReplicaSet, StatefulSet: Replicas (status.replicas summed),
//     ReadyReplicas, AvailableReplicas, UpdatedReplicas;
//   - DaemonSet: Replicas from desiredNumberScheduled, ReadyReplicas from
//     numberReady, AvailableReplicas from numberAvailable, UpdatedReplicas
//     from updatedNumberScheduled;
//   - Job: Active, Succeeded, Failed; CronJob: Active (running Jobs).
type AggregatedStatus struct {
	// Clusters is the number of clusters the object is placed in.
	// +optional
	Clusters int32 `json:"clusters,omitempty"`
	// ReadyClusters is the number of placed clusters whose member object is
	// up to date (an OK status in status.clusters).
	// +optional
	ReadyClusters int32 `json:"readyClusters,omitempty"`
	// Replicas is the desired number of replicas (pods) across clusters.
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`
	// ReadyReplicas is the number of ready replicas across clusters.
	// +optional
	ReadyReplicas *int32 `json:"readyReplicas,omitempty"`
	// AvailableReplicas is the number of available replicas across
	// clusters.
	// +optional
	AvailableReplicas *int32 `json:"availableReplicas,omitempty"`
	// UpdatedReplicas is the number of replicas at the latest template
	// across clusters.
	// +optional
	UpdatedReplicas *int32 `json:"updatedReplicas,omitempty"`
	// Active is the number of running pods (Jobs) or running Jobs
	// (CronJobs) across clusters.
	// +optional
	Active *int32 `json:"active,omitempty"`
	// Succeeded is the number of succeeded pods of Jobs across clusters.
	// +optional
	Succeeded *int32 `json:"succeeded,omitempty"`
	// Failed is the number of failed pods of Jobs across clusters.
	// +optional
	Failed *int32 `json:"failed,omitempty"`
}
