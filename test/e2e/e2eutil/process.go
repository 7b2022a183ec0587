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
	"cmp"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
// are its own. It is stopped when the test ends, and its log is printed
// when the test failed.
type Process struct {
	// Name is ProcessOptions.Name.
	Name string
	// LogPath holds the process's stdout and stderr.
	LogPath string
	// MetricsAddr and ProbeAddr are the host:port of /metrics and of the
	// probes ("0" when off).
	MetricsAddr, ProbeAddr string

	cmd     *exec.Cmd
	exited  chan struct{}
	mu      sync.Mutex
	state   *os.ProcessState
	waitErr error
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
// Namespace and the given options.
func StartControllerManager(t testing.TB, opts ProcessOptions) *Process {
	t.Helper()
	bin := filepath.Join(RequireBinaries(t, "controller-manager"), "controller-manager")
	logName := "controller-manager.log"
	if opts.Name != "" {
		logName = "controller-manager-" + opts.Name + ".log"
	}
	p := &Process{Name: opts.Name, LogPath: filepath.Join(t.TempDir(), logName),
		MetricsAddr: cmp.Or(opts.MetricsAddr, "0"), ProbeAddr: cmp.Or(opts.ProbeAddr, "0"), exited: make(chan struct{})}
	logFile, err := os.Create(p.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--kubeconfig", opts.Kubeconfig, "--kubefed-namespace", Namespace,
		"--metrics-bind-address", p.MetricsAddr, "--health-probe-bind-address", p.ProbeAddr}, opts.Args...)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "KUBECONFIG=") || strings.HasPrefix(kv, "KUBEFED_NAMESPACE=") || strings.HasPrefix(kv, "GOMEMLIMIT=")
	}), opts.Env...)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	// It dies with the test process, even when that panics.
	p.cmd.SysProcAttr = framework.DieWithParent()
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("starting %s: %v", bin, err)
	}
	go func() {
		err := p.cmd.Wait()
		logFile.Close()
		p.mu.Lock()
		p.state, p.waitErr = p.cmd.ProcessState, err
		p.mu.Unlock()
		close(p.exited)
	}()
	t.Cleanup(func() {
		if opts.Graceful {
			p.terminate()
		} else {
			p.Kill(t)
		}
		if t.Failed() {
			t.Logf("controller manager %s (pid %d, %s):\n%s", p.Name, p.Pid(), p.ExitString(), p.LogExcerpt(100))
		}
	})
	t.Logf("started controller manager %s (pid %d, metrics %s, probes %s)", p.Name, p.Pid(), p.MetricsAddr, p.ProbeAddr)
	return p
}

// FreeAddr returns a local address with a port that is free now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Pid is the process's id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited is closed when the process has ended.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Running says whether the process has not ended yet.
func (p *Process) Running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// ExitString describes how the process ended ("running" while it runs).
func (p *Process) ExitString() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == nil {
		return "running"
	}
	return p.state.String()
}

// Signal sends sig to the process.
func (p *Process) Signal(sig os.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("sending %s to controller manager %s: %w", sig, p.Name, err)
	}
	return nil
}

// WaitExit waits until the process has ended and returns its state; it
// fails the test when that takes longer than timeout.
func (p *Process) WaitExit(t testing.TB, timeout time.Duration) *os.ProcessState {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(timeout):
		t.Fatalf("controller manager %s still running after %s", p.Name, timeout)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// Kill sends SIGKILL unless the process has ended, and waits for its end;
// the test fails when that takes longer than 30s.
func (p *Process) Kill(t testing.TB) {
	t.Helper()
	if !p.Running() {
		return
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Errorf("controller manager %s did not end within 30s of SIGKILL", p.Name)
	}
}

// Stop sends SIGTERM and fails the test unless the process exits with 0
// within a minute.
func (p *Process) Stop(t testing.TB) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		if code := p.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("controller manager %s exited with %d on SIGTERM; log:\n%s", p.Name, code, p.Tail(40))
		}
	case <-time.After(time.Minute):
		t.Errorf("controller manager %s did not stop within a minute of SIGTERM", p.Name)
	}
}

// terminate sends SIGTERM and, when the process has not ended 30s later,
// SIGKILL; it waits for the end.
func (p *Process) terminate() {
	if !p.Running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// LogLines returns the lines of the process's log.
func (p *Process) LogLines() []string {
	data, err := os.ReadFile(p.LogPath)
	if err != nil {
		return []string{fmt.Sprintf("reading %s: %v", p.LogPath, err)}
	}
	return strings.Split(strings.TrimRight(string(data), "\n"), "\n")
}

// Grep returns the log lines that contain every one of subs
// (case-insensitive).
func (p *Process) Grep(subs ...string) []string {
	return slices.DeleteFunc(p.LogLines(), func(l string) bool {
		lower := strings.ToLower(l)
		return slices.ContainsFunc(subs, func(s string) bool { return !strings.Contains(lower, strings.ToLower(s)) })
	})
}

// Tail returns the last n lines of the log.
func (p *Process) Tail(n int) string {
	lines := p.LogLines()
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// LogExcerpt returns the error lines of the log (at most n) and its last
// n lines.
func (p *Process) LogExcerpt(n int) string {
	lines := p.LogLines()
	var errs []string
	for _, l := range lines {
		lower := strings.ToLower(l)
		if strings.Contains(lower, `"level":"error"`) || strings.Contains(lower, "forbidden") || strings.HasPrefix(l, "E") {
			errs = append(errs, l)
		}
	}
	errs = errs[len(errs)-min(len(errs), n):]
	lines = lines[len(lines)-min(len(lines), n):]
	return fmt.Sprintf("--- %d error lines:\n%s\n--- last %d lines:\n%s", len(errs), strings.Join(errs, "\n"), len(lines), strings.Join(lines, "\n"))
}
