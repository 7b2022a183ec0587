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
	"k8s.io/apimachinery/pkg/util/sets"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/healthrules"
	"github.com/kubefed/kubefed/internal/readiness"
	"github.com/kubefed/kubefed/internal/statuspatch"
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
	// No optimistic lock: the write memo hands this reconciler its own
	// last write (see internal/statuspatch).
	wrote, err := statuspatch.Patch(ctx, r.Client, s.fedObj, orig, statuspatch.None)
	if err != nil {
		return fmt.Errorf("writing the status of %s: %w", s.describe(), err)
	}
	if !wrote {
		return nil
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
	statusFieldReadiness        = "status.clusters[].readiness"
	statusFieldReadinessMessage = "status.clusters[].readinessMessage"
)

// clusterStatusFields are the fields of status.clusters[] that kubefed adds
// to KubeFed's status schema: how to read each and how to clear it.
var clusterStatusFields = []struct {
	name  string
	value func(*fedtypesv1b1.GenericClusterStatus) string
	clear func(*fedtypesv1b1.GenericClusterStatus)
}{
	{statusFieldClusterMessage,
		func(c *fedtypesv1b1.GenericClusterStatus) string { return c.Message },
		func(c *fedtypesv1b1.GenericClusterStatus) { c.Message = "" }},
	{statusFieldReadiness,
		func(c *fedtypesv1b1.GenericClusterStatus) string { return string(c.Readiness) },
		func(c *fedtypesv1b1.GenericClusterStatus) { c.Readiness = "" }},
	{statusFieldReadinessMessage,
		func(c *fedtypesv1b1.GenericClusterStatus) string { return c.ReadinessMessage },
		func(c *fedtypesv1b1.GenericClusterStatus) { c.ReadinessMessage = "" }},
}

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
	for _, f := range clusterStatusFields {
		for i := range written.Clusters {
			c := &written.Clusters[i]
			if sc := stored.GetCluster(c.Name); f.value(c) != "" && sc != nil && f.value(sc) == "" {
				out = append(out, f.name)
				break
			}
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
		default:
			for _, cf := range clusterStatusFields {
				if cf.name != f {
					continue
				}
				for i := range status.Clusters {
					cf.clear(&status.Clusters[i])
				}
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
// cluster with an outcome and its copy's readiness, the readiness
// conditions (Ready, and Reconciling or Stalled while True; see
// internal/readiness) and the aggregated counts (replicas for workloads).
// Times are carried over from the old status unless the condition changed,
// so that an unchanged outcome yields an identical status.
func (r *Reconciler) computeStatus(s *scope) *fedtypesv1b1.GenericFederatedStatus {
	status := &fedtypesv1b1.GenericFederatedStatus{ObservedGeneration: s.fedObj.GetGeneration()}
	collect := r.TypeConfig.GetStatusEnabled() && s.config.FeatureGateEnabled(fedcorev1b1.RawResourceStatusCollectionFeature)
	checker := r.readinessChecker()
	placed := sets.New(s.selected...)
	obj := readiness.Object{Reason: s.reason, Message: s.message}

	var failed, waiting []string
	for _, name := range slices.Sorted(maps.Keys(s.results)) {
		res := s.results[name]
		copyReady := r.copyReadiness(checker, s, res)
		cs := fedtypesv1b1.GenericClusterStatus{Name: name, Status: res.status, Message: res.message,
			Readiness: copyReady.Status, ReadinessMessage: copyReady.Message}
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
		// A placed cluster whose wave has not come yet runs an older
		// revision: the object is not rolled out there yet. (A failed
		// write or a cluster not ready says so itself.)
		waits := placed.Has(name) && res.status == fedtypesv1b1.ClusterPropagationOK && s.rollout.waits(name)
		if waits {
			waiting = append(waiting, name)
		}
		obj.Clusters = append(obj.Clusters, readiness.Cluster{Name: name, Placed: placed.Has(name), Propagated: true, Waiting: waits,
			Propagation: res.status, Detail: res.message, Refused: res.refused, Readiness: copyReady})
	}
	obj.Rollout = s.rollout.readiness(waiting)
	for _, name := range s.selected {
		if _, ok := s.results[name]; !ok {
			obj.Clusters = append(obj.Clusters, readiness.Cluster{Name: name, Placed: true})
		}
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
	conds := readiness.Aggregate(obj)
	status.Conditions = append(status.Conditions, r.carryTimes(s, conds.Ready))
	for _, c := range []*fedtypesv1b1.GenericCondition{conds.Reconciling, conds.Stalled} {
		if c != nil {
			status.Conditions = append(status.Conditions, r.carryTimes(s, *c))
		}
	}

	if s.reason == "" {
		// Every kind reports how many clusters it is placed in and how
		// many are up to date (the Clusters printer column); workloads
		// sum their replicas too.
		status.AggregatedStatus = aggregate(workloadKind(r.targetGVK().Group, r.targetGVK().Kind), s)
	}
	setRolloutStatus(s, status)
	if len(status.Clusters) == 0 {
		status.Clusters = nil
	}
	return status
}

// healthRules holds the compiled health rules of every type.
var healthRules = healthrules.NewCache()

// readinessChecker returns what computes the readiness of the type's
// member copies: kstatus's rules and the type's health rules, if any.
func (r *Reconciler) readinessChecker() readiness.Checker {
	rules, err := healthRules.Get(r.TypeConfig.Spec.Health)
	return readiness.Checker{TypeConfig: r.TypeConfig.Name, Rules: rules, RulesErr: err}
}

// copyReadiness returns the readiness of the copy a cluster's outcome
// holds; without a copy, what the outcome says of it.
func (r *Reconciler) copyReadiness(checker readiness.Checker, s *scope, res *clusterResult) readiness.Result {
	switch {
	case res.member != nil:
		return checker.Copy(res.member)
	case res.status == fedtypesv1b1.ClusterPropagationOK && r.skipsNamespaceObject(s):
		return readiness.Result{Status: fedtypesv1b1.ReadinessCurrent,
			Message: fmt.Sprintf("every cluster has namespace %s: kubefed neither creates nor deletes it", s.fedObj.GetName())}
	case res.status == fedtypesv1b1.CreationFailed:
		return readiness.Result{Status: fedtypesv1b1.ReadinessNotFound, Message: "the copy could not be created"}
	case res.status == fedtypesv1b1.WaitingForRemoval:
		return readiness.Result{Status: fedtypesv1b1.ReadinessTerminating, Message: "the copy was deleted; waiting for it to be gone"}
	case res.status == fedtypesv1b1.ClusterNotReady:
		return readiness.Result{Status: fedtypesv1b1.ReadinessUnknown, Message: "the cluster is not ready"}
	case res.status == fedtypesv1b1.ClusterPropagationOK:
		return readiness.Result{Status: fedtypesv1b1.ReadinessNotFound, Message: "there is no copy"}
	}
	return readiness.Result{Status: fedtypesv1b1.ReadinessUnknown, Message: fmt.Sprintf("the copy was not read (%s)", res.status)}
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
