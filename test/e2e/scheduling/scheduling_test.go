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
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	"github.com/kubefed/kubefed/controllers/scheduling"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

const (
	member1 = "member1"
	member2 = "member2"
	member3 = "member3"
	member4 = "member4"
	member5 = "member5"

	// bigNodes and bigNodePods are the simulated nodes of member1..4:
	// room for 1000 Pods each, enough for 500 replicas while another
	// test's Pods are still being deleted.
	bigNodes, bigNodePods = 2, 500
	// smallNodes and smallNodePods are member5's: 250 Pods in all, and 50
	// when all nodes but one are cordoned.
	smallNodes, smallNodePods = 5, 50

	// timeout bounds the waits for a few dozen replicas.
	timeout = time.Minute
	// bulkTimeout bounds the waits for 1000 replicas to be created,
	// scheduled and made ready on two shared cores.
	bulkTimeout = 4 * time.Minute
)

var allMembers = []string{member1, member2, member3, member4, member5}

// TestScheduling runs the scheduling tests, one after the other, against
// one local federation of five members. The failover test stops a member
// and runs last.
func TestScheduling(t *testing.T) {
	e := e2eutil.Setup(t, len(allMembers))
	prepareNodes(t, e)
	// Setup's one-second health checks make members flap on a loaded
	// machine, and with rebalance: false a flap moves replicas for good.
	// KubeFed's defaults hold, and the failover test needs them anyway.
	useDefaultHealthSettings(t, e)

	t.Run("EqualSplitThenWeights", func(t *testing.T) { testEqualSplitThenWeights(t, e) })
	t.Run("Capacity", func(t *testing.T) { testCapacity(t, e) })
	t.Run("Failover", func(t *testing.T) { testFailover(t, e) })
}

// prepareNodes replaces every member's simulated node by bigger ones
// (member1..4) or several small ones (member5), and waits until they are
// Ready with that Pod capacity.
func prepareNodes(t *testing.T, e *e2eutil.Env) {
	t.Helper()
	start := time.Now()
	for _, m := range allMembers {
		nodes, pods := bigNodes, bigNodePods
		if m == member5 {
			nodes, pods = smallNodes, smallNodePods
		}
		c := e.Fed.Cluster(m)
		if err := c.ScaleNodes(t.Context(), 0, 0); err != nil {
			t.Fatal(err)
		}
		if err := c.ScaleNodes(t.Context(), nodes, pods); err != nil {
			t.Fatal(err)
		}
		e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
			list := &corev1.NodeList{}
			if err := e.Member(m).List(ctx, list); err != nil {
				return err
			}
			var ok int
			var seen []string
			for _, n := range list.Items {
				alloc := n.Status.Allocatable[corev1.ResourcePods]
				seen = append(seen, fmt.Sprintf("%s (pods %s, Ready %s)", n.Name, alloc.String(), nodeReady(&n)))
				if n.DeletionTimestamp.IsZero() && alloc.Equal(*resource.NewQuantity(int64(pods), resource.DecimalSI)) && nodeReady(&n) == corev1.ConditionTrue {
					ok++
				}
			}
			if ok != nodes || len(list.Items) != nodes {
				return fmt.Errorf("nodes: %s", strings.Join(seen, ", "))
			}
			return nil
		}, "%s: %d Ready nodes with room for %d Pods each", m, nodes, pods)
	}
	t.Logf("simulated nodes ready in %s", time.Since(start).Round(100*time.Millisecond))
}

func nodeReady(n *corev1.Node) corev1.ConditionStatus {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status
		}
	}
	return corev1.ConditionUnknown
}

// testEqualSplitThenWeights: 1000 replicas and no preferences over five
// members are 200 in each, all ready; then the preferences change to
// weights 1:1:2 over three members, which run 250/250/500, and the two
// members not listed run nothing. (One workload for both keeps the number
// of Pods created and deleted on two cores down.)
func testEqualSplitThenWeights(t *testing.T, e *e2eutil.Env) {
	ns := e.FederatedNamespace(t, "split", allMembers...)
	e.DumpOnFailure(t, ns)
	start := time.Now()
	w := newWorkload(t, e, ns, "web", nil, fedschedv1a1.ReplicaSchedulingPreferenceSpec{TotalReplicas: 1000})
	want := split{replicas: map[string]int64{}}
	for _, m := range allMembers {
		want.replicas[m] = 200
	}
	w.waitSplit(t, bulkTimeout, want)
	t.Logf("%s: 1000 replicas ready, 200 in each of 5 members, %s after the preference was created",
		w.fedName(), time.Since(start).Round(100*time.Millisecond))

	start = time.Now()
	w.updateRSP(t, func(spec *fedschedv1a1.ReplicaSchedulingPreferenceSpec) {
		spec.Clusters = map[string]fedschedv1a1.ClusterPreferences{
			member1: {Weight: 1}, member2: {Weight: 1}, member3: {Weight: 2},
		}
	})
	w.waitSplit(t, bulkTimeout, split{
		replicas: map[string]int64{member1: 250, member2: 250, member3: 500},
		absent:   []string{member4, member5},
	})
	t.Logf("%s: weights 1:1:2 ready as 250/250/500 %s after the preference changed", w.fedName(), time.Since(start).Round(100*time.Millisecond))
	rsp, err := w.rsp(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{member4, member5} {
		if c := clusterStatus(rsp, m); c == nil || c.Replicas != 0 || c.Reason != "NotListed" {
			t.Errorf("%s: status.clusters entry of %s is %s, want 0 replicas with reason NotListed", w.rspName(), m, toString(c))
		}
	}
}

// testCapacity: member5 has room for 50 Pods and is asked for 200; after
// the unschedulable window its capacity is recorded as 50 and the other
// 150 go to member4, where they become ready.
func testCapacity(t *testing.T, e *e2eutil.Env) {
	free := roomForOnly(t, e, member5)
	ns := e.FederatedNamespace(t, "capacity", member4, member5)
	e.DumpOnFailure(t, ns)
	start := time.Now()
	w := newWorkload(t, e, ns, "web", nil, fedschedv1a1.ReplicaSchedulingPreferenceSpec{
		TotalReplicas: 400,
		Clusters:      map[string]fedschedv1a1.ClusterPreferences{member4: {Weight: 1}, member5: {Weight: 1}},
	})

	t.Logf("First plan 200/200: %s runs 50 of its 200 on node %s, the others stay Pending.", member5, free)
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		d, err := w.deployment(ctx, member5)
		if err != nil || d == nil {
			return fmt.Errorf("no Deployment %s/%s in %s (%v)", ns, w.name, member5, err)
		}
		if ptr.Deref(d.Spec.Replicas, 1) != 200 || d.Status.ReadyReplicas != smallNodePods {
			return fmt.Errorf("Deployment %s/%s in %s: spec.replicas %d, readyReplicas %d, want 200 and %d", ns, w.name, member5, ptr.Deref(d.Spec.Replicas, 1), d.Status.ReadyReplicas, smallNodePods)
		}
		return nil
	}, "%s asked for 200 replicas in %s", w.fedName(), member5)
	firstPlan := time.Since(start)

	window := scheduling.DefaultUnschedulableWindow
	d := w.waitSplit(t, window+90*time.Second, split{replicas: map[string]int64{member4: 350, member5: 50}})
	t.Logf("%s: 350/50 ready %s after the preference was created (200/200 with 50 running in %s after %s; window %s)",
		w.fedName(), (firstPlan + d).Round(100*time.Millisecond), member5, firstPlan.Round(100*time.Millisecond), window)

	rsp, err := w.rsp(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Ideal is not checked: the API says "every replica schedulable"
	// (200), docs/scheduling.md "what rebalance: true would give" (50).
	c := clusterStatus(rsp, member5)
	if c == nil || c.Replicas != 50 || c.Capacity == nil || *c.Capacity != 50 || c.CapacityObservedTime == nil || c.Reason != "CappedByCapacity" {
		t.Errorf("%s: status.clusters entry of %s is %s, want replicas 50, capacity 50 with an observed time, reason CappedByCapacity", w.rspName(), member5, toString(c))
	}
	if c := clusterStatus(rsp, member4); c == nil || c.Capacity != nil || c.Reason != "TookOverflow" {
		t.Errorf("%s: status.clusters entry of %s is %s, want replicas 350, no capacity, reason TookOverflow", w.rspName(), member4, toString(c))
	}
	// The window is measured from the moment the scheduler gave up.
	if c != nil && c.CapacityObservedTime != nil {
		if early := firstUnschedulable(t, e, member5, ns); !early.IsZero() {
			// Condition times have a resolution of one second.
			if waited := c.CapacityObservedTime.Sub(early); waited < window-time.Second {
				t.Errorf("%s: capacity of %s observed at %s, only %s after its first Pod became unschedulable (%s); want at least the window, %s",
					w.rspName(), member5, c.CapacityObservedTime.UTC().Format(time.RFC3339), waited, early.UTC().Format(time.RFC3339), window)
			}
		}
	}
}

// roomForOnly cordons all of a member's nodes but one, waits until that
// one runs no Pods (those of earlier tests are deleted by now), and
// returns its name. The nodes are uncordoned when the test ends.
func roomForOnly(t *testing.T, e *e2eutil.Env, member string) string {
	t.Helper()
	c := e.Member(member)
	list := &corev1.NodeList{}
	if err := c.List(t.Context(), list); err != nil {
		t.Fatalf("listing the nodes of %s: %v", member, err)
	}
	names := make([]string, 0, len(list.Items))
	for _, n := range list.Items {
		names = append(names, n.Name)
	}
	slices.Sort(names)
	if len(names) < 2 {
		t.Fatalf("%s has nodes %v, want at least 2", member, names)
	}
	free, cordoned := names[0], names[1:]
	setUnschedulable := func(ctx context.Context, node string, v bool) error {
		return retry.RetryOnConflict(retry.DefaultRetry, func() error {
			n := &corev1.Node{}
			if err := c.Get(ctx, client.ObjectKey{Name: node}, n); err != nil {
				return err
			}
			n.Spec.Unschedulable = v
			return c.Update(ctx, n)
		})
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 30*time.Second)
		defer cancel()
		for _, n := range cordoned {
			if err := setUnschedulable(ctx, n, false); err != nil {
				t.Errorf("uncordoning node %s of %s: %v", n, member, err)
			}
		}
	})
	for _, n := range cordoned {
		if err := setUnschedulable(t.Context(), n, true); err != nil {
			t.Fatalf("cordoning node %s of %s: %v", n, member, err)
		}
	}
	e2eutil.Eventually(t, 2*time.Minute, func(ctx context.Context) error {
		pods := &corev1.PodList{}
		if err := c.List(ctx, pods, client.MatchingFields{"spec.nodeName": free}); err != nil {
			return err
		}
		if len(pods.Items) > 0 {
			return fmt.Errorf("%d Pods on it, first %s/%s", len(pods.Items), pods.Items[0].Namespace, pods.Items[0].Name)
		}
		return nil
	}, "node %s of %s free of the Pods of earlier tests", free, member)
	return free
}

// firstUnschedulable returns when the first Pod in the namespace of the
// member was seen unschedulable by its scheduler (zero when none is
// left).
func firstUnschedulable(t *testing.T, e *e2eutil.Env, member, ns string) time.Time {
	t.Helper()
	pods := &corev1.PodList{}
	if err := e.Member(member).List(t.Context(), pods, client.InNamespace(ns)); err != nil {
		t.Fatalf("listing the Pods of %s in %s: %v", ns, member, err)
	}
	var first time.Time
	for _, p := range pods.Items {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonUnschedulable && (first.IsZero() || c.LastTransitionTime.Before(&metav1.Time{Time: first})) {
				first = c.LastTransitionTime.Time
			}
		}
	}
	return first
}

func toString(c *fedschedv1a1.ClusterReplicas) string {
	if c == nil {
		return "missing"
	}
	s := fmt.Sprintf("{replicas %d, ideal %d, reason %q", c.Replicas, c.Ideal, c.Reason)
	if c.Capacity != nil {
		s += fmt.Sprintf(", capacity %d", *c.Capacity)
	}
	if c.CapacityObservedTime != nil {
		s += ", observed " + c.CapacityObservedTime.UTC().Format(time.RFC3339)
	}
	return s + "}"
}

// useDefaultHealthSettings sets the health check of the KubeFedConfig to
// KubeFed's defaults (period 10s, timeout 3s, failureThreshold 3,
// successThreshold 1) until the test ends; the health controller re-reads
// it at once.
func useDefaultHealthSettings(t *testing.T, e *e2eutil.Env) {
	t.Helper()
	key := client.ObjectKey{Namespace: e2eutil.Namespace, Name: fedcorev1b1.KubeFedConfigName}
	var saved *fedcorev1b1.ClusterHealthCheckConfig
	set := func(ctx context.Context, hc func(old *fedcorev1b1.ClusterHealthCheckConfig) *fedcorev1b1.ClusterHealthCheckConfig) error {
		return retry.RetryOnConflict(retry.DefaultRetry, func() error {
			cfg := &fedcorev1b1.KubeFedConfig{}
			if err := e.Host.Get(ctx, key, cfg); err != nil {
				return err
			}
			cfg.Spec.ClusterHealthCheck = hc(cfg.Spec.ClusterHealthCheck)
			return e.Host.Update(ctx, cfg)
		})
	}
	err := set(t.Context(), func(old *fedcorev1b1.ClusterHealthCheckConfig) *fedcorev1b1.ClusterHealthCheckConfig {
		saved = old.DeepCopy()
		return &fedcorev1b1.ClusterHealthCheckConfig{
			Period:           &metav1.Duration{Duration: 10 * time.Second},
			Timeout:          &metav1.Duration{Duration: 3 * time.Second},
			FailureThreshold: ptr.To[int64](3),
			SuccessThreshold: ptr.To[int64](1),
		}
	})
	if err != nil {
		t.Fatalf("setting the default health settings in KubeFedConfig %s: %v", key, err)
	}
	t.Cleanup(func() {
		if err := set(context.WithoutCancel(t.Context()), func(*fedcorev1b1.ClusterHealthCheckConfig) *fedcorev1b1.ClusterHealthCheckConfig { return saved }); err != nil {
			t.Errorf("restoring the health settings of KubeFedConfig %s: %v", key, err)
		}
	})
	// The health controller reconciles every cluster on the change and
	// probes with the new period from then on.
	time.Sleep(2 * time.Second)
}
