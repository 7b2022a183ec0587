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
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// recordingQueue records what is added to it.
type recordingQueue struct {
	workqueue.TypedRateLimitingInterface[reconcile.Request]
	added chan reconcile.Request
}

func (q *recordingQueue) Add(r reconcile.Request) { q.added <- r }

func TestDetachedOperation(t *testing.T) {
	var m memberOps
	q := &recordingQueue{added: make(chan reconcile.Request, 10)}
	if err := m.Start(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	obj := types.NamespacedName{Namespace: "ns", Name: "a"}
	k := memberOpKey{object: obj, cluster: "slow"}

	release := make(chan struct{})
	op := m.start(k, "v1", nil, func() memberOutcome {
		<-release
		return memberOutcome{res: &clusterResult{}, version: "gen:1", applied: []string{"CreateInCluster"}}
	})
	if _, ok := m.collect(k, op); ok {
		t.Fatal("collect returned an outcome for an operation still running")
	}
	if state, _ := m.claim(k, "v1"); state != claimBusy {
		t.Fatalf("claim of a running detached operation = %v, want busy", state)
	}

	close(release)
	select {
	case got := <-q.added:
		if got.NamespacedName != obj {
			t.Fatalf("enqueued %v, want %v", got, obj)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the finished detached operation did not enqueue its object")
	}
	state, out := m.claim(k, "v1")
	if state != claimDone || out.version != "gen:1" || len(out.applied) != 1 {
		t.Fatalf("claim after completion = %v %+v, want done with the outcome", state, out)
	}
	if state, _ := m.claim(k, "v1"); state != claimNone {
		t.Fatalf("a collected outcome was returned twice (%v)", state)
	}
}

func TestDetachedOutcomeOfOtherInputsIsDropped(t *testing.T) {
	var m memberOps
	k := memberOpKey{object: types.NamespacedName{Name: "a"}, cluster: "slow"}
	release := make(chan struct{})
	op := m.start(k, "gen1", nil, func() memberOutcome { <-release; return memberOutcome{version: "gen:1"} })
	if _, ok := m.collect(k, op); ok {
		t.Fatal("collect returned an outcome for an operation still running")
	}
	close(release)
	<-op.done
	if state, _ := m.claim(k, "gen2"); state != claimNone {
		t.Fatalf("claim with new inputs = %v, want none (start afresh)", state)
	}
}

func TestCollectOfAFinishedOperation(t *testing.T) {
	var m memberOps
	k := memberOpKey{object: types.NamespacedName{Name: "a"}, cluster: "c"}
	op := m.start(k, "v", nil, func() memberOutcome { return memberOutcome{version: "rv:3"} })
	<-op.done
	out, ok := m.collect(k, op)
	if !ok || out.version != "rv:3" {
		t.Fatalf("collect = %+v %v, want the outcome", out, ok)
	}
	if state, _ := m.claim(k, "v"); state != claimNone {
		t.Fatalf("claim after collect = %v, want none", state)
	}
}

// fillSlots starts maxDetached detached operations (objects o0, o1, ...)
// on cluster "slow" that run until release is closed.
func fillSlots(t *testing.T, m *memberOps, release <-chan struct{}) []*memberOp {
	t.Helper()
	var ops []*memberOp
	for i := range maxDetached {
		obj := types.NamespacedName{Name: fmt.Sprintf("o%d", i)}
		if m.full("slow", obj) {
			t.Fatalf("cluster full after %d detached operations, want %d slots", i, maxDetached)
		}
		k := memberOpKey{object: obj, cluster: "slow"}
		op := m.start(k, "v", nil, func() memberOutcome { <-release; return memberOutcome{} })
		if _, ok := m.collect(k, op); ok {
			t.Fatal("collect returned an outcome for an operation still running")
		}
		ops = append(ops, op)
	}
	return ops
}

// fullCluster returns memberOps whose cluster "slow" has every detached
// slot taken by an operation that runs until release is closed (ops), and
// the queue, of queueLen places, that its completions go to.
func fullCluster(t *testing.T, queueLen int) (*memberOps, *recordingQueue, chan struct{}, []*memberOp) {
	t.Helper()
	m := &memberOps{}
	q := &recordingQueue{added: make(chan reconcile.Request, queueLen)}
	_ = m.Start(context.Background(), q)
	release := make(chan struct{})
	return m, q, release, fillSlots(t, m, release)
}

func TestBacklogReleasesOneObjectPerCompletion(t *testing.T) {
	m, q, release, ops := fullCluster(t, 2*maxDetached)
	waiting := types.NamespacedName{Name: "waiting"}
	if !m.full("slow", waiting) {
		t.Fatalf("cluster not full with %d detached operations", maxDetached)
	}
	if !m.full("slow", waiting) {
		t.Fatal("cluster not full on the second try")
	}
	if state, _ := m.claim(memberOpKey{object: waiting, cluster: "slow"}, "v"); state != claimQueued {
		t.Fatalf("claim of a queued object = %v, want queued", state)
	}
	if m.full("other", waiting) {
		t.Fatal("the backlog of one cluster blocks another")
	}

	close(release)
	for _, op := range ops {
		<-op.done
	}
	seen := map[string]int{}
	for range maxDetached + 1 {
		select {
		case r := <-q.added:
			seen[r.Name]++
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d objects enqueued, want %d (the finished ones and the one waiting)", len(seen), maxDetached+1)
		}
	}
	if seen["waiting"] != 1 {
		t.Errorf("the waiting object was enqueued %d times, want once (it was added to the backlog twice)", seen["waiting"])
	}
	if state, _ := m.claim(memberOpKey{object: waiting, cluster: "slow"}, "v"); state != claimNone {
		t.Errorf("claim of the released object = %v, want none", state)
	}
	if m.full("slow", waiting) {
		t.Error("cluster still full once every detached operation finished")
	}
}

func TestWaitingForClusterIsNotRetriedOnATimer(t *testing.T) {
	s := newTestScope(nil)
	s.setResult("slow", fedtypesv1b1.WaitingForCluster, "", nil)
	if s.retryable() {
		t.Error("WaitingForCluster is retried on a timer; the detached write's completion enqueues the object")
	}
}

// A backlog longer than the free slots, and released objects that do not
// take their slot (the member is fast again): the last completion releases
// everything left, so that no object waits for a completion that never
// comes.
func TestBacklogIsReleasedWhenNothingRuns(t *testing.T) {
	m, q, release, ops := fullCluster(t, 4*maxDetached)
	const waiting = 2*maxDetached + 5
	for i := range waiting {
		if !m.full("slow", types.NamespacedName{Name: fmt.Sprintf("w%d", i)}) {
			t.Fatal("cluster not full")
		}
	}
	close(release)
	for _, op := range ops {
		<-op.done
	}
	// Nobody took a released slot: every waiting object must have been
	// enqueued, with the finished ones.
	seen := map[string]bool{}
	deadline := time.After(10 * time.Second)
	for len(seen) < maxDetached+waiting {
		select {
		case r := <-q.added:
			seen[r.Name] = true
		case <-deadline:
			t.Fatalf("%d objects enqueued, want %d (the finished ones and every waiting one)", len(seen), maxDetached+waiting)
		}
	}
	for i := range waiting {
		obj := types.NamespacedName{Name: fmt.Sprintf("w%d", i)}
		if state, _ := m.claim(memberOpKey{object: obj, cluster: "slow"}, "v"); state != claimNone {
			t.Fatalf("%s still queued after the last completion", obj.Name)
		}
	}
}

// TestPostponedWritesGetNoEvent: a write to a cluster the status reported
// WaitingForCluster (a slow member's backlog released later, or a detached
// write collected by a later reconcile, once the status reports the
// generation) is part of the work the user's change asked for; a write to
// another cluster in the same reconcile (drift undone) still gets its
// event.
func TestPostponedWritesGetNoEvent(t *testing.T) {
	for _, tc := range []struct {
		name string
		done []string
		want string
	}{
		{"only the postponed write", []string{"member1"}, ""},
		{"with drift undone elsewhere", []string{"member1", "member2"}, "Normal CreateInCluster ConfigMap created in cluster member2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := reconcilerFor(t, "", "ConfigMap")
			rec := events.NewFakeRecorder(10)
			r.Recorder = rec
			fedObj := r.fedObject("ns", "web", nil)
			fedObj.SetGeneration(2)
			s := newTestScope(fedObj)
			s.oldStatus = &fedtypesv1b1.GenericFederatedStatus{ObservedGeneration: 2, Clusters: []fedtypesv1b1.GenericClusterStatus{
				{Name: "member1", Status: fedtypesv1b1.WaitingForCluster},
				{Name: "member2", Status: fedtypesv1b1.ClusterPropagationOK},
			}}
			for _, c := range tc.done {
				s.applied("CreateInCluster", c)
			}
			r.recordEvents(s)
			var got string
			select {
			case got = <-rec.Events:
			default:
			}
			if got != tc.want {
				t.Errorf("event %q, want %q", got, tc.want)
			}
		})
	}
}

// TestWaitingMessageOfAMemberStuckBeforeItsFirstWrite: a member found slow
// by writes stuck in flight, before any of its writes completed, is not
// said to take 0s per write.
func TestWaitingMessageOfAMemberStuckBeforeItsFirstWrite(t *testing.T) {
	want := "cluster m answers slowly (no write there has completed yet, and its requests have been in flight for 5s and more): the write is in flight; its status follows when it completes"
	if got := waitingMessage("m", 0, false); got != want {
		t.Errorf("waitingMessage = %q, want %q", got, want)
	}
}
