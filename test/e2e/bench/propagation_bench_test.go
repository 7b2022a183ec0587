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
	"path/filepath"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

const (
	namespace = fedcorev1b1.DefaultKubeFedSystemNamespace
	// workers is the number of concurrent writers of the benchmark, in the
	// raw run and in the federated one alike.
	workers = 16
)

// BenchmarkFederation runs the scenarios of docs/performance.md, each a
// sub-benchmark that prints one table (and writes it, with kubefed's
// profiles, to _output/bench/): bulk, scale, members and status. Select
// one with -bench 'Federation/<name>'; sizes come from KUBEFED_BENCH_*
// variables (see each scenario), with the documented sizes as defaults.
func BenchmarkFederation(b *testing.B) {
	for _, sc := range []struct {
		name string
		run  func(*testing.B)
	}{
		{"bulk", benchBulk},
		{"scale", benchScale},
		{"members", benchMembers},
		{"status", benchStatus},
	} {
		b.Run(sc.name, func(b *testing.B) {
			for range b.N {
				sc.run(b)
			}
		})
	}
	printSummary(b)
}

// rawCreates creates perMember ConfigMaps in namespace ns of every member
// client, with the benchmark's number of writers, and returns the time it
// took: the ceiling a federated rollout of the same copies is compared
// with.
func rawCreates(b *testing.B, ctx context.Context, memberClients []client.Client, ns string, perMember int) time.Duration {
	b.Helper()
	for _, c := range memberClients {
		mustCreate(b, c, &corev1.Namespace{ObjectMeta: objectMeta("", ns)})
	}
	nm := len(memberClients)
	start := time.Now()
	parallel(perMember*nm, workers, func(i int) error {
		return memberClients[i%nm].Create(ctx, &corev1.ConfigMap{ObjectMeta: objectMeta(ns, fmt.Sprintf("cm-%d", i/nm)),
			Data: map[string]string{"key": "value"}})
	}, func(err error) { b.Errorf("raw create: %v", err) })
	return time.Since(start)
}

// benchBulk: KUBEFED_BENCH_OBJECTS (1,000) FederatedConfigMaps on
// KUBEFED_BENCH_MEMBERS (3) members, against raw creates of the same
// copies with the control plane up and the same number of writers; the
// requests per object by resource and verb; CPU by process; an edit to
// another object during the rollout; KUBEFED_BENCH_UPDATES (20) single
// updates on the quiet federation; drift; idle writes over
// KUBEFED_BENCH_IDLE_SECONDS (30).
func benchBulk(b *testing.B) {
	ctx := b.Context()
	n := envInt(b, "KUBEFED_BENCH_OBJECTS", 1000)
	nm := envInt(b, "KUBEFED_BENCH_MEMBERS", 3)
	updates := envInt(b, "KUBEFED_BENCH_UPDATES", 20)
	idleWindow := time.Duration(envInt(b, "KUBEFED_BENCH_IDLE_SECONDS", 30)) * time.Second
	profileSeconds := envInt(b, "KUBEFED_BENCH_PROFILE_SECONDS", 30)
	fed, host, members := newFederation(b, ctx, framework.Options{Members: framework.MemberNames(nm)})
	kf := startKubefed(b, ctx, fed)
	r := &report{name: "bulk"}

	// The ceiling: the same copies created directly in the members, with
	// the control plane up and the same number of writers.
	raw := rawCreates(b, ctx, memberClientsOf(fed, members), "raw", n)

	fedNS, probeNS := "fed", "probe"
	federatedNamespace(b, ctx, host, members, fedNS)
	federatedNamespace(b, ctx, host, members, probeNS)
	memberW := memberWatches(b, ctx, fed.Members, fedNS)
	probeW := memberWatches(b, ctx, fed.Members, probeNS)
	hostW := hostWatch(b, ctx, fed, "FederatedConfigMap", fedNS)
	mustCreate(b, host, federated("FederatedConfigMap", probeNS, "probe", map[string]any{"data": map[string]any{"key": "value"}}))
	waitFor(b, time.Minute, "the probe object in every member", everyCopy(b, ctx, probeW, "value", 1))
	waitQuiet(b, ctx, fed, 2*time.Second, 2*time.Minute, "configmaps")

	before := takeSnapshot(b, ctx, fed)
	cpu0, host0, members0 := kf.stats(b).CPU, cpuOf([]*framework.Cluster{fed.Host}), cpuOf(fed.Members)
	profiled := kf.profileInBackground(b, ctx, profileSeconds, "bulk-cpu.pprof")
	copied := everyCopy(b, ctx, memberW, "value", n)
	propagated := propagatedTally(b, ctx, hostW, "FederatedConfigMap")
	start := time.Now()
	parallel(n, workers, func(i int) error {
		return host.Create(ctx, federated("FederatedConfigMap", fedNS, fmt.Sprintf("cm-%d", i), map[string]any{"data": map[string]any{"key": "value"}}))
	}, func(err error) { b.Errorf("host create: %v", err) })
	// A user's edit to another object while the rollout runs.
	loaded := updateAndTime(b, ctx, host, probeW, probeNS, "probe", "loaded")
	fedTime := timeUntil(b, start, 30*time.Minute, "every member copy", copied)
	propTime := timeUntil(b, start, 30*time.Minute, "every object reporting Propagation True", func() (bool, error) {
		return propagated.count() == n, nil
	})
	waitQuiet(b, ctx, fed, 2*time.Second, 5*time.Minute, "configmaps")
	diff := takeSnapshot(b, ctx, fed).sub(before)
	kst := kf.stats(b)
	cpuKubefed, cpuHost, cpuMembers := kst.CPU-cpu0, cpuOf([]*framework.Cluster{fed.Host})-host0, cpuOf(fed.Members)-members0
	kf.saveProfile(b, ctx, "heap?gc=1", "bulk-heap.pprof")
	cpuProfile := <-profiled

	idleHost, idleMembers, idle := idleWrites(b, ctx, fed, idleWindow)

	quiet := quietUpdates(b, ctx, kf, host, memberW, fedNS, min(updates, n))
	drift := driftAndTime(b, ctx, members[fed.Members[0].Name], memberW[fed.Members[0].Name], fedNS, fmt.Sprintf("cm-%d", n-1))

	// The benchmark's own writes in the window: n creates and the edit of
	// the probe object (whose propagation kubefed's writes include).
	own := framework.RequestCounts{fcmRequest(framework.VerbCreate): float64(n), fcmRequest(framework.VerbUpdate): 1}
	hostWrites, memberWrites := diff.writesBy(fed, own, "configmaps")
	allMembers := sumCounts(memberWrites)
	r.add(fmt.Sprintf("raw: %d ConfigMaps in %d members, %d writers", n*nm, nm, workers), "", "%s", secs(raw))
	r.add(fmt.Sprintf("fed: %d FederatedConfigMaps until every copy exists", n), "", "%s", secs(fedTime))
	r.add("fed/raw", "<= 3x", "%.1fx", fedTime.Seconds()/raw.Seconds())
	r.add("until every Propagation=True (after the last copy)", "<= 2 s", "%s (+%s)", secs(propTime), secs(propTime-fedTime))
	r.add("host writes by kubefed per object", "<= 3", "%.2f", hostWrites.Total()/float64(n))
	r.addRequests("  host", hostWrites, n)
	r.add("member writes per object per member", "1", "%.2f", allMembers.Total()/float64(n*nm))
	r.addRequests("  members (all)", allMembers, n*nm)
	r.add("host requests of every kind and client per object", "", "%.2f", diff[fed.Host.Name].Total()/float64(n))
	r.add("CPU: kubefed", "", "%s", secs(cpuKubefed))
	r.add("CPU: host control plane", "", "%s", secs(cpuHost))
	r.add(fmt.Sprintf("CPU: %d member control planes", nm), "", "%s", secs(cpuMembers))
	r.add("kubefed RSS after the rollout", "", "%d MiB", kst.RSS>>20)
	r.add("an edit to another object during the rollout", "< 1 s", "%s", ms(loaded))
	r.add(fmt.Sprintf("single update on a quiet federation, p50 of %d", len(quiet)), "<= 20 ms", "%s (max %s)", ms(percentile(quiet, 50)), ms(percentile(quiet, 100)))
	r.add("a member-side edit until undone", "< 5 s", "%s", ms(drift))
	r.add(fmt.Sprintf("writes by kubefed in %s of quiet", idleWindow), "0", "%g", idle)
	r.add("profiles", "", "%s, %s", filepath.Base(cpuProfile), "bulk-heap.pprof")
	r.print(b)
	if idle != 0 {
		b.Errorf("kubefed wrote while idle: host %s, members %v", idleHost, idleMembers)
	}
}

// profileInBackground saves a CPU profile of the next seconds to file and
// sends the file's path when it is written.
func (p *kubefedProcess) profileInBackground(tb testing.TB, ctx context.Context, seconds int, file string) <-chan string {
	done := make(chan string, 1)
	go func() {
		done <- p.saveProfile(tb, ctx, fmt.Sprintf("profile?seconds=%d", seconds), file)
	}()
	return done
}

// idleWrites counts the writes by kubefed over window while nothing
// changes: in the host, in each member and in all.
func idleWrites(b *testing.B, ctx context.Context, fed *framework.Federation, window time.Duration) (framework.RequestCounts, map[string]framework.RequestCounts, float64) {
	before := takeSnapshot(b, ctx, fed)
	time.Sleep(window)
	host, members := takeSnapshot(b, ctx, fed).sub(before).writesBy(fed, nil, "configmaps")
	return host, members, host.Total() + sumCounts(members).Total()
}

// quietUpdates updates the FederatedConfigMaps cm-0 to cm-<count-1> of ns
// one at a time on a quiet federation and returns how long each took to
// reach every member.
func quietUpdates(b *testing.B, ctx context.Context, kf *kubefedProcess, host client.Client, memberW map[string]cache.Cache, ns string, count int) []time.Duration {
	var quiet []time.Duration
	for i := range count {
		// Quiet: kubefed finished with the previous update (its version
		// record and status writes, the member echoes) before the next.
		waitIdle(b, ctx, kf)
		quiet = append(quiet, updateAndTime(b, ctx, host, memberW, ns, fmt.Sprintf("cm-%d", i), fmt.Sprintf("update-%d", i)))
	}
	return quiet
}

// memberClientsOf returns the clients of the members, in the order of
// fed.Members.
func memberClientsOf(fed *framework.Federation, members map[string]client.Client) []client.Client {
	var out []client.Client
	for _, m := range fed.Members {
		out = append(out, members[m.Name])
	}
	return out
}

// sumCounts adds up the request counts of every member.
func sumCounts(byMember map[string]framework.RequestCounts) framework.RequestCounts {
	sum := framework.RequestCounts{}
	for _, c := range byMember {
		sum = sum.Add(c)
	}
	return sum
}

// waitIdle waits until kubefed's work queues are empty with nothing in
// flight, and then a little longer for the watch events of its last
// writes to arrive and be handled.
func waitIdle(tb testing.TB, ctx context.Context, kf *kubefedProcess) {
	tb.Helper()
	for range 2 {
		timeUntilPolling(tb, time.Now(), time.Minute, 50*time.Millisecond, "kubefed's queues empty", func() (bool, error) {
			idle, _, err := kf.queueIdle(ctx, "sync-configmaps")
			return err == nil && idle, err
		})
		time.Sleep(200 * time.Millisecond)
	}
}

// updateAndTime sets the template's "key" of a FederatedConfigMap to value
// and returns the time until every member watch holds it.
func updateAndTime(tb testing.TB, ctx context.Context, host client.Client, watches map[string]cache.Cache, ns, name, value string) time.Duration {
	tb.Helper()
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMap"))
	if err := host.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, obj); err != nil {
		tb.Fatal(err)
	}
	if err := unstructured.SetNestedField(obj.Object, value, "spec", "template", "data", "key"); err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	if err := host.Update(ctx, obj); err != nil {
		tb.Fatal(err)
	}
	return timeUntil(tb, start, 2*time.Minute, "the update of "+name+" in every member", func() (bool, error) {
		for _, c := range watches {
			cm := &corev1.ConfigMap{}
			if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cm); err != nil || cm.Data["key"] != value {
				return false, client.IgnoreNotFound(err)
			}
		}
		return true, nil
	})
}

// driftAndTime edits a member copy and returns the time until kubefed
// restored it (a newer version than the edit, with the old value).
func driftAndTime(tb testing.TB, ctx context.Context, member client.Client, watch cache.Cache, ns, name string) time.Duration {
	tb.Helper()
	cm := &corev1.ConfigMap{}
	if err := member.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cm); err != nil {
		tb.Fatal(err)
	}
	want := cm.Data["key"]
	cm.Data["key"] = "drifted"
	start := time.Now()
	if err := member.Update(ctx, cm); err != nil {
		tb.Fatal(err)
	}
	edited := cm.ResourceVersion
	return timeUntil(tb, start, 2*time.Minute, "the drift of "+name+" undone", func() (bool, error) {
		got := &corev1.ConfigMap{}
		if err := watch.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, got); err != nil {
			return false, err
		}
		return got.ResourceVersion != edited && got.Data["key"] == want, nil
	})
}

func mustClient(b testing.TB, cfg *rest.Config) client.Client {
	c, err := client.New(cfg, client.Options{Scheme: app.Scheme()})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func mustCreate(b testing.TB, c client.Client, obj client.Object) {
	if err := c.Create(b.Context(), obj); err != nil && !apierrors.IsAlreadyExists(err) {
		b.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
	}
}

func federated(kind, ns, name string, template map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{
		"placement": map[string]any{"clusterSelector": map[string]any{}},
	}}}
	if template != nil {
		u.Object["spec"].(map[string]any)["template"] = template
	}
	u.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(kind))
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// parallel runs fn(0..n-1) on the given number of workers.
func parallel(n, workers int, fn func(int) error, onErr func(error)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					onErr(err)
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

func waitFor(b testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("timed out after %s waiting for %s (last error: %v)", timeout, what, err)
		}
		time.Sleep(pollInterval)
	}
}

// newFederation brings up a local federation with opts, installs the
// control plane's chart into its host (installControlPlane) and returns it
// with clients of the host and of each member by name.
func newFederation(tb testing.TB, ctx context.Context, opts framework.Options) (*framework.Federation, client.Client, map[string]client.Client) {
	tb.Helper()
	fed := framework.New(tb, opts)
	host := mustClient(tb, fed.Host.Config)
	members := map[string]client.Client{}
	for _, m := range fed.Members {
		members[m.Name] = mustClient(tb, m.Config)
	}
	installControlPlane(tb, ctx, fed, host)
	return fed, host, members
}

// installControlPlane installs the Helm chart (CRDs, FTCs, KubeFedConfig,
// RBAC) as a user does, with its defaults, and joins the members.
func installControlPlane(b testing.TB, ctx context.Context, fed *framework.Federation, host client.Client) {
	e2eutil.InstallChart(b, fed)
	waitFor(b, time.Minute, "the chart's FederatedTypeConfigs", func() (bool, error) {
		ftcs := &fedcorev1b1.FederatedTypeConfigList{}
		if err := host.List(ctx, ftcs, client.InNamespace(namespace)); err != nil {
			return false, err
		}
		return len(ftcs.Items) > 0, nil
	})
	for _, m := range fed.Members {
		if _, err := kubefedctl.Join(ctx, kubefedctl.JoinOptions{ClusterName: m.Name, HostClusterName: "host",
			HostConfig: fed.Host.Config, ClusterConfig: m.Config, KubeFedNamespace: namespace, ErrorOnExisting: true, Out: io.Discard}); err != nil {
			b.Fatalf("joining %s: %v", m.Name, err)
		}
	}
}

func controlPlaneReady(ctx context.Context, host client.Client, members int) (bool, error) {
	clusters := &fedcorev1b1.KubeFedClusterList{}
	if err := host.List(ctx, clusters, client.InNamespace(namespace)); err != nil {
		return false, err
	}
	ready := 0
	for _, c := range clusters.Items {
		for _, cond := range c.Status.Conditions {
			if cond.Type == fedcorev1b1.ClusterReady && cond.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	ftcs := &fedcorev1b1.FederatedTypeConfigList{}
	if err := host.List(ctx, ftcs, client.InNamespace(namespace)); err != nil {
		return false, err
	}
	for _, f := range ftcs.Items {
		if f.Status.PropagationController != fedcorev1b1.ControllerStatusRunning {
			return false, nil
		}
	}
	return ready == members && len(ftcs.Items) > 0, nil
}
