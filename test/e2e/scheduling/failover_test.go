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

package scheduling

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

// failoverLabel marks the members the failover test places its workloads
// in (through a cluster selector the preferences intersect with).
const failoverLabel = "scheduling.e2e.kubefed.io/failover"

// testFailover stops member1 of three members with the default health
// settings (set by TestScheduling): within 40 s of the Stop call its
// replicas run ready in the other two. When it is back, the preference
// with rebalance: true returns to the equal split, the one with
// rebalance: false keeps the replicas where they are.
func testFailover(t *testing.T, e *e2eutil.Env) {
	three := []string{member1, member2, member3}
	labelClusters(t, e, failoverLabel, "yes", three...)
	ns := e.FederatedNamespace(t, "failover", allMembers...)
	e.DumpOnFailure(t, ns)
	selector := &fedtypesv1b1.Placement{ClusterSelector: &metav1.LabelSelector{MatchLabels: map[string]string{failoverLabel: "yes"}}}
	spec := func(rebalance bool) fedschedv1a1.ReplicaSchedulingPreferenceSpec {
		return fedschedv1a1.ReplicaSchedulingPreferenceSpec{TotalReplicas: 30, Rebalance: rebalance, IntersectWithClusterSelector: true}
	}
	rebalance := newWorkload(t, e, ns, "rebalance", selector, spec(true))
	keep := newWorkload(t, e, ns, "keep", selector, spec(false))
	even := split{replicas: map[string]int64{member1: 10, member2: 10, member3: 10}, absent: []string{member4, member5}}
	rebalance.waitSplit(t, timeout, even)
	keep.waitSplit(t, timeout, even)

	m1 := e.Fed.Cluster(member1)
	stopped := true
	t.Cleanup(func() {
		if stopped {
			if err := m1.Start(context.WithoutCancel(t.Context())); err != nil {
				t.Errorf("starting %s again: %v", member1, err)
			}
		}
	})
	f := failover{e: e, ns: ns, m1: m1, rebalance: rebalance, keep: keep, even: even,
		moved: split{replicas: map[string]int64{member2: 15, member3: 15}}}
	f.stop(t)
	f.restart(t, &stopped)
}

// failover is what the steps of testFailover share: the two workloads,
// their split over three members (even) and over the two left when member1
// is stopped (moved).
type failover struct {
	e               *e2eutil.Env
	ns              string
	m1              *framework.Cluster
	rebalance, keep workload
	even, moved     split
}

// stop stops member1: within 40 s of the Stop call both workloads run
// ready in member2 and member3, and their preferences say member1 is
// offline.
func (f failover) stop(t *testing.T) {
	m1, rebalance, keep, moved := f.m1, f.rebalance, f.keep, f.moved
	start := time.Now()
	if err := m1.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s stopped in %s", member1, time.Since(start).Round(100*time.Millisecond))
	// Measured past the limit, so that a slow run says by how much.
	const limit = 40 * time.Second
	e2eutil.Eventually(t, 2*limit, func(ctx context.Context) error {
		var errs []string
		for _, w := range []workload{rebalance, keep} {
			if err := w.check(ctx, moved); err != nil {
				errs = append(errs, err.Error())
			}
		}
		if len(errs) > 0 {
			return fmt.Errorf("%s", strings.Join(errs, "; "))
		}
		return nil
	}, "after %s stopped: %s for %s and %s", member1, moved, rebalance.fedName(), keep.fedName())
	took := time.Since(start)
	t.Logf("%s stopped: its replicas ready in %s and %s %s after the Stop call (limit %s)", member1, member2, member3, took.Round(100*time.Millisecond), limit)
	if took > limit {
		t.Errorf("%s stopped: its replicas ran ready in %s and %s only %s after the Stop call, want within %s", member1, member2, member3, took.Round(100*time.Millisecond), limit)
	}
	for _, w := range []workload{rebalance, keep} {
		rsp, err := w.rsp(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if c := meta.FindStatusCondition(rsp.Status.Conditions, fedschedv1a1.ScheduledCondition); c == nil || !strings.Contains(c.Message, member1) {
			t.Errorf("%s: Scheduled condition %s, want a message naming %s as not Ready", w.rspName(), condString(c), member1)
		}
		// The API: ClusterOffline "is the reason recorded for a cluster
		// that had replicas and is not Ready".
		if c := clusterStatus(rsp, member1); c == nil || c.Replicas != 0 || c.Reason != fedschedv1a1.ClusterOfflineReason {
			t.Errorf("%s: while %s is not Ready (its Deployment still runs there), its status.clusters entry is %s, want replicas 0 with reason %s",
				w.rspName(), member1, toString(c), fedschedv1a1.ClusterOfflineReason)
		}
	}
}

// restart starts member1 again: the rebalance workload returns to the even
// split, the keep workload's Deployment does not come back to member1.
func (f failover) restart(t *testing.T, stopped *bool) {
	e, ns, m1, rebalance, keep, even, moved := f.e, f.ns, f.m1, f.rebalance, f.keep, f.even, f.moved
	start := time.Now()
	if err := m1.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	*stopped = false
	// rebalance: false keeps the replicas where they are: watched in
	// member1 from its return on. The control is kubefed's deletion of
	// the keep Deployment member1 still holds from before it stopped (the
	// placement no longer lists member1): the watch sees kubefed's writes
	// of that Deployment in member1. The act is member1's return being
	// acted on: the rebalance workload back at 10/10/10. From then on, for
	// a window, the keep Deployment must not come back to member1.
	isKeep := func(ev watch.Event) (*appsv1.Deployment, bool) {
		d, ok := ev.Object.(*appsv1.Deployment)
		return d, ok && d.Name == keep.name
	}
	res := e2eutil.NegativeCheck{
		What: fmt.Sprintf("%s (rebalance: false) after %s returned", keep.fedName(), member1),
		Sources: []e2eutil.WatchSource{{
			Name: member1, Client: e2eutil.NewWatchClient(t, m1.Config), List: &appsv1.DeploymentList{}, Opts: []client.ListOption{client.InNamespace(ns)},
		}},
		Control: func(context.Context) error { return nil },
		ControlSeen: func(_ string, ev watch.Event) bool {
			d, ok := isKeep(ev)
			return ok && (ev.Type == watch.Deleted || !d.DeletionTimestamp.IsZero())
		},
		ControlTimeout: 2 * timeout,
		Act: func(context.Context) error {
			e.WaitClusterReady(t, member1, corev1.ConditionTrue, timeout)
			t.Logf("%s Ready again %s after the Start call", member1, time.Since(start).Round(100*time.Millisecond))
			// The restarted member runs its replicas again: the framework's
			// clusters keep no node leases across a restart.
			d := rebalance.waitSplit(t, timeout, even)
			t.Logf("%s (rebalance: true): back to 10/10/10 %s after %s was Ready", rebalance.fedName(), d.Round(100*time.Millisecond), member1)
			return nil
		},
		Window: 10 * time.Second,
		Forbidden: func(_ string, ev watch.Event) string {
			if d, ok := isKeep(ev); ok && (ev.Type == watch.Added || (ev.Type == watch.Modified && d.DeletionTimestamp.IsZero())) {
				return fmt.Sprintf("its Deployment came back to %s: %s with %d replicas", member1, e2eutil.DescribeEvent(ev), ptr.Deref(d.Spec.Replicas, 1))
			}
			return ""
		},
	}.Run(t)
	t.Logf("%s: its copy in %s was deleted %s after %s's watch opened; none came back for %s after the rebalance workload was back at 10/10/10",
		keep.fedName(), member1, res.ControlLatency.Round(100*time.Millisecond), member1, res.Window.Round(100*time.Millisecond))
	keep.waitSplit(t, timeout, split{replicas: moved.replicas, absent: []string{member1, member4, member5}})
	rsp, err := keep.rsp(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if c := clusterStatus(rsp, member1); c == nil || c.Replicas != 0 || c.Ideal != 10 || c.Reason != "NotRebalanced" {
		t.Errorf("%s (rebalance: false): status.clusters entry of %s is %s, want replicas 0, ideal 10, reason NotRebalanced", keep.rspName(), member1, toString(c))
	}
	for _, m := range []string{member2, member3} {
		if c := clusterStatus(rsp, m); c == nil || c.Replicas != 15 || c.Ideal != 10 || c.Reason != "KeptCurrent" {
			t.Errorf("%s (rebalance: false): status.clusters entry of %s is %s, want replicas 15, ideal 10, reason KeptCurrent", keep.rspName(), m, toString(c))
		}
	}
}

// labelClusters sets a label on the KubeFedClusters of the members, and
// removes it when the test ends.
func labelClusters(t *testing.T, e *e2eutil.Env, key, value string, members ...string) {
	t.Helper()
	set := func(ctx context.Context, name string, v *string) error {
		return retry.RetryOnConflict(retry.DefaultRetry, func() error {
			kfc := &fedcorev1b1.KubeFedCluster{}
			if err := e.Host.Get(ctx, client.ObjectKey{Namespace: e2eutil.Namespace, Name: name}, kfc); err != nil {
				return err
			}
			if v == nil {
				delete(kfc.Labels, key)
			} else {
				if kfc.Labels == nil {
					kfc.Labels = map[string]string{}
				}
				kfc.Labels[key] = *v
			}
			return e.Host.Update(ctx, kfc)
		})
	}
	for _, m := range members {
		t.Cleanup(func() {
			if err := set(context.WithoutCancel(t.Context()), m, nil); err != nil {
				t.Errorf("removing label %s from KubeFedCluster %s: %v", key, m, err)
			}
		})
		if err := set(t.Context(), m, &value); err != nil {
			t.Fatalf("labelling KubeFedCluster %s with %s=%s: %v", m, key, value, err)
		}
	}
}
