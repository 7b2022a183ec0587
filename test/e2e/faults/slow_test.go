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

package faults_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

// slowDelay is what the delaying proxy adds to every chunk member2 sends or
// receives: each request and each answer arrives that much later, and a
// connection carries one chunk per delay in each direction. It is long
// enough that a member1 held back by member2 would take far longer than
// the bound (see heldBackShare) even where a healthy rollout is slow.
const slowDelay = time.Second

// heldBackShare bounds member1's rollout while member2 is slow: at most
// this share of the least time a member1 held back by member2 would take,
// ceil(n/workers) reconciles in a row, each waiting at least one round
// trip through the proxy (2 × slowDelay). It is not a bound relative to a
// healthy rollout: the first reconciles of every worker wait on member2
// until it is found slow (from its measured writes, or from 5 operations
// stuck there for 5 s; those in flight are then detached), and how soon
// that is depends on the machine's load. member1 took 1.3 to 2.5 times a
// healthy rollout in runs here; the test logs the ratio.
const heldBackShare = 0.6

// testSlowMember makes member2 answer slowly, through a TCP proxy that
// delays everything it forwards, and rolls out 300 FederatedConfigMaps:
// member1 gets its copies well before it would if member2 held it back
// (heldBackShare), and how it compares with a healthy rollout of the same
// size measured just before is logged; every object whose member2 copy is still
// missing when member1 has all of its copies has reported member2 as
// WaitingForCluster (with member1 up to date: its reconcile did not wait
// for member2), member1 is never reported so; and member2 gets every copy too, and
// every object reports it, once the proxy is fast again.
func testSlowMember(t *testing.T, e *e2eutil.Env) {
	ctx := t.Context()
	const n = 300

	// The healthy rollout the slow one is compared with.
	healthyNS := federatedNamespace(t, e, "healthy")
	start := time.Now()
	if err := createConfigMaps(ctx, e, healthyNS, "rollout", n); err != nil {
		t.Fatal(err)
	}
	waitCopies(t, e, healthyNS, "member1", n, 3*time.Minute)
	healthy := time.Since(start)
	e.WaitConfigMapsPropagated(t, healthyNS, n, 2*time.Minute)
	t.Logf("healthy rollout: member1 had all %d copies %s after the start", n, healthy.Round(100*time.Millisecond))

	workers := syncWorkers(t, e)
	heldBack := time.Duration((n+workers-1)/workers) * 2 * slowDelay
	limit := time.Duration(heldBackShare * float64(heldBack))

	ns := federatedNamespace(t, e, "slow-member")
	proxy := slowMember2(t, e)
	proxy.SetDelay(slowDelay)
	statuses := watchStatuses(t, e, ns)

	start = time.Now()
	if err := createConfigMaps(ctx, e, ns, "rollout", n); err != nil {
		t.Fatal(err)
	}
	var counts map[string]int
	err := e2eutil.Poll(ctx, limit, func(ctx context.Context) error {
		var err error
		if counts, err = e.CountManagedConfigMaps(ctx, ns); err != nil {
			return err
		}
		if counts["member1"] < n {
			return fmt.Errorf("copies %v", counts)
		}
		return nil
	})
	took := time.Since(start)
	if err != nil {
		t.Errorf("member1 did not get its %d copies within %s (%.1f of the %s it would take at least if held back by member2; a healthy rollout took %s) while member2 answered %s late: "+
			"copies %v %s after the start: member1 is held back by member2",
			n, limit.Round(100*time.Millisecond), heldBackShare, heldBack, healthy.Round(100*time.Millisecond), slowDelay, counts, took.Round(100*time.Millisecond))
		waitCopies(t, e, ns, "member1", n, 3*time.Minute)
		t.Logf("member1 had all %d copies %s after the start (%.1f × the healthy rollout)", n, time.Since(start).Round(100*time.Millisecond), float64(time.Since(start))/float64(healthy))
	} else {
		t.Logf("with member2 answering %s late, member1 had all %d copies %s after the start (%.1f × the healthy rollout's %s; bound %s, held back at least %s); member2 had %d",
			slowDelay, n, took.Round(100*time.Millisecond), float64(took)/float64(healthy), healthy.Round(100*time.Millisecond), limit.Round(100*time.Millisecond), heldBack, counts["member2"])
	}
	// The objects whose member2 copy is missing now, with member1 done:
	// their member2 writes were not waited for.
	missing := missingIn(t, e, ns, "member2", "rollout", n)

	// Fast again: member2 gets the rest, and every status says so.
	proxy.SetDelay(0)
	fast := time.Now()
	e.WaitConfigMapsPropagated(t, ns, n, 3*time.Minute)
	t.Logf("once member2 answered normally again, every object was propagated to both members within %s", time.Since(fast).Round(100*time.Millisecond))

	waiting, wrong := statuses.finish(t)
	var silent []string
	for _, name := range missing {
		if !waiting[name] {
			silent = append(silent, name)
		}
	}
	t.Logf("%d objects lacked their member2 copy when member1 had all of its copies; %d objects reported member2 %s with member1 up to date",
		len(missing), len(waiting), fedtypesv1b1.WaitingForCluster)
	if len(missing) == 0 {
		t.Errorf("member2, answering %s late, had every copy by the time member1 had all of its copies: the rollout did not show member2's writes detached", slowDelay)
	}
	if len(silent) > 0 {
		t.Errorf("%d of the %d FederatedConfigMaps whose member2 copy was missing while member1 had all of its copies never reported member2 as %s with member1 up to date: the reconcile waited for member2, or said nothing of it, e.g. %v",
			len(silent), len(missing), fedtypesv1b1.WaitingForCluster, silent[:min(5, len(silent))])
	}
	for _, w := range wrong[:min(5, len(wrong))] {
		t.Errorf("member1 answers normally, but %s", w)
	}
}

// syncWorkers returns how many objects of one type the sync controller
// reconciles at once, from the KubeFedConfig.
func syncWorkers(t *testing.T, e *e2eutil.Env) int {
	t.Helper()
	cfg := &fedcorev1b1.KubeFedConfig{}
	if err := e.Host.Get(t.Context(), client.ObjectKey{Namespace: e2eutil.Namespace, Name: fedcorev1b1.KubeFedConfigName}, cfg); err != nil {
		t.Fatal(err)
	}
	if sc := cfg.Spec.SyncController; sc != nil && sc.MaxConcurrentReconciles != nil {
		return int(*sc.MaxConcurrentReconciles)
	}
	return fedcorev1b1.DefaultSyncControllerMaxConcurrentReconciles
}

// missingIn returns the names prefix-000 ... of n objects whose managed
// copy does not exist in member, read directly from its API server.
func missingIn(t *testing.T, e *e2eutil.Env, ns, member, prefix string, n int) []string {
	t.Helper()
	list := &corev1.ConfigMapList{}
	if err := e.Member(member).List(t.Context(), list, client.InNamespace(ns), e2eutil.Managed); err != nil {
		t.Fatalf("listing ConfigMaps in %s: %v", member, err)
	}
	have := map[string]bool{}
	for _, cm := range list.Items {
		have[cm.Name] = true
	}
	var out []string
	for i := range n {
		if name := fmt.Sprintf("%s-%03d", prefix, i); !have[name] {
			out = append(out, name)
		}
	}
	return out
}

// statusWatch follows the status of the FederatedConfigMaps of one
// namespace through a watch, so that no status written between two reads
// goes unseen.
type statusWatch struct {
	cancel context.CancelFunc
	done   chan struct{}
	// waiting holds the objects that reported member2 WaitingForCluster
	// with member1 up to date.
	waiting map[string]bool
	// wrong lists the statuses that reported member1 WaitingForCluster.
	wrong []string
	err   error
}

// watchStatuses starts following the FederatedConfigMaps of ns.
func watchStatuses(t *testing.T, e *e2eutil.Env, ns string) *statusWatch {
	t.Helper()
	c := e2eutil.NewWatchClient(t, e.Fed.Host.Config)
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMapList"))
	if err := c.List(t.Context(), list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	s := &statusWatch{cancel: cancel, done: make(chan struct{}), waiting: map[string]bool{}}
	t.Cleanup(cancel)
	src := e2eutil.WatchSource{Name: "FederatedConfigMaps in " + ns, Client: c, List: list.DeepCopy(), Opts: []client.ListOption{client.InNamespace(ns)}}
	go func() {
		defer close(s.done)
		s.err = e2eutil.Follow(ctx, src, list.GetResourceVersion(), func(obj client.Object) {
			if u, ok := obj.(*unstructured.Unstructured); ok {
				s.observe(u)
			}
		})
	}()
	return s
}

// observe records what one status says about the members.
func (s *statusWatch) observe(u *unstructured.Unstructured) {
	st, err := fedtypesv1b1.GetStatus(u)
	if err != nil || st == nil {
		return
	}
	byCluster := map[string]fedtypesv1b1.PropagationStatus{}
	for _, c := range st.Clusters {
		byCluster[c.Name] = c.Status
	}
	if s1, ok := byCluster["member1"]; ok && s1 == fedtypesv1b1.ClusterPropagationOK && byCluster["member2"] == fedtypesv1b1.WaitingForCluster {
		s.waiting[u.GetName()] = true
	}
	if byCluster["member1"] == fedtypesv1b1.WaitingForCluster {
		s.wrong = append(s.wrong, fmt.Sprintf("FederatedConfigMap %s (resourceVersion %s) reported it %s", client.ObjectKeyFromObject(u), u.GetResourceVersion(), fedtypesv1b1.WaitingForCluster))
	}
}

// finish stops the watch and returns what it saw.
func (s *statusWatch) finish(t *testing.T) (map[string]bool, []string) {
	t.Helper()
	s.cancel()
	<-s.done
	if s.err != nil {
		t.Errorf("the status watch broke off, so statuses may have gone unseen: %v", s.err)
	}
	return s.waiting, s.wrong
}

// slowMember2 points member2's KubeFedCluster at a delaying proxy in front
// of its API server, with no delay yet, and waits until kubefed talks to
// member2 through it. The cluster health check's timeout is raised so that
// member2 stays Ready while slow: the fault is slowness, not loss. Both
// are undone when the test ends.
func slowMember2(t *testing.T, e *e2eutil.Env) *framework.DelayProxy {
	t.Helper()
	ctx := t.Context()
	m2 := e.Fed.Cluster("member2")
	upstream, err := url.Parse(m2.Config.Host)
	if err != nil {
		t.Fatalf("API server address of member2 %q: %v", m2.Config.Host, err)
	}
	proxy, err := framework.NewDelayProxy(upstream.Host)
	if err != nil {
		t.Fatal(err)
	}

	cfgKey := client.ObjectKey{Namespace: e2eutil.Namespace, Name: fedcorev1b1.KubeFedConfigName}
	cfg := &fedcorev1b1.KubeFedConfig{}
	if err := e.Host.Get(ctx, cfgKey, cfg); err != nil {
		t.Fatal(err)
	}
	oldCheck := cfg.Spec.ClusterHealthCheck.DeepCopy()
	cfg.Spec.ClusterHealthCheck.Timeout = &metav1.Duration{Duration: 20 * time.Second}
	if err := e.Host.Update(ctx, cfg); err != nil {
		t.Fatalf("raising the health check timeout in KubeFedConfig %s: %v", cfgKey, err)
	}

	kfcKey := client.ObjectKey{Namespace: e2eutil.Namespace, Name: "member2"}
	kfc := &fedcorev1b1.KubeFedCluster{}
	if err := e.Host.Get(ctx, kfcKey, kfc); err != nil {
		t.Fatal(err)
	}
	oldEndpoint := kfc.Spec.APIEndpoint
	kfc.Spec.APIEndpoint = "https://" + proxy.Addr()
	if err := e.Host.Update(ctx, kfc); err != nil {
		t.Fatalf("pointing KubeFedCluster %s at the proxy: %v", kfcKey, err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		proxy.SetDelay(0)
		kfc := &fedcorev1b1.KubeFedCluster{}
		if err := e.Host.Get(ctx, kfcKey, kfc); err == nil {
			kfc.Spec.APIEndpoint = oldEndpoint
			if err := e.Host.Update(ctx, kfc); err != nil {
				t.Errorf("restoring the endpoint of KubeFedCluster %s: %v", kfcKey, err)
			}
		}
		cfg := &fedcorev1b1.KubeFedConfig{}
		if err := e.Host.Get(ctx, cfgKey, cfg); err == nil {
			cfg.Spec.ClusterHealthCheck = oldCheck
			if err := e.Host.Update(ctx, cfg); err != nil {
				t.Errorf("restoring the health check of KubeFedConfig %s: %v", cfgKey, err)
			}
		}
		// Not before kubefed is connected to member2 directly again: the
		// proxy's connections would end under it.
		// Not Eventually: the test's context is cancelled before its
		// cleanups run.
		if err := e2eutil.Poll(ctx, time.Minute, func(context.Context) error {
			if c := proxy.Connections(); c > 0 {
				return fmt.Errorf("%d connections through the proxy", c)
			}
			return nil
		}); err != nil {
			t.Errorf("kubefed connected to member2 without the proxy: not within 1m0s: %v", err)
		}
		if err := proxy.Close(); err != nil {
			t.Errorf("closing the proxy: %v", err)
		}
	})
	e2eutil.Eventually(t, time.Minute, func(context.Context) error {
		if proxy.Connections() == 0 {
			return fmt.Errorf("no connection through the proxy")
		}
		return nil
	}, "kubefed connected to member2 through the proxy")
	e.WaitClusterReady(t, "member2", "True", time.Minute)
	return proxy
}

// waitCopies waits until member holds n managed ConfigMaps in ns.
func waitCopies(t *testing.T, e *e2eutil.Env, ns, member string, n int, timeout time.Duration) {
	t.Helper()
	e2eutil.EventuallyEvery(t, 200*time.Millisecond, timeout, func(ctx context.Context) error {
		counts, err := e.CountManagedConfigMaps(ctx, ns)
		if err != nil {
			return err
		}
		if counts[member] < n {
			return fmt.Errorf("%d copies in %s", counts[member], member)
		}
		return nil
	}, "%d copies in %s", n, member)
}
