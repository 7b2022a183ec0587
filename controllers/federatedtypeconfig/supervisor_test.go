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
	"slices"
	gosync "sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// removals is a host cache that records the informers removed from it.
type removals struct {
	cache.Cache
	mu      gosync.Mutex
	removed []schema.GroupVersionKind
}

func (c *removals) RemoveInformer(_ context.Context, obj client.Object) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removed = append(c.removed, obj.GetObjectKind().GroupVersionKind())
	return nil
}

func (c *removals) got() []schema.GroupVersionKind {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.removed)
}

// cacheManager is a manager whose only part is its host cache.
type cacheManager struct {
	ctrl.Manager
	cache cache.Cache
}

func (m cacheManager) GetCache() cache.Cache { return m.cache }

func TestNextRetryBacksOff(t *testing.T) {
	s := newSupervisor(&Reconciler{Namespace: "kube-federation-system"})
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// Each failure found once the previous retry was due waits twice as
	// long, from 10 s up to a minute.
	for i, want := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute} {
		at := s.nextRetry("configmaps", now)
		if got := at.Sub(now); got != want {
			t.Fatalf("failure %d: next attempt after %s, want %s", i+1, got, want)
		}
		// A reconcile before the attempt was due is no new failure.
		if again := s.nextRetry("configmaps", now.Add(time.Second)); !again.Equal(at) {
			t.Fatalf("failure %d: an early reconcile moved the attempt from %s to %s", i+1, at, again)
		}
		now = at
	}
	// Another type has a backoff of its own.
	if got := s.nextRetry("secrets", now).Sub(now); got != 10*time.Second {
		t.Errorf("secrets: first retry after %s, want 10s", got)
	}
	// A type that ran (or was disabled) starts over.
	s.forgetFailures("configmaps")
	if got := s.nextRetry("configmaps", now).Sub(now); got != 10*time.Second {
		t.Errorf("configmaps after forgetting: retry after %s, want 10s", got)
	}
	s.forgetFailures("configmaps")
	s.forgetFailures("secrets")
	if len(s.types) != 0 {
		t.Errorf("%d type entries left once every failure was forgotten, want none", len(s.types))
	}
}

// running registers a started controller of the named type that uses
// kinds, as start does, and returns it.
func running(s *supervisor, name string, kinds ...schema.GroupVersionKind) *runningController {
	// It has ended already: stop does not wait.
	rc := &runningController{cancel: func() {}, done: make(chan struct{}), kinds: kinds}
	close(rc.done)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, gvk := range kinds {
		s.informers[gvk]++
	}
	s.state(name).running = rc
	return rc
}

func TestInformersRemovedWithTheirLastUser(t *testing.T) {
	fedNS := fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace")
	fedCM := fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMap")
	fedDeploy := fedtypesv1b1.GroupVersion.WithKind("FederatedDeployment")
	host := &removals{}
	s := newSupervisor(&Reconciler{
		Manager:       cacheManager{cache: host},
		Namespace:     "kube-federation-system",
		KeepInformers: []schema.GroupVersionKind{fedDeploy},
	})
	ctx := t.Context()
	running(s, "namespaces", fedNS)
	running(s, "configmaps", fedCM, fedNS)
	running(s, "deployments.apps", fedDeploy, fedNS)

	// The namespaces type stops: the configmaps and deployments
	// controllers still watch FederatedNamespaces.
	s.stop(ctx, "namespaces")
	if got := host.got(); len(got) != 0 {
		t.Fatalf("informers removed while in use: %v", got)
	}
	if s.runningOf("namespaces") != nil {
		t.Errorf("namespaces still recorded as running")
	}
	s.stop(ctx, "configmaps")
	if got, want := host.got(), []schema.GroupVersionKind{fedCM}; !slices.Equal(got, want) {
		t.Fatalf("removed %v, want %v", got, want)
	}
	// The last user of FederatedNamespaces stops; the scheduler keeps
	// watching FederatedDeployments.
	s.stop(ctx, "deployments.apps")
	if got, want := host.got(), []schema.GroupVersionKind{fedCM, fedNS}; !slices.Equal(got, want) {
		t.Fatalf("removed %v, want %v", got, want)
	}
	// Stopping a type that does not run changes nothing.
	s.stop(ctx, "configmaps")
	if got := host.got(); len(got) != 2 {
		t.Errorf("removed %v after stopping a stopped type", got)
	}
	if len(s.informers) != 0 || len(s.types) != 0 {
		t.Errorf("left %v informer counts and %d type entries, want none", s.informers, len(s.types))
	}
}

func TestStartStopsEveryControllerWhenTheManagerStops(t *testing.T) {
	s := newSupervisor(&Reconciler{Namespace: "kube-federation-system"})
	var ctxs []context.Context
	for _, name := range []string{"namespaces", "configmaps"} {
		runCtx, cancel := context.WithCancel(t.Context())
		rc := &runningController{cancel: cancel, done: make(chan struct{})}
		// The controller ends when its context does.
		go func() { <-runCtx.Done(); close(rc.done) }()
		ctxs = append(ctxs, runCtx)
		s.mu.Lock()
		s.state(name).running = rc
		s.mu.Unlock()
	}
	mgrCtx, stopManager := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Start(mgrCtx) }()
	select {
	case err := <-done:
		t.Fatalf("Start returned before the manager stopped: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	stopManager()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Start did not return within 10s of the manager stopping")
	}
	for i, ctx := range ctxs {
		if ctx.Err() == nil {
			t.Errorf("controller %d still runs after the manager stopped", i)
		}
	}
	if s.runningOf("namespaces") != nil || s.runningOf("configmaps") != nil {
		t.Errorf("controllers still recorded as running")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopping {
		t.Errorf("no controller may start after the manager stopped, but stopping is not set")
	}
}
