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

package chart_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

// releaseName and releaseNamespace are the release every test renders or
// installs.
const (
	releaseName      = "kubefed"
	releaseNamespace = "kube-federation-system"
)

// chartDir is the chart under test.
func chartDir() string {
	return filepath.Join(testenv.RepoRoot(), "charts", "kubefed")
}

// tool returns the path of a pinned binary, failing the test with what to
// do when it is missing.
func tool(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(framework.DefaultBinDir(), name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s not found in %s (KUBEFED_BIN_DIR): run make tools", name, framework.DefaultBinDir())
	}
	return path
}

// helmResult is the outcome of one helm run.
type helmResult struct {
	stdout, stderr string
	err            error
}

// runHelm runs helm with args, with Helm's cache, config and data homes in a
// temporary directory so that the user's repositories and plugins play no
// part.
func runHelm(t *testing.T, args ...string) helmResult {
	t.Helper()
	home := t.TempDir()
	cmd := exec.CommandContext(t.Context(), tool(t, "helm"), args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return helmResult{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// mustHelm runs helm and fails the test when it fails.
func mustHelm(t *testing.T, args ...string) string {
	t.Helper()
	res := runHelm(t, args...)
	if res.err != nil {
		t.Fatalf("helm %s: %v\n%s%s", strings.Join(args, " "), res.err, res.stdout, res.stderr)
	}
	return res.stdout
}

// setArgs turns key=value pairs into --set flags.
func setArgs(sets ...string) []string {
	var args []string
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return args
}

// documentSeparator splits a multi-document YAML stream.
var documentSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// parseDocuments parses a multi-document YAML stream into objects, skipping
// empty documents.
func parseDocuments(t *testing.T, stream string) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	for _, doc := range documentSeparator.Split(stream, -1) {
		obj := map[string]any{}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("parsing rendered document: %v\n%s", err, doc)
		}
		if len(obj) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: obj})
	}
	return objs
}

// rendered is the output of helm template.
type rendered []*unstructured.Unstructured

// render runs helm template on the chart with the given --set values and
// returns the objects.
func render(t *testing.T, sets ...string) rendered {
	t.Helper()
	args := append([]string{"template", releaseName, chartDir(), "--namespace", releaseNamespace}, setArgs(sets...)...)
	return parseDocuments(t, mustHelm(t, args...))
}

// ofKind returns the rendered objects of kind.
func (r rendered) ofKind(kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, obj := range r {
		if obj.GetKind() == kind {
			out = append(out, obj)
		}
	}
	return out
}

// one returns the only rendered object of kind and name, failing the test
// when there is not exactly one.
func (r rendered) one(t *testing.T, kind, name string) *unstructured.Unstructured {
	t.Helper()
	var found []*unstructured.Unstructured
	for _, obj := range r.ofKind(kind) {
		if obj.GetName() == name {
			found = append(found, obj)
		}
	}
	if len(found) != 1 {
		t.Fatalf("rendered %d %s %q, want 1", len(found), kind, name)
	}
	return found[0]
}

// nestedString reads a string field, failing the test when it is missing.
func nestedString(t *testing.T, obj *unstructured.Unstructured, fields ...string) string {
	t.Helper()
	v, found, err := unstructured.NestedFieldNoCopy(obj.Object, fields...)
	if err != nil || !found {
		t.Fatalf("%s %s: field %s not found (err %v)", obj.GetKind(), obj.GetName(), strings.Join(fields, "."), err)
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%s %s: field %s is %T, want string", obj.GetKind(), obj.GetName(), strings.Join(fields, "."), v)
	}
	return s
}

// nestedInt reads an integer field (YAML numbers parse as int64 or
// float64), failing the test when it is missing.
func nestedInt(t *testing.T, obj *unstructured.Unstructured, fields ...string) int64 {
	t.Helper()
	v, found, err := unstructured.NestedFieldNoCopy(obj.Object, fields...)
	if err != nil || !found {
		t.Fatalf("%s %s: field %s not found (err %v)", obj.GetKind(), obj.GetName(), strings.Join(fields, "."), err)
	}
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	}
	t.Fatalf("%s %s: field %s is %T, want a number", obj.GetKind(), obj.GetName(), strings.Join(fields, "."), v)
	return 0
}

// shippedFTCs returns the FederatedTypeConfigs the chart ships in
// files/federatedtypeconfigs.
func shippedFTCs(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(chartDir(), "files", "federatedtypeconfigs", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var ftcs []*unstructured.Unstructured
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, obj := range parseDocuments(t, string(data)) {
			if obj.GetKind() == "FederatedTypeConfig" {
				ftcs = append(ftcs, obj)
			}
		}
	}
	if len(ftcs) == 0 {
		t.Fatal("the chart ships no FederatedTypeConfigs in files/federatedtypeconfigs: run make manifests")
	}
	return ftcs
}

// shippedFTCNames returns the names of the FederatedTypeConfigs the chart
// ships, sorted.
func shippedFTCNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, ftc := range shippedFTCs(t) {
		names = append(names, ftc.GetName())
	}
	slices.Sort(names)
	return names
}
