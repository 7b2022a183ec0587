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
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
)

// testFederate federates objects of the host: a missing one, one of a type
// not enabled, -o yaml, a placement, an existing one and --dry-run.
func testFederate(t *testing.T, e *cmdEnv) {
	c := e.c
	ctx := t.Context()
	if err := c.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Data: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	out, err := e.run(t, "federate", "secret", "s", "-n", "default")
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("federating a missing Secret: %v", err)
	}
	if err := c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "default"}, StringData: map[string]string{"a": "b"}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.run(t, "federate", "secret", "s", "-n", "default")
	if err == nil || !strings.Contains(err.Error(), "type secrets is not enabled: run 'kubefedctl enable secrets', or pass --enable-type") {
		t.Errorf("federating a Secret of a type not enabled: %v", err)
	}
	out = e.mustRun(t, "federate", "cm", "cfg", "-n", "default", "-o", "yaml")
	kubefedctltest.WantContains(t, out, "kind: FederatedConfigMap", "clusterSelector:", "matchLabels: {}", "app: web", "k: v")
	if strings.Contains(out, "resourceVersion") || strings.Contains(out, "uid:") {
		t.Errorf("the template keeps server-owned metadata:\n%s", out)
	}
	out = e.mustRun(t, "federate", "configmaps", "cfg", "-n", "default", "--placement-clusters", "member1,member2")
	kubefedctltest.WantContains(t, out, `Successfully created FederatedConfigMap "default/cfg" from ConfigMap`)
	fed := e.getFederated(t, "FederatedConfigMap", "cfg")
	if v, _, _ := unstructured.NestedString(fed.Object, "spec", "template", "data", "k"); v != "v" {
		t.Errorf("template data k = %q", v)
	}
	clusters, _, _ := unstructured.NestedSlice(fed.Object, "spec", "placement", "clusters")
	if len(clusters) != 2 {
		t.Errorf("placement clusters = %v", clusters)
	}
	out = e.mustRun(t, "federate", "configmaps", "cfg", "-n", "default")
	kubefedctltest.WantContains(t, out, `FederatedConfigMap "default/cfg" already exists`)
	out = e.mustRun(t, "federate", "secret", "s", "-n", "default", "--enable-type", "--dry-run")
	kubefedctltest.WantContains(t, out, "(dry run)", "Dry run: nothing was changed")
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "secrets"}, &fedcorev1b1.FederatedTypeConfig{}); !apierrors.IsNotFound(err) {
		t.Errorf("federate --dry-run --enable-type enabled secrets (get: %v)", err)
	}
}

// testFederateContents federates a namespace with its contents, some types
// skipped, and refuses contents of types not enabled.
func testFederateContents(t *testing.T, e *cmdEnv) {
	c := e.c
	ctx := t.Context()
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}); err != nil {
		t.Fatal(err)
	}
	for _, obj := range []client.Object{
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: "shop"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "creds", Namespace: "shop"}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "shop"}},
	} {
		if err := c.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	out := e.mustRun(t, "federate", "namespace", "shop", "--contents", "--skip-api-resources", "configmaps,apps", "-o", "yaml")
	kubefedctltest.WantContains(t, out, "kind: FederatedNamespace", "kind: FederatedSecret", "name: creds")
	for _, unwanted := range []string{"FederatedConfigMap", "FederatedServiceAccount"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("federate --contents printed a %s (skipped or made by the cluster):\n%s", unwanted, out)
		}
	}
	e.mustRun(t, "enable", "namespaces", "--wait", "0")
	_, err := e.run(t, "federate", "namespace", "shop", "--contents", "-s", "configmaps")
	if err == nil || !strings.Contains(err.Error(), "namespace shop holds objects of types that are not enabled (secrets)") {
		t.Errorf("federate --contents with a type not enabled: %v", err)
	}
}

// testFederateFile federates the objects of a file, or standard input,
// without a cluster.
func testFederateFile(t *testing.T, e *cmdEnv) {
	ctx := t.Context()
	file := filepath.Join(t.TempDir(), "app.yaml")
	manifest := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: demo\n  uid: 123\nspec:\n  replicas: 2\n---\n" +
		"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n"
	if err := os.WriteFile(file, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := kubefedctl.NewCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--kubeconfig", filepath.Join(t.TempDir(), "missing"), "federate", "--filename", file, "-o", "yaml"})
	if err := cmd.ExecuteContext(ctx); err != nil {
		t.Fatal(err)
	}
	kubefedctltest.WantContains(t, out.String(), "kind: FederatedDeployment", "namespace: demo", "replicas: 2", "kind: FederatedNamespace")
	if strings.Contains(out.String(), "uid") {
		t.Errorf("uid kept:\n%s", out.String())
	}
	// KubeFed's "--filename -" reads standard input.
	stdin := kubefedctl.NewCommand()
	var fromStdin bytes.Buffer
	stdin.SetOut(&fromStdin)
	stdin.SetIn(strings.NewReader(manifest))
	stdin.SetArgs([]string{"federate", "-f", "-"})
	if err := stdin.ExecuteContext(ctx); err != nil {
		t.Fatal(err)
	}
	if fromStdin.String() != out.String() {
		t.Errorf("federate -f - printed\n%s\nwant\n%s", fromStdin.String(), out.String())
	}
}
