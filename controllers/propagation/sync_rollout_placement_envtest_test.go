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

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

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
	const name = "cfg"
	spec := func(version string, placed ...string) map[string]any {
		return map[string]any{
			"template":  map[string]any{"data": map[string]any{"version": version}},
			"placement": map[string]any{"clusters": e.placed(placed...)},
		}
	}
	// Revision 1 selects its clusters by label: ring early is member1 and
	// member2.
	first := spec("v1")
	first["placement"] = map[string]any{"clusterSelector": map[string]any{"matchLabels": map[string]any{"ring": "early"}}}
	mustCreate(t, e.host, e.r.fedObject(rolloutNamespace, name, withRollout(first)))
	// setSpec replaces the template and placement, and sets or removes
	// rollbackTo (0: removed).
	setSpec := func(s map[string]any, rollbackTo int64) {
		t.Helper()
		e.update(name, func(obj *unstructured.Unstructured) error {
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
	// copies returns each member's copy: its version and resourceVersion
	// (absent: no copy).
	copies := func() map[string][2]string {
		t.Helper()
		out := map[string][2]string{}
		for _, m := range names {
			cm := &corev1.ConfigMap{}
			switch err := e.members[m].Get(t.Context(), types.NamespacedName{Namespace: rolloutNamespace, Name: name}, cm); {
			case err == nil:
				out[m] = [2]string{cm.Data["version"], cm.ResourceVersion}
			case client.IgnoreNotFound(err) != nil:
				t.Fatal(err)
			}
		}
		return out
	}
	expect := func(step string, want map[string]string) map[string][2]string {
		t.Helper()
		got := copies()
		for _, m := range names {
			if got[m][0] != want[m] {
				t.Errorf("%s: %s runs %q, want %q (\"\": no copy)", step, m, got[m][0], want[m])
			}
		}
		return got
	}
	complete := func(step string, revision int64) *fedtypesv1b1.GenericFederatedStatus {
		t.Helper()
		status, _ := e.reconcileUntil(step, name, func(s *fedtypesv1b1.GenericFederatedStatus) bool {
			return s.Rollout != nil && s.Rollout.Phase == fedtypesv1b1.RolloutPhaseComplete && s.Rollout.CurrentRevision == revision
		})
		return status
	}

	// Revision 1 (v1 in member1 and member2), then revision 2 adds member3.
	e.reconcile("finalizer", name)
	complete("revision 1", 1)
	expect("revision 1", map[string]string{"member1": "v1", "member2": "v1"})
	setSpec(spec("v2", names...), 0)
	e.reconcile("revision 2, wave canary", name)
	expect("revision 2, wave canary", map[string]string{"member1": "v2", "member2": "v1"})
	complete("revision 2", 2)
	expect("revision 2", map[string]string{"member1": "v2", "member2": "v2", "member3": "v2"})

	// rollbackTo 1: member3, which revision 1's selector does not select,
	// loses its copy at once; member1 and member2 go back to v1 in their waves.
	setSpec(nil, 1)
	e.reconcile("undo to 1, wave canary", name)
	expect("undo to 1, wave canary", map[string]string{"member1": "v1", "member2": "v2"})
	status := complete("undo to 1", 1)
	expect("undo to 1", map[string]string{"member1": "v1", "member2": "v1"})
	if c := status.GetCluster("member3"); c != nil {
		t.Errorf("undo to 1: status.clusters[member3] = %+v, want none (not placed by revision 1)", c)
	}

	// Revision 3 (v3 in member1 only) rolls forward; then rollbackTo 2
	// places member2 and member3 again: each gets v2 when its wave comes.
	setSpec(spec("v3", "member1"), 0)
	complete("revision 3", 3)
	expect("revision 3", map[string]string{"member1": "v3"})
	setSpec(nil, 2)
	_, status, _ = e.reconcile("undo to 2, wave canary", name)
	expect("undo to 2, wave canary", map[string]string{"member1": "v2"})
	if ro := status.Rollout; ro == nil || ro.Phase != fedtypesv1b1.RolloutPhaseProgressing || ro.CurrentWaveName != "canary" || ro.UpdateRevision != 2 {
		t.Errorf("undo to 2, wave canary: status.rollout = %+v, want Progressing to revision 2 at wave canary", ro)
	}
	complete("undo to 2", 2)
	undone := expect("undo to 2", map[string]string{"member1": "v2", "member2": "v2", "member3": "v2"})

	// A rollbackTo naming a missing revision writes and removes nothing.
	setSpec(nil, 99)
	_, status, _ = e.reconcile("missing revision", name)
	if got := copies(); !maps.Equal(got, undone) {
		t.Errorf("missing revision: copies %v, want them untouched %v", got, undone)
	}
	if ro := status.Rollout; ro == nil || ro.Reason != fedtypesv1b1.RolloutReasonRevisionNotFound {
		t.Errorf("missing revision: status.rollout = %+v, want Stalled/RevisionNotFound", ro)
	}

	// rollbackTo removed: the spec's revision 3 again, member2 and member3
	// lose their copies at once.
	setSpec(nil, 0)
	e.reconcile("forward to 3, wave canary", name)
	expect("forward to 3, wave canary", map[string]string{"member1": "v3"})
	complete("forward to 3", 3)
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
