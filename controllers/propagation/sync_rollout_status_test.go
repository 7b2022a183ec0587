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

package propagation

import (
	"strings"
	"testing"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// TestRolloutReadinessMessages checks the parts of the rollout's condition
// messages that docs/rollout.md ("Conditions") promises: the clusters not
// updated yet with the revision each runs (a few named, the others
// counted), and what to do about a paused or stopped rollout.
func TestRolloutReadinessMessages(t *testing.T) {
	revisions := map[string]int64{"m1": 3, "m2": 2, "m3": 0, "m4": 2, "m5": 2, "m6": 2, "m7": 2}
	waiting := []string{"m2", "m3", "m4", "m5", "m6", "m7"}
	tests := []struct {
		name       string
		state      fedtypesv1b1.RolloutStatus
		rollbackTo *fedtypesv1b1.RollbackConfig
		waiting    []string
		want       []string
		wantNot    []string
	}{
		{name: "in progress", state: fedtypesv1b1.RolloutStatus{Phase: fedtypesv1b1.RolloutPhaseProgressing, Message: "wave canary (1/2): m1 InProgress"},
			waiting: waiting,
			want:    []string{"rollout of revision 3 in progress: wave canary (1/2): m1 InProgress", "m2 (runs revision 2)", "m3 (no copy)", "and 1 more"},
			wantNot: []string{"m7"}},
		{name: "paused", state: fedtypesv1b1.RolloutStatus{Phase: fedtypesv1b1.RolloutPhasePaused, Message: "paused at wave canary (1/2)"},
			waiting: []string{"m2"},
			want:    []string{"paused at wave canary (1/2); not updated yet: m2 (runs revision 2)", "'kubefedctl rollout resume' continues it"}},
		{name: "stopped, with a revision to go back to", state: fedtypesv1b1.RolloutStatus{Phase: fedtypesv1b1.RolloutPhaseStalled,
			Reason: fedtypesv1b1.RolloutReasonProgressDeadlineExceeded, CurrentRevision: 2, Message: "wave canary (1/2) not Current within 1m0s: m1 InProgress"},
			want:    []string{"stopped (ProgressDeadlineExceeded): wave canary (1/2)", "'kubefedctl rollout resume' retries the wave", "'kubefedctl rollout undo' goes back to revision 2"},
			wantNot: []string{"not updated yet", "rollbackTo"}},
		{name: "stopped under rollbackTo, nothing completed", state: fedtypesv1b1.RolloutStatus{Phase: fedtypesv1b1.RolloutPhaseStalled,
			Reason: fedtypesv1b1.RolloutReasonClusterFailed, Message: "wave canary (1/2): m1 Failed"},
			rollbackTo: &fedtypesv1b1.RollbackConfig{Revision: 3},
			want:       []string{"'kubefedctl rollout undo --to-revision N'", "removing spec.rollout.rollbackTo rolls the spec out again"}},
		{name: "a missing revision", state: fedtypesv1b1.RolloutStatus{Phase: fedtypesv1b1.RolloutPhaseStalled,
			Reason: fedtypesv1b1.RolloutReasonRevisionNotFound, Message: "spec.rollout.rollbackTo names revision 9: remove rollbackTo"},
			rollbackTo: &fedtypesv1b1.RollbackConfig{Revision: 9}, waiting: waiting,
			want:    []string{"rollout stopped: spec.rollout.rollbackTo names revision 9: remove rollbackTo"},
			wantNot: []string{"not updated yet", "kubefedctl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := &rolloutScope{strategy: &fedtypesv1b1.RolloutStrategy{RollbackTo: tt.rollbackTo}, target: 3, revisions: revisions, state: &tt.state}
			got := rs.readiness(tt.waiting)
			if got.Phase != tt.state.Phase || got.Reason != tt.state.Reason {
				t.Errorf("phase/reason %s/%s, want %s/%s", got.Phase, got.Reason, tt.state.Phase, tt.state.Reason)
			}
			for _, w := range tt.want {
				if !strings.Contains(got.Message, w) {
					t.Errorf("message %q does not contain %q", got.Message, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(got.Message, w) {
					t.Errorf("message %q contains %q", got.Message, w)
				}
			}
		})
	}
	if got := (*rolloutScope)(nil).readiness(nil); got != nil {
		t.Errorf("no rollout: %+v, want nil", got)
	}
}
