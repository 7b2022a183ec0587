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

package app

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestMissingCertFiles: admission is on only with both files of a
// kubernetes.io/tls Secret in the certificate directory.
func TestMissingCertFiles(t *testing.T) {
	write := func(dir string, names ...string) string {
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	for _, tc := range []struct {
		name string
		dir  string
		want []string
	}{
		{"no directory given", "", []string{"tls.crt", "tls.key"}},
		{"a directory that does not exist", filepath.Join(t.TempDir(), "absent"), []string{"tls.crt", "tls.key"}},
		{"an empty directory", t.TempDir(), []string{"tls.crt", "tls.key"}},
		{"a certificate without its key", write(t.TempDir(), "tls.crt"), []string{"tls.key"}},
		{"a Secret's files", write(t.TempDir(), "tls.crt", "tls.key", "ca.crt"), nil},
	} {
		got, err := missingCertFiles(tc.dir)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: missing %v, want %v", tc.name, got, tc.want)
		}
	}
}
