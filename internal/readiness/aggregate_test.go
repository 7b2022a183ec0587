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

package readiness_test

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/readiness"
)

func current(name string) readiness.Cluster {
	return readiness.Cluster{Name: name, Placed: true, Propagated: true,
		Readiness: readiness.Result{Status: fedtypesv1b1.ReadinessCurrent, Message: "Deployment is available. Replicas: 2"}}
}

func copyIs(name string, status fedtypesv1b1.Readiness, message string) readiness.Cluster {
	c := current(name)
	c.Readiness = readiness.Result{Status: status, Message: message}
	return c
}

func outcome(name string, status fedtypesv1b1.PropagationStatus, detail string) readiness.Cluster {
	return readiness.Cluster{Name: name, Placed: true, Propagated: true, Propagation: status, Detail: detail,
		Readiness: readiness.Result{Status: fedtypesv1b1.ReadinessUnknown}}
}

func TestAggregate(t *testing.T) {
	refused := outcome("m2", fedtypesv1b1.UpdateFailed, "cluster m2 refused to update Deployment ns/web: denied")
	refused.Refused = true
	removing := outcome("old", fedtypesv1b1.WaitingForRemoval, "waiting")
	removing.Placed = false
	removed := readiness.Cluster{Name: "gone", Propagated: true}

	type want struct {
		ready       corev1.ConditionStatus
		readyReason fedtypesv1b1.AggregateReason
		reconciling fedtypesv1b1.AggregateReason // "" absent
		stalled     fedtypesv1b1.AggregateReason // "" absent
		message     string                       // of Ready
	}
	tests := []struct {
		name string
		obj  readiness.Object
		want want
	}{
		{"current everywhere", readiness.Object{Clusters: []readiness.Cluster{current("m2"), current("m1")}},
			want{corev1.ConditionTrue, fedtypesv1b1.ReadyReasonCurrent, "", "", "current in 2 of 2 placed clusters"}},
		{"placed nowhere", readiness.Object{},
			want{corev1.ConditionTrue, fedtypesv1b1.ReadyReasonCurrent, "", "", "placed in no cluster"}},
		{"a copy gone from a cluster the object left", readiness.Object{Clusters: []readiness.Cluster{current("m1"), removed}},
			want{corev1.ConditionTrue, fedtypesv1b1.ReadyReasonCurrent, "", "", "current in 1 of 1 placed clusters"}},
		{"rolling out in one member", readiness.Object{Clusters: []readiness.Cluster{current("m1"), copyIs("m2", fedtypesv1b1.ReadinessInProgress, "Ready: 1/2")}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonInProgress, fedtypesv1b1.ReconcilingMemberInProgress, "", "InProgress in m2: Ready: 1/2"}},
		{"a copy being deleted by someone else", readiness.Object{Clusters: []readiness.Cluster{copyIs("m1", fedtypesv1b1.ReadinessTerminating, "Resource scheduled for deletion")}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonInProgress, fedtypesv1b1.ReconcilingMemberInProgress, "", "Terminating in m1: Resource scheduled for deletion"}},
		{"a placed cluster not propagated yet", readiness.Object{Clusters: []readiness.Cluster{current("m1"), {Name: "m2", Placed: true}}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonInProgress, fedtypesv1b1.ReconcilingPropagating, "", "not propagated yet to m2"}},
		{"a cluster that is not ready keeps the wait going", readiness.Object{Clusters: []readiness.Cluster{current("m1"), outcome("m3", fedtypesv1b1.ClusterNotReady, "cluster m3 is not ready")}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonInProgress, fedtypesv1b1.ReconcilingPropagating, "", "ClusterNotReady in m3"}},
		{"a write that failed and may pass", readiness.Object{Clusters: []readiness.Cluster{outcome("m1", fedtypesv1b1.UpdateFailed, "conflict")}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonInProgress, fedtypesv1b1.ReconcilingPropagating, "", "UpdateFailed in m1"}},
		{"a copy being removed from a cluster the object left", readiness.Object{Clusters: []readiness.Cluster{current("m1"), removing}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonInProgress, fedtypesv1b1.ReconcilingPropagating, "", "WaitingForRemoval in old (the object left it)"}},
		{"propagating and rolling out: Propagating, every cluster named", readiness.Object{Clusters: []readiness.Cluster{
			copyIs("m1", fedtypesv1b1.ReadinessInProgress, "Ready: 0/2"), outcome("m2", fedtypesv1b1.WaitingForCluster, "slow")}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonInProgress, fedtypesv1b1.ReconcilingPropagating, "", "WaitingForCluster in m2; InProgress in m1: Ready: 0/2"}},
		{"namespace not federated yet", readiness.Object{Reason: fedtypesv1b1.NamespaceNotFederated, Message: "namespace ns has no FederatedNamespace"},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonInProgress, fedtypesv1b1.ReconcilingPropagating, "", "namespace ns has no FederatedNamespace"}},
		{"a failed copy", readiness.Object{Clusters: []readiness.Cluster{current("m1"), copyIs("m2", fedtypesv1b1.ReadinessFailed, "Progress deadline exceeded")}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonFailed, "", fedtypesv1b1.StalledMemberFailed, "Failed in m2: Progress deadline exceeded"}},
		{"a failed copy wins over one rolling out", readiness.Object{Clusters: []readiness.Cluster{
			copyIs("m1", fedtypesv1b1.ReadinessInProgress, "Ready: 1/2"), copyIs("m2", fedtypesv1b1.ReadinessFailed, "Progress deadline exceeded")}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonFailed, "", fedtypesv1b1.StalledMemberFailed, "Failed in m2: Progress deadline exceeded"}},
		{"a write refused for good", readiness.Object{Clusters: []readiness.Cluster{current("m1"), refused}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonFailed, "", fedtypesv1b1.StalledPropagationFailed, "UpdateFailed in m2: cluster m2 refused to update Deployment ns/web: denied"}},
		{"a refused write is named before a failed copy", readiness.Object{Clusters: []readiness.Cluster{copyIs("m1", fedtypesv1b1.ReadinessFailed, "Job Failed"), refused}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonFailed, "", fedtypesv1b1.StalledPropagationFailed, "Failed in m1: Job Failed; UpdateFailed in m2: cluster m2 refused to update Deployment ns/web: denied"}},
		{"overrides that fail", readiness.Object{Clusters: []readiness.Cluster{outcome("m1", fedtypesv1b1.ApplyOverridesFailed, "overrides for cluster m1: bad path")}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonFailed, "", fedtypesv1b1.StalledPropagationFailed, "ApplyOverridesFailed in m1: overrides for cluster m1: bad path"}},
		{"an unmanaged object in the way", readiness.Object{Clusters: []readiness.Cluster{outcome("m1", fedtypesv1b1.AlreadyExists, "exists")}},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonFailed, "", fedtypesv1b1.StalledPropagationFailed, "AlreadyExists in m1: exists"}},
		{"an invalid placement", readiness.Object{Reason: fedtypesv1b1.ComputePlacementFailed, Message: "bad selector: fix spec.placement"},
			want{corev1.ConditionFalse, fedtypesv1b1.ReadyReasonFailed, "", fedtypesv1b1.ComputePlacementFailed, "bad selector: fix spec.placement"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readiness.Aggregate(tt.obj)
			r := got.Ready
			if r.Type != fedtypesv1b1.ReadyConditionType || r.Status != tt.want.ready || r.Reason != tt.want.readyReason || r.Message != tt.want.message {
				t.Errorf("Ready = %s/%s/%s/%q, want Ready/%s/%s/%q", r.Type, r.Status, r.Reason, r.Message, tt.want.ready, tt.want.readyReason, tt.want.message)
			}
			checkAbnormal(t, fedtypesv1b1.ReconcilingConditionType, got.Reconciling, tt.want.reconciling, tt.want.message)
			checkAbnormal(t, fedtypesv1b1.StalledConditionType, got.Stalled, tt.want.stalled, tt.want.message)

			// kstatus reads the conditions as the documented kstatus
			// status of the federated object: the Ready reason.
			if got := kstatusOf(t, got); string(got) != string(tt.want.readyReason) {
				t.Errorf("kstatus of the federated object = %s, want %s", got, tt.want.readyReason)
			}
		})
	}
}

func checkAbnormal(t *testing.T, typ fedtypesv1b1.ConditionType, c *fedtypesv1b1.GenericCondition, reason fedtypesv1b1.AggregateReason, message string) {
	t.Helper()
	switch {
	case reason == "" && c != nil:
		t.Errorf("%s = %+v, want it absent", typ, c)
	case reason != "" && c == nil:
		t.Errorf("%s absent, want True/%s", typ, reason)
	case reason != "" && (c.Type != typ || c.Status != corev1.ConditionTrue || c.Reason != reason || c.Message != message):
		t.Errorf("%s = %s/%s/%s/%q, want %s/True/%s/%q", typ, c.Type, c.Status, c.Reason, c.Message, typ, reason, message)
	}
}

// kstatusOf returns kstatus's Compute of a federated object with the
// conditions and its generation observed.
func kstatusOf(t *testing.T, conds readiness.Conditions) kstatus.Status {
	t.Helper()
	status := &fedtypesv1b1.GenericFederatedStatus{ObservedGeneration: 3, Conditions: []fedtypesv1b1.GenericCondition{conds.Ready}}
	for _, c := range []*fedtypesv1b1.GenericCondition{conds.Reconciling, conds.Stalled} {
		if c != nil {
			status.Conditions = append(status.Conditions, *c)
		}
	}
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedDeployment"}}
	obj.SetName("web")
	obj.SetGeneration(3)
	if err := fedtypesv1b1.SetStatus(obj, status); err != nil {
		t.Fatal(err)
	}
	res, err := kstatus.Compute(obj)
	if err != nil {
		t.Fatal(err)
	}
	return res.Status
}

func TestAggregateNamesAFewClusters(t *testing.T) {
	var obj readiness.Object
	for i := range 8 {
		obj.Clusters = append(obj.Clusters, copyIs(fmt.Sprintf("m%d", i), fedtypesv1b1.ReadinessInProgress, "Ready: 0/1"))
	}
	want := "InProgress in m0: Ready: 0/1; InProgress in m1: Ready: 0/1; InProgress in m2: Ready: 0/1; " +
		"InProgress in m3: Ready: 0/1; InProgress in m4: Ready: 0/1; and 3 more"
	if got := readiness.Aggregate(obj).Reconciling; got == nil || got.Message != want {
		t.Errorf("Reconciling = %+v, want message %q", got, want)
	}
}
