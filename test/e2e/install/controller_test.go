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
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// controller is a controller manager process started from bin/.
type controller struct {
	*e2eutil.Process
}

// startController starts a controller manager with the chart's identity,
// leader election on, its metrics and probes on free local ports. The
// process is killed at the end of the test when still running; its log is
// printed when the test failed.
func (e *env) startController(t *testing.T, name string) *controller {
	t.Helper()
	c := &controller{e2eutil.StartControllerManager(t, e2eutil.ProcessOptions{
		Name: name, Kubeconfig: e.kubeconfig, Args: []string{"--leader-elect"},
		MetricsAddr: e2eutil.FreeAddr(t), ProbeAddr: e2eutil.FreeAddr(t),
	})}
	e.controllers = append(e.controllers, c)
	return c
}

// signal sends sig to the process and fails the test when that fails.
func (c *controller) signal(t testing.TB, sig os.Signal) {
	t.Helper()
	if err := c.Signal(sig); err != nil {
		t.Fatal(err)
	}
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
	code, body, err := get(ctx, c.MetricsAddr, "/metrics")
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics of controller manager %s: HTTP %d", c.Name, code)
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
