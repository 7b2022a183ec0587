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
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/readiness"
)

// maxWaitingNamed bounds the clusters a rollout's condition message names
// as not updated yet; the others are counted.
const maxWaitingNamed = 5

// setRolloutStatus sets status.rollout and the revision each cluster runs,
// for an object with spec.rollout: those this reconcile planned, else
// (it stopped before planning) the stored ones. An object without
// spec.rollout has neither.
func setRolloutStatus(s *scope, status *fedtypesv1b1.GenericFederatedStatus) {
	rs := s.rollout
	if rs == nil {
		if _, found, _ := unstructured.NestedFieldNoCopy(s.fedObj.Object, fedtypesv1b1.SpecField, fedtypesv1b1.RolloutField); !found {
			return
		}
	}
	status.Rollout = s.oldStatus.Rollout
	if rs != nil && rs.state != nil {
		status.Rollout = rs.state
	}
	for i := range status.Clusters {
		c := &status.Clusters[i]
		switch stored := s.oldStatus.GetCluster(c.Name); {
		case rs != nil:
			c.Revision = rs.revisions[c.Name]
		case stored != nil:
			c.Revision = stored.Revision
		}
	}
}

// waits reports whether a placed cluster whose copy is up to date with its
// plan runs an older revision than the rollout's target: its turn has not
// come (or the rollout is paused or stalled before it).
func (rs *rolloutScope) waits(cluster string) bool {
	return rs != nil && rs.revisions[cluster] != rs.target
}

// readiness says what the rollout planned in this reconcile means for the
// object's readiness conditions (docs/rollout.md, "Conditions"): nil when
// it was not planned. waiting are the placed clusters that wait for their
// turn, by name.
func (rs *rolloutScope) readiness(waiting []string) *readiness.Rollout {
	if rs == nil || rs.state == nil {
		return nil
	}
	st := rs.state
	out := &readiness.Rollout{Phase: st.Phase, Reason: st.Reason}
	if st.Reason == fedtypesv1b1.RolloutReasonRevisionNotFound {
		// The message says what to do: name a kept revision, or remove
		// rollbackTo.
		out.Message = "rollout stopped: " + st.Message
		return out
	}
	behind := rs.behind(waiting)
	switch st.Phase {
	case fedtypesv1b1.RolloutPhaseProgressing:
		out.Message = fmt.Sprintf("rollout of revision %d in progress: %s%s", rs.target, st.Message, behind)
	case fedtypesv1b1.RolloutPhasePaused:
		out.Message = fmt.Sprintf("rollout of revision %d %s%s: 'kubefedctl rollout resume' continues it (spec.rollout.paused: false)",
			rs.target, st.Message, behind)
	case fedtypesv1b1.RolloutPhaseStalled:
		out.Message = fmt.Sprintf("rollout of revision %d stopped (%s): %s%s: %s", rs.target, st.Reason, st.Message, behind, rs.stallHint())
	}
	return out
}

// behind names the clusters that wait for their turn and the revision each
// runs, e.g. "; not updated yet: member2 (runs revision 1)".
func (rs *rolloutScope) behind(waiting []string) string {
	if len(waiting) == 0 {
		return ""
	}
	var parts []string
	for _, c := range waiting[:min(len(waiting), maxWaitingNamed)] {
		if n := rs.revisions[c]; n != 0 {
			parts = append(parts, fmt.Sprintf("%s (runs revision %d)", c, n))
		} else {
			parts = append(parts, c+" (no copy)")
		}
	}
	if more := len(waiting) - maxWaitingNamed; more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return "; not updated yet: " + strings.Join(parts, ", ")
}

// stallHint says what to do about a stopped rollout: fix the clusters and
// retry the wave, or go back.
func (rs *rolloutScope) stallHint() string {
	hint := "fix the clusters named, then 'kubefedctl rollout resume' retries the wave"
	if cur := rs.state.CurrentRevision; cur != 0 && cur != rs.target {
		hint += fmt.Sprintf(", or 'kubefedctl rollout undo' goes back to revision %d", cur)
	} else {
		hint += ", or 'kubefedctl rollout undo --to-revision N' goes back to an earlier revision"
	}
	if rs.strategy.RollbackTo != nil {
		hint += ", or removing spec.rollout.rollbackTo rolls the spec out again"
	}
	return hint
}
