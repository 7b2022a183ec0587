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

package e2eutil

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed/kubefed/cmd/controller-manager/app"
)

// A negative check ("disabling a type stops propagation", "no write while
// nothing changes") that sleeps and then looks passes just as well when
// the look could not have seen the event: a wrong filter, a watch on the
// wrong cluster, a window shorter than the change would take. A
// NegativeCheck therefore first makes a control change that the very same
// watches must report, and only then watches for the window.

// WatchSource is one watch a NegativeCheck opens: the objects of List's
// kind (a typed list, or an UnstructuredList with its kind set) that Opts
// select, in the cluster Client talks to.
type WatchSource struct {
	// Name names the source in messages (the cluster's name, say).
	Name   string
	Client client.WithWatch
	List   client.ObjectList
	Opts   []client.ListOption
}

// NegativeCheck watches its sources from before Control until Window has
// passed after Act returned, and fails the test on any event Forbidden
// describes.
type NegativeCheck struct {
	// What says what must not happen, for messages ("a template change
	// propagated after disable").
	What    string
	Sources []WatchSource
	// Control makes a change that every source must report; ControlSeen
	// recognises its event. The events of a source before its control
	// event are not checked.
	Control     func(ctx context.Context) error
	ControlSeen func(source string, ev watch.Event) bool
	// ControlTimeout bounds the wait for the control events (a minute when
	// zero).
	ControlTimeout time.Duration
	// Act does what must have no effect; nil when the check is that
	// nothing happens by itself.
	Act func(ctx context.Context) error
	// Window is how long to watch after Act returned. It is raised to
	// three times the control's latency: a change that took that long to
	// show when it was allowed shows within three times as long.
	Window time.Duration
	// Forbidden describes an event that must not happen, "" for one that
	// may.
	Forbidden func(source string, ev watch.Event) string
}

// NegativeResult is what a NegativeCheck saw.
type NegativeResult struct {
	// ControlLatency is the time from the start of Control until every
	// source had reported its event.
	ControlLatency time.Duration
	// Window is how long it watched after Act.
	Window time.Duration
	// Allowed counts the events checked and allowed.
	Allowed int
}

// NewWatchClient returns a client that can watch, with the controller
// manager's scheme.
func NewWatchClient(t testing.TB, cfg *rest.Config) client.WithWatch {
	t.Helper()
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: app.Scheme()})
	if err != nil {
		t.Fatalf("watching client for %s: %v", cfg.Host, err)
	}
	return c
}

// negativeState is what the event loop of a NegativeCheck shares with
// the test.
type negativeState struct {
	mu         sync.Mutex
	seen       map[string]bool
	allSeen    chan struct{}
	violations []string
	allowed    int
	broken     error
}

// Run runs the check and fails the test (Fatal when the control was not
// seen, Error for each forbidden event).
func (c NegativeCheck) Run(t testing.TB) NegativeResult {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	st := &negativeState{seen: map[string]bool{}, allSeen: make(chan struct{})}
	var wg sync.WaitGroup
	for _, src := range c.Sources {
		w, rv, err := openWatch(ctx, src, "")
		if err != nil {
			t.Fatalf("%s: watching %s: %v", c.What, src.Name, err)
		}
		wg.Go(func() { c.consume(ctx, src, w, rv, st) })
	}
	defer wg.Wait()
	defer cancel()

	start := time.Now()
	if err := c.Control(ctx); err != nil {
		t.Fatalf("%s: the control change: %v", c.What, err)
	}
	timeout := c.ControlTimeout
	if timeout == 0 {
		timeout = time.Minute
	}
	select {
	case <-st.allSeen:
	case <-time.After(timeout):
		st.mu.Lock()
		var missing []string
		for _, src := range c.Sources {
			if !st.seen[src.Name] {
				missing = append(missing, src.Name)
			}
		}
		st.mu.Unlock()
		t.Fatalf("%s: the watch of %s did not report the control change within %s, so it could not have seen that either", c.What, strings.Join(missing, ", "), timeout)
	}
	res := NegativeResult{ControlLatency: time.Since(start)}
	res.Window = max(c.Window, 3*res.ControlLatency)
	if c.Act != nil {
		if err := c.Act(ctx); err != nil {
			t.Fatalf("%s: %v", c.What, err)
		}
	}
	select {
	case <-time.After(res.Window):
	case <-ctx.Done():
	}
	cancel()
	wg.Wait()
	st.mu.Lock()
	defer st.mu.Unlock()
	res.Allowed = st.allowed
	if st.broken != nil {
		t.Errorf("%s: the watch broke off, so events may have gone unseen: %v", c.What, st.broken)
	}
	for i, v := range st.violations {
		if i == 10 {
			t.Errorf("%s: ... and %d more events", c.What, len(st.violations)-i)
			break
		}
		t.Errorf("%s: %s", c.What, v)
	}
	return res
}

// consume reads one source's events until ctx ends, reopening the watch
// from the last resourceVersion seen when the API server closes it.
func (c NegativeCheck) consume(ctx context.Context, src WatchSource, w watch.Interface, rv string, st *negativeState) {
	defer func() {
		if w != nil {
			w.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.ResultChan():
			if !ok {
				var err error
				if w, rv, err = openWatch(ctx, src, rv); err != nil {
					if ctx.Err() == nil {
						st.mu.Lock()
						st.broken = fmt.Errorf("reopening the watch of %s at resourceVersion %s: %w", src.Name, rv, err)
						st.mu.Unlock()
					}
					return
				}
				continue
			}
			if ev.Type == watch.Error {
				if ctx.Err() != nil {
					// Stopped at the end of the window: the stream ends
					// with an error event.
					return
				}
				st.mu.Lock()
				st.broken = fmt.Errorf("the watch of %s: %v", src.Name, apierrors.FromObject(ev.Object))
				st.mu.Unlock()
				return
			}
			if m, err := meta.Accessor(ev.Object); err == nil {
				rv = m.GetResourceVersion()
			}
			if ev.Type == watch.Bookmark {
				continue
			}
			c.record(src, ev, st)
		}
	}
}

// record checks one event: before the source's control event it only
// looks for that one, afterwards it asks Forbidden.
func (c NegativeCheck) record(src WatchSource, ev watch.Event, st *negativeState) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.seen[src.Name] {
		if c.ControlSeen(src.Name, ev) {
			st.seen[src.Name] = true
			if len(st.seen) == len(c.Sources) {
				close(st.allSeen)
			}
		}
		return
	}
	if v := c.Forbidden(src.Name, ev); v != "" {
		st.violations = append(st.violations, fmt.Sprintf("%s, at %s", v, time.Now().Format(time.StampMilli)))
		return
	}
	st.allowed++
}

// openWatch opens a watch on src from resourceVersion rv, or from the
// current state (a list's resourceVersion) when rv is empty: the objects
// that exist already are not reported.
func openWatch(ctx context.Context, src WatchSource, rv string) (watch.Interface, string, error) {
	if rv == "" {
		list := src.List.DeepCopyObject().(client.ObjectList)
		if err := src.Client.List(ctx, list, src.Opts...); err != nil {
			return nil, "", err
		}
		rv = list.GetResourceVersion()
	}
	opts := append(append([]client.ListOption{}, src.Opts...), &client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: rv}})
	w, err := src.Client.Watch(ctx, src.List.DeepCopyObject().(client.ObjectList), opts...)
	return w, rv, err
}

// EventObject returns the event's object as a client.Object, nil when it
// is not one.
func EventObject(ev watch.Event) client.Object {
	o, _ := ev.Object.(client.Object)
	return o
}

// DescribeEvent says what an event was: "MODIFIED ConfigMap ns/name
// (resourceVersion 123)".
func DescribeEvent(ev watch.Event) string {
	o := EventObject(ev)
	if o == nil {
		return fmt.Sprintf("%s %T", ev.Type, ev.Object)
	}
	kind := o.GetObjectKind().GroupVersionKind().Kind
	if kind == "" {
		kind = strings.TrimPrefix(fmt.Sprintf("%T", o), "*v1.")
	}
	return fmt.Sprintf("%s %s %s (resourceVersion %s)", ev.Type, kind, client.ObjectKeyFromObject(o), o.GetResourceVersion())
}

// Follow watches src from resourceVersion rv (from the current state when
// rv is empty) until ctx ends, and calls on with the object of every event
// in order; a watch the server closes is opened again where the last one
// ended, so that no write goes unseen. It returns nil when ctx ended, and
// the error when a watch could not be opened or reported an error.
func Follow(ctx context.Context, src WatchSource, rv string, on func(client.Object)) error {
	for ctx.Err() == nil {
		w, from, err := openWatch(ctx, src, rv)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("watching %s from resourceVersion %s: %w", src.Name, rv, err)
		}
		rv = from
		for ev := range w.ResultChan() {
			if ev.Type == watch.Error {
				w.Stop()
				if ctx.Err() != nil {
					// Stopped by the caller: the stream ends with an error event.
					return nil
				}
				return fmt.Errorf("watching %s: %v", src.Name, apierrors.FromObject(ev.Object))
			}
			if obj := EventObject(ev); obj != nil {
				rv = obj.GetResourceVersion()
				on(obj)
			}
		}
		w.Stop()
	}
	return nil
}
