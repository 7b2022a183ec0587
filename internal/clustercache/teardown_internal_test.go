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
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	ctrl "sigs.k8s.io/controller-runtime"
)

// startForTeardown starts c with a logger that records its lines, and
// returns the stop function and the recorded lines.
func startForTeardown(t *testing.T, c *ClusterCache) (stop func() error, lines func() string) {
	t.Helper()
	var mu sync.Mutex
	var logged []string
	log := funcr.New(func(prefix, args string) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, args)
	}, funcr.Options{})
	ctx, cancel := context.WithCancel(ctrl.LoggerInto(context.Background(), log))
	t.Cleanup(cancel)
	errCh := make(chan error, 1)
	go func() { errCh <- c.Start(ctx) }()
	<-c.started
	stop = func() error {
		cancel()
		select {
		case err := <-errCh:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("Start did not return 10 s after its context was done")
			return nil
		}
	}
	lines = func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(logged, "\n")
	}
	return stop, lines
}

// TestStartWaitsForTeardowns: Start returns once the connections' teardowns
// are done, not before.
func TestStartWaitsForTeardowns(t *testing.T) {
	t.Parallel()
	c := New(Options{StopTimeout: 5 * time.Second})
	stop, lines := startForTeardown(t, c)
	var done atomic.Bool
	c.teardown("member1", func() {
		time.Sleep(200 * time.Millisecond)
		done.Store(true)
	})
	if err := stop(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if !done.Load() {
		t.Error("Start returned before the teardown of member1 was done")
	}
	if got := lines(); strings.Contains(got, "did not stop") {
		t.Errorf("a teardown that finished in time was reported as stuck:\n%s", got)
	}
}

// TestStartLeavesAHungTeardown: a teardown that never ends (a goroutine
// stuck on a member) holds Start for StopTimeout only, and the log names
// its cluster and no other.
func TestStartLeavesAHungTeardown(t *testing.T) {
	t.Parallel()
	c := New(Options{StopTimeout: 300 * time.Millisecond})
	stop, lines := startForTeardown(t, c)
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	c.teardown("member-stuck", func() { <-hang })
	c.teardown("member-quick", func() {})
	began := time.Now()
	if err := stop(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if waited := time.Since(began); waited < 300*time.Millisecond {
		t.Errorf("Start returned after %v, before its StopTimeout of 300ms", waited)
	}
	got := lines()
	if !strings.Contains(got, "did not stop in time") || !strings.Contains(got, `"clusters"=["member-stuck"]`) {
		t.Errorf("the log does not name the stuck cluster, and it alone:\n%s", got)
	}
}
