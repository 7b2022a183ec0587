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

package kubefedctl_test

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
)

// The steps of TestRolloutCommands on the revisions of an object: history,
// undo, and both of a cluster-scoped object.

func testRolloutHistory(t *testing.T, e *rolloutEnv) {
	e.stalled(t, "web")
	out, err := e.run(t, "rollout", "history", "FederatedDeployment", "web", "-n", "default")
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, out,
		row("REVISION", "HASH", "AGE", "ROLE", "CLUSTERS"),
		row("1", "[0-9a-f]{10}", `\S+`, "previous", "-"),
		row("2", "[0-9a-f]{10}", `\S+`, "current", "member2,member3"),
		row("3", "[0-9a-f]{10}", `\S+`, "update", "member1"),
	)
}

// testRolloutUndo runs its steps in order, each on the spec and status the
// step before it left.
func testRolloutUndo(t *testing.T, e *rolloutEnv) {
	undoStalled(t, e)
	undoComplete(t, e)
	undoToRevision(t, e)
	undoRefused(t, e)
	undoStale(t, e)
}

// undoStalled: stalled at revision 3, undo goes back to the current
// revision, 2.
func undoStalled(t *testing.T, e *rolloutEnv) {
	e.stalled(t, "web")
	before := e.get(t, "web")
	kubefedctltest.WantContains(t, e.mustRun(t, "rollout", "undo", "FederatedDeployment", "web", "-n", "default"),
		"FederatedDeployment default/web rolled back to revision 2")
	after := e.get(t, "web")
	if got := imageOf(t, after); got != "web:v2" {
		t.Errorf("undo of a stalled rollout: image %s, want web:v2", got)
	}
	if after.GetGeneration() != before.GetGeneration()+1 {
		t.Errorf("undo: generation %d, want %d", after.GetGeneration(), before.GetGeneration()+1)
	}
	if waves, _, _ := unstructured.NestedSlice(after.Object, "spec", "rollout", "waves"); len(waves) != 2 {
		t.Errorf("undo changed spec.rollout: waves %v", waves)
	}
	// Undo again: the spec already holds revision 2.
	kubefedctltest.WantContains(t, e.mustRun(t, "rollout", "undo", "FederatedDeployment", "web", "-n", "default"),
		"already holds the content of revision 2: nothing changed")
}

// undoComplete: complete at revision 2 (previous 1), undo goes back to 1;
// then a --dry-run writes nothing.
func undoComplete(t *testing.T, e *rolloutEnv) {
	e.setStatus(t, "web", map[string]any{"currentRevision": 2, "previousRevision": 1, "updateRevision": 2, "phase": "Complete", "reason": "RolloutComplete"}, nil, nil)
	e.mustRun(t, "rollout", "undo", "fdeploy", "web", "-n", "default")
	obj := e.get(t, "web")
	if got := imageOf(t, obj); got != "web:v1" {
		t.Errorf("undo of a complete rollout: image %s, want web:v1", got)
	}
	// The placement and overrides of revision 1 are back too.
	if names, _ := fedtypesv1b1.GetPlacementClusterNames(obj); !slices.Equal(names, []string{"member1", "member2"}) {
		t.Errorf("undo to revision 1: placement %v, want member1, member2", names)
	}
	if overrides, _ := fedtypesv1b1.GetOverrides(obj); len(overrides) != 1 || overrides[0].ClusterName != "member2" ||
		len(overrides[0].ClusterOverrides) != 1 || string(overrides[0].ClusterOverrides[0].Value.Raw) != "5" {
		t.Errorf("undo to revision 1: overrides %+v", overrides)
	}

	// --dry-run writes nothing.
	kubefedctltest.WantContains(t, e.mustRun(t, "rollout", "undo", "fdeploy", "web", "-n", "default", "--to-revision", "2", "--dry-run"), "(dry run)")
	if got := e.get(t, "web"); got.GetResourceVersion() != obj.GetResourceVersion() || imageOf(t, got) != "web:v1" {
		t.Errorf("undo --dry-run wrote: image %s", imageOf(t, got))
	}
}

// undoToRevision: --to-revision, with a rollbackTo pin that undo removes.
func undoToRevision(t *testing.T, e *rolloutEnv) {
	obj := e.get(t, "web")
	if err := unstructured.SetNestedField(obj.Object, int64(1), "spec", "rollout", "rollbackTo", "revision"); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Update(t.Context(), obj); err != nil {
		t.Fatal(err)
	}
	kubefedctltest.WantContains(t, e.mustRun(t, "rollout", "undo", "FederatedDeployment", "web", "-n", "default", "--to-revision", "3"),
		"rolled back to revision 3", "spec.rollout.rollbackTo (revision 1) was removed")
	obj = e.get(t, "web")
	if _, found, _ := unstructured.NestedMap(obj.Object, "spec", "rollout", "rollbackTo"); found || imageOf(t, obj) != "web:v3" {
		t.Errorf("undo --to-revision 3: image %s, rollbackTo still there: %t", imageOf(t, obj), found)
	}
	if overrides, _ := fedtypesv1b1.GetOverrides(obj); len(overrides) != 0 {
		t.Errorf("undo to revision 3 (without overrides) left overrides %+v", overrides)
	}
	if names, _ := fedtypesv1b1.GetPlacementClusterNames(obj); len(names) != 3 {
		t.Errorf("undo to revision 3: placement %v, want the three members", names)
	}
}

// undoRefused: a revision that is not kept, and no previous revision to go
// back to.
func undoRefused(t *testing.T, e *rolloutEnv) {
	// A revision that is not kept: the error lists those that are.
	_, err := e.run(t, "rollout", "undo", "FederatedDeployment", "web", "-n", "default", "--to-revision", "7")
	if err == nil || !strings.Contains(err.Error(), "FederatedDeployment default/web has no revision 7: the revisions kept are 1, 2, 3; name one with --to-revision") {
		t.Errorf("undo --to-revision 7: %v", err)
	}

	// The first revision completed and nothing before it: undo says to
	// name one.
	e.setStatus(t, "web", map[string]any{"currentRevision": 3, "updateRevision": 3, "phase": "Complete", "reason": "InitialRevision"}, nil, nil)
	_, err = e.run(t, "rollout", "undo", "FederatedDeployment", "web", "-n", "default")
	if err == nil || !strings.Contains(err.Error(), "FederatedDeployment default/web has no previous revision") || !strings.Contains(err.Error(), "name one with --to-revision") {
		t.Errorf("undo without a previous revision: %v", err)
	}
}

// undoStale: with a stale resourceVersion the API server refuses the
// write and nothing changes.
func undoStale(t *testing.T, e *rolloutEnv) {
	stale := e.get(t, "web").GetResourceVersion()
	e.mustRun(t, "rollout", "pause", "FederatedDeployment", "web", "-n", "default")
	host := e.get(t, "web")
	err := kubefedctl.RolloutUndo(t.Context(), kubefedctl.RolloutUndoOptions{
		Ref:        refOf(t, e, "web"),
		ToRevision: 1, ResourceVersion: stale,
	})
	if err == nil || !strings.Contains(err.Error(), "FederatedDeployment default/web changed since resourceVersion "+stale+" was read: nothing was written") {
		t.Errorf("undo with a stale resourceVersion: %v", err)
	}
	if got := e.get(t, "web"); got.GetResourceVersion() != host.GetResourceVersion() || imageOf(t, got) != "web:v3" {
		t.Errorf("undo with a stale resourceVersion wrote: image %s", imageOf(t, got))
	}
}

// refOf names the FederatedDeployment name in default of e's host.
func refOf(t *testing.T, e *rolloutEnv, name string) kubefedctl.FederatedObjectRef {
	t.Helper()
	access, err := kubefedctl.LoadContext(e.kubeconfig, "")
	if err != nil {
		t.Fatal(err)
	}
	return kubefedctl.FederatedObjectRef{TypeName: "FederatedDeployment", Name: name, Namespace: "default", HostConfig: access.Config}
}

// clusterRole is a FederatedClusterRole that grants verbs on pods, placed
// in member1 and member2, rolled out canary (member1) first.
func clusterRole(verbs ...any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "types.kubefed.io/v1beta1",
		"kind":       "FederatedClusterRole",
		"metadata":   map[string]any{"name": "pod-reader"},
		"spec": map[string]any{
			"template":  map[string]any{"rules": []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"pods"}, "verbs": verbs}}},
			"placement": map[string]any{"clusters": []any{map[string]any{"name": "member1"}, map[string]any{"name": "member2"}}},
			"rollout":   map[string]any{"waves": []any{map[string]any{"name": "canary", "clusters": []any{map[string]any{"name": "member1"}}}}},
		},
	}}
}

func testRolloutClusterScoped(t *testing.T, e *rolloutEnv) {
	ctx := t.Context()
	kubefedctltest.InstallCRDFile(t, e.c, "config/crd/bases/types.kubefed.io_federatedclusterroles.yaml")
	obj := clusterRole("get", "list")
	if err := e.c.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	for number, verbs := range map[int64][]any{1: {"get"}, 2: {"get", "list"}} {
		if rev := e.createRevision(t, obj, contentOf(t, clusterRole(verbs...)), number); rev.Namespace != ns {
			t.Fatalf("revision of a cluster-scoped object in namespace %q, want %s", rev.Namespace, ns)
		}
	}
	obj.Object["status"] = map[string]any{"rollout": map[string]any{"observedGeneration": obj.GetGeneration(), "currentRevision": 2, "previousRevision": 1, "updateRevision": 2,
		"phase": "Complete", "reason": "RolloutComplete"}, "clusters": []any{map[string]any{"name": "member1", "revision": 2}, map[string]any{"name": "member2", "revision": 2}}}
	if err := e.c.Status().Update(ctx, obj); err != nil {
		t.Fatal(err)
	}
	out := e.mustRun(t, "rollout", "history", "FederatedClusterRole", "pod-reader")
	wantRows(t, out, row("1", "[0-9a-f]{10}", `\S+`, "previous", "-"), row("2", "[0-9a-f]{10}", `\S+`, "current", "member1,member2"))
	e.mustRun(t, "rollout", "undo", "FederatedClusterRole", "pod-reader")
	got := &unstructured.Unstructured{}
	got.SetGroupVersionKind(obj.GroupVersionKind())
	if err := e.c.Get(ctx, client.ObjectKey{Name: "pod-reader"}, got); err != nil {
		t.Fatal(err)
	}
	rules, _, _ := unstructured.NestedSlice(got.Object, "spec", "template", "rules")
	if len(rules) != 1 || !slices.Equal(rules[0].(map[string]any)["verbs"].([]any), []any{"get"}) {
		t.Errorf("undo of a cluster-scoped object to revision 1: rules %v, want verbs [get]", rules)
	}
}
