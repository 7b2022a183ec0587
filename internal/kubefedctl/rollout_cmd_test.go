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
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
	"github.com/kubefed/kubefed/internal/rollout"
	"github.com/kubefed/kubefed/test/testenv"
)

// rolloutEnv is a host with the FederatedDeployment CRD of
// config/crd/bases, and a FederatedDeployment whose status and revisions
// the test writes as the sync controller would.
type rolloutEnv struct {
	c          client.Client
	kubeconfig string
}

func (e *rolloutEnv) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return kubefedctltest.Run(t, e.kubeconfig, args...)
}

// get reads the FederatedDeployment name in default.
func (e *rolloutEnv) get(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion("types.kubefed.io/v1beta1")
	obj.SetKind("FederatedDeployment")
	if err := e.c.Get(t.Context(), client.ObjectKey{Namespace: "default", Name: name}, obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

// deployment is the manifest of a FederatedDeployment running image, in
// member1, member2 and member3, rolled out in the waves canary (member1)
// and europe (member2); member3 is in the implicit wave remaining.
func deployment(name, image string, withRollout bool) *unstructured.Unstructured {
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "types.kubefed.io/v1beta1",
		"kind":       "FederatedDeployment",
		"metadata":   map[string]any{"name": name, "namespace": "default"},
		"spec": map[string]any{
			"template": map[string]any{"spec": map[string]any{
				"selector": map[string]any{"matchLabels": map[string]any{"app": name}},
				"template": map[string]any{
					"metadata": map[string]any{"labels": map[string]any{"app": name}},
					"spec":     map[string]any{"containers": []any{map[string]any{"name": "web", "image": image}}},
				},
			}},
			"placement": map[string]any{"clusters": []any{
				map[string]any{"name": "member1"}, map[string]any{"name": "member2"}, map[string]any{"name": "member3"},
			}},
		},
	}}
	if withRollout {
		obj.Object["spec"].(map[string]any)["rollout"] = map[string]any{
			"waves": []any{
				map[string]any{"name": "canary", "clusters": []any{map[string]any{"name": "member1"}}},
				map[string]any{"name": "europe", "clusters": []any{map[string]any{"name": "member2"}}},
			},
			"progressDeadline": "15m",
		}
	}
	return obj
}

// imageOf returns the image of the template of a FederatedDeployment.
func imageOf(t *testing.T, obj *unstructured.Unstructured) string {
	t.Helper()
	containers, _, err := unstructured.NestedSlice(obj.Object, "spec", "template", "spec", "template", "spec", "containers")
	if err != nil || len(containers) != 1 {
		t.Fatalf("containers of %s: %v, %v", obj.GetName(), containers, err)
	}
	return containers[0].(map[string]any)["image"].(string)
}

// setStatus writes status.rollout and status.clusters through the status
// subresource, as the sync controller does, for the object's current
// generation unless observed is set.
func (e *rolloutEnv) setStatus(t *testing.T, name string, rolloutStatus map[string]any, revisions map[string]int64, readiness map[string]string) {
	t.Helper()
	obj := e.get(t, name)
	if _, ok := rolloutStatus["observedGeneration"]; !ok {
		rolloutStatus["observedGeneration"] = obj.GetGeneration()
	}
	var clusters []any
	for _, c := range []string{"member1", "member2", "member3"} {
		clusters = append(clusters, map[string]any{"name": c, "revision": revisions[c], "readiness": readiness[c]})
	}
	obj.Object["status"] = map[string]any{"observedGeneration": obj.GetGeneration(), "rollout": rolloutStatus, "clusters": clusters}
	if err := e.c.Status().Update(t.Context(), obj); err != nil {
		t.Fatal(err)
	}
}

// stalled is the status of a rollout of revision 3 that stopped at its
// first wave: member1 runs 3 and is not Current, member2 and member3 run 2.
func (e *rolloutEnv) stalled(t *testing.T, name string) {
	e.setStatus(t, name, map[string]any{
		"currentRevision": 2, "previousRevision": 1, "updateRevision": 3,
		"phase": "Stalled", "reason": "ProgressDeadlineExceeded", "message": "wave canary (1/3) not Current within 15m0s: member1 InProgress",
		"currentWave": 0, "currentWaveName": "canary", "waveStartTime": "2026-12-03T10:00:00Z",
	}, map[string]int64{"member1": 3, "member2": 2, "member3": 2}, map[string]string{"member1": "InProgress", "member2": "Current", "member3": "Current"})
}

// TestRolloutCommands runs kubefedctl rollout status, pause, resume, undo
// and history against a test API server, on a FederatedDeployment whose
// revisions (ControllerRevisions made by rollout.NewRevision) and status
// are written as the controller writes them.
func TestRolloutCommands(t *testing.T) {
	host := kubefedctltest.StartHost(t)
	e := &rolloutEnv{c: host.Client, kubeconfig: host.Kubeconfig}
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "crd", "bases", "types.kubefed.io_federateddeployments.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	kubefedctltest.InstallCRD(t, e.c, string(data))

	// web holds revision 3 (image v3) in its spec; revisions 1 to 3 are kept.
	web := deployment("web", "web:v3", true)
	if err := e.c.Create(t.Context(), web); err != nil {
		t.Fatal(err)
	}
	for number, image := range map[int64]string{1: "web:v1", 2: "web:v2", 3: "web:v3"} {
		content, err := rollout.ContentOf(deployment("web", image, true))
		if err != nil {
			t.Fatal(err)
		}
		if number == 1 {
			// Revision 1 ran in member1 and member2 only, with 5 replicas
			// in member2.
			content.Placement.Clusters = content.Placement.Clusters[:2]
			content.Overrides = []fedtypesv1b1.GenericOverrideItem{{ClusterName: "member2",
				ClusterOverrides: []fedtypesv1b1.ClusterOverride{{Path: "/spec/replicas", Value: &apiextensionsv1.JSON{Raw: []byte("5")}}}}}
		}
		rev, err := rollout.NewRevision(web, "kube-federation-system", content, number)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.c.Create(t.Context(), rev); err != nil {
			t.Fatal(err)
		}
	}
	// plain has no spec.rollout.
	if err := e.c.Create(t.Context(), deployment("plain", "web:v1", false)); err != nil {
		t.Fatal(err)
	}

	t.Run("status of each phase, with its exit code", func(t *testing.T) { testRolloutStatus(t, e) })
	t.Run("status --watch waits for Complete", func(t *testing.T) { testRolloutWatch(t, e) })
	t.Run("history", func(t *testing.T) { testRolloutHistory(t, e) })
	t.Run("pause and resume", func(t *testing.T) { testRolloutPauseResume(t, e) })
	t.Run("undo", func(t *testing.T) { testRolloutUndo(t, e) })
	t.Run("a cluster-scoped object keeps its revisions in the control plane's namespace", func(t *testing.T) { testRolloutClusterScoped(t, e) })
	t.Run("an object without spec.rollout is refused", func(t *testing.T) {
		for _, sub := range []string{"status", "pause", "resume", "undo", "history"} {
			_, err := e.run(t, "rollout", sub, "FederatedDeployment", "plain", "-n", "default")
			if err == nil || !strings.Contains(err.Error(), "FederatedDeployment default/plain has no spec.rollout: 'kubefedctl rollout "+sub+"' applies to objects rolled out in waves") {
				t.Errorf("rollout %s of an object without spec.rollout: %v", sub, err)
			}
		}
		if imageOf(t, e.get(t, "plain")) != "web:v1" || e.get(t, "plain").GetGeneration() != 1 {
			t.Error("plain was changed")
		}
	})
}

// row matches a table row whose cells are separated by spaces.
func row(cells ...string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^` + strings.Join(cells, `\s+`) + `\s*$`)
}

func testRolloutStatus(t *testing.T, e *rolloutEnv) {
	e.stalled(t, "web")
	out, err := e.run(t, "rollout", "status", "FederatedDeployment", "web", "-n", "default")
	if got := exitCode(err); got != kubefedctl.ExitRolloutStalled {
		t.Errorf("exit code of a stalled rollout %d, want %d", got, kubefedctl.ExitRolloutStalled)
	}
	for _, r := range []*regexp.Regexp{row("CLUSTER", "REVISION", "UPDATED", "READINESS"), row("member1", "3", "true", "InProgress"), row("member2", "2", "false", "Current"), row("member3", "2", "false", "Current")} {
		if !r.MatchString(out) {
			t.Errorf("no row %s in:\n%s", r, out)
		}
	}
	kubefedctltest.WantContains(t, out,
		"FederatedDeployment default/web: Stalled (ProgressDeadlineExceeded): wave canary (1/3) not Current within 15m0s: member1 InProgress",
		"Revisions: current 2, update 3, previous 1")
	if err == nil || !strings.Contains(err.Error(), "is stalled at wave canary (ProgressDeadlineExceeded)") || !strings.Contains(err.Error(), "'kubefedctl rollout undo' to go back to revision 2") {
		t.Errorf("error of a stalled rollout: %v", err)
	}

	out, _ = e.run(t, "rollout", "status", "fdeploy", "web", "-n", "default", "-o", "json")
	var report kubefedctl.RolloutReport
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &report); err != nil {
		t.Fatalf("decoding -o json: %v", err)
	}
	if report.Phase != "Stalled" || report.WaveName != "canary" || report.Wave != 0 || report.Waves != 3 || report.UpdateRevision != 3 ||
		report.WaveStartTime != "2026-12-03T10:00:00Z" || len(report.Clusters) != 3 || report.Clusters[0].Revision != 3 || report.Clusters[0].Readiness != "InProgress" {
		t.Errorf("-o json: %+v", report)
	}

	for _, tc := range []struct {
		name   string
		status map[string]any
		code   int
		want   string
	}{
		{"progressing", map[string]any{"currentRevision": 2, "updateRevision": 3, "phase": "Progressing", "reason": "WaveSoaking", "message": "wave europe (2/3) is Current; soaking", "currentWave": 1, "currentWaveName": "europe"},
			kubefedctl.ExitRolloutProgressing, "Progressing (WaveSoaking): wave europe (2/3) is Current; soaking"},
		{"progressing, the message without the wave", map[string]any{"currentRevision": 2, "updateRevision": 3, "phase": "Progressing", "reason": "WaveInProgress", "currentWave": 1, "currentWaveName": "europe"},
			kubefedctl.ExitRolloutProgressing, "FederatedDeployment default/web: Progressing (WaveInProgress), wave europe (2/3)\n"},
		{"paused", map[string]any{"currentRevision": 2, "updateRevision": 3, "phase": "Paused", "reason": "Paused", "message": "paused at wave canary (1/3)", "currentWaveName": "canary"},
			kubefedctl.ExitRolloutPaused, "Paused (Paused): paused at wave canary (1/3)"},
		{"complete", map[string]any{"currentRevision": 3, "previousRevision": 2, "updateRevision": 3, "phase": "Complete", "reason": "RolloutComplete", "message": "revision 3 runs in every wave", "currentWave": 2, "currentWaveName": "remaining"},
			kubefedctl.ExitRolloutComplete, "FederatedDeployment default/web: Complete (RolloutComplete): revision 3 runs in every wave"},
		{"an older generation", map[string]any{"observedGeneration": 0, "currentRevision": 3, "updateRevision": 3, "phase": "Complete", "reason": "RolloutComplete"},
			kubefedctl.ExitRolloutNotObserved, "status is of generation 0 (object at 1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.setStatus(t, "web", tc.status, map[string]int64{"member1": 3, "member2": 3, "member3": 2}, nil)
			out, err := e.run(t, "rollout", "status", "FederatedDeployment", "web", "-n", "default")
			if got := exitCode(err); got != tc.code {
				t.Errorf("exit code %d (%v), want %d", got, err, tc.code)
			}
			kubefedctltest.WantContains(t, out, tc.want)
		})
	}
}

func testRolloutWatch(t *testing.T, e *rolloutEnv) {
	e.setStatus(t, "web", map[string]any{"currentRevision": 2, "updateRevision": 3, "phase": "Progressing", "reason": "WaveInProgress", "message": "wave europe (2/3): member2 InProgress", "currentWave": 1, "currentWaveName": "europe"},
		map[string]int64{"member1": 3, "member2": 3, "member3": 2}, map[string]string{"member1": "Current", "member2": "InProgress", "member3": "Current"})
	// The watch prints the state first; once it has, the rollout completes.
	out := newSignalWriter("Progressing (WaveInProgress)")
	cmd := kubefedctl.NewCommand()
	cmd.SetArgs([]string{"--kubeconfig", e.kubeconfig, "rollout", "status", "FederatedDeployment", "web", "-n", "default", "--watch", "--timeout", "40s"})
	cmd.SetOut(out)
	cmd.SetErr(out)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(t.Context()) }()
	select {
	case <-out.seen:
	case err := <-done:
		t.Fatalf("rollout status --watch ended before the rollout completed (%v):\n%s", err, out)
	case <-time.After(30 * time.Second):
		t.Fatalf("rollout status --watch printed no Progressing state within 30s:\n%s", out)
	}
	e.setStatus(t, "web", map[string]any{"currentRevision": 3, "previousRevision": 2, "updateRevision": 3, "phase": "Complete", "reason": "RolloutComplete", "message": "revision 3 runs in every wave", "currentWave": 2, "currentWaveName": "remaining"},
		map[string]int64{"member1": 3, "member2": 3, "member3": 3}, map[string]string{"member1": "Current", "member2": "Current", "member3": "Current"})
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("watch ended with %v, want success", err)
		}
		kubefedctltest.WantContains(t, out.String(), "Progressing (WaveInProgress): wave europe (2/3): member2 InProgress", "FederatedDeployment default/web: Complete (RolloutComplete): revision 3 runs in every wave")
	case <-time.After(60 * time.Second):
		t.Fatal("rollout status --watch did not end after the rollout completed")
	}

	// A watch gives up after --timeout with the rollout's exit code.
	e.setStatus(t, "web", map[string]any{"currentRevision": 2, "updateRevision": 3, "phase": "Progressing", "reason": "WaveInProgress", "message": "wave europe (2/3): member2 InProgress", "currentWave": 1, "currentWaveName": "europe"}, nil, nil)
	_, err := e.run(t, "rollout", "status", "FederatedDeployment", "web", "-n", "default", "-w", "--timeout", "3s")
	if exitCode(err) != kubefedctl.ExitRolloutProgressing || !strings.Contains(err.Error(), "gave up waiting after 3s") {
		t.Errorf("watch past its timeout: %v (exit code %d)", err, exitCode(err))
	}
}

func testRolloutHistory(t *testing.T, e *rolloutEnv) {
	e.stalled(t, "web")
	out, err := e.run(t, "rollout", "history", "FederatedDeployment", "web", "-n", "default")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*regexp.Regexp{
		row("REVISION", "HASH", "AGE", "ROLE", "CLUSTERS"),
		row("1", "[0-9a-f]{10}", `\S+`, "previous", "-"),
		row("2", "[0-9a-f]{10}", `\S+`, "current", "member2,member3"),
		row("3", "[0-9a-f]{10}", `\S+`, "update", "member1"),
	} {
		if !r.MatchString(out) {
			t.Errorf("no row %s in:\n%s", r, out)
		}
	}
}

func testRolloutPauseResume(t *testing.T, e *rolloutEnv) {
	e.setStatus(t, "web", map[string]any{"currentRevision": 2, "updateRevision": 3, "phase": "Progressing", "reason": "WaveInProgress", "currentWaveName": "canary"}, nil, nil)
	gen := e.get(t, "web").GetGeneration()
	kubefedctltest.WantContains(t, kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "pause", "FederatedDeployment", "web", "-n", "default"),
		"FederatedDeployment default/web paused")
	obj := e.get(t, "web")
	if paused, _, _ := unstructured.NestedBool(obj.Object, "spec", "rollout", "paused"); !paused || obj.GetGeneration() != gen+1 {
		t.Errorf("after pause: paused %t, generation %d (was %d)", paused, obj.GetGeneration(), gen)
	}
	if progressDeadline, _, _ := unstructured.NestedString(obj.Object, "spec", "rollout", "progressDeadline"); progressDeadline != "15m" {
		t.Errorf("pause changed spec.rollout.progressDeadline to %q", progressDeadline)
	}
	kubefedctltest.WantContains(t, kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "pause", "FederatedDeployment", "web", "-n", "default"),
		"already paused: nothing changed")
	if got := e.get(t, "web").GetGeneration(); got != gen+1 {
		t.Errorf("a second pause wrote: generation %d", got)
	}

	kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "resume", "FederatedDeployment", "web", "-n", "default")
	obj = e.get(t, "web")
	if paused, _, _ := unstructured.NestedBool(obj.Object, "spec", "rollout", "paused"); paused || obj.GetGeneration() != gen+2 {
		t.Errorf("after resume: paused %t, generation %d (was %d)", paused, obj.GetGeneration(), gen)
	}
	kubefedctltest.WantContains(t, kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "resume", "FederatedDeployment", "web", "-n", "default"),
		"is not paused: nothing changed")

	// Resume of a stalled rollout writes two generations (true, then
	// false), so the controller retries the wave.
	e.stalled(t, "web")
	gen = e.get(t, "web").GetGeneration()
	kubefedctltest.WantContains(t, kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "resume", "FederatedDeployment", "web", "-n", "default"),
		"the stalled wave canary is retried with a fresh deadline")
	obj = e.get(t, "web")
	if paused, _, _ := unstructured.NestedBool(obj.Object, "spec", "rollout", "paused"); paused || obj.GetGeneration() != gen+2 {
		t.Errorf("after resume of a stalled rollout: paused %t, generation %d, want %d", paused, obj.GetGeneration(), gen+2)
	}

	// --dry-run changes nothing.
	kubefedctltest.WantContains(t, kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "pause", "FederatedDeployment", "web", "-n", "default", "--dry-run"), "(dry run)")
	if obj := e.get(t, "web"); obj.GetGeneration() != gen+2 {
		t.Errorf("pause --dry-run wrote: generation %d", obj.GetGeneration())
	}
}

func testRolloutUndo(t *testing.T, e *rolloutEnv) {
	ctx := t.Context()
	// Stalled at revision 3: undo goes back to the current revision, 2.
	e.stalled(t, "web")
	before := e.get(t, "web")
	kubefedctltest.WantContains(t, kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "undo", "FederatedDeployment", "web", "-n", "default"),
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
	kubefedctltest.WantContains(t, kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "undo", "FederatedDeployment", "web", "-n", "default"),
		"already holds the content of revision 2: nothing changed")

	// Complete at revision 2 (previous 1): undo goes back to 1.
	e.setStatus(t, "web", map[string]any{"currentRevision": 2, "previousRevision": 1, "updateRevision": 2, "phase": "Complete", "reason": "RolloutComplete"}, nil, nil)
	kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "undo", "fdeploy", "web", "-n", "default")
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
	kubefedctltest.WantContains(t, kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "undo", "fdeploy", "web", "-n", "default", "--to-revision", "2", "--dry-run"), "(dry run)")
	if got := e.get(t, "web"); got.GetResourceVersion() != obj.GetResourceVersion() || imageOf(t, got) != "web:v1" {
		t.Errorf("undo --dry-run wrote: image %s", imageOf(t, got))
	}

	// --to-revision, with a rollbackTo pin that undo removes.
	obj = e.get(t, "web")
	if err := unstructured.SetNestedField(obj.Object, int64(1), "spec", "rollout", "rollbackTo", "revision"); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Update(ctx, obj); err != nil {
		t.Fatal(err)
	}
	kubefedctltest.WantContains(t, kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "undo", "FederatedDeployment", "web", "-n", "default", "--to-revision", "3"),
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

	// A stale resourceVersion: the API server refuses the write and
	// nothing changes.
	stale := e.get(t, "web").GetResourceVersion()
	kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "pause", "FederatedDeployment", "web", "-n", "default")
	host := e.get(t, "web")
	err = kubefedctl.RolloutUndo(ctx, kubefedctl.RolloutUndoOptions{
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
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "crd", "bases", "types.kubefed.io_federatedclusterroles.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	kubefedctltest.InstallCRD(t, e.c, string(data))
	obj := clusterRole("get", "list")
	if err := e.c.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	for number, verbs := range map[int64][]any{1: {"get"}, 2: {"get", "list"}} {
		content, err := rollout.ContentOf(clusterRole(verbs...))
		if err != nil {
			t.Fatal(err)
		}
		rev, err := rollout.NewRevision(obj, ns, content, number)
		if err != nil {
			t.Fatal(err)
		}
		if rev.Namespace != ns {
			t.Fatalf("revision of a cluster-scoped object in namespace %q, want %s", rev.Namespace, ns)
		}
		if err := e.c.Create(ctx, rev); err != nil {
			t.Fatal(err)
		}
	}
	obj.Object["status"] = map[string]any{"rollout": map[string]any{"observedGeneration": obj.GetGeneration(), "currentRevision": 2, "previousRevision": 1, "updateRevision": 2,
		"phase": "Complete", "reason": "RolloutComplete"}, "clusters": []any{map[string]any{"name": "member1", "revision": 2}, map[string]any{"name": "member2", "revision": 2}}}
	if err := e.c.Status().Update(ctx, obj); err != nil {
		t.Fatal(err)
	}
	out := kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "history", "FederatedClusterRole", "pod-reader")
	for _, r := range []*regexp.Regexp{row("1", "[0-9a-f]{10}", `\S+`, "previous", "-"), row("2", "[0-9a-f]{10}", `\S+`, "current", "member1,member2")} {
		if !r.MatchString(out) {
			t.Errorf("no row %s in:\n%s", r, out)
		}
	}
	kubefedctltest.MustRun(t, e.kubeconfig, "rollout", "undo", "FederatedClusterRole", "pod-reader")
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

// signalWriter collects what a command writes, safely for the test to read
// while the command runs, and closes seen once the output contains want.
type signalWriter struct {
	mu   sync.Mutex
	buf  strings.Builder
	want string
	seen chan struct{}
}

func newSignalWriter(want string) *signalWriter {
	return &signalWriter{want: want, seen: make(chan struct{})}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	already := strings.Contains(w.buf.String(), w.want)
	w.buf.Write(p)
	if !already && strings.Contains(w.buf.String(), w.want) {
		close(w.seen)
	}
	return len(p), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
