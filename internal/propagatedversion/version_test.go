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

package propagatedversion

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
)

// goldenFile is KubeFed v0.10.0's own output for a set of federated objects:
// the templateVersion and overridesVersion its sync controller records for
// them. It lives in the shared folder next to the repository checkout.
const goldenFile = "../shared/kubefed-golden/propagatedversion-hashes.jsonl"

// goldenCase is one line of goldenFile.
type goldenCase struct {
	Object           json.RawMessage `json:"object"`
	TemplateVersion  string          `json:"templateVersion"`
	OverridesVersion string          `json:"overridesVersion"`
}

// readGolden reads every line of goldenFile. A missing file fails the test:
// without it nothing here compares with KubeFed.
func readGolden(t *testing.T) []goldenCase {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source to find the golden file")
	}
	// This file is <repo>/internal/propagatedversion/version_test.go.
	path := filepath.Join(filepath.Dir(self), "..", "..", filepath.FromSlash(goldenFile))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading KubeFed's golden hashes: %v; check out the shared folder (kubefed-golden) next to the repository, as CI does", err)
	}
	var cases []goldenCase
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c goldenCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("%s line %d: %v", path, i+1, err)
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		t.Fatalf("%s holds no cases", path)
	}
	return cases
}

// TestVersionsMatchKubeFed checks both hashes of every golden object against
// the values KubeFed v0.10.0's GetTemplateHash and GetOverrideHash computed
// for it. The objects are decoded as a client decodes what the API server
// returns (integers as int64).
func TestVersionsMatchKubeFed(t *testing.T) {
	t.Parallel()
	for i, c := range readGolden(t) {
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(c.Object); err != nil {
			t.Fatalf("golden line %d: %v", i+1, err)
		}
		t.Run(fmt.Sprintf("%d-%s-%s", i+1, obj.GetKind(), obj.GetName()), func(t *testing.T) {
			t.Parallel()
			template, err := TemplateVersion(obj)
			if err != nil {
				t.Fatal(err)
			}
			if template != c.TemplateVersion {
				t.Errorf("TemplateVersion = %q, KubeFed records %q", template, c.TemplateVersion)
			}
			overrides, err := OverridesVersion(obj)
			if err != nil {
				t.Fatal(err)
			}
			if overrides != c.OverridesVersion {
				t.Errorf("OverridesVersion = %q, KubeFed records %q", overrides, c.OverridesVersion)
			}
		})
	}
}

// TestOverridesVersionWithoutSpec covers the one case the golden file does
// not: KubeFed's GetOverrideHash returns "" when the object has no spec.
func TestOverridesVersionWithoutSpec(t *testing.T) {
	t.Parallel()
	obj := &unstructured.Unstructured{Object: map[string]interface{}{"metadata": map[string]interface{}{"name": "x"}}}
	got, err := OverridesVersion(obj)
	if err != nil {
		t.Fatal(err)
	}
	if got != "" {
		t.Errorf("OverridesVersion = %q, want \"\"", got)
	}
}

func TestObjectVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		meta metav1.ObjectMeta
		want string
	}{
		{name: "generation", meta: metav1.ObjectMeta{Generation: 3, ResourceVersion: "100"}, want: "gen:3"},
		{name: "resource version", meta: metav1.ObjectMeta{ResourceVersion: "48213"}, want: "rv:48213"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := ObjectVersion(&tc.meta); got != tc.want {
				t.Errorf("ObjectVersion = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestClusterVersions(t *testing.T) {
	t.Parallel()
	list := ClusterVersions(map[string]string{"b": "gen:2", "a": "rv:7"})
	want := []fedcorev1a1.ClusterObjectVersion{{ClusterName: "a", Version: "rv:7"}, {ClusterName: "b", Version: "gen:2"}}
	if len(list) != len(want) || list[0] != want[0] || list[1] != want[1] {
		t.Errorf("ClusterVersions = %v, want %v", list, want)
	}
	back := ClusterVersionMap(&fedcorev1a1.PropagatedVersionStatus{ClusterVersions: list})
	if len(back) != 2 || back["a"] != "rv:7" || back["b"] != "gen:2" {
		t.Errorf("ClusterVersionMap = %v", back)
	}
	if ClusterVersions(nil) != nil {
		t.Error("ClusterVersions(nil) is not nil")
	}
	if got := fedcorev1a1.PropagatedVersionName("Deployment", "web"); got != "deployment-web" {
		t.Errorf("PropagatedVersionName = %q", got)
	}
}
