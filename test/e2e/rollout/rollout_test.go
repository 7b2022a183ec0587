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

package rollout_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

// run is one FederatedDeployment under test and what watches it.
type run struct {
	e      *e2eutil.Env
	key    types.NamespacedName
	copies *copyLog
}

// TestRollout rolls a FederatedDeployment out wave by wave over a host and
// three members, with the chart installed and the controller running as
// the chart's ServiceAccount: versions that go through every wave, one that
// never becomes ready and stops in the first, undo, pause and resume, and
// a controller killed between waves. The steps build on each other.
func TestRollout(t *testing.T) {
	e := e2eutil.Setup(t, len(members))
	ns := e.FederatedNamespace(t, "rollout", members...)
	e.DumpOnFailure(t, ns)
	r := &run{e: e, key: types.NamespacedName{Namespace: ns, Name: "web"}, copies: followCopies(t, e, ns)}
	t.Cleanup(func() {
		if t.Failed() {
			for _, m := range members {
				t.Logf("images %s's copy ran, in order: %v", m, r.copies.images(m))
			}
		}
	})

	if err := e.Host.Create(t.Context(), newFederatedDeployment(ns, "nginx:1.27")); err != nil {
		t.Fatalf("creating FederatedDeployment %s: %v", r.key, err)
	}
	t.Log("The first revision goes to every cluster at once.")
	waitRollout(t, e, r.key, fedtypesv1b1.RolloutPhaseComplete, fedtypesv1b1.RolloutReasonInitialRevision, status.CurrentStatus,
		map[string]string{"member1": "nginx:1.27", "member2": "nginx:1.27", "member3": "nginx:1.27"}, 2*time.Minute)

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"a new image goes wave by wave", func(t *testing.T) { r.testWaves(t, "nginx:1.28") }},
		{"a version that never becomes ready stops in the first wave; undo", func(t *testing.T) { r.testStallAndUndo(t, "nginx:1.28") }},
		{"a later good version goes through every wave", func(t *testing.T) { r.testWaves(t, "nginx:1.29") }},
		{"pause and resume", func(t *testing.T) { r.testPauseResume(t, "nginx:1.30") }},
		{"controller killed between waves", func(t *testing.T) { r.testKillBetweenWaves(t, "nginx:1.31") }},
		{"idle: no write", r.testIdle},
		{"many objects side by side, one cluster at a time", func(t *testing.T) { testManyObjects(t, e) }},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return
		}
	}
}

// setImage changes the image of the FederatedDeployment's template.
func (r *run) setImage(t *testing.T, image string) time.Time {
	t.Helper()
	patch := fmt.Sprintf(`[{"op":"replace","path":"/spec/template/spec/template/spec/containers/0/image","value":%q}]`, image)
	u, _, err := fedObject(t.Context(), r.e, r.key)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	if err := r.e.Host.Patch(t.Context(), u, client.RawPatch(types.JSONPatchType, []byte(patch))); err != nil {
		t.Fatalf("setting the image of FederatedDeployment %s to %s: %v", r.key, image, err)
	}
	return at
}

// kubefedctl runs kubefedctl rollout with args on the FederatedDeployment.
func (r *run) kubefedctl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	all := append([]string{"--host-cluster-context", r.e.Fed.Host.Context(), "rollout"}, args...)
	return kubefedctltest.Run(t, r.e.Fed.Kubeconfig(), append(all, "deployments", r.key.Name, "-n", r.key.Namespace)...)
}

// testWaves sets a new image and follows it through the waves: each wave's
// cluster gets it only once the previous wave's copies are Current and the
// soak time has passed, and the clusters whose wave has not come are not
// written to at all (their API servers' counters).
func (r *run) testWaves(t *testing.T, image string) {
	old := r.copies.last("member3").image
	before := deploymentWrites(t, r.e)
	since := r.setImage(t, image)

	t.Log("Wave canary: member1 only, then its soak.")
	waitRollout(t, r.e, r.key, fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveSoaking, status.InProgressStatus,
		map[string]string{"member1": image, "member2": old, "member3": old}, 2*time.Minute)
	w := writesSince(t, r.e, before)
	// The positive control: the same counters show the write to member1.
	if w["member1"].Total() == 0 {
		t.Errorf("member1's API server counted no write to Deployments while its copy changed to %s: the counters do not see kubefed's writes", image)
	}
	for _, m := range []string{"member2", "member3"} {
		if w[m].Total() != 0 {
			t.Errorf("%s's API server served Deployment writes before its wave came: %s", m, w[m])
		}
	}

	t.Log("Wave second, then the remaining cluster, each after the soak.")
	waitRollout(t, r.e, r.key, fedtypesv1b1.RolloutPhaseComplete, fedtypesv1b1.RolloutReasonComplete, status.CurrentStatus,
		map[string]string{"member1": image, "member2": image, "member3": image}, 2*time.Minute)
	r.checkWaveOrder(t, image, since, members)
}

// checkWaveOrder checks, from the members' watches, that each cluster in
// order got image no earlier than soak after the previous one's copy of
// image became Current (kstatus), and the previous one first.
func (r *run) checkWaveOrder(t *testing.T, image string, since time.Time, order []string) {
	t.Helper()
	for i := 1; i < len(order); i++ {
		prev, next := order[i-1], order[i]
		current, ok := r.copies.firstCurrent(prev, image, since)
		if !ok {
			t.Errorf("%s's watch never saw its copy of %s Current", prev, image)
			continue
		}
		got, ok := r.copies.firstRunning(next, image, since)
		if !ok {
			t.Errorf("%s's watch never saw its copy run %s", next, image)
			continue
		}
		if gap := got.at.Sub(current.at); gap < soak-soakSlack {
			t.Errorf("%s got %s %s after %s's copy became Current, want at least the soak time %s", next, image, gap.Round(time.Millisecond), prev, soak)
		} else {
			t.Logf("%s got %s %s after %s's copy became Current (soak %s).", next, image, gap.Round(time.Millisecond), prev, soak)
		}
	}
}

// testStallAndUndo sets an image whose Pods never become ready: member1's
// copy fails, the rollout stops there naming member1, member2 and member3
// never see it, and kubefedctl rollout undo brings member1 back to good,
// again with no write to the others.
func (r *run) testStallAndUndo(t *testing.T, good string) {
	before := deploymentWrites(t, r.e)
	since := r.setImage(t, framework.NeverReadyImage)
	t.Log("The bad version reaches member1 only and stops the rollout there.")
	u := waitRollout(t, r.e, r.key, fedtypesv1b1.RolloutPhaseStalled, "", status.FailedStatus,
		map[string]string{"member1": framework.NeverReadyImage, "member2": good, "member3": good}, 2*time.Minute)
	st := e2eutil.FederatedStatus(u)
	if !strings.Contains(st.Rollout.Message, "member1") {
		t.Errorf("status.rollout.message does not name member1: %q", st.Rollout.Message)
	}
	if c := st.GetCondition(fedtypesv1b1.ConditionType("Stalled")); c == nil || c.Status != "True" || !strings.Contains(c.Message, "member1") {
		t.Errorf("condition Stalled is not True naming member1: %s", e2eutil.ConditionString(c))
	}
	out, err := r.kubefedctl(t, "status")
	if err == nil || !strings.Contains(out, "Stalled") {
		t.Errorf("kubefedctl rollout status on a stalled rollout: err %v, output without Stalled:\n%s", err, out)
	}
	w := writesSince(t, r.e, before)
	if w["member1"].Total() == 0 {
		t.Errorf("member1's API server counted no write to Deployments while its copy changed: the counters do not see kubefed's writes")
	}
	for _, m := range []string{"member2", "member3"} {
		if w[m].Total() != 0 {
			t.Errorf("%s's API server served Deployment writes during the stalled rollout: %s", m, w[m])
		}
	}

	t.Log("kubefedctl rollout undo: member1 runs the good version again.")
	if _, err := r.kubefedctl(t, "undo"); err != nil {
		t.Fatalf("kubefedctl rollout undo: %v", err)
	}
	waitRollout(t, r.e, r.key, fedtypesv1b1.RolloutPhaseComplete, "", status.CurrentStatus,
		map[string]string{"member1": good, "member2": good, "member3": good}, 2*time.Minute)
	w = writesSince(t, r.e, before)
	for _, m := range []string{"member2", "member3"} {
		if w[m].Total() != 0 {
			t.Errorf("%s's API server served Deployment writes during the stall and the undo: %s", m, w[m])
		}
		if _, ok := r.copies.firstRunning(m, framework.NeverReadyImage, since); ok {
			t.Errorf("%s's watch saw its copy run %s", m, framework.NeverReadyImage)
		}
	}
}

// testPauseResume pauses a rollout while its first wave soaks: no further
// cluster gets the new image for twice the soak time after member1's copy
// became Current; resume finishes the rollout.
func (r *run) testPauseResume(t *testing.T, image string) {
	old := r.copies.last("member2").image
	since := r.setImage(t, image)
	waitRollout(t, r.e, r.key, fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveSoaking, status.InProgressStatus,
		map[string]string{"member1": image, "member2": old, "member3": old}, 2*time.Minute)
	if _, err := r.kubefedctl(t, "pause"); err != nil {
		t.Fatalf("kubefedctl rollout pause: %v", err)
	}
	before := deploymentWrites(t, r.e)
	seen := r.copies.sightings("member2")
	waitRollout(t, r.e, r.key, fedtypesv1b1.RolloutPhasePaused, fedtypesv1b1.RolloutReasonPaused, status.InProgressStatus,
		map[string]string{"member1": image, "member2": old, "member3": old}, time.Minute)
	current, ok := r.copies.firstCurrent("member1", image, since)
	if !ok {
		t.Fatalf("member1's watch never saw its copy of %s Current", image)
	}
	// Paused until twice the soak after member1's copy became Current:
	// member2 would have had the image by then. The control is a
	// Deployment the test creates in member2 and member3, which the same
	// watches must report first.
	e2eutil.NegativeCheck{
		What:        "a paused rollout going on",
		Sources:     r.deploymentWatches(t, "member2", "member3"),
		Control:     func(ctx context.Context) error { return r.createControl(ctx, "control", "member2", "member3") },
		ControlSeen: func(_ string, ev watch.Event) bool { return e2eutil.EventObject(ev).GetName() == "control" },
		Window:      max(time.Second, time.Until(current.at.Add(2*soak))),
		Forbidden: func(source string, ev watch.Event) string {
			if d, ok := e2eutil.EventObject(ev).(*appsv1.Deployment); ok && d.Name == "web" {
				return fmt.Sprintf("%s's copy changed while paused: %s, image %s", source, e2eutil.DescribeEvent(ev), d.Spec.Template.Spec.Containers[0].Image)
			}
			return ""
		},
	}.Run(t)
	own := framework.RequestCounts{{Group: "apps", Resource: "deployments", Verb: framework.VerbCreate}: 1}
	w := writesSince(t, r.e, before)
	for _, m := range []string{"member2", "member3"} {
		if rest := w[m].ExcludeOwn(own); rest.Total() != 0 {
			t.Errorf("%s's API server served Deployment writes while the rollout was paused, besides the test's control: %s", m, rest)
		}
	}

	if _, err := r.kubefedctl(t, "resume"); err != nil {
		t.Fatalf("kubefedctl rollout resume: %v", err)
	}
	waitRollout(t, r.e, r.key, fedtypesv1b1.RolloutPhaseComplete, fedtypesv1b1.RolloutReasonComplete, status.CurrentStatus,
		map[string]string{"member1": image, "member2": image, "member3": image}, 2*time.Minute)
	// The positive control of the paused window: member2's watch, the one
	// that saw nothing of image while paused, saw it after the resume.
	if r.copies.sightings("member2") <= seen {
		t.Errorf("member2's watch saw no event after the resume")
	}
	r.checkWaveOrder(t, image, since, members)
}

// testKillBetweenWaves runs the controller as a process of its own (the
// chart's ServiceAccount), SIGKILLs it while the first wave soaks and
// starts another: the rollout goes on at the second wave, member1's copy
// is not written again, and the soak still holds.
func (r *run) testKillBetweenWaves(t *testing.T, image string) {
	r.e.StopControlPlane(t)
	t.Cleanup(func() { r.e.StartControlPlane(t) })
	first := e2eutil.StartControllerManager(t, e2eutil.ProcessOptions{Name: "a", Kubeconfig: e2eutil.ChartKubeconfig(t, r.e.Fed)})

	old := r.copies.last("member2").image
	since := r.setImage(t, image)
	waitRollout(t, r.e, r.key, fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutReasonWaveSoaking, status.InProgressStatus,
		map[string]string{"member1": image, "member2": old, "member3": old}, 2*time.Minute)
	if err := first.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.WaitExit(t, 30*time.Second)
	atKill := r.copies.last("member1")
	t.Logf("Controller a killed during the soak of wave canary (member1's copy at generation %d).", atKill.generation)

	second := e2eutil.StartControllerManager(t, e2eutil.ProcessOptions{Name: "b", Kubeconfig: e2eutil.ChartKubeconfig(t, r.e.Fed)})
	waitRollout(t, r.e, r.key, fedtypesv1b1.RolloutPhaseComplete, fedtypesv1b1.RolloutReasonComplete, status.CurrentStatus,
		map[string]string{"member1": image, "member2": image, "member3": image}, 2*time.Minute)
	second.Stop(t)
	if got := r.copies.last("member1"); got.generation != atKill.generation || got.image != image {
		t.Errorf("member1's copy was changed after the restart: generation %d -> %d, image %s", atKill.generation, got.generation, got.image)
	}
	r.checkWaveOrder(t, image, since, members)
}

// deploymentWatches are watches of the Deployments of the test's namespace
// in the members.
func (r *run) deploymentWatches(t *testing.T, names ...string) []e2eutil.WatchSource {
	t.Helper()
	var out []e2eutil.WatchSource
	for _, m := range names {
		out = append(out, e2eutil.WatchSource{Name: m, Client: e2eutil.NewWatchClient(t, r.e.Fed.Cluster(m).Config),
			List: &appsv1.DeploymentList{}, Opts: []client.ListOption{client.InNamespace(r.key.Namespace)}})
	}
	return out
}

// createControl creates a Deployment name of no replicas, which
// kubefed does not manage, in the test's namespace of each member.
func (r *run) createControl(ctx context.Context, name string, names ...string) error {
	labels := map[string]string{"app": name}
	for _, m := range names {
		d := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Namespace: r.key.Namespace, Name: name},
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](0), Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}},
		}
		if err := r.e.Member(m).Create(ctx, d); err != nil {
			return fmt.Errorf("creating Deployment %s/%s in %s: %w", r.key.Namespace, name, m, err)
		}
	}
	return nil
}

// testIdle edits only an annotation of the completed FederatedDeployment
// (no new revision) and creates a Deployment kubefed does not manage in
// every member: the same watches that report those see no write of kubefed
// to the federated object or to the copies' specs for twice the soak time,
// the longest a rollout waits between steps.
func (r *run) testIdle(t *testing.T) {
	host := e2eutil.WatchSource{Name: "host", Client: e2eutil.NewWatchClient(t, r.e.Fed.Host.Config),
		List: fedDeploymentList(), Opts: []client.ListOption{client.InNamespace(r.key.Namespace)}}
	generations := map[string]int64{}
	for _, m := range members {
		generations[m] = r.copies.last(m).generation
	}
	e2eutil.NegativeCheck{
		What:    "a write while the rollout is complete and nothing changed",
		Sources: append([]e2eutil.WatchSource{host}, r.deploymentWatches(t, members...)...),
		Control: func(ctx context.Context) error {
			u, _, err := fedObject(ctx, r.e, r.key)
			if err != nil {
				return err
			}
			patch := []byte(`{"metadata":{"annotations":{"example.com/idle-check":"1"}}}`)
			if err := r.e.Host.Patch(ctx, u, client.RawPatch(types.MergePatchType, patch)); err != nil {
				return err
			}
			return r.createControl(ctx, "idle-control", members...)
		},
		ControlSeen: func(source string, ev watch.Event) bool {
			o := e2eutil.EventObject(ev)
			if source == "host" {
				return o.GetAnnotations()["example.com/idle-check"] == "1"
			}
			return o.GetName() == "idle-control"
		},
		Window: 2 * soak,
		Forbidden: func(source string, ev watch.Event) string {
			o := e2eutil.EventObject(ev)
			switch {
			case o.GetName() != "web":
				return ""
			case source == "host":
				return "the FederatedDeployment was written: " + e2eutil.DescribeEvent(ev)
			case o.GetGeneration() != generations[source]:
				return fmt.Sprintf("%s's copy was written (generation %d -> %d): %s", source, generations[source], o.GetGeneration(), e2eutil.DescribeEvent(ev))
			}
			return ""
		},
	}.Run(t)
}

// fedDeploymentList is an empty list of FederatedDeployments.
func fedDeploymentList() *unstructured.UnstructuredList {
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedDeploymentList"))
	return l
}
