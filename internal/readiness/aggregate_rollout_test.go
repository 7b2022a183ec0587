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

package readiness_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/readiness"
)

// rolloutWant is the conditions a case expects: the Ready condition's
// status, reason and message, and the reasons of Reconciling and Stalled
// ("" absent), whose message is Ready's.
type rolloutWant struct {
	ready       corev1.ConditionStatus
	readyReason fedtypesv1b1.AggregateReason
	reconciling fedtypesv1b1.AggregateReason
	stalled     fedtypesv1b1.AggregateReason
	message     string
}

// TestAggregateRollout checks the conditions of an object with
// spec.rollout in each phase of docs/rollout.md's table "Conditions": a
// rollout in progress or paused is InProgress by kstatus, a stalled one
// Failed with the rollout's reason, a complete one Current once its copies
// are.
func TestAggregateRollout(t *testing.T) {
	waiting := func(name string) readiness.Cluster {
		c := current(name)
		c.Waiting = true
		return c
	}
	const (
		progressing = "rollout of revision 2 in progress: wave canary (1/2): m1 InProgress; not updated yet: m2 (runs revision 1)"
		paused      = "rollout of revision 2 paused at wave canary (1/2); not updated yet: m2 (runs revision 1): 'kubefedctl rollout resume' continues it"
		stalled     = "rollout of revision 2 stopped (ProgressDeadlineExceeded): wave canary (1/2) not Current within 3s: m1 InProgress; fix the clusters named"
	)
	rollout := func(phase fedtypesv1b1.RolloutPhase, reason fedtypesv1b1.RolloutReason, msg string) *readiness.Rollout {
		return &readiness.Rollout{Phase: phase, Reason: reason, Message: msg}
	}
	tests := []struct {
		name string
		obj  readiness.Object
		want rolloutWant
	}{
		{name: "a wave in progress names the rollout, not each waiting cluster",
			obj: readiness.Object{Clusters: []readiness.Cluster{copyIs("m1", fedtypesv1b1.ReadinessInProgress, "Ready: 0/1"), waiting("m2")},
				Rollout: rollout(fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveInProgress, progressing)},
			want: rolloutWant{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonInProgress, fedtypesv1b1.ReconcilingPropagating, "", progressing + "; InProgress in m1: Ready: 0/1"}},
		{name: "a soak with every copy Current is still in progress",
			obj: readiness.Object{Clusters: []readiness.Cluster{current("m1"), current("m2")},
				Rollout: rollout(fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveSoaking, "soaking")},
			want: rolloutWant{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonInProgress, fedtypesv1b1.ReconcilingPropagating, "", "soaking"}},
		{name: "paused", obj: readiness.Object{Clusters: []readiness.Cluster{current("m1"), waiting("m2")},
			Rollout: rollout(fedtypesv1b1.RolloutPhasePaused, fedtypesv1b1.RolloutReasonPaused, paused)},
			want: rolloutWant{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonInProgress, fedtypesv1b1.ReconcilingRolloutPaused, "", paused}},
		{name: "stalled at the progress deadline", obj: readiness.Object{Clusters: []readiness.Cluster{copyIs("m1", fedtypesv1b1.ReadinessInProgress, "Ready: 0/1"), waiting("m2")},
			Rollout: rollout(fedtypesv1b1.RolloutPhaseStalled, fedtypesv1b1.RolloutReasonProgressDeadlineExceeded, stalled)},
			want: rolloutWant{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonFailed, "", fedtypesv1b1.StalledRolloutProgressDeadlineExceeded, stalled}},
		{name: "a stopped rollout is named before the failed copy that stopped it",
			obj: readiness.Object{Clusters: []readiness.Cluster{copyIs("m1", fedtypesv1b1.ReadinessFailed, "Job Failed"), waiting("m2")},
				Rollout: rollout(fedtypesv1b1.RolloutPhaseStalled, fedtypesv1b1.RolloutReasonClusterFailed, "stopped at m1")},
			want: rolloutWant{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonFailed, "", fedtypesv1b1.StalledRolloutClusterFailed, "stopped at m1; Failed in m1: Job Failed"}},
		{name: "a missing revision", obj: readiness.Object{Clusters: []readiness.Cluster{current("m1")},
			Rollout: rollout(fedtypesv1b1.RolloutPhaseStalled, fedtypesv1b1.RolloutReasonRevisionNotFound, "rollout stopped: no revision 9")},
			want: rolloutWant{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonFailed, "", fedtypesv1b1.StalledRolloutRevisionNotFound, "rollout stopped: no revision 9"}},
		{name: "complete and Current", obj: readiness.Object{Clusters: []readiness.Cluster{current("m1"), current("m2")},
			Rollout: rollout(fedtypesv1b1.RolloutPhaseComplete, fedtypesv1b1.RolloutReasonComplete, "revision 2 runs in every wave")},
			want: rolloutWant{corev1.ConditionTrue, fedtypesv1b1.ReadyReasonCurrent, "", "", "current in 2 of 2 placed clusters"}},
		{name: "complete, a cluster not written yet", obj: readiness.Object{Clusters: []readiness.Cluster{current("m1"), waiting("m2")},
			Rollout: rollout(fedtypesv1b1.RolloutPhaseComplete, fedtypesv1b1.RolloutReasonComplete, "revision 2 runs in every wave")},
			want: rolloutWant{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonInProgress, fedtypesv1b1.ReconcilingPropagating, "", "not propagated yet to m2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readiness.Aggregate(tt.obj)
			if r := got.Ready; r.Status != tt.want.ready || r.Reason != tt.want.readyReason || r.Message != tt.want.message {
				t.Errorf("Ready = %s/%s/%q, want %s/%s/%q", r.Status, r.Reason, r.Message, tt.want.ready, tt.want.readyReason, tt.want.message)
			}
			checkAbnormal(t, fedtypesv1b1.ReconcilingConditionType, got.Reconciling, tt.want.reconciling, tt.want.message)
			checkAbnormal(t, fedtypesv1b1.StalledConditionType, got.Stalled, tt.want.stalled, tt.want.message)
			if got := kstatusOf(t, got); string(got) != string(tt.want.readyReason) {
				t.Errorf("kstatus of the federated object = %s, want %s", got, tt.want.readyReason)
			}
		})
	}
}
