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
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// appNS holds the federated objects of the test.
const appNS = "cli-e2e"

// TestTypeCommandsWithController runs enable, disable, federate,
// orphaning-deletion and status against a federation whose controller
// manager runs with the chart's ServiceAccount identity, in order: each step
// builds on the one before.
func TestTypeCommandsWithController(t *testing.T) {
	start := time.Now()
	e := setupChart(t)
	t.Logf("federation with the chart's controller ready in %s", time.Since(start).Round(100*time.Millisecond))
	for _, c := range append([]client.Client{e.host}, e.members["member1"], e.members["member2"]) {
		kubefedctltest.InstallCRD(t, c, kubefedctltest.WidgetCRD)
	}
	if err := e.host.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: appNS}}); err != nil {
		t.Fatal(err)
	}
	out := e.kubefedctl(t, "federate", "namespace", appNS)
	contains(t, out, `Successfully created FederatedNamespace "`+appNS+`/`+appNS+`" from Namespace`)

	if !e2eutil.RunSteps(t, e, []e2eutil.Step[*chartEnv]{
		{Name: "enable a CRD at run time, propagate with an override", Run: testEnableCRD},
		{Name: "disable, disable --delete-crd, enable again", Run: testDisable},
		{Name: "enable a built-in kind that is not a default type", Run: testEnableBuiltin},
		{Name: "enable into another federated group", Run: testFederatedGroup},
		{Name: "federate a namespace's contents", Run: testFederateContents},
		{Name: "orphaning-deletion", Run: testOrphaning},
		{Name: "status of a healthy, a failed and an Offline cluster", Run: testStatus},
		{Name: "kubectl plugin", Run: testKubectlPlugin},
		{Name: "the host joined into itself gets an enabled CRD's objects", Run: testSelfJoinedHost},
	}) {
		return
	}
	// An RBAC refusal names the user; a member's /readyz answering 403
	// while it restarts is not one.
	var refused []string
	for _, l := range e.controller.Grep("forbidden") {
		if strings.Contains(l, "system:serviceaccount:"+ns+":"+chartServiceAccount) {
			refused = append(refused, l)
		}
	}
	if lines := refused; len(lines) > 0 {
		t.Errorf("the controller was refused requests under the chart's RBAC:\n%s", strings.Join(lines, "\n"))
	}
}

func widget(t *testing.T, c client.Client, name string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("example.com/v1")
	u.SetKind("Widget")
	if err := c.Get(t.Context(), client.ObjectKey{Namespace: appNS, Name: name}, u); err != nil {
		return nil
	}
	return u
}

// waitWidgetSize waits until the Widget in a member has spec.size.
func (e *chartEnv) waitWidgetSize(t *testing.T, member, name string, size int64) {
	t.Helper()
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		w := widget(t, e.members[member], name)
		if w == nil {
			return fmt.Errorf("no Widget %s/%s in %s", appNS, name, member)
		}
		got, _, _ := unstructured.NestedInt64(w.Object, "spec", "size")
		if got != size {
			return fmt.Errorf("Widget %s in %s has size %d", name, member, got)
		}
		return nil
	}, "Widget %s with size %d in %s", name, size, member)
}

// updateWidgetTemplate sets the size and color of a FederatedWidget's
// template.
func (e *chartEnv) updateWidgetTemplate(ctx context.Context, name string, size int64, color string) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		fed := &unstructured.Unstructured{}
		fed.SetAPIVersion("types.kubefed.io/v1beta1")
		fed.SetKind("FederatedWidget")
		if err := e.host.Get(ctx, client.ObjectKey{Namespace: appNS, Name: name}, fed); err != nil {
			return err
		}
		if err := unstructured.SetNestedField(fed.Object, size, "spec", "template", "spec", "size"); err != nil {
			return err
		}
		if err := unstructured.SetNestedField(fed.Object, color, "spec", "template", "spec", "style", "color"); err != nil {
			return err
		}
		if err := e.host.Update(ctx, fed); err != nil {
			return fmt.Errorf("updating the template of FederatedWidget %s/%s: %w", appNS, name, err)
		}
		return nil
	})
}

func createFederatedWidget(t *testing.T, c client.Client, name string, size int) error {
	t.Helper()
	manifest := fmt.Sprintf(`{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedWidget", "metadata": {"name": %q, "namespace": %q},
		"spec": {"template": {"spec": {"size": %d, "style": {"color": "red"}}}, "placement": {"clusterSelector": {}},
		"overrides": [{"clusterName": "member2", "clusterOverrides": [{"path": "/spec/size", "value": 5}]}]}}`, name, appNS, size)
	return kubefedctltest.Create(t, c, manifest)
}

// testKubectlPlugin runs kubefedctl as the kubectl plugin kubectl-kubefed.
func testKubectlPlugin(t *testing.T, e *chartEnv) {
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(e.binDir, "kubefedctl"), filepath.Join(dir, "kubectl-kubefed")); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		cmd := exec.CommandContext(t.Context(), filepath.Join(e.binDir, "kubectl"), args...)
		cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		t.Logf("kubectl %s:\n%s(error: %v)", strings.Join(args, " "), out, err)
		if err != nil {
			t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
		}
		return string(out)
	}
	contains(t, run("kubefed", "--help"), "kubectl kubefed [command]", "enable", "federate", "orphaning-deletion", "status")
	contains(t, run("kubefed", "--kubeconfig", e.fed.Kubeconfig(), "--host-cluster-context", "host", "orphaning-deletion", "status", "FederatedPodDisruptionBudget", "web", "-n", appNS), "Disabled")
	contains(t, run("kubefed", "completion", "bash"), "bash completion")
}
