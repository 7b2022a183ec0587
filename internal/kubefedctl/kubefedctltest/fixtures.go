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

package kubefedctltest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/testenv"
)

// Run runs the kubefedctl command line in-process with --kubeconfig
// kubeconfig and args, logs what it printed, and returns that (standard
// output and error together) and the command's error.
func Run(t testing.TB, kubeconfig string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := kubefedctl.NewCommand()
	cmd.SetArgs(append([]string{"--kubeconfig", kubeconfig}, args...))
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	err := cmd.ExecuteContext(t.Context())
	t.Logf("kubefedctl %s:\n%s(error: %v)", strings.Join(args, " "), out.String(), err)
	return out.String(), err
}

// MustRun is Run that fails the test when the command fails.
func MustRun(t testing.TB, kubeconfig string, args ...string) string {
	t.Helper()
	out, err := Run(t, kubeconfig, args...)
	if err != nil {
		t.Fatalf("kubefedctl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// WantContains reports an error of the test for every part that s does not
// contain.
func WantContains(t testing.TB, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("missing %q in:\n%s", p, s)
		}
	}
}

// ExampleCRD returns the manifest of a namespaced CRD of the given kind in
// the group example.com, version v1 (plural: the kind lower-cased with an
// s), with a nested schema, like a user's, that no default federated type
// covers: spec.size (an integer of at least 1, required) and spec.style
// (color, red or blue; layers, objects with a required name).
// WidgetCRD is ExampleCRD("Widget", "wdg").
func ExampleCRD(kind, shortName string) string {
	return CRD{Group: "example.com", Version: "v1", Kind: kind, ShortNames: []string{shortName}, Schema: exampleSchema}.Manifest()
}

// exampleSchema is the schema of ExampleCRD.
const exampleSchema = `
type: object
properties:
  spec:
    type: object
    required: [size]
    properties:
      size: {type: integer, minimum: 1}
      style:
        type: object
        properties:
          color: {type: string, enum: [red, blue]}
          layers:
            type: array
            items: {type: object, properties: {name: {type: string}}, required: [name]}
  status:
    type: object
    x-kubernetes-preserve-unknown-fields: true
`

// WidgetCRD is the CRD of the Widgets (widgets.example.com) the tests
// enable, federate and propagate.
var WidgetCRD = ExampleCRD("Widget", "wdg")

// InstallCRD creates the CRD of a manifest and waits until it is
// established and its kind is served (a list of it succeeds through c), so
// that objects of it can be created through c right away.
func InstallCRD(t testing.TB, c client.Client, manifest string) *apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict([]byte(manifest), crd); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(t.Context(), crd); err != nil {
		t.Fatalf("creating CRD %s: %v", crd.Name, err)
	}
	waitServed(t, c, crd)
	return crd
}

// InstallCoreCRDs installs KubeFed's own CRDs (core.kubefed.io, from
// config/crd/bases) and waits until they are served: what a KubeFed
// installation provides before anyone joins a cluster.
func InstallCoreCRDs(t testing.TB, c client.Client) {
	t.Helper()
	for _, file := range CoreCRDFiles(t) {
		InstallCRDFile(t, c, file)
	}
}

// InstallCRDFile is InstallCRD with the manifest in a file, relative to the
// repository's root (config/crd/bases/...).
func InstallCRDFile(t testing.TB, c client.Client, file string) *apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), file))
	if err != nil {
		t.Fatal(err)
	}
	return InstallCRD(t, c, string(data))
}

// CoreCRDFiles returns the files of KubeFed's own CRDs (core.kubefed.io),
// relative to the repository's root, as testenv.EnvtestOptions takes them.
// The federated types' CRDs are left out: enable creates them.
func CoreCRDFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "crd", "bases", "core.kubefed.io_*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no core CRDs in config/crd/bases (run 'make manifests'): %v", err)
	}
	for i, f := range files {
		files[i], _ = filepath.Rel(testenv.RepoRoot(), f)
	}
	return files
}

// waitServed waits until the CRD is established and a list of its kind
// succeeds.
func waitServed(t testing.TB, c client.Client, crd *apiextensionsv1.CustomResourceDefinition) {
	t.Helper()
	list := &unstructured.UnstructuredList{}
	for _, v := range crd.Spec.Versions {
		if v.Served {
			list.SetAPIVersion(crd.Spec.Group + "/" + v.Name)
		}
	}
	list.SetKind(crd.Spec.Names.ListKind)
	testenv.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		got := &apiextensionsv1.CustomResourceDefinition{}
		if err := c.Get(ctx, client.ObjectKey{Name: crd.Name}, got); err != nil {
			return err
		}
		for _, cond := range got.Status.Conditions {
			if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
				return c.List(ctx, list)
			}
		}
		return fmt.Errorf("not established: %v", got.Status.Conditions)
	}, "CRD %s established and served", crd.Name)
}

// Create creates the object of a JSON or YAML manifest through c and
// returns the API server's error, for tests that expect a refusal.
func Create(t testing.TB, c client.Client, manifest string) error {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatal(err)
	}
	return c.Create(t.Context(), u)
}

// MustCreate is Create that fails the test when the object is refused.
func MustCreate(t testing.TB, c client.Client, manifest string) {
	t.Helper()
	if err := Create(t, c, manifest); err != nil {
		t.Fatalf("creating %s: %v", manifest, err)
	}
}

// NewClient returns a client of cfg that knows the kinds kubefedctl
// writes (kubefedctl.Scheme).
func NewClient(t testing.TB, cfg *rest.Config) client.Client {
	t.Helper()
	c, err := client.New(cfg, client.Options{Scheme: kubefedctl.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
