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
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/controllers/propagation"
	"github.com/kubefed/kubefed/internal/clustercache"
)

// How often a type that cannot start yet (its CRD is missing, its identity
// may not list it, its cache did not sync) is tried again: the first retry
// after retryInterval, each further one after twice as long, at most
// maxRetryInterval.
const (
	retryInterval    = 10 * time.Second
	maxRetryInterval = time.Minute
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
// It is the one owner of the sync controllers and of the host informers
// they use: it counts, per kind, the running controllers that use an
// informer, and removes an informer from the host cache only when the last
// of them stopped and no other controller of the manager watches the kind
// (KeepInformers).
type Reconciler struct {
	// Manager provides the host client, cache, scheme and event recorders.
	Manager ctrl.Manager
	// Members connects to the member clusters.
	Members *clustercache.ClusterCache
	// Namespace is the control-plane namespace.
	Namespace string
	// Metrics receives the sync controllers' measurements; optional.
	Metrics propagation.Metrics
	// KeepInformers are host kinds that other controllers of the manager
	// watch through the same cache (the scheduler's FederatedDeployments,
	// say): their informers are never removed.
	KeepInformers []schema.GroupVersionKind

	mu sync.Mutex
	// running holds the started controllers by FederatedTypeConfig name.
	running map[string]*runningController
	// failures counts the consecutive failed starts per
	// FederatedTypeConfig, and retryAt says when the next one is due, for
	// the retry backoff.
	failures map[string]int
	retryAt  map[string]time.Time
	// stopping is set when the manager shuts down; no controller starts
	// after that.
	stopping bool

	// informerMu serialises counting informer users and removing
	// informers, so that no informer is removed while a controller that is
	// starting counts on it.
	informerMu sync.Mutex
	// informers counts, per host kind, the running controllers that use
	// its informer; guarded by informerMu.
	informers map[schema.GroupVersionKind]int

	// events carries the state changes of started controllers (synced,
	// failed) back to the reconciler, as requests for their
	// FederatedTypeConfig.
	events chan event.GenericEvent
}

// runningController is a started sync controller.
type runningController struct {
	// hash identifies the configuration it was started with.
	hash   string
	cancel context.CancelFunc
	done   chan struct{}
	// kinds are the host kinds whose informers it uses.
	kinds []schema.GroupVersionKind

	// synced is set once its host informers synced and it runs; failure is
	// set when it could not start or stopped with an error. Both are
	// guarded by Reconciler.mu.
	synced  bool
	failure *startFailure
	// pruned are the status fields the federated type's CRD drops, as
	// the controller found out; guarded by Reconciler.mu.
	pruned []string
	// memberWatchErrors says in which members the controller does not
	// watch its copies, and why (propagation.Controller.MemberWatchErrors).
	memberWatchErrors func() map[string]error
}

// startFailure says why a controller does not run, as a condition reason
// and message.
type startFailure struct {
	reason, message string
}

// SetupWithManager registers the reconciler with the manager.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.running = map[string]*runningController{}
	r.failures = map[string]int{}
	r.retryAt = map[string]time.Time{}
	r.informers = map[schema.GroupVersionKind]int{}
	r.events = make(chan event.GenericEvent, 1024)
	// Stop every sync controller when the manager stops.
	if err := mgr.Add(stopper{r}); err != nil {
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
		WatchesRawSource(source.Channel(r.events, &handler.EnqueueRequestForObject{})).
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
			r.stop(ctx, req.Name)
			r.forgetFailures(req.Name)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if !ftc.DeletionTimestamp.IsZero() {
		r.stop(ctx, ftc.Name)
		r.forgetFailures(ftc.Name)
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
	result := ctrl.Result{}
	switch reason {
	case fedcorev1b1.ReasonControllerRunning:
		reason, message = r.ensureRunning(ctx, ftc, cfg)
	default:
		r.stop(ctx, ftc.Name)
	}
	switch reason {
	case fedcorev1b1.ReasonControllerRunning:
		r.forgetFailures(ftc.Name)
		result.RequeueAfter = recheckInterval
	case fedcorev1b1.ReasonPropagationDisabled, fedcorev1b1.ReasonClusterScopedTypeNotSupported, fedcorev1b1.ReasonPushReconcilerDisabled:
		// Only a change of the FederatedTypeConfig or the KubeFedConfig
		// changes these.
		r.forgetFailures(ftc.Name)
	case fedcorev1b1.ReasonControllerStarting:
		// The controller reports when its cache synced or failed; this
		// is a safety net.
		result.RequeueAfter = cacheSyncTimeout(cfg) + retryInterval
	default:
		at := r.nextRetry(ftc.Name)
		result.RequeueAfter = time.Until(at)
		// An absolute time: the message, and so the status, stays the same
		// until the next attempt.
		message = fmt.Sprintf("%s (next attempt at %s)", message, at.UTC().Format(time.RFC3339))
	}
	return result, r.writeStatus(ctx, ftc, reason, message, r.prunedFields(ftc.Name))
}

// prunedFields returns the status fields the running controller of the
// named FederatedTypeConfig found its CRD to drop.
func (r *Reconciler) prunedFields(name string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rc := r.running[name]; rc != nil {
		return rc.pruned
	}
	return nil
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

// configHash identifies what a running controller was built from: the
// FederatedTypeConfig's spec and the settings it read from KubeFedConfig.
func configHash(ftc *fedcorev1b1.FederatedTypeConfig, s settings) string {
	data, _ := json.Marshal(struct {
		Spec     fedcorev1b1.FederatedTypeConfigSpec
		Settings settings
	}{ftc.Spec, s})
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// settings are the KubeFedConfig values a sync controller is built with.
type settings struct {
	Workers          int
	AvailableDelay   time.Duration
	UnavailableDelay time.Duration
}

func settingsFrom(cfg *fedcorev1b1.KubeFedConfigSpec) settings {
	eff := cfg.Settings()
	return settings{Workers: eff.SyncWorkers, AvailableDelay: eff.AvailableDelay, UnavailableDelay: eff.UnavailableDelay}
}

func cacheSyncTimeout(cfg *fedcorev1b1.KubeFedConfigSpec) time.Duration {
	return cfg.Settings().CacheSyncTimeout
}

// ensureRunning starts the controller, or restarts it when its
// configuration changed, and says how it is doing.
func (r *Reconciler) ensureRunning(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, cfg *fedcorev1b1.KubeFedConfigSpec) (string, string) {
	s := settingsFrom(cfg)
	hash := configHash(ftc, s)
	r.mu.Lock()
	rc := r.running[ftc.Name]
	r.mu.Unlock()
	if rc != nil && rc.hash != hash {
		ctrl.LoggerFrom(ctx).Info("Restarting sync controller: its configuration changed", "type", ftc.Name)
		r.stop(ctx, ftc.Name)
		rc = nil
	}
	if rc == nil {
		if f := r.checkAccess(ctx, ftc, cfg); f != nil {
			return f.reason, f.message
		}
		var err error
		if rc, err = r.start(ctx, ftc, s, hash, cacheSyncTimeout(cfg)); err != nil {
			return fedcorev1b1.ReasonControllerStartFailed, err.Error()
		}
		if rc == nil {
			return fedcorev1b1.ReasonControllerStartFailed, "the controller-manager is shutting down"
		}
	}
	r.mu.Lock()
	synced, failure := rc.synced, rc.failure
	r.mu.Unlock()
	switch {
	case failure != nil:
		ctrl.LoggerFrom(ctx).Info("Sync controller failed; it is started again later", "type", ftc.Name, "reason", failure.reason, "message", failure.message)
		r.stop(ctx, ftc.Name)
		return failure.reason, failure.message
	case !synced:
		return fedcorev1b1.ReasonControllerStarting, fmt.Sprintf("waiting for the host cache of %s to sync", ftc.Spec.FederatedType.Kind)
	}
	// A running type is checked again: its CRD may have been deleted, or
	// its access revoked, since it started.
	if f := r.checkAccess(ctx, ftc, cfg); f != nil {
		ctrl.LoggerFrom(ctx).Info("Stopping sync controller: its type can no longer be read", "type", ftc.Name, "reason", f.reason, "message", f.message)
		r.stop(ctx, ftc.Name)
		return f.reason, f.message
	}
	return fedcorev1b1.ReasonControllerRunning, "the sync controller is running"
}

// checkAccess lists the host kinds the controller would watch, one object
// each, with the controller's identity: a type whose CRD is gone or that
// the identity may not read is reported at once, and its informer is never
// started to retry (and log) in the background.
func (r *Reconciler) checkAccess(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, cfg *fedcorev1b1.KubeFedConfigSpec) *startFailure {
	kinds := []schema.GroupVersionKind{ftc.Spec.FederatedType.GroupVersionKind()}
	if ftc.Spec.TargetType.Namespaced() && !ftc.IsNamespace() {
		kinds = append(kinds, fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
	}
	var opts []client.ListOption
	if cfg.Scope == apiextensionsv1.NamespaceScoped {
		opts = append(opts, client.InNamespace(r.Namespace))
	}
	opts = append(opts, client.Limit(1))
	for _, gvk := range kinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		listCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := r.Manager.GetAPIReader().List(listCtx, list, opts...)
		cancel()
		switch {
		case err == nil:
		case apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err):
			return &startFailure{fedcorev1b1.ReasonFederatedTypeAccessDenied, fmt.Sprintf(
				"the controller-manager may not list %s in the host (%s): grant its ServiceAccount get, list and watch on %s (see docs/install.md); the controller starts by itself once it may",
				gvk.Kind, apiMessage(err), resourceOf(r.Manager, gvk))}
		case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
			return &startFailure{fedcorev1b1.ReasonFederatedTypeCRDNotFound, fmt.Sprintf(
				"the host API server does not serve %s (%s): install its CRD; the controller starts by itself once it is there", gvk, apiMessage(err))}
		default:
			return &startFailure{fedcorev1b1.ReasonControllerStartFailed, fmt.Sprintf(
				"listing %s in the host: %s", gvk.Kind, apiMessage(err))}
		}
	}
	return nil
}

// resourceOf names the resource of a kind for an RBAC hint.
func resourceOf(mgr ctrl.Manager, gvk schema.GroupVersionKind) string {
	m, err := mgr.GetRESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return gvk.GroupKind().String()
	}
	return m.Resource.GroupResource().String()
}

// apiMessage is the message of an API error without its wrapping.
func apiMessage(err error) string {
	if status, ok := err.(apierrors.APIStatus); ok && status.Status().Message != "" {
		return status.Status().Message
	}
	return err.Error()
}

// start builds the sync controller of ftc and starts it in the background.
// It returns nil (and no error) when the manager is shutting down.
func (r *Reconciler) start(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, s settings, hash string, syncTimeout time.Duration) (*runningController, error) {
	mgr := r.Manager
	// Set below, before the controller (which calls back) starts.
	var rc *runningController
	c, err := propagation.NewController(mgr, propagation.ControllerOptions{
		TypeConfig:       ftc,
		Namespace:        r.Namespace,
		Members:          r.Members,
		Workers:          s.Workers,
		AvailableDelay:   s.AvailableDelay,
		UnavailableDelay: s.UnavailableDelay,
		Metrics:          r.Metrics,
		OnStatusFieldsPruned: func(fields []string) {
			r.mu.Lock()
			rc.pruned = fields
			r.mu.Unlock()
			r.notify(ftc.Name)
		},
		// The status names the members where the copies are not watched.
		OnMemberWatchChange: func() { r.notify(ftc.Name) },
	})
	if err != nil {
		return nil, err
	}

	r.acquireInformers(c.HostKinds)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	rc = &runningController{hash: hash, cancel: cancel, done: make(chan struct{}), kinds: c.HostKinds,
		memberWatchErrors: c.MemberWatchErrors}
	r.mu.Lock()
	if r.stopping {
		// The manager is shutting down: this controller would outlive it.
		r.mu.Unlock()
		cancel()
		r.releaseInformers(ctx, rc.kinds)
		return nil, nil
	}
	r.running[ftc.Name] = rc
	r.mu.Unlock()

	name := ftc.Name
	log := mgr.GetLogger().WithValues("type", name)
	go func() {
		defer close(rc.done)
		syncCtx, cancelSync := context.WithTimeout(runCtx, syncTimeout)
		err := r.waitForInformers(syncCtx, c.HostKinds)
		cancelSync()
		if runCtx.Err() != nil {
			return
		}
		if err != nil {
			r.report(name, rc, &startFailure{fedcorev1b1.ReasonCacheSyncFailed, fmt.Sprintf(
				"the host cache of %s did not sync within %s (%v): check that the controller-manager may list and watch it and that its CRD is served",
				ftc.Spec.FederatedType.Kind, syncTimeout, err)})
			return
		}
		r.report(name, rc, nil)
		log.Info("Started sync controller", "workers", s.Workers)
		if err := c.Start(runCtx); err != nil && runCtx.Err() == nil {
			log.Error(err, "Sync controller stopped with an error")
			r.report(name, rc, &startFailure{fedcorev1b1.ReasonControllerStartFailed, fmt.Sprintf("the sync controller stopped: %v", err)})
		}
	}()
	return rc, nil
}

// waitForInformers waits until the host informers of kinds synced.
func (r *Reconciler) waitForInformers(ctx context.Context, kinds []schema.GroupVersionKind) error {
	for _, gvk := range kinds {
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(gvk)
		// Blocks until the informer synced, or ctx ends.
		if _, err := r.Manager.GetCache().GetInformer(ctx, obj); err != nil {
			return fmt.Errorf("%s: %w", gvk.Kind, err)
		}
	}
	return nil
}

// report records a started controller's state (nil: it runs) and asks for
// its FederatedTypeConfig to be reconciled, so that the status follows.
func (r *Reconciler) report(name string, rc *runningController, failure *startFailure) {
	r.mu.Lock()
	if failure == nil {
		rc.synced = true
	} else {
		rc.failure = failure
	}
	r.mu.Unlock()
	r.notify(name)
}

// notify asks for the named FederatedTypeConfig to be reconciled.
func (r *Reconciler) notify(name string) {
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	ftc.Name, ftc.Namespace = name, r.Namespace
	select {
	case r.events <- event.GenericEvent{Object: ftc}:
	default:
		// The queue is full of such requests; the status follows at the
		// next one, or at the safety requeue.
	}
}

// nextRetry returns when to try again to start a type that failed, and
// counts the failure.
func (r *Reconciler) nextRetry(name string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if at, ok := r.retryAt[name]; ok && now.Before(at) {
		// A reconcile before the retry was due (another request): it is
		// no new failure.
		return at
	}
	n := r.failures[name]
	r.failures[name] = n + 1
	d := retryInterval
	for range n {
		d *= 2
		if d >= maxRetryInterval {
			d = maxRetryInterval
			break
		}
	}
	r.retryAt[name] = now.Add(d)
	return r.retryAt[name]
}

func (r *Reconciler) forgetFailures(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.failures, name)
	delete(r.retryAt, name)
}

// acquireInformers counts a starting controller as a user of the informers
// of kinds.
func (r *Reconciler) acquireInformers(kinds []schema.GroupVersionKind) {
	r.informerMu.Lock()
	defer r.informerMu.Unlock()
	for _, gvk := range kinds {
		r.informers[gvk]++
	}
}

// releaseInformers uncounts a stopped controller, and removes the
// informers of the kinds no running controller (and no other controller
// of the manager) uses any more: a type whose CRD was deleted, or that
// was disabled, leaves no informer retrying in the background.
func (r *Reconciler) releaseInformers(ctx context.Context, kinds []schema.GroupVersionKind) {
	r.informerMu.Lock()
	defer r.informerMu.Unlock()
	for _, gvk := range kinds {
		r.informers[gvk]--
		if r.informers[gvk] > 0 {
			continue
		}
		delete(r.informers, gvk)
		if slices.Contains(r.KeepInformers, gvk) {
			continue
		}
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(gvk)
		if err := r.Manager.GetCache().RemoveInformer(ctx, obj); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "Could not remove the host informer of a stopped sync controller", "kind", gvk.String())
		}
	}
}

// informerUsers returns the number of running controllers that use the
// host informer of gvk.
func (r *Reconciler) informerUsers(gvk schema.GroupVersionKind) int {
	r.informerMu.Lock()
	defer r.informerMu.Unlock()
	return r.informers[gvk]
}

// stop stops the sync controller of the named FederatedTypeConfig, if it
// runs, and releases its host informers.
func (r *Reconciler) stop(ctx context.Context, name string) {
	r.mu.Lock()
	rc := r.running[name]
	delete(r.running, name)
	r.mu.Unlock()
	if rc == nil {
		return
	}
	rc.cancel()
	<-rc.done
	r.releaseInformers(ctx, rc.kinds)
	ctrl.LoggerFrom(ctx).Info("Stopped sync controller", "type", name)
}

// Running reports whether the sync controller of the named
// FederatedTypeConfig runs: started, its host cache synced, not failed.
func (r *Reconciler) Running(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	rc := r.running[name]
	return rc != nil && rc.synced && rc.failure == nil
}

// writeStatus records whether the controller runs, only when it changed.
func (r *Reconciler) writeStatus(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, reason, message string, pruned []string) error {
	orig := ftc.DeepCopy()
	ftc.Status.ObservedGeneration = ftc.Generation
	ftc.Status.PropagationController = fedcorev1b1.ControllerStatusNotRunning
	status := metav1.ConditionFalse
	if reason == fedcorev1b1.ReasonControllerRunning {
		ftc.Status.PropagationController = fedcorev1b1.ControllerStatusRunning
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&ftc.Status.Conditions, metav1.Condition{
		Type: fedcorev1b1.FederatedTypeConfigReady, Status: status, Reason: reason, Message: message, ObservedGeneration: ftc.Generation,
	})
	if len(pruned) > 0 {
		meta.SetStatusCondition(&ftc.Status.Conditions, metav1.Condition{
			Type: fedcorev1b1.FederatedTypeConfigStatusSchemaComplete, Status: metav1.ConditionFalse,
			Reason: fedcorev1b1.ReasonStatusFieldsPruned, ObservedGeneration: ftc.Generation,
			Message: fmt.Sprintf(
				"the CRD of %s drops %s (a CRD made by KubeFed's tooling): kubefed no longer writes them for this type; replace the CRD's schema with kubefed's (the chart's crds/ for default types) and restart the controller-manager",
				ftc.Spec.FederatedType.Kind, strings.Join(pruned, ", ")),
		})
	} else {
		meta.RemoveStatusCondition(&ftc.Status.Conditions, fedcorev1b1.FederatedTypeConfigStatusSchemaComplete)
	}
	setMemberWatchesCondition(ftc, r.memberWatchErrors(ftc.Name))
	if equalStatus(&orig.Status, &ftc.Status) {
		return nil
	}
	if err := r.Manager.GetClient().Status().Patch(ctx, ftc, client.MergeFrom(orig)); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("writing the status of FederatedTypeConfig %s: %w", ftc.Name, err)
	}
	return nil
}

func equalStatus(a, b *fedcorev1b1.FederatedTypeConfigStatus) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// stopper stops every sync controller when the manager stops.
type stopper struct{ r *Reconciler }

func (s stopper) Start(ctx context.Context) error {
	<-ctx.Done()
	s.r.mu.Lock()
	running := s.r.running
	s.r.running = map[string]*runningController{}
	s.r.stopping = true
	s.r.mu.Unlock()
	// Every controller is told to stop first, then waited for: their
	// in-flight reconciles wind down together, within the manager's
	// graceful shutdown timeout. The host cache stops after this, so the
	// informers need no removal.
	for _, rc := range running {
		rc.cancel()
	}
	for _, rc := range running {
		<-rc.done
	}
	return nil
}
