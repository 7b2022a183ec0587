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
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
)

// A type that cannot start yet (its CRD is missing, its cache did not
// sync...) is tried again after startRetryInterval, then twice as long each
// time, at most maxStartRetryInterval.
const (
	startRetryInterval    = 10 * time.Second
	maxStartRetryInterval = time.Minute
)

// SupervisorOptions configure a Supervisor.
type SupervisorOptions struct {
	// Manager, Members, Namespace and Metrics (optional) are the sync
	// controllers' ControllerOptions.
	Manager   ctrl.Manager
	Members   *clustercache.ClusterCache
	Namespace string
	Metrics   Metrics
	// KeepInformers are host kinds that other controllers of the manager
	// watch through the same cache: the supervisor never removes their
	// informers. The composition root fills it (cmd/controller-manager/app).
	KeepInformers []schema.GroupVersionKind
}

// Supervisor runs the sync controllers of the federated types, one per
// FederatedTypeConfig that should run: it starts, restarts and stops them
// at run time, paces the retries of the types that failed, and shares the
// host informers they use. It is a manager runnable that stops every
// controller when the manager stops. The FederatedTypeConfig reconciler
// decides whether a type should run; the Supervisor runs it.
//
// Ownership: the Supervisor is the one owner of this state, and mu its one
// lock, which guards the per-type entries (running controller, retry
// backoff, lifecycle operation in progress), the per-kind counts of the
// running controllers that use a host informer, and stopping. A started
// controller's goroutine and callbacks write only their own
// runningController's synced, failure and pruned fields, under mu. Nothing
// waits while holding mu.
//
// One controller per type at any time: a lifecycle operation of a type
// (Ensure, Stop) claims the type first, and a stop returns only once the
// controller's workers returned. So a type's controller is never started
// twice, and a restarted one never overlaps the one it replaces.
type Supervisor struct {
	opts SupervisorOptions
	// events carries Notifications.
	events chan event.GenericEvent
	// observe, when set (tests), is told each time a controller of a type
	// started (running true) or stopped (false; its workers returned).
	observe func(name string, running bool)

	mu sync.Mutex
	// types holds, by FederatedTypeConfig name, the types that run, wait
	// for a retry or are being started or stopped.
	types map[string]*typeState
	// informers counts, per host kind, the running controllers using it.
	informers map[schema.GroupVersionKind]int
	// stopping is set when the manager shuts down: no start after that.
	stopping bool
}

// typeState is the Supervisor's record of one type; guarded by
// Supervisor.mu.
type typeState struct {
	running *runningController // nil when none runs
	// failures counts the consecutive failed starts, and retryAt says when
	// the next one is due (zero: none pending), for the retry backoff.
	failures int
	retryAt  time.Time
	// busy is set while a lifecycle operation of the type runs, and closed
	// when it ends: the next one waits for it.
	busy chan struct{}
}

// runningController is a started sync controller.
type runningController struct {
	hash   string // identifies the configuration it was started with
	cancel context.CancelFunc
	done   chan struct{}             // closed once its goroutine returned
	kinds  []schema.GroupVersionKind // the host kinds whose informers it uses

	// synced is set once its host informers synced and it runs; failure
	// when it could not start or stopped with an error; pruned to the
	// status fields its CRD drops. Guarded by Supervisor.mu.
	synced            bool
	failure           *typeFailure
	pruned            []string
	memberWatchErrors func() map[string]error // Controller.MemberWatchErrors
}

// typeFailure says why a controller does not run, as a Ready reason and message.
type typeFailure struct {
	reason, message string
}

// NewSupervisor returns a Supervisor to add to the manager.
func NewSupervisor(opts SupervisorOptions) *Supervisor {
	opts.KeepInformers = slices.Clone(opts.KeepInformers)
	return &Supervisor{
		opts:      opts,
		events:    make(chan event.GenericEvent, 1024),
		types:     map[string]*typeState{},
		informers: map[schema.GroupVersionKind]int{},
	}
}

// Notifications returns the requests for a FederatedTypeConfig sent when
// its controller synced, failed, or found pruned fields or member watches.
func (s *Supervisor) Notifications() source.Source {
	return source.Channel(s.events, &handler.EnqueueRequestForObject{})
}

// Start waits for the manager to stop, then stops every sync controller.
func (s *Supervisor) Start(ctx context.Context) error {
	<-ctx.Done()
	s.mu.Lock()
	var running []*runningController
	for _, st := range s.types {
		if st.running != nil {
			running = append(running, st.running)
			st.running = nil
		}
	}
	s.stopping = true
	s.mu.Unlock()
	// Every controller is told to stop first, then waited for: their
	// in-flight reconciles wind down together. The host cache stops after
	// this, so the informers need no removal.
	for _, rc := range running {
		rc.cancel()
	}
	for _, rc := range running {
		<-rc.done
	}
	return nil
}

// claim waits until no other lifecycle operation of the named type runs,
// and marks one running; the returned function ends it. A claimed entry is
// never dropped.
func (s *Supervisor) claim(name string) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(name)
	for st.busy != nil {
		busy := st.busy
		s.mu.Unlock()
		<-busy
		s.mu.Lock()
		st = s.state(name)
	}
	st.busy = make(chan struct{})
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		close(st.busy)
		st.busy = nil
		s.tidy(name)
	}
}

// state returns the named type's entry, adding it; the caller holds mu.
func (s *Supervisor) state(name string) *typeState {
	st := s.types[name]
	if st == nil {
		st = &typeState{}
		s.types[name] = st
	}
	return st
}

// tidy drops the named type's entry if it holds nothing; the caller holds mu.
func (s *Supervisor) tidy(name string) {
	if st := s.types[name]; st != nil && st.running == nil && st.busy == nil && st.failures == 0 && st.retryAt.IsZero() {
		delete(s.types, name)
	}
}

// Ensure starts the sync controller of ftc, or restarts it when its spec or
// the settings it is built with changed, and says how it is doing as a
// Ready reason and message. check says whether the type may run (reason ""
// when it may), before a start and again while it runs (a "no" stops it).
func (s *Supervisor) Ensure(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, settings fedcorev1b1.Settings,
	check func(context.Context) (reason, message string)) (reason, message string) {
	defer s.claim(ftc.Name)()
	cs := controllerSettingsOf(settings)
	hash := configHash(ftc, cs)
	s.mu.Lock()
	rc := s.types[ftc.Name].running // claimed: the entry exists
	s.mu.Unlock()
	if rc != nil && rc.hash != hash {
		ctrl.LoggerFrom(ctx).Info("Restarting sync controller: its configuration changed", "type", ftc.Name)
		s.stop(ctx, ftc.Name)
		rc = nil
	}
	if rc == nil {
		if reason, message := check(ctx); reason != "" {
			return reason, message
		}
		var err error
		if rc, err = s.start(ctx, ftc, cs, hash, settings.CacheSyncTimeout); err != nil {
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
	if reason, message := check(ctx); reason != "" {
		ctrl.LoggerFrom(ctx).Info("Stopping sync controller: its type can no longer be read", "type", ftc.Name, "reason", reason, "message", message)
		s.stop(ctx, ftc.Name)
		return reason, message
	}
	return fedcorev1b1.ReasonControllerRunning, "the sync controller is running"
}

// Stop stops the sync controller of the named type, if it runs, and
// releases its host informers; it returns once the controller's workers
// returned. Its retry backoff is kept.
func (s *Supervisor) Stop(ctx context.Context, name string) {
	defer s.claim(name)()
	s.stop(ctx, name)
}

func (s *Supervisor) stop(ctx context.Context, name string) {
	s.mu.Lock()
	var rc *runningController
	if st := s.types[name]; st != nil {
		rc, st.running = st.running, nil
	}
	s.mu.Unlock()
	if rc == nil {
		return
	}
	rc.cancel()
	<-rc.done
	if s.observe != nil {
		s.observe(name, false)
	}
	s.releaseInformers(ctx, rc.kinds)
	ctrl.LoggerFrom(ctx).Info("Stopped sync controller", "type", name)
}

// start builds the sync controller of ftc and starts it in the background;
// the caller claimed the type. It returns nil (and no error) when the
// manager is shutting down.
func (s *Supervisor) start(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, cs controllerSettings, hash string, syncTimeout time.Duration) (*runningController, error) {
	name := ftc.Name
	// Set below, before the controller (which calls back) starts.
	var rc *runningController
	c, err := NewController(s.opts.Manager, ControllerOptions{
		TypeConfig:       ftc,
		Namespace:        s.opts.Namespace,
		Members:          s.opts.Members,
		Workers:          cs.Workers,
		AvailableDelay:   cs.AvailableDelay,
		UnavailableDelay: cs.UnavailableDelay,
		Metrics:          s.opts.Metrics,
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
	if s.observe != nil {
		s.observe(name, true)
	}

	go s.run(runCtx, name, ftc.Spec.FederatedType.Kind, c, rc, cs.Workers, syncTimeout)
	return rc, nil
}

// run waits for the host informers of a started controller to sync, then
// runs it until runCtx ends, and reports how it is doing.
func (s *Supervisor) run(runCtx context.Context, name, kind string, c *Controller, rc *runningController, workers int, syncTimeout time.Duration) {
	defer close(rc.done)
	log := s.opts.Manager.GetLogger().WithValues("type", name)
	syncCtx, cancelSync := context.WithTimeout(runCtx, syncTimeout)
	err := s.waitForInformers(syncCtx, rc.kinds)
	cancelSync()
	if runCtx.Err() != nil {
		return
	}
	if err != nil {
		s.report(name, rc, &typeFailure{fedcorev1b1.ReasonCacheSyncFailed, fmt.Sprintf(
			"the host cache of %s did not sync within %s (%v): check that the controller-manager may list and watch it and that its CRD is served",
			kind, syncTimeout, err)})
		return
	}
	s.report(name, rc, nil)
	log.Info("Started sync controller", "workers", workers)
	if err := c.Start(runCtx); err != nil && runCtx.Err() == nil {
		log.Error(err, "Sync controller stopped with an error")
		s.report(name, rc, &typeFailure{fedcorev1b1.ReasonControllerStartFailed, fmt.Sprintf("the sync controller stopped: %v", err)})
	}
}

// waitForInformers waits until the host informers of kinds synced.
func (s *Supervisor) waitForInformers(ctx context.Context, kinds []schema.GroupVersionKind) error {
	for _, gvk := range kinds {
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(gvk)
		// Blocks until the informer synced, or ctx ends.
		if _, err := s.opts.Manager.GetCache().GetInformer(ctx, obj); err != nil {
			return fmt.Errorf("%s: %w", gvk.Kind, err)
		}
	}
	return nil
}

// report records a started controller's state (nil: it runs) and asks for
// its FederatedTypeConfig to be reconciled, so that the status follows.
func (s *Supervisor) report(name string, rc *runningController, failure *typeFailure) {
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
func (s *Supervisor) notify(name string) {
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	ftc.Name, ftc.Namespace = name, s.opts.Namespace
	select {
	case s.events <- event.GenericEvent{Object: ftc}:
	default: // full of such requests: the status follows at the next one
	}
}

// releaseInformers uncounts a stopped controller, and removes the
// informers of the kinds no running controller (and no other controller of
// the manager) uses any more: a type whose CRD was deleted, or that was
// disabled, leaves no informer retrying in the background. Under mu, so
// that no informer is removed while a starting controller counts on it
// (RemoveInformer does not block).
func (s *Supervisor) releaseInformers(ctx context.Context, kinds []schema.GroupVersionKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, gvk := range kinds {
		s.informers[gvk]--
		if s.informers[gvk] > 0 {
			continue
		}
		delete(s.informers, gvk)
		if slices.Contains(s.opts.KeepInformers, gvk) {
			continue
		}
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(gvk)
		if err := s.opts.Manager.GetCache().RemoveInformer(ctx, obj); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "Could not remove the host informer of a stopped sync controller", "kind", gvk.String())
		}
	}
}

// NextRetry counts a failed start of the named type and returns when it is
// tried again (see startRetryInterval). A call before the pending retry is
// due counts no new failure.
func (s *Supervisor) NextRetry(name string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	st := s.state(name)
	if !st.retryAt.IsZero() && now.Before(st.retryAt) {
		return st.retryAt
	}
	d := startRetryInterval
	for i := 0; i < st.failures && d < maxStartRetryInterval; i++ {
		d *= 2
	}
	d = min(d, maxStartRetryInterval)
	st.failures++
	st.retryAt = now.Add(d)
	return st.retryAt
}

// ForgetFailures resets the retry backoff of the named type.
func (s *Supervisor) ForgetFailures(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.types[name]; st != nil {
		st.failures, st.retryAt = 0, time.Time{}
		s.tidy(name)
	}
}

// Observed returns what the running sync controller of the named type
// found out: the status fields its CRD drops, and by member cluster why it
// does not watch its copies there. None when it does not run.
func (s *Supervisor) Observed(name string) (pruned []string, memberWatchErrors map[string]error) {
	s.mu.Lock()
	var watchErrors func() map[string]error
	if st := s.types[name]; st != nil && st.running != nil {
		pruned, watchErrors = st.running.pruned, st.running.memberWatchErrors
	}
	s.mu.Unlock()
	if watchErrors != nil {
		memberWatchErrors = watchErrors()
	}
	return pruned, memberWatchErrors
}

// controllerSettings are the KubeFedConfig values a sync controller is
// built with: a change of one restarts it.
type controllerSettings struct {
	Workers          int
	AvailableDelay   time.Duration
	UnavailableDelay time.Duration
}

func controllerSettingsOf(s fedcorev1b1.Settings) controllerSettings {
	return controllerSettings{Workers: s.SyncWorkers, AvailableDelay: s.AvailableDelay, UnavailableDelay: s.UnavailableDelay}
}

// configHash identifies what a running controller was built from: the
// FederatedTypeConfig's spec and the settings it read from KubeFedConfig.
func configHash(ftc *fedcorev1b1.FederatedTypeConfig, cs controllerSettings) string {
	data, _ := json.Marshal(struct {
		Spec     fedcorev1b1.FederatedTypeConfigSpec
		Settings controllerSettings
	}{ftc.Spec, cs})
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}
