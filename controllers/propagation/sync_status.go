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
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// writeStatus computes the status from the scope and writes it with one
// patch, only when it changed.
func (r *Reconciler) writeStatus(ctx context.Context, s *scope) error {
	status := r.computeStatus(s)
	// Fields the federated type's CRD does not keep are not written: they
	// would make every status differ from the stored one, and so write
	// (and warn) on every reconcile.
	stripStatusFields(status, r.pruning.fields())
	if reflect.DeepEqual(status, s.oldStatus) {
		return nil
	}
	orig := s.fedObj.DeepCopy()
	if err := fedtypesv1b1.SetStatus(s.fedObj, status); err != nil {
		return err
	}
	if err := r.Client.Status().Patch(ctx, s.fedObj, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("writing the status of %s: %w", s.describe(), err)
	}
	r.memo.wroteObject(client.ObjectKeyFromObject(s.fedObj), orig.GetResourceVersion(), s.fedObj.GetResourceVersion())
	if stored, err := fedtypesv1b1.GetStatus(s.fedObj); err == nil {
		if pruned := prunedStatusFields(status, stored); len(pruned) > 0 {
			r.notePruned(ctx, pruned)
		}
	}
	return nil
}

// Status fields that kubefed adds to KubeFed's status schema, which
// Federated<Kind> CRDs made by KubeFed's tooling do not have.
const (
	statusFieldAggregated       = "status.aggregatedStatus"
	statusFieldConditionMessage = "status.conditions[].message"
	statusFieldClusterMessage   = "status.clusters[].message"
)

// prunedStatusFields returns the fields that were written but that the API
// server did not store: the CRD's status schema lacks them.
func prunedStatusFields(written, stored *fedtypesv1b1.GenericFederatedStatus) []string {
	var out []string
	if written.AggregatedStatus != nil && stored.AggregatedStatus == nil {
		out = append(out, statusFieldAggregated)
	}
	for _, c := range written.Conditions {
		if sc := stored.GetCondition(c.Type); c.Message != "" && sc != nil && sc.Message == "" {
			out = append(out, statusFieldConditionMessage)
			break
		}
	}
	for _, c := range written.Clusters {
		if sc := stored.GetCluster(c.Name); c.Message != "" && sc != nil && sc.Message == "" {
			out = append(out, statusFieldClusterMessage)
			break
		}
	}
	return out
}

// stripStatusFields removes fields (as named by prunedStatusFields) from
// status.
func stripStatusFields(status *fedtypesv1b1.GenericFederatedStatus, fields []string) {
	for _, f := range fields {
		switch f {
		case statusFieldAggregated:
			status.AggregatedStatus = nil
		case statusFieldConditionMessage:
			for i := range status.Conditions {
				status.Conditions[i].Message = ""
			}
		case statusFieldClusterMessage:
			for i := range status.Clusters {
				status.Clusters[i].Message = ""
			}
		}
	}
}

// statusPruning remembers the status fields the type's CRD drops; shared by
// the reconciler's workers.
type statusPruning struct {
	mu     sync.Mutex
	pruned []string
}

func (p *statusPruning) fields() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pruned
}

// add records fields and returns the ones that are new.
func (p *statusPruning) add(fields []string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var added []string
	for _, f := range fields {
		if !slices.Contains(p.pruned, f) {
			p.pruned = append(p.pruned, f)
			added = append(added, f)
		}
	}
	return added
}

// notePruned warns, once per field and type, that the federated type's CRD
// drops status fields, and reports it to whoever runs the controller (the
// FederatedTypeConfig says so).
func (r *Reconciler) notePruned(ctx context.Context, fields []string) {
	if len(r.pruning.add(fields)) == 0 {
		return
	}
	all := r.pruning.fields()
	ctrl.LoggerFrom(ctx).Info("Warning: the status schema of the federated type's CRD drops fields kubefed writes; they are no longer written for this type",
		"type", r.TypeConfig.Name, "fields", all)
	if r.OnStatusFieldsPruned != nil {
		r.OnStatusFieldsPruned(slices.Clone(all))
	}
}

// computeStatus builds the status: Propagation condition, one entry per
// cluster with an outcome, and for workloads the aggregated replica counts
// and the Ready condition. Times are carried over from the old status
// unless the condition changed, so that an unchanged outcome yields an
// identical status.
func (r *Reconciler) computeStatus(s *scope) *fedtypesv1b1.GenericFederatedStatus {
	status := &fedtypesv1b1.GenericFederatedStatus{ObservedGeneration: s.fedObj.GetGeneration()}
	collect := r.TypeConfig.GetStatusEnabled() && s.config.FeatureGateEnabled(fedcorev1b1.RawResourceStatusCollectionFeature)

	var failed []string
	for _, name := range slices.Sorted(maps.Keys(s.results)) {
		res := s.results[name]
		cs := fedtypesv1b1.GenericClusterStatus{Name: name, Status: res.status, Message: res.message}
		if collect && res.member != nil {
			if remote, found, _ := unstructured.NestedFieldNoCopy(res.member.Object, "status"); found {
				if raw, err := json.Marshal(remote); err == nil {
					cs.RemoteStatus = &apiextensionsv1.JSON{Raw: raw}
				}
			}
		}
		if res.status != fedtypesv1b1.ClusterPropagationOK {
			failed = append(failed, fmt.Sprintf("%s: %s", name, res.status))
		}
		status.Clusters = append(status.Clusters, cs)
	}

	propagation := fedtypesv1b1.GenericCondition{Type: fedtypesv1b1.PropagationConditionType, Status: corev1.ConditionTrue}
	switch {
	case s.reason != "":
		propagation.Status, propagation.Reason, propagation.Message = corev1.ConditionFalse, s.reason, s.message
	case len(failed) > 0:
		propagation.Status, propagation.Reason = corev1.ConditionFalse, fedtypesv1b1.CheckClusters
		propagation.Message = fmt.Sprintf("not propagated to %d of %d clusters (%s): see status.clusters", len(failed), len(s.results), strings.Join(failed, ", "))
	}
	status.Conditions = append(status.Conditions, r.carryTimes(s, propagation))

	if kind := workloadKind(r.targetGVK().Group, r.targetGVK().Kind); kind != "" && s.reason == "" {
		agg, ready := aggregate(kind, s)
		status.AggregatedStatus = agg
		if ready != nil {
			status.Conditions = append(status.Conditions, r.carryTimes(s, *ready))
		}
	} else if s.reason == "" {
		// Every kind reports how many clusters it is placed in and how
		// many are up to date (the Clusters printer column).
		status.AggregatedStatus = &fedtypesv1b1.AggregatedStatus{Clusters: int32(len(s.selected))}
		for _, c := range s.selected {
			if res := s.results[c]; res != nil && res.status == fedtypesv1b1.ClusterPropagationOK {
				status.AggregatedStatus.ReadyClusters++
			}
		}
	}
	if len(status.Clusters) == 0 {
		status.Clusters = nil
	}
	return status
}

// carryTimes sets the condition's times: those of the old condition of the
// same type when nothing but time changed, else now (lastTransitionTime
// only moves when status or reason change).
func (r *Reconciler) carryTimes(s *scope, c fedtypesv1b1.GenericCondition) fedtypesv1b1.GenericCondition {
	now := s.started.UTC().Format(time.RFC3339)
	old := s.oldStatus.GetCondition(c.Type)
	if old == nil {
		c.LastUpdateTime, c.LastTransitionTime = now, now
		return c
	}
	c.LastTransitionTime = old.LastTransitionTime
	if old.Status != c.Status || old.Reason != c.Reason {
		c.LastTransitionTime = now
	}
	c.LastUpdateTime = old.LastUpdateTime
	// A message the CRD drops is never stored: comparing it with the
	// stored one would move the time, and so write, on every reconcile.
	messageChanged := old.Message != c.Message && !slices.Contains(r.pruning.fields(), statusFieldConditionMessage)
	if old.Status != c.Status || old.Reason != c.Reason || messageChanged || s.oldStatus.ObservedGeneration != s.fedObj.GetGeneration() {
		c.LastUpdateTime = now
	}
	return c
}

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
