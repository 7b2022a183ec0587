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

import "testing"

func TestParseMetrics(t *testing.T) {
	text := `# HELP kubefedcluster_total Number of total kubefed cluster in a specific state.
# TYPE kubefedcluster_total gauge
kubefedcluster_total{cluster="member1",state="ready"} 1
kubefedcluster_total{cluster="member2",state="ready"} 1
kubefedcluster_total{cluster="member2",state="offline"} 0
kubefed_propagation_latency_seconds_count 3
weird{a="x,\"y\"}",b=""} 2.5e+00 1700000000000
`
	samples, err := parseMetrics(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want map[string]string
		sum  float64
	}{
		{"kubefedcluster_total", map[string]string{"state": "ready"}, 2},
		{"kubefedcluster_total", map[string]string{"state": "ready", "cluster": "member2"}, 1},
		{"kubefedcluster_total", nil, 2},
		{"kubefed_propagation_latency_seconds_count", nil, 3},
		{"weird", map[string]string{"a": `x,"y"}`, "b": ""}, 2.5},
		{"missing", nil, 0},
	} {
		if got := sum(samples, tc.name, tc.want); got != tc.sum {
			t.Errorf("sum(%s, %v) = %v, want %v", tc.name, tc.want, got, tc.sum)
		}
	}
	for _, bad := range []string{`x{a="b"`, `x{a=b} 1`, `x`, `x{a="b"} notanumber`} {
		if _, err := parseMetrics(bad); err == nil {
			t.Errorf("parseMetrics(%q) succeeded, want an error", bad)
		}
	}
}
