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

package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPauseExitsZeroOnSignal runs the built program and stops it the way a
// container runtime stops a sandbox.
func TestPauseExitsZeroOnSignal(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "pause")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()

			// It keeps running, also through a SIGCHLD (with no child to reap).
			_ = cmd.Process.Signal(syscall.SIGCHLD)
			select {
			case err := <-done:
				t.Fatalf("pause exited without being stopped: %v", err)
			case <-time.After(300 * time.Millisecond):
			}

			// 300ms is ample for the program to reach signal.Notify; a
			// signal before it would kill it and fail the test below.
			_ = cmd.Process.Signal(sig)
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("pause stopped by %s: %v, want exit status 0", sig, err)
				}
				if !strings.Contains(stderr.String(), "Shutting down") {
					t.Errorf("stderr %q, want the shutdown message", stderr.String())
				}
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("pause still runs 10s after %s", sig)
			}
		})
	}
}

func TestPauseVersionFlag(t *testing.T) {
	out, err := exec.Command("go", "run", ".", "-v").Output()
	if err != nil {
		t.Fatalf("pause -v: %v", err)
	}
	if strings.TrimSpace(string(out)) != "pause (kubefed)" {
		t.Errorf("pause -v printed %q", out)
	}
}
