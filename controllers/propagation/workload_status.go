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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// workloadKind returns the kind of a workload target type whose replicas
// are aggregated, or "".
func workloadKind(group, kind string) string {
	switch {
	case group == "apps" && (kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet" || kind == "DaemonSet"):
		return kind
	case group == "batch" && (kind == "Job" || kind == "CronJob"):
		return kind
	}
	return ""
}

func nested(obj *unstructured.Unstructured, fields ...string) (int64, bool) {
	v, found, err := unstructured.NestedFieldNoCopy(obj.Object, fields...)
	if !found || err != nil {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		return int64(n), true
	case int32:
		return int64(n), true
	case int:
		return int64(n), true
	}
	return 0, false
}

func add(dst **int32, v int64) {
	if *dst == nil {
		*dst = ptr.To[int32](0)
	}
	**dst += int32(v)
}

// aggregate counts the placed clusters and those whose copy is up to date
// and, for a workload kind (workloadKind; "" for others), sums the member
// copies' replica or pod counts. Whether the object is ready is
// internal/readiness's to say, for every kind.
func aggregate(kind string, s *scope) *fedtypesv1b1.AggregatedStatus {
	agg := &fedtypesv1b1.AggregatedStatus{Clusters: int32(len(s.selected))}
	for _, name := range s.selected {
		res, ok := s.results[name]
		if !ok {
			continue
		}
		if res.status == fedtypesv1b1.ClusterPropagationOK {
			agg.ReadyClusters++
		}
		if res.member != nil && kind != "" {
			addCounts(kind, res.member, agg)
		}
	}
	return agg
}

// addCounts adds one member workload's counts to agg.
func addCounts(kind string, m *unstructured.Unstructured, agg *fedtypesv1b1.AggregatedStatus) {
	switch kind {
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet":
		ro := readRollout(kind, m)
		add(&agg.Replicas, ro.replicas)
		add(&agg.ReadyReplicas, ro.ready)
		add(&agg.AvailableReplicas, ro.available)
		add(&agg.UpdatedReplicas, ro.updated)
	case "Job":
		active, _ := nested(m, "status", "active")
		succeeded, _ := nested(m, "status", "succeeded")
		failedPods, _ := nested(m, "status", "failed")
		add(&agg.Active, active)
		add(&agg.Succeeded, succeeded)
		add(&agg.Failed, failedPods)
	case "CronJob":
		active, _, _ := unstructured.NestedSlice(m.Object, "status", "active")
		add(&agg.Active, int64(len(active)))
	}
}

// rollout is what the status of a workload with replicas says of them, as
// the aggregated status counts them.
type rollout struct {
	replicas, ready, available, updated int64
}

// readRollout reads the rollout of a Deployment, ReplicaSet, StatefulSet or
// DaemonSet.
func readRollout(kind string, m *unstructured.Unstructured) rollout {
	var ro rollout
	if kind == "DaemonSet" {
		ro.replicas, _ = nested(m, "status", "desiredNumberScheduled")
		ro.ready, _ = nested(m, "status", "numberReady")
		ro.available, _ = nested(m, "status", "numberAvailable")
		ro.updated, _ = nested(m, "status", "updatedNumberScheduled")
		return ro
	}
	ro.replicas, _ = nested(m, "status", "replicas")
	ro.ready, _ = nested(m, "status", "readyReplicas")
	ro.available, _ = nested(m, "status", "availableReplicas")
	ro.updated, _ = nested(m, "status", "updatedReplicas")
	if kind == "ReplicaSet" {
		// ReplicaSets have no rollout: every replica is current.
		ro.updated = ro.replicas
	}
	return ro
}
