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
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	"github.com/kubefed/kubefed/internal/conditions"
	"github.com/kubefed/kubefed/internal/eventnote"
	"github.com/kubefed/kubefed/internal/planner"
	"github.com/kubefed/kubefed/internal/statuspatch"
)

// writeStatus records the scope's outcome in the preference's status and
// patches it when it changed. It reports a conflict (the preference changed
// since it was read) rather than failing: the caller plans again.
func (r *Reconciler) writeStatus(ctx context.Context, s *scope) (conflict bool, err error) {
	rsp := s.rsp
	if s.planned {
		r.recordStatus(rsp, s.plan, s.capacity, s.readErrors, s.offline, s.current)
	}
	if s.condition.Reason != "" {
		setScheduledCondition(rsp, s.condition)
	}
	rsp.Status.ObservedGeneration = rsp.Generation
	// Optimistic lock (the statuspatch rule): the status holds observed
	// capacities that a plan computed from a stale read must not
	// overwrite; a conflict reads again.
	if _, err := statuspatch.Patch(ctx, r.Client, rsp, s.orig, statuspatch.Optimistic); err != nil {
		switch {
		case apierrors.IsNotFound(err):
			return false, nil
		case apierrors.IsConflict(err):
			return true, nil
		}
		return false, fmt.Errorf("writing the status of ReplicaSchedulingPreference %s/%s: %w", rsp.Namespace, rsp.Name, err)
	}
	return false, nil
}

// setScheduledCondition sets the Scheduled condition for the current
// generation.
func setScheduledCondition(rsp *fedschedv1a1.ReplicaSchedulingPreference, cond metav1.Condition) {
	cond.Type = fedschedv1a1.ScheduledCondition
	conditions.Set(&rsp.Status.Conditions, rsp.Generation, cond)
}

// The actions of the events on a preference (the events.k8s.io/v1 API
// requires one): a plan written, a member's Pods read.
const (
	eventActionSchedule   = "Schedule"
	eventActionReadMember = "ReadMemberPods"
)

// recordEvents records what changed: a new plan written, a member whose
// Pods could not be read (once per new message, not on every retry).
func (r *Reconciler) recordEvents(s *scope) {
	if r.Recorder == nil {
		return
	}
	if s.changed {
		r.Recorder.Eventf(s.rsp, nil, corev1.EventTypeNormal, fedschedv1a1.ScheduledEventReason, eventActionSchedule, "%s", eventnote.Format("Planned %s", planSummary(s.plan)))
	}
	previous := map[string]string{}
	for _, c := range s.orig.Status.Clusters {
		previous[c.Name] = c.Message
	}
	for _, cluster := range slices.Sorted(maps.Keys(s.readErrors)) {
		if msg := s.readErrors[cluster]; previous[cluster] != msg {
			r.Recorder.Eventf(s.rsp, nil, corev1.EventTypeWarning, fedschedv1a1.MemberReadFailedEventReason, eventActionReadMember, "%s", eventnote.Format("%s", msg))
		}
	}
}

// recordStatus records the plan, reasons, capacities and member read errors
// in the status.
func (r *Reconciler) recordStatus(rsp *fedschedv1a1.ReplicaSchedulingPreference, plan planner.Plan, capacity map[string]int64, readErrors map[string]string, offline []string, current map[string]int64) {
	previous := map[string]fedschedv1a1.ClusterReplicas{}
	for _, c := range rsp.Status.Clusters {
		previous[c.Name] = c
	}
	var out []fedschedv1a1.ClusterReplicas
	for _, c := range plan.Clusters {
		cr := fedschedv1a1.ClusterReplicas{Name: c.Name, Replicas: c.Replicas, Ideal: c.Ideal, Reason: string(c.Reason), Message: readErrors[c.Name]}
		if n, ok := capacity[c.Name]; ok {
			cr.Capacity = &n
			// A capacity is kept from the time it was observed; a new
			// observation (a different value) starts the time again.
			if prev := previous[c.Name]; prev.Capacity != nil && *prev.Capacity == n && prev.CapacityObservedTime != nil {
				cr.CapacityObservedTime = prev.CapacityObservedTime
			} else {
				cr.CapacityObservedTime = &metav1.Time{Time: r.now()}
			}
		}
		out = append(out, cr)
	}
	// A cluster that had replicas and is not Ready is listed while it stays
	// so: its replicas were planned elsewhere, but its copy may still run.
	for _, name := range offline {
		if current[name] > 0 || previous[name].Reason == fedschedv1a1.ClusterOfflineReason {
			out = append(out, fedschedv1a1.ClusterReplicas{Name: name, Replicas: 0, Reason: fedschedv1a1.ClusterOfflineReason, Message: readErrors[name]})
		}
	}
	slices.SortFunc(out, func(a, b fedschedv1a1.ClusterReplicas) int { return strings.Compare(a.Name, b.Name) })
	rsp.Status.Clusters = out
}

func planSummary(plan planner.Plan) string {
	var parts []string
	for _, c := range plan.Clusters {
		if c.Replicas > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", c.Name, c.Replicas))
		}
	}
	if len(parts) == 0 {
		return "no replicas"
	}
	return strings.Join(parts, " ")
}

func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
