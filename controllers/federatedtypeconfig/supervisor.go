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
	"slices"
	gosync "sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/controllers/sync"
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

// supervisor runs the per-type sync controllers: it starts, restarts and
// stops them, paces the retries of the types that failed, and shares the
// host informers they use. It is a manager runnable that stops every
// controller when the manager stops.
//
// Ownership: the supervisor is the one owner of this state, and mu is its
// one lock. It guards the per-type entries (the running controller, the
// retry backoff), the per-kind count of the running controllers that use a
// host informer, and stopping. A started controller's goroutine and
// callbacks write only their own runningController's synced, failure and
// pruned fields, under mu. Nothing waits for a controller to end while
// holding mu (the controller reports under mu as it ends); an informer is
// counted and removed under mu, so that it is never removed while a
// controller that is starting counts on it.
type supervisor struct {
	mgr       ctrl.Manager
	members   *clustercache.ClusterCache
	namespace string
	metrics   sync.Metrics
	// keep are host kinds that other controllers of the manager watch
	// through the same cache: their informers are never removed.
	keep []schema.GroupVersionKind

	// events carries the state changes of started controllers (synced,
	// failed, pruned fields, member watches) to the FederatedTypeConfig
	// reconciler, as requests for their FederatedTypeConfig.
	events chan event.GenericEvent

	mu gosync.Mutex
	// types holds, by FederatedTypeConfig name, the types that run or
	// wait for a retry; an entry is dropped when it holds neither.
	types map[string]*typeState
	// informers counts, per host kind, the running controllers that use
	// its informer.
	informers map[schema.GroupVersionKind]int
	// stopping is set when the manager shuts down; no controller starts
	// after that.
	stopping bool
}

// typeState is the supervisor's record of one type; guarded by
// supervisor.mu.
type typeState struct {
	// running is its started controller; nil when none runs.
	running *runningController
	// failures counts the consecutive failed starts, and retryAt says when
	// the next one is due (zero: no retry pending), for the retry backoff.
	failures int
	retryAt  time.Time
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
	// guarded by supervisor.mu.
	synced  bool
	failure *startFailure
	// pruned are the status fields the federated type's CRD drops, as
	// the controller found out; guarded by supervisor.mu.
	pruned []string
	// memberWatchErrors says in which members the controller does not
	// watch its copies, and why (sync.Controller.MemberWatchErrors).
	memberWatchErrors func() map[string]error
}

// startFailure says why a controller does not run, as a condition reason
// and message.
type startFailure struct {
	reason, message string
}

func newSupervisor(r *Reconciler) *supervisor {
	return &supervisor{
		mgr:       r.Manager,
		members:   r.Members,
		namespace: r.Namespace,
		metrics:   r.Metrics,
		keep:      slices.Clone(r.KeepInformers),
		events:    make(chan event.GenericEvent, 1024),
		types:     map[string]*typeState{},
		informers: map[schema.GroupVersionKind]int{},
	}
}

// source returns the requests the supervisor sends when a started
// controller's state changes.
func (s *supervisor) source() source.Source {
	return source.Channel(s.events, &handler.EnqueueRequestForObject{})
}

// Start waits for the manager to stop, then stops every sync controller.
func (s *supervisor) Start(ctx context.Context) error {
	<-ctx.Done()
	s.mu.Lock()
	var running []*runningController
	for _, st := range s.types {
		if st.running != nil {
			running = append(running, st.running)
		}
	}
	s.types = map[string]*typeState{}
	s.stopping = true
	s.mu.Unlock()
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

// state returns the entry of the named type, adding it when missing; the
// caller holds mu.
func (s *supervisor) state(name string) *typeState {
	st := s.types[name]
	if st == nil {
		st = &typeState{}
		s.types[name] = st
	}
	return st
}

// tidy drops the entry of the named type when it holds nothing; the caller
// holds mu.
func (s *supervisor) tidy(name string) {
	if st := s.types[name]; st != nil && st.running == nil && st.failures == 0 && st.retryAt.IsZero() {
		delete(s.types, name)
	}
}

// runningOf returns the started controller of the named type, if any.
func (s *supervisor) runningOf(name string) *runningController {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.types[name]; st != nil {
		return st.running
	}
	return nil
}

// ensure starts the controller of ftc, or restarts it when its
// configuration changed, and says how it is doing (a condition reason and
// message).
func (s *supervisor) ensure(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, cfg *fedcorev1b1.KubeFedConfigSpec) (string, string) {
	st := settingsFrom(cfg)
	hash := configHash(ftc, st)
	rc := s.runningOf(ftc.Name)
	if rc != nil && rc.hash != hash {
		ctrl.LoggerFrom(ctx).Info("Restarting sync controller: its configuration changed", "type", ftc.Name)
		s.stop(ctx, ftc.Name)
		rc = nil
	}
	if rc == nil {
		if f := s.checkAccess(ctx, ftc, cfg); f != nil {
			return f.reason, f.message
		}
		var err error
		if rc, err = s.start(ctx, ftc, st, hash, cacheSyncTimeout(cfg)); err != nil {
			return fedcorev1b1.ReasonControllerStartFailed, err.Error()
		}
		if rc == nil {
			return fedcorev1b1.ReasonControllerStartFailed, "the controller-manager is shutting down"
		}
	}
	s.mu.Lock()
	synced, failure := rc.synced, rc.failure
	s.mu.Unlock()
	switch {
	case failure != nil:
		ctrl.LoggerFrom(ctx).Info("Sync controller failed; it is started again later", "type", ftc.Name, "reason", failure.reason, "message", failure.message)
		s.stop(ctx, ftc.Name)
		return failure.reason, failure.message
	case !synced:
		return fedcorev1b1.ReasonControllerStarting, fmt.Sprintf("waiting for the host cache of %s to sync", ftc.Spec.FederatedType.Kind)
	}
	// A running type is checked again: its CRD may have been deleted, or
	// its access revoked, since it started.
	if f := s.checkAccess(ctx, ftc, cfg); f != nil {
		ctrl.LoggerFrom(ctx).Info("Stopping sync controller: its type can no longer be read", "type", ftc.Name, "reason", f.reason, "message", f.message)
		s.stop(ctx, ftc.Name)
		return f.reason, f.message
	}
	return fedcorev1b1.ReasonControllerRunning, "the sync controller is running"
}

// start builds the sync controller of ftc and starts it in the background.
// It returns nil (and no error) when the manager is shutting down.
func (s *supervisor) start(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, st settings, hash string, syncTimeout time.Duration) (*runningController, error) {
	name := ftc.Name
	// Set below, before the controller (which calls back) starts.
	var rc *runningController
	c, err := sync.NewController(s.mgr, sync.ControllerOptions{
		TypeConfig:       ftc,
		Namespace:        s.namespace,
		Members:          s.members,
		Workers:          st.Workers,
		AvailableDelay:   st.AvailableDelay,
		UnavailableDelay: st.UnavailableDelay,
		Metrics:          s.metrics,
		OnStatusFieldsPruned: func(fields []string) {
			s.mu.Lock()
			rc.pruned = fields
			s.mu.Unlock()
			s.notify(name)
		},
		// The status names the members where the copies are not watched.
		OnMemberWatchChange: func() { s.notify(name) },
	})
	if err != nil {
		return nil, err
	}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	rc = &runningController{hash: hash, cancel: cancel, done: make(chan struct{}), kinds: c.HostKinds,
		memberWatchErrors: c.MemberWatchErrors}
	s.mu.Lock()
	if s.stopping {
		// The manager is shutting down: this controller would outlive it.
		s.mu.Unlock()
		cancel()
		return nil, nil
	}
	for _, gvk := range rc.kinds {
		s.informers[gvk]++
	}
	s.state(name).running = rc
	s.mu.Unlock()

	go s.run(runCtx, name, ftc.Spec.FederatedType.Kind, c, rc, st.Workers, syncTimeout)
	return rc, nil
}

// run waits for the host informers of a started controller to sync, then
// runs it until runCtx ends, and reports how it is doing.
func (s *supervisor) run(runCtx context.Context, name, kind string, c *sync.Controller, rc *runningController, workers int, syncTimeout time.Duration) {
	defer close(rc.done)
	log := s.mgr.GetLogger().WithValues("type", name)
	syncCtx, cancelSync := context.WithTimeout(runCtx, syncTimeout)
	err := s.waitForInformers(syncCtx, rc.kinds)
	cancelSync()
	if runCtx.Err() != nil {
		return
	}
	if err != nil {
		s.report(name, rc, &startFailure{fedcorev1b1.ReasonCacheSyncFailed, fmt.Sprintf(
			"the host cache of %s did not sync within %s (%v): check that the controller-manager may list and watch it and that its CRD is served",
			kind, syncTimeout, err)})
		return
	}
	s.report(name, rc, nil)
	log.Info("Started sync controller", "workers", workers)
	if err := c.Start(runCtx); err != nil && runCtx.Err() == nil {
		log.Error(err, "Sync controller stopped with an error")
		s.report(name, rc, &startFailure{fedcorev1b1.ReasonControllerStartFailed, fmt.Sprintf("the sync controller stopped: %v", err)})
	}
}

// waitForInformers waits until the host informers of kinds synced.
func (s *supervisor) waitForInformers(ctx context.Context, kinds []schema.GroupVersionKind) error {
	for _, gvk := range kinds {
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(gvk)
		// Blocks until the informer synced, or ctx ends.
		if _, err := s.mgr.GetCache().GetInformer(ctx, obj); err != nil {
			return fmt.Errorf("%s: %w", gvk.Kind, err)
		}
	}
	return nil
}

// report records a started controller's state (nil: it runs) and asks for
// its FederatedTypeConfig to be reconciled, so that the status follows.
func (s *supervisor) report(name string, rc *runningController, failure *startFailure) {
	s.mu.Lock()
	if failure == nil {
		rc.synced = true
	} else {
		rc.failure = failure
	}
	s.mu.Unlock()
	s.notify(name)
}

// notify asks for the named FederatedTypeConfig to be reconciled.
func (s *supervisor) notify(name string) {
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	ftc.Name, ftc.Namespace = name, s.namespace
	select {
	case s.events <- event.GenericEvent{Object: ftc}:
	default:
		// The queue is full of such requests; the status follows at the
		// next one, or at the safety requeue.
	}
}

// stop stops the sync controller of the named type, if it runs, and
// releases its host informers. Its retry backoff is kept.
func (s *supervisor) stop(ctx context.Context, name string) {
	s.mu.Lock()
	var rc *runningController
	if st := s.types[name]; st != nil {
		rc, st.running = st.running, nil
		s.tidy(name)
	}
	s.mu.Unlock()
	if rc == nil {
		return
	}
	rc.cancel()
	<-rc.done
	s.releaseInformers(ctx, rc.kinds)
	ctrl.LoggerFrom(ctx).Info("Stopped sync controller", "type", name)
}

// remove stops the controller of a type that is gone, and forgets its
// failures.
func (s *supervisor) remove(ctx context.Context, name string) {
	s.stop(ctx, name)
	s.forgetFailures(name)
}

// releaseInformers uncounts a stopped controller, and removes the
// informers of the kinds no running controller (and no other controller
// of the manager) uses any more: a type whose CRD was deleted, or that
// was disabled, leaves no informer retrying in the background.
func (s *supervisor) releaseInformers(ctx context.Context, kinds []schema.GroupVersionKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, gvk := range kinds {
		s.informers[gvk]--
		if s.informers[gvk] > 0 {
			continue
		}
		delete(s.informers, gvk)
		if slices.Contains(s.keep, gvk) {
			continue
		}
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(gvk)
		// Does not block: it only stops the informer.
		if err := s.mgr.GetCache().RemoveInformer(ctx, obj); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "Could not remove the host informer of a stopped sync controller", "kind", gvk.String())
		}
	}
}

// nextRetry returns when to try again to start a type that failed, and
// counts the failure: the first retry after retryInterval, each further
// one after twice as long, at most maxRetryInterval.
func (s *supervisor) nextRetry(name string, now time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(name)
	if !st.retryAt.IsZero() && now.Before(st.retryAt) {
		// A reconcile before the retry was due (another request): it is
		// no new failure.
		return st.retryAt
	}
	d := retryInterval
	for range st.failures {
		d *= 2
		if d >= maxRetryInterval {
			d = maxRetryInterval
			break
		}
	}
	st.failures++
	st.retryAt = now.Add(d)
	return st.retryAt
}

// forgetFailures resets the retry backoff of the named type.
func (s *supervisor) forgetFailures(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.types[name]; st != nil {
		st.failures, st.retryAt = 0, time.Time{}
		s.tidy(name)
	}
}

// prunedFields returns the status fields the running controller of the
// named type found its CRD to drop.
func (s *supervisor) prunedFields(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.types[name]; st != nil && st.running != nil {
		return st.running.pruned
	}
	return nil
}

// memberWatchErrors returns, by member cluster, why the running sync
// controller of the named type does not watch its copies there; none when
// it watches them everywhere or does not run.
func (s *supervisor) memberWatchErrors(name string) map[string]error {
	rc := s.runningOf(name)
	if rc == nil || rc.memberWatchErrors == nil {
		return nil
	}
	return rc.memberWatchErrors()
}
