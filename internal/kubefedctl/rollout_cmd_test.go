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
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
	"github.com/kubefed/kubefed/internal/rollout"
)

// rolloutEnv is a host with the FederatedDeployment CRD of
// config/crd/bases, and a FederatedDeployment whose status and revisions
// the test writes as the sync controller would.
type rolloutEnv struct {
	cmdEnv
}

// get reads the FederatedDeployment name in default.
func (e *rolloutEnv) get(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	return e.getFederated(t, "FederatedDeployment", name)
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
	e := &rolloutEnv{cmdEnv{c: host.Client, kubeconfig: host.Kubeconfig}}
	kubefedctltest.InstallCRDFile(t, e.c, "config/crd/bases/types.kubefed.io_federateddeployments.yaml")

	// web holds revision 3 (image v3) in its spec; revisions 1 to 3 are kept.
	web := deployment("web", "web:v3", true)
	if err := e.c.Create(t.Context(), web); err != nil {
		t.Fatal(err)
	}
	for number, image := range map[int64]string{1: "web:v1", 2: "web:v2", 3: "web:v3"} {
		content := contentOf(t, deployment("web", image, true))
		if number == 1 {
			// Revision 1 ran in member1 and member2 only, with 5 replicas
			// in member2.
			content.Placement.Clusters = content.Placement.Clusters[:2]
			content.Overrides = []fedtypesv1b1.GenericOverrideItem{{ClusterName: "member2",
				ClusterOverrides: []fedtypesv1b1.ClusterOverride{{Path: "/spec/replicas", Value: &apiextensionsv1.JSON{Raw: []byte("5")}}}}}
		}
		e.createRevision(t, web, content, number)
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

// wantRows reports an error of the test for every row out does not have.
func wantRows(t *testing.T, out string, rows ...*regexp.Regexp) {
	t.Helper()
	for _, r := range rows {
		if !r.MatchString(out) {
			t.Errorf("no row %s in:\n%s", r, out)
		}
	}
}

// contentOf is rollout.ContentOf of a manifest.
func contentOf(t *testing.T, manifest *unstructured.Unstructured) rollout.Content {
	t.Helper()
	content, err := rollout.ContentOf(manifest)
	if err != nil {
		t.Fatal(err)
	}
	return content
}

// createRevision records content as revision number of obj, as the sync
// controller does: a ControllerRevision in obj's namespace, or in the
// control plane's for a cluster-scoped obj.
func (e *rolloutEnv) createRevision(t *testing.T, obj *unstructured.Unstructured, content rollout.Content, number int64) *appsv1.ControllerRevision {
	t.Helper()
	rev, err := rollout.NewRevision(obj, ns, content, number)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.Create(t.Context(), rev); err != nil {
		t.Fatal(err)
	}
	return rev
}

func testRolloutStatus(t *testing.T, e *rolloutEnv) {
	e.stalled(t, "web")
	out, err := e.run(t, "rollout", "status", "FederatedDeployment", "web", "-n", "default")
	if got := exitCode(err); got != kubefedctl.ExitRolloutStalled {
		t.Errorf("exit code of a stalled rollout %d, want %d", got, kubefedctl.ExitRolloutStalled)
	}
	wantRows(t, out, row("CLUSTER", "REVISION", "UPDATED", "READINESS"), row("member1", "3", "true", "InProgress"), row("member2", "2", "false", "Current"), row("member3", "2", "false", "Current"))
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

func testRolloutPauseResume(t *testing.T, e *rolloutEnv) {
	e.setStatus(t, "web", map[string]any{"currentRevision": 2, "updateRevision": 3, "phase": "Progressing", "reason": "WaveInProgress", "currentWaveName": "canary"}, nil, nil)
	gen := e.get(t, "web").GetGeneration()
	kubefedctltest.WantContains(t, e.mustRun(t, "rollout", "pause", "FederatedDeployment", "web", "-n", "default"),
		"FederatedDeployment default/web paused")
	obj := e.get(t, "web")
	if paused, _, _ := unstructured.NestedBool(obj.Object, "spec", "rollout", "paused"); !paused || obj.GetGeneration() != gen+1 {
		t.Errorf("after pause: paused %t, generation %d (was %d)", paused, obj.GetGeneration(), gen)
	}
	if progressDeadline, _, _ := unstructured.NestedString(obj.Object, "spec", "rollout", "progressDeadline"); progressDeadline != "15m" {
		t.Errorf("pause changed spec.rollout.progressDeadline to %q", progressDeadline)
	}
	kubefedctltest.WantContains(t, e.mustRun(t, "rollout", "pause", "FederatedDeployment", "web", "-n", "default"),
		"already paused: nothing changed")
	if got := e.get(t, "web").GetGeneration(); got != gen+1 {
		t.Errorf("a second pause wrote: generation %d", got)
	}

	e.mustRun(t, "rollout", "resume", "FederatedDeployment", "web", "-n", "default")
	obj = e.get(t, "web")
	if paused, _, _ := unstructured.NestedBool(obj.Object, "spec", "rollout", "paused"); paused || obj.GetGeneration() != gen+2 {
		t.Errorf("after resume: paused %t, generation %d (was %d)", paused, obj.GetGeneration(), gen)
	}
	kubefedctltest.WantContains(t, e.mustRun(t, "rollout", "resume", "FederatedDeployment", "web", "-n", "default"),
		"is not paused: nothing changed")

	// Resume of a stalled rollout writes two generations (true, then
	// false), so the controller retries the wave.
	e.stalled(t, "web")
	gen = e.get(t, "web").GetGeneration()
	kubefedctltest.WantContains(t, e.mustRun(t, "rollout", "resume", "FederatedDeployment", "web", "-n", "default"),
		"the stalled wave canary is retried with a fresh deadline")
	obj = e.get(t, "web")
	if paused, _, _ := unstructured.NestedBool(obj.Object, "spec", "rollout", "paused"); paused || obj.GetGeneration() != gen+2 {
		t.Errorf("after resume of a stalled rollout: paused %t, generation %d, want %d", paused, obj.GetGeneration(), gen+2)
	}

	// --dry-run changes nothing.
	kubefedctltest.WantContains(t, e.mustRun(t, "rollout", "pause", "FederatedDeployment", "web", "-n", "default", "--dry-run"), "(dry run)")
	if obj := e.get(t, "web"); obj.GetGeneration() != gen+2 {
		t.Errorf("pause --dry-run wrote: generation %d", obj.GetGeneration())
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
