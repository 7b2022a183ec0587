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
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// Delays between the attempts of a relister to list federated objects
// after a failed list: relistMinDelay, doubling, at most relistMaxDelay.
const (
	relistMinDelay = time.Second
	relistMaxDelay = time.Minute
)

// relister lists the federated objects of one type for the map functions
// that fan one event out to many objects: a FederatedNamespace change, a
// member connection change, a member watch that started late.
//
// A controller-runtime map function cannot return an error, and the event
// it was given is not delivered again: a map function whose list fails
// would lose the event, and the objects would wait for their next change.
// A coarser request does not help either, since a reconcile.Request names
// one object and the sync reconciler knows no "every object" request. So a
// failed list is tried again in the background, after relistMinDelay
// doubling up to relistMaxDelay, until it succeeds or the controller stops,
// and the requests of the successful list go to the controller's queue (at
// background priority). One retry runs per namespace at a time: a retry
// lists what is there when it runs, which covers every event that asked for
// that namespace meanwhile.
type relister struct {
	host client.Reader
	ftc  *fedcorev1b1.FederatedTypeConfig
	// minDelay and maxDelay bound the delay between attempts.
	minDelay, maxDelay time.Duration

	// ready is closed once q is set, when the controller starts.
	ready chan struct{}
	q     workqueue.TypedRateLimitingInterface[reconcile.Request]

	mu sync.Mutex
	// pending holds the namespaces ("" for all) whose retry runs.
	pending map[string]bool
}

func newRelister(host client.Reader, ftc *fedcorev1b1.FederatedTypeConfig) *relister {
	return &relister{host: host, ftc: ftc, minDelay: relistMinDelay, maxDelay: relistMaxDelay,
		ready: make(chan struct{}), pending: map[string]bool{}}
}

// source returns the source that hands the relister the controller's
// queue; it enqueues nothing itself.
func (l *relister) source() source.TypedSource[reconcile.Request] {
	return source.TypedFunc[reconcile.Request](func(_ context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
		l.q = q
		close(l.ready)
		return nil
	})
}

// list returns a request for every federated object of the type in
// namespace ("" for every namespace).
func (l *relister) list(ctx context.Context, namespace string) ([]reconcile.Request, error) {
	gvk := l.ftc.Spec.FederatedType.GroupVersionKind()
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	// Only the keys are read: no copy of every object.
	opts := []client.ListOption{client.UnsafeDisableDeepCopy}
	if namespace != "" {
		opts = append(opts, client.InNamespace(namespace))
	}
	if err := l.host.List(ctx, list, opts...); err != nil {
		return nil, err
	}
	out := make([]reconcile.Request, 0, len(list.Items))
	for i := range list.Items {
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
	}
	return out, nil
}

// requests returns a request for every federated object of the type in
// namespace ("" for every namespace). When the list fails it returns none,
// and lists again in the background until it succeeds: see relister. why
// says which event asked, for the log.
func (l *relister) requests(ctx context.Context, namespace, why string) []reconcile.Request {
	out, err := l.list(ctx, namespace)
	if err == nil {
		return out
	}
	if ctx.Err() != nil {
		return nil // the controller stops
	}
	ctrl.LoggerFrom(ctx).Error(err, "Could not list federated objects; trying again in the background",
		"type", l.ftc.Name, "namespace", namespace, "after", why)
	l.retry(ctx, namespace)
	return nil
}

// retry lists namespace again until it succeeds or ctx ends, and enqueues
// the result; nothing when a retry of namespace already runs.
func (l *relister) retry(ctx context.Context, namespace string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending[namespace] {
		return
	}
	l.pending[namespace] = true
	go func() {
		defer func() {
			l.mu.Lock()
			delete(l.pending, namespace)
			l.mu.Unlock()
		}()
		select {
		case <-l.ready:
		case <-ctx.Done():
			return
		}
		delay := l.minDelay
		for {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			out, err := l.list(ctx, namespace)
			if err == nil {
				l.enqueue(out)
				return
			}
			delay = min(2*delay, l.maxDelay)
			ctrl.LoggerFrom(ctx).Error(err, "Could still not list federated objects; trying again", "type", l.ftc.Name, "namespace", namespace, "retryIn", delay)
		}
	}()
}

// enqueue adds requests to the controller's queue, at background priority.
func (l *relister) enqueue(reqs []reconcile.Request) {
	if pq, ok := l.q.(priorityqueue.PriorityQueue[reconcile.Request]); ok {
		pq.AddWithOpts(priorityqueue.AddOpts{Priority: ptr.To(handler.LowPriority)}, reqs...)
		return
	}
	for _, r := range reqs {
		l.q.Add(r)
	}
}

// namespaceToFederated maps a FederatedNamespace to every federated object
// of the type in its namespace: their placement depends on it.
func (l *relister) namespaceToFederated(ctx context.Context, obj client.Object) []reconcile.Request {
	return l.requests(ctx, obj.GetNamespace(), "a FederatedNamespace change")
}
