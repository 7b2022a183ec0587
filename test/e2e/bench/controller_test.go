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

package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

// kubefedProcess is bin/controller-manager run as its own process, so that
// its CPU time and memory are its own, with pprof on its metrics listener.
type kubefedProcess struct {
	*e2eutil.Process
}

// startKubefed starts bin/controller-manager against the federation's host,
// as the chart's ServiceAccount, with its default client rate limits (or KUBEFED_BENCH_CLIENT_QPS, host
// and members, with a burst of twice that) and waits until the members are
// Ready and every FTC runs. It is killed when the benchmark ends.
func startKubefed(tb testing.TB, ctx context.Context, fed *framework.Federation) *kubefedProcess {
	tb.Helper()
	p := launchKubefed(tb, fed)
	p.waitReady(tb, ctx, fed)
	return p
}

// launchKubefed is startKubefed without the wait.
func launchKubefed(tb testing.TB, fed *framework.Federation) *kubefedProcess {
	tb.Helper()
	opts := e2eutil.ProcessOptions{
		Kubeconfig:  e2eutil.ChartKubeconfig(tb, fed), // the host, as the chart's ServiceAccount
		MetricsAddr: e2eutil.FreeAddr(tb),
		Args:        []string{"--profiling"},
	}
	if qps := envInt(tb, "KUBEFED_BENCH_CLIENT_QPS", 0); qps > 0 {
		opts.Args = append(opts.Args, "--rest-config-qps", fmt.Sprint(qps), "--rest-config-burst", fmt.Sprint(2*qps),
			"--member-qps", fmt.Sprint(qps), "--member-burst", fmt.Sprint(2*qps))
	}
	// In a container the controller-manager keeps its heap under 85% of
	// the memory limit (app.SetMemoryLimit); this process has no container,
	// so the benchmark gives it the limit it would derive.
	if limit := benchMemoryLimitMiB(tb); limit > 0 {
		opts.Env = append(opts.Env, fmt.Sprintf("GOMEMLIMIT=%dMiB", int(float64(limit)*app.MemoryLimitFraction)))
	}
	return &kubefedProcess{e2eutil.StartControllerManager(tb, opts)}
}

// waitReady waits until the members are Ready and every FTC runs.
func (p *kubefedProcess) waitReady(tb testing.TB, ctx context.Context, fed *framework.Federation) {
	tb.Helper()
	host := mustClient(tb, fed.Host.Config)
	waitFor(tb, 2*time.Minute, "members Ready and FTCs running", func() (bool, error) {
		select {
		case <-p.Exited():
			tb.Fatalf("the controller-manager exited; see %s", p.LogPath)
		default:
		}
		return controlPlaneReady(ctx, host, len(fed.Members))
	})
}

// benchMemoryLimitMiB is the container memory limit the benchmark runs
// kubefed under (KUBEFED_BENCH_MEMORY_LIMIT_MIB, default 300: the memory
// target; 0 for none, Go's defaults).
func benchMemoryLimitMiB(tb testing.TB) int {
	return envInt(tb, "KUBEFED_BENCH_MEMORY_LIMIT_MIB", 300)
}

// stats returns the process's CPU time and RSS so far.
func (p *kubefedProcess) stats(tb testing.TB) framework.ProcessStats {
	st, err := framework.ReadProcessStats(p.PID())
	if err != nil {
		tb.Fatalf("reading the controller-manager's stats: %v", err)
	}
	return st
}

// get fetches a path from the metrics listener.
func (p *kubefedProcess) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.MetricsAddr+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %d: %s", path, resp.StatusCode, body)
	}
	return body, err
}

// saveProfile writes a pprof profile (e.g. "heap", or "profile?seconds=30"
// for CPU) to _output/bench/<file>.
func (p *kubefedProcess) saveProfile(tb testing.TB, ctx context.Context, profile, file string) string {
	data, err := p.get(ctx, "/debug/pprof/"+profile)
	if err != nil {
		tb.Errorf("fetching the %s profile: %v", profile, err)
		return ""
	}
	path := filepath.Join(outputDir(tb), file)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Error(err)
	}
	return path
}

// profileFromStart records a CPU profile of the given length from the
// moment the process's listener answers, in the background; the returned
// channel yields the file written ("" on failure).
func (p *kubefedProcess) profileFromStart(tb testing.TB, ctx context.Context, seconds int, file string) <-chan string {
	done := make(chan string, 1)
	go func() {
		for {
			select {
			case <-p.Exited():
				done <- ""
				return
			case <-ctx.Done():
				done <- ""
				return
			default:
			}
			if _, err := p.get(ctx, "/debug/pprof/cmdline"); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		done <- p.saveProfile(tb, ctx, fmt.Sprintf("profile?seconds=%d", seconds), file)
	}()
	return done
}

// queueIdle reports whether every work queue of the controller-manager is
// empty with nothing in flight, and how many items the named queue (e.g.
// sync-configmaps) took in so far.
func (p *kubefedProcess) queueIdle(ctx context.Context, queue string) (idle bool, adds float64, err error) {
	body, err := p.get(ctx, "/metrics")
	if err != nil {
		return false, 0, err
	}
	idle = true
	for _, line := range strings.Split(string(body), "\n") {
		var value float64
		fields := strings.Fields(line)
		if len(fields) != 2 || strings.HasPrefix(line, "#") {
			continue
		}
		if _, err := fmt.Sscan(fields[1], &value); err != nil {
			continue
		}
		switch {
		case strings.HasPrefix(line, "workqueue_depth{"), strings.HasPrefix(line, "workqueue_unfinished_work_seconds{"):
			idle = idle && value == 0
		case strings.HasPrefix(line, "workqueue_adds_total{") && strings.Contains(line, `name="`+queue+`"`):
			adds += value
		}
	}
	return idle, adds, nil
}

// outputDir returns _output/bench at the repository root, creating it.
func outputDir(tb testing.TB) string {
	dir := filepath.Join(testenv.RepoRoot(), "_output", "bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}
