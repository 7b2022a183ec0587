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
	"errors"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/propagatedversion"
)

// reconcileDelete removes the member copies of a federated object being
// deleted (or, with kubefed.io/orphan: "true", only their managed label),
// and then its finalizer.
func (r *Reconciler) reconcileDelete(ctx context.Context, s *scope) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(s.fedObj, fedcorev1b1.SyncControllerFinalizer) {
		return ctrl.Result{}, nil
	}
	log := ctrl.LoggerFrom(ctx)
	orphan := s.fedObj.GetAnnotations()[fedcorev1b1.OrphanManagedResourcesAnnotation] == fedcorev1b1.OrphanManagedResourcesAll

	if !r.skipsNamespaceObject(s) {
		inputs := "delete"
		if orphan {
			inputs = "release"
		}
		r.absorbRun(s, r.runMembers(ctx, s, sets.List(s.ready), inputs, func(ctx context.Context, s *scope, cluster string) memberOutcome {
			if orphan {
				return memberOutcome{res: r.releaseMember(ctx, cluster, r.memberKey(s.fedObj))}
			}
			return memberOutcome{res: r.deleteMember(ctx, s, cluster)}
		}))
		// A cluster that is not ready but was given a copy cannot be
		// cleaned up now; it blocks the deletion until it returns or is
		// unjoined.
		joined := map[string]bool{}
		for _, c := range s.clusters {
			joined[c.Name] = true
		}
		for cluster := range propagatedversion.ClusterVersionMap(&s.recorded) {
			if joined[cluster] && !s.ready.Has(cluster) {
				s.setResult(cluster, fedtypesv1b1.ClusterNotReady, fmt.Sprintf(
					"cluster %s holds a copy but is not ready: deletion completes when it returns; unjoin it or set the %s: \"true\" annotation to finish without it",
					cluster, fedcorev1b1.OrphanManagedResourcesAnnotation), nil)
			}
		}
	}

	if len(s.results) > 0 {
		s.reason = fedtypesv1b1.EnsureDeletionFailed
		s.message = "waiting for the member copies to be removed: see status.clusters"
		if err := r.writeStatus(ctx, s); err != nil && !apierrors.IsNotFound(err) {
			return ctrl.Result{}, err
		}
		return ctrl.Result{RequeueAfter: 5 * time.Second}, nil
	}

	patch := client.MergeFromWithOptions(s.fedObj.DeepCopy(), client.MergeFromWithOptimisticLock{})
	controllerutil.RemoveFinalizer(s.fedObj, fedcorev1b1.SyncControllerFinalizer)
	before := s.fedObj.GetResourceVersion()
	switch err := r.Client.Patch(ctx, s.fedObj, patch); {
	case apierrors.IsNotFound(err):
	case err != nil:
		return ctrl.Result{}, fmt.Errorf("removing finalizer %s from %s: %w", fedcorev1b1.SyncControllerFinalizer, s.describe(), err)
	default:
		// Other finalizers may keep the object a while.
		r.memo.wroteObject(client.ObjectKeyFromObject(s.fedObj), before, s.fedObj.GetResourceVersion())
	}
	log.Info("Removed member copies and finalizer", "orphaned", orphan)
	return ctrl.Result{}, nil
}

// releaseMember removes the managed label from the copy in cluster, leaving
// the object in place. It returns nil when there is nothing (left) to do.
func (r *Reconciler) releaseMember(ctx context.Context, cluster string, key types.NamespacedName) *clusterResult {
	cached, err := r.getCached(ctx, cluster, key)
	if err != nil {
		return &clusterResult{status: fedtypesv1b1.CachedRetrievalFailed, message: err.Error()}
	}
	if cached == nil || cached.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey] != fedcorev1b1.ManagedByKubeFedLabelValue {
		return nil
	}
	return r.removeManagedLabel(ctx, cluster, cached)
}

// isHostCluster reports whether a joined cluster is the host cluster itself
// (joined into itself, KubeFed's documented setup: kubefedctl join host
// --cluster-context host --host-cluster-context host). A namespace's copy
// there is then the host's own namespace, which holds the
// FederatedNamespace and every federated object in it.
//
// KubeFed compared UIDs (util.IsPrimaryCluster): the member's namespace
// with the host's, read through the host's namespace informer. The chart's
// identity may not read namespaces in the host (and in Namespaced scope
// cannot be granted that), so the comparison is made on an object both
// identities may read: the cluster's own KubeFedCluster, read in the host
// (the controller watches it) and, in the cluster, through the cluster's
// own joined identity, whose ClusterRole (Cluster scope) or Role in the
// control-plane namespace (Namespaced scope) kubefedctl join creates. The
// same UID means the same API server. A cluster without KubeFed's CRDs or
// without that KubeFedCluster is not the host. Any other error (Forbidden
// included) is returned: guessing "not the host" would delete the host's
// namespace or wait forever for its deletion.
//
// The answer depends only on where the KubeFedCluster's spec points, so it
// is remembered per cluster for the KubeFedCluster's UID and generation.
func (r *Reconciler) isHostCluster(ctx context.Context, cluster string) (bool, error) {
	key := types.NamespacedName{Namespace: r.Namespace, Name: cluster}
	kfc := &fedcorev1b1.KubeFedCluster{}
	if err := r.Client.Get(ctx, key, kfc); err != nil {
		return false, fmt.Errorf("reading KubeFedCluster %s in the host cluster: %w", key, err)
	}
	if host, known := r.hosts.get(cluster, kfc.UID, kfc.Generation); known {
		return host, nil
	}
	memberClient, err := r.Members.GetClient(ctx, cluster)
	if err != nil {
		return false, fmt.Errorf("telling whether cluster %s is the host cluster: %w", cluster, err)
	}
	seen := &metav1.PartialObjectMetadata{}
	seen.SetGroupVersionKind(fedcorev1b1.GroupVersion.WithKind("KubeFedCluster"))
	readCtx, cancel := context.WithTimeout(ctx, memberOperationTimeout)
	err = memberClient.Get(readCtx, key, seen)
	cancel()
	var host bool
	switch {
	case err == nil:
		host = seen.UID == kfc.UID
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
		host = false
	default:
		return false, fmt.Errorf("cannot tell whether cluster %s is the host cluster joined into itself, so its copy of a namespace is neither deleted nor released: "+
			"reading KubeFedCluster %s in cluster %s through the cluster's own (joined) identity failed: %v; "+
			"grant that identity get on kubefedclusters.core.kubefed.io in namespace %s of that cluster (kubefedctl join does)",
			cluster, key, cluster, apiMessage(err), r.Namespace)
	}
	r.hosts.set(cluster, kfc.UID, kfc.Generation, host)
	return host, nil
}

// hostClusterMemo remembers, per joined cluster, whether it is the host
// cluster, for one version (UID and generation) of its KubeFedCluster.
// The zero value is ready to use.
type hostClusterMemo struct {
	mu      sync.Mutex
	entries map[string]hostClusterEntry
}

type hostClusterEntry struct {
	uid        types.UID
	generation int64
	host       bool
}

func (m *hostClusterMemo) get(cluster string, uid types.UID, generation int64) (host, known bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[cluster]
	if !ok || e.uid != uid || e.generation != generation {
		return false, false
	}
	return e.host, true
}

func (m *hostClusterMemo) set(cluster string, uid types.UID, generation int64, host bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = map[string]hostClusterEntry{}
	}
	m.entries[cluster] = hostClusterEntry{uid: uid, generation: generation, host: host}
}

// releaseHostNamespace is what removing a FederatedNamespace's copy from
// the host cluster joined into itself does: as in KubeFed, the host's own
// namespace is never deleted by the control plane (it holds the
// FederatedNamespace and every federated object in it). It loses the
// managed label and stays; a namespace that is already being deleted is
// left to its own deletion, which waits for the FederatedNamespace and so
// must not be waited for.
func (r *Reconciler) releaseHostNamespace(ctx context.Context, cluster string, ns *unstructured.Unstructured) *clusterResult {
	if !ns.GetDeletionTimestamp().IsZero() {
		return nil
	}
	return r.removeManagedLabel(ctx, cluster, ns)
}

// removeManagedLabel removes the managed label from a member object.
func (r *Reconciler) removeManagedLabel(ctx context.Context, cluster string, cached *unstructured.Unstructured) *clusterResult {
	key := client.ObjectKeyFromObject(cached)
	memberClient, err := r.Members.GetClient(ctx, cluster)
	if err != nil {
		return &clusterResult{status: fedtypesv1b1.ClientRetrievalFailed, message: err.Error()}
	}
	// A merge patch with null removes the label whoever owns it.
	patch := []byte(fmt.Sprintf(`{"metadata":{"labels":{%q:null}}}`, fedcorev1b1.ManagedByKubeFedLabelKey))
	start := time.Now()
	opCtx, cancel := context.WithTimeout(ctx, memberOperationTimeout)
	err = memberClient.Patch(opCtx, cached, client.RawPatch(types.MergePatchType, patch))
	cancel()
	r.dispatched(cluster, "release", time.Since(start), err)
	if err != nil && !apierrors.IsNotFound(err) {
		return &clusterResult{status: fedtypesv1b1.LabelRemovalFailed,
			message: fmt.Sprintf("removing label %s from %s in cluster %s: %v", fedcorev1b1.ManagedByKubeFedLabelKey, describeKey(r.targetGVK().Kind, key), cluster, apiMessage(err))}
	}
	ctrl.LoggerFrom(ctx).Info("Released member object", "cluster", cluster, "object", klog.KRef(key.Namespace, key.Name))
	return nil
}

// releaseOrphans releases the managed copies of a federated object that no
// longer exists in the host (its finalizer was removed by hand): they lose
// the managed label and stay.
func (r *Reconciler) releaseOrphans(ctx context.Context, req ctrl.Request) error {
	// The cache may lag behind: confirm with the API server before
	// touching member objects.
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(r.federatedGVK())
	if r.APIReader != nil {
		if err := r.APIReader.Get(ctx, req.NamespacedName, live); err == nil || !apierrors.IsNotFound(err) {
			return err
		}
	}
	stub := &unstructured.Unstructured{}
	stub.SetName(req.Name)
	stub.SetNamespace(req.Namespace)
	key := r.memberKey(stub)
	// Every cluster is released, in parallel: one that fails (or hangs
	// until its operation timeout) does not hold back the others.
	var mu sync.Mutex
	var errs []error
	r.forEach(ctx, r.Members.ReadyClusters(), func(ctx context.Context, cluster string) {
		if res := r.releaseMember(ctx, cluster, key); res != nil {
			mu.Lock()
			// The message names the object and the cluster.
			errs = append(errs, errors.New(res.message))
			mu.Unlock()
		}
	})
	return errors.Join(errs...)
}
