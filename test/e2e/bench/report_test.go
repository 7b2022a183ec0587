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
	"testing"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/rest"
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

// print writes the table to stdout and to _output/bench/<name>.txt.
func (r *report) print(tb testing.TB) {
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

// cachedCopies counts the ConfigMaps in a member watch whose "key" is want
// ("" for any), optionally only those named in names.
func cachedCopies(ctx context.Context, c cache.Cache, ns, want string) (int, error) {
	list := &corev1.ConfigMapList{}
	if err := c.List(ctx, list, client.InNamespace(ns)); err != nil {
		return 0, err
	}
	n := 0
	for _, cm := range list.Items {
		if want == "" || cm.Data["key"] == want {
			n++
		}
	}
	return n, nil
}

// everyCopy returns a condition: every member watch holds count copies
// with value want.
func everyCopy(ctx context.Context, watches map[string]cache.Cache, ns, want string, count int) func() (bool, error) {
	return func() (bool, error) {
		for _, c := range watches {
			n, err := cachedCopies(ctx, c, ns, want)
			if err != nil || n < count {
				return false, err
			}
		}
		return true, nil
	}
}

// cachedPropagated counts the federated objects of kind in a host watch
// that report Propagation=True for their current generation.
func cachedPropagated(ctx context.Context, c cache.Cache, kind, ns string) (ready, total int, err error) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(kind + "List"))
	if err := c.List(ctx, list, client.InNamespace(ns)); err != nil {
		return 0, 0, err
	}
	for i := range list.Items {
		st, _ := fedtypesv1b1.GetStatus(&list.Items[i])
		if st == nil {
			continue
		}
		if cond := st.GetCondition(fedtypesv1b1.PropagationConditionType); cond != nil && cond.Status == corev1.ConditionTrue &&
			st.ObservedGeneration == list.Items[i].GetGeneration() {
			ready++
		}
	}
	return ready, len(list.Items), nil
}

// timeUntil polls an in-memory condition every millisecond (no API
// requests) and returns how long it took to hold.
func timeUntil(tb testing.TB, start time.Time, timeout time.Duration, what string, cond func() (bool, error)) time.Duration {
	tb.Helper()
	var err error
	for time.Since(start) < timeout {
		var ok bool
		if ok, err = cond(); ok {
			return time.Since(start)
		}
		time.Sleep(time.Millisecond)
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
