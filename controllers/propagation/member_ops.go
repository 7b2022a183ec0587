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
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/kubefed/kubefed/internal/clustercache"
)

// A reconcile writes to its clusters in parallel and, as a rule, waits for
// every answer: the status and the version record are then written once,
// with every cluster's outcome. A member that answers much more slowly than
// the others would make that wait hold the worker, and so slow down the
// copies of every other object in the healthy members. Writes to such a
// member are detached instead: the reconcile stops waiting once the other
// clusters have answered, reports the slow cluster as WaitingForCluster,
// and the write goes on in the background; when it completes, the object
// is reconciled again and picks up its outcome.
//
// Whether a member is slow is the member's own property, shared by every
// type: each write's latency goes to Members.ObserveWrite, each operation
// on a member is in flight there while it runs (Members.OperationStarted),
// and the verdict comes from Members.SlowClusters (the clustercache keeps
// the mean and the operations in flight once per member connection): a
// member with operations stuck in flight is slow before any write to it is
// measured. What is detached, and the backlog of objects waiting
// for a slot, stay per type: they are this controller's work.

// maxDetached bounds the writes started detached per member (and type);
// further objects wait in a backlog, released as the running writes
// complete (one per completion; all of it when none runs any more). Writes
// detached while in flight, when their member turns slow, are not refused
// (they already run) and count on top: at most one per worker.
const maxDetached = 64

// memberOpKey names the member operation of one object in one cluster.
type memberOpKey struct {
	object  types.NamespacedName
	cluster string
}

// memberOutcome is what one member operation yields.
type memberOutcome struct {
	// res is the cluster's result; nil when there was nothing to do.
	res *clusterResult
	// version is the member version to record ("" to record none).
	version string
	// applied lists the event reasons of the writes made.
	applied []string
	// requeue, when not 0, asks for another reconcile within it.
	requeue time.Duration
}

// memberOp is one member operation that may outlive the reconcile that
// started it.
type memberOp struct {
	// inputs identifies what the operation was computed from (see
	// scope.inputs); the outcome of a detached operation is used only by a
	// reconcile of the same inputs.
	inputs string
	// done is closed once out is set.
	done chan struct{}
	out  memberOutcome
	// notify, when not nil, is sent the operation's key once it finished;
	// it has room for every operation that sends to it.
	notify chan<- memberOpKey

	// detached and finished are guarded by memberOps.mu.
	detached, finished bool
}

// memberOps owns the detached member operations of one type and the
// backlog of objects waiting for a slot. Its zero value is ready to use;
// every method is safe for concurrent use.
type memberOps struct {
	mu sync.Mutex
	// ops are the operations of reconciles that may stop waiting for them:
	// running, or finished and detached but not yet collected.
	ops map[memberOpKey]*memberOp
	// detached counts the running detached operations per cluster.
	detached map[string]int
	// backlog holds, per cluster, the objects waiting for a detached slot,
	// in order, and waiting the same as a set.
	backlog map[string][]types.NamespacedName
	waiting map[string]sets.Set[types.NamespacedName]
	// queue is the controller's work queue, once it started.
	queue workqueue.TypedRateLimitingInterface[reconcile.Request]
}

// Start records the controller's work queue: detached operations enqueue
// their object there when they complete. It implements source.Func.
func (m *memberOps) Start(_ context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.queue = q
	return nil
}

// claimState is what claim found for an object's cluster.
type claimState int

const (
	// claimNone: no operation; the caller may start one.
	claimNone claimState = iota
	// claimBusy: a detached operation is still running.
	claimBusy
	// claimQueued: the object waits in the cluster's backlog.
	claimQueued
	// claimDone: a detached operation of the same inputs finished; its
	// outcome is returned and forgotten.
	claimDone
)

// claim looks for a detached operation of the object in cluster. A
// finished one is collected: with the same inputs its outcome is returned,
// with other inputs (the object changed meanwhile) it is dropped and the
// caller starts afresh.
func (m *memberOps) claim(k memberOpKey, inputs string) (claimState, memberOutcome) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.waiting[k.cluster].Has(k.object) {
		return claimQueued, memberOutcome{}
	}
	op, ok := m.ops[k]
	switch {
	case !ok || !op.detached:
		// Not detached: a concurrent reconcile of the same object cannot
		// be (the work queue runs one per object), so this is a leftover
		// of a reconcile that is collecting it.
		return claimNone, memberOutcome{}
	case !op.finished:
		return claimBusy, memberOutcome{}
	}
	delete(m.ops, k)
	if op.inputs != inputs {
		return claimNone, memberOutcome{}
	}
	return claimDone, op.out
}

// start runs fn in a new goroutine as a detachable operation of the object
// in cluster. Once it finished, its key is sent on notify (when not nil),
// which must have room for it.
func (m *memberOps) start(k memberOpKey, inputs string, notify chan<- memberOpKey, fn func() memberOutcome) *memberOp {
	op := &memberOp{inputs: inputs, done: make(chan struct{}), notify: notify}
	m.mu.Lock()
	if m.ops == nil {
		m.ops = map[memberOpKey]*memberOp{}
	}
	m.ops[k] = op
	m.mu.Unlock()
	go func() {
		out := fn()
		m.finish(k, op, out)
	}()
	return op
}

// finish records an operation's outcome. A detached one frees its slot,
// and its object and the next object of the cluster's backlog (all of it
// when no detached operation runs there any more) are reconciled again.
func (m *memberOps) finish(k memberOpKey, op *memberOp, out memberOutcome) {
	m.mu.Lock()
	op.out = out
	op.finished = true
	close(op.done)
	var wake []types.NamespacedName
	if op.detached {
		m.detached[k.cluster]--
		wake = append(wake, k.object)
		// One object of the backlog per completion, and the whole backlog
		// once nothing runs there any more: a released object does not
		// always take its slot (its reconcile may find the member fast
		// again, or another object took the slot first), and with nothing
		// left in flight no completion would release the rest. Objects
		// that still find the member slow wait again. (Releasing one per
		// free slot instead floods the queue with objects that mostly
		// wait again, and slows the other members' rollout.)
		release := 1
		if m.detached[k.cluster] == 0 {
			release = len(m.backlog[k.cluster])
		}
		for range release {
			next, ok := m.popBacklog(k.cluster)
			if !ok {
				break
			}
			wake = append(wake, next)
		}
	}
	q := m.queue
	m.mu.Unlock()
	if op.notify != nil {
		op.notify <- k
	}
	if q != nil {
		for _, obj := range wake {
			q.Add(reconcile.Request{NamespacedName: obj})
		}
	}
}

// popBacklog removes the first object of the cluster's backlog. Called
// with mu held.
func (m *memberOps) popBacklog(cluster string) (types.NamespacedName, bool) {
	list := m.backlog[cluster]
	if len(list) == 0 {
		return types.NamespacedName{}, false
	}
	next := list[0]
	m.backlog[cluster] = list[1:]
	if len(m.backlog[cluster]) == 0 {
		delete(m.backlog, cluster)
	}
	m.waiting[cluster].Delete(next)
	return next, true
}

// full reports whether cluster has no free detached slot; when it has
// none, obj joins its backlog (it is reconciled again when a slot frees).
func (m *memberOps) full(cluster string, obj types.NamespacedName) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.detached[cluster] < maxDetached {
		return false
	}
	if m.waiting == nil {
		m.waiting = map[string]sets.Set[types.NamespacedName]{}
		m.backlog = map[string][]types.NamespacedName{}
	}
	if m.waiting[cluster] == nil {
		m.waiting[cluster] = sets.New[types.NamespacedName]()
	}
	if !m.waiting[cluster].Has(obj) {
		m.waiting[cluster].Insert(obj)
		m.backlog[cluster] = append(m.backlog[cluster], obj)
	}
	return true
}

// collect ends the reconcile's wait for op: a finished operation's outcome
// is returned (ok); a running one is detached and goes on in the
// background.
func (m *memberOps) collect(k memberOpKey, op *memberOp) (memberOutcome, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if op.finished {
		if m.ops[k] == op {
			delete(m.ops, k)
		}
		return op.out, true
	}
	op.detached = true
	if m.detached == nil {
		m.detached = map[string]int{}
	}
	m.detached[k.cluster]++
	return memberOutcome{}, false
}

// waitingMessage says why a cluster's outcome is not known yet; mean is
// the cluster's mean write latency, 0 when no write there completed yet
// (it was found slow by operations stuck in flight).
func waitingMessage(cluster string, mean time.Duration, queued bool) string {
	why := fmt.Sprintf("%s per write on average", mean.Round(time.Millisecond))
	if mean == 0 {
		why = fmt.Sprintf("no write there has completed yet, and its requests have been in flight for %s and more", clustercache.StuckAge)
	}
	if queued {
		return fmt.Sprintf("cluster %s answers slowly (%s): this object waits for one of the %d writes in flight there; its status follows when it is written", cluster, why, maxDetached)
	}
	return fmt.Sprintf("cluster %s answers slowly (%s): the write is in flight; its status follows when it completes", cluster, why)
}
