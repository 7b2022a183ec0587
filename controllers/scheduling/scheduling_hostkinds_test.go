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

package scheduling

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kubefed/kubefed/test/testenv"
)

// TestHostKindsAreTheTargetKinds: the host kinds the controller reports
// (those whose informers the sync controllers' supervisor keeps) are the
// federated kinds the ReplicaSchedulingPreference CRD accepts as
// spec.targetKind, in types.kubefed.io/v1beta1.
func TestHostKindsAreTheTargetKinds(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "crd", "bases", "scheduling.kubefed.io_replicaschedulingpreferences.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.Unmarshal(raw, crd); err != nil {
		t.Fatal(err)
	}
	var want []schema.GroupVersionKind
	for _, v := range crd.Spec.Versions {
		for _, kind := range v.Schema.OpenAPIV3Schema.Properties["spec"].Properties["targetKind"].Enum {
			var k string
			if err := yaml.Unmarshal(kind.Raw, &k); err != nil {
				t.Fatal(err)
			}
			want = append(want, schema.GroupVersionKind{Group: "types.kubefed.io", Version: "v1beta1", Kind: k})
		}
	}
	if len(want) == 0 {
		t.Fatal("the CRD lists no spec.targetKind values")
	}
	if got := HostKinds(); !slices.Equal(got, want) {
		t.Errorf("HostKinds() = %v, want the CRD's target kinds %v", got, want)
	}
}
