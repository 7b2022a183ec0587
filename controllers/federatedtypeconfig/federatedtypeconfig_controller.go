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
	gosync "sync"
	"time"

	"github.com/go-logr/logr"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/controllers/sync"
	"github.com/kubefed/kubefed/internal/clustercache"
)

// How often a type that cannot start yet (its CRD is missing, say) is
// checked again.
const retryInterval = 10 * time.Second

// Default number of federated objects one sync controller reconciles at
// once when the KubeFedConfig does not say (KubeFed: 1).
const defaultMaxConcurrentReconciles = 8

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
type Reconciler struct {
	// Manager provides the host client, cache, scheme and event recorders.
	Manager ctrl.Manager
	// Members connects to the member clusters.
	Members *clustercache.ClusterCache
	// Namespace is the control-plane namespace.
	Namespace string
	// Metrics receives the sync controllers' measurements; optional.
	Metrics sync.Metrics

	mu      gosync.Mutex
	running map[string]*runningController
	// stopping is set when the manager shuts down; no controller starts
	// after that.
	stopping bool
}

// runningController is a started sync controller.
type runningController struct {
	// hash identifies the configuration it was started with.
	hash   string
	cancel context.CancelFunc
	done   chan struct{}
	// kind is the federated type, to drop its informer on stop.
	kind *unstructured.Unstructured
}

// SetupWithManager registers the reconciler with the manager.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.running = map[string]*runningController{}
	// Stop every sync controller when the manager stops.
	if err := mgr.Add(stopper{r}); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&fedcorev1b1.FederatedTypeConfig{}).
		Named("federatedtypeconfig").
		Complete(r)
}

// Reconcile starts, restarts or stops the sync controller of one
// FederatedTypeConfig and reports it in its status.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	c := r.Manager.GetClient()
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	if err := c.Get(ctx, req.NamespacedName, ftc); err != nil {
		if apierrors.IsNotFound(err) {
			r.stop(ctx, req.Name)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if !ftc.DeletionTimestamp.IsZero() {
		r.stop(ctx, ftc.Name)
		if controllerutil.RemoveFinalizer(ftc, fedcorev1b1.FederatedTypeConfigFinalizer) {
			if err := c.Update(ctx, ftc); err != nil && !apierrors.IsNotFound(err) {
				return ctrl.Result{}, fmt.Errorf("removing the finalizer of FederatedTypeConfig %s: %w", ftc.Name, err)
			}
		}
		return ctrl.Result{}, nil
	}
	if controllerutil.AddFinalizer(ftc, fedcorev1b1.FederatedTypeConfigFinalizer) {
		if err := c.Update(ctx, ftc); err != nil {
			return ctrl.Result{}, fmt.Errorf("adding the finalizer of FederatedTypeConfig %s: %w", ftc.Name, err)
		}
		return ctrl.Result{}, nil
	}

	cfg, err := r.config(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	reason, message := r.startable(ctx, ftc, cfg)
	result := ctrl.Result{}
	if reason == fedcorev1b1.ReasonControllerRunning {
		if err := r.ensureRunning(ctx, ftc, cfg); err != nil {
			reason, message = fedcorev1b1.ReasonControllerStartFailed, err.Error()
			result.RequeueAfter = retryInterval
		}
	} else {
		r.stop(ctx, ftc.Name)
		if reason != fedcorev1b1.ReasonPropagationDisabled {
			result.RequeueAfter = retryInterval
		}
	}
	return result, r.writeStatus(ctx, ftc, reason, message)
}

// startable says whether the type's sync controller can run, and if not
// why (as a condition reason and message).
func (r *Reconciler) startable(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, cfg *fedcorev1b1.KubeFedConfigSpec) (string, string) {
	if !ftc.GetPropagationEnabled() {
		return fedcorev1b1.ReasonPropagationDisabled, "spec.propagation is Disabled"
	}
	if cfg.Scope == apiextensionsv1.NamespaceScoped && !ftc.Spec.TargetType.Namespaced() && !ftc.IsNamespace() {
		return fedcorev1b1.ReasonClusterScopedTypeNotSupported, fmt.Sprintf(
			"%s is cluster-scoped and the control plane is Namespaced (KubeFedConfig %s/%s): only namespaced types are propagated",
			ftc.Spec.TargetType.Kind, r.Namespace, fedcorev1b1.KubeFedConfigName)
	}
	gvk := ftc.Spec.FederatedType.GroupVersionKind()
	if _, err := r.Manager.GetRESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
		return fedcorev1b1.ReasonFederatedTypeCRDNotFound, fmt.Sprintf(
			"the host API server does not serve %s (%v): install its CRD (for example with 'kubefedctl enable %s'); the controller starts by itself once it is there",
			gvk, err, ftc.Spec.TargetType.Kind)
	}
	if ftc.Spec.TargetType.Namespaced() && !ftc.IsNamespace() && cfg.Scope != apiextensionsv1.NamespaceScoped {
		ns := &fedcorev1b1.FederatedTypeConfig{}
		if err := r.Manager.GetClient().Get(ctx, types.NamespacedName{Namespace: ftc.Namespace, Name: "namespaces"}, ns); err != nil {
			return fedcorev1b1.ReasonNamespacesTypeMissing, fmt.Sprintf(
				"namespaced types need the \"namespaces\" FederatedTypeConfig in %s (%v): enable namespaces first", ftc.Namespace, err)
		}
	}
	return fedcorev1b1.ReasonControllerRunning, "the sync controller is running"
}

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
	s := settings{Workers: defaultMaxConcurrentReconciles, AvailableDelay: 20 * time.Second, UnavailableDelay: 60 * time.Second}
	if sc := cfg.SyncController; sc != nil && sc.MaxConcurrentReconciles != nil && *sc.MaxConcurrentReconciles > 0 {
		s.Workers = int(*sc.MaxConcurrentReconciles)
	}
	if d := cfg.ControllerDuration; d != nil {
		if d.AvailableDelay != nil {
			s.AvailableDelay = d.AvailableDelay.Duration
		}
		if d.UnavailableDelay != nil {
			s.UnavailableDelay = d.UnavailableDelay.Duration
		}
	}
	return s
}

// ensureRunning starts the controller, or restarts it when its
// configuration changed.
func (r *Reconciler) ensureRunning(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, cfg *fedcorev1b1.KubeFedConfigSpec) error {
	s := settingsFrom(cfg)
	hash := configHash(ftc, s)
	r.mu.Lock()
	rc := r.running[ftc.Name]
	r.mu.Unlock()
	if rc != nil && rc.hash == hash {
		return nil
	}
	if rc != nil {
		ctrl.LoggerFrom(ctx).Info("Restarting sync controller: its configuration changed", "type", ftc.Name)
		r.stop(ctx, ftc.Name)
	}
	return r.start(ctx, ftc, s, hash)
}

func (r *Reconciler) start(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, s settings, hash string) error {
	mgr := r.Manager
	name := "sync-" + ftc.Name
	typeConfig := ftc.DeepCopy()
	rec := &sync.Reconciler{
		Client:     mgr.GetClient(),
		APIReader:  mgr.GetAPIReader(),
		Members:    r.Members,
		TypeConfig: typeConfig,
		Namespace:  r.Namespace,
		Recorder:   mgr.GetEventRecorderFor("kubefed-sync"), //nolint:staticcheck // the events API recorder needs a different sink
		Metrics:    r.Metrics,
	}
	c, err := controller.NewTypedUnmanaged[reconcile.Request](name, controller.TypedOptions[reconcile.Request]{
		Reconciler:              rec,
		MaxConcurrentReconciles: s.Workers,
		SkipNameValidation:      ptr.To(true),
		// See cmd/controller-manager/app: the v0.24 priority queue can hang a
		// shutdown.
		UsePriorityQueue: ptr.To(false),
		LogConstructor: func(req *reconcile.Request) logr.Logger {
			l := mgr.GetLogger().WithValues("controller", name, "type", ftc.Name)
			if req != nil {
				l = l.WithValues("object", req.NamespacedName.String())
			}
			return l
		},
	})
	if err != nil {
		return fmt.Errorf("building the sync controller of %s: %w", ftc.Name, err)
	}
	fedKind := &unstructured.Unstructured{}
	fedKind.SetGroupVersionKind(typeConfig.Spec.FederatedType.GroupVersionKind())
	if err := c.Watch(source.Kind[client.Object](mgr.GetCache(), fedKind, &handler.EnqueueRequestForObject{})); err != nil {
		return err
	}
	// A namespaced type's placement is bounded by its namespace's
	// FederatedNamespace: when that appears or changes, every object of the
	// type in the namespace is reconciled again.
	if typeConfig.Spec.TargetType.Namespaced() && !typeConfig.IsNamespace() {
		fedNS := &unstructured.Unstructured{}
		fedNS.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
		if err := c.Watch(source.Kind[client.Object](mgr.GetCache(), fedNS,
			handler.EnqueueRequestsFromMapFunc(sync.NamespaceToFederated(mgr.GetClient(), typeConfig)))); err != nil {
			return err
		}
	}
	target := &unstructured.Unstructured{}
	target.SetGroupVersionKind(typeConfig.Spec.TargetType.GroupVersionKind())
	if err := c.Watch(clustercache.WatchSource(r.Members, clustercache.WatchSourceInput[reconcile.Request]{
		Name: name,
		Kind: target,
		MapFunc: func(_ context.Context, _ string, obj client.Object) []reconcile.Request {
			return []reconcile.Request{sync.MemberToFederated(typeConfig, obj)}
		},
	})); err != nil {
		return err
	}
	if err := c.Watch(sync.ConnectionSource(r.Members, mgr.GetClient(), typeConfig, s.AvailableDelay, s.UnavailableDelay)); err != nil {
		return err
	}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	rc := &runningController{hash: hash, cancel: cancel, done: make(chan struct{}), kind: fedKind}
	go func() {
		defer close(rc.done)
		if err := c.Start(runCtx); err != nil {
			mgr.GetLogger().Error(err, "Sync controller stopped with an error", "type", ftc.Name)
		}
	}()
	r.mu.Lock()
	if r.stopping {
		// The manager is shutting down: this controller would outlive it.
		r.mu.Unlock()
		cancel()
		<-rc.done
		return nil
	}
	r.running[ftc.Name] = rc
	r.mu.Unlock()
	ctrl.LoggerFrom(ctx).Info("Started sync controller", "type", ftc.Name, "workers", s.Workers)
	return nil
}

// stop stops the sync controller of the named FederatedTypeConfig, if it
// runs, and drops the federated type's informer from the host cache.
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
	if err := r.Manager.GetCache().RemoveInformer(ctx, rc.kind); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Could not remove the informer of a stopped sync controller", "type", name)
	}
	ctrl.LoggerFrom(ctx).Info("Stopped sync controller", "type", name)
}

// Running reports whether the sync controller of the named
// FederatedTypeConfig runs.
func (r *Reconciler) Running(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running[name] != nil
}

// writeStatus records whether the controller runs, only when it changed.
func (r *Reconciler) writeStatus(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, reason, message string) error {
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
