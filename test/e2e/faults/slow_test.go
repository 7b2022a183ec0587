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
// connection carries one chunk per delay in each direction.
const slowDelay = 400 * time.Millisecond

// testSlowMember makes member2 answer slowly, through a TCP proxy that
// delays everything it forwards, and rolls out 300 FederatedConfigMaps:
// member1 gets its copies about as fast as in a healthy rollout of the same
// size measured just before (not more than twice as long plus 10 s, a
// margin for a loaded machine; a member1 held back by member2 took three
// times as long), and member2 gets every copy too, and every object
// reports it, once the proxy is fast again.
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
	waitAllPropagated(t, e, healthyNS, n, 2*time.Minute)
	t.Logf("healthy rollout: member1 had all %d copies %s after the start", n, healthy.Round(100*time.Millisecond))

	ns := federatedNamespace(t, e, "slow-member")
	proxy := slowMember2(t, e)
	proxy.SetDelay(slowDelay)

	start = time.Now()
	if err := createConfigMaps(ctx, e, ns, "rollout", n); err != nil {
		t.Fatal(err)
	}
	limit := 2*healthy + 10*time.Second
	var counts map[string]int
	err := e2eutil.Poll(ctx, limit, func(ctx context.Context) error {
		var err error
		if counts, err = countMembers(ctx, e, ns); err != nil {
			return err
		}
		if counts["member1"] < n {
			return fmt.Errorf("copies %v", counts)
		}
		return nil
	})
	took := time.Since(start)
	waiting := countStatus(t, e, ns, fedtypesv1b1.WaitingForCluster)
	if err != nil {
		t.Errorf("member1 did not get its %d copies within %s (twice the healthy rollout's %s, plus 10 s) while member2 answered %s late: "+
			"copies %v %s after the start: member1 is held back by member2",
			n, limit.Round(100*time.Millisecond), healthy.Round(100*time.Millisecond), slowDelay, counts, took.Round(100*time.Millisecond))
	} else {
		t.Logf("with member2 answering %s late, member1 had all %d copies %s after the start (healthy %s); member2 had %d; %d objects reported member2 %s",
			slowDelay, n, took.Round(100*time.Millisecond), healthy.Round(100*time.Millisecond), counts["member2"], waiting, fedtypesv1b1.WaitingForCluster)
	}

	// Fast again: member2 gets the rest, and every status says so.
	proxy.SetDelay(0)
	fast := time.Now()
	waitAllPropagated(t, e, ns, n, 3*time.Minute)
	t.Logf("once member2 answered normally again, every object was propagated to both members within %s", time.Since(fast).Round(100*time.Millisecond))
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
		counts, err := countMembers(ctx, e, ns)
		if err != nil {
			return err
		}
		if counts[member] < n {
			return fmt.Errorf("%d copies in %s", counts[member], member)
		}
		return nil
	}, "%d copies in %s", n, member)
}

// countStatus returns how many FederatedConfigMaps in ns report status for
// some cluster.
func countStatus(t *testing.T, e *e2eutil.Env, ns string, status fedtypesv1b1.PropagationStatus) int {
	t.Helper()
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMapList"))
	if err := e.Host.List(t.Context(), list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := range list.Items {
		s, err := fedtypesv1b1.GetStatus(&list.Items[i])
		if err != nil || s == nil {
			continue
		}
		for _, c := range s.Clusters {
			if c.Status == status {
				n++
				break
			}
		}
	}
	return n
}
