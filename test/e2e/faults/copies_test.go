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
	"maps"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// "Mid-rollout" means that between midLow and midHigh of the copies a
// rollout makes exist when the fault strikes; a fault is triggered when
// midTrigger of them exist.
const (
	midLow, midTrigger, midHigh = 0.2, 0.5, 0.8
)

// copyCounter counts the managed ConfigMaps of one namespace in every
// member as the members' watches report them, and runs a fault the moment
// their total first reaches a threshold: a fault triggered by polling
// would strike wherever the rollout happened to be between two polls.
type copyCounter struct {
	mu        sync.Mutex
	counts    map[string]int
	threshold int
	fault     func(counts map[string]int)
	fired     chan map[string]int
}

// watchCopies starts counting the managed ConfigMaps of ns in every member
// until the test ends, and waits until the watches have listed what
// exists.
func watchCopies(t *testing.T, e *e2eutil.Env, ns string) *copyCounter {
	t.Helper()
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	t.Cleanup(cancel)
	c := &copyCounter{counts: map[string]int{}}
	selector := labels.Set{fedcorev1b1.ManagedByKubeFedLabelKey: fedcorev1b1.ManagedByKubeFedLabelValue}.String()
	for _, m := range members {
		cs, err := kubernetes.NewForConfig(e.Fed.Cluster(m).Config)
		if err != nil {
			t.Fatal(err)
		}
		lw := &cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				o.LabelSelector = selector
				return cs.CoreV1().ConfigMaps(ns).List(ctx, o)
			},
			WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				o.LabelSelector = selector
				return cs.CoreV1().ConfigMaps(ns).Watch(ctx, o)
			},
		}
		inf := cache.NewSharedIndexInformer(lw, &corev1.ConfigMap{}, 0, cache.Indexers{})
		if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { c.add(m, 1) },
			DeleteFunc: func(any) { c.add(m, -1) },
		}); err != nil {
			t.Fatal(err)
		}
		go inf.RunWithContext(ctx)
		if !cache.WaitForCacheSync(t.Context().Done(), inf.HasSynced) {
			t.Fatalf("watching the ConfigMaps of %s in %s: not synced", ns, m)
		}
	}
	return c
}

// add records a change of member's count and fires the fault when the
// total reaches the threshold for the first time.
func (c *copyCounter) add(member string, d int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[member] += d
	if c.fired == nil || c.fault == nil {
		return
	}
	total := 0
	for _, n := range c.counts {
		total += n
	}
	if total >= c.threshold {
		counts := maps.Clone(c.counts)
		c.fault(counts)
		c.fault = nil
		c.fired <- counts
	}
}

// onTotal makes fault run, in the watch's goroutine and before any further
// copy is counted, the moment the members hold threshold copies in all.
// The returned channel gets the counts at that moment.
func (c *copyCounter) onTotal(threshold int, fault func(counts map[string]int)) <-chan map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.threshold, c.fault, c.fired = threshold, fault, make(chan map[string]int, 1)
	return c.fired
}

// current returns the counts now.
func (c *copyCounter) current() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.counts)
}

// checkMidRollout fails the test unless between midLow and midHigh of
// total copies existed both when the fault was triggered (at) and once it
// had taken effect (after, counted later and so at least as many).
func checkMidRollout(t *testing.T, fault string, at, after map[string]int, total int) {
	t.Helper()
	frac := func(counts map[string]int) float64 {
		sum := 0
		for _, n := range counts {
			sum += n
		}
		return float64(sum) / float64(total)
	}
	lo, hi := frac(at), frac(after)
	t.Logf("%s with %v of %d copies in the members (%.0f%%), %v (%.0f%%) once it had taken effect",
		fault, at, total, 100*lo, after, 100*hi)
	if lo < midLow || hi > midHigh {
		t.Errorf("%s did not strike mid-rollout: %.0f%% of the %d copies existed when it was triggered and %.0f%% once it had taken effect, want between %.0f%% and %.0f%%",
			fault, 100*lo, total, 100*hi, 100*midLow, 100*midHigh)
	}
}

// String prints the counts.
func (c *copyCounter) String() string { return fmt.Sprint(c.current()) }
