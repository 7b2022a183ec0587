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

package framework

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// ControllerManagerOptions say how StartControllerManager runs
// bin/controller-manager.
type ControllerManagerOptions struct {
	// Name tells the controller managers of a test apart (a, b, ...) in
	// its log lines; empty for a test's only one.
	Name string
	// BinDir holds controller-manager; DefaultBinDir() when empty.
	BinDir string
	// Kubeconfig names the host cluster and the identity (--kubeconfig):
	// required. The inherited KUBECONFIG and KUBEFED_NAMESPACE are removed,
	// so that only the flags name a cluster, an identity and a namespace.
	Kubeconfig string
	// Namespace is the KubeFed system namespace (--kubefed-namespace):
	// required.
	Namespace string
	// MetricsAddr and ProbeAddr are the host:port of /metrics and of
	// /healthz and /readyz; "0" (off) when empty. FreeAddr gives a free one.
	MetricsAddr, ProbeAddr string
	// LeaderElect turns leader election on (--leader-elect).
	LeaderElect bool
	// Profiling serves pprof on the metrics listener (--profiling).
	Profiling bool
	// Args are more flags, after the ones above.
	Args []string
	// Env changes the inherited environment as ProcessOptions.Env does,
	// after KUBECONFIG and KUBEFED_NAMESPACE are removed.
	Env []string
	// LogPath is the file the process's output is appended to: required.
	LogPath string
	// StopGrace is how NewControllerManager stops the process when the
	// test ends: SIGTERM, then SIGKILL after StopGrace; SIGKILL at once
	// when zero.
	StopGrace time.Duration
}

// ControllerManager is a running bin/controller-manager process.
type ControllerManager struct {
	*Process
	// Name is the options' Name.
	Name string
	// MetricsAddr and ProbeAddr are the options' addresses ("0": off).
	MetricsAddr, ProbeAddr string
}

// StartControllerManager starts bin/controller-manager with opts and
// returns at once; WaitReady waits for its readiness probe, Stop ends it.
// It dies with the process that started it (on Linux).
func StartControllerManager(opts ControllerManagerOptions) (*ControllerManager, error) {
	if opts.Kubeconfig == "" || opts.Namespace == "" || opts.LogPath == "" {
		return nil, errors.New("StartControllerManager: Kubeconfig, Namespace and LogPath are required")
	}
	if opts.BinDir == "" {
		opts.BinDir = DefaultBinDir()
	}
	c := &ControllerManager{Name: opts.Name, MetricsAddr: cmp.Or(opts.MetricsAddr, "0"), ProbeAddr: cmp.Or(opts.ProbeAddr, "0")}
	args := []string{
		"--kubeconfig", opts.Kubeconfig,
		"--kubefed-namespace", opts.Namespace,
		"--metrics-bind-address", c.MetricsAddr,
		"--health-probe-bind-address", c.ProbeAddr,
	}
	if opts.LeaderElect {
		args = append(args, "--leader-elect")
	}
	if opts.Profiling {
		args = append(args, "--profiling")
	}
	p, err := StartProcess(ProcessOptions{
		Path:    filepath.Join(opts.BinDir, "controller-manager"),
		Args:    append(args, opts.Args...),
		Env:     append([]string{"KUBECONFIG", "KUBEFED_NAMESPACE"}, opts.Env...),
		LogPath: opts.LogPath,
	})
	if err != nil {
		return nil, fmt.Errorf("%w (run 'make build' first)", err)
	}
	c.Process = p
	return c, nil
}

// NewControllerManager is StartControllerManager for a test: it fails the
// test when the process does not start, and when the test ends it stops
// the process (unless it ended before; see StopGrace) and, when the test
// failed, logs the error lines and the last lines of its log.
func NewControllerManager(t testing.TB, opts ControllerManagerOptions) *ControllerManager {
	t.Helper()
	c, err := StartControllerManager(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Stop(opts.StopGrace)
		if t.Failed() {
			t.Logf("controller manager %s (pid %d, %s), log %s:\n%s", c.Name, c.PID(), c.ExitStatus(), c.LogPath, c.LogExcerpt(100))
		}
	})
	t.Logf("started controller manager %s (pid %d, metrics %s, probes %s)", c.Name, c.PID(), c.MetricsAddr, c.ProbeAddr)
	return c
}

// WaitReady waits up to timeout until the controller manager's /readyz
// answers 200; it needs a ProbeAddr. It gives up at once when the process
// exits.
func (c *ControllerManager) WaitReady(ctx context.Context, timeout time.Duration) error {
	if c.ProbeAddr == "0" {
		return errors.New("WaitReady needs the controller manager's ProbeAddr")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := "http://" + c.ProbeAddr + "/readyz"
	for {
		err := getOK(ctx, url)
		if err == nil {
			return nil
		}
		select {
		case <-c.Exited():
			return fmt.Errorf("the controller manager exited (%s); last lines of %s:\n%s", c.ExitStatus(), c.LogPath, c.LogTail(30))
		case <-ctx.Done():
			return fmt.Errorf("the controller manager was not ready after %s: %w", timeout, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func getOK(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", url, resp.StatusCode)
	}
	return nil
}

// FreeAddr returns 127.0.0.1 with a port that is free now, for a process's
// listener.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
