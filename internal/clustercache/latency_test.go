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
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/sets"
)

// connectedTo returns a cache holding a connection, without a network
// behind it, to each named member: enough to measure writes.
func connectedTo(names ...string) *ClusterCache {
	c := New(Options{})
	for _, name := range names {
		c.conns[name] = &connection{name: name}
	}
	return c
}

// slowList returns SlowClusters as a sorted string, for messages.
func slowList(c *ClusterCache) string { return fmt.Sprint(sets.List(c.SlowClusters())) }

func TestSlowClusters(t *testing.T) {
	for _, tc := range []struct {
		name    string
		latency map[string]time.Duration
		want    []string
	}{
		{"no samples", nil, nil},
		{"a single cluster is never slow", map[string]time.Duration{"a": 5 * time.Second}, nil},
		{"all equally slow", map[string]time.Duration{"a": 2 * time.Second, "b": 2 * time.Second}, nil},
		{"slower but under the floor", map[string]time.Duration{"a": 10 * time.Millisecond, "b": 400 * time.Millisecond}, nil},
		{"over the floor but not 4x", map[string]time.Duration{"a": 300 * time.Millisecond, "b": 900 * time.Millisecond}, nil},
		{"one slow among fast", map[string]time.Duration{"a": 20 * time.Millisecond, "b": 30 * time.Millisecond, "c": 800 * time.Millisecond}, []string{"c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connectedTo("a", "b", "c")
			for name, d := range tc.latency {
				for range slowMinSamples {
					c.ObserveWrite(name, d)
				}
			}
			if got, want := slowList(c), fmt.Sprint(sets.List(sets.New(tc.want...))); got != want {
				t.Errorf("SlowClusters() = %v, want %v", got, want)
			}
		})
	}
}

func TestLatencyIsAMovingAverage(t *testing.T) {
	c := connectedTo("a", "b")
	for range 20 {
		c.ObserveWrite("a", time.Second)
		c.ObserveWrite("b", 10*time.Millisecond)
	}
	if got := slowList(c); got != "[a]" {
		t.Fatalf("SlowClusters() = %v after 20 writes of 1s to a and 10ms to b, want [a]", got)
	}
	for range 10 {
		c.ObserveWrite("a", 10*time.Millisecond)
	}
	if got := c.SlowClusters(); got.Len() != 0 {
		t.Errorf("after 10 fast writes, a's mean is %s and SlowClusters() = %v: a member that recovers must stop counting as slow",
			c.WriteLatency("a"), sets.List(got))
	}
}

func TestASlowMemberNeedsSeveralSlowWrites(t *testing.T) {
	t.Run("first write", func(t *testing.T) {
		// The first write to a member also connects to it.
		c := connectedTo("a", "b")
		c.ObserveWrite("a", 2*time.Second)
		for range 20 {
			c.ObserveWrite("b", 20*time.Millisecond)
		}
		if got := c.SlowClusters(); got.Len() != 0 {
			t.Errorf("SlowClusters() = %v after a single write to a: a member needs %d measured writes to count as slow", sets.List(got), slowMinSamples)
		}
	})
	t.Run("one slow write under load", func(t *testing.T) {
		c := connectedTo("a", "b")
		for range 20 {
			c.ObserveWrite("a", 200*time.Millisecond)
			c.ObserveWrite("b", 100*time.Millisecond)
		}
		c.ObserveWrite("a", 2500*time.Millisecond)
		if got := c.SlowClusters(); got.Len() != 0 {
			t.Errorf("SlowClusters() = %v after one write of 2.5s among writes of 200ms to a (mean %s): one slow write must not make a member slow",
				sets.List(got), c.WriteLatency("a"))
		}
		// Slow for good: a few writes later it counts as slow.
		for range 3 {
			c.ObserveWrite("a", 2500*time.Millisecond)
		}
		if got := slowList(c); got != "[a]" {
			t.Errorf("SlowClusters() = %v after 4 writes of 2.5s to a (mean %s), want [a]", got, c.WriteLatency("a"))
		}
	})
}

// TestLatencyBelongsToTheConnection: the mean is the member connection's,
// so a member that is connected anew starts afresh, and writes to a member
// that is not connected are not measured.
func TestLatencyBelongsToTheConnection(t *testing.T) {
	c := connectedTo("a", "b")
	for range 10 {
		c.ObserveWrite("a", 2*time.Second)
		c.ObserveWrite("b", 20*time.Millisecond)
	}
	if got := slowList(c); got != "[a]" {
		t.Fatalf("SlowClusters() = %v, want [a]", got)
	}
	if got := c.WriteLatency("a"); got != 2*time.Second {
		t.Errorf("WriteLatency(a) = %s after writes of 2s only, want 2s", got)
	}

	// The member is connected anew (it came back, or its token rotated).
	c.conns["a"] = &connection{name: "a"}
	if got := c.WriteLatency("a"); got != 0 {
		t.Errorf("WriteLatency(a) = %s on a new connection, want 0", got)
	}
	if got := c.SlowClusters(); got.Len() != 0 {
		t.Errorf("SlowClusters() = %v right after a was connected anew, want none", sets.List(got))
	}

	delete(c.conns, "a")
	c.ObserveWrite("a", 3*time.Second) // not connected: not measured
	if got := c.WriteLatency("a"); got != 0 {
		t.Errorf("WriteLatency(a) = %s while a is not connected, want 0", got)
	}
}
