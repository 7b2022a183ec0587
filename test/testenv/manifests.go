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
	"os"
	"path/filepath"
	"testing"
)

// Manifest is one file of a manifest folder of the repository (config/...).
type Manifest struct {
	// Name is the file's name, Path its path from the repository's root.
	Name, Path string
	// Data is what the file holds.
	Data []byte
}

// ReadManifests reads the files of the repository folder dir (a path from
// the repository's root, such as config/samples) whose names match pattern,
// in name order, leaving out kustomization.yaml, which lists a folder's
// manifests for kustomize and is none itself. It fails the test when a file
// cannot be read; it returns none when nothing matches, and the caller says
// whether that is an error.
func ReadManifests(t testing.TB, dir, pattern string) []Manifest {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(RepoRoot(), dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	var manifests []Manifest
	for _, path := range paths {
		name := filepath.Base(path)
		if name == "kustomization.yaml" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		manifests = append(manifests, Manifest{Name: name, Path: filepath.Join(dir, name), Data: data})
	}
	return manifests
}
