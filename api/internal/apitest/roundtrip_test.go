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

package apitest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
)

// TestRoundTrip round-trips every fixture of testdata through the Go type
// of its apiVersion and kind, and checks that each kind of the core and
// scheduling packages has a fixture.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{fedcorev1a1.AddToScheme, fedcorev1b1.AddToScheme, fedschedv1a1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in testdata (%v)", err)
	}
	covered := map[string]bool{}
	for _, file := range files {
		fixture, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var tm metav1.TypeMeta
		if err := json.Unmarshal(fixture, &tm); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		gvk := tm.GroupVersionKind()
		covered[gvk.String()] = true
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			t.Parallel()
			obj, err := scheme.New(gvk)
			if err != nil {
				t.Fatalf("apiVersion %s, kind %s: %v", tm.APIVersion, tm.Kind, err)
			}
			RoundTrip(t, string(fixture), obj)
		})
	}
	for gvk, typ := range scheme.AllKnownTypes() {
		// The scheme also registers the meta/v1 options and events in each
		// group; only this module's kinds, and not their lists, need one.
		if !strings.HasPrefix(typ.PkgPath(), "github.com/kubefed/kubefed/api/") || strings.HasSuffix(gvk.Kind, "List") {
			continue
		}
		if !covered[gvk.String()] {
			t.Errorf("no fixture in testdata for %s", gvk)
		}
	}
}
