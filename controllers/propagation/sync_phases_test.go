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
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

func TestRetryable(t *testing.T) {
	tests := []struct {
		name     string
		statuses []fedtypesv1b1.PropagationStatus
		want     bool
	}{
		{"no outcome", nil, false},
		{"propagated", []fedtypesv1b1.PropagationStatus{fedtypesv1b1.ClusterPropagationOK}, false},
		{"outcomes that wait for a change", []fedtypesv1b1.PropagationStatus{
			fedtypesv1b1.ClusterPropagationOK, fedtypesv1b1.ClusterNotReady, fedtypesv1b1.ManagedLabelFalse,
			fedtypesv1b1.AlreadyExists, fedtypesv1b1.ApplyOverridesFailed, fedtypesv1b1.WaitingForRemoval,
		}, false},
		{"creation failed", []fedtypesv1b1.PropagationStatus{fedtypesv1b1.ClusterPropagationOK, fedtypesv1b1.CreationFailed}, true},
		{"update failed", []fedtypesv1b1.PropagationStatus{fedtypesv1b1.UpdateFailed}, true},
		{"deletion failed", []fedtypesv1b1.PropagationStatus{fedtypesv1b1.DeletionFailed}, true},
		{"timed out", []fedtypesv1b1.PropagationStatus{fedtypesv1b1.ClusterNotReady, fedtypesv1b1.UpdateTimedOut}, true},
		{"creation timed out", []fedtypesv1b1.PropagationStatus{fedtypesv1b1.CreationTimedOut}, true},
		{"cache read failed", []fedtypesv1b1.PropagationStatus{fedtypesv1b1.CachedRetrievalFailed}, true},
		{"read failed", []fedtypesv1b1.PropagationStatus{fedtypesv1b1.RetrievalFailed}, true},
		{"no client", []fedtypesv1b1.PropagationStatus{fedtypesv1b1.ClientRetrievalFailed}, true},
		{"label removal failed", []fedtypesv1b1.PropagationStatus{fedtypesv1b1.LabelRemovalFailed}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestScope(&unstructured.Unstructured{Object: map[string]any{}})
			for i, st := range tt.statuses {
				s.setResult(string(rune('a'+i)), st, "", nil)
			}
			if got := s.retryable(); got != tt.want {
				t.Errorf("retryable = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRequeueKeepsTheSoonest(t *testing.T) {
	s := newTestScope(&unstructured.Unstructured{Object: map[string]any{}})
	if res := s.result(); !res.IsZero() {
		t.Fatalf("result = %+v, want none", res)
	}
	s.requeue(retryInterval)
	s.requeue(2 * retryInterval)
	if got := s.result().RequeueAfter; got != retryInterval {
		t.Errorf("requeueAfter = %s, want %s", got, retryInterval)
	}
	s.requeue(retryInterval / 3)
	if got := s.result().RequeueAfter; got != retryInterval/3 {
		t.Errorf("requeueAfter = %s, want %s", got, retryInterval/3)
	}
}

func TestSkipsNamespaceObject(t *testing.T) {
	tests := []struct {
		kind string
		name string
		want bool
	}{
		{"Namespace", "kube-system", true},
		{"Namespace", "kube-public", true},
		{"Namespace", "default", true},
		{"Namespace", testNamespace, true},
		{"Namespace", "team-a", false},
		{"Namespace", "kube-node-lease", false},
		{"ConfigMap", "kube-system", false},
		{"ConfigMap", "default", false},
		{"ConfigMap", testNamespace, false},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.name, func(t *testing.T) {
			r := reconcilerFor(t, "", tt.kind)
			s := newTestScope(r.fedObject(tt.name, tt.name, nil))
			if got := r.skipsNamespaceObject(s); got != tt.want {
				t.Errorf("skipsNamespaceObject = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAdoptResources(t *testing.T) {
	mode := func(m fedcorev1b1.ResourceAdoption) *fedcorev1b1.KubeFedConfigSpec {
		return &fedcorev1b1.KubeFedConfigSpec{SyncController: &fedcorev1b1.SyncControllerConfig{AdoptResources: &m}}
	}
	tests := []struct {
		name string
		cfg  *fedcorev1b1.KubeFedConfigSpec
		want bool
	}{
		{"no KubeFedConfig", &fedcorev1b1.KubeFedConfigSpec{}, true},
		{"no adoptResources", &fedcorev1b1.KubeFedConfigSpec{SyncController: &fedcorev1b1.SyncControllerConfig{}}, true},
		{"enabled", mode(fedcorev1b1.AdoptResourcesEnabled), true},
		{"disabled", mode(fedcorev1b1.AdoptResourcesDisabled), false},
	}
	for _, tt := range tests {
		if got := tt.cfg.Settings().AdoptResources; got != tt.want {
			t.Errorf("%s: Settings().AdoptResources = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMemberToFederated(t *testing.T) {
	obj := func(namespace, name string) client.Object {
		u := &unstructured.Unstructured{Object: map[string]any{}}
		u.SetNamespace(namespace)
		u.SetName(name)
		return u
	}
	tests := []struct {
		group, kind string
		member      client.Object
		want        string
	}{
		{"", "Namespace", obj("", "team-a"), "team-a/team-a"},
		{"", "ConfigMap", obj("team-a", "settings"), "team-a/settings"},
		{"apps", "Deployment", obj("team-a", "web"), "team-a/web"},
		{"rbac.authorization.k8s.io", "ClusterRole", obj("", "reader"), "/reader"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			got := MemberToFederated(typeConfig(t, tt.group, tt.kind), tt.member)
			if got.String() != tt.want {
				t.Errorf("MemberToFederated = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestRemovalsRequeueFromParallelClusters runs reconcileRemovals over many
// clusters at once; under -race it fails when the scope's requeue is not
// safe for concurrent use.
func TestRemovalsRequeueFromParallelClusters(t *testing.T) {
	r := reconcilerFor(t, "", "ConfigMap")
	copyInMember := managedConfigMap(t)
	copyInMember.SetFinalizers([]string{"example.com/hold"})
	now := metav1.Now()
	copyInMember.SetDeletionTimestamp(&now)
	// Every cluster holds a managed copy that is being deleted: deleteMember
	// then asks for a requeue from each cluster's goroutine.
	inMember := fake.NewClientBuilder().WithObjects(copyInMember).Build()
	members := directMembers{}
	var clusters []string
	for i := range 32 {
		clusters = append(clusters, fmt.Sprintf("member%d", i))
		members[clusters[i]] = inMember
	}
	r.Members = members
	s := newTestScope(r.fedObject("ns", "web", nil))
	s.ready = sets.New(clusters...)

	if _, err := r.reconcileRemovals(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if len(s.results) != len(clusters) {
		t.Fatalf("results for %d clusters, want %d", len(s.results), len(clusters))
	}
	for c, res := range s.results {
		if res.status != fedtypesv1b1.WaitingForRemoval {
			t.Errorf("cluster %s: status %s, want %s", c, res.status, fedtypesv1b1.WaitingForRemoval)
		}
	}
	if got := s.result().RequeueAfter; got != 2*time.Second {
		t.Errorf("requeueAfter = %s, want 2s", got)
	}
}

// TestSystemNamespaceReportsClustersNotReady: a FederatedNamespace for a
// namespace every cluster has writes nothing, and reports a cluster that is
// not ready as not ready, not as propagated.
func TestSystemNamespaceReportsClustersNotReady(t *testing.T) {
	for _, ns := range []string{"kube-system", "kube-public", "default", testNamespace} {
		t.Run(ns, func(t *testing.T) {
			r := reconcilerFor(t, "", "Namespace")
			s := newTestScope(r.fedObject(ns, ns, nil))
			s.selected = []string{"member1", "member2"}
			s.ready = sets.New("member1")
			if _, err := r.reconcileMembers(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			if got := s.results["member1"]; got == nil || got.status != fedtypesv1b1.ClusterPropagationOK {
				t.Errorf("member1: %+v, want propagated", got)
			}
			if got := s.results["member2"]; got == nil || got.status != fedtypesv1b1.ClusterNotReady {
				t.Errorf("member2: %+v, want %s", got, fedtypesv1b1.ClusterNotReady)
			}
		})
	}
}

// TestReleaseOrphansDoesNotStopAtABrokenCluster: the copies of a federated
// object that is gone are released in every cluster, whichever fails.
func TestReleaseOrphansDoesNotStopAtABrokenCluster(t *testing.T) {
	r := reconcilerFor(t, "", "ConfigMap")
	healthy := fake.NewClientBuilder().WithObjects(managedConfigMap(t)).Build()
	// "broken" sorts first: a release that stops at the first failure
	// never reaches "healthy".
	r.Members = directMembers{"broken": nil, "healthy": healthy}

	err := r.releaseOrphans(context.Background(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "ns", Name: "web"}})
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("releaseOrphans error = %v, want one naming cluster broken", err)
	}
	got := member(t, "v1", "ConfigMap", 0, nil)
	if err := healthy.Get(context.Background(), types.NamespacedName{Namespace: "ns", Name: "web"}, got); err != nil {
		t.Fatal(err)
	}
	if v, ok := got.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey]; ok {
		t.Errorf("the copy in cluster healthy still has %s=%q: a broken cluster stopped the release", fedcorev1b1.ManagedByKubeFedLabelKey, v)
	}
}
