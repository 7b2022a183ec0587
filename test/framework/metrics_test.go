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
	"os"
	"strings"
	"testing"
)

// An excerpt of a kube-apiserver v1.36 /metrics, with a histogram around
// the counter that the parser must skip.
const sampleMetrics = `# HELP apiserver_request_duration_seconds [STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.
# TYPE apiserver_request_duration_seconds histogram
apiserver_request_duration_seconds_bucket{component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="POST",version="v1",le="0.005"} 3
# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.
# TYPE apiserver_request_total counter
apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="POST",version="v1"} 7
apiserver_request_total{code="409",component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="POST",version="v1"} 2
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="APPLY",version="v1"} 5
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="LIST",version="v1"} 40
apiserver_request_total{code="200",component="apiserver",dry_run="",group="types.kubefed.io",resource="federatedconfigmaps",scope="resource",subresource="status",verb="PATCH",version="v1beta1"} 11
apiserver_request_total{code="200",component="apiserver",dry_run="",group="coordination.k8s.io",resource="leases",scope="resource",subresource="",verb="PUT",version="v1"} 100
apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="events",scope="resource",subresource="",verb="POST",version="v1"} 4
# HELP apiserver_request_total_other a metric whose name only starts like the counter
# TYPE apiserver_request_total_other counter
apiserver_request_total_other 99
`

func TestParseRequestCounts(t *testing.T) {
	got, err := ParseRequestCounts(strings.NewReader(sampleMetrics))
	if err != nil {
		t.Fatal(err)
	}
	want := RequestCounts{
		{Resource: "configmaps", Verb: "POST", Code: "201"}:                                                             7,
		{Resource: "configmaps", Verb: "POST", Code: "409"}:                                                             2,
		{Resource: "configmaps", Verb: "APPLY", Code: "200"}:                                                            5,
		{Resource: "configmaps", Verb: "LIST", Code: "200"}:                                                             40,
		{Group: "types.kubefed.io", Resource: "federatedconfigmaps", Subresource: "status", Verb: "PATCH", Code: "200"}: 11,
		{Group: "coordination.k8s.io", Resource: "leases", Verb: "PUT", Code: "200"}:                                    100,
		{Resource: "events", Verb: "POST", Code: "201"}:                                                                 4,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d keys, want %d: %s", len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %g, want %g", k, got[k], v)
		}
	}
}

func TestRequestCountsArithmetic(t *testing.T) {
	before, err := ParseRequestCounts(strings.NewReader(sampleMetrics))
	if err != nil {
		t.Fatal(err)
	}
	cmPost := RequestKey{Resource: "configmaps", Verb: "POST", Code: "201"}
	status := RequestKey{Group: "types.kubefed.io", Resource: "federatedconfigmaps", Subresource: "status", Verb: "PATCH", Code: "200"}
	fedPost := RequestKey{Group: "types.kubefed.io", Resource: "federatedconfigmaps", Verb: "POST", Code: "201"}
	fedConflict := RequestKey{Group: "types.kubefed.io", Resource: "federatedconfigmaps", Verb: "POST", Code: "409"}
	after := before.Add(RequestCounts{cmPost: 3, status: 2, fedPost: 10, fedConflict: 1, {Resource: "configmaps", Verb: "GET", Code: "200"}: 8})

	diff := after.Sub(before)
	if len(diff) != 5 || diff[cmPost] != 3 || diff[status] != 2 || diff[fedPost] != 10 || diff[fedConflict] != 1 {
		t.Fatalf("Sub: got %s", diff)
	}
	writes := diff.Writes()
	if len(writes) != 4 || writes.Total() != 16 {
		t.Fatalf("Writes: got %s", writes)
	}
	// The caller's own 10 creates, named without a code, are not kubefed's;
	// the failed one is left.
	own := RequestCounts{{Group: "types.kubefed.io", Resource: "federatedconfigmaps", Verb: "POST"}: 10}
	host := writes.Filter(IsKubefedHostRequest).ExcludeOwn(own)
	if len(host) != 2 || host[status] != 2 || host[fedConflict] != 1 {
		t.Fatalf("kubefed host writes: got %s", host)
	}
	if none := writes.ExcludeOwn(nil); none.Total() != writes.Total() {
		t.Fatalf("ExcludeOwn(nil): got %s", none)
	}
	if ok := host.Filter(RequestKey.Succeeded); len(ok) != 1 || ok[status] != 2 {
		t.Fatalf("successful writes: got %s", ok)
	}
	merged := diff.Add(RequestCounts{{Resource: "configmaps", Verb: "POST", Code: "200"}: 1}).MergeSuccessCodes()
	if merged[RequestKey{Resource: "configmaps", Verb: "POST"}] != 4 || merged[fedConflict] != 1 {
		t.Fatalf("MergeSuccessCodes: got %s", merged)
	}
	if s := fedConflict.String(); s != "POST federatedconfigmaps.types.kubefed.io (409)" {
		t.Errorf("String: got %q", s)
	}
	members := writes.Filter(ForResources("configmaps"))
	if len(members) != 1 || members[cmPost] != 3 {
		t.Fatalf("configmap writes: got %s", members)
	}
	if s := status.String(); s != "PATCH federatedconfigmaps.types.kubefed.io/status" {
		t.Errorf("String: got %q", s)
	}
}

func TestIsWrite(t *testing.T) {
	for verb, want := range map[string]bool{"POST": true, "PUT": true, "PATCH": true, "APPLY": true, "DELETE": true,
		"DELETECOLLECTION": true, "GET": false, "LIST": false, "WATCH": false, "CONNECT": false} {
		if IsWrite(verb) != want {
			t.Errorf("IsWrite(%s) = %v, want %v", verb, !want, want)
		}
	}
}

func TestParseProcStat(t *testing.T) {
	stat := "4242 (kube apiserver) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 130 0 0 20 0 12 0 100 2000000000 5000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0"
	st, err := parseProcStat(4242, stat)
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "kube apiserver" || st.CPU.Seconds() != 3.8 || st.RSS != 5000*int64(os.Getpagesize()) {
		t.Errorf("got %+v", st)
	}
	self, err := ReadProcessStats(os.Getpid())
	if err != nil || self.RSS <= 0 {
		t.Errorf("own stats: %+v, %v", self, err)
	}
}
