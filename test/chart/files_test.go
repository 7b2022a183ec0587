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
	"path/filepath"
	"testing"

	"github.com/kubefed/kubefed/test/testenv"
)

// TestGeneratedCopiesAreCurrent checks that the chart's copies of generated
// manifests (the CRDs, the default FederatedTypeConfigs and the controllers'
// RBAC) match config/, where `make manifests` writes them.
func TestGeneratedCopiesAreCurrent(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot()
	for _, tc := range []struct{ from, to, pattern string }{
		{"config/crd/bases", "charts/kubefed/crds", "*.yaml"},
		{"config/federatedtypeconfigs", "charts/kubefed/files/federatedtypeconfigs", "*.yaml"},
		{"config/rbac", "charts/kubefed/files/rbac", "role.yaml"},
	} {
		sources := testenv.ReadManifests(t, tc.from, tc.pattern)
		if len(sources) == 0 {
			t.Logf("%s/%s not generated yet; the chart's copy stands", tc.from, tc.pattern)
			continue
		}
		for _, src := range sources {
			got, err := os.ReadFile(filepath.Join(root, tc.to, src.Name))
			if err != nil {
				t.Errorf("%s has no copy in %s: run make manifests", src.Path, tc.to)
				continue
			}
			if !bytes.Equal(got, src.Data) {
				t.Errorf("%s differs from %s: run make manifests", filepath.Join(tc.to, src.Name), src.Path)
			}
		}
	}
}
