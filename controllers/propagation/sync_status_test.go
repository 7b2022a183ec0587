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
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// noCopy is the status of a cluster whose outcome is a success without a
// copy read back.
func noCopy(name string) fedtypesv1b1.GenericClusterStatus {
	return fedtypesv1b1.GenericClusterStatus{Name: name, Readiness: fedtypesv1b1.ReadinessNotFound, ReadinessMessage: "there is no copy"}
}

// failedReadiness is the readiness of the copy in a cluster whose outcome
// is a failure of the given status.
var failedReadiness = map[fedtypesv1b1.PropagationStatus]struct {
	readiness fedtypesv1b1.Readiness
	message   string
}{
	fedtypesv1b1.CreationFailed:    {fedtypesv1b1.ReadinessNotFound, "the copy could not be created"},
	fedtypesv1b1.ClusterNotReady:   {fedtypesv1b1.ReadinessUnknown, "the cluster is not ready"},
	fedtypesv1b1.WaitingForRemoval: {fedtypesv1b1.ReadinessTerminating, "the copy was deleted; waiting for it to be gone"},
}

// failed is the status of a cluster whose outcome is a failure of the given
// status and message, with the readiness that failure implies.
func failed(name string, status fedtypesv1b1.PropagationStatus, message string) fedtypesv1b1.GenericClusterStatus {
	r, ok := failedReadiness[status]
	if !ok {
		panic("no expected readiness for " + string(status))
	}
	return fedtypesv1b1.GenericClusterStatus{Name: name, Status: status, Message: message, Readiness: r.readiness, ReadinessMessage: r.message}
}

// propagationCase is the outcome in each cluster and the status it makes.
type propagationCase struct {
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
}

var propagationCases = []propagationCase{
	{
		name:       "every cluster propagated",
		selected:   []string{"a", "b"},
		results:    map[string]*clusterResult{"b": ok(nil), "a": ok(nil)},
		wantStatus: corev1.ConditionTrue,
		wantClus:   []fedtypesv1b1.GenericClusterStatus{noCopy("a"), noCopy("b")},
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
			noCopy("a"),
			failed("b", fedtypesv1b1.CreationFailed, "cluster b refused to create"),
			failed("c", fedtypesv1b1.ClusterNotReady, "cluster c is not ready"),
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
			noCopy("a"),
			failed("z", fedtypesv1b1.WaitingForRemoval, "waiting"),
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
		wantClus:    []fedtypesv1b1.GenericClusterStatus{failed("a", fedtypesv1b1.WaitingForRemoval, "deleted")},
	},
	{
		name:       "placed nowhere",
		wantStatus: corev1.ConditionTrue,
		wantAgg:    &fedtypesv1b1.AggregatedStatus{},
	},
}

func TestComputeStatusPropagation(t *testing.T) {
	for _, tt := range propagationCases {
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
			checkPropagationStatus(t, tt, got)
		})
	}
}

// checkPropagationStatus compares the computed status with what the case
// wants: the Propagation condition, the clusters and the aggregate.
func checkPropagationStatus(t *testing.T, tt propagationCase, got *fedtypesv1b1.GenericFederatedStatus) {
	t.Helper()
	if got.ObservedGeneration != 4 {
		t.Errorf("observedGeneration = %d, want 4", got.ObservedGeneration)
	}
	c := got.GetCondition(fedtypesv1b1.PropagationConditionType)
	if c == nil {
		t.Fatalf("conditions = %+v, want Propagation", got.Conditions)
	}
	if c.Type != fedtypesv1b1.PropagationConditionType || c.Status != tt.wantStatus || c.Reason != tt.wantReason || c.Message != tt.wantMessage {
		t.Errorf("Propagation = %s/%q/%q, want %s/%q/%q", c.Status, c.Reason, c.Message, tt.wantStatus, tt.wantReason, tt.wantMessage)
	}
	if !reflect.DeepEqual(got.Clusters, tt.wantClus) {
		t.Errorf("clusters = %+v, want %+v", got.Clusters, tt.wantClus)
	}
	if !reflect.DeepEqual(got.AggregatedStatus, tt.wantAgg) {
		t.Errorf("aggregatedStatus = %+v, want %+v", got.AggregatedStatus, tt.wantAgg)
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

func TestPrunedStatusFields(t *testing.T) {
	cond := func(msg string) []fedtypesv1b1.GenericCondition {
		return []fedtypesv1b1.GenericCondition{{Type: fedtypesv1b1.PropagationConditionType, Status: "False", Reason: "X", Message: msg}}
	}
	cluster := func(msg string, readiness fedtypesv1b1.Readiness, readinessMsg string) []fedtypesv1b1.GenericClusterStatus {
		return []fedtypesv1b1.GenericClusterStatus{{Name: "member1", Status: "CreationFailed", Message: msg,
			Readiness: readiness, ReadinessMessage: readinessMsg}}
	}
	written := &fedtypesv1b1.GenericFederatedStatus{
		Conditions: cond("why"), Clusters: cluster("refused", fedtypesv1b1.ReadinessNotFound, "the copy could not be created"),
		AggregatedStatus: &fedtypesv1b1.AggregatedStatus{},
	}
	tests := []struct {
		name   string
		stored *fedtypesv1b1.GenericFederatedStatus
		want   []string
	}{
		{"kubefed's schema keeps everything", written, nil},
		{"KubeFed's schema", &fedtypesv1b1.GenericFederatedStatus{Conditions: cond(""), Clusters: cluster("", "", "")},
			[]string{statusFieldAggregated, statusFieldConditionMessage, statusFieldClusterMessage, statusFieldReadiness, statusFieldReadinessMessage}},
		{"only aggregatedStatus missing", &fedtypesv1b1.GenericFederatedStatus{Conditions: cond("why"),
			Clusters: cluster("refused", fedtypesv1b1.ReadinessNotFound, "the copy could not be created")},
			[]string{statusFieldAggregated}},
		{"a schema of this project before readiness", &fedtypesv1b1.GenericFederatedStatus{Conditions: cond("why"),
			Clusters: cluster("refused", "", ""), AggregatedStatus: &fedtypesv1b1.AggregatedStatus{}},
			[]string{statusFieldReadiness, statusFieldReadinessMessage}},
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

// The federated object's readiness, as kstatus computes it from the status
// written, agrees with kstatus on the member copies: Failed when one copy
// is, else InProgress when one is, else Current; and each cluster's
// readiness is kstatus's on its copy.
func TestComputeStatusAgreesWithKstatus(t *testing.T) {
	dep := func(ready int64, conditions ...any) *unstructured.Unstructured {
		return member(t, "apps/v1", "Deployment", 2, map[string]any{
			"spec.replicas": int64(2), "spec.progressDeadlineSeconds": int64(60),
			"status.observedGeneration": int64(2), "status.replicas": int64(2), "status.updatedReplicas": int64(2),
			"status.readyReplicas": ready, "status.availableReplicas": ready, "status.conditions": conditions,
		})
	}
	available := map[string]any{"type": "Available", "status": "True"}
	progressed := map[string]any{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}
	deadline := map[string]any{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}
	tests := []struct {
		name    string
		members map[string]*unstructured.Unstructured
	}{
		{"every copy available", map[string]*unstructured.Unstructured{"m1": dep(2, available, progressed), "m2": dep(2, available, progressed)}},
		{"one copy short of ready replicas", map[string]*unstructured.Unstructured{"m1": dep(2, available, progressed), "m2": dep(1, available, progressed)}},
		{"one copy past its deadline", map[string]*unstructured.Unstructured{"m1": dep(1, available), "m2": dep(1, deadline)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reconcilerFor(t, "apps", "Deployment")
			fedObj := r.fedObject("ns", "web", nil)
			fedObj.SetGeneration(7)
			s := newTestScope(fedObj)
			want := kstatus.CurrentStatus
			for name, m := range tt.members {
				s.selected = append(s.selected, name)
				s.results[name] = ok(m)
				res, err := kstatus.Compute(m)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case res.Status == kstatus.FailedStatus:
					want = kstatus.FailedStatus
				case res.Status != kstatus.CurrentStatus && want == kstatus.CurrentStatus:
					want = kstatus.InProgressStatus
				}
			}
			status := r.computeStatus(s)
			for _, c := range status.Clusters {
				res, _ := kstatus.Compute(tt.members[c.Name])
				if string(c.Readiness) != string(res.Status) || c.ReadinessMessage != res.Message {
					t.Errorf("cluster %s readiness = %s/%q, kstatus says %s/%q", c.Name, c.Readiness, c.ReadinessMessage, res.Status, res.Message)
				}
			}
			if err := fedtypesv1b1.SetStatus(fedObj, status); err != nil {
				t.Fatal(err)
			}
			got, err := kstatus.Compute(fedObj)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != want {
				t.Errorf("kstatus of the federated object = %s (%s), of its copies %s", got.Status, got.Message, want)
			}
		})
	}
}
