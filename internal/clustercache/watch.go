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

package clustercache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"
)

// WatchInput describes a watch of one kind in every connected member.
type WatchInput struct {
	// Name identifies the watch. Registering a name that is already
	// registered does nothing, so a controller can register its watches on
	// every start.
	Name string
	// Kind is an object of the watched kind: a typed object known to
	// Options.Scheme, or an *unstructured.Unstructured (or
	// *metav1.PartialObjectMetadata) with its GroupVersionKind set.
	Kind client.Object
	// LabelSelector selects the member objects to cache and report;
	// Options.DefaultLabelSelector (kubefed.io/managed=true) when nil.
	LabelSelector labels.Selector
	// EventHandler is called with the member cluster's name for every
	// create, update and delete of a selected object (on a delete, the last
	// known state). It must not block: map the object to host requests and
	// enqueue them.
	EventHandler func(clusterName string, obj client.Object)
	// UpdateHandler, when set, is called for updates instead of
	// EventHandler, with the object before and after the update.
	UpdateHandler func(clusterName string, oldObj, newObj client.Object)
	// RegistrationHandler, when set, is told when the watch's state in a
	// member changes: err says why it could not be registered there (the
	// kind is not served: its CRD is not installed yet; or the member
	// forbids the identity to list or watch it: a ForbiddenError), and it
	// is then tried again with backoff; a nil err says it started and
	// synced there after such a failure; an err wrapping
	// ErrClusterNotConnected says the connection of a member where it had
	// failed closed. WatchErrors gives the current state. It must not
	// block.
	RegistrationHandler func(clusterName string, err error)
}

// watch is a registered WatchInput.
type watch struct {
	name        string
	kind        client.Object
	gvk         schema.GroupVersionKind
	selector    labels.Selector
	selectorKey string
	handler     func(clusterName string, obj client.Object)
	onUpdate    func(clusterName string, oldObj, newObj client.Object)
	onRegister  func(clusterName string, err error)
}

// registered tells the watch's registration handler, if any.
func (w *watch) registered(clusterName string, err error) {
	if w.onRegister != nil {
		w.onRegister(clusterName, err)
	}
}

// Watch registers a watch in every connected member cluster and in every
// member connected later, until Unwatch. It returns at once: informers start
// and sync in the background, and a member whose watch cannot sync in time
// is disconnected and backed off without affecting the others.
func (c *ClusterCache) Watch(ctx context.Context, in WatchInput) error {
	if in.Name == "" || in.Kind == nil || in.EventHandler == nil {
		return errors.New("watch: Name, Kind and EventHandler are required")
	}
	gvk, err := apiutil.GVKForObject(in.Kind, c.opts.Scheme)
	if err != nil {
		return fmt.Errorf("watch %s: %w", in.Name, err)
	}
	sel := in.LabelSelector
	if sel == nil {
		sel = c.opts.DefaultLabelSelector
	}
	w := &watch{name: in.Name, kind: in.Kind.DeepCopyObject().(client.Object), gvk: gvk,
		selector: sel, selectorKey: sel.String(), handler: in.EventHandler, onUpdate: in.UpdateHandler,
		onRegister: in.RegistrationHandler}

	c.mu.Lock()
	if _, ok := c.watches[in.Name]; ok {
		c.mu.Unlock()
		return nil
	}
	c.watches[in.Name] = w
	conns := make([]*connection, 0, len(c.conns))
	for _, conn := range c.conns {
		conns = append(conns, conn)
	}
	c.mu.Unlock()

	for _, conn := range conns {
		conn.registerAsync([]*watch{w}, time.Now(), nil)
	}
	return nil
}

// Unwatch removes a watch from every member connection, in the background.
// Informers no other watch uses are stopped.
func (c *ClusterCache) Unwatch(name string) {
	c.mu.Lock()
	w := c.watches[name]
	delete(c.watches, name)
	conns := make([]*connection, 0, len(c.conns))
	for _, conn := range c.conns {
		conns = append(conns, conn)
	}
	c.mu.Unlock()
	for _, conn := range conns {
		if w != nil {
			conn.forgetFailure(w)
		}
		// In the background: a connection stuck on a hung member holds its
		// lock until it is dropped.
		conn.goTracked(func() { conn.removeWatch(name) })
	}
}

// WatchSourceInput describes a member watch feeding a host controller.
type WatchSourceInput[request comparable] struct {
	// Name, Kind and LabelSelector are those of WatchInput.
	Name          string
	Kind          client.Object
	LabelSelector labels.Selector
	// MapFunc maps a member object to the host requests to enqueue, for
	// example the federated object of the same name and namespace.
	MapFunc func(ctx context.Context, clusterName string, obj client.Object) []request
	// UpdateDelay, when set, says how long to wait before the requests of
	// an update are handed out (0: at once). Delayed requests go to the
	// back of a priority queue and coalesce: every event for the same
	// request within the delay makes one reconcile. Creations and
	// deletions are never delayed.
	UpdateDelay func(oldObj, newObj client.Object) time.Duration
	// RegistrationFunc, when set, is WatchInput.RegistrationHandler, and
	// the requests it returns are enqueued at background priority. When
	// the watch starts in a member after it had failed there (err is nil),
	// the member's informer reports only the copies that exist: return the
	// host objects whose copies could not be written meanwhile (those
	// placed in that member), so that they are reconciled now rather than
	// at the next resync.
	RegistrationFunc func(ctx context.Context, clusterName string, err error) []request
}

// WatchSource returns a controller source that registers the watch when the
// controller starts and removes it when the controller stops. Every member
// event (from all current and future connected members) enqueues the
// requests MapFunc returns. A request type that carries the cluster name
// lets a reconciler work on one member; a reconcile.Request for the host
// object suits controllers that reconcile all members at once.
func WatchSource[request comparable](c *ClusterCache, in WatchSourceInput[request]) source.TypedSource[request] {
	return source.TypedFunc[request](func(ctx context.Context, q workqueue.TypedRateLimitingInterface[request]) error {
		err := c.Watch(ctx, WatchInput{
			Name:          in.Name,
			Kind:          in.Kind,
			LabelSelector: in.LabelSelector,
			EventHandler: func(clusterName string, obj client.Object) {
				for _, r := range in.MapFunc(ctx, clusterName, obj) {
					q.Add(r)
				}
			},
			UpdateHandler: func(clusterName string, oldObj, newObj client.Object) {
				var d time.Duration
				if in.UpdateDelay != nil {
					d = in.UpdateDelay(oldObj, newObj)
				}
				items := in.MapFunc(ctx, clusterName, newObj)
				switch pq, ok := q.(priorityqueue.PriorityQueue[request]); {
				case d <= 0:
					for _, r := range items {
						q.Add(r)
					}
				case ok:
					pq.AddWithOpts(priorityqueue.AddOpts{Priority: ptr.To(handler.LowPriority), After: d}, items...)
				default:
					for _, r := range items {
						q.AddAfter(r, d)
					}
				}
			},
			RegistrationHandler: registrationHandler(ctx, q, in.RegistrationFunc),
		})
		if err != nil {
			return err
		}
		context.AfterFunc(ctx, func() { c.Unwatch(in.Name) })
		return nil
	})
}

// registrationHandler enqueues, at background priority, the requests fn
// returns for a registration change; nil when fn is.
func registrationHandler[request comparable](ctx context.Context, q workqueue.TypedRateLimitingInterface[request], fn func(context.Context, string, error) []request) func(string, error) {
	if fn == nil {
		return nil
	}
	return func(clusterName string, err error) {
		items := fn(ctx, clusterName, err)
		if pq, ok := q.(priorityqueue.PriorityQueue[request]); ok {
			pq.AddWithOpts(priorityqueue.AddOpts{Priority: ptr.To(handler.LowPriority)}, items...)
			return
		}
		for _, r := range items {
			q.Add(r)
		}
	}
}

// Subscriber publishes connection events; *ClusterCache is one.
type Subscriber interface {
	// Subscribe calls fn for every connection opened or closed until the
	// returned function is called.
	Subscribe(fn func(ConnectionEvent)) (unsubscribe func())
}

// ConnectionSource returns a controller source that enqueues, whenever a
// member connection opens or closes (the cluster became Ready, or stopped
// being Ready), the requests mapFunc returns: typically the objects placed
// in that cluster, so that they are reconciled again.
func ConnectionSource[request comparable](c Subscriber, mapFunc func(ctx context.Context, ev ConnectionEvent) []request) source.TypedSource[request] {
	return DelayedConnectionSource(c, nil, mapFunc)
}

// DelayedConnectionSource is ConnectionSource with the requests enqueued
// after delay(ev) (for example KubeFed's availableDelay when a member
// connects and unavailableDelay when it disconnects); a nil delay enqueues
// at once.
func DelayedConnectionSource[request comparable](c Subscriber, delay func(ev ConnectionEvent) time.Duration, mapFunc func(ctx context.Context, ev ConnectionEvent) []request) source.TypedSource[request] {
	return source.TypedFunc[request](func(ctx context.Context, q workqueue.TypedRateLimitingInterface[request]) error {
		unsubscribe := c.Subscribe(func(ev ConnectionEvent) {
			var d time.Duration
			if delay != nil {
				d = delay(ev)
			}
			// A sweep over every object is background work: with a
			// priority queue, user-triggered work queued meanwhile goes
			// first.
			items := mapFunc(ctx, ev)
			if pq, ok := q.(priorityqueue.PriorityQueue[request]); ok {
				pq.AddWithOpts(priorityqueue.AddOpts{Priority: ptr.To(handler.LowPriority), After: d}, items...)
				return
			}
			for _, r := range items {
				q.AddAfter(r, d)
			}
		})
		context.AfterFunc(ctx, unsubscribe)
		return nil
	})
}
