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
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// workload is a FederatedDeployment and the ReplicaSchedulingPreference of
// the same name that schedules it.
type workload struct {
	e        *e2eutil.Env
	ns, name string
}

// newWorkload creates a FederatedDeployment (with placement, when not nil;
// the preference writes placement.clusters) and its
// ReplicaSchedulingPreference. The Pods need nothing but a slot on a
// simulated node.
func newWorkload(t testing.TB, e *e2eutil.Env, ns, name string, placement *fedtypesv1b1.Placement, spec fedschedv1a1.ReplicaSchedulingPreferenceSpec) workload {
	t.Helper()
	w := workload{e: e, ns: ns, name: name}
	labels := map[string]any{"app": name}
	fd := &unstructured.Unstructured{Object: map[string]any{
		"spec": map[string]any{
			"template": map[string]any{
				"spec": map[string]any{
					// The preference sets the replicas of every cluster.
					"replicas": int64(0),
					"selector": map[string]any{"matchLabels": labels},
					"template": map[string]any{
						"metadata": map[string]any{"labels": labels},
						"spec": map[string]any{
							"containers": []any{map[string]any{"name": "app", "image": "registry.k8s.io/pause:3.10"}},
						},
					},
				},
			},
		},
	}}
	fd.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(fedschedv1a1.TargetKindFederatedDeployment))
	fd.SetNamespace(ns)
	fd.SetName(name)
	if placement != nil {
		if err := fedtypesv1b1.SetPlacement(fd, placement); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Host.Create(t.Context(), fd); err != nil {
		t.Fatalf("creating %s: %v", w.fedName(), err)
	}
	spec.TargetKind = fedschedv1a1.TargetKindFederatedDeployment
	rsp := &fedschedv1a1.ReplicaSchedulingPreference{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
	if err := e.Host.Create(t.Context(), rsp); err != nil {
		t.Fatalf("creating %s: %v", w.rspName(), err)
	}
	return w
}

func (w workload) key() client.ObjectKey { return client.ObjectKey{Namespace: w.ns, Name: w.name} }

func (w workload) fedName() string { return fmt.Sprintf("FederatedDeployment %s/%s", w.ns, w.name) }

func (w workload) rspName() string {
	return fmt.Sprintf("ReplicaSchedulingPreference %s/%s", w.ns, w.name)
}

func (w workload) rsp(ctx context.Context) (*fedschedv1a1.ReplicaSchedulingPreference, error) {
	rsp := &fedschedv1a1.ReplicaSchedulingPreference{}
	if err := w.e.Host.Get(ctx, w.key(), rsp); err != nil {
		return nil, fmt.Errorf("reading %s: %w", w.rspName(), err)
	}
	return rsp, nil
}

func (w workload) fedStatus(ctx context.Context) (*fedtypesv1b1.GenericFederatedStatus, error) {
	fd := &unstructured.Unstructured{}
	fd.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(fedschedv1a1.TargetKindFederatedDeployment))
	if err := w.e.Host.Get(ctx, w.key(), fd); err != nil {
		return nil, fmt.Errorf("reading %s: %w", w.fedName(), err)
	}
	s, err := fedtypesv1b1.GetStatus(fd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.fedName(), err)
	}
	if s == nil {
		s = &fedtypesv1b1.GenericFederatedStatus{}
	}
	return s, nil
}

// deployment returns the member's copy, or nil when it has none (or only
// one being deleted).
func (w workload) deployment(ctx context.Context, member string) (*appsv1.Deployment, error) {
	d := &appsv1.Deployment{}
	if err := w.e.Member(member).Get(ctx, w.key(), d); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading Deployment %s/%s in %s: %w", w.ns, w.name, member, err)
	}
	if !d.DeletionTimestamp.IsZero() {
		return nil, nil
	}
	return d, nil
}

// split is what a user expects to see of a workload.
type split struct {
	// replicas per member: the preference plans them, the member's
	// Deployment asks for them and runs them ready.
	replicas map[string]int64
	// absent are the members that must hold no copy of the Deployment.
	absent []string
}

func (s split) total() int64 {
	var n int64
	for _, r := range s.replicas {
		n += r
	}
	return n
}

func (s split) String() string {
	var parts []string
	for _, m := range slices.Sorted(maps.Keys(s.replicas)) {
		parts = append(parts, fmt.Sprintf("%s=%d", m, s.replicas[m]))
	}
	for _, m := range s.absent {
		parts = append(parts, m+"=none")
	}
	return strings.Join(parts, " ")
}

// check returns nil when the workload shows the split: the preference is
// Scheduled and plans it, every member's Deployment has the planned
// replicas ready, the members in absent have none, and the
// FederatedDeployment reports the total ready and is Ready. The error lists
// every difference.
func (w workload) check(ctx context.Context, want split) error {
	var diffs []string
	rsp, err := w.rsp(ctx)
	if err != nil {
		return err
	}
	if c := meta.FindStatusCondition(rsp.Status.Conditions, fedschedv1a1.ScheduledCondition); c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != rsp.Generation {
		diffs = append(diffs, fmt.Sprintf("%s: Scheduled condition %s", w.rspName(), condString(c)))
	}
	planned := plannedReplicas(rsp)
	for _, m := range slices.Sorted(maps.Keys(want.replicas)) {
		if got, ok := planned[m]; !ok || got != want.replicas[m] {
			diffs = append(diffs, fmt.Sprintf("%s: status.clusters plans %s for %s, want %d", w.rspName(), orNone(got, ok), m, want.replicas[m]))
		}
	}
	for _, m := range want.absent {
		if planned[m] != 0 {
			diffs = append(diffs, fmt.Sprintf("%s: status.clusters plans %d for %s, want 0", w.rspName(), planned[m], m))
		}
	}
	wantReady := want.total()
	for _, m := range slices.Sorted(maps.Keys(want.replicas)) {
		d, err := w.deployment(ctx, m)
		switch {
		case err != nil:
			diffs = append(diffs, err.Error())
		case d == nil:
			diffs = append(diffs, fmt.Sprintf("Deployment %s/%s in %s: missing, want %d replicas", w.ns, w.name, m, want.replicas[m]))
		case ptr.Deref(d.Spec.Replicas, 1) != int32(want.replicas[m]) || d.Status.ReadyReplicas != int32(want.replicas[m]) || d.Status.Replicas != int32(want.replicas[m]):
			diffs = append(diffs, fmt.Sprintf("Deployment %s/%s in %s: spec.replicas %d, status.replicas %d, readyReplicas %d, want %d",
				w.ns, w.name, m, ptr.Deref(d.Spec.Replicas, 1), d.Status.Replicas, d.Status.ReadyReplicas, want.replicas[m]))
		}
	}
	for _, m := range want.absent {
		d, err := w.deployment(ctx, m)
		switch {
		case err != nil:
			diffs = append(diffs, err.Error())
		case d != nil:
			diffs = append(diffs, fmt.Sprintf("Deployment %s/%s in %s: exists with %d replicas, want none", w.ns, w.name, m, ptr.Deref(d.Spec.Replicas, 1)))
		}
	}
	s, err := w.fedStatus(ctx)
	if err != nil {
		return err
	}
	ready := int64(-1)
	if a := s.AggregatedStatus; a != nil && a.ReadyReplicas != nil {
		ready = int64(*a.ReadyReplicas)
	}
	if ready != wantReady {
		diffs = append(diffs, fmt.Sprintf("%s: status.aggregatedStatus.readyReplicas %d, want %d", w.fedName(), ready, wantReady))
	}
	if c := s.GetCondition(fedtypesv1b1.WorkloadReadyConditionType); c == nil || c.Status != corev1.ConditionTrue {
		diffs = append(diffs, fmt.Sprintf("%s: Ready condition %s, want True", w.fedName(), fedCondString(c)))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%s", strings.Join(diffs, "; "))
	}
	return nil
}

// waitSplit waits until the workload shows want and returns how long that
// took.
func (w workload) waitSplit(t testing.TB, timeout time.Duration, want split) time.Duration {
	t.Helper()
	start := time.Now()
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error { return w.check(ctx, want) },
		"%s: %s ready", w.fedName(), want)
	return time.Since(start)
}

// plannedReplicas returns status.clusters as a map.
func plannedReplicas(rsp *fedschedv1a1.ReplicaSchedulingPreference) map[string]int64 {
	out := map[string]int64{}
	for _, c := range rsp.Status.Clusters {
		out[c.Name] = c.Replicas
	}
	return out
}

// clusterStatus returns the preference's status entry for a member, or
// nil.
func clusterStatus(rsp *fedschedv1a1.ReplicaSchedulingPreference, member string) *fedschedv1a1.ClusterReplicas {
	for i := range rsp.Status.Clusters {
		if rsp.Status.Clusters[i].Name == member {
			return &rsp.Status.Clusters[i]
		}
	}
	return nil
}

func orNone(n int64, ok bool) string {
	if !ok {
		return "nothing"
	}
	return fmt.Sprint(n)
}

func condString(c *metav1.Condition) string {
	if c == nil {
		return "missing"
	}
	return fmt.Sprintf("%s (%s: %s, observedGeneration %d)", c.Status, c.Reason, c.Message, c.ObservedGeneration)
}

func fedCondString(c *fedtypesv1b1.GenericCondition) string {
	if c == nil {
		return "missing"
	}
	return fmt.Sprintf("%s (%s: %s)", c.Status, c.Reason, c.Message)
}

// updateRSP changes the preference's spec, retrying on conflicts.
func (w workload) updateRSP(t testing.TB, mutate func(*fedschedv1a1.ReplicaSchedulingPreferenceSpec)) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		rsp, err := w.rsp(t.Context())
		if err != nil {
			return err
		}
		mutate(&rsp.Spec)
		return w.e.Host.Update(t.Context(), rsp)
	})
	if err != nil {
		t.Fatalf("updating %s: %v", w.rspName(), err)
	}
}
