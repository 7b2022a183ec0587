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
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// TestRelisterKeepsTheEventOfAFailedList: a map function whose list of
// federated objects fails returns nothing (it cannot return an error), and
// the objects it should have enqueued still reach the controller's queue
// once a later list succeeds, instead of waiting for their next change.
func TestRelisterKeepsTheEventOfAFailedList(t *testing.T) {
	ftc := typeConfig(t, "", "ConfigMap")
	var failures atomic.Int32
	failures.Store(3)
	var lists atomic.Int32
	host := fake.NewClientBuilder().WithScheme(runtime.NewScheme()).
		WithObjects(relistedObjects(ftc)...).
		WithInterceptorFuncs(interceptor.Funcs{List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			lists.Add(1)
			if failures.Add(-1) >= 0 {
				return errors.New("the cache is not started")
			}
			return c.List(ctx, list, opts...)
		}}).Build()

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	l, q := startRelister(ctx, t, host, ftc, 10*time.Millisecond, 40*time.Millisecond)

	fedNS := federatedNamespace("team-a")
	// Two events while the list fails: one retry serves both.
	for range 2 {
		if got := l.namespaceToFederated(ctx, fedNS); len(got) != 0 {
			t.Fatalf("requests of a failed list = %v, want none", got)
		}
	}

	got := queued(t, q, 2, 10*time.Second, "after the list recovered")
	if want := []string{"team-a/one", "team-a/two"}; !slices.Equal(got, want) {
		t.Errorf("queued requests = %v, want %v", got, want)
	}
	// Two failed lists of the events and one failed retry, then the
	// retry that succeeded: the second event started no retry of its own.
	if n := lists.Load(); n != 4 {
		t.Errorf("lists = %d, want 4 (the events' own, one failed retry, one that succeeded)", n)
	}
}

// TestRelisterStopsWithTheController: a retry that never succeeds ends
// when the controller's context ends.
func TestRelisterStopsWithTheController(t *testing.T) {
	ftc := typeConfig(t, "", "ConfigMap")
	var lists atomic.Int32
	host := fake.NewClientBuilder().WithScheme(runtime.NewScheme()).
		WithInterceptorFuncs(interceptor.Funcs{List: func(context.Context, client.WithWatch, client.ObjectList, ...client.ListOption) error {
			lists.Add(1)
			return errors.New("the cache is not started")
		}}).Build()
	ctx, cancel := context.WithCancel(t.Context())
	l, _ := startRelister(ctx, t, host, ftc, time.Millisecond, time.Millisecond)
	l.requests(ctx, "", "a test")
	deadline := time.Now().Add(10 * time.Second)
	for lists.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("the list was not retried: %d lists", lists.Load())
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	deadline = time.Now().Add(10 * time.Second)
	for {
		l.mu.Lock()
		running := l.pending[""]
		l.mu.Unlock()
		if !running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the retry still runs after the controller stopped")
		}
		time.Sleep(time.Millisecond)
	}
}

// queued takes n requests from q, waiting at most timeout, and returns
// them sorted; it fails the test when fewer arrive. when says what they
// follow, for the failure message.
func queued(t *testing.T, q workqueue.TypedRateLimitingInterface[reconcile.Request], n int, timeout time.Duration, when string) []string {
	t.Helper()
	var got []string
	deadline := time.Now().Add(timeout)
	for len(got) < n {
		if time.Now().After(deadline) {
			t.Fatalf("queued requests = %v %s %s, want %d", got, timeout, when, n)
		}
		if q.Len() == 0 {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		req, _ := q.Get()
		got = append(got, req.String())
		q.Done(req)
	}
	slices.Sort(got)
	return got
}

func TestNamespaceToFederated(t *testing.T) {
	ftc := typeConfig(t, "", "ConfigMap")
	host := fake.NewClientBuilder().WithScheme(runtime.NewScheme()).
		WithObjects(relistedObjects(ftc)...).Build()

	fedNS := federatedNamespace("team-a")

	got := newRelister(host, ftc).namespaceToFederated(context.Background(), fedNS)
	names := make([]string, 0, len(got))
	for _, req := range got {
		names = append(names, req.String())
	}
	slices.Sort(names)
	if want := []string{"team-a/one", "team-a/two"}; !slices.Equal(names, want) {
		t.Errorf("requests = %v, want %v", names, want)
	}
}

// startRelister returns a relister of host retrying after minDelay,
// doubling up to maxDelay, started with a queue of its own, shut down when
// the test ends.
func startRelister(ctx context.Context, t *testing.T, host client.Reader, ftc *fedcorev1b1.FederatedTypeConfig, minDelay, maxDelay time.Duration) (*relister, workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	t.Helper()
	l := newRelister(host, ftc)
	l.minDelay, l.maxDelay = minDelay, maxDelay
	q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
	t.Cleanup(q.ShutDown)
	if err := l.source().Start(ctx, q); err != nil {
		t.Fatal(err)
	}
	return l, q
}

// relistedObjects returns the federated objects of ftc's type the relister
// tests list: team-a/one, team-a/two and team-b/three.
func relistedObjects(ftc *fedcorev1b1.FederatedTypeConfig) []client.Object {
	var out []client.Object
	for _, key := range []client.ObjectKey{{Namespace: "team-a", Name: "one"}, {Namespace: "team-a", Name: "two"}, {Namespace: "team-b", Name: "three"}} {
		u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"template": map[string]any{}}}}
		u.SetGroupVersionKind(ftc.Spec.FederatedType.GroupVersionKind())
		u.SetNamespace(key.Namespace)
		u.SetName(key.Name)
		out = append(out, u)
	}
	return out
}

// federatedNamespace returns the FederatedNamespace of namespace ns.
func federatedNamespace(ns string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
	u.SetNamespace(ns)
	u.SetName(ns)
	return u
}
