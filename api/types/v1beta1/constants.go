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

// Field names of the generic federated shape, for unstructured access.
const (
	// SpecField is "spec".
	SpecField = "spec"
	// StatusField is "status".
	StatusField = "status"
	// TemplateField is spec.template.
	TemplateField = "template"
	// PlacementField is spec.placement.
	PlacementField = "placement"
	// ClusterSelectorField is spec.placement.clusterSelector.
	ClusterSelectorField = "clusterSelector"
	// ClustersField is spec.placement.clusters and status.clusters.
	ClustersField = "clusters"
	// OverridesField is spec.overrides.
	OverridesField = "overrides"
	// ClusterOverridesField is spec.overrides[].clusterOverrides.
	ClusterOverridesField = "clusterOverrides"
	// RetainReplicasField is spec.retainReplicas.
	RetainReplicasField = "retainReplicas"
	// ReplicasField is spec.replicas of a target object.
	ReplicasField = "replicas"
)

// Override operations (JSON patch operations).
const (
	// OverrideOpAdd adds a value at the path.
	OverrideOpAdd = "add"
	// OverrideOpRemove removes the value at the path.
	OverrideOpRemove = "remove"
	// OverrideOpReplace replaces the value at the path.
	OverrideOpReplace = "replace"
	// DefaultOverrideOp is the operation of an override without op.
	DefaultOverrideOp = OverrideOpReplace
)

// ConditionType is the type of a condition of a federated object.
type ConditionType string

// PropagationConditionType is the condition that says whether the federated
// object was propagated to every placed cluster: True when it was, False
// with an AggregateReason when not.
const PropagationConditionType ConditionType = "Propagation"

// PropagationStatus is the result of propagation to one member cluster,
// written to status.clusters[].status. The values are KubeFed's, verbatim,
// plus WaitingForCluster.
type PropagationStatus string

// Per-cluster propagation results.
const (
	// ClusterPropagationOK means the member object is up to date. It is the
	// empty string, so status.clusters[].status is omitted.
	ClusterPropagationOK PropagationStatus = ""
	// WaitingForRemoval means the member object is being deleted because
	// the cluster left the placement.
	WaitingForRemoval PropagationStatus = "WaitingForRemoval"

	// ClusterNotReady means the member cluster is not Ready; nothing was
	// written to it.
	ClusterNotReady PropagationStatus = "ClusterNotReady"
	// CachedRetrievalFailed means the member object could not be read from
	// the member cache.
	CachedRetrievalFailed PropagationStatus = "CachedRetrievalFailed"
	// ComputeResourceFailed means the member object could not be computed
	// from the template.
	ComputeResourceFailed PropagationStatus = "ComputeResourceFailed"
	// ApplyOverridesFailed means the cluster's overrides could not be
	// applied to the template.
	ApplyOverridesFailed PropagationStatus = "ApplyOverridesFailed"
	// CreationFailed means the member object could not be created.
	CreationFailed PropagationStatus = "CreationFailed"
	// UpdateFailed means the member object could not be updated.
	UpdateFailed PropagationStatus = "UpdateFailed"
	// DeletionFailed means the member object could not be deleted.
	DeletionFailed PropagationStatus = "DeletionFailed"
	// LabelRemovalFailed means the managed label could not be removed from
	// an orphaned member object.
	LabelRemovalFailed PropagationStatus = "LabelRemovalFailed"
	// RetrievalFailed means the member object could not be read.
	RetrievalFailed PropagationStatus = "RetrievalFailed"
	// AlreadyExists means an unmanaged member object of the same name exists
	// and adoption is disabled.
	AlreadyExists PropagationStatus = "AlreadyExists"
	// FieldRetentionFailed means member-owned fields (replicas, clusterIP,
	// ...) could not be retained.
	FieldRetentionFailed PropagationStatus = "FieldRetentionFailed"
	// VersionRetrievalFailed means the propagated version record could not
	// be read.
	VersionRetrievalFailed PropagationStatus = "VersionRetrievalFailed"
	// ClientRetrievalFailed means no client for the member cluster was
	// available.
	ClientRetrievalFailed PropagationStatus = "ClientRetrievalFailed"
	// ManagedLabelFalse means the member object carries
	// kubefed.io/managed=false, so it is left alone.
	ManagedLabelFalse PropagationStatus = "ManagedLabelFalse"

	// CreationTimedOut means creating the member object timed out.
	CreationTimedOut PropagationStatus = "CreationTimedOut"
	// UpdateTimedOut means updating the member object timed out.
	UpdateTimedOut PropagationStatus = "UpdateTimedOut"
	// DeletionTimedOut means deleting the member object timed out.
	DeletionTimedOut PropagationStatus = "DeletionTimedOut"
	// LabelRemovalTimedOut means removing the managed label timed out.
	LabelRemovalTimedOut PropagationStatus = "LabelRemovalTimedOut"

	// WaitingForCluster means a write to a member that answers much more
	// slowly than the others is still in flight (or waits for one of the
	// writes in flight there): the reconcile did not wait for it, and the
	// status follows when it completes. Not one of KubeFed's values: KubeFed
	// held the reconcile until every cluster answered.
	WaitingForCluster PropagationStatus = "WaitingForCluster"
)

// AggregateReason is the reason of the Propagation condition. The values are
// KubeFed's, verbatim.
type AggregateReason string

// Reasons of the Propagation condition.
const (
	// AggregateSuccess is the (empty) reason of Propagation=True.
	AggregateSuccess AggregateReason = ""
	// ClusterRetrievalFailed means the KubeFedClusters could not be listed.
	ClusterRetrievalFailed AggregateReason = "ClusterRetrievalFailed"
	// ComputePlacementFailed means the placement could not be computed (for
	// example an invalid clusterSelector).
	ComputePlacementFailed AggregateReason = "ComputePlacementFailed"
	// CheckClusters means at least one cluster has a non-OK status in
	// status.clusters.
	CheckClusters AggregateReason = "CheckClusters"
	// NamespaceNotFederated means the object's namespace has no
	// FederatedNamespace, so the object is not propagated.
	NamespaceNotFederated AggregateReason = "NamespaceNotFederated"
	// EnsureDeletionFailed means the member copies of an object being
	// deleted could not all be removed yet; status.clusters says where.
	EnsureDeletionFailed AggregateReason = "EnsureDeletionFailed"
)
