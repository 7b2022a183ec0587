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

package e2eutil

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kubefed/kubefed/test/framework"
)

// ProcessOptions says how StartControllerManager runs bin/controller-manager.
type ProcessOptions struct {
	// Name tells the processes of a test apart (a, b, ...); it names the
	// log file.
	Name string
	// Kubeconfig is the --kubeconfig of the process: the host, usually as
	// the chart's ServiceAccount (ChartKubeconfig, TokenKubeconfig).
	Kubeconfig string
	// MetricsAddr and ProbeAddr are the listeners of /metrics and of
	// /healthz and /readyz; empty means "0" (none). FreeAddr gives a free
	// local one.
	MetricsAddr, ProbeAddr string
	// Args are further flags.
	Args []string
	// Env is further environment, added after KUBECONFIG,
	// KUBEFED_NAMESPACE and GOMEMLIMIT of this process are removed (only
	// the flags name a cluster, an identity and a memory limit).
	Env []string
	// Graceful makes the end-of-test stop a SIGTERM, with SIGKILL only
	// after 30s; otherwise the process is killed.
	Graceful bool
}

// Process is bin/controller-manager running as a process of its own, the
// way it runs in a cluster: flags, environment, exit status and log file
// are its own. It is framework's ControllerManager (its state, log, Grep,
// LogExcerpt and WaitReady), with the checks an end-to-end test makes of
// how it ends.
type Process struct {
	*framework.ControllerManager
}

// BinDir returns where the binaries of make build and make tools are:
// $KUBEFED_BIN_DIR, else the repository's bin/.
func BinDir() string { return framework.DefaultBinDir() }

// RequireBinaries fails the test when one of the named binaries is not in
// BinDir, saying which make target builds it, and returns BinDir.
func RequireBinaries(t testing.TB, names ...string) string {
	t.Helper()
	dir := BinDir()
	for _, name := range names {
		target := "tools"
		if name == "controller-manager" || name == "kubefedctl" {
			target = "build"
		}
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatalf("%s: %v: run 'make %s' (or set KUBEFED_BIN_DIR to the directory holding it)", name, err, target)
		}
	}
	return dir
}

// StartControllerManager starts bin/controller-manager with the namespace
// Namespace and the given options, through framework.NewControllerManager
// (the one launcher of it): its log is a file of the test's temporary
// directory, it is stopped when the test ends, and its log is printed when
// the test failed.
func StartControllerManager(t testing.TB, opts ProcessOptions) *Process {
	t.Helper()
	logName := "controller-manager.log"
	if opts.Name != "" {
		logName = "controller-manager-" + opts.Name + ".log"
	}
	cmOpts := framework.ControllerManagerOptions{
		Name:        opts.Name,
		BinDir:      RequireBinaries(t, "controller-manager"),
		Kubeconfig:  opts.Kubeconfig,
		Namespace:   Namespace,
		MetricsAddr: opts.MetricsAddr,
		ProbeAddr:   opts.ProbeAddr,
		Args:        opts.Args,
		Env:         append([]string{"GOMEMLIMIT"}, opts.Env...),
		LogPath:     filepath.Join(t.TempDir(), logName),
	}
	if opts.Graceful {
		cmOpts.StopGrace = 30 * time.Second
	}
	return &Process{framework.NewControllerManager(t, cmOpts)}
}

// FreeAddr returns a local address with a port that is free now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	addr, err := framework.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// Signal sends sig to the process; the error names the process.
func (p *Process) Signal(sig os.Signal) error {
	if err := p.ControllerManager.Signal(sig); err != nil {
		return fmt.Errorf("sending %s to controller manager %s: %w", sig, p.Name, err)
	}
	return nil
}

// WaitExit waits until the process has ended and returns its state; it
// fails the test when that takes longer than timeout.
func (p *Process) WaitExit(t testing.TB, timeout time.Duration) *os.ProcessState {
	t.Helper()
	select {
	case <-p.Exited():
	case <-time.After(timeout):
		t.Fatalf("controller manager %s still running after %s", p.Name, timeout)
	}
	return p.State()
}

// Kill sends SIGKILL unless the process has ended, and waits for its end;
// the test fails when that takes longer than 30s.
func (p *Process) Kill(t testing.TB) {
	t.Helper()
	if !p.Running() {
		return
	}
	_ = p.ControllerManager.Signal(syscall.SIGKILL)
	select {
	case <-p.Exited():
	case <-time.After(30 * time.Second):
		t.Errorf("controller manager %s did not end within 30s of SIGKILL", p.Name)
	}
}

// Stop sends SIGTERM and fails the test unless the process exits with 0
// within a minute.
func (p *Process) Stop(t testing.TB) {
	t.Helper()
	_ = p.ControllerManager.Signal(syscall.SIGTERM)
	select {
	case <-p.Exited():
		if code := p.State().ExitCode(); code != 0 {
			t.Errorf("controller manager %s exited with %d on SIGTERM; log:\n%s", p.Name, code, p.LogTail(40))
		}
	case <-time.After(time.Minute):
		t.Errorf("controller manager %s did not stop within a minute of SIGTERM", p.Name)
	}
}
