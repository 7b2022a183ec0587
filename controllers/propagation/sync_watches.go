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
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
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
	// Workers is the number of federated objects reconciled at once
	// (KubeFedConfig spec.syncController.maxConcurrentReconciles). Within
	// one reconcile, the member operations fan out to at most
	// memberFanOut clusters at once, a constant.
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
	// the type failed to register in a member (its CRD is not installed
	// there, or the member forbids the kubefed identity to list or watch
	// it) or started there after such a failure:
	// Controller.MemberWatchErrors then says where it does not run. It must
	// not block.
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
// CRD is not installed in that member, or the member's RBAC forbids the
// kubefed identity to list or watch it, an error wrapping
// clustercache.ErrWatchForbidden): the controller cannot write copies there
// until it is, and the watch is tried again with backoff. Empty when the watch runs in every connected member.
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
		Recorder:   mgr.GetEventRecorder("kubefed-sync"),
		Metrics:    opts.Metrics,

		OnStatusFieldsPruned: opts.OnStatusFieldsPruned,
	}
	c, err := newTypedController(mgr, name, ftc.Name, rec, opts.Workers)
	if err != nil {
		return nil, fmt.Errorf("building the sync controller of FederatedTypeConfig %s: %w", ftc.Name, err)
	}
	out := &Controller{TypedController: c, members: opts.Members, watchName: name}

	// Map functions that list federated objects retry a failed list in
	// the background instead of losing their event: see relister.
	relist := newRelister(mgr.GetClient(), ftc)
	if err := c.Watch(relist.source()); err != nil {
		return nil, err
	}
	// Writes to members that answer slowly complete in the background and
	// enqueue their object through the controller's queue.
	if err := c.Watch(source.Func(rec.ops.Start)); err != nil {
		return nil, err
	}
	if out.HostKinds, err = watchHost(c, mgr, ftc, relist); err != nil {
		return nil, err
	}
	if err := watchMembers(c, opts, name, ftc, relist); err != nil {
		return nil, err
	}
	return out, nil
}

// newTypedController builds the controller that runs rec with workers
// reconciles at once, not managed by mgr: its owner starts and stops it.
func newTypedController(mgr ctrl.Manager, name, typeName string, rec *Reconciler, workers int) (controller.TypedController[reconcile.Request], error) {
	return controller.NewTypedUnmanaged[reconcile.Request](name, controller.TypedOptions[reconcile.Request]{
		Reconciler:              rec,
		MaxConcurrentReconciles: workers,
		// A type is stopped and started again under the same name when its
		// configuration changes.
		SkipNameValidation: ptr.To(true),
		// User edits go ahead of bulk work: see FederatedObjectHandler.
		UsePriorityQueue: ptr.To(true),
		LogConstructor: func(req *reconcile.Request) logr.Logger {
			l := mgr.GetLogger().WithValues("controller", name, "type", typeName)
			if req != nil {
				l = l.WithValues("object", req.NamespacedName.String())
			}
			return l
		},
	})
}

// watchHost watches the host's federated objects of the type and, for a
// namespaced type, the FederatedNamespaces; it returns the kinds of those
// host informers (Controller.HostKinds).
func watchHost(c controller.TypedController[reconcile.Request], mgr ctrl.Manager, ftc *fedcorev1b1.FederatedTypeConfig, relist *relister) ([]schema.GroupVersionKind, error) {
	fedGVK := ftc.Spec.FederatedType.GroupVersionKind()
	fedKind := &unstructured.Unstructured{}
	fedKind.SetGroupVersionKind(fedGVK)
	if err := c.Watch(source.Kind[client.Object](mgr.GetCache(), fedKind, FederatedObjectHandler())); err != nil {
		return nil, err
	}
	kinds := []schema.GroupVersionKind{fedGVK}

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
		kinds = append(kinds, fedNSGVK)
	}
	return kinds, nil
}

// watchMembers watches the managed copies of the type in every member
// (through the clustercache, under the watch name name) and the member
// connection changes.
func watchMembers(c controller.TypedController[reconcile.Request], opts ControllerOptions, name string, ftc *fedcorev1b1.FederatedTypeConfig, relist *relister) error {
	target := &unstructured.Unstructured{}
	target.SetGroupVersionKind(ftc.Spec.TargetType.GroupVersionKind())
	if err := c.Watch(clustercache.WatchSource(opts.Members, clustercache.WatchSourceInput[reconcile.Request]{
		Name: name,
		Kind: target,
		MapFunc: func(_ context.Context, _ string, obj client.Object) []reconcile.Request {
			return []reconcile.Request{MemberToFederated(ftc, obj)}
		},
		UpdateDelay: MemberUpdateDelay,
		// A member where the type's CRD is installed late, or where the
		// kubefed identity is granted the type late: once the watch
		// started there, every object of the type is reconciled, so that
		// the copies placed there (which could not be written before) are
		// written now, not at the next resync. All objects, a superset of
		// those placed in that member: placement is the reconcile's to
		// compute.
		RegistrationFunc: func(ctx context.Context, clusterName string, err error) []reconcile.Request {
			if opts.OnMemberWatchChange != nil {
				opts.OnMemberWatchChange()
			}
			return memberWatchChanged(ctx, relist, clusterName, err)
		},
	})); err != nil {
		return err
	}

	// When a member connects or disconnects, every object of the type is
	// reconciled again (after availableDelay / unavailableDelay), so that
	// placement, status and pending work follow the member's return or
	// loss.
	return c.Watch(clustercache.DelayedConnectionSource(opts.Members,
		func(ev clustercache.ConnectionEvent) time.Duration {
			if ev.Connected {
				return opts.AvailableDelay
			}
			return opts.UnavailableDelay
		},
		func(ctx context.Context, ev clustercache.ConnectionEvent) []reconcile.Request {
			return relist.requests(ctx, "", "a connection change of cluster "+ev.Cluster)
		}))
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
