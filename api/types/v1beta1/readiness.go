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

// The readiness conditions of every federated object, in the terms of
// kstatus (sigs.k8s.io/cli-utils/pkg/kstatus), which kubectl wait, Flux,
// Helm and Argo CD read. They are additions to KubeFed, whose status
// stopped at "propagated"; internal/readiness computes them.
const (
	// ReadyConditionType is always present: True only when the object is
	// propagated at its current generation to every placed cluster and
	// every member copy is Current. Its reason is a ReadyReason.
	ReadyConditionType ConditionType = "Ready"
	// ReconcilingConditionType is present, True, while the object rolls
	// out: some placed cluster does not run the current generation yet, or
	// its copy is not Current yet, or its spec.rollout is in progress or
	// paused. Absent otherwise (kstatus's abnormal-true convention).
	ReconcilingConditionType ConditionType = "Reconciling"
	// StalledConditionType is present, True, while the object cannot
	// become ready without a change (a copy failed, a member refused the
	// write for good, its spec.rollout stopped). Absent otherwise.
	StalledConditionType ConditionType = "Stalled"

	// WorkloadReadyConditionType is the Ready condition.
	//
	// Deprecated: use ReadyConditionType; every kind has it now.
	WorkloadReadyConditionType = ReadyConditionType
)

// Reasons of the Ready condition: the kstatus status of the federated object
// as a whole.
const (
	// ReadyReasonCurrent (Ready=True): every placed cluster runs the
	// current generation and its copy is Current (or the object is placed
	// in no cluster).
	ReadyReasonCurrent AggregateReason = "Current"
	// ReadyReasonInProgress (Ready=False): the object is rolling out;
	// the Reconciling condition says where.
	ReadyReasonInProgress AggregateReason = "InProgress"
	// ReadyReasonFailed (Ready=False): the object cannot become ready
	// without a change; the Stalled condition says where and why.
	ReadyReasonFailed AggregateReason = "Failed"
)

// Reasons of the Reconciling condition.
const (
	// ReconcilingPropagating: some placed cluster is not yet written at the
	// current generation (a write pending or retried, the cluster not
	// ready, the namespace not federated yet), or a copy is being removed
	// from a cluster the object left.
	ReconcilingPropagating AggregateReason = "Propagating"
	// ReconcilingMemberInProgress: every placed cluster has the current
	// generation, and some copy is not Current yet (InProgress, Unknown,
	// Terminating or NotFound).
	ReconcilingMemberInProgress AggregateReason = "MemberInProgress"
)

// Reasons of the Stalled condition (and ComputePlacementFailed, an
// invalid spec.placement).
const (
	// StalledMemberFailed: a member copy is Failed (its own Stalled
	// condition, a Deployment past its progress deadline, a failed Job, a
	// health rule's failedWhen).
	StalledMemberFailed AggregateReason = "MemberFailed"
	// StalledPropagationFailed: a copy cannot be written in some cluster
	// without a change: the member refused it for good (denied by
	// admission, invalid, forbidden), its overrides fail, or an object
	// kubefed does not manage is in the way.
	StalledPropagationFailed AggregateReason = "PropagationFailed"
)

// Reasons of the readiness conditions of an object with spec.rollout whose
// rollout is not complete (docs/rollout.md, "Conditions"). A rollout in
// progress gives Reconciling=True with reason ReconcilingPropagating, naming
// the wave and the clusters not updated yet; a paused one
// ReconcilingRolloutPaused; a stalled one Stalled=True with the rollout's
// own reason (status.rollout.reason), so kstatus says Failed.
const (
	// ReconcilingRolloutPaused: spec.rollout.paused holds the rollout; the
	// clusters not updated yet wait for kubefedctl rollout resume.
	ReconcilingRolloutPaused AggregateReason = "RolloutPaused"
	// StalledRolloutProgressDeadlineExceeded: a wave was not Current
	// within spec.rollout.progressDeadline.
	StalledRolloutProgressDeadlineExceeded = AggregateReason(RolloutReasonProgressDeadlineExceeded)
	// StalledRolloutClusterFailed: a copy of the revision being rolled out
	// is Failed; the rollout stopped.
	StalledRolloutClusterFailed = AggregateReason(RolloutReasonClusterFailed)
	// StalledRolloutRevisionNotFound: spec.rollout.rollbackTo names a
	// revision the history does not have.
	StalledRolloutRevisionNotFound = AggregateReason(RolloutReasonRevisionNotFound)
)

// Readiness is the kstatus status of one member copy,
// status.clusters[].readiness.
type Readiness string

// The kstatus statuses, verbatim.
const (
	// ReadinessCurrent: the copy runs its spec, healthy.
	ReadinessCurrent Readiness = "Current"
	// ReadinessInProgress: the copy is rolling out.
	ReadinessInProgress Readiness = "InProgress"
	// ReadinessFailed: the copy cannot become ready without a change.
	ReadinessFailed Readiness = "Failed"
	// ReadinessTerminating: the copy is being deleted.
	ReadinessTerminating Readiness = "Terminating"
	// ReadinessNotFound: there is no copy in the cluster.
	ReadinessNotFound Readiness = "NotFound"
	// ReadinessUnknown: the copy could not be read, or its health rule
	// could not be evaluated.
	ReadinessUnknown Readiness = "Unknown"
)
