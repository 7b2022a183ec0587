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

package install_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kubefed/kubefed/test/framework"
)

// controller is a controller manager process started from bin/.
type controller struct {
	// name tells the processes of a test apart (a, b, ...).
	name string
	// logPath holds the process's stdout and stderr.
	logPath string
	// metricsAddr and probeAddr are the host:port of /metrics and of
	// /healthz and /readyz.
	metricsAddr, probeAddr string

	cmd     *exec.Cmd
	exited  chan struct{}
	mu      sync.Mutex
	state   *os.ProcessState
	waitErr error
}

// startController starts a controller manager with the chart's identity,
// leader election on, its metrics and probes on free local ports. The
// process is killed at the end of the test when still running; its log is
// printed when the test failed.
func (e *env) startController(t *testing.T, name string) *controller {
	t.Helper()
	c := &controller{
		name:        name,
		logPath:     filepath.Join(t.TempDir(), "controller-manager-"+name+".log"),
		metricsAddr: freeAddr(t),
		probeAddr:   freeAddr(t),
		exited:      make(chan struct{}),
	}
	logFile, err := os.Create(c.logPath)
	if err != nil {
		t.Fatal(err)
	}
	c.cmd = exec.Command(filepath.Join(e.binDir, "controller-manager"),
		"--kubeconfig", e.kubeconfig,
		"--kubefed-namespace", ns,
		"--leader-elect",
		"--metrics-bind-address", c.metricsAddr,
		"--health-probe-bind-address", c.probeAddr,
	)
	// Only the kubeconfig flag names a cluster and an identity.
	c.cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "KUBECONFIG=") || strings.HasPrefix(kv, "KUBEFED_NAMESPACE=")
	})
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	c.cmd.SysProcAttr = framework.DieWithParent()
	if err := c.cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("starting controller manager %s: %v", name, err)
	}
	go func() {
		err := c.cmd.Wait()
		logFile.Close()
		c.mu.Lock()
		c.state, c.waitErr = c.cmd.ProcessState, err
		c.mu.Unlock()
		close(c.exited)
	}()
	e.controllers = append(e.controllers, c)
	t.Cleanup(func() {
		if c.running() {
			_ = c.cmd.Process.Kill()
			<-c.exited
		}
		if t.Failed() {
			t.Logf("controller manager %s (pid %d, %s):\n%s", c.name, c.cmd.Process.Pid, c.exitString(), c.logExcerpt(120))
		}
	})
	t.Logf("started controller manager %s (pid %d, metrics %s, probes %s)", name, c.cmd.Process.Pid, c.metricsAddr, c.probeAddr)
	return c
}

// freeAddr returns a local address with a port that is free now.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (c *controller) running() bool {
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

func (c *controller) exitString() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == nil {
		return "running"
	}
	return c.state.String()
}

// signal sends sig to the process.
func (c *controller) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("sending %s to controller manager %s: %v", sig, c.name, err)
	}
}

// waitExit waits until the process exited and returns its state.
func (c *controller) waitExit(t testing.TB, timeout time.Duration) *os.ProcessState {
	t.Helper()
	select {
	case <-c.exited:
	case <-time.After(timeout):
		t.Fatalf("controller manager %s still running after %s", c.name, timeout)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// logLines returns the lines of the process's log.
func (c *controller) logLines() []string {
	data, err := os.ReadFile(c.logPath)
	if err != nil {
		return []string{fmt.Sprintf("reading %s: %v", c.logPath, err)}
	}
	return strings.Split(strings.TrimRight(string(data), "\n"), "\n")
}

// forbidden returns the log lines that report a request the API server
// refused for lack of permission.
func (c *controller) forbidden() []string {
	return slices.DeleteFunc(c.logLines(), func(l string) bool {
		return !strings.Contains(strings.ToLower(l), "forbidden")
	})
}

// logExcerpt returns the error lines of the log (at most max) and its last
// max lines.
func (c *controller) logExcerpt(max int) string {
	lines := c.logLines()
	var errs []string
	for _, l := range lines {
		lower := strings.ToLower(l)
		if strings.Contains(lower, `"level":"error"`) || strings.Contains(lower, "forbidden") || strings.HasPrefix(l, "E") {
			errs = append(errs, l)
		}
	}
	if len(errs) > max {
		errs = errs[len(errs)-max:]
	}
	if len(lines) > max {
		lines = lines[len(lines)-max:]
	}
	return fmt.Sprintf("--- %d error lines:\n%s\n--- last %d lines:\n%s", len(errs), strings.Join(errs, "\n"), len(lines), strings.Join(lines, "\n"))
}

// get fetches http://addr/path and returns the status code and body.
func get(ctx context.Context, addr, path string) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// sample is one sample of the Prometheus text format.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// scrape reads the process's /metrics.
func (c *controller) scrape(ctx context.Context) ([]sample, error) {
	code, body, err := get(ctx, c.metricsAddr, "/metrics")
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics of controller manager %s: HTTP %d", c.name, code)
	}
	return parseMetrics(body)
}

// isLeader says whether the process reports itself leader of the Lease
// (controller-runtime's leader_election_master_status).
func (c *controller) isLeader(ctx context.Context) (bool, error) {
	samples, err := c.scrape(ctx)
	if err != nil {
		return false, err
	}
	return sum(samples, "leader_election_master_status", map[string]string{"name": leaseName}) == 1, nil
}

// sum adds up the samples named name whose labels include want.
func sum(samples []sample, name string, want map[string]string) float64 {
	var total float64
	for _, s := range samples {
		if s.name == name && matches(s.labels, want) {
			total += s.value
		}
	}
	return total
}

func matches(labels, want map[string]string) bool {
	for k, v := range want {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// parseMetrics parses the Prometheus text exposition format: one sample a
// line, name{label="value",...} value [timestamp].
func parseMetrics(text string) ([]sample, error) {
	var out []sample
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s := sample{labels: map[string]string{}}
		rest := line
		if i := strings.IndexAny(rest, "{ "); i < 0 {
			return nil, fmt.Errorf("no value in %q", line)
		} else {
			s.name, rest = rest[:i], rest[i:]
		}
		if strings.HasPrefix(rest, "{") {
			rest = rest[1:]
			for !strings.HasPrefix(rest, "}") {
				eq := strings.Index(rest, `="`)
				if eq < 0 {
					return nil, fmt.Errorf("malformed labels in %q", line)
				}
				key := rest[:eq]
				// The value is a Go-style quoted string.
				quoted, err := strconv.QuotedPrefix(rest[eq+1:])
				if err != nil {
					return nil, fmt.Errorf("malformed label value in %q: %w", line, err)
				}
				if s.labels[key], err = strconv.Unquote(quoted); err != nil {
					return nil, fmt.Errorf("malformed label value in %q: %w", line, err)
				}
				rest = strings.TrimPrefix(rest[eq+1+len(quoted):], ",")
				if rest == "" {
					return nil, fmt.Errorf("unterminated labels in %q", line)
				}
			}
			rest = rest[1:]
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return nil, fmt.Errorf("no value in %q", line)
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return nil, fmt.Errorf("value of %q: %w", line, err)
		}
		s.value = v
		out = append(out, s)
	}
	return out, sc.Err()
}

func toJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}
