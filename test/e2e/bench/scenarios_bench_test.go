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
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/test/framework"
)

// configMapTemplate is the template of the benchmarks' FederatedConfigMaps.
func configMapTemplate() map[string]any {
	return map[string]any{"data": map[string]any{"key": "value"}}
}

// placedOn sets a federated object's placement to the named clusters.
func placedOn(u *unstructured.Unstructured, clusters []*framework.Cluster) *unstructured.Unstructured {
	refs := make([]any, 0, len(clusters))
	for _, c := range clusters {
		refs = append(refs, map[string]any{"name": c.Name})
	}
	_ = unstructured.SetNestedSlice(u.Object, refs, "spec", "placement", "clusters")
	unstructured.RemoveNestedField(u.Object, "spec", "placement", "clusterSelector")
	return u
}

// benchScale: KUBEFED_BENCH_SCALE_OBJECTS (10,000) FederatedConfigMaps on
// 3 light members: propagation time, kubefed's RSS, and a cold restart:
// the time until every object was reconciled and the queues are empty,
// and the writes that restart made (the target is 0).
func benchScale(b *testing.B) {
	ctx := b.Context()
	n := envInt(b, "KUBEFED_BENCH_SCALE_OBJECTS", 10000)
	fed, host, members := newFederation(b, ctx, framework.Options{Members: framework.MemberNames(3), LightMembers: true})
	kf := startKubefed(b, ctx, fed)
	// The ceiling: the same copies created directly, control plane up.
	raw := rawCreates(b, ctx, memberClientsOf(fed, members), "raw", n)
	ns := "scale"
	federatedNamespace(b, ctx, host, members, ns)
	memberW := memberWatches(b, ctx, fed.Members, ns)
	hostW := hostWatch(b, ctx, fed, "FederatedConfigMap", ns)
	waitQuiet(b, ctx, fed, 2*time.Second, 2*time.Minute, "configmaps")

	copied := everyCopy(b, ctx, memberW, "value", n)
	propagated := propagatedTally(b, ctx, hostW, "FederatedConfigMap")
	cpu0 := kf.stats(b).CPU
	start := time.Now()
	parallel(n, workers, func(i int) error {
		return host.Create(ctx, federated("FederatedConfigMap", ns, fmt.Sprintf("cm-%d", i), configMapTemplate()))
	}, func(err error) { b.Errorf("host create: %v", err) })
	fedTime := timeUntil(b, start, 60*time.Minute, "every member copy", copied)
	propTime := timeUntil(b, start, 60*time.Minute, "every object reporting Propagation True", func() (bool, error) {
		return propagated.count() == n, nil
	})
	waitQuiet(b, ctx, fed, 3*time.Second, 10*time.Minute, "configmaps")
	st := kf.stats(b)
	// gc=1: a collection first, so that the profile holds live objects only.
	kf.saveProfile(b, ctx, "heap?gc=1", "scale-heap.pprof")

	// Cold restart: a new process must verify every object and write
	// nothing.
	kf.Kill(b)
	before := takeSnapshot(b, ctx, fed)
	start = time.Now()
	kf = launchKubefed(b, fed)
	restartProfile := kf.profileFromStart(b, ctx, envInt(b, "KUBEFED_BENCH_PROFILE_SECONDS", 30), "scale-restart-cpu.pprof")
	kf.waitReady(b, ctx, fed)
	var adds float64
	// The queue metrics are read from kubefed's metrics listener: every
	// 100 ms, so that the reading does not load the process measured.
	restart := timeUntilPolling(b, start, 10*time.Minute, 100*time.Millisecond, "every object verified after the restart", func() (bool, error) {
		idle, a, err := kf.queueIdle(ctx, "sync-configmaps")
		adds = a
		return err == nil && idle && a >= float64(n), nil
	})
	// Let trailing writes, if any, arrive before counting.
	time.Sleep(3 * time.Second)
	hostWrites, memberWrites := takeSnapshot(b, ctx, fed).sub(before).writesBy(fed, nil, "configmaps")
	mw := sumCounts(memberWrites)
	after := kf.stats(b)

	profile := <-restartProfile
	r := &report{name: "scale"}
	r.add(fmt.Sprintf("raw: %d ConfigMaps in 3 members, %d writers", 3*n, workers), "", "%s", secs(raw))
	r.add(fmt.Sprintf("%d FederatedConfigMaps x 3 members until every copy exists", n), "", "%s", secs(fedTime))
	r.add("fed/raw", "<= 3x", "%.1fx", fedTime.Seconds()/raw.Seconds())
	r.add("until every Propagation=True", "", "%s", secs(propTime))
	r.add("kubefed CPU for the rollout", "", "%s", secs(st.CPU-cpu0))
	if limit := benchMemoryLimitMiB(b); limit > 0 {
		r.add("kubefed's memory limit, as in a container", "", "%d MiB (soft limit of the Go heap: %d MiB)", limit, int(float64(limit)*app.MemoryLimitFraction))
	} else {
		r.add("kubefed's memory limit", "", "none (Go's defaults)")
	}
	r.add("kubefed RSS after the rollout", "<= 300 MiB", "%d MiB", st.RSS>>20)
	r.add("cold restart until every object verified, queues empty", "<= 60 s", "%s (%g sync items)", secs(restart), adds)
	r.add("kubefed RSS after the restart", "<= 300 MiB", "%d MiB", after.RSS>>20)
	r.add("host writes by kubefed during the restart", "0", "%g", hostWrites.Total())
	r.addRequests("  host (absolute)", hostWrites, 1)
	r.add("member writes by kubefed during the restart", "0", "%g", mw.Total())
	r.addRequests("  members (absolute)", mw, 1)
	if profile != "" {
		r.add("profiles", "", "scale-heap.pprof, %s (CPU from the start of the restart)", filepath.Base(profile))
	}
	r.print(b)
}

// benchMembers: KUBEFED_BENCH_MEMBER_OBJECTS (200) FederatedConfigMaps on
// each count of light members in KUBEFED_BENCH_MEMBER_SERIES (5,10,20):
// time and kubefed CPU; then the same on all of them with one stopped.
func benchMembers(b *testing.B) {
	ctx := b.Context()
	n := envInt(b, "KUBEFED_BENCH_MEMBER_OBJECTS", 200)
	var series []int
	for _, s := range strings.Split(envOr("KUBEFED_BENCH_MEMBER_SERIES", "5,10,20"), ",") {
		k, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || k < 2 {
			b.Fatalf("KUBEFED_BENCH_MEMBER_SERIES=%q: want counts of at least 2, comma-separated", s)
		}
		series = append(series, k)
	}
	most := 0
	for _, k := range series {
		most = max(most, k)
	}
	fed, host, members := newFederation(b, ctx, framework.Options{Members: framework.MemberNames(most), LightMembers: true})
	kf := startKubefed(b, ctx, fed)
	r := &report{name: "members"}

	round := func(ns string, placed, live []*framework.Cluster) (time.Duration, time.Duration) {
		federatedNamespace(b, ctx, host, pick(members, live), ns)
		watches := memberWatches(b, ctx, live, ns)
		waitQuiet(b, ctx, fed, 2*time.Second, 2*time.Minute, "configmaps")
		copied := everyCopy(b, ctx, watches, "value", n)
		cpu0 := kf.stats(b).CPU
		start := time.Now()
		parallel(n, workers, func(i int) error {
			return host.Create(ctx, placedOn(federated("FederatedConfigMap", ns, fmt.Sprintf("cm-%d", i), configMapTemplate()), placed))
		}, func(err error) { b.Errorf("host create: %v", err) })
		took := timeUntil(b, start, 30*time.Minute, "every copy in "+ns, copied)
		return took, kf.stats(b).CPU - cpu0
	}
	var last time.Duration
	var memberClients []client.Client
	for _, m := range fed.Members {
		memberClients = append(memberClients, members[m.Name])
	}
	for _, k := range series {
		raw := rawCreates(b, ctx, memberClients[:k], fmt.Sprintf("raw-%d", k), n)
		took, cpu := round(fmt.Sprintf("members-%d", k), fed.Members[:k], fed.Members[:k])
		r.add(fmt.Sprintf("%d objects on %d members: time (raw creates of the copies), fed/raw, kubefed CPU", n, k), "linear",
			"%s (%s), %.1fx, %s (%.2f ms CPU per copy)",
			secs(took), secs(raw), took.Seconds()/raw.Seconds(), secs(cpu), float64(cpu.Microseconds())/1000/float64(n*k))
		if k == most {
			last = took
		}
	}
	stopped := fed.Members[most-1]
	if err := stopped.Stop(ctx); err != nil {
		b.Fatal(err)
	}
	took, cpu := round("one-stopped", fed.Members, fed.Members[:most-1])
	r.add(fmt.Sprintf("%d objects on %d members, %s stopped: time to the %d live ones, kubefed CPU", n, most, stopped.Name, most-1),
		fmt.Sprintf("about %s", secs(last)), "%s, %s", secs(took), secs(cpu))
	r.print(b)
}

// benchStatus: KUBEFED_BENCH_DEPLOYMENTS (1,000) FederatedDeployments of 1
// replica on 3 members, until every Pod is Ready and kubefed is quiet: the
// host status writes per object, which must stay bounded as Pods come up.
func benchStatus(b *testing.B) {
	ctx := b.Context()
	n := envInt(b, "KUBEFED_BENCH_DEPLOYMENTS", 1000)
	fed, host, members := newFederation(b, ctx, framework.Options{Members: framework.MemberNames(3), Nodes: 1, PodsPerNode: n + 20})
	kf := startKubefed(b, ctx, fed)
	ns := "status"
	federatedNamespace(b, ctx, host, members, ns)
	hostW := hostWatch(b, ctx, fed, "FederatedDeployment", ns)
	waitQuiet(b, ctx, fed, 2*time.Second, 2*time.Minute, "deployments.apps")

	fd := &unstructured.Unstructured{}
	fd.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedDeployment"))
	allReady := newTally(b, ctx, hostW, fd, func(o client.Object) bool {
		u, ok := o.(*unstructured.Unstructured)
		if !ok {
			return false
		}
		st, _ := fedtypesv1b1.GetStatus(u)
		return st != nil && st.AggregatedStatus != nil && st.AggregatedStatus.ReadyReplicas != nil &&
			int(*st.AggregatedStatus.ReadyReplicas) == len(fed.Members)
	})
	before := takeSnapshot(b, ctx, fed)
	cpu0 := kf.stats(b).CPU
	start := time.Now()
	parallel(n, workers, func(i int) error {
		return host.Create(ctx, federated("FederatedDeployment", ns, fmt.Sprintf("app-%d", i), deploymentTemplate(fmt.Sprintf("app-%d", i))))
	}, func(err error) { b.Errorf("host create: %v", err) })
	ready := timeUntil(b, start, 60*time.Minute, "every replica Ready in the host status", func() (bool, error) {
		return allReady.count() == n, nil
	})
	waitQuiet(b, ctx, fed, 3*time.Second, 10*time.Minute, "deployments.apps")
	quiet := time.Since(start)
	fdCreate := framework.RequestCounts{{Group: fedtypesv1b1.GroupVersion.Group, Resource: "federateddeployments", Verb: framework.VerbCreate}: float64(n)}
	hostWrites, memberWrites := takeSnapshot(b, ctx, fed).sub(before).writesBy(fed, fdCreate, "deployments.apps")
	mw := sumCounts(memberWrites)
	status := hostWrites.Filter(func(k framework.RequestKey) bool {
		return k.Subresource == "status" && k.Resource == "federateddeployments"
	})

	r := &report{name: "status"}
	r.add(fmt.Sprintf("%d FederatedDeployments x 3 members until every replica is Ready in the host status", n), "", "%s", secs(ready))
	r.add("until kubefed is quiet", "", "%s", secs(quiet))
	r.add("host status writes per object", "bounded", "%.2f", status.Total()/float64(n))
	r.add("host writes by kubefed per object", "", "%.2f", hostWrites.Total()/float64(n))
	r.addRequests("  host", hostWrites, n)
	r.add("member Deployment writes by kubefed per object per member", "1", "%.2f", mw.Total()/float64(n*len(fed.Members)))
	r.addRequests("  members (all)", mw, n*len(fed.Members))
	r.add("kubefed CPU", "", "%s", secs(kf.stats(b).CPU-cpu0))
	reasons := eventReasons(b, ctx, host, ns)
	for _, reason := range slices.Sorted(maps.Keys(reasons)) {
		r.add(fmt.Sprintf("  host events %s", reason), "", "%.2f", float64(reasons[reason])/float64(n))
	}
	r.print(b)
}

// eventReasons counts the events in namespace ns of the host by reason (an
// event recorded again counts again).
func eventReasons(tb testing.TB, ctx context.Context, host client.Client, ns string) map[string]int {
	tb.Helper()
	events := &corev1.EventList{}
	if err := host.List(ctx, events, client.InNamespace(ns)); err != nil {
		tb.Fatalf("listing the events in namespace %s: %v", ns, err)
	}
	out := map[string]int{}
	for _, e := range events.Items {
		// The events.k8s.io/v1 recorder counts repeats in series.count
		// (the core API's count stays 0); core recorders in count.
		n := max(e.Count, 1)
		if e.Series != nil {
			n = max(n, e.Series.Count)
		}
		out[e.Reason] += int(n)
	}
	return out
}

// deploymentTemplate is a Deployment of one replica; kwok's nodes run its
// Pods without pulling the image.
func deploymentTemplate(name string) map[string]any {
	labels := map[string]any{"app": name}
	return map[string]any{"spec": map[string]any{
		"replicas": int64(1),
		"selector": map[string]any{"matchLabels": labels},
		"template": map[string]any{
			"metadata": map[string]any{"labels": labels},
			"spec":     map[string]any{"containers": []any{map[string]any{"name": "app", "image": "pause"}}},
		},
	}}
}

func pick(all map[string]client.Client, clusters []*framework.Cluster) map[string]client.Client {
	out := map[string]client.Client{}
	for _, c := range clusters {
		out[c.Name] = all[c.Name]
	}
	return out
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
