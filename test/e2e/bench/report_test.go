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
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/test/framework"
)

// report is one scenario's table: metric, value, target.
type report struct {
	name string
	rows [][3]string
}

func (r *report) add(metric, target, format string, args ...any) {
	r.rows = append(r.rows, [3]string{metric, fmt.Sprintf(format, args...), target})
}

// addRequests adds one row per resource and verb, per object.
func (r *report) addRequests(prefix string, counts framework.RequestCounts, objects int) {
	counts = counts.MergeSuccessCodes()
	for _, k := range counts.Keys() {
		r.add(fmt.Sprintf("%s %s", prefix, k), "", "%.2f", counts[k]/float64(objects))
	}
}

// printed collects every table printed in this run, for the summary.
var printed struct {
	sync.Mutex
	reports []*report
}

// printSummary prints every scenario's rows of this run as one table, and
// writes it to _output/bench/summary.txt.
func printSummary(tb testing.TB) {
	printed.Lock()
	defer printed.Unlock()
	if len(printed.reports) < 2 {
		return
	}
	all := &report{name: "summary"}
	for _, r := range printed.reports {
		for _, row := range r.rows {
			all.rows = append(all.rows, [3]string{r.name + ": " + row[0], row[1], row[2]})
		}
	}
	all.write(tb)
}

// print writes the table to stdout and to _output/bench/<name>.txt.
func (r *report) print(tb testing.TB) {
	printed.Lock()
	printed.reports = append(printed.reports, r)
	printed.Unlock()
	r.write(tb)
}

func (r *report) write(tb testing.TB) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n== %s (%s)\n", r.name, time.Now().UTC().Format(time.RFC3339))
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "metric\tvalue\ttarget\n")
	for _, row := range r.rows {
		fmt.Fprintf(w, "%s\t%s\t%s\n", row[0], row[1], row[2])
	}
	_ = w.Flush()
	fmt.Print(b.String())
	if err := os.WriteFile(filepath.Join(outputDir(tb), r.name+".txt"), []byte(b.String()), 0o644); err != nil {
		tb.Error(err)
	}
}

// watchCache starts a cache (one watch) on the given kind in ns of a
// cluster, holding only objects matching selector (nil: all), and waits
// until it synced. Benchmarks count and time from it instead of listing
// the API server again and again.
func watchCache(tb testing.TB, ctx context.Context, cfg *rest.Config, ns string, obj client.Object, selector labels.Selector) cache.Cache {
	tb.Helper()
	c, err := cache.New(cfg, cache.Options{Scheme: app.Scheme(), DefaultNamespaces: map[string]cache.Config{ns: {}},
		DefaultLabelSelector: selector, DefaultTransform: cache.TransformStripManagedFields()})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := c.GetInformer(ctx, obj); err != nil {
		tb.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	go func() { _ = c.Start(cctx) }()
	tb.Cleanup(cancel)
	if !c.WaitForCacheSync(ctx) {
		tb.Fatal("a benchmark watch did not sync")
	}
	return c
}

// memberWatches watches the managed ConfigMaps of ns in every member.
func memberWatches(tb testing.TB, ctx context.Context, clusters []*framework.Cluster, ns string) map[string]cache.Cache {
	out := map[string]cache.Cache{}
	for _, m := range clusters {
		out[m.Name] = watchCache(tb, ctx, m.Config, ns, &corev1.ConfigMap{}, labels.SelectorFromSet(labels.Set{managedLabel: "true"}))
	}
	return out
}

// hostWatch watches the federated objects of a kind in ns of the host.
func hostWatch(tb testing.TB, ctx context.Context, fed *framework.Federation, kind, ns string) cache.Cache {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(kind))
	return watchCache(tb, ctx, fed.Host.Config, ns, u, nil)
}

// tally keeps, from one watch's events, the keys of the objects for which
// match holds. A benchmark's condition is then a map length, whatever the
// number of objects watched: polling it every millisecond costs nothing
// measurable, where listing the cache deep-copies every object it holds
// and, at thousands of objects, takes a core from the processes measured.
type tally struct {
	mu sync.Mutex
	in map[types.NamespacedName]struct{}
}

// newTally starts a tally on obj's kind in c and waits until it saw every
// object the cache holds. It stops with the test.
func newTally(tb testing.TB, ctx context.Context, c cache.Cache, obj client.Object, match func(client.Object) bool) *tally {
	tb.Helper()
	inf, err := c.GetInformer(ctx, obj)
	if err != nil {
		tb.Fatal(err)
	}
	t := &tally{in: map[types.NamespacedName]struct{}{}}
	// observe records an object's state; deleted is true for a deletion.
	observe := func(o any, deleted bool) {
		if d, ok := o.(toolscache.DeletedFinalStateUnknown); ok {
			o, deleted = d.Obj, true
		}
		co, ok := o.(client.Object)
		if !ok {
			return
		}
		key := client.ObjectKeyFromObject(co)
		t.mu.Lock()
		defer t.mu.Unlock()
		if !deleted && co.GetDeletionTimestamp() == nil && match(co) {
			t.in[key] = struct{}{}
		} else {
			delete(t.in, key)
		}
	}
	reg, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(o any) { observe(o, false) },
		UpdateFunc: func(_, o any) { observe(o, false) },
		DeleteFunc: func(o any) { observe(o, true) },
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = inf.RemoveEventHandler(reg) })
	waitFor(tb, time.Minute, "a benchmark tally to see its watch's objects", func() (bool, error) { return reg.HasSynced(), nil })
	return t
}

func (t *tally) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.in)
}

// everyCopy returns a condition: every member watch holds count managed
// ConfigMaps whose "key" is want.
func everyCopy(tb testing.TB, ctx context.Context, watches map[string]cache.Cache, want string, count int) func() (bool, error) {
	tb.Helper()
	var tallies []*tally
	for _, c := range watches {
		tallies = append(tallies, newTally(tb, ctx, c, &corev1.ConfigMap{}, func(o client.Object) bool {
			cm, ok := o.(*corev1.ConfigMap)
			return ok && cm.Data["key"] == want
		}))
	}
	return func() (bool, error) {
		for _, t := range tallies {
			if t.count() < count {
				return false, nil
			}
		}
		return true, nil
	}
}

// propagatedTally counts the federated objects of kind in a host watch
// that report Propagation=True for their current generation.
func propagatedTally(tb testing.TB, ctx context.Context, c cache.Cache, kind string) *tally {
	tb.Helper()
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(kind))
	return newTally(tb, ctx, c, obj, func(o client.Object) bool {
		u, ok := o.(*unstructured.Unstructured)
		if !ok {
			return false
		}
		st, _ := fedtypesv1b1.GetStatus(u)
		if st == nil {
			return false
		}
		cond := st.GetCondition(fedtypesv1b1.PropagationConditionType)
		return cond != nil && cond.Status == corev1.ConditionTrue && st.ObservedGeneration == u.GetGeneration()
	})
}

// timeUntil polls a cheap in-memory condition (a tally; no API requests)
// every millisecond and returns how long it took to hold.
func timeUntil(tb testing.TB, start time.Time, timeout time.Duration, what string, cond func() (bool, error)) time.Duration {
	tb.Helper()
	return timeUntilPolling(tb, start, timeout, time.Millisecond, what, cond)
}

// timeUntilPolling is timeUntil with another interval, for conditions that
// cost more than a tally's count.
func timeUntilPolling(tb testing.TB, start time.Time, timeout, interval time.Duration, what string, cond func() (bool, error)) time.Duration {
	tb.Helper()
	var err error
	for time.Since(start) < timeout {
		var ok bool
		if ok, err = cond(); ok {
			return time.Since(start)
		}
		time.Sleep(interval)
	}
	tb.Fatalf("timed out after %s waiting for %s (last error: %v)", timeout, what, err)
	return 0
}

// percentile returns the p-th percentile (0-100) of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

// cpuOf sums the CPU time of the control-plane processes of clusters.
func cpuOf(clusters []*framework.Cluster) time.Duration {
	var total time.Duration
	for _, c := range clusters {
		total += c.CPU()
	}
	return total
}
