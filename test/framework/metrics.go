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
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"k8s.io/client-go/rest"
)

// requestMetric is the kube-apiserver counter of the requests it served,
// labelled by verb, group, version, resource, subresource, scope, component
// and response code.
const requestMetric = "apiserver_request_total"

// Write verbs as kube-apiserver reports them in apiserver_request_total:
// a create is POST, an update PUT, a server-side apply APPLY (a PATCH with
// the apply content type), any other patch PATCH.
const (
	VerbCreate           = "POST"
	VerbUpdate           = "PUT"
	VerbPatch            = "PATCH"
	VerbApply            = "APPLY"
	VerbDelete           = "DELETE"
	VerbDeleteCollection = "DELETECOLLECTION"
)

// IsWrite reports whether an apiserver_request_total verb changes state.
// GET, LIST, WATCH and CONNECT do not.
func IsWrite(verb string) bool {
	switch verb {
	case VerbCreate, VerbUpdate, VerbPatch, VerbApply, VerbDelete, VerbDeleteCollection:
		return true
	}
	return false
}

// RequestKey identifies one kind of API request: the resource it went to,
// its verb and the response code. The API version and scope are summed
// over.
type RequestKey struct {
	// Group is the API group; "" for the core group.
	Group string
	// Resource is the plural resource name, e.g. configmaps.
	Resource string
	// Subresource is e.g. "status"; "" for the object itself.
	Subresource string
	// Verb is the verb as the API server reports it (see IsWrite).
	Verb string
	// Code is the HTTP response code, e.g. "200", "409".
	Code string
}

// Succeeded reports whether the request succeeded (a 2xx code). A write
// that failed with a conflict and was retried counts twice otherwise.
func (k RequestKey) Succeeded() bool { return strings.HasPrefix(k.Code, "2") }

// String renders the key as verb resource[.group][/subresource], followed
// by the code when the request failed.
func (k RequestKey) String() string {
	res := k.Resource
	if k.Group != "" {
		res = k.Resource + "." + k.Group
	}
	if k.Subresource != "" {
		res += "/" + k.Subresource
	}
	if k.Code != "" && !k.Succeeded() {
		res += " (" + k.Code + ")"
	}
	return k.Verb + " " + res
}

// RequestCounts counts the requests an API server served, by RequestKey.
// Snapshots are cumulative since the API server started; Sub turns two of
// them into the requests made in between.
type RequestCounts map[RequestKey]float64

// ParseRequestCounts reads apiserver_request_total from a Prometheus text
// exposition (an API server's /metrics). Other metrics are skipped before
// parsing: an API server exposes megabytes of histograms.
func ParseRequestCounts(r io.Reader) (RequestCounts, error) {
	var kept bytes.Buffer
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		name := strings.TrimPrefix(strings.TrimPrefix(line, "# HELP "), "# TYPE ")
		if name == requestMetric || strings.HasPrefix(name, requestMetric+"{") || strings.HasPrefix(name, requestMetric+" ") {
			kept.WriteString(line)
			kept.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading metrics: %w", err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(&kept)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", requestMetric, err)
	}
	out := RequestCounts{}
	fam, ok := families[requestMetric]
	if !ok {
		return out, nil
	}
	for _, m := range fam.GetMetric() {
		var k RequestKey
		for _, l := range m.GetLabel() {
			switch l.GetName() {
			case "group":
				k.Group = l.GetValue()
			case "resource":
				k.Resource = l.GetValue()
			case "subresource":
				k.Subresource = l.GetValue()
			case "verb":
				k.Verb = l.GetValue()
			case "code":
				k.Code = l.GetValue()
			}
		}
		out[k] += m.GetCounter().GetValue()
	}
	return out, nil
}

// ScrapeRequestCounts reads apiserver_request_total from the /metrics of
// the API server that cfg connects to; cfg must be allowed to read it (an
// administrator's is).
func ScrapeRequestCounts(ctx context.Context, cfg *rest.Config) (RequestCounts, error) {
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(cfg.Host, "/")+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading the metrics of %s: %w", cfg.Host, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("reading the metrics of %s: status %d: %s", cfg.Host, resp.StatusCode, bytes.TrimSpace(body))
	}
	return ParseRequestCounts(resp.Body)
}

// RequestCounts reads the cluster's apiserver_request_total.
func (c *Cluster) RequestCounts(ctx context.Context) (RequestCounts, error) {
	return ScrapeRequestCounts(ctx, c.Config)
}

// Sub returns the requests counted in c but not in before: the requests
// made between two snapshots. Keys whose difference is zero are left out.
func (c RequestCounts) Sub(before RequestCounts) RequestCounts {
	out := RequestCounts{}
	for k, v := range c {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	for k, v := range before {
		if _, ok := c[k]; !ok && v != 0 {
			out[k] = -v
		}
	}
	return out
}

// Add returns the sum of c and other, key by key.
func (c RequestCounts) Add(other RequestCounts) RequestCounts {
	out := maps.Clone(c)
	if out == nil {
		out = RequestCounts{}
	}
	for k, v := range other {
		out[k] += v
	}
	return out
}

// Filter returns the counts whose key matches.
func (c RequestCounts) Filter(match func(RequestKey) bool) RequestCounts {
	out := RequestCounts{}
	for k, v := range c {
		if match(k) {
			out[k] = v
		}
	}
	return out
}

// Writes returns the counts of write requests only.
func (c RequestCounts) Writes() RequestCounts {
	return c.Filter(func(k RequestKey) bool { return IsWrite(k.Verb) })
}

// Total sums every count.
func (c RequestCounts) Total() float64 {
	t := 0.0
	for _, v := range c {
		t += v
	}
	return t
}

// Keys returns the keys in a stable order (by resource, then verb).
func (c RequestCounts) Keys() []RequestKey {
	keys := slices.Collect(maps.Keys(c))
	slices.SortFunc(keys, func(a, b RequestKey) int {
		return strings.Compare(a.Group+"/"+a.Resource+"/"+a.Subresource+" "+a.Verb+" "+a.Code, b.Group+"/"+b.Resource+"/"+b.Subresource+" "+b.Verb+" "+b.Code)
	})
	return keys
}

// String renders the counts as "verb resource=count" pairs in Keys order.
func (c RequestCounts) String() string {
	parts := make([]string, 0, len(c))
	for _, k := range c.Keys() {
		parts = append(parts, fmt.Sprintf("%s=%g", k, c[k]))
	}
	return strings.Join(parts, ", ")
}

// Kubefed API groups, whose host objects only kubefed and its users write.
const (
	typesGroup = "types.kubefed.io"
	coreGroup  = "core.kubefed.io"
)

// IsKubefedHostRequest reports whether a host request is one kubefed makes
// for the objects it federates: any kubefed group (federated objects and
// their status, PropagatedVersions, KubeFedClusters) and events. Other
// writers on the host (kube-controller-manager's leases, say) are left out;
// the caller subtracts the requests it made itself (its own creates of
// federated objects), see ExcludeOwn.
func IsKubefedHostRequest(k RequestKey) bool {
	switch {
	case k.Group == typesGroup, k.Group == coreGroup:
		return true
	case k.Resource == "events" && (k.Group == "" || k.Group == "events.k8s.io"):
		return true
	}
	return false
}

// ForResources returns a filter for requests to the given resources, named
// "resource" for the core group or "resource.group" (e.g. "configmaps",
// "deployments.apps"), subresources included.
func ForResources(resources ...string) func(RequestKey) bool {
	return func(k RequestKey) bool {
		name := k.Resource
		if k.Group != "" {
			name += "." + k.Group
		}
		return slices.Contains(resources, name)
	}
}

// ExcludeOwn subtracts the requests the caller made itself (for example its
// own creates of federated objects) and drops keys that end at zero or
// below, so that what remains is attributable to kubefed. Keys of own
// without a Code match the key's successful requests (any 2xx code).
func (c RequestCounts) ExcludeOwn(own RequestCounts) RequestCounts {
	left := maps.Clone(own)
	out := RequestCounts{}
	for _, k := range c.Keys() {
		v := c[k]
		for _, ok := range []RequestKey{k, {Group: k.Group, Resource: k.Resource, Subresource: k.Subresource, Verb: k.Verb}} {
			if ok.Code == "" && !k.Succeeded() {
				continue
			}
			if d := min(v, left[ok]); d > 0 {
				v -= d
				left[ok] -= d
			}
		}
		if v > 0 {
			out[k] = v
		}
	}
	return out
}

// MergeSuccessCodes sums the counts of each request over its successful
// codes (200 and 201 of an apply, say), keyed without a Code; failed
// requests keep theirs.
func (c RequestCounts) MergeSuccessCodes() RequestCounts {
	out := RequestCounts{}
	for k, v := range c {
		if k.Succeeded() {
			k.Code = ""
		}
		out[k] += v
	}
	return out
}
