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
	"cmp"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
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

// aggregate sums the member statuses of a workload and decides its Ready
// condition (nil for kinds without readiness, CronJob).
func aggregate(kind string, s *scope) (*fedtypesv1b1.AggregatedStatus, *fedtypesv1b1.GenericCondition) {
	agg := &fedtypesv1b1.AggregatedStatus{Clusters: int32(len(s.selected))}
	var notReady []string
	for _, name := range s.selected {
		res, ok := s.results[name]
		if !ok {
			notReady = append(notReady, name+" (not propagated)")
			continue
		}
		if res.status == fedtypesv1b1.ClusterPropagationOK {
			agg.ReadyClusters++
		}
		m := res.member
		if m == nil {
			notReady = append(notReady, fmt.Sprintf("%s (%s)", name, cmp.Or(string(res.status), "no member object")))
			continue
		}
		if why := memberNotReady(kind, m, agg); why != "" {
			notReady = append(notReady, fmt.Sprintf("%s (%s)", name, why))
		}
	}
	if kind == "CronJob" {
		return agg, nil
	}
	cond := &fedtypesv1b1.GenericCondition{Type: fedtypesv1b1.WorkloadReadyConditionType, Status: corev1.ConditionTrue, Reason: fedtypesv1b1.WorkloadReady}
	if len(notReady) > 0 || len(s.selected) == 0 {
		cond.Status, cond.Reason = corev1.ConditionFalse, fedtypesv1b1.WorkloadNotReady
		cond.Message = "not ready in: " + strings.Join(notReady, ", ")
		if len(s.selected) == 0 {
			cond.Message = "the workload is not placed in any cluster"
		}
	}
	return agg, cond
}

// memberNotReady adds one member's counts to agg and returns why the member
// workload is not ready ("" when it is).
func memberNotReady(kind string, m *unstructured.Unstructured, agg *fedtypesv1b1.AggregatedStatus) string {
	switch kind {
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet":
		ro := readRollout(kind, m)
		add(&agg.Replicas, ro.replicas)
		add(&agg.ReadyReplicas, ro.ready)
		add(&agg.AvailableReplicas, ro.available)
		add(&agg.UpdatedReplicas, ro.updated)
		observed, _ := nested(m, "status", "observedGeneration")
		switch {
		case observed < m.GetGeneration():
			return "rollout not observed yet"
		case ro.ready < ro.desired:
			return fmt.Sprintf("%d/%d ready", ro.ready, ro.desired)
		case ro.hasUpdated && ro.updated < ro.desired:
			return fmt.Sprintf("%d/%d updated", ro.updated, ro.desired)
		}
	case "Job":
		active, _ := nested(m, "status", "active")
		succeeded, _ := nested(m, "status", "succeeded")
		failedPods, _ := nested(m, "status", "failed")
		add(&agg.Active, active)
		add(&agg.Succeeded, succeeded)
		add(&agg.Failed, failedPods)
		completions, ok := nested(m, "spec", "completions")
		if !ok {
			completions = 1
		}
		if succeeded < completions {
			return fmt.Sprintf("%d/%d completions", succeeded, completions)
		}
	case "CronJob":
		active, _, _ := unstructured.NestedSlice(m.Object, "status", "active")
		add(&agg.Active, int64(len(active)))
	}
	return ""
}

// rollout is what the status of a workload with replicas says of them.
type rollout struct {
	// desired is the number of replicas wanted; replicas the number
	// counted in the aggregated status.
	desired, replicas, ready, available, updated int64
	// hasUpdated is false when the member reported no updated count.
	hasUpdated bool
}

// readRollout reads the rollout of a Deployment, ReplicaSet, StatefulSet or
// DaemonSet.
func readRollout(kind string, m *unstructured.Unstructured) rollout {
	if kind == "DaemonSet" {
		desired, _ := nested(m, "status", "desiredNumberScheduled")
		ready, _ := nested(m, "status", "numberReady")
		available, _ := nested(m, "status", "numberAvailable")
		updated, _ := nested(m, "status", "updatedNumberScheduled")
		return rollout{desired: desired, replicas: desired, ready: ready, available: available, updated: updated, hasUpdated: true}
	}
	desired, ok := nested(m, "spec", "replicas")
	if !ok {
		desired = 1
	}
	var ro rollout
	ro.desired = desired
	ro.replicas, _ = nested(m, "status", "replicas")
	ro.ready, _ = nested(m, "status", "readyReplicas")
	ro.available, _ = nested(m, "status", "availableReplicas")
	ro.updated, ro.hasUpdated = nested(m, "status", "updatedReplicas")
	if kind == "ReplicaSet" {
		// ReplicaSets have no rollout: every replica is current.
		ro.updated, ro.hasUpdated = ro.replicas, true
	}
	return ro
}
