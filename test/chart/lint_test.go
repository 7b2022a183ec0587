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
	"strings"
	"testing"
)

// TestLint checks that helm lint finds nothing to warn about, in both scopes.
func TestLint(t *testing.T) {
	t.Parallel()
	for _, scope := range []string{"Cluster", "Namespaced"} {
		t.Run(scope, func(t *testing.T) {
			t.Parallel()
			out := mustHelm(t, "lint", "--strict", chartDir(), "--namespace", releaseNamespace, "--set", "global.scope="+scope)
			if !strings.Contains(out, "0 chart(s) failed") {
				t.Errorf("helm lint failed:\n%s", out)
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.Contains(line, "[WARNING]") || strings.Contains(line, "[ERROR]") {
					t.Errorf("helm lint: %s", line)
				}
			}
		})
	}
}
