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
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
)

func federated(t *testing.T, manifest string) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &obj.Object); err != nil {
		t.Fatal(err)
	}
	return obj
}

// The expected hashes are MD5 sums of the exact bytes KubeFed hashed:
// the JSON with keys sorted and HTML characters escaped, plus a newline.
func TestTemplateVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		manifest string
		want     string
	}{
		{
			name:     "template",
			manifest: "spec:\n  template:\n    data:\n      A: ala ma kota\n",
			want:     "63edc4c5d1171489b7a34eedad2dcf91",
		},
		{
			name:     "key order does not matter",
			manifest: "spec:\n  placement: {}\n  template: {\"data\": {\"A\": \"ala ma kota\"}}\n",
			want:     "63edc4c5d1171489b7a34eedad2dcf91",
		},
		{
			name:     "empty template",
			manifest: "spec:\n  template: {}\n",
			want:     "8a80554c91d9fca8acb82f023de02f11",
		},
		{
			name:     "HTML characters are escaped as encoding/json does",
			manifest: "spec:\n  template:\n    metadata:\n      labels:\n        a: <b>\n",
			want:     "4e1e3c0ed6d16fd1f3c13b41281acd47",
		},
		{
			name:     "no template",
			manifest: "spec:\n  placement: {}\n",
			want:     "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := TemplateVersion(federated(t, tc.manifest))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("TemplateVersion = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOverridesVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		manifest string
		want     string
	}{
		{
			name: "replace",
			manifest: "spec:\n  overrides:\n  - clusterName: cluster2\n    clusterOverrides:\n" +
				"    - op: replace\n      path: /spec/replicas\n      value: 5\n",
			want: "86d93c5555346061c06c710977496104",
		},
		{
			name: "no op, object value",
			manifest: "spec:\n  overrides:\n  - clusterName: cluster2\n    clusterOverrides:\n" +
				"    - path: /data\n      value:\n        foo: bar\n",
			want: "49f40077a296cfdec86094511ecf9afd",
		},
		{
			name:     "no overrides hashes {}",
			manifest: "spec:\n  template: {}\n",
			want:     "8a80554c91d9fca8acb82f023de02f11",
		},
		{
			name:     "empty overrides hash {}",
			manifest: "spec:\n  overrides: []\n",
			want:     "8a80554c91d9fca8acb82f023de02f11",
		},
		{
			name:     "no spec",
			manifest: "metadata:\n  name: x\n",
			want:     "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := OverridesVersion(federated(t, tc.manifest))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("OverridesVersion = %q, want %q", got, tc.want)
			}
		})
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
