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
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	toolscache "k8s.io/client-go/tools/cache"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/metrics"
)

// ErrClusterNotConnected is returned (wrapped, with the cluster's name) for a
// member cluster the cache holds no connection to: it is not Ready, its
// configuration is malformed, it was removed, or its last connection failed
// and is backing off. Callers record the cluster as not ready and carry on
// with the others; the cluster's next Connected event is the moment to retry.
var ErrClusterNotConnected = errors.New("cluster is not connected")

// Defaults of Options.
const (
	// DefaultQPS and DefaultBurst are also the controller manager's
	// --member-qps and --member-burst defaults.
	DefaultQPS              = 500
	DefaultBurst            = 1000
	DefaultCacheSyncTimeout = 5 * time.Minute
	DefaultMinBackoff       = 5 * time.Second
	DefaultMaxBackoff       = 5 * time.Minute
)

// Options configure a ClusterCache.
type Options struct {
	// Scheme holds the typed kinds used with member clients and watches;
	// client-go's scheme when nil. Unstructured objects need no scheme.
	Scheme *runtime.Scheme
	// QPS and Burst limit the requests sent to each member cluster;
	// DefaultQPS and DefaultBurst when zero.
	QPS   float32
	Burst int
	// CacheSyncTimeout is how long a member's watches may take to sync before
	// its connection is dropped (and retried with backoff);
	// DefaultCacheSyncTimeout when zero. ConnectInput can override it.
	CacheSyncTimeout time.Duration
	// DefaultLabelSelector restricts the objects GetReader serves (and
	// caches): kubefed.io/managed=true when nil. Use labels.Everything() to
	// cache every object of the kinds read.
	DefaultLabelSelector labels.Selector
	// Namespaces, when set, restricts every member cache (GetReader and
	// watches) to these namespaces, and watches of cluster-scoped kinds are
	// refused: a control plane joined in Namespaced scope is granted a Role
	// in its own namespace of each member and may not list anything
	// cluster-wide. Empty means every namespace (Cluster scope).
	Namespaces []string
	// MinBackoff and MaxBackoff bound the per-cluster delay before a failed
	// connection is tried again; it doubles with every failure in a row.
	// DefaultMinBackoff and DefaultMaxBackoff when zero.
	MinBackoff, MaxBackoff time.Duration
	// DefaultTransform is applied to every object before a member cache
	// stores it, e.g. cache.TransformStripManagedFields() to drop data
	// nothing reads; objects are stored as listed when nil.
	DefaultTransform toolscache.TransformFunc
	// StopTimeout bounds how long Start waits, once its context is done,
	// for the member connections to be torn down (DefaultStopTimeout when
	// zero). A connection normally goes within a second; one that does
	// not (a goroutine stuck on a member) is logged by cluster name and
	// left to the process exit, so that it does not take the manager's
	// whole graceful-shutdown period from the controllers and the release
	// of the leader-election lease.
	StopTimeout time.Duration
}

// ConnectionEvent tells subscribers that a member connection was opened or
// closed.
type ConnectionEvent struct {
	// Cluster is the KubeFedCluster's name.
	Cluster string
	// Connected is true when the connection was opened (the cluster became
	// Ready, or its connection was rebuilt), false when it was closed.
	Connected bool
	// Err says why a connection was closed by the cache itself (its watches
	// did not sync in time); nil otherwise.
	Err error
}

// ClusterCache holds one connection (client and cache) per member cluster.
// It is driven by the KubeFedCluster health controller, which calls Connect
// for Ready clusters and Disconnect for the others; everything else only
// reads from it. It is a manager.Runnable: add it to the manager, which
// starts it (on the leader) and stops it, closing every connection.
type ClusterCache struct {
	opts Options

	started chan struct{}

	mu        sync.Mutex
	runCtx    context.Context
	stopped   bool
	conns     map[string]*connection
	backoffs  map[string]*backoff
	watches   map[string]*watch
	listeners map[int]func(ConnectionEvent)
	nextID    int

	// wg tracks the teardown of every connection, so that Start returns
	// only when no goroutine or network connection of a member is left
	// (or after stopTimeout, see Start).
	wg sync.WaitGroup
	// stopMu guards stopping, the clusters whose connections are being
	// torn down (a count per cluster); not mu, which a caller of
	// stopConnection may hold.
	stopMu   sync.Mutex
	stopping map[string]int
}

// backoff records the failures in a row of one cluster's connections.
type backoff struct {
	failures  int
	notBefore time.Time
	hash      string
	err       error
}

// New returns a ClusterCache; it opens no connection until started.
func New(opts Options) *ClusterCache {
	if opts.Scheme == nil {
		opts.Scheme = clientgoscheme.Scheme
	}
	opts.QPS = cmp.Or(opts.QPS, DefaultQPS)
	opts.Burst = cmp.Or(opts.Burst, DefaultBurst)
	opts.CacheSyncTimeout = cmp.Or(opts.CacheSyncTimeout, DefaultCacheSyncTimeout)
	if opts.DefaultLabelSelector == nil {
		opts.DefaultLabelSelector = labels.SelectorFromSet(labels.Set{fedcorev1b1.ManagedByKubeFedLabelKey: fedcorev1b1.ManagedByKubeFedLabelValue})
	}
	opts.MinBackoff = cmp.Or(opts.MinBackoff, DefaultMinBackoff)
	opts.MaxBackoff = cmp.Or(opts.MaxBackoff, DefaultMaxBackoff)
	opts.StopTimeout = cmp.Or(opts.StopTimeout, DefaultStopTimeout)
	return &ClusterCache{
		opts:      opts,
		started:   make(chan struct{}),
		conns:     map[string]*connection{},
		backoffs:  map[string]*backoff{},
		watches:   map[string]*watch{},
		listeners: map[int]func(ConnectionEvent){},
		stopping:  map[string]int{},
	}
}

// Start runs the cache until ctx is done, then closes every connection and
// waits until their goroutines and network connections are gone, at most
// Options.StopTimeout.
func (c *ClusterCache) Start(ctx context.Context) error {
	c.mu.Lock()
	if c.runCtx != nil {
		c.mu.Unlock()
		return errors.New("cluster cache already started")
	}
	c.runCtx = ctx
	close(c.started)
	c.mu.Unlock()

	<-ctx.Done()

	c.mu.Lock()
	c.stopped = true
	conns := c.conns
	c.conns = map[string]*connection{}
	c.mu.Unlock()
	for _, conn := range conns {
		c.stopConnection(conn)
	}
	done := make(chan struct{})
	go func() {
		c.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(c.opts.StopTimeout):
		ctrl.LoggerFrom(ctx).Error(nil, "Member cluster connections did not stop in time; leaving them to the process exit",
			"clusters", c.stoppingClusters(), "timeout", c.opts.StopTimeout)
	}
	return nil
}

// ConnectInput is what Connect needs to open a member connection.
type ConnectInput struct {
	// Cluster is the member's KubeFedCluster.
	Cluster *fedcorev1b1.KubeFedCluster
	// Secret is the Secret named by Cluster.Spec.SecretRef; nil when it does
	// not exist.
	Secret *corev1.Secret
	// CacheSyncTimeout overrides Options.CacheSyncTimeout when not zero.
	CacheSyncTimeout time.Duration
}

// Connect makes sure the cache holds a connection to the cluster built from
// the current inputs. It does nothing when such a connection exists, rebuilds
// one whose inputs (endpoint, CA, token, proxy, TLS options) changed, and
// refuses, wrapping ErrClusterNotConnected, while the cluster's last
// connection failure is backing off (unless the inputs changed). It never
// waits for the member: caches start and sync in the background, and a
// connection whose watches cannot sync within the timeout is dropped and
// published as disconnected.
func (c *ClusterCache) Connect(ctx context.Context, in ConnectInput) error {
	select {
	case <-c.started:
	case <-ctx.Done():
		return fmt.Errorf("connecting to cluster %s: the cluster cache has not started: %w", in.Cluster.Name, ctx.Err())
	}
	name := in.Cluster.Name
	hash := InputsHash(in.Cluster, in.Secret)
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return fmt.Errorf("connecting to cluster %s: the cluster cache is stopped: %w", name, ErrClusterNotConnected)
	}
	old := c.conns[name]
	if old != nil && hash != "" && old.hash == hash {
		c.mu.Unlock()
		return nil
	}
	if b := c.backoffs[name]; b != nil && b.hash == hash && time.Now().Before(b.notBefore) {
		c.mu.Unlock()
		return fmt.Errorf("cluster %s: its last connection failed (%w); next attempt in %s: %w",
			name, b.err, time.Until(b.notBefore).Round(time.Second), ErrClusterNotConnected)
	}
	member, err := NewMemberConfig(in.Cluster, in.Secret)
	if err != nil {
		c.mu.Unlock()
		if old != nil {
			c.Disconnect(ctx, name)
		}
		return fmt.Errorf("connecting to cluster %s: %w", name, err)
	}
	syncTimeout := in.CacheSyncTimeout
	if syncTimeout == 0 {
		syncTimeout = c.opts.CacheSyncTimeout
	}
	conn, err := newConnection(c, ctrl.LoggerFrom(ctx).WithValues("cluster", name), name, member, syncTimeout)
	if err != nil {
		c.mu.Unlock()
		member.Close()
		return fmt.Errorf("connecting to cluster %s: %w", name, err)
	}
	if old != nil {
		delete(c.conns, name)
		c.stopConnection(old)
	}
	c.conns[name] = conn
	watches := make([]*watch, 0, len(c.watches))
	for _, w := range c.watches {
		watches = append(watches, w)
	}
	conn.start(c.runCtx, watches)
	listeners := c.listenersLocked()
	c.mu.Unlock()

	verb := "Connected"
	if old != nil {
		verb = "Reconnected"
	}
	ctrl.LoggerFrom(ctx).Info(verb+" to member cluster", "cluster", name, "endpoint", member.REST.Host)
	metrics.ClusterConnections.WithLabelValues(name).Set(1)
	publish(listeners, ConnectionEvent{Cluster: name, Connected: true})
	return nil
}

// Disconnect closes the cluster's connection, if any, and publishes it.
// Clients handed out earlier fail from then on. It does not wait for the
// connection's goroutines to end.
func (c *ClusterCache) Disconnect(ctx context.Context, name string) {
	c.mu.Lock()
	conn := c.conns[name]
	if conn == nil {
		c.mu.Unlock()
		return
	}
	delete(c.conns, name)
	c.stopConnection(conn)
	listeners := c.listenersLocked()
	c.mu.Unlock()
	ctrl.LoggerFrom(ctx).Info("Disconnected from member cluster", "cluster", name)
	metrics.ClusterConnections.DeleteLabelValues(name)
	publish(listeners, ConnectionEvent{Cluster: name, Connected: false})
}

// Forget disconnects the cluster and drops its backoff record; call it when
// its KubeFedCluster is deleted.
func (c *ClusterCache) Forget(ctx context.Context, name string) {
	c.Disconnect(ctx, name)
	c.mu.Lock()
	delete(c.backoffs, name)
	c.mu.Unlock()
}

// GetClient returns a client of the member cluster. Its reads and writes go
// to the member's API server (no cache), limited by the QPS and burst
// options. It wraps ErrClusterNotConnected when the cluster has no
// connection.
func (c *ClusterCache) GetClient(_ context.Context, name string) (client.Client, error) {
	conn, err := c.connection(name)
	if err != nil {
		return nil, err
	}
	return conn.client, nil
}

// GetReader returns a reader served from the member cluster's cache: only
// objects matching Options.DefaultLabelSelector (kubefed.io/managed=true by
// default) are seen. A kind read for the first time is cached from then on;
// a watch registered with the same selector shares that cache. A read of a
// kind whose watch the member forbids (see WatchErrors) fails at once with
// the watch's error, which wraps ErrWatchForbidden. It wraps
// ErrClusterNotConnected when the cluster has no connection.
func (c *ClusterCache) GetReader(_ context.Context, name string) (client.Reader, error) {
	conn, err := c.connection(name)
	if err != nil {
		return nil, err
	}
	return forbiddenReader{Reader: conn.cluster.GetCache(), conn: conn}, nil
}

// ReadyClusters returns the names of the connected member clusters, sorted.
func (c *ClusterCache) ReadyClusters() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.conns))
	for name := range c.conns {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Subscribe calls fn for every connection opened or closed from now on, until
// the returned function is called. fn must not block (enqueue and return)
// and must not call Connect or Disconnect.
func (c *ClusterCache) Subscribe(fn func(ConnectionEvent)) (unsubscribe func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := c.nextID
	c.nextID++
	c.listeners[id] = fn
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.listeners, id)
	}
}

func (c *ClusterCache) connection(name string) (*connection, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	conn := c.conns[name]
	if conn == nil {
		return nil, fmt.Errorf("cluster %s: %w", name, ErrClusterNotConnected)
	}
	return conn, nil
}

// connections returns the current connections.
func (c *ClusterCache) connections() []*connection {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Collect(maps.Values(c.conns))
}

// backoffDelay is the delay after failures in a row: Options.MinBackoff,
// doubling with every failure after the first, at most limit.
func (c *ClusterCache) backoffDelay(failures int, limit time.Duration) time.Duration {
	delay := c.opts.MinBackoff << min(failures-1, 16)
	if delay > limit || delay <= 0 {
		delay = limit
	}
	return delay
}

func (c *ClusterCache) listenersLocked() []func(ConnectionEvent) {
	out := make([]func(ConnectionEvent), 0, len(c.listeners))
	for _, fn := range c.listeners {
		out = append(out, fn)
	}
	return out
}

func publish(listeners []func(ConnectionEvent), ev ConnectionEvent) {
	for _, fn := range listeners {
		fn(ev)
	}
}

// connectionSynced resets the backoff of a cluster whose connection synced.
func (c *ClusterCache) connectionSynced(conn *connection) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conns[conn.name] == conn {
		delete(c.backoffs, conn.name)
	}
}

// connectionFailed drops a connection whose watches did not sync, backs the
// cluster off and publishes the disconnection.
func (c *ClusterCache) connectionFailed(conn *connection, err error) {
	c.mu.Lock()
	if c.conns[conn.name] != conn {
		c.mu.Unlock()
		return
	}
	delete(c.conns, conn.name)
	c.stopConnection(conn)
	b := c.backoffs[conn.name]
	if b == nil || b.hash != conn.hash {
		b = &backoff{hash: conn.hash}
		c.backoffs[conn.name] = b
	}
	b.failures++
	delay := c.backoffDelay(b.failures, c.opts.MaxBackoff)
	b.notBefore = time.Now().Add(delay)
	b.err = err
	listeners := c.listenersLocked()
	c.mu.Unlock()
	conn.log.Error(err, "Dropped member cluster connection", "retryIn", delay)
	metrics.ClusterConnections.DeleteLabelValues(conn.name)
	publish(listeners, ConnectionEvent{Cluster: conn.name, Connected: false, Err: err})
}

// namespaceConfig returns the cache namespaces of Options.Namespaces; nil
// (every namespace) when there are none.
func (c *ClusterCache) namespaceConfig() map[string]cache.Config {
	if len(c.opts.Namespaces) == 0 {
		return nil
	}
	out := make(map[string]cache.Config, len(c.opts.Namespaces))
	for _, ns := range c.opts.Namespaces {
		out[ns] = cache.Config{}
	}
	return out
}
