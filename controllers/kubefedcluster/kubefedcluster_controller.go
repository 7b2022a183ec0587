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

package kubefedcluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/enqueue"
	"github.com/kubefed/kubefed/internal/metrics"
)

// ControllerName names the controller in logs, metrics and events.
const ControllerName = "kubefedcluster"

// Defaults of Reconciler fields.
const (
	// DefaultMaxConcurrentReconciles is high because a probe of an
	// unreachable cluster holds a worker for up to the probe timeout: with
	// fewer workers than hung clusters, healthy ones would wait.
	DefaultMaxConcurrentReconciles = 32
	// DefaultStatusHeartbeat is how often an unchanged status is written
	// anyway, to refresh lastProbeTime.
	DefaultStatusHeartbeat = 5 * time.Minute
)

// conflictRetry is how soon a cluster whose status write met a conflict is
// read and probed again.
const conflictRetry = time.Second

// secretRefIndex indexes KubeFedClusters by spec.secretRef.name.
const secretRefIndex = "spec.secretRef.name"

// The markers stand in a block of their own: controller-gen ignores those
// in a type's doc comment.

// +kubebuilder:rbac:groups=core.kubefed.io,namespace=kube-federation-system,resources=kubefedclusters,verbs=get;list;watch
// +kubebuilder:rbac:groups=core.kubefed.io,namespace=kube-federation-system,resources=kubefedclusters/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=core.kubefed.io,namespace=kube-federation-system,resources=kubefedconfigs,verbs=get;list;watch
// +kubebuilder:rbac:groups="",namespace=kube-federation-system,resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="";events.k8s.io,namespace=kube-federation-system,resources=events,verbs=create;patch

// Reconciler probes the health of member clusters, writes it to their
// KubeFedClusters and connects the Ready ones in the cluster cache.
type Reconciler struct {
	// Client reads and writes the host cluster; a manager's client, whose
	// cache may be restricted to Namespace.
	Client client.Client
	// ClusterCache receives Connect and Disconnect calls for the clusters.
	ClusterCache *clustercache.ClusterCache
	// Namespace is the control-plane namespace, where KubeFedClusters, their
	// Secrets and the KubeFedConfig live.
	Namespace string
	// Recorder records events on KubeFedClusters; the manager's when nil.
	Recorder events.EventRecorder
	// MaxConcurrentReconciles is the number of clusters probed at the same
	// time; DefaultMaxConcurrentReconciles when zero.
	MaxConcurrentReconciles int
	// StatusHeartbeat bounds how long an unchanged status goes unwritten;
	// DefaultStatusHeartbeat when zero.
	StatusHeartbeat time.Duration

	mu sync.Mutex
	// records holds what the controller remembers of each cluster between
	// probes, by name.
	records map[string]*record
}

// record is the in-memory state of one cluster.
type record struct {
	// prober is reused while the cluster's inputs are unchanged.
	prober *prober
	// run counts consecutive probes that disagreed with the reported health.
	run int
	// connectErr is the last connection error, to report each one once.
	connectErr string
}

// SetupWithManager registers the controller with the manager.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Client == nil || r.ClusterCache == nil || r.Namespace == "" {
		return errors.New("kubefedcluster: Client, ClusterCache and Namespace are required")
	}
	if r.Recorder == nil {
		r.Recorder = mgr.GetEventRecorder(ControllerName + "-controller")
	}
	if r.MaxConcurrentReconciles == 0 {
		r.MaxConcurrentReconciles = DefaultMaxConcurrentReconciles
	}
	if r.StatusHeartbeat == 0 {
		r.StatusHeartbeat = DefaultStatusHeartbeat
	}
	r.records = map[string]*record{}
	err := mgr.GetFieldIndexer().IndexField(context.TODO(), &fedcorev1b1.KubeFedCluster{}, secretRefIndex, func(o client.Object) []string {
		return []string{o.(*fedcorev1b1.KubeFedCluster).Spec.SecretRef.Name}
	})
	if err != nil {
		return fmt.Errorf("indexing KubeFedClusters by Secret: %w", err)
	}
	inNamespace := predicate.NewPredicateFuncs(func(o client.Object) bool { return o.GetNamespace() == r.Namespace })
	return ctrl.NewControllerManagedBy(mgr).
		Named(ControllerName).
		For(&fedcorev1b1.KubeFedCluster{}, builder.WithPredicates(inNamespace, predicate.GenerationChangedPredicate{})).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.secretToClusters), builder.WithPredicates(inNamespace)).
		Watches(&fedcorev1b1.KubeFedConfig{}, handler.EnqueueRequestsFromMapFunc(r.configToClusters), builder.WithPredicates(inNamespace)).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrentReconciles}).
		Complete(r)
}

// Reconcile probes one member cluster and writes its status.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, reterr error) {
	cluster := &fedcorev1b1.KubeFedCluster{}
	if err := r.Client.Get(ctx, req.NamespacedName, cluster); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(ctx, req.Name)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("getting KubeFedCluster %s: %w", req, err)
	}
	if !cluster.DeletionTimestamp.IsZero() {
		r.forget(ctx, req.Name)
		return ctrl.Result{}, nil
	}

	s, err := r.newScope(ctx, cluster)
	if err != nil {
		return ctrl.Result{}, err
	}
	defer func() { res, reterr = r.finish(ctx, s, res, reterr) }()

	phases := []func(context.Context, *scope) (ctrl.Result, error){
		r.reconcileProber,
		r.reconcileHealth,
		r.reconcileConnection,
		r.reconcileClusterInfo,
	}
	for _, phase := range phases {
		if res, err := phase(ctx, s); err != nil || !res.IsZero() {
			return res, err
		}
	}
	return ctrl.Result{RequeueAfter: s.nextProbe()}, nil
}

// finish writes the status and, once it is written, announces a health
// transition, so that each transition is announced once, by the pass that
// wrote it. A conflict (the KubeFedCluster changed since it was read) is
// no failure: the pass leaves no trace (no event, the damping count as it
// was) and the cluster is read and probed again soon.
func (r *Reconciler) finish(ctx context.Context, s *scope, res ctrl.Result, reterr error) (ctrl.Result, error) {
	err := r.patchStatus(ctx, s)
	switch {
	case apierrors.IsConflict(err):
		s.record.run = s.runBefore
		ctrl.LoggerFrom(ctx).V(1).Info("KubeFedCluster changed since it was read; probing it again")
		if reterr == nil {
			res = ctrl.Result{RequeueAfter: conflictRetry}
		}
		return res, reterr
	case err != nil:
		// The error requeues with the per-cluster backoff instead.
		return ctrl.Result{}, errors.Join(reterr, err)
	}
	if s.transitioned() {
		r.announceTransition(ctx, s)
	}
	return res, reterr
}

// scope is what one reconcile of a cluster reads and decides.
type scope struct {
	// cluster is the KubeFedCluster; phases write its status.
	cluster *fedcorev1b1.KubeFedCluster
	// original is the KubeFedCluster as read, the base of the status patch.
	original *fedcorev1b1.KubeFedCluster
	// secret is the Secret named by spec.secretRef; nil when missing.
	secret *corev1.Secret
	// settings are the KubeFedConfig's effective settings (the API's
	// defaults for what it omits).
	settings fedcorev1b1.Settings
	// record is the controller's memory of the cluster.
	record *record
	// now is when the reconcile started.
	now metav1.Time

	// malformed is set by reconcileProber when no client can be built.
	malformed error
	// probed is set by reconcileHealth: what the probe observed.
	probed probeResult
	// reported is set by reconcileHealth: the health the stored status
	// reported before this probe.
	reported health
	// health is set by reconcileHealth: the damped health to report.
	health health
	// runBefore is set by reconcileHealth: the record's damping count
	// before this probe, restored when the status write conflicts.
	runBefore int
}

// nextProbe is the delay until the next probe: one period after this one
// started, so that a slow probe does not stretch the schedule.
func (s *scope) nextProbe() time.Duration {
	return max(s.settings.HealthCheckPeriod-time.Since(s.now.Time), 100*time.Millisecond)
}

// transitioned reports whether the reported health changes in this reconcile.
func (s *scope) transitioned() bool { return s.health != s.reported }

func (r *Reconciler) newScope(ctx context.Context, cluster *fedcorev1b1.KubeFedCluster) (*scope, error) {
	s := &scope{cluster: cluster, original: cluster.DeepCopy(), now: metav1.Now(), record: r.recordFor(cluster.Name)}

	var err error
	if s.settings, err = fedcorev1b1.ReadSettings(ctx, r.Client, r.Namespace); err != nil {
		return nil, err
	}

	secret := &corev1.Secret{}
	err = r.Client.Get(ctx, types.NamespacedName{Namespace: cluster.Namespace, Name: cluster.Spec.SecretRef.Name}, secret)
	switch {
	case cluster.Spec.SecretRef.Name == "" || apierrors.IsNotFound(err):
		secret = nil
	case err != nil:
		return nil, fmt.Errorf("getting Secret %s/%s of KubeFedCluster %s: %w", cluster.Namespace, cluster.Spec.SecretRef.Name, klog.KObj(cluster), err)
	}
	s.secret = secret
	return s, nil
}

// recordFor returns the in-memory record of a cluster, creating it.
func (r *Reconciler) recordFor(name string) *record {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := r.records[name]
	if rec == nil {
		rec = &record{}
		r.records[name] = rec
		metrics.JoinedClusterTotal.Set(float64(len(r.records)))
	}
	return rec
}

// forget drops everything held for a cluster whose KubeFedCluster is gone.
func (r *Reconciler) forget(ctx context.Context, name string) {
	r.mu.Lock()
	rec := r.records[name]
	delete(r.records, name)
	metrics.JoinedClusterTotal.Set(float64(len(r.records)))
	r.mu.Unlock()
	if rec != nil && rec.prober != nil {
		rec.prober.close()
	}
	r.ClusterCache.Forget(ctx, name)
	metrics.ForgetCluster(name)
	ctrl.LoggerFrom(ctx).V(1).Info("Forgot removed member cluster", "cluster", name)
}

// secretToClusters maps a Secret to the KubeFedClusters that reference it.
func (r *Reconciler) secretToClusters(ctx context.Context, o client.Object) []ctrl.Request {
	ctx = ctrl.LoggerInto(ctx, ctrl.LoggerFrom(ctx).WithValues("secret", klog.KObj(o)))
	return enqueue.All(ctx, r.Client, &fedcorev1b1.KubeFedClusterList{}, "Could not list the KubeFedClusters of a Secret",
		client.InNamespace(o.GetNamespace()), client.MatchingFields{secretRefIndex: o.GetName()})
}

// configToClusters maps the KubeFedConfig to every KubeFedCluster, so that
// new health check settings apply at once.
func (r *Reconciler) configToClusters(ctx context.Context, o client.Object) []ctrl.Request {
	if o.GetName() != fedcorev1b1.KubeFedConfigName {
		return nil
	}
	return enqueue.All(ctx, r.Client, &fedcorev1b1.KubeFedClusterList{}, "Could not list KubeFedClusters", client.InNamespace(r.Namespace))
}
