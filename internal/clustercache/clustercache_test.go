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

package clustercache_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/clustercache/clustercachetest"
	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

// events records the member objects a watch reported, by cluster/ns/name.
type events struct {
	mu   sync.Mutex
	seen map[string]int
}

func (e *events) handle(cluster string, obj client.Object) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seen[cluster+"/"+obj.GetNamespace()+"/"+obj.GetName()]++
}

func (e *events) saw(key string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.seen[key] == 0 {
		return fmt.Errorf("no event for %s", key)
	}
	return nil
}

func configMap(name string, managed bool) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: memberNamespace, Name: name}, Data: map[string]string{"k": "v"}}
	if managed {
		cm.Labels = map[string]string{fedcorev1b1.ManagedByKubeFedLabelKey: fedcorev1b1.ManagedByKubeFedLabelValue}
	}
	return cm
}

// TestClusterCache exercises the cache against two real member clusters:
// watches reach members connected before and after they were registered,
// a rebuilt connection (rotated token) keeps serving, a hung member is
// dropped and backed off without disturbing the other, and nothing is left
// running after the cache stops.
func TestClusterCache(t *testing.T) {
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(2), Nodes: 1})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	f, clientsets := newCacheFixture(t, ctx, fed)
	// The test's own clients are set up and connected (their connections'
	// goroutines exist now); anything started from here on must be gone
	// once the cache stopped.
	leaks := goleak.IgnoreCurrent()

	cacheCtx, stop := context.WithCancel(ctx)
	f.cc = clustercache.New(clustercache.Options{CacheSyncTimeout: 3 * time.Second, MinBackoff: 30 * time.Second})
	done := make(chan error, 1)
	go func() { done <- f.cc.Start(cacheCtx) }()
	f.conns = &clustercachetest.ConnectionLog{}
	unsubscribe := f.cc.Subscribe(f.conns.Add)
	f.connectAndWatch(t)

	t.Run("watch reaches members connected before and after it", f.watchReachesMembers)
	t.Run("reader serves managed objects from the cache", f.readerServesManaged)
	t.Run("sources feed a controller queue", f.sourcesFeedAQueue)
	t.Run("a source sees updates with the object before and after", f.sourceSeesUpdates)
	t.Run("rotated token rebuilds the connection, which keeps serving", f.rotatedToken)
	t.Run("hung member is dropped after the sync timeout and backed off", f.hungMemberDropped)
	t.Run("disconnect", f.disconnect)

	unsubscribe()
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the cache did not stop within 30s")
	}
	goleak.VerifyNone(t, leaks)
	runtime.KeepAlive(clientsets)
}

// cacheFixture is what the steps of TestClusterCache share: two members,
// their access, a cluster cache and what it reported.
type cacheFixture struct {
	fed                *framework.Federation
	ctx                context.Context
	m1, m2             *framework.Cluster
	cluster1, cluster2 *fedcorev1b1.KubeFedCluster
	secret1, secret2   *corev1.Secret
	cs1                *kubernetes.Clientset
	cc                 *clustercache.ClusterCache
	conns              *clustercachetest.ConnectionLog
	seen               *events
}

// newCacheFixture gives each member of fed a ServiceAccount token and
// returns the fixture and the members' clientsets, each connected.
func newCacheFixture(t *testing.T, ctx context.Context, fed *framework.Federation) (*cacheFixture, []*kubernetes.Clientset) {
	t.Helper()
	f := &cacheFixture{fed: fed, ctx: ctx, m1: fed.Members[0], m2: fed.Members[1], seen: &events{seen: map[string]int{}}}
	f.cluster1, f.secret1 = memberAccess(ctx, t, f.m1, "token-a")
	f.cluster2, f.secret2 = memberAccess(ctx, t, f.m2, "token-a")
	var clientsets []*kubernetes.Clientset
	for _, m := range []*framework.Cluster{f.m1, f.m2} {
		cs, err := m.Clientset()
		if err != nil {
			t.Fatal(err)
		}
		clientsets = append(clientsets, cs)
	}
	for _, cs := range clientsets {
		if _, err := cs.Discovery().ServerVersion(); err != nil {
			t.Fatal(err)
		}
	}
	f.cs1 = clientsets[0]
	return f, clientsets
}

// connectAndWatch connects member1, registers the watch of managed
// ConfigMaps (twice: the second registration is a no-op), then connects
// member2.
func (f *cacheFixture) connectAndWatch(t *testing.T) {
	ctx := f.ctx
	if err := f.cc.Connect(ctx, clustercache.ConnectInput{Cluster: f.cluster1, Secret: f.secret1}); err != nil {
		t.Fatalf("Connect %s: %v", f.cluster1.Name, err)
	}
	watch := clustercache.WatchInput{
		Name:          "configmaps",
		Kind:          &corev1.ConfigMap{},
		LabelSelector: labels.SelectorFromSet(labels.Set{fedcorev1b1.ManagedByKubeFedLabelKey: fedcorev1b1.ManagedByKubeFedLabelValue}),
		EventHandler:  f.seen.handle,
	}
	if err := f.cc.Watch(ctx, watch); err != nil {
		t.Fatalf("Watch: %v", err)
	}
	// Registering the same name again is a no-op: this handler never runs.
	dup := watch
	dup.EventHandler = func(string, client.Object) { t.Errorf("the handler of a duplicate watch registration was called") }
	if err := f.cc.Watch(ctx, dup); err != nil {
		t.Fatalf("Watch again: %v", err)
	}
	if err := f.cc.Connect(ctx, clustercache.ConnectInput{Cluster: f.cluster2, Secret: f.secret2}); err != nil {
		t.Fatalf("Connect %s: %v", f.cluster2.Name, err)
	}
	if got := f.cc.ReadyClusters(); !slices.Equal(got, []string{f.m1.Name, f.m2.Name}) {
		t.Fatalf("ReadyClusters = %v", got)
	}
}

// watchReachesMembers: a watch reaches the members connected before and
// after it was registered, and only the objects of its label selector.
func (f *cacheFixture) watchReachesMembers(t *testing.T) {
	for _, m := range f.fed.Members {
		c, err := f.cc.GetClient(f.ctx, m.Name)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Create(f.ctx, configMap("managed", true)); err != nil {
			t.Fatalf("creating a ConfigMap in %s: %v", m.Name, err)
		}
		if err := c.Create(f.ctx, configMap("unmanaged", false)); err != nil {
			t.Fatalf("creating a ConfigMap in %s: %v", m.Name, err)
		}
	}
	for _, m := range f.fed.Members {
		testenv.Eventually(t, 15*time.Second, func(context.Context) error { return f.seen.saw(m.Name + "/" + memberNamespace + "/managed") }, "event from %s", m.Name)
	}
	time.Sleep(500 * time.Millisecond)
	for _, m := range f.fed.Members {
		if f.seen.saw(m.Name+"/"+memberNamespace+"/unmanaged") == nil {
			t.Errorf("the watch reported an object of %s outside its label selector", m.Name)
		}
	}
	if err := f.conns.Has(f.m2.Name, true); err != nil {
		t.Error(err)
	}
}

// readerServesManaged: the reader serves managed objects from the cache, and
// no other.
func (f *cacheFixture) readerServesManaged(t *testing.T) {
	r := cachedRead(f.ctx, t, f.cc, f.m2.Name, "managed", 10*time.Second)
	err := r.Get(f.ctx, client.ObjectKey{Namespace: memberNamespace, Name: "unmanaged"}, &corev1.ConfigMap{})
	if !apierrors.IsNotFound(err) {
		t.Fatalf("cached read of an unmanaged object: %v, want NotFound", err)
	}
}

// sourcesFeedAQueue: watch and connection sources feed a controller queue; a
// connection rebuilt for a changed spec publishes a connection event.
func (f *cacheFixture) sourcesFeedAQueue(t *testing.T) {
	q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
	defer q.ShutDown()
	srcCtx, stopSources := context.WithCancel(f.ctx)
	defer stopSources()
	src := clustercache.WatchSource(f.cc, clustercache.WatchSourceInput[reconcile.Request]{
		Name: "configmaps-source",
		Kind: &corev1.ConfigMap{},
		MapFunc: func(_ context.Context, cluster string, obj client.Object) []reconcile.Request {
			return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: cluster, Name: obj.GetName()}}}
		},
	})
	must(t, src.Start(srcCtx, q))
	connSrc := clustercache.ConnectionSource(f.cc, func(_ context.Context, ev clustercache.ConnectionEvent) []reconcile.Request {
		return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: "connection", Name: ev.Cluster}}}
	})
	must(t, connSrc.Start(srcCtx, q))
	c2, err := f.cc.GetClient(f.ctx, f.m2.Name)
	must(t, err)
	must(t, c2.Create(f.ctx, configMap("via-source", true)))
	want := map[reconcile.Request]bool{
		{NamespacedName: client.ObjectKey{Namespace: f.m2.Name, Name: "via-source"}}: false,
		{NamespacedName: client.ObjectKey{Namespace: "connection", Name: f.m1.Name}}: false,
	}
	// A connection rebuilt for a changed spec publishes a connection event.
	cluster1b := f.cluster1.DeepCopy()
	cluster1b.Spec.DisabledTLSValidations = []fedcorev1b1.TLSValidation{fedcorev1b1.TLSSubjectName}
	must(t, f.cc.Connect(f.ctx, clustercache.ConnectInput{Cluster: cluster1b, Secret: f.secret1}))
	awaitRequests(t, q, func() string { return fmt.Sprintf("requests %v", want) }, func(r reconcile.Request) bool {
		if _, ok := want[r]; ok {
			want[r] = true
		}
		return !slices.Contains(slices.Collect(maps.Values(want)), false)
	})
	stopSources()
	f.cluster1 = cluster1b
}

// sourceSeesUpdates: a source's UpdateDelay sees an update with the object
// before and after it.
func (f *cacheFixture) sourceSeesUpdates(t *testing.T) {
	q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
	defer q.ShutDown()
	srcCtx, stopSources := context.WithCancel(f.ctx)
	defer stopSources()
	type update struct{ oldValue, newValue string }
	updates := make(chan update, 16)
	src := clustercache.WatchSource(f.cc, clustercache.WatchSourceInput[reconcile.Request]{
		Name: "configmaps-delayed",
		Kind: &corev1.ConfigMap{},
		MapFunc: func(_ context.Context, cluster string, obj client.Object) []reconcile.Request {
			return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: cluster, Name: obj.GetName()}}}
		},
		UpdateDelay: func(oldObj, newObj client.Object) time.Duration {
			if newObj.GetName() == "updated" {
				updates <- update{oldObj.(*corev1.ConfigMap).Data["v"], newObj.(*corev1.ConfigMap).Data["v"]}
			}
			return 100 * time.Millisecond
		},
	})
	must(t, src.Start(srcCtx, q))
	want := reconcile.Request{NamespacedName: client.ObjectKey{Namespace: f.m2.Name, Name: "updated"}}
	next := func(what string) {
		t.Helper()
		awaitRequests(t, q, func() string { return "the request of the " + what }, func(r reconcile.Request) bool { return r == want })
	}
	c2, err := f.cc.GetClient(f.ctx, f.m2.Name)
	must(t, err)
	cm := configMap("updated", true)
	cm.Data = map[string]string{"v": "1"}
	must(t, c2.Create(f.ctx, cm))
	next("create")
	cm.Data["v"] = "2"
	must(t, c2.Update(f.ctx, cm))
	select {
	case u := <-updates:
		if u != (update{"1", "2"}) {
			t.Errorf("UpdateDelay saw %+v, want the value before (1) and after (2)", u)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("UpdateDelay was not called for the update within 15s")
	}
	next("update")
}

// rotatedToken: a rotated token rebuilds the connection, which keeps
// serving; the other member's is not touched.
func (f *cacheFixture) rotatedToken(t *testing.T) {
	rotated := f.secret1.DeepCopy()
	rotated.Data[fedcorev1b1.ClusterSecretTokenKey] = []byte(serviceAccountToken(f.ctx, t, f.cs1, "token-b"))
	if err := f.cc.Connect(f.ctx, clustercache.ConnectInput{Cluster: f.cluster1, Secret: rotated}); err != nil {
		t.Fatalf("Connect with the rotated token: %v", err)
	}
	// Revoke the old token: only the rebuilt connection can work now.
	deleteTokenSecret(f.ctx, t, f.cs1, "token-a")
	testenv.Eventually(t, 20*time.Second, func(context.Context) error {
		c, err := f.cc.GetClient(f.ctx, f.m1.Name)
		if err != nil {
			return err
		}
		return c.Create(f.ctx, configMap("after-rotation", true))
	}, "write with the rotated token")
	testenv.Eventually(t, 15*time.Second, func(context.Context) error {
		return f.seen.saw(f.m1.Name + "/" + memberNamespace + "/after-rotation")
	}, "event after rotation")
	// member2's connection was not touched.
	c2, err := f.cc.GetClient(f.ctx, f.m2.Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.List(f.ctx, &corev1.ConfigMapList{}, client.InNamespace(memberNamespace)); err != nil {
		t.Fatalf("listing in %s: %v", f.m2.Name, err)
	}
}

// hungMemberDropped: a hung member is dropped after the sync timeout and
// backed off.
func (f *cacheFixture) hungMemberDropped(t *testing.T) {
	hung := blackhole(t)
	cluster3 := f.cluster2.DeepCopy()
	cluster3.Name = "hung"
	cluster3.Spec.APIEndpoint = "https://" + hung
	start := time.Now()
	if err := f.cc.Connect(f.ctx, clustercache.ConnectInput{Cluster: cluster3, Secret: f.secret2}); err != nil {
		t.Fatalf("Connect must not wait for the member: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Connect took %s", d)
	}
	testenv.Eventually(t, 15*time.Second, func(context.Context) error { return f.conns.Has("hung", false) }, "hung member dropped")
	err := f.cc.Connect(f.ctx, clustercache.ConnectInput{Cluster: cluster3, Secret: f.secret2})
	if !errors.Is(err, clustercache.ErrClusterNotConnected) {
		t.Fatalf("Connect during backoff: %v, want ErrClusterNotConnected", err)
	}
	if _, err := f.cc.GetClient(f.ctx, "hung"); !errors.Is(err, clustercache.ErrClusterNotConnected) {
		t.Fatalf("GetClient of a dropped cluster: %v", err)
	}
	if got := f.cc.ReadyClusters(); !slices.Equal(got, []string{f.m1.Name, f.m2.Name}) {
		t.Fatalf("ReadyClusters = %v", got)
	}
	f.cc.Forget(f.ctx, "hung")
}

// disconnect: Disconnect drops the member's connection.
func (f *cacheFixture) disconnect(t *testing.T) {
	f.cc.Disconnect(f.ctx, f.m2.Name)
	if _, err := f.cc.GetClient(f.ctx, f.m2.Name); !errors.Is(err, clustercache.ErrClusterNotConnected) {
		t.Fatalf("GetClient after Disconnect: %v, want ErrClusterNotConnected", err)
	}
	if err := f.conns.Has(f.m2.Name, false); err != nil {
		t.Fatal(err)
	}
	f.cc.Unwatch("configmaps")
}

// awaitRequests takes requests from q until done says that the one taken
// completes what the test waits for; it fails the test after 15 s, saying
// what was awaited.
func awaitRequests(t *testing.T, q workqueue.TypedRateLimitingInterface[reconcile.Request], what func() string, done func(reconcile.Request) bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("%s not handed out within 15s", what())
		}
		if q.Len() == 0 {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		r, _ := q.Get()
		q.Done(r)
		if done(r) {
			return
		}
	}
}

// cachedRead waits until the cache of cluster serves the ConfigMap name of
// memberNamespace, and returns the cache's reader.
func cachedRead(ctx context.Context, t *testing.T, cc *clustercache.ClusterCache, cluster, name string, timeout time.Duration) client.Reader {
	t.Helper()
	r, err := cc.GetReader(ctx, cluster)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, timeout, func(context.Context) error {
		return r.Get(ctx, client.ObjectKey{Namespace: memberNamespace, Name: name}, &corev1.ConfigMap{})
	}, "cached read of %s/%s in cluster %s", memberNamespace, name, cluster)
	return r
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// blackhole listens on 127.0.0.1 and accepts connections without ever
// answering: an API server that hangs.
func blackhole(t *testing.T) string {
	t.Helper()
	return clustercachetest.Listen(t, "127.0.0.1", func(net.Conn, func(net.Conn)) {})
}
