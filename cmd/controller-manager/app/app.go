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

package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/pprof"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/selection"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/controllers/federatedtypeconfig"
	"github.com/kubefed/kubefed/controllers/kubefedcluster"
	"github.com/kubefed/kubefed/controllers/propagation"
	"github.com/kubefed/kubefed/controllers/scheduling"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/metrics"
)

// Options configure the controller-manager. The settings the KubeFedConfig
// holds (leader election durations, cache sync timeout...) are not options:
// they are read from it, through fedcorev1b1.Settings.
type Options struct {
	// Namespace is the control-plane namespace.
	Namespace string
	// MetricsBindAddress serves /metrics; "0" disables it.
	MetricsBindAddress string
	// HealthProbeBindAddress serves /healthz and /readyz; "0" disables it.
	HealthProbeBindAddress string
	// LeaderElect enables leader election with a Lease in Namespace.
	LeaderElect bool
	// LeaderElectionID names the Lease.
	LeaderElectionID string
	// MemberQPS and MemberBurst limit the requests to each member cluster.
	MemberQPS   float32
	MemberBurst int
	// UnschedulableWindow is how long a workload's Pods may stay
	// unschedulable in a member before the scheduler plans them elsewhere;
	// scheduling.DefaultUnschedulableWindow when zero.
	UnschedulableWindow time.Duration
	// SkipControllerNameValidation lets one process build several managers
	// (tests that restart an in-process control plane); controller-runtime
	// otherwise refuses a second controller of the same name.
	SkipControllerNameValidation bool
	// GracefulShutdownTimeout bounds how long in-flight work may take on
	// SIGTERM.
	GracefulShutdownTimeout time.Duration
	// Profiling serves Go's pprof handlers under /debug/pprof/ on the
	// metrics listener. Profiles reveal internals: keep the listener
	// private when this is on.
	Profiling bool
	// Webhook says where the admission webhook is served (off when unset).
	Webhook WebhookOptions
}

// Scheme returns the scheme with every kind the controllers use.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(apiextensionsv1.AddToScheme(s))
	utilruntime.Must(fedcorev1b1.AddToScheme(s))
	utilruntime.Must(fedcorev1a1.AddToScheme(s))
	utilruntime.Must(fedschedv1a1.AddToScheme(s))
	utilruntime.Must(fedtypesv1b1.AddToScheme(s))
	return s
}

// +kubebuilder:rbac:groups=core.kubefed.io,namespace=kube-federation-system,resources=kubefedconfigs,verbs=get;list;watch;create
// +kubebuilder:rbac:groups=coordination.k8s.io,namespace=kube-federation-system,resources=leases,verbs=get;list;watch;create;update;patch;delete

// ensureConfig returns the KubeFedConfig of the control plane, creating it
// with the defaults when it is missing.
func ensureConfig(ctx context.Context, c client.Client, namespace string) (*fedcorev1b1.KubeFedConfig, error) {
	cfg := &fedcorev1b1.KubeFedConfig{}
	key := client.ObjectKey{Namespace: namespace, Name: fedcorev1b1.KubeFedConfigName}
	err := c.Get(ctx, key, cfg)
	if err == nil {
		return cfg, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("reading KubeFedConfig %s/%s: %w (is the chart installed, and may this identity read it?)", namespace, fedcorev1b1.KubeFedConfigName, err)
	}
	cfg = &fedcorev1b1.KubeFedConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: fedcorev1b1.KubeFedConfigName},
		// The schema fills in every other default.
		Spec: fedcorev1b1.KubeFedConfigSpec{Scope: apiextensionsv1.ClusterScoped},
	}
	if err := c.Create(ctx, cfg); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("creating the default KubeFedConfig %s/%s: %w", namespace, fedcorev1b1.KubeFedConfigName, err)
	}
	if err := c.Get(ctx, key, cfg); err != nil {
		return nil, err
	}
	ctrl.LoggerFrom(ctx).Info("Created the default KubeFedConfig", "namespace", namespace)
	return cfg, nil
}

// New builds the manager with every controller registered. It reads the
// KubeFedConfig first (creating it when missing): its settings shape the
// manager, the host cache and the member connections.
func New(ctx context.Context, restConfig *rest.Config, opts Options) (ctrl.Manager, error) {
	if opts.Namespace == "" {
		return nil, errors.New("the control-plane namespace is required (--kubefed-namespace)")
	}
	scheme := Scheme()
	direct, err := client.New(restConfig, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	cfg, err := ensureConfig(ctx, direct, opts.Namespace)
	if err != nil {
		return nil, err
	}
	settings := cfg.Spec.Settings()
	mgr, err := ctrl.NewManager(restConfig, managerOptions(scheme, opts, settings))
	if err != nil {
		return nil, fmt.Errorf("creating the manager: %w", err)
	}
	members, err := memberCache(scheme, opts, settings)
	if err != nil {
		return nil, err
	}
	if err := mgr.Add(members); err != nil {
		return nil, err
	}
	if err := addControllers(mgr, members, opts, watchNamespace(opts, settings)); err != nil {
		return nil, err
	}
	if err := addHealthChecks(mgr); err != nil {
		return nil, err
	}
	if err := addWebhook(ctx, mgr, opts.Webhook); err != nil {
		return nil, err
	}
	return mgr, nil
}

// watchNamespace is the namespace the host cache watches: the control
// plane's in a Namespaced control plane, else "" (every namespace).
func watchNamespace(opts Options, settings fedcorev1b1.Settings) string {
	if settings.Scope == apiextensionsv1.NamespaceScoped {
		return opts.Namespace
	}
	return ""
}

// hostCacheOptions configure the manager's cache of the host cluster.
func hostCacheOptions(opts Options, settings fedcorev1b1.Settings) cache.Options {
	ns := map[string]cache.Config{opts.Namespace: {}}
	cacheOpts := cache.Options{
		// Nothing reads managedFields, which are often the larger part of
		// a small object: dropping them roughly halves the cache.
		DefaultTransform: hostTransform(),
		// The control plane's own objects, and the Secrets holding member
		// tokens, are only read in its namespace.
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Secret{}:                   {Namespaces: ns},
			&fedcorev1b1.KubeFedCluster{}:      {Namespaces: ns},
			&fedcorev1b1.KubeFedConfig{}:       {Namespaces: ns},
			&fedcorev1b1.FederatedTypeConfig{}: {Namespaces: ns},
			// The sync controllers read the revisions of rolled-out
			// objects; the host's other ControllerRevisions (every
			// StatefulSet's and DaemonSet's) stay out of the cache.
			&appsv1.ControllerRevision{}: {Label: revisionSelector()},
		},
	}
	if settings.Scope == apiextensionsv1.NamespaceScoped {
		cacheOpts.DefaultNamespaces = ns
	}
	return cacheOpts
}

// revisionSelector selects the ControllerRevisions that keep the revisions
// of federated objects (see internal/rollout).
func revisionSelector() labels.Selector {
	req, err := labels.NewRequirement(fedtypesv1b1.RevisionFederatedUIDLabel, selection.Exists, nil)
	utilruntime.Must(err)
	return labels.NewSelector().Add(*req)
}

// managerOptions configure the manager from the flags and the
// KubeFedConfig's settings (which win where both have one: the leader
// election durations).
func managerOptions(scheme *runtime.Scheme, opts Options, settings fedcorev1b1.Settings) ctrl.Options {
	mgrOpts := ctrl.Options{
		Scheme: scheme,
		Cache:  hostCacheOptions(opts, settings),
		// Federated objects are read as unstructured objects, which
		// controller-runtime's client reads from the API server unless told
		// otherwise: one host request per reconcile, rate-limited with
		// every other host request. The sync controllers watch their kinds,
		// so the cache holds them anyway (and controllers/propagation's writeMemo
		// deals with its lag behind kubefed's own writes).
		Client:                  client.Options{Cache: &client.CacheOptions{Unstructured: true}},
		Metrics:                 metricsserver.Options{BindAddress: opts.MetricsBindAddress, ExtraHandlers: profilingHandlers(opts.Profiling)},
		HealthProbeBindAddress:  opts.HealthProbeBindAddress,
		LeaderElection:          opts.LeaderElect,
		LeaderElectionID:        cmp.Or(opts.LeaderElectionID, "kubefed-controller-manager"),
		LeaderElectionNamespace: opts.Namespace,
		// Release the lease on a clean shutdown so that a standby takes
		// over at once instead of after the lease expires.
		LeaderElectionReleaseOnCancel: true,
		GracefulShutdownTimeout:       ptr.To(cmp.Or(opts.GracefulShutdownTimeout, 30*time.Second)),
		LeaseDuration:                 ptr.To(settings.LeaseDuration),
		RenewDeadline:                 ptr.To(settings.RenewDeadline),
		RetryPeriod:                   ptr.To(settings.RetryPeriod),
	}
	// The priority queue lets user-triggered work overtake resyncs and the
	// echoes of kubefed's own writes. controller-runtime v0.24's could
	// leave a worker blocked in Get after a shutdown
	// (kubernetes-sigs/controller-runtime #3538); v0.25.2 carries the fix
	// (#3540).
	mgrOpts.Controller.UsePriorityQueue = ptr.To(true)
	if opts.SkipControllerNameValidation {
		mgrOpts.Controller.SkipNameValidation = ptr.To(true)
	}
	return mgrOpts
}

// memberCache builds the connections to the member clusters: their
// clients and the caches of kubefed's copies there.
func memberCache(scheme *runtime.Scheme, opts Options, settings fedcorev1b1.Settings) (*clustercache.ClusterCache, error) {
	// Member caches hold the objects that carry the managed label, whatever
	// its value: "true" ones are kubefed's, "false" ones must be left alone,
	// so that a missing cache entry means "absent or unlabelled" and the sync
	// controllers need no extra read before creating a copy.
	labelled, err := labels.NewRequirement(fedcorev1b1.ManagedByKubeFedLabelKey, selection.Exists, nil)
	if err != nil {
		return nil, err
	}
	ccOpts := clustercache.Options{Scheme: scheme, QPS: opts.MemberQPS, Burst: opts.MemberBurst,
		DefaultLabelSelector: labels.NewSelector().Add(*labelled), DefaultTransform: memberTransform(),
		CacheSyncTimeout: settings.CacheSyncTimeout}
	// A Namespaced join grants a Role in the control-plane namespace of each
	// member only: the member caches must not list anything else.
	if settings.Scope == apiextensionsv1.NamespaceScoped {
		ccOpts.Namespaces = []string{opts.Namespace}
	}
	return clustercache.New(ccOpts), nil
}

// addHealthChecks serves /healthz, and /readyz once the host cache synced.
func addHealthChecks(mgr ctrl.Manager) error {
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	return mgr.AddReadyzCheck("readyz", func(req *http.Request) error {
		if !mgr.GetCache().WaitForCacheSync(req.Context()) {
			return errors.New("the host cache has not synced")
		}
		return nil
	})
}

// addControllers registers every controller of the control plane with the
// manager: the one place where a new controller is added.
func addControllers(mgr ctrl.Manager, members *clustercache.ClusterCache, opts Options, watchNamespace string) error {
	if err := (&kubefedcluster.Reconciler{
		Client:       mgr.GetClient(),
		ClusterCache: members,
		Namespace:    opts.Namespace,
	}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the KubeFedCluster controller: %w", err)
	}
	if err := addSyncControllers(mgr, members, opts); err != nil {
		return err
	}

	if err := (&scheduling.Reconciler{
		Client:              mgr.GetClient(),
		Members:             members,
		Namespace:           opts.Namespace,
		Recorder:            mgr.GetEventRecorder("kubefed-scheduler"),
		UnschedulableWindow: opts.UnschedulableWindow,
	}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the ReplicaSchedulingPreference controller: %w", err)
	}
	if err := addDNSControllers(mgr, members, opts.Namespace, watchNamespace); err != nil {
		return fmt.Errorf("setting up the multi-cluster DNS controllers: %w", err)
	}
	return nil
}

// addSyncControllers registers the supervisor of the per-type sync
// controllers (controllers/propagation) and the FederatedTypeConfig
// reconciler that tells it which types run.
func addSyncControllers(mgr ctrl.Manager, members *clustercache.ClusterCache, opts Options) error {
	supervisor := propagation.NewSupervisor(propagation.SupervisorOptions{
		Manager:       mgr,
		Members:       members,
		Namespace:     opts.Namespace,
		Metrics:       metrics.SyncMetrics{},
		KeepInformers: scheduling.HostKinds(),
	})
	// Stops every sync controller when the manager stops.
	if err := mgr.Add(supervisor); err != nil {
		return err
	}
	if err := (&federatedtypeconfig.Reconciler{
		Client:      mgr.GetClient(),
		APIReader:   mgr.GetAPIReader(),
		RESTMapper:  mgr.GetRESTMapper(),
		Namespace:   opts.Namespace,
		Controllers: supervisor,
	}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the FederatedTypeConfig controller: %w", err)
	}
	return nil
}

// profilingHandlers returns Go's pprof handlers for the metrics listener
// when enabled, else nil.
func profilingHandlers(enabled bool) map[string]http.Handler {
	if !enabled {
		return nil
	}
	return map[string]http.Handler{
		"/debug/pprof/":        http.HandlerFunc(pprof.Index),
		"/debug/pprof/cmdline": http.HandlerFunc(pprof.Cmdline),
		"/debug/pprof/profile": http.HandlerFunc(pprof.Profile),
		"/debug/pprof/symbol":  http.HandlerFunc(pprof.Symbol),
		"/debug/pprof/trace":   http.HandlerFunc(pprof.Trace),
	}
}
