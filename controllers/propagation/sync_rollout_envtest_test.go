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
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// TestRolloutAgainstAPIServers rolls a FederatedConfigMap with spec.rollout
// out to a host and three member API servers, in the waves of the worked
// example of docs/rollout.md: member1 (wave canary), member2 (selected by
// its region label, wave europe), member3 (in no wave: remaining), with a
// soak time. A ConfigMap is Current as soon as it exists, so each wave's
// gate is its soak. The members' own resourceVersions show which copies
// were written.
func TestRolloutAgainstAPIServers(t *testing.T) {
	names := []string{"member1", "member2", "member3"}
	e := newRolloutEnv(t, "", "ConfigMap", "types.kubefed.io_federatedconfigmaps.yaml", names,
		map[string]map[string]string{"member2": {"region": "europe"}})
	ctx := t.Context()
	const ns = rolloutNamespace
	host, members, r := e.host, e.members, e.r
	placed := e.placed(names...)
	fedObj := r.fedObject(ns, "cfg", map[string]any{
		"template":  map[string]any{"data": map[string]any{"version": "v1"}},
		"placement": map[string]any{"clusters": placed},
		"rollout": map[string]any{
			"waves": []any{
				map[string]any{"name": "canary", "clusters": []any{map[string]any{"name": "member1"}}},
				map[string]any{"name": "europe", "clusterSelector": map[string]any{"matchLabels": map[string]any{"region": "europe"}}},
			},
			"soakTime": "3s",
		},
	})
	mustCreate(t, host, fedObj)
	key := client.ObjectKeyFromObject(fedObj)

	reconcile := func(step string) (ctrl.Result, *unstructured.Unstructured, *fedtypesv1b1.GenericFederatedStatus) {
		t.Helper()
		res, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: key})
		if err != nil {
			t.Fatalf("%s: reconcile: %v", step, err)
		}
		got := r.fedObject(ns, "cfg", nil)
		if err := host.Get(ctx, key, got); err != nil {
			t.Fatal(err)
		}
		status, err := fedtypesv1b1.GetStatus(got)
		if err != nil {
			t.Fatal(err)
		}
		return res, got, status
	}
	// copies returns each member's copy: its data's version and its
	// resourceVersion ("" when there is none).
	type copyState struct{ version, resourceVersion string }
	copies := func() map[string]copyState {
		t.Helper()
		out := map[string]copyState{}
		for _, name := range names {
			cm := &corev1.ConfigMap{}
			switch err := members[name].Get(ctx, types.NamespacedName{Namespace: ns, Name: "cfg"}, cm); {
			case err == nil:
				out[name] = copyState{cm.Data["version"], cm.ResourceVersion}
			case client.IgnoreNotFound(err) != nil:
				t.Fatal(err)
			}
		}
		return out
	}
	expect := func(step string, want map[string]string, unwritten map[string]copyState) map[string]copyState {
		t.Helper()
		got := copies()
		for _, name := range names {
			if got[name].version != want[name] {
				t.Errorf("%s: %s runs %q, want %q", step, name, got[name].version, want[name])
			}
			if before, ok := unwritten[name]; ok && got[name] != before {
				t.Errorf("%s: %s was written (resourceVersion %s -> %s), want no write", step, name, before.resourceVersion, got[name].resourceVersion)
			}
		}
		return got
	}
	expectRollout := func(step string, status *fedtypesv1b1.GenericFederatedStatus, phase fedtypesv1b1.RolloutPhase, reason fedtypesv1b1.RolloutReason, wave string, revisions map[string]int64) {
		t.Helper()
		ro := status.Rollout
		if ro == nil || ro.Phase != phase || ro.Reason != reason || ro.CurrentWaveName != wave {
			t.Errorf("%s: status.rollout = %+v, want %s/%s at wave %s", step, ro, phase, reason, wave)
		}
		for name, want := range revisions {
			if c := status.GetCluster(name); c == nil || c.Revision != want {
				t.Errorf("%s: status.clusters[%s] = %+v, want revision %d", step, name, c, want)
			}
		}
	}

	// The first revision goes everywhere at once (rule 1).
	reconcile("finalizer and first revision")
	_, stored, status := reconcile("first revision")
	v1 := expect("first revision", map[string]string{"member1": "v1", "member2": "v1", "member3": "v1"}, nil)
	expectRollout("first revision", status, fedtypesv1b1.RolloutPhaseComplete, fedtypesv1b1.RolloutReasonInitialRevision, fedtypesv1b1.RemainingWaveName,
		map[string]int64{"member1": 1, "member2": 1, "member3": 1})
	if _, again, _ := reconcile("idle"); again.GetResourceVersion() != stored.GetResourceVersion() {
		t.Errorf("an idle reconcile wrote the federated object (resourceVersion %s -> %s)", stored.GetResourceVersion(), again.GetResourceVersion())
	}
	expect("idle", map[string]string{"member1": "v1", "member2": "v1", "member3": "v1"}, v1)

	// A new version: revision 2 goes to the canary only.
	setVersion := func(version string) {
		t.Helper()
		obj := r.fedObject(ns, "cfg", nil)
		if err := host.Get(ctx, key, obj); err != nil {
			t.Fatal(err)
		}
		if err := unstructured.SetNestedField(obj.Object, version, "spec", "template", "data", "version"); err != nil {
			t.Fatal(err)
		}
		if err := host.Update(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	setVersion("v2")
	_, _, status = reconcile("wave canary")
	canary := expect("wave canary", map[string]string{"member1": "v2", "member2": "v1", "member3": "v1"},
		map[string]copyState{"member2": v1["member2"], "member3": v1["member3"]})
	expectRollout("wave canary", status, fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveInProgress, "canary",
		map[string]int64{"member1": 2, "member2": 1, "member3": 1})
	// Until every wave runs it, the object is not Ready.
	checkConditions(t, "wave canary", status, corev1.ConditionFalse, fedtypesv1b1.ReconcilingPropagating, "")

	// member1's copy is Current: the canary soaks; nothing else is written.
	res, _, status := reconcile("canary soaking")
	expect("canary soaking", map[string]string{"member1": "v2", "member2": "v1", "member3": "v1"}, canary)
	expectRollout("canary soaking", status, fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveSoaking, "canary", nil)
	if res.RequeueAfter <= 0 || res.RequeueAfter > 3*time.Second {
		t.Errorf("canary soaking: requeue after %s, want the rest of the 3s soak", res.RequeueAfter)
	}

	// The soak over: wave europe (member2) gets revision 2, member3 not.
	waitSoak(t, "wave europe", reconcile, func() bool { return copies()["member2"].version == "v2" })
	expect("wave europe", map[string]string{"member1": "v2", "member2": "v2", "member3": "v1"},
		map[string]copyState{"member1": canary["member1"], "member3": v1["member3"]})
	_, _, status = reconcile("europe soaking")
	expectRollout("europe soaking", status, fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveSoaking, "europe",
		map[string]int64{"member1": 2, "member2": 2, "member3": 1})

	// Then the remaining wave, and the rollout is complete.
	waitSoak(t, "wave remaining", reconcile, func() bool { return copies()["member3"].version == "v2" })
	_, stored, status = reconcile("complete")
	done := expect("complete", map[string]string{"member1": "v2", "member2": "v2", "member3": "v2"}, nil)
	expectRollout("complete", status, fedtypesv1b1.RolloutPhaseComplete, fedtypesv1b1.RolloutReasonComplete, fedtypesv1b1.RemainingWaveName,
		map[string]int64{"member1": 2, "member2": 2, "member3": 2})
	if status.Rollout.CurrentRevision != 2 || status.Rollout.PreviousRevision != 1 {
		t.Errorf("complete: status.rollout = %+v, want currentRevision 2, previousRevision 1", status.Rollout)
	}
	checkConditions(t, "complete", status, corev1.ConditionTrue, "", "")
	if _, again, _ := reconcile("idle after the rollout"); again.GetResourceVersion() != stored.GetResourceVersion() {
		t.Errorf("an idle reconcile wrote the federated object (resourceVersion %s -> %s)", stored.GetResourceVersion(), again.GetResourceVersion())
	}
	expect("idle after the rollout", map[string]string{"member1": "v2", "member2": "v2", "member3": "v2"}, done)

	// The revisions are ControllerRevisions in the object's namespace.
	revs := &appsv1.ControllerRevisionList{}
	if err := host.List(ctx, revs, client.InNamespace(ns), client.MatchingLabels{fedtypesv1b1.RevisionFederatedUIDLabel: string(stored.GetUID())}); err != nil {
		t.Fatal(err)
	}
	var numbers []int64
	for _, rev := range revs.Items {
		numbers = append(numbers, rev.Revision)
	}
	if len(numbers) != 2 {
		t.Errorf("revisions %v, want 1 and 2", numbers)
	}

	// rollbackTo a revision the history does not have: Stalled, no write.
	setRollbackTo := func(revision int64) {
		t.Helper()
		obj := r.fedObject(ns, "cfg", nil)
		if err := host.Get(ctx, key, obj); err != nil {
			t.Fatal(err)
		}
		if err := unstructured.SetNestedField(obj.Object, map[string]any{"revision": revision}, "spec", "rollout", "rollbackTo"); err != nil {
			t.Fatal(err)
		}
		if err := host.Update(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	setRollbackTo(9)
	_, _, status = reconcile("missing revision")
	expect("missing revision", map[string]string{"member1": "v2", "member2": "v2", "member3": "v2"}, done)
	if ro := status.Rollout; ro == nil || ro.Phase != fedtypesv1b1.RolloutPhaseStalled || ro.Reason != fedtypesv1b1.RolloutReasonRevisionNotFound {
		t.Errorf("missing revision: status.rollout = %+v, want Stalled/RevisionNotFound", ro)
	}

	// Undo to revision 1: in waves too, the canary first.
	setRollbackTo(1)
	_, _, status = reconcile("undo, wave canary")
	expect("undo, wave canary", map[string]string{"member1": "v1", "member2": "v2", "member3": "v2"},
		map[string]copyState{"member2": done["member2"], "member3": done["member3"]})
	expectRollout("undo, wave canary", status, fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveInProgress, "canary",
		map[string]int64{"member1": 1, "member2": 2, "member3": 2})
}

// waitSoak reconciles until ready holds (a soak ended and the next wave
// was written), for at most 15 s.
func waitSoak(t *testing.T, step string, reconcile func(string) (ctrl.Result, *unstructured.Unstructured, *fedtypesv1b1.GenericFederatedStatus), ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		reconcile(fmt.Sprintf("%s (%d)", step, i))
		if ready() {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s: not reached within 15s", step)
}

// TestRolloutGateAndStopAgainstAPIServers rolls a FederatedDeployment out in
// two waves (member1, then member2) with a host and two member API
// servers. No Deployment controller runs in the members: the test writes
// the copy's status as one would. The next wave waits for member1's copy to
// be available; a version that does not become available stops the
// rollout at the progress deadline, naming member1, and member2 never sees
// it.
func TestRolloutGateAndStopAgainstAPIServers(t *testing.T) {
	names := []string{"member1", "member2"}
	e := newRolloutEnv(t, "apps", "Deployment", "types.kubefed.io_federateddeployments.yaml", names, nil)
	ctx := t.Context()
	const ns = rolloutNamespace
	host, r := e.host, e.r
	placed := e.placed(names...)
	template := webTemplate
	fedObj := r.fedObject(ns, "web", map[string]any{
		"template":  template("web:v1"),
		"placement": map[string]any{"clusters": placed},
		"rollout": map[string]any{
			"waves":            []any{map[string]any{"name": "canary", "clusters": []any{map[string]any{"name": "member1"}}}},
			"progressDeadline": "3s",
		},
	})
	mustCreate(t, host, fedObj)
	key := client.ObjectKeyFromObject(fedObj)

	reconcile := func(step string) *fedtypesv1b1.GenericFederatedStatus {
		t.Helper()
		if _, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: key}); err != nil {
			t.Fatalf("%s: reconcile: %v", step, err)
		}
		got := r.fedObject(ns, "web", nil)
		if err := host.Get(ctx, key, got); err != nil {
			t.Fatal(err)
		}
		status, err := fedtypesv1b1.GetStatus(got)
		if err != nil {
			t.Fatal(err)
		}
		return status
	}
	copyOf := func(name string) *appsv1.Deployment {
		t.Helper()
		dep := e.deployment(name, "web")
		if dep == nil {
			t.Fatalf("no copy in %s", name)
		}
		return dep
	}
	image := func(name string) string { return copyOf(name).Spec.Template.Spec.Containers[0].Image }
	// available writes the status a Deployment controller writes once the
	// copy's replica is available.
	available := func(name string) { e.setDeploymentStatus(name, "web", true) }
	setImage := func(img string) {
		t.Helper()
		obj := r.fedObject(ns, "web", nil)
		if err := host.Get(ctx, key, obj); err != nil {
			t.Fatal(err)
		}
		if err := unstructured.SetNestedField(obj.Object, template(img), "spec", "template"); err != nil {
			t.Fatal(err)
		}
		if err := host.Update(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}

	reconcile("finalizer")
	reconcile("first revision")
	for _, name := range names {
		if got := image(name); got != "web:v1" {
			t.Fatalf("first revision: %s runs %s, want web:v1", name, got)
		}
		available(name)
	}
	reconcile("first revision available")

	// v2 goes to member1; member2 is not written while member1's copy is
	// not available, however often the object is reconciled.
	setImage("web:v2")
	before := copyOf("member2").ResourceVersion
	for i := range 3 {
		reconcile(fmt.Sprintf("wave canary (%d)", i))
	}
	if got := image("member1"); got != "web:v2" {
		t.Errorf("wave canary: member1 runs %s, want web:v2", got)
	}
	if got := copyOf("member2"); got.ResourceVersion != before {
		t.Errorf("wave canary: member2 was written (resourceVersion %s -> %s) before member1 was available", before, got.ResourceVersion)
	}
	available("member1")
	var status *fedtypesv1b1.GenericFederatedStatus
	for i := range 3 {
		status = reconcile(fmt.Sprintf("gate passed (%d)", i))
	}
	if got := image("member2"); got != "web:v2" {
		t.Errorf("gate passed: member2 runs %s, want web:v2", got)
	}
	if ro := status.Rollout; ro == nil || ro.Phase != fedtypesv1b1.RolloutPhaseProgressing || ro.CurrentWaveName != fedtypesv1b1.RemainingWaveName {
		t.Errorf("gate passed: status.rollout = %+v, want Progressing at wave remaining (member2's copy is not available yet)", ro)
	}
	available("member2")
	reconcile("v2 available")
	if ro := reconcile("complete").Rollout; ro == nil || ro.Phase != fedtypesv1b1.RolloutPhaseComplete || ro.CurrentRevision != 2 || ro.PreviousRevision != 1 {
		t.Errorf("complete: status.rollout = %+v, want Complete at revision 2 after 1", ro)
	}

	// v3 never becomes available in member1: the rollout stops at the
	// deadline and member2 keeps v2.
	setImage("web:v3")
	before = copyOf("member2").ResourceVersion
	reconcile("bad version, wave canary")
	time.Sleep(3500 * time.Millisecond)
	status = reconcile("deadline passed")
	status = reconcile("stalled")
	if got := image("member1"); got != "web:v3" {
		t.Errorf("bad version: member1 runs %s, want web:v3", got)
	}
	if got := copyOf("member2"); got.ResourceVersion != before {
		t.Errorf("bad version: member2 was written (resourceVersion %s -> %s)", before, got.ResourceVersion)
	}
	ro := status.Rollout
	if ro == nil || ro.Phase != fedtypesv1b1.RolloutPhaseStalled || ro.Reason != fedtypesv1b1.RolloutReasonProgressDeadlineExceeded || !strings.Contains(ro.Message, "member1") {
		t.Errorf("bad version: status.rollout = %+v, want Stalled/ProgressDeadlineExceeded naming member1", ro)
	}
	if c := status.GetCluster("member2"); c == nil || c.Revision != 2 {
		t.Errorf("bad version: status.clusters[member2] = %+v, want revision 2", c)
	}
}
