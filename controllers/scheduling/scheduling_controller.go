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
	"cmp"
	"context"
	"errors"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/enqueue"
)

// Defaults of the Reconciler's tunables.
const (
	// DefaultUnschedulableWindow is how long Pods must stay Pending as
	// Unschedulable before their replicas count as missing capacity.
	DefaultUnschedulableWindow = 60 * time.Second
	// DefaultCapacityTTL is how long an observed capacity is kept before
	// the cluster is given its full share again.
	DefaultCapacityTTL = 10 * time.Minute
	// DefaultMemberReadTimeout bounds the read of one member's Pods, so
	// that a slow member delays a plan by at most that much.
	DefaultMemberReadTimeout = 10 * time.Second
	// resyncWhileUnavailable re-checks a workload with unavailable
	// replicas for unschedulable Pods (and a member whose Pods could not
	// be read).
	resyncWhileUnavailable = 15 * time.Second
	// DefaultMaxConcurrentReconciles is the number of preferences planned
	// at the same time, so that one waiting on a slow member does not hold
	// up the others.
	DefaultMaxConcurrentReconciles = 4
	// conflictRetry is how soon a preference whose status write met a
	// newer version is planned again.
	conflictRetry = time.Second
)

// MemberReader reads member clusters; *clustercache.ClusterCache implements
// it.
type MemberReader interface {
	// GetClient returns a client of a connected member.
	GetClient(ctx context.Context, cluster string) (client.Client, error)
	// ReadyClusters returns the connected members: the clusters the sync
	// controllers propagate to, and so the only ones replicas are planned
	// for.
	ReadyClusters() []string
	// Subscribe reports connections opened and closed.
	Subscribe(fn func(clustercache.ConnectionEvent)) (unsubscribe func())
}

// +kubebuilder:rbac:groups=scheduling.kubefed.io,resources=replicaschedulingpreferences,verbs=get;list;watch
// +kubebuilder:rbac:groups=scheduling.kubefed.io,resources=replicaschedulingpreferences/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=types.kubefed.io,resources=federateddeployments;federatedreplicasets,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=core.kubefed.io,resources=kubefedclusters;kubefedconfigs,verbs=get;list;watch

// Reconciler plans the replicas of ReplicaSchedulingPreferences.
type Reconciler struct {
	// Client reads and writes the host cluster.
	Client client.Client
	// Members reads member clusters (Pods of scheduled workloads) and says
	// which are connected.
	Members MemberReader
	// Namespace is the control-plane namespace.
	Namespace string
	// Recorder records events on the preferences.
	Recorder events.EventRecorder
	// UnschedulableWindow, CapacityTTL and MemberReadTimeout: the
	// defaults above when zero.
	UnschedulableWindow time.Duration
	CapacityTTL         time.Duration
	MemberReadTimeout   time.Duration
	// MaxConcurrentReconciles: DefaultMaxConcurrentReconciles when zero.
	MaxConcurrentReconciles int
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// SetupWithManager registers the reconciler and its watches: the
// preferences, their targets, KubeFedClusters and member connections (a
// cluster that becomes Ready, or stops being so, re-plans every preference
// at once).
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	sameName := handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []ctrl.Request {
		return []ctrl.Request{{NamespacedName: client.ObjectKeyFromObject(o)}}
	})
	b := ctrl.NewControllerManagedBy(mgr).
		For(&fedschedv1a1.ReplicaSchedulingPreference{}).
		Named("replicaschedulingpreference").
		WithOptions(controller.Options{MaxConcurrentReconciles: cmp.Or(r.MaxConcurrentReconciles, DefaultMaxConcurrentReconciles)})
	for _, w := range targetWatches {
		target := &unstructured.Unstructured{}
		target.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(w.kind))
		b = b.Watches(target, sameName, builder.WithPredicates(w.predicates...))
	}
	return b.
		Watches(&fedcorev1b1.KubeFedCluster{}, handler.EnqueueRequestsFromMapFunc(r.clusterToPreferences)).
		WatchesRawSource(clustercache.ConnectionSource(r.Members, r.connectionToPreferences)).
		Complete(r)
}

// targetWatches are the federated kinds a ReplicaSchedulingPreference can
// target (api/scheduling's TargetKind constants), with the predicates of
// their watches: the one list of the host kinds the controller watches
// besides its own (see HostKinds). A new target kind is added here.
var targetWatches = []struct {
	kind       string
	predicates []predicate.Predicate
}{
	{fedschedv1a1.TargetKindFederatedDeployment, []predicate.Predicate{predicate.ResourceVersionChangedPredicate{}}},
	{fedschedv1a1.TargetKindFederatedReplicaSet, nil},
}

// HostKinds returns the federated kinds the controller watches in the
// manager's host cache, the cache it shares with the sync controllers:
// cmd/controller-manager/app hands them to the sync controllers'
// supervisor, which keeps these informers when the sync controller of
// such a type stops, so that the scheduler's watches go on.
func HostKinds() []schema.GroupVersionKind {
	out := make([]schema.GroupVersionKind, 0, len(targetWatches))
	for _, w := range targetWatches {
		out = append(out, fedtypesv1b1.GroupVersion.WithKind(w.kind))
	}
	return out
}

func (r *Reconciler) clusterToPreferences(ctx context.Context, _ client.Object) []ctrl.Request {
	return r.allPreferences(ctx)
}

func (r *Reconciler) connectionToPreferences(ctx context.Context, _ clustercache.ConnectionEvent) []ctrl.Request {
	return r.allPreferences(ctx)
}

func (r *Reconciler) allPreferences(ctx context.Context) []ctrl.Request {
	return enqueue.All(ctx, r.Client, &fedschedv1a1.ReplicaSchedulingPreferenceList{}, "Could not list ReplicaSchedulingPreferences after a cluster change")
}

func (r *Reconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Reconcile plans one preference's replicas and writes the plan into its
// target: get, read into a scope, run the phases, write the status once.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, reterr error) {
	rsp := &fedschedv1a1.ReplicaSchedulingPreference{}
	if err := r.Client.Get(ctx, req.NamespacedName, rsp); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s, err := r.newScope(ctx, rsp)
	if err != nil {
		return ctrl.Result{}, err
	}
	defer func() {
		conflict, err := r.writeStatus(ctx, s)
		switch {
		case err != nil && ctx.Err() == nil:
			reterr = errors.Join(reterr, err)
		case conflict && reterr == nil:
			res = ctrl.Result{RequeueAfter: conflictRetry}
		}
		r.recordEvents(s)
	}()
	// Phases return only an error: whether to stop is s.stop (a
	// condition that ends the plan), when to come back is s.requeueAfter
	// (decided by what was read, and later phases still run).
	for _, phase := range []func(context.Context, *scope) error{
		r.checkFeature,
		r.readTarget,
		r.selectClusters,
		r.readCapacity,
		r.computePlan,
		r.applyPlan,
	} {
		if err := phase(ctx, s); err != nil {
			return ctrl.Result{}, err
		}
		if s.stop {
			break
		}
	}
	if s.requeueAfter > 0 {
		return ctrl.Result{RequeueAfter: s.requeueAfter}, nil
	}
	return ctrl.Result{}, nil
}
