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

package propagation_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// idlePeriod is how long an idle federation is watched for writes.
const idlePeriod = 60 * time.Second

// bulk is the number of objects of the idle and restart tests.
const bulk = 200

// testIdle checks that a federation with nothing to do writes nothing:
// not to members, not to the host.
func testIdle(t *testing.T, e *e2eutil.Env) {
	start := time.Now()
	ns := newNamespace(t, e, "idle", bothMembers...)
	e.DumpOnFailure(t, ns)
	if err := e.CreateFederated(t.Context(), loadFixture(t, "configmap.yaml"), ns, "idle", bulk); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d FederatedConfigMaps created in %s.", bulk, time.Since(start).Round(100*time.Millisecond))
	e.WaitConfigMapsPropagated(t, ns, bulk, 90*time.Second)
	t.Logf("%d FederatedConfigMaps propagated %s after the start.", bulk, time.Since(start).Round(100*time.Millisecond))
	waitQuiet(t, e)
	t.Logf("Federation quiet %s after the start.", time.Since(start).Round(100*time.Millisecond))

	// The control: a template change kubefed must propagate shows that the
	// counting below (snapshots and the dispatch count) sees a write.
	before, ops := snapshot(t, e), dispatchCount(t)
	ctl := namedFixture(t, "configmap.yaml", ns, "idle-000")
	ctlStart := time.Now()
	e.UpdateFederated(t, ctl, func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, "control", "spec", "template", "data", "greeting")
	})
	ft := typeOf(t, e, "FederatedConfigMap")
	for _, c := range bothMembers {
		waitMember(t, e, ft, c, ctl, "the control change", func(m *unstructured.Unstructured) bool {
			got, _, _ := unstructured.NestedString(m.Object, "data", "greeting")
			return got == "control"
		})
	}
	ctlLatency := time.Since(ctlStart)
	waitQuiet(t, e)
	mid, opsMid := snapshot(t, e), dispatchCount(t)
	changed := diffSnapshots(before, mid)
	for _, c := range bothMembers {
		key := fmt.Sprintf("%s ConfigMap %s/%s: resourceVersion ", c, ns, ctl.GetName())
		if !slices.ContainsFunc(changed, func(d string) bool { return strings.HasPrefix(d, key) }) {
			t.Fatalf("the snapshots do not show the control change of the %s copy of %s, so they could not show an idle write either; changes: %v", c, describe(ctl), changed)
		}
	}
	if opsMid-ops < uint64(len(bothMembers)) {
		t.Fatalf("the dispatch count rose by %d for the control change of %s in %d members, so it could not show an idle write either", opsMid-ops, describe(ctl), len(bothMembers))
	}
	t.Logf("The control change reached both members in %s; the snapshots showed %d writes and the dispatch count %d operations.",
		ctlLatency.Round(100*time.Millisecond), len(changed), opsMid-ops)

	// A write that took as long as the control shows within three times as
	// long.
	window := max(idlePeriod, 3*ctlLatency)
	t.Logf("Watching %d federated objects, PropagatedVersions and managed member objects for %s.", len(mid), window)
	time.Sleep(window)
	after, opsAfter := snapshot(t, e), dispatchCount(t)
	if diff := diffSnapshots(mid, after); len(diff) > 0 {
		t.Errorf("an idle federation wrote %d objects in %s:\n  %s", len(diff), window, strings.Join(diff[:min(len(diff), 30)], "\n  "))
	}
	if opsAfter != opsMid {
		t.Errorf("an idle federation sent %d member operations in %s (kubefed_dispatch_operation_duration_seconds_count %d -> %d)", opsAfter-opsMid, window, opsMid, opsAfter)
	}
}

// testRestart stops the control plane in the middle of a rollout and
// starts it again: every object converges, none is lost or duplicated.
func testRestart(t *testing.T, e *e2eutil.Env) {
	ns := newNamespace(t, e, "restart", bothMembers...)
	e.DumpOnFailure(t, ns)
	created := make(chan error, 1)
	go func() {
		created <- e.CreateFederated(context.WithoutCancel(t.Context()), loadFixture(t, "configmap.yaml"), ns, "restart", bulk)
	}()
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		counts, err := e.CountManagedConfigMaps(ctx, ns)
		if err != nil {
			return err
		}
		if counts[member1] < bulk/4 {
			return fmt.Errorf("%d copies in member1", counts[member1])
		}
		return nil
	}, "a quarter of %d FederatedConfigMaps propagated to member1", bulk)
	e.StopControlPlane(t)
	counts, err := e.CountManagedConfigMaps(t.Context(), ns)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-created; err != nil {
		t.Fatal(err)
	}
	t.Logf("Control plane stopped with %v of %d copies in the members.", counts, bulk)
	if counts[member1] == bulk && counts[member2] == bulk {
		t.Log("Every object was propagated before the control plane stopped: the restart was not in the middle of the rollout.")
	}

	e.StartControlPlane(t)
	e.WaitConfigMapsPropagated(t, ns, bulk, 2*time.Minute)
}

// testMemberFailure stops member2: objects still reach member1, member2's
// entry says ClusterNotReady, and when member2 returns it catches up with
// no action from anyone.
func testMemberFailure(t *testing.T, e *e2eutil.Env) {
	ft := typeOf(t, e, "FederatedConfigMap")
	ns := newNamespace(t, e, "failure", bothMembers...)
	e.DumpOnFailure(t, ns)
	fixture := loadFixture(t, "configmap.yaml")
	existing := fixture.DeepCopy()
	existing.SetNamespace(ns)
	existing.SetName("before-outage")
	create(t, e, existing)
	ft.waitPropagated(t, e, existing, bothMembers...)

	m2 := e.Fed.Cluster(member2)
	stopped := time.Now()
	startM2 := e2eutil.StopCluster(t, m2)
	e.WaitClusterNotReady(t, member2, 30*time.Second)
	t.Logf("member2 stopped, its KubeFedCluster not Ready after %s.", time.Since(stopped).Round(100*time.Millisecond))

	created := fixture.DeepCopy()
	created.SetNamespace(ns)
	created.SetName("during-outage")
	create(t, e, created)
	e.UpdateFederated(t, existing, func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, "updated during the outage", "spec", "template", "data", "greeting")
	})
	for _, obj := range []*unstructured.Unstructured{created, existing} {
		got := waitClusterStatus(t, e, obj, member2, fedtypesv1b1.ClusterNotReady)
		if got.Message == "" {
			t.Errorf("%s: member2's ClusterNotReady entry has no message", describe(obj))
		}
		waitClusterStatus(t, e, obj, member1, fedtypesv1b1.ClusterPropagationOK)
		waitMember(t, e, ft, member1, obj, "the current template", func(m *unstructured.Unstructured) bool {
			want, _, _ := unstructured.NestedString(obj.Object, "spec", "template", "data", "greeting")
			if obj == existing {
				want = "updated during the outage"
			}
			got, _, _ := unstructured.NestedString(m.Object, "data", "greeting")
			return got == want
		})
		waitNotPropagated(t, e, obj, fedtypesv1b1.CheckClusters)
	}

	t.Log("member2 returns: both objects converge by themselves.")
	startM2()
	e.WaitClusterReady(t, member2, "True", time.Minute)
	for _, obj := range []*unstructured.Unstructured{created, existing} {
		ft.waitPropagated(t, e, obj, bothMembers...)
	}
	waitMember(t, e, ft, member2, existing, "the template updated during the outage", func(m *unstructured.Unstructured) bool {
		got, _, _ := unstructured.NestedString(m.Object, "data", "greeting")
		return got == "updated during the outage"
	})
	waitMember(t, e, ft, member2, created, "member2's override", func(m *unstructured.Unstructured) bool {
		got, _, _ := unstructured.NestedString(m.Object, "data", "mode")
		return got == "green"
	})
}

// The idle test's measures of a quiet federation: what the sync
// controllers dispatched and what the clusters hold.

// dispatchCount returns the number of member operations the sync
// controllers of this process have sent.
func dispatchCount(t testing.TB) uint64 {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	var n uint64
	for _, f := range families {
		if f.GetName() != "kubefed_dispatch_operation_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			n += m.GetHistogram().GetSampleCount()
		}
	}
	return n
}

// waitQuiet waits until nothing is being torn down (namespaces of earlier
// tests) and the sync controllers have sent nothing for a few seconds.
func waitQuiet(t testing.TB, e *e2eutil.Env) {
	t.Helper()
	const still = 5 * time.Second
	last, since := dispatchCount(t), time.Now()
	e2eutil.Eventually(t, 2*time.Minute, func(ctx context.Context) error {
		for _, c := range append([]string{e2eutil.HostName}, bothMembers...) {
			cl := e.Host
			if c != e2eutil.HostName {
				cl = e.Member(c)
			}
			list := &corev1.NamespaceList{}
			if err := cl.List(ctx, list); err != nil {
				return err
			}
			for _, ns := range list.Items {
				if ns.DeletionTimestamp != nil {
					return fmt.Errorf("namespace %s is terminating in %s", ns.Name, c)
				}
			}
		}
		if n := dispatchCount(t); n != last {
			last, since = n, time.Now()
		}
		if time.Since(since) < still {
			return fmt.Errorf("member operations sent %s ago", time.Since(since).Round(time.Second))
		}
		return nil
	}, "a quiet federation")
}

// snapshot records the resourceVersion of every federated object,
// (Cluster)PropagatedVersion and managed member object of the federation.
func snapshot(t testing.TB, e *e2eutil.Env) map[string]string {
	t.Helper()
	ctx := t.Context()
	out := map[string]string{}
	record := func(c client.Client, cluster, kind string, listKind func() *unstructured.UnstructuredList, opts ...client.ListOption) {
		list := listKind()
		if err := c.List(ctx, list, opts...); err != nil {
			t.Fatalf("listing %s in %s: %v", kind, cluster, err)
		}
		for _, o := range list.Items {
			out[fmt.Sprintf("%s %s %s", cluster, kind, client.ObjectKeyFromObject(&o))] = o.GetResourceVersion()
		}
	}
	listOf := func(gvkList string, group, version string) func() *unstructured.UnstructuredList {
		return func() *unstructured.UnstructuredList {
			l := &unstructured.UnstructuredList{}
			l.SetAPIVersion(strings.TrimPrefix(group+"/"+version, "/"))
			l.SetKind(gvkList)
			return l
		}
	}
	for _, ftc := range e.TypeConfigs {
		fed, target := ftc.Spec.FederatedType, ftc.Spec.TargetType
		record(e.Host, e2eutil.HostName, fed.Kind, listOf(fed.Kind+"List", fed.Group, fed.Version))
		for _, c := range bothMembers {
			record(e.Member(c), c, target.Kind, listOf(target.Kind+"List", target.Group, target.Version), e2eutil.Managed)
		}
	}
	record(e.Host, e2eutil.HostName, "PropagatedVersion", listOf("PropagatedVersionList", "core.kubefed.io", "v1alpha1"))
	record(e.Host, e2eutil.HostName, "ClusterPropagatedVersion", listOf("ClusterPropagatedVersionList", "core.kubefed.io", "v1alpha1"))
	return out
}

// diffSnapshots lists what changed between two snapshots.
func diffSnapshots(before, after map[string]string) []string {
	var out []string
	for k, v := range before {
		switch w, ok := after[k]; {
		case !ok:
			out = append(out, k+": deleted")
		case w != v:
			out = append(out, fmt.Sprintf("%s: resourceVersion %s -> %s", k, v, w))
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			out = append(out, k+": created")
		}
	}
	slices.Sort(out)
	return out
}
