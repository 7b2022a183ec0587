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

package propagation

import (
	"encoding/json"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

func TestComputeStatusWorkload(t *testing.T) {
	readyDep := member(t, "apps/v1", "Deployment", 2, map[string]any{
		"spec.replicas":             int64(2),
		"status.observedGeneration": int64(2),
		"status.replicas":           int64(2),
		"status.readyReplicas":      int64(2),
		"status.availableReplicas":  int64(2),
		"status.updatedReplicas":    int64(2),
		"status.conditions":         []any{map[string]any{"type": "Available", "status": "True"}},
	})
	t.Run("ready in every cluster", func(t *testing.T) {
		r := reconcilerFor(t, "apps", "Deployment")
		s := newTestScope(r.fedObject("ns", "web", nil))
		s.selected = []string{"a", "b"}
		s.results["a"], s.results["b"] = ok(readyDep), ok(readyDep)
		got := r.computeStatus(s)
		ready := got.GetCondition(fedtypesv1b1.ReadyConditionType)
		if ready == nil || ready.Status != corev1.ConditionTrue || ready.Reason != fedtypesv1b1.ReadyReasonCurrent {
			t.Fatalf("Ready = %+v, want True/Current", ready)
		}
		if ready.LastUpdateTime != testNow || ready.LastTransitionTime != testNow {
			t.Errorf("Ready times = %s/%s, want %s", ready.LastUpdateTime, ready.LastTransitionTime, testNow)
		}
		want := &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Replicas: ptr.To[int32](4), ReadyReplicas: ptr.To[int32](4),
			AvailableReplicas: ptr.To[int32](4), UpdatedReplicas: ptr.To[int32](4)}
		if !reflect.DeepEqual(got.AggregatedStatus, want) {
			t.Errorf("aggregatedStatus = %+v, want %+v", got.AggregatedStatus, want)
		}
	})
	t.Run("aggregate failure drops the workload counts, not readiness", func(t *testing.T) {
		r := reconcilerFor(t, "apps", "Deployment")
		s := newTestScope(r.fedObject("ns", "web", nil))
		s.reason, s.message = fedtypesv1b1.NamespaceNotFederated, "namespace ns has no FederatedNamespace"
		got := r.computeStatus(s)
		if got.AggregatedStatus != nil {
			t.Errorf("aggregatedStatus = %+v, want none", got.AggregatedStatus)
		}
		if c := got.GetCondition(fedtypesv1b1.ReadyConditionType); c == nil || c.Status != corev1.ConditionFalse {
			t.Errorf("Ready = %+v, want False", c)
		}
	})
	t.Run("CronJobs count their Jobs", func(t *testing.T) {
		r := reconcilerFor(t, "batch", "CronJob")
		s := newTestScope(r.fedObject("ns", "web", nil))
		s.selected = []string{"a"}
		s.results["a"] = ok(member(t, "batch/v1", "CronJob", 1, nil))
		got := r.computeStatus(s)
		if got.AggregatedStatus == nil || got.AggregatedStatus.Clusters != 1 {
			t.Errorf("aggregatedStatus = %+v, want 1 cluster", got.AggregatedStatus)
		}
	})
}

// replicated returns a member workload of kind with spec.replicas and the
// status counts set; a negative updated count is left out.
func replicated(t *testing.T, kind string, gen, observed, replicas, statusReplicas, ready, available, updated int64) *unstructured.Unstructured {
	t.Helper()
	fields := map[string]any{
		"spec.replicas":             replicas,
		"status.observedGeneration": observed,
		"status.replicas":           statusReplicas,
		"status.readyReplicas":      ready,
		"status.availableReplicas":  available,
	}
	if updated >= 0 {
		fields["status.updatedReplicas"] = updated
	}
	return member(t, "apps/v1", kind, gen, fields)
}

func dep(t *testing.T, gen, observed, replicas, statusReplicas, ready, available, updated int64) *unstructured.Unstructured {
	t.Helper()
	return replicated(t, "Deployment", gen, observed, replicas, statusReplicas, ready, available, updated)
}

func sts(t *testing.T, replicas, ready, updated int64) *unstructured.Unstructured {
	t.Helper()
	return replicated(t, "StatefulSet", 1, 1, replicas, replicas, ready, ready, updated)
}

func rs(t *testing.T, replicas, statusReplicas, ready int64) *unstructured.Unstructured {
	t.Helper()
	return replicated(t, "ReplicaSet", 1, 1, replicas, statusReplicas, ready, ready, -1)
}

func ds(t *testing.T, gen, observed, desired, ready, available, updated int64) *unstructured.Unstructured {
	t.Helper()
	return member(t, "apps/v1", "DaemonSet", gen, map[string]any{
		"status.observedGeneration":     observed,
		"status.desiredNumberScheduled": desired,
		"status.numberReady":            ready,
		"status.numberAvailable":        available,
		"status.updatedNumberScheduled": updated,
	})
}

func job(t *testing.T, completions *int64, active, succeeded, failed int64) *unstructured.Unstructured {
	t.Helper()
	fields := map[string]any{"status.active": active, "status.succeeded": succeeded, "status.failed": failed}
	if completions != nil {
		fields["spec.completions"] = *completions
	}
	return member(t, "batch/v1", "Job", 1, fields)
}

func cronJob(t *testing.T, active int) *unstructured.Unstructured {
	t.Helper()
	var refs []any
	for range active {
		refs = append(refs, map[string]any{"name": "run"})
	}
	fields := map[string]any{}
	if refs != nil {
		fields["status.active"] = refs
	}
	return member(t, "batch/v1", "CronJob", 1, fields)
}

// aggregateCase is the outcome in each placed cluster and the aggregated
// status it makes.
type aggregateCase struct {
	name     string
	kind     string
	selected []string
	results  map[string]*clusterResult
	wantAgg  *fedtypesv1b1.AggregatedStatus
}

// deploymentAggregateCases are the Deployments and the clusters without a
// member object or an outcome.
func deploymentAggregateCases(t *testing.T) []aggregateCase {
	i := func(v int32) *int32 { return ptr.To(v) }
	return []aggregateCase{
		{
			name: "Deployment ready everywhere", kind: "Deployment", selected: []string{"a", "b"},
			results: map[string]*clusterResult{"a": ok(dep(t, 2, 2, 3, 3, 3, 3, 3)), "b": ok(dep(t, 1, 1, 2, 2, 2, 2, 2))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Replicas: i(5), ReadyReplicas: i(5), AvailableReplicas: i(5), UpdatedReplicas: i(5)},
		},
		{
			name: "Deployment short of ready replicas", kind: "Deployment", selected: []string{"a", "b"},
			results: map[string]*clusterResult{"a": ok(dep(t, 2, 2, 3, 3, 3, 3, 3)), "b": ok(dep(t, 1, 1, 2, 2, 1, 1, 2))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Replicas: i(5), ReadyReplicas: i(4), AvailableReplicas: i(4), UpdatedReplicas: i(5)},
		},
		{
			name: "Deployment rolling out", kind: "Deployment", selected: []string{"a"},
			results: map[string]*clusterResult{"a": ok(dep(t, 2, 2, 2, 3, 2, 2, 1))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(2), AvailableReplicas: i(2), UpdatedReplicas: i(1)},
		},
		{
			name: "Deployment whose new generation is not observed yet", kind: "Deployment", selected: []string{"a"},
			results: map[string]*clusterResult{"a": ok(dep(t, 3, 2, 2, 2, 2, 2, 2))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(2), ReadyReplicas: i(2), AvailableReplicas: i(2), UpdatedReplicas: i(2)},
		},
		{
			name: "Deployment without spec.replicas wants one", kind: "Deployment", selected: []string{"a"},
			results: map[string]*clusterResult{"a": ok(member(t, "apps/v1", "Deployment", 1, map[string]any{"status.observedGeneration": int64(1)}))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(0), ReadyReplicas: i(0), AvailableReplicas: i(0), UpdatedReplicas: i(0)},
		},
		{
			name: "Deployment scaled to zero is ready", kind: "Deployment", selected: []string{"a"},
			results: map[string]*clusterResult{"a": ok(dep(t, 1, 1, 0, 0, 0, 0, 0))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(0), ReadyReplicas: i(0), AvailableReplicas: i(0), UpdatedReplicas: i(0)},
		},
		{
			name: "cluster without a member object", kind: "Deployment", selected: []string{"a", "b"},
			results: map[string]*clusterResult{"a": ok(dep(t, 1, 1, 2, 2, 2, 2, 2)), "b": failedWith(fedtypesv1b1.ClusterNotReady, "x")},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 1, Replicas: i(2), ReadyReplicas: i(2), AvailableReplicas: i(2), UpdatedReplicas: i(2)},
		},
		{
			name: "propagated cluster without a member object", kind: "Deployment", selected: []string{"a"},
			results: map[string]*clusterResult{"a": ok(nil)},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1},
		},
		{
			name: "placed cluster without an outcome", kind: "Deployment", selected: []string{"a", "b"},
			results: map[string]*clusterResult{"a": ok(dep(t, 1, 1, 2, 2, 2, 2, 2))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 1, Replicas: i(2), ReadyReplicas: i(2), AvailableReplicas: i(2), UpdatedReplicas: i(2)},
		},
		{
			name: "every not-ready cluster is named, in placement order", kind: "Deployment", selected: []string{"a", "b", "c"},
			results: map[string]*clusterResult{
				"a": ok(dep(t, 1, 1, 2, 2, 0, 0, 2)),
				"b": ok(dep(t, 1, 1, 2, 2, 2, 2, 2)),
				"c": failedWith(fedtypesv1b1.CreationFailed, "x"),
			},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 3, ReadyClusters: 2, Replicas: i(4), ReadyReplicas: i(2), AvailableReplicas: i(2), UpdatedReplicas: i(4)},
		},
		{
			name: "placed nowhere", kind: "Deployment",
			wantAgg: &fedtypesv1b1.AggregatedStatus{},
		},
	}
}

// workloadAggregateCases are the other workload kinds.
func workloadAggregateCases(t *testing.T) []aggregateCase {
	i := func(v int32) *int32 { return ptr.To(v) }
	return []aggregateCase{
		{
			name: "ReplicaSet counts every replica as updated", kind: "ReplicaSet", selected: []string{"a", "b"},
			results: map[string]*clusterResult{"a": ok(rs(t, 2, 2, 2)), "b": ok(rs(t, 3, 3, 3))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Replicas: i(5), ReadyReplicas: i(5), AvailableReplicas: i(5), UpdatedReplicas: i(5)},
		},
		{
			name: "ReplicaSet short of ready replicas", kind: "ReplicaSet", selected: []string{"a"},
			results: map[string]*clusterResult{"a": ok(rs(t, 3, 3, 1))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(1), AvailableReplicas: i(1), UpdatedReplicas: i(3)},
		},
		{
			name: "StatefulSet ready", kind: "StatefulSet", selected: []string{"a"},
			results: map[string]*clusterResult{"a": ok(sts(t, 3, 3, 3))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(3), AvailableReplicas: i(3), UpdatedReplicas: i(3)},
		},
		{
			name: "StatefulSet rolling out", kind: "StatefulSet", selected: []string{"a"},
			results: map[string]*clusterResult{"a": ok(sts(t, 3, 3, 1))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(3), AvailableReplicas: i(3), UpdatedReplicas: i(1)},
		},
		{
			name: "DaemonSet ready", kind: "DaemonSet", selected: []string{"a", "b"},
			results: map[string]*clusterResult{"a": ok(ds(t, 1, 1, 3, 3, 3, 3)), "b": ok(ds(t, 4, 4, 2, 2, 2, 2))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Replicas: i(5), ReadyReplicas: i(5), AvailableReplicas: i(5), UpdatedReplicas: i(5)},
		},
		{
			name: "DaemonSet short of ready pods", kind: "DaemonSet", selected: []string{"a"},
			results: map[string]*clusterResult{"a": ok(ds(t, 1, 1, 3, 2, 2, 3))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(2), AvailableReplicas: i(2), UpdatedReplicas: i(3)},
		},
		{
			name: "DaemonSet rolling out", kind: "DaemonSet", selected: []string{"a"},
			results: map[string]*clusterResult{"a": ok(ds(t, 1, 1, 3, 3, 3, 1))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(3), AvailableReplicas: i(3), UpdatedReplicas: i(1)},
		},
		{
			name: "DaemonSet whose new generation is not observed yet", kind: "DaemonSet", selected: []string{"a"},
			results: map[string]*clusterResult{"a": ok(ds(t, 2, 1, 3, 3, 3, 3))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(3), AvailableReplicas: i(3), UpdatedReplicas: i(3)},
		},
		{
			name: "Job completed everywhere", kind: "Job", selected: []string{"a", "b"},
			results: map[string]*clusterResult{"a": ok(job(t, ptr.To[int64](3), 0, 3, 1)), "b": ok(job(t, nil, 0, 1, 0))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Active: i(0), Succeeded: i(4), Failed: i(1)},
		},
		{
			name: "Job still running", kind: "Job", selected: []string{"a", "b"},
			results: map[string]*clusterResult{"a": ok(job(t, ptr.To[int64](3), 2, 1, 0)), "b": ok(job(t, nil, 1, 0, 0))},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Active: i(3), Succeeded: i(1), Failed: i(0)},
		},
		{
			name: "CronJob counts its active Jobs and has no readiness", kind: "CronJob", selected: []string{"a", "b", "c"},
			results: map[string]*clusterResult{"a": ok(cronJob(t, 2)), "b": ok(cronJob(t, 0)), "c": failedWith(fedtypesv1b1.ClusterNotReady, "x")},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 3, ReadyClusters: 2, Active: i(2)},
		},
	}
}

func TestAggregate(t *testing.T) {
	for _, tt := range append(deploymentAggregateCases(t), workloadAggregateCases(t)...) {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestScope(&unstructured.Unstructured{Object: map[string]any{}})
			s.selected = tt.selected
			for k, v := range tt.results {
				s.results[k] = v
			}
			agg := aggregate(tt.kind, s)
			if !reflect.DeepEqual(agg, tt.wantAgg) {
				gotJSON, _ := json.Marshal(agg)
				wantJSON, _ := json.Marshal(tt.wantAgg)
				t.Errorf("aggregatedStatus = %s, want %s", gotJSON, wantJSON)
			}
		})
	}
}

func TestAddCountsReadsNumbersOfAnyJSONType(t *testing.T) {
	// Member objects decoded by encoding/json carry float64 numbers.
	m := &unstructured.Unstructured{Object: map[string]any{
		"metadata": map[string]any{"generation": int64(1)},
		"spec":     map[string]any{"replicas": float64(2)},
		"status": map[string]any{"observedGeneration": float64(1), "replicas": float64(2), "readyReplicas": int32(2),
			"availableReplicas": 2, "updatedReplicas": float64(2)},
	}}
	agg := &fedtypesv1b1.AggregatedStatus{}
	addCounts("Deployment", m, agg)
	want := &fedtypesv1b1.AggregatedStatus{Replicas: ptr.To[int32](2), ReadyReplicas: ptr.To[int32](2), AvailableReplicas: ptr.To[int32](2), UpdatedReplicas: ptr.To[int32](2)}
	if !reflect.DeepEqual(agg, want) {
		t.Errorf("aggregatedStatus = %+v, want %+v", agg, want)
	}
}

func TestWorkloadKind(t *testing.T) {
	tests := []struct {
		group, kind, want string
	}{
		{"apps", "Deployment", "Deployment"},
		{"apps", "ReplicaSet", "ReplicaSet"},
		{"apps", "StatefulSet", "StatefulSet"},
		{"apps", "DaemonSet", "DaemonSet"},
		{"batch", "Job", "Job"},
		{"batch", "CronJob", "CronJob"},
		{"", "ConfigMap", ""},
		{"", "Service", ""},
		{"extensions", "Deployment", ""},
		{"example.com", "Job", ""},
		{"batch", "Deployment", ""},
		{"apps", "Job", ""},
	}
	for _, tt := range tests {
		if got := workloadKind(tt.group, tt.kind); got != tt.want {
			t.Errorf("workloadKind(%q, %q) = %q, want %q", tt.group, tt.kind, got, tt.want)
		}
	}
}
