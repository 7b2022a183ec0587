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
	"maps"
	"time"

	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Work item priorities of a sync controller's queue. A user's edit of an
// existing federated object goes ahead of everything else, so that it
// reaches the members in milliseconds even while a bulk rollout is queued;
// new objects and member drift come next; the echoes of kubefed's own
// writes (status, finalizer), the initial list after a start and the
// re-examination of every object after a member connection change come
// last. Every item is still reconciled: a priority only orders the queue.
const (
	// PriorityUserEdit is the priority of a change to a federated object's
	// spec (its generation), labels or annotations, and of its deletion.
	PriorityUserEdit = 100
	// PriorityDefault is the priority of new objects, member events and
	// anything else not named here.
	PriorityDefault = 0
	// PriorityBackground is the priority of status-only updates, the
	// initial list and connection-change sweeps.
	PriorityBackground = handler.LowPriority
)

// FederatedObjectHandler enqueues federated objects with the priorities
// above. With a queue that has no priorities it behaves like
// handler.EnqueueRequestForObject.
func FederatedObjectHandler() handler.TypedEventHandler[client.Object, reconcile.Request] {
	return handler.TypedFuncs[client.Object, reconcile.Request]{
		CreateFunc: func(_ context.Context, e event.TypedCreateEvent[client.Object], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			p := PriorityDefault
			if e.IsInInitialList {
				p = PriorityBackground
			}
			enqueue(q, requestFor(e.Object), p, 0)
		},
		UpdateFunc: func(_ context.Context, e event.TypedUpdateEvent[client.Object], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			p := UpdatePriority(e.ObjectOld, e.ObjectNew)
			var after time.Duration
			if p == PriorityBackground && e.ObjectOld.GetResourceVersion() != e.ObjectNew.GetResourceVersion() {
				// The echo of a status or finalizer write (kubefed's own,
				// as a rule): nothing to act on at once. Handled with the
				// members' status changes of the same second, so that a
				// status write does not trigger the next one straight away.
				after = StatusCoalesceDelay
			}
			enqueue(q, requestFor(e.ObjectNew), p, after)
		},
		DeleteFunc: func(_ context.Context, e event.TypedDeleteEvent[client.Object], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(q, requestFor(e.Object), PriorityUserEdit, 0)
		},
		GenericFunc: func(_ context.Context, e event.TypedGenericEvent[client.Object], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(q, requestFor(e.Object), PriorityDefault, 0)
		},
	}
}

// UpdatePriority classifies an update of a federated object: what a user
// changes (spec, labels, annotations, deletion) is urgent; what only
// kubefed changes (status, finalizers) or a resync (same resourceVersion)
// is background work.
func UpdatePriority(oldObj, newObj client.Object) int {
	switch {
	case oldObj.GetResourceVersion() == newObj.GetResourceVersion():
		return PriorityBackground
	case oldObj.GetGeneration() != newObj.GetGeneration(),
		oldObj.GetDeletionTimestamp().IsZero() != newObj.GetDeletionTimestamp().IsZero(),
		!maps.Equal(oldObj.GetLabels(), newObj.GetLabels()),
		!maps.Equal(oldObj.GetAnnotations(), newObj.GetAnnotations()):
		return PriorityUserEdit
	default:
		return PriorityBackground
	}
}

func requestFor(obj client.Object) reconcile.Request {
	return reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj)}
}

// enqueue adds an item with a priority when the queue has priorities, and
// plainly otherwise.
func enqueue(q workqueue.TypedRateLimitingInterface[reconcile.Request], item reconcile.Request, priority int, after time.Duration) {
	if pq, ok := q.(priorityqueue.PriorityQueue[reconcile.Request]); ok {
		pq.AddWithOpts(priorityqueue.AddOpts{Priority: &priority, After: after}, item)
		return
	}
	if after > 0 {
		q.AddAfter(item, after)
		return
	}
	q.Add(item)
}
