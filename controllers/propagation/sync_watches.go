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
	"maps"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
)

// ControllerOptions configure the sync controller of one federated type.
type ControllerOptions struct {
	// TypeConfig is the FederatedTypeConfig of the type; the controller
	// keeps its own copy.
	TypeConfig *fedcorev1b1.FederatedTypeConfig
	// Namespace is the control-plane namespace.
	Namespace string
	// Members connects to the member clusters.
	Members *clustercache.ClusterCache
	// Workers is the number of federated objects reconciled at once.
	Workers int
	// AvailableDelay and UnavailableDelay are how long after a member
	// connects (or disconnects) every object of the type is reconciled
	// again (KubeFedConfig spec.controllerDuration).
	AvailableDelay, UnavailableDelay time.Duration
	// Metrics receives the controller's measurements; optional.
	Metrics Metrics
	// OnStatusFieldsPruned is Reconciler.OnStatusFieldsPruned; optional.
	OnStatusFieldsPruned func(fields []string)
	// OnMemberWatchChange, when set, is called when the member watch of
	// the type failed to register in a member or started there after such
	// a failure: Controller.MemberWatchErrors then says where it does not
	// run. It must not block.
	OnMemberWatchChange func()
}

// Controller is the sync controller of one federated type, built with
// every watch it needs and not started: the caller runs it with Start under
// a context of its own and stops it by cancelling that context.
type Controller struct {
	controller.TypedController[reconcile.Request]
	// HostKinds are the kinds whose informers in the manager's host cache
	// this controller (and no controller of another federated type, unless
	// listed there too) needs: the federated type and, for namespaced
	// types, FederatedNamespace. Whoever starts controllers owns these
	// informers and removes one only when no running controller lists it.
	HostKinds []schema.GroupVersionKind

	members   *clustercache.ClusterCache
	watchName string
}

// MemberWatchErrors returns, by member cluster, why the watch of the
// type's managed copies could not be registered there (the target type's
// CRD is not installed in that member, typically): the controller cannot
// write copies there until it is, and the watch is tried again with
// backoff. Empty when the watch runs in every connected member.
func (c *Controller) MemberWatchErrors() map[string]error {
	return c.members.WatchErrors(c.watchName)
}

// NewController builds the sync controller of one federated type and its
// watches: the federated objects in the host, the FederatedNamespaces that
// bound a namespaced type's placement, the managed copies in every member,
// and member connection changes.
func NewController(mgr ctrl.Manager, opts ControllerOptions) (*Controller, error) {
	ftc := opts.TypeConfig.DeepCopy()
	name := "sync-" + ftc.Name
	rec := &Reconciler{
		Client:     mgr.GetClient(),
		APIReader:  mgr.GetAPIReader(),
		Members:    opts.Members,
		TypeConfig: ftc,
		Namespace:  opts.Namespace,
		Recorder:   mgr.GetEventRecorderFor("kubefed-sync"), //nolint:staticcheck // the events API recorder needs a different sink
		Metrics:    opts.Metrics,

		OnStatusFieldsPruned: opts.OnStatusFieldsPruned,
	}
	c, err := controller.NewTypedUnmanaged[reconcile.Request](name, controller.TypedOptions[reconcile.Request]{
		Reconciler:              rec,
		MaxConcurrentReconciles: opts.Workers,
		// A type is stopped and started again under the same name when its
		// configuration changes.
		SkipNameValidation: ptr.To(true),
		// User edits go ahead of bulk work: see FederatedObjectHandler.
		UsePriorityQueue: ptr.To(true),
		LogConstructor: func(req *reconcile.Request) logr.Logger {
			l := mgr.GetLogger().WithValues("controller", name, "type", ftc.Name)
			if req != nil {
				l = l.WithValues("object", req.NamespacedName.String())
			}
			return l
		},
	})
	if err != nil {
		return nil, fmt.Errorf("building the sync controller of FederatedTypeConfig %s: %w", ftc.Name, err)
	}
	out := &Controller{TypedController: c, members: opts.Members, watchName: name}

	// Map functions that list federated objects retry a failed list in
	// the background instead of losing their event: see relister.
	host := mgr.GetClient()
	relist := newRelister(host, ftc)
	if err := c.Watch(relist.source()); err != nil {
		return nil, err
	}

	// Writes to members that answer slowly complete in the background and
	// enqueue their object through the controller's queue.
	if err := c.Watch(source.Func(rec.ops.Start)); err != nil {
		return nil, err
	}

	fedGVK := ftc.Spec.FederatedType.GroupVersionKind()
	fedKind := &unstructured.Unstructured{}
	fedKind.SetGroupVersionKind(fedGVK)
	if err := c.Watch(source.Kind[client.Object](mgr.GetCache(), fedKind, FederatedObjectHandler())); err != nil {
		return nil, err
	}
	out.HostKinds = append(out.HostKinds, fedGVK)

	// A namespaced type's placement is bounded by its namespace's
	// FederatedNamespace: when that appears or changes, every object of the
	// type in the namespace is reconciled again.
	if ftc.Spec.TargetType.Namespaced() && !ftc.IsNamespace() {
		fedNSGVK := fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace")
		fedNS := &unstructured.Unstructured{}
		fedNS.SetGroupVersionKind(fedNSGVK)
		if err := c.Watch(source.Kind[client.Object](mgr.GetCache(), fedNS,
			handler.EnqueueRequestsFromMapFunc(relist.namespaceToFederated))); err != nil {
			return nil, err
		}
		out.HostKinds = append(out.HostKinds, fedNSGVK)
	}

	target := &unstructured.Unstructured{}
	target.SetGroupVersionKind(ftc.Spec.TargetType.GroupVersionKind())
	if err := c.Watch(clustercache.WatchSource(opts.Members, clustercache.WatchSourceInput[reconcile.Request]{
		Name: name,
		Kind: target,
		MapFunc: func(_ context.Context, _ string, obj client.Object) []reconcile.Request {
			return []reconcile.Request{MemberToFederated(ftc, obj)}
		},
		UpdateDelay: MemberUpdateDelay,
		// A member where the type's CRD is installed late: once the watch
		// started there, every object of the type is reconciled, so that
		// the copies placed there (which could not be written before) are
		// written now, not at the next resync. All objects, a superset of
		// those placed in that member: placement is the reconcile's to
		// compute.
		RegistrationFunc: func(ctx context.Context, clusterName string, err error) []reconcile.Request {
			if opts.OnMemberWatchChange != nil {
				opts.OnMemberWatchChange()
			}
			if err != nil {
				return nil
			}
			return relist.requests(ctx, "", "the member watch started in cluster "+clusterName)
		},
	})); err != nil {
		return nil, err
	}

	// When a member connects or disconnects, every object of the type is
	// reconciled again (after availableDelay / unavailableDelay), so that
	// placement, status and pending work follow the member's return or
	// loss.
	if err := c.Watch(clustercache.DelayedConnectionSource(opts.Members,
		func(ev clustercache.ConnectionEvent) time.Duration {
			if ev.Connected {
				return opts.AvailableDelay
			}
			return opts.UnavailableDelay
		},
		func(ctx context.Context, ev clustercache.ConnectionEvent) []reconcile.Request {
			return relist.requests(ctx, "", "a connection change of cluster "+ev.Cluster)
		})); err != nil {
		return nil, err
	}
	return out, nil
}

// StatusCoalesceDelay is how long a member copy's status change waits
// before its federated object is reconciled: the status changes of every
// member within it (a Deployment's replicas becoming ready one member after
// the other) make one reconcile and one host status write.
const StatusCoalesceDelay = time.Second

// MemberUpdateDelay classifies an update of a member copy: one that only
// changed its status (same generation, labels, annotations and deletion
// state, on a kind that keeps a generation) waits StatusCoalesceDelay, at
// background priority; anything else (an edit to undo, a lost label) is
// handled at once. Kinds without a generation (ConfigMaps, Secrets) have no
// status to coalesce: every change to them is drift.
func MemberUpdateDelay(oldObj, newObj client.Object) time.Duration {
	if newObj.GetGeneration() == 0 ||
		oldObj.GetGeneration() != newObj.GetGeneration() ||
		oldObj.GetDeletionTimestamp().IsZero() != newObj.GetDeletionTimestamp().IsZero() ||
		!maps.Equal(oldObj.GetLabels(), newObj.GetLabels()) ||
		!maps.Equal(oldObj.GetAnnotations(), newObj.GetAnnotations()) {
		return 0
	}
	return StatusCoalesceDelay
}

// MemberToFederated maps a member object to the federated object it was
// propagated from: the same name and namespace, except for namespaces,
// whose FederatedNamespace lives in the namespace it federates.
func MemberToFederated(ftc *fedcorev1b1.FederatedTypeConfig, obj client.Object) reconcile.Request {
	if ftc.IsNamespace() {
		return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: obj.GetName(), Name: obj.GetName()}}
	}
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: obj.GetNamespace(), Name: obj.GetName()}}
}

// Delays between the attempts of a relister to list federated objects
// after a failed list: relistMinDelay, doubling, at most relistMaxDelay.
const (
	relistMinDelay = time.Second
	relistMaxDelay = time.Minute
)

// relister lists the federated objects of one type for the map functions
// that fan one event out to many objects: a FederatedNamespace change, a
// member connection change, a member watch that started late.
//
// A controller-runtime map function cannot return an error, and the event
// it was given is not delivered again: a map function whose list fails
// would lose the event, and the objects would wait for their next change.
// A coarser request does not help either, since a reconcile.Request names
// one object and the sync reconciler knows no "every object" request. So a
// failed list is tried again in the background, after relistMinDelay
// doubling up to relistMaxDelay, until it succeeds or the controller stops,
// and the requests of the successful list go to the controller's queue (at
// background priority). One retry runs per namespace at a time: a retry
// lists what is there when it runs, which covers every event that asked for
// that namespace meanwhile.
type relister struct {
	host client.Reader
	ftc  *fedcorev1b1.FederatedTypeConfig
	// minDelay and maxDelay bound the delay between attempts.
	minDelay, maxDelay time.Duration

	// ready is closed once q is set, when the controller starts.
	ready chan struct{}
	q     workqueue.TypedRateLimitingInterface[reconcile.Request]

	mu sync.Mutex
	// pending holds the namespaces ("" for all) whose retry runs.
	pending map[string]bool
}

func newRelister(host client.Reader, ftc *fedcorev1b1.FederatedTypeConfig) *relister {
	return &relister{host: host, ftc: ftc, minDelay: relistMinDelay, maxDelay: relistMaxDelay,
		ready: make(chan struct{}), pending: map[string]bool{}}
}

// source returns the source that hands the relister the controller's
// queue; it enqueues nothing itself.
func (l *relister) source() source.TypedSource[reconcile.Request] {
	return source.TypedFunc[reconcile.Request](func(_ context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
		l.q = q
		close(l.ready)
		return nil
	})
}

// list returns a request for every federated object of the type in
// namespace ("" for every namespace).
func (l *relister) list(ctx context.Context, namespace string) ([]reconcile.Request, error) {
	gvk := l.ftc.Spec.FederatedType.GroupVersionKind()
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	// Only the keys are read: no copy of every object.
	opts := []client.ListOption{client.UnsafeDisableDeepCopy}
	if namespace != "" {
		opts = append(opts, client.InNamespace(namespace))
	}
	if err := l.host.List(ctx, list, opts...); err != nil {
		return nil, err
	}
	out := make([]reconcile.Request, 0, len(list.Items))
	for i := range list.Items {
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
	}
	return out, nil
}

// requests returns a request for every federated object of the type in
// namespace ("" for every namespace). When the list fails it returns none,
// and lists again in the background until it succeeds: see relister. why
// says which event asked, for the log.
func (l *relister) requests(ctx context.Context, namespace, why string) []reconcile.Request {
	out, err := l.list(ctx, namespace)
	if err == nil {
		return out
	}
	if ctx.Err() != nil {
		return nil // the controller stops
	}
	ctrl.LoggerFrom(ctx).Error(err, "Could not list federated objects; trying again in the background",
		"type", l.ftc.Name, "namespace", namespace, "after", why)
	l.retry(ctx, namespace)
	return nil
}

// retry lists namespace again until it succeeds or ctx ends, and enqueues
// the result; nothing when a retry of namespace already runs.
func (l *relister) retry(ctx context.Context, namespace string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending[namespace] {
		return
	}
	l.pending[namespace] = true
	go func() {
		defer func() {
			l.mu.Lock()
			delete(l.pending, namespace)
			l.mu.Unlock()
		}()
		select {
		case <-l.ready:
		case <-ctx.Done():
			return
		}
		delay := l.minDelay
		for {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			out, err := l.list(ctx, namespace)
			if err == nil {
				l.enqueue(out)
				return
			}
			delay = min(2*delay, l.maxDelay)
			ctrl.LoggerFrom(ctx).Error(err, "Could still not list federated objects; trying again", "type", l.ftc.Name, "namespace", namespace, "retryIn", delay)
		}
	}()
}

// enqueue adds requests to the controller's queue, at background priority.
func (l *relister) enqueue(reqs []reconcile.Request) {
	if pq, ok := l.q.(priorityqueue.PriorityQueue[reconcile.Request]); ok {
		pq.AddWithOpts(priorityqueue.AddOpts{Priority: ptr.To(handler.LowPriority)}, reqs...)
		return
	}
	for _, r := range reqs {
		l.q.Add(r)
	}
}

// namespaceToFederated maps a FederatedNamespace to every federated object
// of the type in its namespace: their placement depends on it.
func (l *relister) namespaceToFederated(ctx context.Context, obj client.Object) []reconcile.Request {
	return l.requests(ctx, obj.GetNamespace(), "a FederatedNamespace change")
}
