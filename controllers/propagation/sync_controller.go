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
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// FieldManager is the server-side apply field manager of every member
// object kubefed writes.
const FieldManager = "kubefed"

// Members is the view of the member clusters the reconciler needs; the
// clustercache implements it.
type Members interface {
	// GetClient returns a client for a connected member whose reads go to
	// the API server.
	GetClient(ctx context.Context, cluster string) (client.Client, error)
	// GetReader returns a reader of the member's cache of the objects that
	// carry the kubefed.io/managed label ("true" or "false").
	GetReader(ctx context.Context, cluster string) (client.Reader, error)
	// ReadyClusters returns the names of the connected members.
	ReadyClusters() []string
	// ObserveWrite records how long one write to the member took: the
	// member's mean write latency is shared by every type.
	ObserveWrite(cluster string, d time.Duration)
	// OperationStarted records a member operation of a reconcile (its
	// read of the member's cache, which waits while that cache syncs, and
	// its writes) as in flight until the function it returns is called.
	OperationStarted(cluster string) (ended func())
	// WriteLatency returns the member's mean write latency.
	WriteLatency(cluster string) time.Duration
	// SlowClusters returns the members that answer writes much more
	// slowly than the others (see memberOps).
	SlowClusters() sets.Set[string]
}

// Reconciler propagates the objects of one federated type.
type Reconciler struct {
	// Client reads and writes the host cluster (cached reads).
	Client client.Client
	// APIReader reads the host cluster without a cache; used to confirm
	// that a federated object is gone before its copies are released.
	APIReader client.Reader
	// Members connects to the member clusters.
	Members Members
	// TypeConfig is the FederatedTypeConfig of the type this reconciler
	// serves.
	TypeConfig *fedcorev1b1.FederatedTypeConfig
	// Namespace is the control-plane namespace: KubeFedClusters and the
	// KubeFedConfig live there.
	Namespace string
	// Recorder records events on the federated objects.
	Recorder events.EventRecorder
	// Metrics, when set, receives propagation latency and dispatch
	// outcomes.
	Metrics Metrics
	// OnStatusFieldsPruned, when set, is called with every status field
	// the federated type's CRD turned out to drop (a CRD made by KubeFed's
	// tooling has no aggregatedStatus or message), once per new field.
	OnStatusFieldsPruned func(fields []string)

	// ops owns this type's member operations that outlive their
	// reconcile (writes to members that answer slowly).
	ops memberOps

	// pruning remembers the status fields the CRD drops.
	pruning statusPruning

	// memo remembers the host writes the cache has not shown yet.
	memo writeMemo

	// hosts remembers which joined cluster is the host cluster itself.
	hosts hostClusterMemo

	// seen remembers, per federated object, the generation being
	// propagated and when it was first seen, for the latency metric.
	seen sync.Map
}

// generationSeen is what Reconciler.seen holds.
type generationSeen struct {
	generation int64
	at         time.Time
	reported   bool
}

// Metrics receives what the reconciler measures.
type Metrics interface {
	// Dispatched records one member operation.
	Dispatched(cluster, operation string, d time.Duration, err error)
	// Propagated records the time from a generation first seen to it being
	// applied in every placed cluster.
	Propagated(d time.Duration)
}

func (r *Reconciler) federatedGVK() schema.GroupVersionKind {
	return r.TypeConfig.Spec.FederatedType.GroupVersionKind()
}

func (r *Reconciler) targetGVK() schema.GroupVersionKind {
	return r.TypeConfig.Spec.TargetType.GroupVersionKind()
}

// Reconcile brings the member copies of one federated object in line with
// it, and writes its status.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (_ ctrl.Result, reterr error) {
	log := ctrl.LoggerFrom(ctx)
	fedObj := &unstructured.Unstructured{}
	fedObj.SetGroupVersionKind(r.federatedGVK())
	if err := r.Client.Get(ctx, req.NamespacedName, fedObj); err != nil {
		if apierrors.IsNotFound(err) {
			r.seen.Delete(req.NamespacedName)
			r.memo.forget(req.NamespacedName)
			// Managed copies of a federated object that is gone (its
			// finalizer was removed by hand) are released, not deleted.
			return ctrl.Result{}, r.releaseOrphans(ctx, req)
		}
		return ctrl.Result{}, err
	}
	if r.memo.objectStale(req.NamespacedName, fedObj.GetResourceVersion()) {
		// The cache has not shown this reconciler's last write of the
		// object yet (that takes milliseconds): look again shortly. The
		// write's own event enqueues it too, but at the status pace.
		log.V(2).Info("Cache behind kubefed's own write; looking again shortly")
		return ctrl.Result{RequeueAfter: staleCacheRetry}, nil
	}

	s, err := r.newScope(ctx, fedObj)
	if err != nil {
		return ctrl.Result{}, err
	}

	defer r.recordEvents(s)

	if !fedObj.GetDeletionTimestamp().IsZero() {
		return r.reconcileDelete(ctx, s)
	}

	if !controllerutil.ContainsFinalizer(fedObj, fedcorev1b1.SyncControllerFinalizer) {
		patch := client.MergeFromWithOptions(fedObj.DeepCopy(), client.MergeFromWithOptimisticLock{})
		controllerutil.AddFinalizer(fedObj, fedcorev1b1.SyncControllerFinalizer)
		before := fedObj.GetResourceVersion()
		if err := r.Client.Patch(ctx, fedObj, patch); err != nil {
			return ctrl.Result{}, fmt.Errorf("adding finalizer %s to %s: %w", fedcorev1b1.SyncControllerFinalizer, s.describe(), err)
		}
		r.memo.wroteObject(req.NamespacedName, before, fedObj.GetResourceVersion())
		log.V(1).Info("Added finalizer")
		// The finalizer is stored, so member copies can be created in this
		// same pass: returning here, as Cluster API controllers do, would
		// cost every new object a trip through the work queue.
	}

	defer func() {
		// On shutdown the context is cancelled: the next leader writes the
		// status, so that is not an error to report.
		if err := r.writeStatus(ctx, s); err != nil && ctx.Err() == nil {
			reterr = errors.Join(reterr, err)
		}
	}()

	defer r.observeLatency(req, s)

	for _, phase := range []func(context.Context, *scope) (ctrl.Result, error){
		r.reconcilePlacement,
		r.reconcileRollout,
		r.reconcileMembers,
		r.reconcileRemovals,
		r.recordVersions,
	} {
		res, err := phase(ctx, s)
		if err != nil || !res.IsZero() || s.stop {
			return res, err
		}
	}
	if s.retryable() {
		s.requeue(retryInterval)
	}
	return s.result(), nil
}

// staleCacheRetry is how soon a reconcile that found the cache behind
// kubefed's own write looks again.
const staleCacheRetry = 50 * time.Millisecond

// retryInterval is how soon an object is reconciled again after a member
// operation failed in a way that may pass on its own (a timeout, a
// conflict, a refused request). Clusters that are not ready are not
// retried on a timer: their return enqueues the objects.
const retryInterval = 15 * time.Second

// observeLatency reports, once per generation, how long it took from the
// generation first being seen to every placed cluster being up to date.
func (r *Reconciler) observeLatency(req ctrl.Request, s *scope) {
	gen := s.fedObj.GetGeneration()
	v, _ := r.seen.LoadOrStore(req.NamespacedName, &generationSeen{generation: gen, at: s.started})
	g := v.(*generationSeen)
	if g.generation != gen {
		g = &generationSeen{generation: gen, at: s.started}
		r.seen.Store(req.NamespacedName, g)
	}
	if g.reported || s.reason != "" || len(s.selected) == 0 {
		return
	}
	for _, c := range s.selected {
		if res := s.results[c]; res == nil || res.status != "" {
			return
		}
	}
	g.reported = true
	if r.Metrics != nil {
		r.Metrics.Propagated(time.Since(g.at))
	}
}

// recordEvents records one event per kind of member write the reconcile
// made, naming the clusters: an object placed in many clusters gets a few
// events, not one per cluster, which keeps the host's event load low.
func (r *Reconciler) recordEvents(s *scope) {
	// Events are rate-limited objects, not a log: at the scale of a bulk
	// rollout an event per object would cost the host as many writes as
	// the objects themselves. Writes that follow from the user's own
	// change (a new object, an edited spec or placement, a deletion) are
	// routine, and the object's status reports them. An event records the
	// writes the user did not ask for: drift undone, a copy recreated, a
	// returning member caught up (the spec unchanged since the stored
	// status). At most one per reconcile, named after the most significant
	// kind of write. A write to a cluster the status reported
	// WaitingForCluster is the postponed part of an earlier reconcile's
	// work (a slow member's backlog or detached write), as routine as that
	// reconcile's.
	if len(s.done) == 0 || s.routine() {
		return
	}
	verbs := map[string]string{"CreateInCluster": "created", "UpdateInCluster": "updated", "DeleteInCluster": "deleted"}
	var reason string
	var parts []string
	for _, rs := range []string{"DeleteInCluster", "UpdateInCluster", "CreateInCluster"} {
		clusters := slices.Sorted(slices.Values(slices.DeleteFunc(slices.Clone(s.done[rs]), func(c string) bool {
			last := s.oldStatus.GetCluster(c)
			return last != nil && last.Status == fedtypesv1b1.WaitingForCluster
		})))
		if len(clusters) == 0 {
			continue
		}
		if reason == "" {
			reason = rs
		}
		parts = append(parts, fmt.Sprintf("%s in %s %s", verbs[rs], pluralize(len(clusters), "cluster", "clusters"), strings.Join(clusters, ", ")))
	}
	if reason == "" {
		return
	}
	r.event(s, corev1.EventTypeNormal, reason, "%s %s", r.targetGVK().Kind, strings.Join(parts, "; "))
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
