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

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/sets"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/placement"
	"github.com/kubefed/kubefed/internal/planner"
)

// checkFeature stops when the SchedulerPreferences feature gate is off.
func (r *Reconciler) checkFeature(_ context.Context, s *scope) error {
	if !s.config.FeatureGateEnabled(fedcorev1b1.SchedulerPreferencesFeature) {
		s.fail(fedschedv1a1.FeatureDisabledReason, "the SchedulerPreferences feature gate is disabled in KubeFedConfig %s/%s", r.Namespace, fedcorev1b1.KubeFedConfigName)
	}
	return nil
}

// readTarget reads the federated workload and the replicas it is planned
// with now.
func (r *Reconciler) readTarget(ctx context.Context, s *scope) error {
	target := &unstructured.Unstructured{}
	target.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(s.rsp.Spec.TargetKind))
	if err := r.Client.Get(ctx, client.ObjectKeyFromObject(s.rsp), target); err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			s.fail(fedschedv1a1.TargetNotFoundReason, "%s does not exist: create it, or name this preference after it", s.describeTarget())
			return nil
		}
		return fmt.Errorf("reading %s: %w", s.describeTarget(), err)
	}
	current, err := currentPlan(target)
	if err != nil {
		s.fail(fedschedv1a1.SchedulingFailedReason, "reading the current replicas of %s: %v", s.describeTarget(), err)
		return nil
	}
	s.target, s.current = target, current
	return nil
}

// selectClusters chooses the clusters replicas may go to: the connected
// members (the clusters sync propagates to), joined as KubeFedClusters,
// within the target's clusterSelector when the preference says so.
func (r *Reconciler) selectClusters(ctx context.Context, s *scope) error {
	list := &fedcorev1b1.KubeFedClusterList{}
	if err := r.Client.List(ctx, list, client.InNamespace(r.Namespace)); err != nil {
		return fmt.Errorf("listing KubeFedClusters in %s: %w", r.Namespace, err)
	}
	connected := sets.New(r.Members.ReadyClusters()...)
	var ready []placement.Cluster
	for _, c := range list.Items {
		if connected.Has(c.Name) {
			ready = append(ready, placement.Cluster{Name: c.Name, Labels: c.Labels})
		} else {
			s.offline = append(s.offline, c.Name)
		}
	}
	names := make([]string, 0, len(ready))
	for _, c := range ready {
		names = append(names, c.Name)
	}
	if s.rsp.Spec.IntersectWithClusterSelector {
		p, err := fedtypesv1b1.GetPlacement(s.target)
		if err != nil {
			s.fail(fedschedv1a1.SchedulingFailedReason, "reading the placement of %s: %v", s.describeTarget(), err)
			return nil
		}
		if p != nil && p.ClusterSelector != nil {
			sel, err := placement.Select(&fedtypesv1b1.Placement{ClusterSelector: p.ClusterSelector}, ready)
			if err != nil {
				s.fail(fedschedv1a1.SchedulingFailedReason, "the clusterSelector of %s: %v", s.describeTarget(), err)
				return nil
			}
			names = sel
		}
	}
	slices.Sort(names)
	slices.Sort(s.offline)
	s.candidates = names
	if len(names) == 0 {
		s.fail(fedschedv1a1.NoClustersReason, "no Ready cluster to place %s in: join clusters or check 'kubectl -n %s get kubefedclusters'", s.describeTarget(), r.Namespace)
	}
	return nil
}

// readCapacity reads what the members were seen able to run; see capacity.
func (r *Reconciler) readCapacity(ctx context.Context, s *scope) error {
	var unavailable bool
	s.capacity, unavailable, s.readErrors = r.capacity(ctx, s.rsp, s.target, s.current)
	if unavailable || len(s.capacity) > 0 || len(s.readErrors) > 0 {
		s.requeueAfter = resyncWhileUnavailable
	}
	return nil
}

// computePlan divides the replicas.
func (r *Reconciler) computePlan(_ context.Context, s *scope) error {
	in := planner.Input{
		Key:           s.rsp.Namespace + "/" + s.rsp.Name,
		TotalReplicas: s.rsp.Spec.TotalReplicas,
		Preferences:   map[string]planner.Preferences{},
		Clusters:      s.candidates,
		Current:       s.current,
		Rebalance:     s.rsp.Spec.Rebalance,
		Capacity:      s.capacity,
	}
	for name, p := range s.rsp.Spec.Clusters {
		in.Preferences[name] = planner.Preferences{MinReplicas: p.MinReplicas, MaxReplicas: p.MaxReplicas, Weight: p.Weight}
	}
	plan, err := planner.Compute(in)
	if err != nil {
		s.fail(fedschedv1a1.SchedulingFailedReason, "invalid preferences: %v", err)
		return nil
	}
	s.plan, s.planned = plan, true
	return nil
}

// applyPlan writes the plan into the target and sets Scheduled=True.
func (r *Reconciler) applyPlan(ctx context.Context, s *scope) error {
	changed, err := r.writePlan(ctx, s.target, s.plan)
	if err != nil {
		// The status keeps the plan that is in the target.
		s.planned = false
		return err
	}
	s.changed = changed
	msg := "planned " + planSummary(s.plan)
	if m := s.plan.Message(); m != "" {
		msg += "; " + m
	}
	if len(s.offline) > 0 {
		msg += fmt.Sprintf("; not Ready, planned elsewhere: %s", strings.Join(s.offline, ", "))
	}
	if len(s.readErrors) > 0 {
		msg += fmt.Sprintf("; could not read the capacity of %s (see status.clusters for what failed): it is not known",
			strings.Join(slices.Sorted(maps.Keys(s.readErrors)), ", "))
	}
	s.condition = metav1.Condition{Status: metav1.ConditionTrue, Reason: fedschedv1a1.ScheduledReason, Message: msg}
	return nil
}

// currentPlan reads the replicas the target is planned with now: its
// /spec/replicas override per placed cluster.
func currentPlan(target *unstructured.Unstructured) (map[string]int64, error) {
	names, err := fedtypesv1b1.GetPlacementClusterNames(target)
	if err != nil {
		return nil, err
	}
	items, err := fedtypesv1b1.GetOverrides(target)
	if err != nil {
		return nil, err
	}
	current := map[string]int64{}
	for _, n := range names {
		for _, o := range fedtypesv1b1.ClusterOverridesFor(items, n) {
			if o.Path == "/spec/replicas" && o.Value != nil {
				var v int64
				if json.Unmarshal(o.Value.Raw, &v) == nil {
					current[n] = v
				}
			}
		}
	}
	return current, nil
}

// writePlan writes the plan into the target: placement.clusters (the
// clusters with replicas) and one /spec/replicas override per cluster,
// other overrides kept. It patches only when something changed.
//
// It follows KubeFed v0.10's scheduler (schedulingtypes.updateOverridesMap)
// so that an object KubeFed scheduled is not rewritten when the plan is the
// same: placement is compared as a set of names, an existing replicas
// override keeps its place and its op and only its value changes, a new one
// is appended without op (applied as replace). Rewriting the overrides in
// another layout would change their hash and write every member copy again.
func (r *Reconciler) writePlan(ctx context.Context, target *unstructured.Unstructured, plan planner.Plan) (bool, error) {
	orig := target.DeepCopy()
	// An empty list, not none: placement.clusters wins over a
	// clusterSelector only when it is set.
	names := []string{}
	replicas := map[string]int64{}
	for _, c := range plan.Clusters {
		if c.Replicas > 0 {
			names = append(names, c.Name)
			replicas[c.Name] = c.Replicas
		}
	}
	current, err := fedtypesv1b1.GetPlacementClusterNames(target)
	if err != nil {
		return false, err
	}
	if current == nil || !slices.Equal(slices.Sorted(slices.Values(current)), slices.Sorted(slices.Values(names))) {
		if err := fedtypesv1b1.SetPlacementClusterNames(target, names); err != nil {
			return false, err
		}
	}
	items, err := fedtypesv1b1.GetOverrides(target)
	if err != nil {
		return false, err
	}
	if overridesNeedUpdate(items, replicas) {
		if err := fedtypesv1b1.SetOverrides(target, planOverrides(items, replicas)); err != nil {
			return false, err
		}
	}
	if equalJSON(orig.Object["spec"], target.Object["spec"]) {
		return false, nil
	}
	if err := r.Client.Patch(ctx, target, client.MergeFrom(orig)); err != nil {
		return false, fmt.Errorf("writing the plan into %s %s/%s: %w", target.GetKind(), target.GetNamespace(), target.GetName(), err)
	}
	ctrl.LoggerFrom(ctx).Info("Wrote replica plan", "plan", planSummary(plan))
	return true, nil
}

// overridesNeedUpdate reports whether the replicas overrides differ from
// the plan: a cluster with a replicas override that the plan does not give
// that number (or gives none), or a planned cluster without one.
func overridesNeedUpdate(items []fedtypesv1b1.GenericOverrideItem, replicas map[string]int64) bool {
	matched := 0
	for _, item := range items {
		for _, o := range item.ClusterOverrides {
			if o.Path != replicasPath {
				continue
			}
			want, planned := replicas[item.ClusterName]
			if !planned || o.Value == nil || string(o.Value.Raw) != fmt.Sprint(want) {
				return true
			}
			matched++
		}
	}
	return matched != len(replicas)
}

// planOverrides returns the overrides with the plan's replicas: existing
// replicas overrides updated in place or dropped, new ones appended (new
// clusters in name order), other overrides and their order kept.
func planOverrides(items []fedtypesv1b1.GenericOverrideItem, replicas map[string]int64) []fedtypesv1b1.GenericOverrideItem {
	out := make([]fedtypesv1b1.GenericOverrideItem, 0, len(items)+len(replicas))
	seen := map[string]bool{}
	for _, item := range items {
		seen[item.ClusterName] = true
		n, planned := replicas[item.ClusterName]
		found := false
		var kept []fedtypesv1b1.ClusterOverride
		for _, o := range item.ClusterOverrides {
			if o.Path == replicasPath {
				if !planned || found {
					continue
				}
				found = true
				o.Value = replicasValue(n)
			}
			kept = append(kept, o)
		}
		if planned && !found {
			kept = append(kept, replicasOverride(n))
		}
		if len(kept) > 0 {
			out = append(out, fedtypesv1b1.GenericOverrideItem{ClusterName: item.ClusterName, ClusterOverrides: kept})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(replicas)) {
		if !seen[name] {
			out = append(out, fedtypesv1b1.GenericOverrideItem{ClusterName: name, ClusterOverrides: []fedtypesv1b1.ClusterOverride{replicasOverride(replicas[name])}})
		}
	}
	return out
}

// replicasPath is the path of the replicas override the scheduler owns.
const replicasPath = "/spec/replicas"

func replicasValue(n int64) *apiextensionsv1.JSON {
	return &apiextensionsv1.JSON{Raw: []byte(fmt.Sprint(n))}
}

// replicasOverride is a new replicas override, written as KubeFed writes
// it: without op, which is applied as replace.
func replicasOverride(n int64) fedtypesv1b1.ClusterOverride {
	return fedtypesv1b1.ClusterOverride{Path: replicasPath, Value: replicasValue(n)}
}
