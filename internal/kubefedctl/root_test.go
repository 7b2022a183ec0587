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

package kubefedctl

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubefed/kubefed/internal/version"
)

func TestVersionCommand(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, out string)
		err   string
	}{
		{name: "text", args: []string{"version"}, check: func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "kubefedctl version "+version.Version+",") {
				t.Errorf("output %q does not start with the version", out)
			}
		}},
		{name: "json", args: []string{"version", "-o", "json"}, check: func(t *testing.T, out string) {
			var info version.Info
			if err := json.Unmarshal([]byte(out), &info); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if info.Version != version.Version || info.GoVersion == "" {
				t.Errorf("unexpected version info %+v", info)
			}
		}},
		{name: "bad output", args: []string{"version", "-o", "yaml"}, err: `unknown output format "yaml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			cmd := NewCommand()
			cmd.SetOut(&out)
			cmd.SetArgs(tt.args)
			err := cmd.Execute()
			if expectError(t, err, tt.err) {
				return
			}
			tt.check(t, out.String())
		})
	}
}

// expectError checks err against want, a part of the expected error
// message ("" when none is expected), failing the test on a mismatch; it
// reports whether an error was expected, so that a table test can stop
// there.
func expectError(t *testing.T, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
	return true
}
