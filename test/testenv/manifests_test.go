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

package testenv

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadManifests checks ReadManifests against the folder's listing read
// directly: every YAML file but kustomization.yaml, in name order, with its
// contents.
func TestReadManifests(t *testing.T) {
	dir := filepath.Join("config", "samples")
	entries, err := os.ReadDir(filepath.Join(RepoRoot(), dir))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	sawKustomization := false
	for _, e := range entries {
		switch {
		case e.Name() == "kustomization.yaml":
			sawKustomization = true
		case strings.HasSuffix(e.Name(), ".yaml"):
			want = append(want, e.Name())
		}
	}
	if !sawKustomization || len(want) == 0 {
		t.Fatalf("%s holds no kustomization.yaml or no manifest: %v", dir, entries)
	}

	got := ReadManifests(t, dir, "*.yaml")
	if len(got) != len(want) {
		t.Fatalf("ReadManifests returned %d files, want %d (%v)", len(got), len(want), want)
	}
	for i, m := range got {
		if m.Name != want[i] || m.Path != filepath.Join(dir, want[i]) {
			t.Errorf("file %d is %s (%s), want %s", i, m.Name, m.Path, want[i])
		}
		data, err := os.ReadFile(filepath.Join(RepoRoot(), dir, want[i]))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Data, data) {
			t.Errorf("%s: Data differs from the file", m.Path)
		}
	}

	if none := ReadManifests(t, dir, "no-such-*.yaml"); len(none) != 0 {
		t.Errorf("ReadManifests of a pattern that matches nothing returned %v", none)
	}
}
