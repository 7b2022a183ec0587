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
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// turnsSlowRun is a reconcile's run over members "slow" and "fast" in which
// the write to "slow" blocks until release is closed; neither member is
// slow when the run starts.
type turnsSlowRun struct {
	r     *Reconciler
	s     *scope
	queue *recordingQueue
	// held receives the federated object the write to "slow" reads.
	held    chan *unstructured.Unstructured
	release chan struct{}
	// fastDone is closed once the write to "fast" returned.
	fastDone chan struct{}
	result   chan memberRun
}

// startTurnsSlowRun starts the run and returns once the write to "fast"
// returned and the write to "slow" blocks, with the federated object that
// write reads.
func startTurnsSlowRun(t *testing.T) (*turnsSlowRun, *unstructured.Unstructured) {
	t.Helper()
	ctx := t.Context()
	r := reconcilerFor(t, "", "ConfigMap")
	r.Members = connectedCache(ctx, t, "slow", "fast")
	x := &turnsSlowRun{r: r, queue: &recordingQueue{added: make(chan reconcile.Request, 10)},
		held: make(chan *unstructured.Unstructured, 1), release: make(chan struct{}),
		fastDone: make(chan struct{}), result: make(chan memberRun, 1)}
	t.Cleanup(func() {
		select {
		case <-x.release:
		default:
			close(x.release)
		}
	})
	if err := r.ops.Start(ctx, x.queue); err != nil {
		t.Fatal(err)
	}
	if got := r.Members.SlowClusters(); got.Len() != 0 {
		t.Fatalf("slow members before the run: %v, want none", sets.List(got))
	}
	x.s = newTestScope(r.fedObject("ns", "web", map[string]any{"template": map[string]any{}}))
	x.s.ready = sets.New("slow", "fast")
	go func() {
		x.result <- r.runMembers(ctx, x.s, []string{"slow", "fast"}, "apply/v1", func(_ context.Context, s *scope, cluster string) memberOutcome {
			if cluster == "fast" {
				defer close(x.fastDone)
				return memberOutcome{version: "fast"}
			}
			x.held <- s.fedObj
			<-x.release
			// Read after the reconcile went on: a shared object would be a
			// data race with the change below (go test -race).
			s.applied("UpdateInCluster", cluster)
			return memberOutcome{version: "slow:" + s.fedObj.GetName()}
		})
	}()
	held := <-x.held
	<-x.fastDone
	return x, held
}

func (x *turnsSlowRun) wait(t *testing.T) memberRun {
	t.Helper()
	return receive(t, x.result, 30*time.Second, "the reconcile did not end")
}

// receive returns what ch yields within d, and fails the test with failure
// when it yields nothing.
func receive[T any](t *testing.T, ch <-chan T, d time.Duration, failure string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatal(failure)
		var zero T
		return zero
	}
}

// TestAWriteInFlightIsDetachedWhenItsMemberTurnsSlow: a write that started
// while its member was not slow is detached as soon as the member is found
// slow, once the other members answered: the reconcile does not wait for
// it, reports the member WaitingForCluster, goes on with its own copy of
// the federated object, and the write's outcome is taken by the next
// reconcile.
func TestAWriteInFlightIsDetachedWhenItsMemberTurnsSlow(t *testing.T) {
	x, held := startTurnsSlowRun(t)
	// The writes of other objects find member "slow" slow meanwhile.
	for range 5 {
		x.r.dispatched("slow", "update", 2*time.Second, nil)
		x.r.dispatched("fast", "update", 20*time.Millisecond, nil)
	}

	run := x.wait(t)
	if queued, ok := run.pending["slow"]; !ok || queued {
		t.Fatalf("pending = %v, outcomes = %v: the write to slow, still blocked, must be detached (pending, not queued)", run.pending, run.outcomes)
	}
	if out, ok := run.outcomes["fast"]; !ok || out.version != "fast" {
		t.Errorf("outcomes = %v, want fast's outcome", run.outcomes)
	}
	if x.s.fedObj == held {
		t.Fatal("the reconcile goes on with the object the detached write reads; it must take a copy")
	}
	// The status write changes the reconcile's object while the detached
	// write still reads its own.
	x.s.fedObj.SetLabels(map[string]string{"changed": "after-detach"})
	close(x.release)

	got := receive(t, x.queue.added, 10*time.Second, "the detached write did not enqueue its object when it completed")
	if got.NamespacedName != (types.NamespacedName{Namespace: "ns", Name: "web"}) {
		t.Fatalf("enqueued %v, want ns/web", got)
	}
	k := memberOpKey{object: types.NamespacedName{Namespace: "ns", Name: "web"}, cluster: "slow"}
	state, out := x.r.ops.claim(k, "apply/v1")
	if state != claimDone || out.version != "slow:web" || len(out.applied) != 1 || out.applied[0] != "UpdateInCluster" {
		t.Fatalf("the next reconcile's claim = %v %+v, want done with the write's outcome and its event", state, out)
	}
}

// TestAWriteInFlightIsAwaitedWhileItsMemberIsNotSlow is the same run with
// no slow verdict: the reconcile waits for the write and takes its
// outcome, and nothing is left to claim.
func TestAWriteInFlightIsAwaitedWhileItsMemberIsNotSlow(t *testing.T) {
	x, held := startTurnsSlowRun(t)
	close(x.release)

	run := x.wait(t)
	if len(run.pending) != 0 {
		t.Fatalf("pending = %v: a member that is not slow must be waited for", run.pending)
	}
	if out := run.outcomes["slow"]; out.version != "slow:web" || len(out.applied) != 1 {
		t.Errorf("outcome of slow = %+v, want its version and its write's event", out)
	}
	if x.s.fedObj != held {
		t.Error("the reconcile copied the federated object although no write was detached")
	}
	k := memberOpKey{object: types.NamespacedName{Namespace: "ns", Name: "web"}, cluster: "slow"}
	if state, _ := x.r.ops.claim(k, "apply/v1"); state != claimNone {
		t.Fatalf("claim after an awaited write = %v, want none", state)
	}
}

// countingMembers counts the operations in flight per member.
type countingMembers struct {
	Members
	mu       sync.Mutex
	inFlight map[string]int
}

func (m *countingMembers) OperationStarted(cluster string) func() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inFlight[cluster]++
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.inFlight[cluster]--
	}
}

func (m *countingMembers) count(cluster string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.inFlight[cluster]
}

// TestAMemberOperationIsInFlightUntilItEnds: a reconcile's operation on a
// member counts as in flight there from its start to its end, reads
// included, so that operations stuck on a member make it slow before any
// write to it is measured.
func TestAMemberOperationIsInFlightUntilItEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	r := reconcilerFor(t, "", "ConfigMap")
	counting := &countingMembers{Members: connectedCache(ctx, t, "stuck", "fast"), inFlight: map[string]int{}}
	r.Members = counting
	s := newTestScope(r.fedObject("ns", "web", nil))
	s.ready = sets.New("stuck", "fast")
	entered, release := make(chan struct{}), make(chan struct{})
	done := make(chan memberRun, 1)
	go func() {
		done <- r.runMembers(ctx, s, []string{"stuck", "fast"}, "apply/v1", func(_ context.Context, _ *scope, cluster string) memberOutcome {
			if cluster == "stuck" {
				close(entered)
				<-release
			}
			return memberOutcome{version: cluster}
		})
	}()
	<-entered
	if got := counting.count("stuck"); got != 1 {
		t.Errorf("operations in flight on stuck while its operation runs: %d, want 1", got)
	}
	close(release)
	<-done
	if got, fast := counting.count("stuck"), counting.count("fast"); got != 0 || fast != 0 {
		t.Errorf("operations in flight after the run: stuck %d, fast %d, want none", got, fast)
	}
}
