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
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

func TestComputeStatusPropagation(t *testing.T) {
	tests := []struct {
		name        string
		results     map[string]*clusterResult
		selected    []string
		reason      fedtypesv1b1.AggregateReason
		message     string
		wantStatus  corev1.ConditionStatus
		wantReason  fedtypesv1b1.AggregateReason
		wantMessage string
		wantClus    []fedtypesv1b1.GenericClusterStatus
		wantAgg     *fedtypesv1b1.AggregatedStatus
	}{
		{
			name:       "every cluster propagated",
			selected:   []string{"a", "b"},
			results:    map[string]*clusterResult{"b": ok(nil), "a": ok(nil)},
			wantStatus: corev1.ConditionTrue,
			wantClus:   []fedtypesv1b1.GenericClusterStatus{{Name: "a"}, {Name: "b"}},
			wantAgg:    &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2},
		},
		{
			name:     "failed clusters are named in the message, clusters sorted by name",
			selected: []string{"a", "b", "c"},
			results: map[string]*clusterResult{
				"c": failedWith(fedtypesv1b1.ClusterNotReady, "cluster c is not ready"),
				"a": ok(nil),
				"b": failedWith(fedtypesv1b1.CreationFailed, "cluster b refused to create"),
			},
			wantStatus:  corev1.ConditionFalse,
			wantReason:  fedtypesv1b1.CheckClusters,
			wantMessage: "not propagated to 2 of 3 clusters (b: CreationFailed, c: ClusterNotReady): see status.clusters",
			wantClus: []fedtypesv1b1.GenericClusterStatus{
				{Name: "a"},
				{Name: "b", Status: fedtypesv1b1.CreationFailed, Message: "cluster b refused to create"},
				{Name: "c", Status: fedtypesv1b1.ClusterNotReady, Message: "cluster c is not ready"},
			},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 3, ReadyClusters: 1},
		},
		{
			name:     "a copy being removed from a cluster outside the placement is a failure to check",
			selected: []string{"a"},
			results: map[string]*clusterResult{
				"a": ok(nil),
				"z": failedWith(fedtypesv1b1.WaitingForRemoval, "waiting"),
			},
			wantStatus:  corev1.ConditionFalse,
			wantReason:  fedtypesv1b1.CheckClusters,
			wantMessage: "not propagated to 1 of 2 clusters (z: WaitingForRemoval): see status.clusters",
			wantClus: []fedtypesv1b1.GenericClusterStatus{
				{Name: "a"},
				{Name: "z", Status: fedtypesv1b1.WaitingForRemoval, Message: "waiting"},
			},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1},
		},
		{
			name:        "aggregate reason from the scope, no clusters",
			reason:      fedtypesv1b1.ComputePlacementFailed,
			message:     "bad selector: fix spec.placement",
			wantStatus:  corev1.ConditionFalse,
			wantReason:  fedtypesv1b1.ComputePlacementFailed,
			wantMessage: "bad selector: fix spec.placement",
		},
		{
			name:        "aggregate reason wins over cluster failures",
			reason:      fedtypesv1b1.EnsureDeletionFailed,
			message:     "waiting for the member copies to be removed: see status.clusters",
			results:     map[string]*clusterResult{"a": failedWith(fedtypesv1b1.WaitingForRemoval, "deleted")},
			wantStatus:  corev1.ConditionFalse,
			wantReason:  fedtypesv1b1.EnsureDeletionFailed,
			wantMessage: "waiting for the member copies to be removed: see status.clusters",
			wantClus:    []fedtypesv1b1.GenericClusterStatus{{Name: "a", Status: fedtypesv1b1.WaitingForRemoval, Message: "deleted"}},
		},
		{
			name:       "placed nowhere",
			wantStatus: corev1.ConditionTrue,
			wantAgg:    &fedtypesv1b1.AggregatedStatus{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reconcilerFor(t, "", "ConfigMap")
			fedObj := r.fedObject("ns", "cm", nil)
			fedObj.SetGeneration(4)
			s := newTestScope(fedObj)
			s.selected, s.reason, s.message = tt.selected, tt.reason, tt.message
			for k, v := range tt.results {
				s.results[k] = v
			}
			got := r.computeStatus(s)

			if got.ObservedGeneration != 4 {
				t.Errorf("observedGeneration = %d, want 4", got.ObservedGeneration)
			}
			if len(got.Conditions) != 1 {
				t.Fatalf("conditions = %+v, want only Propagation", got.Conditions)
			}
			c := got.Conditions[0]
			if c.Type != fedtypesv1b1.PropagationConditionType || c.Status != tt.wantStatus || c.Reason != tt.wantReason || c.Message != tt.wantMessage {
				t.Errorf("Propagation = %s/%q/%q, want %s/%q/%q", c.Status, c.Reason, c.Message, tt.wantStatus, tt.wantReason, tt.wantMessage)
			}
			if !reflect.DeepEqual(got.Clusters, tt.wantClus) {
				t.Errorf("clusters = %+v, want %+v", got.Clusters, tt.wantClus)
			}
			if !reflect.DeepEqual(got.AggregatedStatus, tt.wantAgg) {
				t.Errorf("aggregatedStatus = %+v, want %+v", got.AggregatedStatus, tt.wantAgg)
			}
		})
	}
}

func TestCarryTimes(t *testing.T) {
	cond := func(status corev1.ConditionStatus, reason fedtypesv1b1.AggregateReason, message string) fedtypesv1b1.GenericCondition {
		return fedtypesv1b1.GenericCondition{Type: fedtypesv1b1.PropagationConditionType, Status: status, Reason: reason, Message: message}
	}
	oldCond := func(status corev1.ConditionStatus, reason fedtypesv1b1.AggregateReason, message string) *fedtypesv1b1.GenericFederatedStatus {
		c := cond(status, reason, message)
		c.LastUpdateTime, c.LastTransitionTime = earlier2, earlier
		return &fedtypesv1b1.GenericFederatedStatus{ObservedGeneration: 3, Conditions: []fedtypesv1b1.GenericCondition{c}}
	}
	tests := []struct {
		name           string
		old            *fedtypesv1b1.GenericFederatedStatus
		generation     int64
		next           fedtypesv1b1.GenericCondition
		wantUpdate     string
		wantTransition string
	}{
		{"no status yet", nil, 3, cond(corev1.ConditionTrue, "", ""), testNow, testNow},
		{"status without the condition", &fedtypesv1b1.GenericFederatedStatus{ObservedGeneration: 3}, 3, cond(corev1.ConditionTrue, "", ""), testNow, testNow},
		{"nothing changed", oldCond(corev1.ConditionTrue, "", ""), 3, cond(corev1.ConditionTrue, "", ""), earlier2, earlier},
		{"nothing changed while failing", oldCond(corev1.ConditionFalse, fedtypesv1b1.CheckClusters, "m"), 3,
			cond(corev1.ConditionFalse, fedtypesv1b1.CheckClusters, "m"), earlier2, earlier},
		{"only the message changed", oldCond(corev1.ConditionFalse, fedtypesv1b1.CheckClusters, "m1"), 3,
			cond(corev1.ConditionFalse, fedtypesv1b1.CheckClusters, "m2"), testNow, earlier},
		{"a new generation propagated", oldCond(corev1.ConditionTrue, "", ""), 4, cond(corev1.ConditionTrue, "", ""), testNow, earlier},
		{"status changed", oldCond(corev1.ConditionTrue, "", ""), 3,
			cond(corev1.ConditionFalse, fedtypesv1b1.CheckClusters, "m"), testNow, testNow},
		{"reason changed", oldCond(corev1.ConditionFalse, fedtypesv1b1.CheckClusters, "m"), 3,
			cond(corev1.ConditionFalse, fedtypesv1b1.NamespaceNotFederated, "m"), testNow, testNow},
		{"recovered", oldCond(corev1.ConditionFalse, fedtypesv1b1.CheckClusters, "m"), 3, cond(corev1.ConditionTrue, "", ""), testNow, testNow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reconcilerFor(t, "", "ConfigMap")
			fedObj := r.fedObject("ns", "cm", nil)
			fedObj.SetGeneration(tt.generation)
			s := newTestScope(fedObj)
			s.oldStatus = tt.old
			got := r.carryTimes(s, tt.next)
			if got.LastUpdateTime != tt.wantUpdate || got.LastTransitionTime != tt.wantTransition {
				t.Errorf("lastUpdateTime/lastTransitionTime = %s/%s, want %s/%s", got.LastUpdateTime, got.LastTransitionTime, tt.wantUpdate, tt.wantTransition)
			}
			if got.Status != tt.next.Status || got.Reason != tt.next.Reason || got.Message != tt.next.Message {
				t.Errorf("condition changed beyond its times: %+v", got)
			}
		})
	}
}

// TestCarryTimesOfAMessageTheCRDDrops: a CRD made by KubeFed's tooling
// drops the condition's message, so the stored one is always empty;
// comparing it with the computed one would move lastUpdateTime, and so
// write the status, on every reconcile.
func TestCarryTimesOfAMessageTheCRDDrops(t *testing.T) {
	r := reconcilerFor(t, "", "ConfigMap")
	r.pruning.add([]string{statusFieldConditionMessage})
	fedObj := r.fedObject("ns", "cm", nil)
	fedObj.SetGeneration(3)
	s := newTestScope(fedObj)
	s.oldStatus = &fedtypesv1b1.GenericFederatedStatus{ObservedGeneration: 3, Conditions: []fedtypesv1b1.GenericCondition{{
		Type: fedtypesv1b1.PropagationConditionType, Status: corev1.ConditionFalse, Reason: fedtypesv1b1.NamespaceNotFederated,
		LastUpdateTime: earlier2, LastTransitionTime: earlier,
	}}}
	got := r.carryTimes(s, fedtypesv1b1.GenericCondition{Type: fedtypesv1b1.PropagationConditionType, Status: corev1.ConditionFalse,
		Reason: fedtypesv1b1.NamespaceNotFederated, Message: "namespace ns is not federated"})
	if got.LastUpdateTime != earlier2 || got.LastTransitionTime != earlier {
		t.Errorf("lastUpdateTime/lastTransitionTime = %s/%s, want %s/%s", got.LastUpdateTime, got.LastTransitionTime, earlier2, earlier)
	}
}

// An unchanged outcome must yield the stored status exactly, or every
// reconcile of an idle object would write its status.
func TestComputeStatusIsStableOverAStatusRoundTrip(t *testing.T) {
	for _, kind := range []struct{ group, kind string }{{"", "ConfigMap"}, {"apps", "Deployment"}, {"batch", "CronJob"}} {
		t.Run(kind.kind, func(t *testing.T) {
			r := reconcilerFor(t, kind.group, kind.kind)
			fedObj := r.fedObject("ns", "web", nil)
			fedObj.SetGeneration(2)
			dep := member(t, "apps/v1", "Deployment", 5, map[string]any{
				"spec.replicas":             int64(2),
				"status.observedGeneration": int64(5),
				"status.replicas":           int64(2),
				"status.readyReplicas":      int64(2),
				"status.availableReplicas":  int64(2),
				"status.updatedReplicas":    int64(2),
				"status.conditions":         []any{map[string]any{"type": "Available", "status": "True"}},
			})
			fill := func(s *scope) {
				s.selected = []string{"a", "b", "c"}
				s.results["a"] = ok(dep)
				s.results["b"] = failedWith(fedtypesv1b1.ClusterNotReady, "not ready")
				s.results["c"] = &clusterResult{status: fedtypesv1b1.UpdateFailed, message: "refused", member: dep}
			}
			first := newTestScope(fedObj)
			fill(first)
			if err := fedtypesv1b1.SetStatus(fedObj, r.computeStatus(first)); err != nil {
				t.Fatal(err)
			}
			stored, err := fedtypesv1b1.GetStatus(fedObj)
			if err != nil {
				t.Fatal(err)
			}

			second := newTestScope(fedObj)
			second.started = testStarted.Add(time.Hour)
			second.oldStatus = stored
			fill(second)
			if got := r.computeStatus(second); !reflect.DeepEqual(got, stored) {
				gotJSON, _ := json.Marshal(got)
				storedJSON, _ := json.Marshal(stored)
				t.Errorf("status changed without a change of outcome:\n got    %s\n stored %s", gotJSON, storedJSON)
			}
		})
	}
}

func TestComputeStatusRemoteStatus(t *testing.T) {
	disabled := fedcorev1b1.StatusCollectionDisabled
	withStatus := member(t, "apps/v1", "Deployment", 1, map[string]any{
		"status.observedGeneration": int64(1),
		"status.replicas":           int64(3),
	})
	withoutStatus := member(t, "apps/v1", "Deployment", 1, nil)
	gate := func(mode fedcorev1b1.ConfigurationMode) fedcorev1b1.KubeFedConfigSpec {
		return fedcorev1b1.KubeFedConfigSpec{FeatureGates: []fedcorev1b1.FeatureGatesConfig{
			{Name: string(fedcorev1b1.RawResourceStatusCollectionFeature), Configuration: mode},
		}}
	}
	tests := []struct {
		name       string
		group      string
		kind       string
		collection *fedcorev1b1.StatusCollectionMode // overrides the default FTC's when set
		config     fedcorev1b1.KubeFedConfigSpec
		result     *clusterResult
		want       string
	}{
		{"enabled type, gate on by default", "apps", "Deployment", nil, fedcorev1b1.KubeFedConfigSpec{}, ok(withStatus), `{"observedGeneration":1,"replicas":3}`},
		{"enabled type, gate on", "apps", "Deployment", nil, gate(fedcorev1b1.ConfigurationEnabled), ok(withStatus), `{"observedGeneration":1,"replicas":3}`},
		{"failed cluster with a member object", "apps", "Deployment", nil, fedcorev1b1.KubeFedConfigSpec{},
			&clusterResult{status: fedtypesv1b1.UpdateFailed, member: withStatus}, `{"observedGeneration":1,"replicas":3}`},
		{"gate off", "apps", "Deployment", nil, gate(fedcorev1b1.ConfigurationDisabled), ok(withStatus), ""},
		{"collection disabled in the FederatedTypeConfig", "apps", "Deployment", &disabled, fedcorev1b1.KubeFedConfigSpec{}, ok(withStatus), ""},
		{"type without status collection", "", "ConfigMap", nil, fedcorev1b1.KubeFedConfigSpec{}, ok(withStatus), ""},
		{"no member object", "apps", "Deployment", nil, fedcorev1b1.KubeFedConfigSpec{}, failedWith(fedtypesv1b1.ClusterNotReady, "x"), ""},
		{"member object without status", "apps", "Deployment", nil, fedcorev1b1.KubeFedConfigSpec{}, ok(withoutStatus), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reconcilerFor(t, tt.group, tt.kind)
			if tt.collection != nil {
				r.TypeConfig.Spec.StatusCollection = tt.collection
			}
			s := newTestScope(r.fedObject("ns", "web", nil))
			s.config = tt.config.Settings()
			s.selected = []string{"a"}
			s.results["a"] = tt.result
			got := r.computeStatus(s)
			if len(got.Clusters) != 1 {
				t.Fatalf("clusters = %+v, want one", got.Clusters)
			}
			remote := got.Clusters[0].RemoteStatus
			switch {
			case tt.want == "" && remote != nil:
				t.Errorf("remoteStatus = %s, want none", remote.Raw)
			case tt.want != "" && remote == nil:
				t.Errorf("remoteStatus missing, want %s", tt.want)
			case tt.want != "" && string(remote.Raw) != tt.want:
				t.Errorf("remoteStatus = %s, want %s", remote.Raw, tt.want)
			}
		})
	}
}

func TestComputeStatusWorkload(t *testing.T) {
	readyDep := member(t, "apps/v1", "Deployment", 2, map[string]any{
		"spec.replicas":             int64(2),
		"status.observedGeneration": int64(2),
		"status.replicas":           int64(2),
		"status.readyReplicas":      int64(2),
		"status.availableReplicas":  int64(2),
		"status.updatedReplicas":    int64(2),
	})
	t.Run("ready in every cluster", func(t *testing.T) {
		r := reconcilerFor(t, "apps", "Deployment")
		s := newTestScope(r.fedObject("ns", "web", nil))
		s.selected = []string{"a", "b"}
		s.results["a"], s.results["b"] = ok(readyDep), ok(readyDep)
		got := r.computeStatus(s)
		ready := got.GetCondition(fedtypesv1b1.WorkloadReadyConditionType)
		if ready == nil || ready.Status != corev1.ConditionTrue || ready.Reason != fedtypesv1b1.WorkloadReady {
			t.Fatalf("Ready = %+v, want True/WorkloadReady", ready)
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
	t.Run("aggregate failure drops the workload status", func(t *testing.T) {
		r := reconcilerFor(t, "apps", "Deployment")
		s := newTestScope(r.fedObject("ns", "web", nil))
		s.reason, s.message = fedtypesv1b1.NamespaceNotFederated, "namespace ns has no FederatedNamespace"
		got := r.computeStatus(s)
		if got.AggregatedStatus != nil || got.GetCondition(fedtypesv1b1.WorkloadReadyConditionType) != nil {
			t.Errorf("status = %+v, want no aggregatedStatus and no Ready condition", got)
		}
	})
	t.Run("CronJobs have no Ready condition", func(t *testing.T) {
		r := reconcilerFor(t, "batch", "CronJob")
		s := newTestScope(r.fedObject("ns", "web", nil))
		s.selected = []string{"a"}
		s.results["a"] = ok(member(t, "batch/v1", "CronJob", 1, nil))
		got := r.computeStatus(s)
		if c := got.GetCondition(fedtypesv1b1.WorkloadReadyConditionType); c != nil {
			t.Errorf("Ready = %+v, want none", c)
		}
		if got.AggregatedStatus == nil || got.AggregatedStatus.Clusters != 1 {
			t.Errorf("aggregatedStatus = %+v, want 1 cluster", got.AggregatedStatus)
		}
	})
}

func TestAggregate(t *testing.T) {
	i := func(v int32) *int32 { return ptr.To(v) }
	// replicated returns a member workload of kind with spec.replicas and
	// the status counts set; a negative updated count is left out.
	replicated := func(kind string, gen, observed, replicas, statusReplicas, ready, available, updated int64) *unstructured.Unstructured {
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
	dep := func(gen, observed, replicas, statusReplicas, ready, available, updated int64) *unstructured.Unstructured {
		return replicated("Deployment", gen, observed, replicas, statusReplicas, ready, available, updated)
	}
	sts := func(replicas, ready, updated int64) *unstructured.Unstructured {
		return replicated("StatefulSet", 1, 1, replicas, replicas, ready, ready, updated)
	}
	rs := func(replicas, statusReplicas, ready int64) *unstructured.Unstructured {
		return replicated("ReplicaSet", 1, 1, replicas, statusReplicas, ready, ready, -1)
	}
	ds := func(gen, observed, desired, ready, available, updated int64) *unstructured.Unstructured {
		return member(t, "apps/v1", "DaemonSet", gen, map[string]any{
			"status.observedGeneration":     observed,
			"status.desiredNumberScheduled": desired,
			"status.numberReady":            ready,
			"status.numberAvailable":        available,
			"status.updatedNumberScheduled": updated,
		})
	}
	job := func(completions *int64, active, succeeded, failed int64) *unstructured.Unstructured {
		fields := map[string]any{"status.active": active, "status.succeeded": succeeded, "status.failed": failed}
		if completions != nil {
			fields["spec.completions"] = *completions
		}
		return member(t, "batch/v1", "Job", 1, fields)
	}
	cronJob := func(active int) *unstructured.Unstructured {
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

	tests := []struct {
		name      string
		kind      string
		selected  []string
		results   map[string]*clusterResult
		wantAgg   *fedtypesv1b1.AggregatedStatus
		wantReady *corev1.ConditionStatus // nil: no condition
		wantMsg   string
	}{
		{
			name: "Deployment ready everywhere", kind: "Deployment", selected: []string{"a", "b"},
			results:   map[string]*clusterResult{"a": ok(dep(2, 2, 3, 3, 3, 3, 3)), "b": ok(dep(1, 1, 2, 2, 2, 2, 2))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Replicas: i(5), ReadyReplicas: i(5), AvailableReplicas: i(5), UpdatedReplicas: i(5)},
			wantReady: ptr.To(corev1.ConditionTrue),
		},
		{
			name: "Deployment short of ready replicas", kind: "Deployment", selected: []string{"a", "b"},
			results:   map[string]*clusterResult{"a": ok(dep(2, 2, 3, 3, 3, 3, 3)), "b": ok(dep(1, 1, 2, 2, 1, 1, 2))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Replicas: i(5), ReadyReplicas: i(4), AvailableReplicas: i(4), UpdatedReplicas: i(5)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: b (1/2 ready)",
		},
		{
			name: "Deployment rolling out", kind: "Deployment", selected: []string{"a"},
			results:   map[string]*clusterResult{"a": ok(dep(2, 2, 2, 3, 2, 2, 1))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(2), AvailableReplicas: i(2), UpdatedReplicas: i(1)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: a (1/2 updated)",
		},
		{
			name: "Deployment whose new generation is not observed yet", kind: "Deployment", selected: []string{"a"},
			results:   map[string]*clusterResult{"a": ok(dep(3, 2, 2, 2, 2, 2, 2))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(2), ReadyReplicas: i(2), AvailableReplicas: i(2), UpdatedReplicas: i(2)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: a (rollout not observed yet)",
		},
		{
			name: "Deployment without spec.replicas wants one", kind: "Deployment", selected: []string{"a"},
			results:   map[string]*clusterResult{"a": ok(member(t, "apps/v1", "Deployment", 1, map[string]any{"status.observedGeneration": int64(1)}))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(0), ReadyReplicas: i(0), AvailableReplicas: i(0), UpdatedReplicas: i(0)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: a (0/1 ready)",
		},
		{
			name: "Deployment scaled to zero is ready", kind: "Deployment", selected: []string{"a"},
			results:   map[string]*clusterResult{"a": ok(dep(1, 1, 0, 0, 0, 0, 0))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(0), ReadyReplicas: i(0), AvailableReplicas: i(0), UpdatedReplicas: i(0)},
			wantReady: ptr.To(corev1.ConditionTrue),
		},
		{
			name: "cluster without a member object", kind: "Deployment", selected: []string{"a", "b"},
			results:   map[string]*clusterResult{"a": ok(dep(1, 1, 2, 2, 2, 2, 2)), "b": failedWith(fedtypesv1b1.ClusterNotReady, "x")},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 1, Replicas: i(2), ReadyReplicas: i(2), AvailableReplicas: i(2), UpdatedReplicas: i(2)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: b (ClusterNotReady)",
		},
		{
			name: "propagated cluster without a member object", kind: "Deployment", selected: []string{"a"},
			results:   map[string]*clusterResult{"a": ok(nil)},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: a (no member object)",
		},
		{
			name: "placed cluster without an outcome", kind: "Deployment", selected: []string{"a", "b"},
			results:   map[string]*clusterResult{"a": ok(dep(1, 1, 2, 2, 2, 2, 2))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 1, Replicas: i(2), ReadyReplicas: i(2), AvailableReplicas: i(2), UpdatedReplicas: i(2)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: b (not propagated)",
		},
		{
			name: "every not-ready cluster is named, in placement order", kind: "Deployment", selected: []string{"a", "b", "c"},
			results: map[string]*clusterResult{
				"a": ok(dep(1, 1, 2, 2, 0, 0, 2)),
				"b": ok(dep(1, 1, 2, 2, 2, 2, 2)),
				"c": failedWith(fedtypesv1b1.CreationFailed, "x"),
			},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 3, ReadyClusters: 2, Replicas: i(4), ReadyReplicas: i(2), AvailableReplicas: i(2), UpdatedReplicas: i(4)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: a (0/2 ready), c (CreationFailed)",
		},
		{
			name: "placed nowhere", kind: "Deployment",
			wantAgg:   &fedtypesv1b1.AggregatedStatus{},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "the workload is not placed in any cluster",
		},
		{
			name: "ReplicaSet counts every replica as updated", kind: "ReplicaSet", selected: []string{"a", "b"},
			results:   map[string]*clusterResult{"a": ok(rs(2, 2, 2)), "b": ok(rs(3, 3, 3))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Replicas: i(5), ReadyReplicas: i(5), AvailableReplicas: i(5), UpdatedReplicas: i(5)},
			wantReady: ptr.To(corev1.ConditionTrue),
		},
		{
			name: "ReplicaSet short of ready replicas", kind: "ReplicaSet", selected: []string{"a"},
			results:   map[string]*clusterResult{"a": ok(rs(3, 3, 1))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(1), AvailableReplicas: i(1), UpdatedReplicas: i(3)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: a (1/3 ready)",
		},
		{
			name: "StatefulSet ready", kind: "StatefulSet", selected: []string{"a"},
			results:   map[string]*clusterResult{"a": ok(sts(3, 3, 3))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(3), AvailableReplicas: i(3), UpdatedReplicas: i(3)},
			wantReady: ptr.To(corev1.ConditionTrue),
		},
		{
			name: "StatefulSet rolling out", kind: "StatefulSet", selected: []string{"a"},
			results:   map[string]*clusterResult{"a": ok(sts(3, 3, 1))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(3), AvailableReplicas: i(3), UpdatedReplicas: i(1)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: a (1/3 updated)",
		},
		{
			name: "DaemonSet ready", kind: "DaemonSet", selected: []string{"a", "b"},
			results:   map[string]*clusterResult{"a": ok(ds(1, 1, 3, 3, 3, 3)), "b": ok(ds(4, 4, 2, 2, 2, 2))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Replicas: i(5), ReadyReplicas: i(5), AvailableReplicas: i(5), UpdatedReplicas: i(5)},
			wantReady: ptr.To(corev1.ConditionTrue),
		},
		{
			name: "DaemonSet short of ready pods", kind: "DaemonSet", selected: []string{"a"},
			results:   map[string]*clusterResult{"a": ok(ds(1, 1, 3, 2, 2, 3))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(2), AvailableReplicas: i(2), UpdatedReplicas: i(3)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: a (2/3 ready)",
		},
		{
			name: "DaemonSet rolling out", kind: "DaemonSet", selected: []string{"a"},
			results:   map[string]*clusterResult{"a": ok(ds(1, 1, 3, 3, 3, 1))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(3), AvailableReplicas: i(3), UpdatedReplicas: i(1)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: a (1/3 updated)",
		},
		{
			name: "DaemonSet whose new generation is not observed yet", kind: "DaemonSet", selected: []string{"a"},
			results:   map[string]*clusterResult{"a": ok(ds(2, 1, 3, 3, 3, 3))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 1, ReadyClusters: 1, Replicas: i(3), ReadyReplicas: i(3), AvailableReplicas: i(3), UpdatedReplicas: i(3)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: a (rollout not observed yet)",
		},
		{
			name: "Job completed everywhere", kind: "Job", selected: []string{"a", "b"},
			results:   map[string]*clusterResult{"a": ok(job(ptr.To[int64](3), 0, 3, 1)), "b": ok(job(nil, 0, 1, 0))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Active: i(0), Succeeded: i(4), Failed: i(1)},
			wantReady: ptr.To(corev1.ConditionTrue),
		},
		{
			name: "Job still running", kind: "Job", selected: []string{"a", "b"},
			results:   map[string]*clusterResult{"a": ok(job(ptr.To[int64](3), 2, 1, 0)), "b": ok(job(nil, 1, 0, 0))},
			wantAgg:   &fedtypesv1b1.AggregatedStatus{Clusters: 2, ReadyClusters: 2, Active: i(3), Succeeded: i(1), Failed: i(0)},
			wantReady: ptr.To(corev1.ConditionFalse), wantMsg: "not ready in: a (1/3 completions), b (0/1 completions)",
		},
		{
			name: "CronJob counts its active Jobs and has no readiness", kind: "CronJob", selected: []string{"a", "b", "c"},
			results: map[string]*clusterResult{"a": ok(cronJob(2)), "b": ok(cronJob(0)), "c": failedWith(fedtypesv1b1.ClusterNotReady, "x")},
			wantAgg: &fedtypesv1b1.AggregatedStatus{Clusters: 3, ReadyClusters: 2, Active: i(2)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestScope(&unstructured.Unstructured{Object: map[string]any{}})
			s.selected = tt.selected
			for k, v := range tt.results {
				s.results[k] = v
			}
			agg, cond := aggregate(tt.kind, s)
			if !reflect.DeepEqual(agg, tt.wantAgg) {
				gotJSON, _ := json.Marshal(agg)
				wantJSON, _ := json.Marshal(tt.wantAgg)
				t.Errorf("aggregatedStatus = %s, want %s", gotJSON, wantJSON)
			}
			switch {
			case tt.wantReady == nil && cond != nil:
				t.Errorf("Ready = %+v, want none", cond)
			case tt.wantReady != nil && cond == nil:
				t.Errorf("Ready missing, want %s", *tt.wantReady)
			case tt.wantReady != nil:
				wantReason := fedtypesv1b1.WorkloadReady
				if *tt.wantReady == corev1.ConditionFalse {
					wantReason = fedtypesv1b1.WorkloadNotReady
				}
				if cond.Type != fedtypesv1b1.WorkloadReadyConditionType || cond.Status != *tt.wantReady || cond.Reason != wantReason || cond.Message != tt.wantMsg {
					t.Errorf("Ready = %s/%s/%s/%q, want Ready/%s/%s/%q", cond.Type, cond.Status, cond.Reason, cond.Message, *tt.wantReady, wantReason, tt.wantMsg)
				}
			}
		})
	}
}

func TestMemberNotReadyReadsNumbersOfAnyJSONType(t *testing.T) {
	// Member objects decoded by encoding/json carry float64 numbers.
	m := &unstructured.Unstructured{Object: map[string]any{
		"metadata": map[string]any{"generation": int64(1)},
		"spec":     map[string]any{"replicas": float64(2)},
		"status": map[string]any{"observedGeneration": float64(1), "replicas": float64(2), "readyReplicas": int32(2),
			"availableReplicas": 2, "updatedReplicas": float64(2)},
	}}
	agg := &fedtypesv1b1.AggregatedStatus{}
	if why := memberNotReady("Deployment", m, agg); why != "" {
		t.Errorf("memberNotReady = %q, want ready", why)
	}
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

func TestPrunedStatusFields(t *testing.T) {
	cond := func(msg string) []fedtypesv1b1.GenericCondition {
		return []fedtypesv1b1.GenericCondition{{Type: fedtypesv1b1.PropagationConditionType, Status: "False", Reason: "X", Message: msg}}
	}
	cluster := func(msg string) []fedtypesv1b1.GenericClusterStatus {
		return []fedtypesv1b1.GenericClusterStatus{{Name: "member1", Status: "CreationFailed", Message: msg}}
	}
	written := &fedtypesv1b1.GenericFederatedStatus{
		Conditions: cond("why"), Clusters: cluster("refused"), AggregatedStatus: &fedtypesv1b1.AggregatedStatus{},
	}
	tests := []struct {
		name   string
		stored *fedtypesv1b1.GenericFederatedStatus
		want   []string
	}{
		{"kubefed's schema keeps everything", written, nil},
		{"KubeFed's schema", &fedtypesv1b1.GenericFederatedStatus{Conditions: cond(""), Clusters: cluster("")},
			[]string{statusFieldAggregated, statusFieldConditionMessage, statusFieldClusterMessage}},
		{"only aggregatedStatus missing", &fedtypesv1b1.GenericFederatedStatus{Conditions: cond("why"), Clusters: cluster("refused")},
			[]string{statusFieldAggregated}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := prunedStatusFields(written, tt.stored)
			if !slices.Equal(got, tt.want) {
				t.Errorf("prunedStatusFields = %v, want %v", got, tt.want)
			}
			// Stripped of those fields, the status is what the API server
			// stores: nothing left to write on the next reconcile.
			stripped := written.DeepCopy()
			stripStatusFields(stripped, got)
			if !reflect.DeepEqual(stripped, tt.stored) {
				t.Errorf("stripped status %+v, want the stored %+v", stripped, tt.stored)
			}
		})
	}
}
