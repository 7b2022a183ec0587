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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RolloutStrategy is spec.rollout: how a new version of a federated object
// reaches its clusters, wave by wave, each wave gated by the readiness of the
// copies already updated. It is an addition to KubeFed; an object without it
// reaches every placed cluster at once, as in KubeFed. docs/rollout.md
// describes the rules.
type RolloutStrategy struct {
	// Waves are the ordered groups of clusters a new revision goes to. A
	// cluster belongs to the first wave that names or selects it; placed
	// clusters in no wave form a last wave named "remaining".
	// +optional
	Waves []RolloutWave `json:"waves,omitempty"`
	// SoakTime is how long the next wave waits once every cluster of the
	// waves so far runs the new revision and is Current. Default 0.
	// +optional
	SoakTime *metav1.Duration `json:"soakTime,omitempty"`
	// ProgressDeadline is how long a wave may take to become Current
	// before the rollout stops (phase Stalled). Unset: no deadline.
	// +optional
	ProgressDeadline *metav1.Duration `json:"progressDeadline,omitempty"`
	// Paused, when true, holds a rollout in progress: no further cluster
	// gets the new revision.
	// +optional
	Paused bool `json:"paused,omitempty"`
	// RollbackTo, when set, makes the rollout's target the stored content
	// of an earlier revision instead of the spec's (undo). It rolls out in
	// waves like any new version.
	// +optional
	RollbackTo *RollbackConfig `json:"rollbackTo,omitempty"`
	// RevisionHistoryLimit is how many old revisions are kept besides the
	// current and update revisions and those a cluster runs. Default
	// DefaultRevisionHistoryLimit.
	// +optional
	RevisionHistoryLimit *int32 `json:"revisionHistoryLimit,omitempty"`
}

// RolloutWave is one wave of spec.rollout.waves: clusters by name or by
// label selector, exactly one of the two.
type RolloutWave struct {
	// Name of the wave, unique among the waves; a DNS label other than
	// "remaining".
	Name string `json:"name"`
	// Clusters names the member clusters of the wave, in the order they
	// are updated.
	// +optional
	Clusters []GenericClusterReference `json:"clusters,omitempty"`
	// ClusterSelector selects the member clusters of the wave by the
	// labels of their KubeFedCluster; they are updated in name order.
	// +optional
	ClusterSelector *metav1.LabelSelector `json:"clusterSelector,omitempty"`
	// MaxConcurrentClusters is how many clusters of the wave may be
	// updated at a time (given the new revision and not Current yet).
	// Unset: all of them.
	// +optional
	MaxConcurrentClusters *int32 `json:"maxConcurrentClusters,omitempty"`
}

// RollbackConfig is spec.rollout.rollbackTo.
type RollbackConfig struct {
	// Revision is the number of the revision to run
	// (ControllerRevision.revision).
	Revision int64 `json:"revision"`
}

// RolloutStatus is status.rollout: the whole memory of a rollout, so that
// a restarted controller continues where it was.
type RolloutStatus struct {
	// ObservedGeneration is the metadata.generation this state was
	// computed for. A Stalled rollout holds until the generation changes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// CurrentRevision is the last revision whose rollout completed.
	// +optional
	CurrentRevision int64 `json:"currentRevision,omitempty"`
	// PreviousRevision is the CurrentRevision before the last completed
	// rollout: what kubefedctl rollout undo goes back to by default.
	// +optional
	PreviousRevision int64 `json:"previousRevision,omitempty"`
	// UpdateRevision is the revision being rolled out (equal to
	// CurrentRevision when the rollout is complete).
	// +optional
	UpdateRevision int64 `json:"updateRevision,omitempty"`
	// Phase is Progressing, Paused, Stalled or Complete.
	// +optional
	Phase RolloutPhase `json:"phase,omitempty"`
	// Reason is a RolloutReason: why the rollout is in its phase.
	// +optional
	Reason RolloutReason `json:"reason,omitempty"`
	// Message says, for a person, where the rollout is and, when it
	// stopped, which clusters stopped it.
	// +optional
	Message string `json:"message,omitempty"`
	// CurrentWave is the index of the wave in progress in
	// spec.rollout.waves; len(waves) is the implicit last wave.
	// +optional
	CurrentWave int32 `json:"currentWave,omitempty"`
	// CurrentWaveName is the name of the wave in progress.
	// +optional
	CurrentWaveName string `json:"currentWaveName,omitempty"`
	// WaveStartTime is when the wave in progress started, or started over
	// (a resume, a retry, a copy that stopped being Current during the
	// soak). The progress deadline counts from it.
	// +optional
	WaveStartTime *metav1.Time `json:"waveStartTime,omitempty"`
	// SoakStartTime is when the waves so far became Current; set while the
	// rollout waits SoakTime before the next wave.
	// +optional
	SoakStartTime *metav1.Time `json:"soakStartTime,omitempty"`
}

// RolloutPhase is status.rollout.phase.
type RolloutPhase string

// The phases of a rollout.
const (
	// RolloutPhaseProgressing: a wave is being updated or soaks.
	RolloutPhaseProgressing RolloutPhase = "Progressing"
	// RolloutPhasePaused: spec.rollout.paused holds the rollout.
	RolloutPhasePaused RolloutPhase = "Paused"
	// RolloutPhaseStalled: a wave failed; no further cluster is written
	// until the spec changes.
	RolloutPhaseStalled RolloutPhase = "Stalled"
	// RolloutPhaseComplete: every wave runs the update revision.
	RolloutPhaseComplete RolloutPhase = "Complete"
)

// RolloutReason is status.rollout.reason.
type RolloutReason string

// The reasons of the rollout phases.
const (
	// RolloutReasonInitialRevision (Complete): the first revision, written
	// to every placed cluster at once.
	RolloutReasonInitialRevision RolloutReason = "InitialRevision"
	// RolloutReasonComplete (Complete): every wave passed.
	RolloutReasonComplete RolloutReason = "RolloutComplete"
	// RolloutReasonWaveInProgress (Progressing): clusters of the current
	// wave are being updated or are not Current yet.
	RolloutReasonWaveInProgress RolloutReason = "WaveInProgress"
	// RolloutReasonWaveSoaking (Progressing): the waves so far are
	// Current; the next waits for SoakTime.
	RolloutReasonWaveSoaking RolloutReason = "WaveSoaking"
	// RolloutReasonPaused (Paused): spec.rollout.paused is true.
	RolloutReasonPaused RolloutReason = "Paused"
	// RolloutReasonProgressDeadlineExceeded (Stalled): the wave was not
	// Current within ProgressDeadline.
	RolloutReasonProgressDeadlineExceeded RolloutReason = "ProgressDeadlineExceeded"
	// RolloutReasonClusterFailed (Stalled): a copy of the update revision
	// is Failed.
	RolloutReasonClusterFailed RolloutReason = "ClusterFailed"
	// RolloutReasonRevisionNotFound (Stalled): spec.rollout.rollbackTo
	// names a revision that is not in the history.
	RolloutReasonRevisionNotFound RolloutReason = "RevisionNotFound"
)

// Labels of the ControllerRevisions that keep the revisions of a federated
// object (in its namespace, or in the control plane's for a cluster-scoped
// one).
const (
	// RevisionFederatedNameLabel is the name of the federated object, when
	// it fits a label value (63 characters).
	RevisionFederatedNameLabel = "kubefed.io/federated-name"
	// RevisionFederatedUIDLabel is the UID of the federated object: the
	// label the history is listed by, as it fits whatever the name's
	// length and does not match a later object of the same name.
	RevisionFederatedUIDLabel = "kubefed.io/federated-uid"
	// RevisionFederatedKindLabel is its kind, e.g. FederatedDeployment.
	RevisionFederatedKindLabel = "kubefed.io/federated-kind"
	// RevisionHashLabel is the hash of the revision's content.
	RevisionHashLabel = "kubefed.io/revision-hash"
)

const (
	// RolloutField is spec.rollout and status.rollout.
	RolloutField = "rollout"
	// RemainingWaveName is the name of the implicit last wave: the placed
	// clusters in no wave of spec.rollout.waves.
	RemainingWaveName = "remaining"
	// DefaultRevisionHistoryLimit is spec.rollout.revisionHistoryLimit
	// when unset.
	DefaultRevisionHistoryLimit int32 = 10
)

// HistoryLimit returns RevisionHistoryLimit, or DefaultRevisionHistoryLimit
// when it is unset.
func (r *RolloutStrategy) HistoryLimit() int32 {
	if r == nil || r.RevisionHistoryLimit == nil {
		return DefaultRevisionHistoryLimit
	}
	return *r.RevisionHistoryLimit
}
