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
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/sets"
)

// A member's speed is a property of the member, not of what is written to
// it: every controller that writes to a member reports how long each write
// took (ObserveWrite), and they all read the same verdict (SlowClusters).
// The mean lives in the member's connection, so a new connection (the
// member came back, or its credentials changed) starts afresh: its first
// writes also pay for connecting.
const (
	// slowFloor is the mean write latency under which no member counts as
	// slow, however fast the others are.
	slowFloor = 500 * time.Millisecond
	// slowFactor is how many times slower than the fastest member a member
	// must be, on average, to count as slow.
	slowFactor = 4
	// latencyWeight is the weight of the newest sample in a member's mean
	// write latency (an exponentially weighted moving average). It is low
	// so that a member that is slow for good stands out after a handful
	// of writes while a single slow write under load (one apply of 3 s
	// among 200 ms ones moves the mean to 480 ms) does not.
	latencyWeight = 0.1
	// slowMinSamples is how many writes to a member must have been
	// measured before it can count as slow: the first write to a member
	// also pays for connecting to it.
	slowMinSamples = 5
)

const (
	// StuckAge is how long slowMinSamples operations on a member (see
	// OperationStarted) must have been in flight, none of them ended, for
	// the member to count as slow before its mean says so (and at least slowFactor times the fastest other member's
	// mean). A member that stopped answering, or whose cache cannot sync,
	// measures nothing until its operations end or time out; this floor is
	// far above a loaded member's slowest write, so a member busy for a
	// moment is not taken for slow.
	StuckAge = 5 * time.Second
)

// writeLatency is the mean write latency of one member connection, and
// the operations in flight there. Its zero value is ready to use; it is
// safe for concurrent use.
type writeLatency struct {
	mu sync.Mutex
	// mean is the moving average of the samples writes measured.
	mean    time.Duration
	samples int
	// inFlight holds when each operation that has not ended started, by
	// id.
	inFlight map[uint64]time.Time
	nextID   uint64
}

// begin records an operation that starts at now, and returns its id for
// end.
func (l *writeLatency) begin(now time.Time) uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inFlight == nil {
		l.inFlight = map[uint64]time.Time{}
	}
	l.nextID++
	l.inFlight[l.nextID] = now
	return l.nextID
}

// end forgets the operation begin returned id for.
func (l *writeLatency) end(id uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.inFlight, id)
}

// stuck returns how many operations have been in flight at now for at
// least age.
func (l *writeLatency) stuck(now time.Time, age time.Duration) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, started := range l.inFlight {
		if now.Sub(started) >= age {
			n++
		}
	}
	return n
}

// observe records one write's latency.
func (l *writeLatency) observe(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.samples++
	if l.samples == 1 {
		l.mean = d
		return
	}
	l.mean = time.Duration(latencyWeight*float64(d) + (1-latencyWeight)*float64(l.mean))
}

// read returns the mean and the number of writes it was measured over.
func (l *writeLatency) read() (time.Duration, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mean, l.samples
}

// ObserveWrite records how long one write (a create, update or delete) to
// the member took, in the mean of its current connection. It does nothing
// when the member is not connected.
func (c *ClusterCache) ObserveWrite(cluster string, d time.Duration) {
	if conn, err := c.connection(cluster); err == nil {
		conn.latency.observe(d)
	}
}

// OperationStarted records that an operation on the member starts (for the
// sync controllers, a reconcile's whole operation there: its read of the
// member's cache, which waits while that cache syncs, and its writes), and
// returns the function to call when it ended, whatever its outcome (each
// write's latency goes to ObserveWrite as well). Meanwhile the operation
// counts as in flight: a member with operations stuck there can count as
// slow before any write to it is measured (see SlowClusters). It records
// nothing when the member is not connected.
func (c *ClusterCache) OperationStarted(cluster string) (ended func()) {
	conn, err := c.connection(cluster)
	if err != nil {
		return func() {}
	}
	id := conn.latency.begin(time.Now())
	return func() { conn.latency.end(id) }
}

// WriteLatency returns the member's mean write latency over its current
// connection; 0 when no write was measured there.
func (c *ClusterCache) WriteLatency(cluster string) time.Duration {
	conn, err := c.connection(cluster)
	if err != nil {
		return 0
	}
	mean, _ := conn.latency.read()
	return mean
}

// SlowClusters returns the connected members whose mean write latency, over
// at least slowMinSamples writes, is at least slowFloor and slowFactor
// times that of the fastest member measured; and those with slowMinSamples
// operations in flight for at least StuckAge and slowFactor times the fastest
// other member's mean. A single member, or members that are all equally
// slow, are never slow: waiting for them holds nobody else back.
func (c *ClusterCache) SlowClusters() sets.Set[string] {
	return slowMembers(c.connections(), time.Now())
}

// slowMembers is SlowClusters over the given connections at now.
func slowMembers(conns []*connection, now time.Time) sets.Set[string] {
	type measured struct {
		mean    time.Duration
		samples int
	}
	byName := map[string]measured{}
	// fastest and second are the two lowest means, so that every member
	// has the fastest mean of the others.
	fastest, second := time.Duration(-1), time.Duration(-1)
	for _, conn := range conns {
		mean, samples := conn.latency.read()
		if samples == 0 {
			continue
		}
		byName[conn.name] = measured{mean, samples}
		switch {
		case fastest < 0 || mean < fastest:
			fastest, second = mean, fastest
		case second < 0 || mean < second:
			second = mean
		}
	}
	out := sets.New[string]()
	for _, conn := range conns {
		m, ok := byName[conn.name]
		if ok && len(byName) >= 2 && m.mean >= slowFloor && m.mean >= slowFactor*fastest && m.samples >= slowMinSamples {
			out.Insert(conn.name)
			continue
		}
		others := fastest
		if ok && m.mean == fastest {
			others = second
		}
		if others < 0 {
			continue
		}
		if conn.latency.stuck(now, max(StuckAge, slowFactor*others)) >= slowMinSamples {
			out.Insert(conn.name)
		}
	}
	return out
}
