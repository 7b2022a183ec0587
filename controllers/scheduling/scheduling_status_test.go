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
	"encoding/json"
	"reflect"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	"github.com/kubefed/kubefed/internal/planner"
)

func TestRecordStatus(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	before := metav1.NewTime(now.Add(-3 * time.Minute))
	r := &Reconciler{Now: func() time.Time { return now }}
	rsp := &fedschedv1a1.ReplicaSchedulingPreference{Status: fedschedv1a1.ReplicaSchedulingPreferenceStatus{
		Clusters: []fedschedv1a1.ClusterReplicas{
			{Name: "b", Replicas: 2, Capacity: ptr.To[int64](2), CapacityObservedTime: &before},
			{Name: "d", Replicas: 1, Capacity: ptr.To[int64](1), CapacityObservedTime: &before},
			{Name: "old", Replicas: 4},
		},
	}}
	p := planner.Plan{Clusters: []planner.ClusterPlan{
		{Name: "d", Replicas: 5, Ideal: 5},
		{Name: "a", Replicas: 4, Ideal: 3, Reason: planner.KeptCurrent},
		{Name: "b", Replicas: 2, Ideal: 3, Reason: planner.CappedByCapacity},
		{Name: "c", Replicas: 1, Ideal: 1, Reason: planner.CappedByCapacity},
		{Name: "e", Replicas: 0, Reason: planner.NotListed},
	}}
	capacity := map[string]int64{"b": 2, "c": 1}
	offline := []string{"x-offline-with-replicas", "old", "y-offline-without-replicas"}
	current := map[string]int64{"x-offline-with-replicas": 3, "old": 4, "a": 4}

	r.recordStatus(rsp, p, capacity, map[string]string{"c": "cannot read"}, offline, current)

	want := []fedschedv1a1.ClusterReplicas{
		{Name: "a", Replicas: 4, Ideal: 3, Reason: string(planner.KeptCurrent)},
		{Name: "b", Replicas: 2, Ideal: 3, Reason: string(planner.CappedByCapacity), Capacity: ptr.To[int64](2), CapacityObservedTime: &before},
		{Name: "c", Replicas: 1, Ideal: 1, Reason: string(planner.CappedByCapacity), Capacity: ptr.To[int64](1), CapacityObservedTime: &metav1.Time{Time: now}, Message: "cannot read"},
		{Name: "d", Replicas: 5, Ideal: 5},
		{Name: "e", Replicas: 0, Reason: string(planner.NotListed)},
		{Name: "old", Replicas: 0, Reason: fedschedv1a1.ClusterOfflineReason},
		{Name: "x-offline-with-replicas", Replicas: 0, Reason: fedschedv1a1.ClusterOfflineReason},
	}
	if !reflect.DeepEqual(rsp.Status.Clusters, want) {
		got, _ := json.MarshalIndent(rsp.Status.Clusters, "", " ")
		exp, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("status.clusters =\n%s\nwant\n%s", got, exp)
	}
}

func TestRecordStatusOfAnEmptyPlan(t *testing.T) {
	r := &Reconciler{}
	rsp := &fedschedv1a1.ReplicaSchedulingPreference{Status: fedschedv1a1.ReplicaSchedulingPreferenceStatus{
		Clusters: []fedschedv1a1.ClusterReplicas{{Name: "a", Replicas: 1}},
	}}
	r.recordStatus(rsp, planner.Plan{}, nil, nil, nil, nil)
	if rsp.Status.Clusters != nil {
		t.Errorf("status.clusters = %+v, want none", rsp.Status.Clusters)
	}
}
