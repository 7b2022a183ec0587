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
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/placement"
	"github.com/kubefed/kubefed/internal/planner"
)

// Defaults of the Reconciler's tunables.
const (
	// DefaultUnschedulableWindow is how long Pods must stay Pending as
	// Unschedulable before their replicas count as missing capacity.
	DefaultUnschedulableWindow = 60 * time.Second
	// DefaultCapacityTTL is how long an observed capacity is kept before
	// the cluster is given its full share again.
	DefaultCapacityTTL = 10 * time.Minute
	// resyncWhileUnavailable re-checks a workload with unavailable
	// replicas for unschedulable Pods.
	resyncWhileUnavailable = 15 * time.Second
)

// MemberReader lists objects in a member cluster; clustercache implements
// it.
type MemberReader interface {
	GetClient(ctx context.Context, cluster string) (client.Client, error)
}

// +kubebuilder:rbac:groups=scheduling.kubefed.io,resources=replicaschedulingpreferences,verbs=get;list;watch
// +kubebuilder:rbac:groups=scheduling.kubefed.io,resources=replicaschedulingpreferences/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=types.kubefed.io,resources=federateddeployments;federatedreplicasets,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=core.kubefed.io,resources=kubefedclusters;kubefedconfigs,verbs=get;list;watch

// Reconciler plans the replicas of ReplicaSchedulingPreferences.
type Reconciler struct {
	// Client reads and writes the host cluster.
	Client client.Client
	// Members reads member clusters (Pods of scheduled workloads).
	Members MemberReader
	// Namespace is the control-plane namespace.
	Namespace string
	// Recorder records events on the preferences.
	Recorder record.EventRecorder
	// UnschedulableWindow and CapacityTTL: see the defaults.
	UnschedulableWindow time.Duration
	CapacityTTL         time.Duration
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// SetupWithManager registers the reconciler and its watches: the
// preferences, their targets, and KubeFedClusters (any readiness change
// re-plans every preference at once).
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	target := func(kind string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(kind))
		return u
	}
	sameName := handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []ctrl.Request {
		return []ctrl.Request{{NamespacedName: client.ObjectKeyFromObject(o)}}
	})
	return ctrl.NewControllerManagedBy(mgr).
		For(&fedschedv1a1.ReplicaSchedulingPreference{}).
		Named("replicaschedulingpreference").
		Watches(target(fedschedv1a1.TargetKindFederatedDeployment), sameName, builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})).
		Watches(target(fedschedv1a1.TargetKindFederatedReplicaSet), sameName).
		Watches(&fedcorev1b1.KubeFedCluster{}, handler.EnqueueRequestsFromMapFunc(r.clusterToPreferences)).
		Complete(r)
}

func (r *Reconciler) clusterToPreferences(ctx context.Context, _ client.Object) []ctrl.Request {
	list := &fedschedv1a1.ReplicaSchedulingPreferenceList{}
	if err := r.Client.List(ctx, list); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Could not list ReplicaSchedulingPreferences after a cluster change")
		return nil
	}
	out := make([]ctrl.Request, 0, len(list.Items))
	for i := range list.Items {
		out = append(out, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
	}
	return out
}

func (r *Reconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Reconcile plans one preference's replicas and writes the plan into its
// target.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	rsp := &fedschedv1a1.ReplicaSchedulingPreference{}
	if err := r.Client.Get(ctx, req.NamespacedName, rsp); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	orig := rsp.DeepCopy()
	res, cond, err := r.schedule(ctx, rsp)
	cond.Type = fedschedv1a1.ScheduledCondition
	cond.ObservedGeneration = rsp.Generation
	meta.SetStatusCondition(&rsp.Status.Conditions, cond)
	rsp.Status.ObservedGeneration = rsp.Generation
	if !equalJSON(orig.Status, rsp.Status) {
		// Optimistic locking: the status holds observed capacities that a
		// plan computed from a stale read must not overwrite; a conflict
		// reads again.
		if perr := r.Client.Status().Patch(ctx, rsp, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); perr != nil && !apierrors.IsNotFound(perr) {
			if apierrors.IsConflict(perr) {
				return ctrl.Result{RequeueAfter: time.Second}, nil
			}
			return ctrl.Result{}, fmt.Errorf("writing the status of ReplicaSchedulingPreference %s: %w", req, perr)
		}
	}
	return res, err
}

// schedule computes and applies the plan, returning the Scheduled condition.
func (r *Reconciler) schedule(ctx context.Context, rsp *fedschedv1a1.ReplicaSchedulingPreference) (ctrl.Result, metav1.Condition, error) {
	cfg := &fedcorev1b1.KubeFedConfig{}
	if err := r.Client.Get(ctx, types.NamespacedName{Namespace: r.Namespace, Name: fedcorev1b1.KubeFedConfigName}, cfg); err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, metav1.Condition{}, err
	}
	if !cfg.Spec.FeatureGateEnabled(fedcorev1b1.SchedulerPreferencesFeature) {
		return ctrl.Result{}, failed(fedschedv1a1.FeatureDisabledReason, "the SchedulerPreferences feature gate is disabled in KubeFedConfig %s/%s", r.Namespace, fedcorev1b1.KubeFedConfigName), nil
	}

	target := &unstructured.Unstructured{}
	target.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(rsp.Spec.TargetKind))
	if err := r.Client.Get(ctx, client.ObjectKeyFromObject(rsp), target); err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return ctrl.Result{}, failed(fedschedv1a1.TargetNotFoundReason, "%s %s/%s does not exist: create it, or name this preference after it", rsp.Spec.TargetKind, rsp.Namespace, rsp.Name), nil
		}
		return ctrl.Result{}, metav1.Condition{}, err
	}

	candidates, offline, err := r.candidates(ctx, rsp, target)
	if err != nil {
		return ctrl.Result{}, failed(fedschedv1a1.SchedulingFailedReason, "%v", err), nil
	}
	if len(candidates) == 0 {
		return ctrl.Result{}, failed(fedschedv1a1.NoClustersReason, "no Ready cluster to place %s %s/%s in: join clusters or check 'kubectl -n %s get kubefedclusters'", rsp.Spec.TargetKind, rsp.Namespace, rsp.Name, r.Namespace), nil
	}

	current, err := currentPlan(target)
	if err != nil {
		return ctrl.Result{}, failed(fedschedv1a1.SchedulingFailedReason, "reading the current replicas of %s %s/%s: %v", rsp.Spec.TargetKind, rsp.Namespace, rsp.Name, err), nil
	}
	capacity, unavailable := r.capacity(ctx, rsp, target, current)

	in := planner.Input{
		Key:           rsp.Namespace + "/" + rsp.Name,
		TotalReplicas: rsp.Spec.TotalReplicas,
		Preferences:   map[string]planner.Preferences{},
		Clusters:      candidates,
		Current:       current,
		Rebalance:     rsp.Spec.Rebalance,
		Capacity:      capacity,
	}
	for name, p := range rsp.Spec.Clusters {
		in.Preferences[name] = planner.Preferences{MinReplicas: p.MinReplicas, MaxReplicas: p.MaxReplicas, Weight: p.Weight}
	}
	plan, err := planner.Compute(in)
	if err != nil {
		return ctrl.Result{}, failed(fedschedv1a1.SchedulingFailedReason, "invalid preferences: %v", err), nil
	}

	changed, err := r.applyPlan(ctx, target, plan)
	if err != nil {
		return ctrl.Result{}, metav1.Condition{}, err
	}
	r.recordStatus(rsp, plan, capacity, offline, current)
	if changed && r.Recorder != nil {
		r.Recorder.Eventf(rsp, corev1.EventTypeNormal, "Scheduled", "Planned %s", planSummary(plan))
	}
	res := ctrl.Result{}
	if unavailable || len(capacity) > 0 {
		res.RequeueAfter = resyncWhileUnavailable
	}
	msg := "planned " + planSummary(plan)
	if m := plan.Message(); m != "" {
		msg += "; " + m
	}
	if len(offline) > 0 {
		msg += fmt.Sprintf("; not Ready, planned elsewhere: %s", strings.Join(offline, ", "))
	}
	return res, metav1.Condition{Status: metav1.ConditionTrue, Reason: fedschedv1a1.ScheduledReason, Message: msg}, nil
}

func failed(reason, format string, args ...any) metav1.Condition {
	return metav1.Condition{Status: metav1.ConditionFalse, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// candidates returns the Ready clusters the target may be placed in, and
// the joined clusters that are not Ready.
func (r *Reconciler) candidates(ctx context.Context, rsp *fedschedv1a1.ReplicaSchedulingPreference, target *unstructured.Unstructured) ([]string, []string, error) {
	list := &fedcorev1b1.KubeFedClusterList{}
	if err := r.Client.List(ctx, list, client.InNamespace(r.Namespace)); err != nil {
		return nil, nil, err
	}
	var ready []placement.Cluster
	var offline []string
	for _, c := range list.Items {
		if clusterReady(&c) {
			ready = append(ready, placement.Cluster{Name: c.Name, Labels: c.Labels})
		} else {
			offline = append(offline, c.Name)
		}
	}
	names := make([]string, 0, len(ready))
	for _, c := range ready {
		names = append(names, c.Name)
	}
	if rsp.Spec.IntersectWithClusterSelector {
		p, err := fedtypesv1b1.GetPlacement(target)
		if err != nil {
			return nil, nil, err
		}
		if p != nil && p.ClusterSelector != nil {
			sel, err := placement.Select(&fedtypesv1b1.Placement{ClusterSelector: p.ClusterSelector}, ready)
			if err != nil {
				return nil, nil, err
			}
			names = sel
		}
	}
	slices.Sort(names)
	slices.Sort(offline)
	return names, offline, nil
}

func clusterReady(c *fedcorev1b1.KubeFedCluster) bool {
	for _, cond := range c.Status.Conditions {
		if cond.Type == fedcorev1b1.ClusterReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
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

// applyPlan writes the plan into the target: placement.clusters (the
// clusters with replicas) and one /spec/replicas override per cluster,
// other overrides kept. It patches only when something changed.
func (r *Reconciler) applyPlan(ctx context.Context, target *unstructured.Unstructured, plan planner.Plan) (bool, error) {
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
	items, err := fedtypesv1b1.GetOverrides(target)
	if err != nil {
		return false, err
	}
	var out []fedtypesv1b1.GenericOverrideItem
	seen := map[string]bool{}
	for _, item := range items {
		seen[item.ClusterName] = true
		var kept []fedtypesv1b1.ClusterOverride
		for _, o := range item.ClusterOverrides {
			if o.Path != "/spec/replicas" {
				kept = append(kept, o)
			}
		}
		if n, ok := replicas[item.ClusterName]; ok {
			kept = append(kept, replicasOverride(n))
		}
		if len(kept) > 0 {
			out = append(out, fedtypesv1b1.GenericOverrideItem{ClusterName: item.ClusterName, ClusterOverrides: kept})
		}
	}
	for _, n := range names {
		if !seen[n] {
			out = append(out, fedtypesv1b1.GenericOverrideItem{ClusterName: n, ClusterOverrides: []fedtypesv1b1.ClusterOverride{replicasOverride(replicas[n])}})
		}
	}
	slices.SortStableFunc(out, func(a, b fedtypesv1b1.GenericOverrideItem) int { return strings.Compare(a.ClusterName, b.ClusterName) })
	if err := fedtypesv1b1.SetOverrides(target, out); err != nil {
		return false, err
	}
	if err := fedtypesv1b1.SetPlacementClusterNames(target, names); err != nil {
		return false, err
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

func replicasOverride(n int64) fedtypesv1b1.ClusterOverride {
	return fedtypesv1b1.ClusterOverride{Op: fedtypesv1b1.OverrideOpReplace, Path: "/spec/replicas",
		Value: &apiextensionsv1.JSON{Raw: []byte(fmt.Sprint(n))}}
}

// capacity returns, per cluster, the replicas it was seen able to run
// (clusters that kept Pods unschedulable past the window, and observations
// still within the TTL), and whether any cluster reports unavailable
// replicas (worth checking again soon).
func (r *Reconciler) capacity(ctx context.Context, rsp *fedschedv1a1.ReplicaSchedulingPreference, target *unstructured.Unstructured, current map[string]int64) (map[string]int64, bool) {
	now := r.now()
	ttl := orDuration(r.CapacityTTL, DefaultCapacityTTL)
	window := orDuration(r.UnschedulableWindow, DefaultUnschedulableWindow)
	capacity := map[string]int64{}
	for _, c := range rsp.Status.Clusters {
		if c.Capacity != nil && c.CapacityObservedTime != nil && now.Sub(c.CapacityObservedTime.Time) < ttl {
			capacity[c.Name] = *c.Capacity
		}
	}
	status, _ := fedtypesv1b1.GetStatus(target)
	if status == nil {
		return capacity, false
	}
	unavailable := false
	selector, err := podSelector(target)
	if err != nil {
		return capacity, false
	}
	for _, cs := range status.Clusters {
		if cs.RemoteStatus == nil {
			continue
		}
		var remote struct {
			Replicas          int64 `json:"replicas"`
			AvailableReplicas int64 `json:"availableReplicas"`
		}
		if json.Unmarshal(cs.RemoteStatus.Raw, &remote) != nil || remote.AvailableReplicas >= current[cs.Name] {
			continue
		}
		unavailable = true
		stuck, scheduled, err := r.unschedulablePods(ctx, cs.Name, rsp.Namespace, selector, now, window)
		if err != nil || stuck == 0 {
			continue
		}
		capacity[cs.Name] = scheduled
	}
	return capacity, unavailable
}

// unschedulablePods counts, in a member, the workload's Pods Pending as
// Unschedulable for longer than window, and its Pods that were scheduled.
func (r *Reconciler) unschedulablePods(ctx context.Context, cluster, namespace string, selector labels.Selector, now time.Time, window time.Duration) (stuck, scheduled int64, err error) {
	c, err := r.Members.GetClient(ctx, cluster)
	if err != nil {
		return 0, 0, err
	}
	pods := &corev1.PodList{}
	if err := c.List(ctx, pods, client.InNamespace(namespace), client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return 0, 0, err
	}
	for _, p := range pods.Items {
		if !p.DeletionTimestamp.IsZero() {
			continue
		}
		if p.Spec.NodeName != "" {
			scheduled++
			continue
		}
		for _, cond := range p.Status.Conditions {
			if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse &&
				cond.Reason == corev1.PodReasonUnschedulable && now.Sub(cond.LastTransitionTime.Time) >= window {
				stuck++
			}
		}
	}
	return stuck, scheduled, nil
}

// podSelector returns the workload's Pod selector from its template.
func podSelector(target *unstructured.Unstructured) (labels.Selector, error) {
	raw, found, err := unstructured.NestedMap(target.Object, "spec", "template", "spec", "selector")
	if err != nil || !found {
		return nil, fmt.Errorf("the template has no spec.selector")
	}
	data, _ := json.Marshal(raw)
	sel := &metav1.LabelSelector{}
	if err := json.Unmarshal(data, sel); err != nil {
		return nil, err
	}
	return metav1.LabelSelectorAsSelector(sel)
}

// recordStatus records the plan, reasons and capacities in the status.
func (r *Reconciler) recordStatus(rsp *fedschedv1a1.ReplicaSchedulingPreference, plan planner.Plan, capacity map[string]int64, offline []string, current map[string]int64) {
	previous := map[string]fedschedv1a1.ClusterReplicas{}
	for _, c := range rsp.Status.Clusters {
		previous[c.Name] = c
	}
	var out []fedschedv1a1.ClusterReplicas
	for _, c := range plan.Clusters {
		cr := fedschedv1a1.ClusterReplicas{Name: c.Name, Replicas: c.Replicas, Ideal: c.Ideal, Reason: string(c.Reason)}
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
			out = append(out, fedschedv1a1.ClusterReplicas{Name: name, Replicas: 0, Reason: fedschedv1a1.ClusterOfflineReason})
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

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
