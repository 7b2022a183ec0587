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
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime/schema"
	authorizationv1client "k8s.io/client-go/kubernetes/typed/authorization/v1"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/cluster"

	"github.com/kubefed/kubefed/internal/metrics"
)

// connection is the cache's link to one member cluster: a controller-runtime
// cluster.Cluster (HTTP client, REST mapper and the cache GetReader serves),
// an uncached client, and one more cache per extra label selector used by
// watches. Everything runs under ctx and goes away with stop.
type connection struct {
	cc          *ClusterCache
	log         logr.Logger
	name        string
	hash        string
	member      *MemberConfig
	cluster     cluster.Cluster
	client      client.Client
	config      *rest.Config
	syncTimeout time.Duration
	created     time.Time

	// access asks the member what the connection's identity may do (see
	// checkAccess).
	access authorizationv1client.SelfSubjectAccessReviewsGetter

	// defaultSelector is the selector of cluster's own cache.
	defaultSelector string

	ctx    context.Context
	cancel context.CancelFunc
	// wg tracks every goroutine of the connection.
	wg     sync.WaitGroup
	closed atomic.Bool

	mu sync.Mutex
	// caches holds the caches of selectors other than defaultSelector.
	caches map[string]cache.Cache
	// regs holds the event handler registration of each watch, by name.
	regs map[string]*registration

	// failMu guards failed. It is not mu, which a goroutine stuck on a hung
	// member may hold: failures are read (WatchErrors) and dropped (when
	// the connection closes) without waiting for the member.
	failMu sync.Mutex
	// failed holds, by watch name, the watches that could not be
	// registered in the member and are tried again with backoff.
	failed map[string]*watchFailure
	// checking holds, by kind, the access checks not done yet.
	checking map[schema.GroupVersionKind]*pendingCheck

	// latency is the member's mean write latency, fed by every controller
	// that writes there (ObserveWrite).
	latency writeLatency
}

// errNotWatchable marks a watch a connection refuses by design (a
// cluster-scoped kind in Namespaced scope): it is not tried again and not
// reported as a failure.
var errNotWatchable = errors.New("not watchable with this connection")

// registration is one watch's event handler on one member informer.
type registration struct {
	w        *watch
	cache    cache.Cache
	gvk      schema.GroupVersionKind
	kind     client.Object
	informer cache.Informer
	handle   toolscache.ResourceEventHandlerRegistration
}

func newConnection(cc *ClusterCache, log logr.Logger, name string, member *MemberConfig, syncTimeout time.Duration) (*connection, error) {
	cfg := rest.CopyConfig(member.REST)
	cfg.QPS, cfg.Burst = cc.opts.QPS, cc.opts.Burst
	cl, err := cluster.New(cfg, func(o *cluster.Options) {
		o.Scheme = cc.opts.Scheme
		o.Logger = log
		o.Cache.DefaultLabelSelector = cc.opts.DefaultLabelSelector
		o.Cache.DefaultNamespaces = cc.namespaceConfig()
		o.Cache.DefaultTransform = cc.opts.DefaultTransform
		// Reads through GetClient go to the API server: the cache only
		// holds the objects of the selector, and a missing object there
		// says nothing about the member.
		o.NewClient = func(config *rest.Config, opts client.Options) (client.Client, error) {
			opts.Cache = nil
			return client.New(config, opts)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("building the client of cluster %s: %w", name, err)
	}
	access, err := authorizationv1client.NewForConfigAndClient(cfg, cl.GetHTTPClient())
	if err != nil {
		return nil, fmt.Errorf("building the access review client of cluster %s: %w", name, err)
	}
	return &connection{
		access:          access,
		cc:              cc,
		log:             log,
		name:            name,
		hash:            member.Hash,
		member:          member,
		cluster:         cl,
		client:          cl.GetClient(),
		config:          cfg,
		syncTimeout:     syncTimeout,
		created:         time.Now(),
		defaultSelector: cc.opts.DefaultLabelSelector.String(),
		caches:          map[string]cache.Cache{},
		regs:            map[string]*registration{},
		failed:          map[string]*watchFailure{},
		checking:        map[schema.GroupVersionKind]*pendingCheck{},
	}, nil
}

// start runs the member cache and registers watches, in the background.
func (conn *connection) start(runCtx context.Context, watches []*watch) {
	conn.ctx, conn.cancel = context.WithCancel(runCtx)
	conn.goTracked(func() {
		if err := conn.cluster.Start(conn.ctx); err != nil {
			conn.log.Error(err, "Member cluster cache stopped")
		}
	})
	conn.registerAsync(watches, conn.created, func() {
		metrics.ObserveSince(metrics.ClusterClientConnectionDuration, conn.created)
		conn.cc.connectionSynced(conn)
	})
}

// registerAsync registers watches in the background (see register),
// drops the connection if they cannot sync, and calls onSynced, if set,
// once they have. From now until its access check (checkAccess) is done,
// a cached read of a watch's kind waits for the check (see
// forbiddenReader).
func (conn *connection) registerAsync(watches []*watch, since time.Time, onSynced func()) {
	conn.beginChecks(watches)
	started := conn.goTracked(func() {
		if err := conn.register(watches, since); err != nil {
			conn.cc.connectionFailed(conn, err)
			return
		}
		if onSynced != nil {
			onSynced()
		}
	})
	if !started {
		conn.endChecks(watches)
	}
}

// register registers watches and waits until they have synced, at most
// syncTimeout from since. Registering can itself hang on a member that
// accepts connections but does not answer (the REST mapping of a kind needs
// discovery), so the deadline covers it too. An error means the connection
// is unusable. A watch that cannot be registered (its kind is not served by
// the member) is recorded and tried again later, without holding the
// others: see watchFailed.
func (conn *connection) register(watches []*watch, since time.Time) error {
	ctx, cancel := context.WithDeadline(conn.ctx, since.Add(conn.syncTimeout))
	defer cancel()
	result := make(chan bool, 1)
	started := conn.goTracked(func() {
		regs := conn.addWatches(ctx, watches)
		synced := toolscache.WaitForCacheSync(ctx.Done(), func() bool {
			for _, r := range regs {
				if !r.handle.HasSynced() {
					return false
				}
			}
			return true
		})
		if synced {
			conn.watchesStarted(regs)
		}
		result <- synced
	})
	if !started {
		conn.endChecks(watches)
		return nil
	}
	select {
	case ok := <-result:
		if ok || conn.ctx.Err() != nil {
			return nil
		}
	case <-ctx.Done():
		if conn.ctx.Err() != nil {
			return nil // stopped meanwhile: not a failure of the member
		}
	}
	return fmt.Errorf("the watches of cluster %s did not sync within %s: check that its API server answers list requests (cacheSyncTimeout in the KubeFedConfig sets the limit)", conn.name, conn.syncTimeout)
}

// addWatches checks the access to each watch's kind and registers its
// event handler, and returns the new registrations. A watch that cannot be
// registered is recorded (watchFailed) and tried again later. It ends the
// access check of every watch (endCheck). The watches are checked and
// registered side by side: each check is a round trip to the member, and
// one after another they would hold a slow member's connection (and every
// read waiting for a check) for as many round trips as there are types.
func (conn *connection) addWatches(ctx context.Context, watches []*watch) []*registration {
	var (
		mu   sync.Mutex
		regs []*registration
		wg   sync.WaitGroup
	)
	for _, w := range watches {
		wg.Go(func() {
			if r := conn.addCheckedWatch(ctx, w); r != nil {
				mu.Lock()
				regs = append(regs, r)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return regs
}

// addCheckedWatch checks the access to w's kind, ends its check and
// registers it; it returns the new registration, or nil.
func (conn *connection) addCheckedWatch(ctx context.Context, w *watch) *registration {
	if conn.isRegistered(w.name) {
		conn.endCheck(w)
		return nil
	}
	if err := conn.checkAccess(ctx, w); err != nil {
		conn.watchFailed(w, err)
		conn.endCheck(w)
		return nil
	}
	conn.endCheck(w)
	r, err := conn.addWatch(w)
	switch {
	case errors.Is(err, errNotWatchable):
		conn.log.Info("Not watching in member cluster", "watch", w.name, "reason", err.Error())
	case err != nil:
		conn.watchFailed(w, err)
	}
	return r
}

// goTracked runs fn in a goroutine tracked by wg, unless the connection is
// stopped.
func (conn *connection) goTracked(fn func()) bool {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	if conn.closed.Load() {
		return false
	}
	conn.wg.Add(1)
	go func() {
		defer conn.wg.Done()
		fn()
	}()
	return true
}

// stop cancels the connection's goroutines and closes its network
// connections, so that requests in flight to a hung member end now. It
// never blocks: the ClusterCache calls it with its lock held.
func (conn *connection) stop() {
	conn.closed.Store(true)
	if conn.cancel != nil {
		conn.cancel()
	}
	conn.member.Close()
}

// wait waits for the goroutines of a stopped connection. Until they are
// gone it keeps closing the network connections: a goroutine stuck on a
// hung member (discovery has no context) retries with new connections.
func (conn *connection) wait() {
	// Once conn.mu was taken after stop, goTracked starts nothing more, so
	// wg.Wait does not race with wg.Add. Taking it may wait for a goroutine
	// stuck on the member, so the closing loop runs meanwhile.
	conn.dropFailures()
	done := make(chan struct{})
	go func() {
		conn.mu.Lock()
		conn.mu.Unlock() //nolint:staticcheck // a barrier, see above
		conn.wg.Wait()
		close(done)
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-done:
			conn.member.Close()
			return
		case <-tick.C:
			conn.member.Close()
		}
	}
}

// addWatch registers w's event handler on the member informer of its kind
// and selector. It returns nil when w is already registered or the
// connection is stopped.
func (conn *connection) addWatch(w *watch) (*registration, error) {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	if conn.closed.Load() || conn.regs[w.name] != nil {
		return nil, nil
	}
	if err := conn.checkScope(w); err != nil {
		return nil, err
	}
	c, err := conn.cacheForLocked(w)
	if err != nil {
		return nil, err
	}
	kind := w.kind.DeepCopyObject().(client.Object)
	inf, err := c.GetInformer(conn.ctx, kind, cache.BlockUntilSynced(false))
	if err != nil {
		return nil, fmt.Errorf("getting the informer of %s in cluster %s: %w", w.gvk, conn.name, err)
	}
	handle, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { conn.emit(w, obj) },
		UpdateFunc: func(oldObj, obj any) { conn.emitUpdate(w, oldObj, obj) },
		DeleteFunc: func(obj any) {
			if tombstone, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
				obj = tombstone.Obj
			}
			conn.emit(w, obj)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("adding the handler of watch %s in cluster %s: %w", w.name, conn.name, err)
	}
	r := &registration{w: w, cache: c, gvk: w.gvk, kind: kind, informer: inf, handle: handle}
	conn.regs[w.name] = r
	return r, nil
}

// isRegistered reports whether the named watch is registered.
func (conn *connection) isRegistered(name string) bool {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	return conn.regs[name] != nil
}

// removeWatch unregisters a watch, and drops the informer when no other
// watch of the connection uses it.
func (conn *connection) removeWatch(name string) {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	r := conn.regs[name]
	if r == nil {
		return
	}
	delete(conn.regs, name)
	if err := r.informer.RemoveEventHandler(r.handle); err != nil {
		conn.log.Error(err, "Could not remove the event handler of a watch", "watch", name)
	}
	for _, other := range conn.regs {
		if other.cache == r.cache && other.gvk == r.gvk {
			return
		}
	}
	if err := r.cache.RemoveInformer(conn.ctx, r.kind); err != nil {
		conn.log.Error(err, "Could not remove an informer", "kind", r.gvk)
	}
}

// cacheForLocked returns the member cache holding objects of w's selector,
// creating and starting it on first use. conn.mu is held.
func (conn *connection) cacheForLocked(w *watch) (cache.Cache, error) {
	if w.selectorKey == conn.defaultSelector {
		return conn.cluster.GetCache(), nil
	}
	if c, ok := conn.caches[w.selectorKey]; ok {
		return c, nil
	}
	c, err := cache.New(conn.config, cache.Options{
		HTTPClient:           conn.cluster.GetHTTPClient(),
		Scheme:               conn.cluster.GetScheme(),
		Mapper:               conn.cluster.GetRESTMapper(),
		DefaultLabelSelector: w.selector,
		DefaultNamespaces:    conn.cc.namespaceConfig(),
		DefaultTransform:     conn.cc.opts.DefaultTransform,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the cache for selector %q in cluster %s: %w", w.selectorKey, conn.name, err)
	}
	conn.caches[w.selectorKey] = c
	// conn.mu is held and conn is not closed: the goroutine is tracked.
	conn.wg.Add(1)
	go func() {
		defer conn.wg.Done()
		if err := c.Start(conn.ctx); err != nil {
			conn.log.Error(err, "Member cluster cache stopped", "selector", w.selectorKey)
		}
	}()
	return c, nil
}

// emit hands a member object to a watch's handler, unless the connection
// was stopped meanwhile.
func (conn *connection) emit(w *watch, obj any) {
	if conn.closed.Load() {
		return
	}
	if o, ok := obj.(client.Object); ok {
		w.handler(conn.name, o)
	}
}

// emitUpdate hands an update to the watch's update handler, or to its
// event handler when it has none.
func (conn *connection) emitUpdate(w *watch, oldObj, obj any) {
	if w.onUpdate == nil {
		conn.emit(w, obj)
		return
	}
	if conn.closed.Load() {
		return
	}
	o, ok1 := oldObj.(client.Object)
	n, ok2 := obj.(client.Object)
	if ok1 && ok2 {
		w.onUpdate(conn.name, o, n)
	}
}

// checkScope refuses a watch of a cluster-scoped kind when the caches are
// restricted to namespaces: its informer could never list, and a watch
// that does not sync would take the whole connection down.
func (conn *connection) checkScope(w *watch) error {
	if len(conn.cc.opts.Namespaces) == 0 {
		return nil
	}
	namespaced, err := apiutil.IsGVKNamespaced(w.gvk, conn.cluster.GetRESTMapper())
	if err != nil {
		return fmt.Errorf("finding the scope of %s in cluster %s: %w", w.gvk, conn.name, err)
	}
	if !namespaced {
		return fmt.Errorf("%s is cluster-scoped and the member caches are restricted to namespaces %v (Namespaced scope): not watched in cluster %s: %w", w.gvk, conn.cc.opts.Namespaces, conn.name, errNotWatchable)
	}
	return nil
}
