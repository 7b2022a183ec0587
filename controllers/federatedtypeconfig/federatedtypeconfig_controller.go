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

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/controllers/sync"
	"github.com/kubefed/kubefed/internal/clustercache"
)

// recheckInterval is how often a running type is checked again: a CRD
// deleted, or an access revoked, while its controller runs is reported
// within this time, and the controller stopped.
const recheckInterval = 30 * time.Second

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

// Reconciler runs one sync controller per enabled FederatedTypeConfig.
//
// It reads each FederatedTypeConfig and the KubeFedConfig, decides whether
// the type's controller should run, asks its supervisor to start, restart
// or stop it, and writes the outcome to the status. The supervisor (built
// by SetupWithManager) owns the running controllers, their retry backoff
// and the host informers they share.
type Reconciler struct {
	// Manager provides the host client, cache, scheme and event recorders.
	Manager ctrl.Manager
	// Members connects to the member clusters.
	Members *clustercache.ClusterCache
	// Namespace is the control-plane namespace.
	Namespace string
	// Metrics receives the sync controllers' measurements; optional.
	Metrics sync.Metrics
	// KeepInformers are host kinds that other controllers of the manager
	// watch through the same cache (the scheduler's FederatedDeployments,
	// say): their informers are never removed.
	KeepInformers []schema.GroupVersionKind

	// types runs the sync controllers; set by SetupWithManager.
	types *supervisor
}

// SetupWithManager registers the reconciler, and the supervisor of the
// sync controllers, with the manager.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.types = newSupervisor(r)
	// Stops every sync controller when the manager stops.
	if err := mgr.Add(r.types); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		// Its own status writes need no reconcile.
		For(&fedcorev1b1.FederatedTypeConfig{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		// The settings a sync controller is built with come from the
		// KubeFedConfig: a change restarts the controllers it affects.
		Watches(&fedcorev1b1.KubeFedConfig{}, handler.EnqueueRequestsFromMapFunc(r.configToTypeConfigs)).
		// Namespaced types wait for the "namespaces" FederatedTypeConfig:
		// its creation starts them at once, not at their next retry.
		Watches(&fedcorev1b1.FederatedTypeConfig{}, handler.EnqueueRequestsFromMapFunc(r.namespacesToTypeConfigs),
			builder.WithPredicates(predicate.NewPredicateFuncs(func(obj client.Object) bool {
				return obj.GetName() == fedcorev1b1.NamespaceFederatedTypeConfigName
			}))).
		// The state changes of started controllers (synced, failed).
		WatchesRawSource(r.types.source()).
		Named("federatedtypeconfig").
		// Starting one type reads the host API server; a slow answer for
		// one type must not hold the others.
		WithOptions(controller.Options{MaxConcurrentReconciles: 4}).
		Complete(r)
}

// namespacesToTypeConfigs maps the "namespaces" FederatedTypeConfig to
// every FederatedTypeConfig.
func (r *Reconciler) namespacesToTypeConfigs(ctx context.Context, obj client.Object) []reconcile.Request {
	return r.allTypeConfigs(ctx)
}

// configToTypeConfigs maps the KubeFedConfig to every FederatedTypeConfig.
func (r *Reconciler) configToTypeConfigs(ctx context.Context, obj client.Object) []reconcile.Request {
	if obj.GetNamespace() != r.Namespace || obj.GetName() != fedcorev1b1.KubeFedConfigName {
		return nil
	}
	return r.allTypeConfigs(ctx)
}

func (r *Reconciler) allTypeConfigs(ctx context.Context) []reconcile.Request {
	list := &fedcorev1b1.FederatedTypeConfigList{}
	if err := r.Manager.GetClient().List(ctx, list, client.InNamespace(r.Namespace)); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Could not list FederatedTypeConfigs after a KubeFedConfig or namespaces type change")
		return nil
	}
	out := make([]reconcile.Request, 0, len(list.Items))
	for i := range list.Items {
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
	}
	return out
}

// Reconcile starts, restarts or stops the sync controller of one
// FederatedTypeConfig and reports it in its status.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	c := r.Manager.GetClient()
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	if err := c.Get(ctx, req.NamespacedName, ftc); err != nil {
		if apierrors.IsNotFound(err) {
			r.types.remove(ctx, req.Name)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if !ftc.DeletionTimestamp.IsZero() {
		r.types.remove(ctx, ftc.Name)
		if controllerutil.RemoveFinalizer(ftc, fedcorev1b1.FederatedTypeConfigFinalizer) {
			if err := c.Update(ctx, ftc); err != nil && !apierrors.IsNotFound(err) {
				return ctrl.Result{}, fmt.Errorf("removing the finalizer of FederatedTypeConfig %s: %w", ftc.Name, err)
			}
		}
		return ctrl.Result{}, nil
	}
	if controllerutil.AddFinalizer(ftc, fedcorev1b1.FederatedTypeConfigFinalizer) {
		// The update event that follows is filtered out (same
		// generation): carry on in this pass.
		if err := c.Update(ctx, ftc); err != nil {
			return ctrl.Result{}, fmt.Errorf("adding the finalizer of FederatedTypeConfig %s: %w", ftc.Name, err)
		}
	}

	cfg, err := r.config(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	reason, message := r.startable(ctx, ftc, cfg)
	if reason == fedcorev1b1.ReasonControllerRunning {
		reason, message = r.types.ensure(ctx, ftc, cfg)
	} else {
		r.types.stop(ctx, ftc.Name)
	}
	result, message := r.requeue(ftc.Name, reason, message, cfg)
	return result, r.writeStatus(ctx, ftc, reason, message, r.types.prunedFields(ftc.Name))
}

// requeue says when to look at a type again after an outcome (a condition
// reason), and counts or forgets its failures. The message of a failure
// says when the next attempt is due.
func (r *Reconciler) requeue(name, reason, message string, cfg *fedcorev1b1.KubeFedConfigSpec) (ctrl.Result, string) {
	switch reason {
	case fedcorev1b1.ReasonControllerRunning:
		r.types.forgetFailures(name)
		return ctrl.Result{RequeueAfter: recheckInterval}, message
	case fedcorev1b1.ReasonPropagationDisabled, fedcorev1b1.ReasonClusterScopedTypeNotSupported, fedcorev1b1.ReasonPushReconcilerDisabled:
		// Only a change of the FederatedTypeConfig or the KubeFedConfig
		// changes these.
		r.types.forgetFailures(name)
		return ctrl.Result{}, message
	case fedcorev1b1.ReasonControllerStarting:
		// The controller reports when its cache synced or failed; this
		// is a safety net.
		return ctrl.Result{RequeueAfter: cacheSyncTimeout(cfg) + retryInterval}, message
	default:
		at := r.types.nextRetry(name, time.Now())
		// An absolute time: the message, and so the status, stays the same
		// until the next attempt.
		return ctrl.Result{RequeueAfter: time.Until(at)}, fmt.Sprintf("%s (next attempt at %s)", message, at.UTC().Format(time.RFC3339))
	}
}

// startable says whether the type's sync controller can run, and if not
// why (as a condition reason and message).
func (r *Reconciler) startable(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, cfg *fedcorev1b1.KubeFedConfigSpec) (string, string) {
	if !ftc.GetPropagationEnabled() {
		return fedcorev1b1.ReasonPropagationDisabled, "spec.propagation is Disabled"
	}
	if !cfg.FeatureGateEnabled(fedcorev1b1.PushReconcilerFeature) {
		return fedcorev1b1.ReasonPushReconcilerDisabled, fmt.Sprintf(
			"the %s feature gate is Disabled in KubeFedConfig %s/%s: no type is propagated until it is Enabled",
			fedcorev1b1.PushReconcilerFeature, r.Namespace, fedcorev1b1.KubeFedConfigName)
	}
	if cfg.Scope == apiextensionsv1.NamespaceScoped && !ftc.Spec.TargetType.Namespaced() && !ftc.IsNamespace() {
		return fedcorev1b1.ReasonClusterScopedTypeNotSupported, fmt.Sprintf(
			"%s is cluster-scoped and the control plane is Namespaced (KubeFedConfig %s/%s): only namespaced types are propagated",
			ftc.Spec.TargetType.Kind, r.Namespace, fedcorev1b1.KubeFedConfigName)
	}
	gvk := ftc.Spec.FederatedType.GroupVersionKind()
	if _, err := r.Manager.GetRESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
		return fedcorev1b1.ReasonFederatedTypeCRDNotFound, fmt.Sprintf(
			"the host API server does not serve %s (%v): install the CRD of %s; the controller starts by itself once it is there",
			gvk, err, gvk.Kind)
	}
	if ftc.Spec.TargetType.Namespaced() && !ftc.IsNamespace() && cfg.Scope != apiextensionsv1.NamespaceScoped {
		ns := &fedcorev1b1.FederatedTypeConfig{}
		if err := r.Manager.GetClient().Get(ctx, types.NamespacedName{Namespace: ftc.Namespace, Name: fedcorev1b1.NamespaceFederatedTypeConfigName}, ns); err != nil {
			return fedcorev1b1.ReasonNamespacesTypeMissing, fmt.Sprintf(
				"namespaced types need the %q FederatedTypeConfig in %s (%v): create it (config/federatedtypeconfigs in the chart has it)",
				fedcorev1b1.NamespaceFederatedTypeConfigName, ftc.Namespace, apiMessage(err))
		}
	}
	return fedcorev1b1.ReasonControllerRunning, "the sync controller is running"
}

// config reads the KubeFedConfig spec; an empty spec (every default) when
// there is none.
func (r *Reconciler) config(ctx context.Context) (*fedcorev1b1.KubeFedConfigSpec, error) {
	cfg := &fedcorev1b1.KubeFedConfig{}
	err := r.Manager.GetClient().Get(ctx, types.NamespacedName{Namespace: r.Namespace, Name: fedcorev1b1.KubeFedConfigName}, cfg)
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("reading KubeFedConfig %s/%s: %w", r.Namespace, fedcorev1b1.KubeFedConfigName, err)
	}
	return &cfg.Spec, nil
}
