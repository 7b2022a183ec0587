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
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/placement"
	"github.com/kubefed/kubefed/internal/propagatedversion"
	"github.com/kubefed/kubefed/internal/readiness"
)

// Namespaces whose Namespace object is never created or deleted in members:
// every cluster has them already.
var systemNamespaces = sets.New("kube-system", "kube-public", "default")

// reconcilePlacement computes the clusters the object is placed in.
func (r *Reconciler) reconcilePlacement(ctx context.Context, s *scope) (ctrl.Result, error) {
	p, err := fedtypesv1b1.GetPlacement(s.fedObj)
	if err == nil {
		s.selected, err = placement.Select(p, s.clusters)
	}
	if err != nil {
		s.reason, s.message = fedtypesv1b1.ComputePlacementFailed, fmt.Sprintf("%v: fix spec.placement", err)
		s.stop = true
		return ctrl.Result{}, nil
	}

	// For namespaced types in a Cluster-scoped control plane, the
	// namespace's FederatedNamespace bounds the placement.
	namespaced := r.TypeConfig.Spec.TargetType.Namespaced() && !r.TypeConfig.IsNamespace()
	if !namespaced || s.config.Scope == apiextensionsv1.NamespaceScoped {
		return ctrl.Result{}, nil
	}
	ns := s.fedObj.GetNamespace()
	fedNS := &unstructured.Unstructured{}
	fedNS.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
	switch err := r.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: ns}, fedNS); {
	case apierrors.IsNotFound(err):
		s.reason = fedtypesv1b1.NamespaceNotFederated
		s.message = fmt.Sprintf("namespace %s has no FederatedNamespace %s/%s: create one to choose the clusters the namespace (and this object) goes to", ns, ns, ns)
		s.selected = nil
		s.stop = true
		return ctrl.Result{}, nil
	case err != nil:
		return ctrl.Result{}, fmt.Errorf("reading FederatedNamespace %s/%s: %w", ns, ns, err)
	}
	nsPlacement, err := fedtypesv1b1.GetPlacement(fedNS)
	var nsClusters []string
	if err == nil {
		nsClusters, err = placement.Select(nsPlacement, s.clusters)
	}
	if err != nil {
		s.reason = fedtypesv1b1.ComputePlacementFailed
		s.message = fmt.Sprintf("placement of FederatedNamespace %s/%s: %v", ns, ns, err)
		s.stop = true
		return ctrl.Result{}, nil
	}
	s.selected = placement.Intersect(s.selected, nsClusters)
	return ctrl.Result{}, nil
}

// skipsNamespaceObject reports whether the target object is a namespace that
// kubefed must not create or delete in members.
func (r *Reconciler) skipsNamespaceObject(s *scope) bool {
	if !r.TypeConfig.IsNamespace() {
		return false
	}
	name := s.fedObj.GetName()
	return systemNamespaces.Has(name) || name == r.Namespace
}

// reconcileMembers creates or updates the object in every placed cluster,
// in parallel.
func (r *Reconciler) reconcileMembers(ctx context.Context, s *scope) (ctrl.Result, error) {
	if r.skipsNamespaceObject(s) {
		// Every cluster has this namespace already: nothing is written, but
		// a cluster that is not ready is reported as such.
		for _, c := range s.selected {
			if s.ready.Has(c) {
				s.setResult(c, fedtypesv1b1.ClusterPropagationOK, "", nil)
			} else {
				s.setResult(c, fedtypesv1b1.ClusterNotReady, r.notReadyMessage(c), nil)
			}
		}
		return ctrl.Result{}, nil
	}
	recorded := propagatedversion.ClusterVersionMap(&s.recorded)
	specUnchanged := s.pv != nil && s.recorded.TemplateVersion == s.templateVersion && s.recorded.OverrideVersion == s.overridesVersion
	clusters := s.selected
	// keeps says, under a rollout, which clusters the plan leaves on the
	// revision they run: their copy's content does not change, so it is
	// not written unless it drifted. Computed here, as the member
	// operations may outlive this reconcile.
	var keeps map[string]bool
	if rs := s.rollout; rs != nil {
		// A cluster the plan leaves without a copy gets none.
		clusters = slices.DeleteFunc(slices.Clone(s.selected), func(c string) bool { return rs.planned[c] == 0 })
		keeps = map[string]bool{}
		for _, c := range clusters {
			keeps[c] = rs.keeps(c)
		}
	}
	run := r.runMembers(ctx, s, clusters, "apply/"+s.inputs(), func(ctx context.Context, s *scope, cluster string) memberOutcome {
		unchanged := specUnchanged
		if keeps != nil {
			unchanged = keeps[cluster]
		}
		res, version := r.reconcileMember(ctx, s, cluster, unchanged, recorded[cluster])
		return memberOutcome{res: res, version: version}
	})
	r.absorbRun(s, run)
	for cluster := range run.pending {
		// The copy there is what it was: its recorded version stays.
		if v := recorded[cluster]; v != "" {
			s.versions[cluster] = v
		}
	}
	if rs := s.rollout; rs != nil {
		for _, c := range clusters {
			if res := s.results[c]; res != nil && res.status == fedtypesv1b1.ClusterPropagationOK && !run.pending[c] {
				rs.revisions[c] = rs.planned[c]
			}
		}
	}
	return ctrl.Result{}, nil
}

// notReadyMessage says why nothing was propagated to a cluster that is not
// ready, and where to look.
func (r *Reconciler) notReadyMessage(cluster string) string {
	return fmt.Sprintf("cluster %s is not ready: the object is propagated when it is (see 'kubectl -n %s get kubefedcluster %s')", cluster, r.Namespace, cluster)
}

// reconcileMember brings the object in one cluster in line, returning the
// outcome and the member version to record ("" to record none).
func (r *Reconciler) reconcileMember(ctx context.Context, s *scope, cluster string, specUnchanged bool, recordedVersion string) (*clusterResult, string) {
	if !s.ready.Has(cluster) {
		return &clusterResult{status: fedtypesv1b1.ClusterNotReady, message: r.notReadyMessage(cluster)}, recordedVersion
	}
	key := r.memberKey(s.fedObj)
	cached, err := r.getCached(ctx, cluster, key)
	if err != nil {
		return &clusterResult{status: fedtypesv1b1.CachedRetrievalFailed, message: err.Error()}, recordedVersion
	}
	if upToDate(s, cluster, cached, specUnchanged, recordedVersion) {
		return &clusterResult{member: cached}, recordedVersion
	}
	memberClient, err := r.Members.GetClient(ctx, cluster)
	if err != nil {
		return &clusterResult{status: fedtypesv1b1.ClientRetrievalFailed, message: err.Error()}, recordedVersion
	}
	existing, res := r.existingCopy(ctx, s, memberClient, cluster, key, cached)
	if res != nil {
		return res, recordedVersion
	}
	if res := r.checkOwnership(ctx, s, cluster, key, existing); res != nil {
		// The object is not kubefed's: its status is not reported.
		return res, ""
	}
	desired, err := r.desiredObject(s, cluster, existing)
	if err != nil {
		return &clusterResult{status: fedtypesv1b1.ApplyOverridesFailed, member: existing,
			message: fmt.Sprintf("overrides for cluster %s: %v: fix spec.overrides", cluster, err)}, recordedVersion
	}
	if res := r.applyMember(ctx, s, memberClient, cluster, key, existing, desired); res != nil {
		return res, recordedVersion
	}
	return &clusterResult{member: desired}, propagatedversion.ObjectVersion(desired)
}

// upToDate reports whether nothing changed on either side since the last
// successful apply to cluster, so that no write is needed. The hashes of
// the record are those of the latest spec, applied or not, so the
// cluster's last outcome must have been a success too: a cluster that
// failed, or was not ready, when the spec last changed still holds an
// older copy.
func upToDate(s *scope, cluster string, cached *unstructured.Unstructured, specUnchanged bool, recordedVersion string) bool {
	last := s.oldStatus.GetCluster(cluster)
	lastOK := last != nil && last.Status == fedtypesv1b1.ClusterPropagationOK
	return cached != nil && specUnchanged && lastOK && recordedVersion != "" && propagatedversion.ObjectVersion(cached) == recordedVersion
}

// existingCopy returns the object in cluster, nil when there is none.
// cached is what the member's cache of labelled objects holds.
func (r *Reconciler) existingCopy(ctx context.Context, s *scope, memberClient client.Client, cluster string, key types.NamespacedName, cached *unstructured.Unstructured) (*unstructured.Unstructured, *clusterResult) {
	if cached != nil || s.config.AdoptResources {
		return cached, nil
	}
	// Not in the cache of labelled objects: it does not exist, or it
	// exists without the managed label. Adopting it or creating it is the
	// same apply; only when adoption is disabled must the two be told
	// apart, with a read.
	existing := r.newTarget()
	opCtx, cancel := context.WithTimeout(ctx, memberOperationTimeout)
	err := memberClient.Get(opCtx, key, existing)
	cancel()
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, &clusterResult{status: fedtypesv1b1.RetrievalFailed, message: fmt.Sprintf("reading %s from cluster %s: %v", describeKey(r.targetGVK().Kind, key), cluster, err)}
	}
	return existing, nil
}

// checkOwnership returns why kubefed must leave the existing object in
// cluster alone (labelled unmanaged, or not kubefed's while adoption is
// disabled); nil when kubefed may write it.
func (r *Reconciler) checkOwnership(ctx context.Context, s *scope, cluster string, key types.NamespacedName, existing *unstructured.Unstructured) *clusterResult {
	if existing == nil {
		return nil
	}
	switch existing.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey] {
	case fedcorev1b1.ManagedByKubeFedLabelValue:
	case fedcorev1b1.UnmanagedByKubeFedLabelValue:
		return &clusterResult{status: fedtypesv1b1.ManagedLabelFalse,
			message: fmt.Sprintf("%s in cluster %s is labelled %s=false, so kubefed leaves it alone: remove the label to let kubefed manage it", describeKey(r.targetGVK().Kind, key), cluster, fedcorev1b1.ManagedByKubeFedLabelKey)}
	default:
		if !s.config.AdoptResources {
			return &clusterResult{status: fedtypesv1b1.AlreadyExists,
				message: fmt.Sprintf("%s already exists in cluster %s and resource adoption is disabled: delete it, or enable spec.syncController.adoptResources in KubeFedConfig %s/%s", describeKey(r.targetGVK().Kind, key), cluster, r.Namespace, fedcorev1b1.KubeFedConfigName)}
		}
		ctrl.LoggerFrom(ctx).WithValues("cluster", cluster).Info("Adopting existing object", "object", klog.KRef(key.Namespace, key.Name))
	}
	return nil
}

// applyMember applies desired in cluster (a create when existing is nil)
// and records the write; it returns the failure, nil on success.
func (r *Reconciler) applyMember(ctx context.Context, s *scope, memberClient client.Client, cluster string, key types.NamespacedName, existing, desired *unstructured.Unstructured) *clusterResult {
	op, failed := "update", fedtypesv1b1.UpdateFailed
	if existing == nil {
		op, failed = "create", fedtypesv1b1.CreationFailed
	}
	start := time.Now()
	opCtx, cancel := context.WithTimeout(ctx, memberOperationTimeout)
	err := memberClient.Apply(opCtx, client.ApplyConfigurationFromUnstructured(desired), client.FieldOwner(FieldManager), client.ForceOwnership)
	cancel()
	r.dispatched(cluster, op, time.Since(start), err)
	if err != nil {
		status := failed
		if opCtx.Err() == context.DeadlineExceeded { // not Canceled: cancel() above always sets that
			status = map[string]fedtypesv1b1.PropagationStatus{"create": fedtypesv1b1.CreationTimedOut, "update": fedtypesv1b1.UpdateTimedOut}[op]
		}
		r.event(s, corev1.EventTypeWarning, eventReason(op, true), "Failed to %s %s in cluster %s: %v", op, r.targetGVK().Kind, cluster, err)
		return &clusterResult{status: status, member: existing, refused: readiness.Refused(err),
			message: fmt.Sprintf("cluster %s refused to %s %s: %v", cluster, op, describeKey(r.targetGVK().Kind, key), apiMessage(err))}
	}
	if existing == nil || existing.GetResourceVersion() != desired.GetResourceVersion() {
		s.applied(eventReason(op, false), cluster)
		ctrl.LoggerFrom(ctx).WithValues("cluster", cluster).V(1).Info("Applied object in member", "operation", op)
	}
	return nil
}

// reconcileRemovals deletes the copies in connected clusters the object is
// no longer placed in.
func (r *Reconciler) reconcileRemovals(ctx context.Context, s *scope) (ctrl.Result, error) {
	if r.skipsNamespaceObject(s) {
		return ctrl.Result{}, nil
	}
	placed := sets.New(s.selected...)
	var candidates []string
	for _, c := range sets.List(s.ready) {
		if !placed.Has(c) {
			candidates = append(candidates, c)
		}
	}
	r.absorbRun(s, r.runMembers(ctx, s, candidates, "delete", func(ctx context.Context, s *scope, cluster string) memberOutcome {
		return memberOutcome{res: r.deleteMember(ctx, s, cluster)}
	}))
	return ctrl.Result{}, nil
}

// deleteMember deletes the managed copy in cluster, if there is one. It
// returns nil when there is no copy (left).
func (r *Reconciler) deleteMember(ctx context.Context, s *scope, cluster string) *clusterResult {
	key := r.memberKey(s.fedObj)
	cached, err := r.getCached(ctx, cluster, key)
	if err != nil {
		return &clusterResult{status: fedtypesv1b1.CachedRetrievalFailed, message: err.Error()}
	}
	if cached == nil || cached.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey] != fedcorev1b1.ManagedByKubeFedLabelValue {
		return nil
	}
	if r.TypeConfig.IsNamespace() {
		// In the host joined into itself the copy is the host's own
		// namespace: released, never deleted; when it is being deleted
		// (kubectl delete namespace), not waited for.
		host, err := r.isHostCluster(ctx, cluster)
		if err != nil {
			return &clusterResult{status: fedtypesv1b1.RetrievalFailed, message: err.Error()}
		}
		if host {
			return r.releaseHostNamespace(ctx, cluster, cached)
		}
	}
	if !cached.GetDeletionTimestamp().IsZero() {
		s.requeue(2 * time.Second)
		return &clusterResult{status: fedtypesv1b1.WaitingForRemoval, member: cached,
			message: fmt.Sprintf("waiting for %s to be deleted in cluster %s", describeKey(r.targetGVK().Kind, key), cluster)}
	}
	memberClient, err := r.Members.GetClient(ctx, cluster)
	if err != nil {
		return &clusterResult{status: fedtypesv1b1.ClientRetrievalFailed, message: err.Error()}
	}
	opts, err := deleteOptions(s.fedObj)
	if err != nil {
		return &clusterResult{status: fedtypesv1b1.DeletionFailed, message: err.Error()}
	}
	start := time.Now()
	opCtx, cancel := context.WithTimeout(ctx, memberOperationTimeout)
	err = memberClient.Delete(opCtx, cached, opts...)
	cancel()
	r.dispatched(cluster, "delete", time.Since(start), err)
	if err != nil && !apierrors.IsNotFound(err) {
		r.event(s, corev1.EventTypeWarning, "DeleteInClusterFailed", "Failed to delete %s in cluster %s: %v", r.targetGVK().Kind, cluster, err)
		return &clusterResult{status: fedtypesv1b1.DeletionFailed,
			message: fmt.Sprintf("cluster %s refused to delete %s: %v", cluster, describeKey(r.targetGVK().Kind, key), apiMessage(err))}
	}
	s.applied("DeleteInCluster", cluster)
	s.requeue(2 * time.Second)
	return &clusterResult{status: fedtypesv1b1.WaitingForRemoval,
		message: fmt.Sprintf("deleted %s in cluster %s; waiting for it to be gone", describeKey(r.targetGVK().Kind, key), cluster)}
}
