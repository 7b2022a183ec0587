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
	mustCreate(t, e.host, e.r.fedObject(rolloutNamespace, "cfg", map[string]any{
		"template":  map[string]any{"data": map[string]any{"version": "v1"}},
		"placement": map[string]any{"clusters": e.placed(names...)},
		"rollout": map[string]any{
			"waves": []any{
				map[string]any{"name": "canary", "clusters": []any{map[string]any{"name": "member1"}}},
				map[string]any{"name": "europe", "clusterSelector": map[string]any{"matchLabels": map[string]any{"region": "europe"}}},
			},
			"soakTime": "3s",
		},
	}))
	c := cfgRollout{e}
	v1 := c.stepFirstRevision()
	canary := c.stepCanaryWave(v1)
	done, stored := c.stepLaterWaves(v1, canary)
	c.stepRevisionsKept(stored)
	c.stepRollbackTo(done)
}

// cfgRollout is the FederatedConfigMap cfg of TestRolloutAgainstAPIServers
// in its rolloutEnv.
type cfgRollout struct{ *rolloutEnv }

// reconcile reconciles cfg once.
func (c cfgRollout) reconcile(step string) (ctrl.Result, *unstructured.Unstructured, *fedtypesv1b1.GenericFederatedStatus) {
	c.t.Helper()
	return c.reconcileOnce(step, "cfg")
}

// expect checks the members' copies of cfg (expectCopies).
func (c cfgRollout) expect(step string, want map[string]string, unwritten map[string]copyState) map[string]copyState {
	c.t.Helper()
	return c.expectCopies(step, "cfg", want, unwritten)
}

// expectRollout checks status.rollout's phase, reason and wave and the
// revision of each cluster of revisions.
func expectRollout(t *testing.T, step string, status *fedtypesv1b1.GenericFederatedStatus, phase fedtypesv1b1.RolloutPhase, reason fedtypesv1b1.RolloutReason, wave string, revisions map[string]int64) {
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

// stepFirstRevision: the first revision goes everywhere at once (rule 1);
// an idle reconcile writes nothing. It returns the copies.
func (c cfgRollout) stepFirstRevision() map[string]copyState {
	t := c.t
	c.reconcile("finalizer and first revision")
	_, stored, status := c.reconcile("first revision")
	v1 := c.expect("first revision", map[string]string{"member1": "v1", "member2": "v1", "member3": "v1"}, nil)
	expectRollout(t, "first revision", status, fedtypesv1b1.RolloutPhaseComplete, fedtypesv1b1.RolloutReasonInitialRevision, fedtypesv1b1.RemainingWaveName,
		map[string]int64{"member1": 1, "member2": 1, "member3": 1})
	_, again, _ := c.reconcile("idle")
	expectNoWrite(t, "idle", stored, again)
	c.expect("idle", map[string]string{"member1": "v1", "member2": "v1", "member3": "v1"}, v1)
	return v1
}

// stepCanaryWave: a new version, revision 2, goes to the canary only;
// member1's copy is Current, so the canary soaks and nothing else is
// written. It returns the copies.
func (c cfgRollout) stepCanaryWave(v1 map[string]copyState) map[string]copyState {
	t := c.t
	c.setSpec("cfg", "v2", "template", "data", "version")
	_, _, status := c.reconcile("wave canary")
	canary := c.expect("wave canary", map[string]string{"member1": "v2", "member2": "v1", "member3": "v1"},
		map[string]copyState{"member2": v1["member2"], "member3": v1["member3"]})
	expectRollout(t, "wave canary", status, fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveInProgress, "canary",
		map[string]int64{"member1": 2, "member2": 1, "member3": 1})
	// Until every wave runs it, the object is not Ready.
	checkConditions(t, "wave canary", status, corev1.ConditionFalse, fedtypesv1b1.ReconcilingPropagating, "")

	res, _, status := c.reconcile("canary soaking")
	c.expect("canary soaking", map[string]string{"member1": "v2", "member2": "v1", "member3": "v1"}, canary)
	expectRollout(t, "canary soaking", status, fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveSoaking, "canary", nil)
	if res.RequeueAfter <= 0 || res.RequeueAfter > 3*time.Second {
		t.Errorf("canary soaking: requeue after %s, want the rest of the 3s soak", res.RequeueAfter)
	}
	return canary
}

// stepLaterWaves: the soak over, wave europe (member2) gets revision 2,
// member3 not; then the remaining wave, and the rollout is complete; an
// idle reconcile writes nothing. It returns the copies and the object.
func (c cfgRollout) stepLaterWaves(v1, canary map[string]copyState) (map[string]copyState, *unstructured.Unstructured) {
	t := c.t
	waitSoak(t, "wave europe", c.reconcile, func() bool { return c.configMapCopies("cfg")["member2"].version == "v2" })
	c.expect("wave europe", map[string]string{"member1": "v2", "member2": "v2", "member3": "v1"},
		map[string]copyState{"member1": canary["member1"], "member3": v1["member3"]})
	_, _, status := c.reconcile("europe soaking")
	expectRollout(t, "europe soaking", status, fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveSoaking, "europe",
		map[string]int64{"member1": 2, "member2": 2, "member3": 1})

	waitSoak(t, "wave remaining", c.reconcile, func() bool { return c.configMapCopies("cfg")["member3"].version == "v2" })
	_, stored, status := c.reconcile("complete")
	done := c.expect("complete", map[string]string{"member1": "v2", "member2": "v2", "member3": "v2"}, nil)
	expectRollout(t, "complete", status, fedtypesv1b1.RolloutPhaseComplete, fedtypesv1b1.RolloutReasonComplete, fedtypesv1b1.RemainingWaveName,
		map[string]int64{"member1": 2, "member2": 2, "member3": 2})
	if status.Rollout.CurrentRevision != 2 || status.Rollout.PreviousRevision != 1 {
		t.Errorf("complete: status.rollout = %+v, want currentRevision 2, previousRevision 1", status.Rollout)
	}
	checkConditions(t, "complete", status, corev1.ConditionTrue, "", "")
	_, again, _ := c.reconcile("idle after the rollout")
	expectNoWrite(t, "idle after the rollout", stored, again)
	c.expect("idle after the rollout", map[string]string{"member1": "v2", "member2": "v2", "member3": "v2"}, done)
	return done, stored
}

// stepRevisionsKept: the revisions are ControllerRevisions in the
// object's namespace.
func (c cfgRollout) stepRevisionsKept(stored *unstructured.Unstructured) {
	revs := &appsv1.ControllerRevisionList{}
	if err := c.host.List(c.t.Context(), revs, client.InNamespace(rolloutNamespace),
		client.MatchingLabels{fedtypesv1b1.RevisionFederatedUIDLabel: string(stored.GetUID())}); err != nil {
		c.t.Fatal(err)
	}
	var numbers []int64
	for _, rev := range revs.Items {
		numbers = append(numbers, rev.Revision)
	}
	if len(numbers) != 2 {
		c.t.Errorf("revisions %v, want 1 and 2", numbers)
	}
}

// stepRollbackTo: rollbackTo a revision the history does not have is
// Stalled and writes nothing; the undo to revision 1 goes in waves too,
// the canary first.
func (c cfgRollout) stepRollbackTo(done map[string]copyState) {
	t := c.t
	c.setSpec("cfg", map[string]any{"revision": int64(9)}, "rollout", "rollbackTo")
	_, _, status := c.reconcile("missing revision")
	c.expect("missing revision", map[string]string{"member1": "v2", "member2": "v2", "member3": "v2"}, done)
	if ro := status.Rollout; ro == nil || ro.Phase != fedtypesv1b1.RolloutPhaseStalled || ro.Reason != fedtypesv1b1.RolloutReasonRevisionNotFound {
		t.Errorf("missing revision: status.rollout = %+v, want Stalled/RevisionNotFound", ro)
	}

	c.setSpec("cfg", map[string]any{"revision": int64(1)}, "rollout", "rollbackTo")
	_, _, status = c.reconcile("undo, wave canary")
	c.expect("undo, wave canary", map[string]string{"member1": "v1", "member2": "v2", "member3": "v2"},
		map[string]copyState{"member2": done["member2"], "member3": done["member3"]})
	expectRollout(t, "undo, wave canary", status, fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveInProgress, "canary",
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
	mustCreate(t, e.host, e.r.fedObject(rolloutNamespace, "web", map[string]any{
		"template":  webTemplate("web:v1"),
		"placement": map[string]any{"clusters": e.placed(names...)},
		"rollout": map[string]any{
			"waves":            []any{map[string]any{"name": "canary", "clusters": []any{map[string]any{"name": "member1"}}}},
			"progressDeadline": "3s",
		},
	}))
	w := webRollout{e}
	w.reconcile("finalizer")
	w.reconcile("first revision")
	for _, name := range names {
		if got := w.image(name); got != "web:v1" {
			t.Fatalf("first revision: %s runs %s, want web:v1", name, got)
		}
		w.available(name)
	}
	w.reconcile("first revision available")
	w.stepGate()
	w.stepProgressDeadline()
}

// webRollout is the FederatedDeployment web of
// TestRolloutGateAndStopAgainstAPIServers in its rolloutEnv.
type webRollout struct{ *rolloutEnv }

// reconcile reconciles web once and returns its status.
func (w webRollout) reconcile(step string) *fedtypesv1b1.GenericFederatedStatus {
	w.t.Helper()
	_, _, status := w.reconcileOnce(step, "web")
	return status
}

// copyOf returns the copy of web in a member, failing without one.
func (w webRollout) copyOf(member string) *appsv1.Deployment {
	w.t.Helper()
	dep := w.deployment(member, "web")
	if dep == nil {
		w.t.Fatalf("no copy in %s", member)
	}
	return dep
}

// image is the image the copy in member runs.
func (w webRollout) image(member string) string {
	w.t.Helper()
	return w.copyOf(member).Spec.Template.Spec.Containers[0].Image
}

// available writes the status a Deployment controller writes once the
// copy's replica is available.
func (w webRollout) available(member string) { w.setDeploymentStatus(member, "web", true) }

// setImage sets the image of web's template.
func (w webRollout) setImage(image string) { w.setSpec("web", webTemplate(image), "template") }

// stepGate: v2 goes to member1; member2 is not written while member1's
// copy is not available, however often the object is reconciled; once it
// is, member2 gets v2, and once that is available the rollout is complete.
func (w webRollout) stepGate() {
	t := w.t
	w.setImage("web:v2")
	before := w.copyOf("member2").ResourceVersion
	for i := range 3 {
		w.reconcile(fmt.Sprintf("wave canary (%d)", i))
	}
	if got := w.image("member1"); got != "web:v2" {
		t.Errorf("wave canary: member1 runs %s, want web:v2", got)
	}
	if got := w.copyOf("member2"); got.ResourceVersion != before {
		t.Errorf("wave canary: member2 was written (resourceVersion %s -> %s) before member1 was available", before, got.ResourceVersion)
	}
	w.available("member1")
	var status *fedtypesv1b1.GenericFederatedStatus
	for i := range 3 {
		status = w.reconcile(fmt.Sprintf("gate passed (%d)", i))
	}
	if got := w.image("member2"); got != "web:v2" {
		t.Errorf("gate passed: member2 runs %s, want web:v2", got)
	}
	if ro := status.Rollout; ro == nil || ro.Phase != fedtypesv1b1.RolloutPhaseProgressing || ro.CurrentWaveName != fedtypesv1b1.RemainingWaveName {
		t.Errorf("gate passed: status.rollout = %+v, want Progressing at wave remaining (member2's copy is not available yet)", ro)
	}
	w.available("member2")
	w.reconcile("v2 available")
	if ro := w.reconcile("complete").Rollout; ro == nil || ro.Phase != fedtypesv1b1.RolloutPhaseComplete || ro.CurrentRevision != 2 || ro.PreviousRevision != 1 {
		t.Errorf("complete: status.rollout = %+v, want Complete at revision 2 after 1", ro)
	}
}

// stepProgressDeadline: v3 never becomes available in member1: the
// rollout stops at the deadline, naming member1, and member2 keeps v2.
func (w webRollout) stepProgressDeadline() {
	t := w.t
	w.setImage("web:v3")
	before := w.copyOf("member2").ResourceVersion
	w.reconcile("bad version, wave canary")
	time.Sleep(3500 * time.Millisecond)
	w.reconcile("deadline passed")
	status := w.reconcile("stalled")
	if got := w.image("member1"); got != "web:v3" {
		t.Errorf("bad version: member1 runs %s, want web:v3", got)
	}
	if got := w.copyOf("member2"); got.ResourceVersion != before {
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
