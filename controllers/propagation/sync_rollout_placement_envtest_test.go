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
	"maps"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// TestRollbackToPlacementAgainstAPIServers checks, with a host and three
// member API servers, that rollbackTo runs the revision's whole content,
// its placement included (docs/rollout.md, "rollbackTo.revision"): a
// cluster the revision does not place loses its copy at once (removals are
// not gated), a cluster it places gets the revision when its wave comes,
// and a rollbackTo naming a missing revision removes no copy either.
// member1 is wave canary, member2 (region europe) wave europe, member3 in
// no wave (remaining); a ConfigMap is Current once it exists. Revision 1
// places by label, the others by name.
func TestRollbackToPlacementAgainstAPIServers(t *testing.T) {
	names := []string{"member1", "member2", "member3"}
	e := newRolloutEnv(t, "", "ConfigMap", "types.kubefed.io_federatedconfigmaps.yaml", names,
		map[string]map[string]string{"member1": {"ring": "early"}, "member2": {"region": "europe", "ring": "early"}})
	p := placementRollout{e}
	// Revision 1 selects its clusters by label: ring early is member1 and
	// member2.
	first := p.spec("v1")
	first["placement"] = map[string]any{"clusterSelector": map[string]any{"matchLabels": map[string]any{"ring": "early"}}}
	mustCreate(t, e.host, e.r.fedObject(rolloutNamespace, "cfg", withRollout(first)))

	p.stepRevisions1And2()
	p.stepUndoRemovesUnplaced()
	undone := p.stepUndoPlacesAgain()
	p.stepMissingRevisionAndForward(undone)
}

// placementRollout is the FederatedConfigMap cfg of
// TestRollbackToPlacementAgainstAPIServers in its rolloutEnv.
type placementRollout struct{ *rolloutEnv }

// spec is a spec of cfg: the template running version, placed in the
// clusters named.
func (p placementRollout) spec(version string, placed ...string) map[string]any {
	return map[string]any{
		"template":  map[string]any{"data": map[string]any{"version": version}},
		"placement": map[string]any{"clusters": p.placed(placed...)},
	}
}

// setSpec replaces the template and placement (s nil: unchanged), and sets
// or removes rollbackTo (0: removed).
func (p placementRollout) setSpec(s map[string]any, rollbackTo int64) {
	p.t.Helper()
	p.update("cfg", func(obj *unstructured.Unstructured) error {
		if rollbackTo == 0 {
			unstructured.RemoveNestedField(obj.Object, "spec", "rollout", "rollbackTo")
		} else if err := unstructured.SetNestedField(obj.Object, map[string]any{"revision": rollbackTo}, "spec", "rollout", "rollbackTo"); err != nil {
			return err
		}
		if s == nil {
			return nil
		}
		maps.Copy(obj.Object["spec"].(map[string]any), s)
		return nil
	})
}

// expect checks the members' copies of cfg (expectCopies).
func (p placementRollout) expect(step string, want map[string]string) map[string]copyState {
	p.t.Helper()
	return p.expectCopies(step, "cfg", want, nil)
}

// complete reconciles cfg until its rollout is complete at revision.
func (p placementRollout) complete(step string, revision int64) *fedtypesv1b1.GenericFederatedStatus {
	p.t.Helper()
	status, _ := p.reconcileUntil(step, "cfg", func(s *fedtypesv1b1.GenericFederatedStatus) bool {
		return s.Rollout != nil && s.Rollout.Phase == fedtypesv1b1.RolloutPhaseComplete && s.Rollout.CurrentRevision == revision
	})
	return status
}

// stepRevisions1And2: revision 1 (v1 in member1 and member2), then
// revision 2 adds member3.
func (p placementRollout) stepRevisions1And2() {
	p.reconcile("finalizer", "cfg")
	p.complete("revision 1", 1)
	p.expect("revision 1", map[string]string{"member1": "v1", "member2": "v1"})
	p.setSpec(p.spec("v2", p.names...), 0)
	p.reconcile("revision 2, wave canary", "cfg")
	p.expect("revision 2, wave canary", map[string]string{"member1": "v2", "member2": "v1"})
	p.complete("revision 2", 2)
	p.expect("revision 2", map[string]string{"member1": "v2", "member2": "v2", "member3": "v2"})
}

// stepUndoRemovesUnplaced: rollbackTo 1; member3, which revision 1's
// selector does not select, loses its copy at once; member1 and member2 go
// back to v1 in their waves.
func (p placementRollout) stepUndoRemovesUnplaced() {
	p.setSpec(nil, 1)
	p.reconcile("undo to 1, wave canary", "cfg")
	p.expect("undo to 1, wave canary", map[string]string{"member1": "v1", "member2": "v2"})
	status := p.complete("undo to 1", 1)
	p.expect("undo to 1", map[string]string{"member1": "v1", "member2": "v1"})
	if c := status.GetCluster("member3"); c != nil {
		p.t.Errorf("undo to 1: status.clusters[member3] = %+v, want none (not placed by revision 1)", c)
	}
}

// stepUndoPlacesAgain: revision 3 (v3 in member1 only) rolls forward; then
// rollbackTo 2 places member2 and member3 again: each gets v2 when its
// wave comes. It returns the copies.
func (p placementRollout) stepUndoPlacesAgain() map[string]copyState {
	p.setSpec(p.spec("v3", "member1"), 0)
	p.complete("revision 3", 3)
	p.expect("revision 3", map[string]string{"member1": "v3"})
	p.setSpec(nil, 2)
	_, status, _ := p.reconcile("undo to 2, wave canary", "cfg")
	p.expect("undo to 2, wave canary", map[string]string{"member1": "v2"})
	if ro := status.Rollout; ro == nil || ro.Phase != fedtypesv1b1.RolloutPhaseProgressing || ro.CurrentWaveName != "canary" || ro.UpdateRevision != 2 {
		p.t.Errorf("undo to 2, wave canary: status.rollout = %+v, want Progressing to revision 2 at wave canary", ro)
	}
	p.complete("undo to 2", 2)
	return p.expect("undo to 2", map[string]string{"member1": "v2", "member2": "v2", "member3": "v2"})
}

// stepMissingRevisionAndForward: a rollbackTo naming a missing revision
// writes and removes nothing; with rollbackTo removed, the spec's revision
// 3 again, member2 and member3 lose their copies at once.
func (p placementRollout) stepMissingRevisionAndForward(undone map[string]copyState) {
	p.setSpec(nil, 99)
	_, status, _ := p.reconcile("missing revision", "cfg")
	if got := p.configMapCopies("cfg"); !maps.Equal(got, undone) {
		p.t.Errorf("missing revision: copies %v, want them untouched %v", got, undone)
	}
	if ro := status.Rollout; ro == nil || ro.Reason != fedtypesv1b1.RolloutReasonRevisionNotFound {
		p.t.Errorf("missing revision: status.rollout = %+v, want Stalled/RevisionNotFound", ro)
	}

	p.setSpec(nil, 0)
	p.reconcile("forward to 3, wave canary", "cfg")
	p.expect("forward to 3, wave canary", map[string]string{"member1": "v3"})
	p.complete("forward to 3", 3)
}

// withRollout adds the rollout of TestRollbackToPlacementAgainstAPIServers
// to a spec: waves canary (member1) and europe (region europe), a short
// soak.
func withRollout(spec map[string]any) map[string]any {
	rollout := map[string]any{
		"waves": []any{
			map[string]any{"name": "canary", "clusters": []any{map[string]any{"name": "member1"}}},
			map[string]any{"name": "europe", "clusterSelector": map[string]any{"matchLabels": map[string]any{"region": "europe"}}},
		},
		"soakTime": "1s",
	}
	spec["rollout"] = rollout
	return spec
}
