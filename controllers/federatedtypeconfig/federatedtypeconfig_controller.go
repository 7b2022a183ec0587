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

package federatedtypeconfig

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/enqueue"
	"github.com/kubefed/kubefed/internal/statuspatch"
)

// recheckInterval is how often a running type is checked again: a CRD
// deleted, or an access revoked, while its controller runs is reported
// within this time, and the controller stopped.
const recheckInterval = 30 * time.Second

// conflictRetry is how soon a FederatedTypeConfig whose status write met a
// conflict is read again.
const conflictRetry = time.Second

// startingGrace is how long after its cache sync timeout a starting type
// is looked at again when its controller did not report (a safety net: it
// reports when its cache synced or failed).
const startingGrace = 10 * time.Second

// +kubebuilder:rbac:groups=core.kubefed.io,resources=federatedtypeconfigs,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=core.kubefed.io,resources=federatedtypeconfigs/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=core.kubefed.io,resources=federatedtypeconfigs/finalizers,verbs=update
// +kubebuilder:rbac:groups=core.kubefed.io,resources=kubefedconfigs,verbs=get;list;watch
// +kubebuilder:rbac:groups=core.kubefed.io,resources=kubefedclusters,verbs=get;list;watch
// +kubebuilder:rbac:groups=core.kubefed.io,resources=propagatedversions;clusterpropagatedversions,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=core.kubefed.io,resources=propagatedversions/status;clusterpropagatedversions/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=types.kubefed.io,resources=*,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=types.kubefed.io,resources=*/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=types.kubefed.io,resources=*/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// SyncControllers runs the sync controllers of the federated types: the
// Reconciler says which type should run, SyncControllers runs it and owns
// everything about the running (the controllers, their retry backoff, the
// host informers they share). controllers/propagation's Supervisor is the
// implementation; cmd/controller-manager/app wires it in.
type SyncControllers interface {
	// Ensure starts, or restarts after a configuration change, the
	// controller of ftc built with settings, and returns how it is doing
	// as a Ready reason and message. check says whether the type may run
	// (reason "" when it may); it is asked before a start and while the
	// controller runs.
	Ensure(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, settings fedcorev1b1.Settings,
		check func(context.Context) (reason, message string)) (reason, message string)
	// Stop stops the controller of the named type, if it runs.
	Stop(ctx context.Context, name string)
	// NextRetry counts a failure of the named type and returns when it is
	// tried again; ForgetFailures resets that backoff.
	NextRetry(name string) time.Time
	ForgetFailures(name string)
	// Observed returns what the running controller of the named type
	// found out: the status fields its CRD drops, and the members where
	// it does not watch its copies, with why.
	Observed(name string) (pruned []string, memberWatchErrors map[string]error)
	// Notifications asks for a FederatedTypeConfig to be reconciled when
	// the state of its controller changes.
	Notifications() source.Source
}

// Reconciler reports, for every FederatedTypeConfig, whether its sync
// controller runs. Each pass reads the FederatedTypeConfig and the
// KubeFedConfig settings, decides whether the type may run, asks
// SyncControllers to run or stop it, and writes the outcome to the status.
type Reconciler struct {
	// Client reads the host (cached) and writes the FederatedTypeConfigs.
	Client client.Client
	// APIReader lists the host kinds of a type, uncached, before its
	// controller starts.
	APIReader client.Reader
	// RESTMapper says whether the host serves a federated type.
	RESTMapper meta.RESTMapper
	// Namespace is the control-plane namespace.
	Namespace string
	// Controllers runs the sync controllers.
	Controllers SyncControllers
}

// SetupWithManager registers the reconciler with the manager.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		// Its own status writes need no reconcile.
		For(&fedcorev1b1.FederatedTypeConfig{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		// The settings a sync controller is built with come from the
		// KubeFedConfig: a change restarts the controllers it affects.
		Watches(&fedcorev1b1.KubeFedConfig{}, handler.EnqueueRequestsFromMapFunc(r.configToTypeConfigs)).
		// Namespaced types wait for the "namespaces" FederatedTypeConfig:
		// its creation starts them at once, not at their next retry.
		Watches(&fedcorev1b1.FederatedTypeConfig{}, handler.EnqueueRequestsFromMapFunc(r.allTypeConfigs),
			builder.WithPredicates(predicate.NewPredicateFuncs(func(obj client.Object) bool {
				return obj.GetName() == fedcorev1b1.NamespaceFederatedTypeConfigName
			}))).
		// The state changes of started controllers (synced, failed).
		WatchesRawSource(r.Controllers.Notifications()).
		Named("federatedtypeconfig").
		// Starting one type reads the host API server; a slow answer for
		// one type must not hold the others.
		WithOptions(controller.Options{MaxConcurrentReconciles: 4}).
		Complete(r)
}

// configToTypeConfigs maps the KubeFedConfig to every FederatedTypeConfig.
func (r *Reconciler) configToTypeConfigs(ctx context.Context, obj client.Object) []reconcile.Request {
	if obj.GetNamespace() != r.Namespace || obj.GetName() != fedcorev1b1.KubeFedConfigName {
		return nil
	}
	return r.allTypeConfigs(ctx, obj)
}

// allTypeConfigs maps any object to every FederatedTypeConfig.
func (r *Reconciler) allTypeConfigs(ctx context.Context, _ client.Object) []reconcile.Request {
	return enqueue.All(ctx, r.Client, &fedcorev1b1.FederatedTypeConfigList{},
		"Could not list FederatedTypeConfigs after a KubeFedConfig or namespaces type change", client.InNamespace(r.Namespace))
}

// Reconcile starts, restarts or stops the sync controller of one
// FederatedTypeConfig and reports it in its status.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	if err := r.Client.Get(ctx, req.NamespacedName, ftc); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(ctx, req.Name)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if !ftc.DeletionTimestamp.IsZero() {
		r.forget(ctx, ftc.Name)
		if controllerutil.RemoveFinalizer(ftc, fedcorev1b1.FederatedTypeConfigFinalizer) {
			if err := r.Client.Update(ctx, ftc); err != nil && !apierrors.IsNotFound(err) {
				return ctrl.Result{}, fmt.Errorf("removing the finalizer of FederatedTypeConfig %s: %w", ftc.Name, err)
			}
		}
		return ctrl.Result{}, nil
	}
	if controllerutil.AddFinalizer(ftc, fedcorev1b1.FederatedTypeConfigFinalizer) {
		// The update event that follows is filtered out (same
		// generation): carry on in this pass.
		if err := r.Client.Update(ctx, ftc); err != nil {
			return ctrl.Result{}, fmt.Errorf("adding the finalizer of FederatedTypeConfig %s: %w", ftc.Name, err)
		}
	}

	settings, err := fedcorev1b1.ReadSettings(ctx, r.Client, r.Namespace)
	if err != nil {
		return ctrl.Result{}, err
	}
	reason, message := r.startable(ctx, ftc, settings)
	if reason == fedcorev1b1.ReasonControllerRunning {
		reason, message = r.Controllers.Ensure(ctx, ftc, settings, func(ctx context.Context) (string, string) {
			return r.checkAccess(ctx, ftc, settings)
		})
	} else {
		r.Controllers.Stop(ctx, ftc.Name)
	}
	result, message := r.requeue(ftc.Name, reason, message, settings)
	pruned, memberWatchErrors := r.Controllers.Observed(ftc.Name)
	conflict, err := r.writeStatus(ctx, ftc, reason, message, pruned, memberWatchErrors)
	if conflict {
		ctrl.LoggerFrom(ctx).V(1).Info("FederatedTypeConfig changed while its status was computed; reading it again")
		return ctrl.Result{RequeueAfter: conflictRetry}, nil
	}
	return result, err
}

// forget stops the controller of a type that is gone, and forgets its
// failures.
func (r *Reconciler) forget(ctx context.Context, name string) {
	r.Controllers.Stop(ctx, name)
	r.Controllers.ForgetFailures(name)
}

// requeue says when to look at a type again after an outcome (a Ready
// reason), and counts or forgets its failures. The message of a failure
// says when the next attempt is due.
func (r *Reconciler) requeue(name, reason, message string, settings fedcorev1b1.Settings) (ctrl.Result, string) {
	switch reason {
	case fedcorev1b1.ReasonControllerRunning:
		r.Controllers.ForgetFailures(name)
		return ctrl.Result{RequeueAfter: recheckInterval}, message
	case fedcorev1b1.ReasonPropagationDisabled, fedcorev1b1.ReasonClusterScopedTypeNotSupported, fedcorev1b1.ReasonPushReconcilerDisabled:
		// Only a change of the FederatedTypeConfig or the KubeFedConfig
		// changes these.
		r.Controllers.ForgetFailures(name)
		return ctrl.Result{}, message
	case fedcorev1b1.ReasonControllerStarting:
		// The controller reports when its cache synced or failed; this
		// is a safety net.
		return ctrl.Result{RequeueAfter: settings.CacheSyncTimeout + startingGrace}, message
	default:
		at := r.Controllers.NextRetry(name)
		// An absolute time: the message, and so the status, stays the same
		// until the next attempt.
		return ctrl.Result{RequeueAfter: time.Until(at)}, fmt.Sprintf("%s (next attempt at %s)", message, at.UTC().Format(time.RFC3339))
	}
}

// writeStatus writes the status setStatus computes, only when it changed.
// It reports a conflict (the FederatedTypeConfig changed since it was read)
// rather than failing: the caller reads it again.
func (r *Reconciler) writeStatus(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, reason, message string,
	pruned []string, memberWatchErrors map[string]error) (conflict bool, err error) {
	orig := ftc.DeepCopy()
	setStatus(ftc, reason, message, pruned, memberWatchErrors)
	// Optimistic lock (the statuspatch rule): the reconciler reads through
	// the cache, which may not show its own last write yet; a status
	// computed from that stale read must not be merged over it.
	if _, err := statuspatch.Patch(ctx, r.Client, ftc, orig, statuspatch.Optimistic); err != nil {
		switch {
		case apierrors.IsNotFound(err):
			return false, nil
		case apierrors.IsConflict(err):
			return true, nil
		}
		return false, fmt.Errorf("writing the status of FederatedTypeConfig %s: %w", ftc.Name, err)
	}
	return false, nil
}
