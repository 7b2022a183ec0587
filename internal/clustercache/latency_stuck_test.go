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
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/sets"
)

// stuckCase is a member measured at mean over samples writes (10 when
// not set; none when mean is 0) with writes in flight that started the
// given time before now.
type stuckCase struct {
	mean     time.Duration
	samples  int
	inFlight []time.Duration
}

var stuckCases = []struct {
	name    string
	members map[string]stuckCase
	want    []string
}{
	{"five writes stuck past the floor, none measured", map[string]stuckCase{
		"fast": {mean: 20 * time.Millisecond}, "stuck": {inFlight: slices.Repeat([]time.Duration{6 * time.Second}, 5)}}, []string{"stuck"}},
	{"four writes stuck are not enough", map[string]stuckCase{
		"fast": {mean: 20 * time.Millisecond}, "stuck": {inFlight: slices.Repeat([]time.Duration{time.Minute}, 4)}}, nil},
	{"five writes in flight under the floor", map[string]stuckCase{
		"fast": {mean: 20 * time.Millisecond}, "stuck": {inFlight: slices.Repeat([]time.Duration{StuckAge - time.Second}, 5)}}, nil},
	{"a single member is never slow", map[string]stuckCase{
		"stuck": {mean: 20 * time.Millisecond, inFlight: slices.Repeat([]time.Duration{time.Minute}, 5)}}, nil},
	{"no other member measured", map[string]stuckCase{
		"idle": {}, "stuck": {inFlight: slices.Repeat([]time.Duration{time.Minute}, 5)}}, nil},
	{"stuck for less than 4x the fastest other member's mean", map[string]stuckCase{
		"other": {mean: 2 * time.Second}, "stuck": {inFlight: slices.Repeat([]time.Duration{6 * time.Second}, 5)}}, nil},
	{"stuck for more than 4x the fastest other member's mean", map[string]stuckCase{
		"other": {mean: 2 * time.Second}, "stuck": {inFlight: slices.Repeat([]time.Duration{9 * time.Second}, 5)}}, []string{"stuck"}},
	// "other" is measured over too few writes to count as slow itself.
	{"the fastest member stuck, measured against the others (4x 2s)", map[string]stuckCase{
		"other": {mean: 2 * time.Second, samples: 2}, "stuck": {mean: 10 * time.Millisecond, inFlight: slices.Repeat([]time.Duration{6 * time.Second}, 5)}}, nil},
	{"the fastest member stuck for longer than 4x the others' mean", map[string]stuckCase{
		"other": {mean: 2 * time.Second, samples: 2}, "stuck": {mean: 10 * time.Millisecond, inFlight: slices.Repeat([]time.Duration{9 * time.Second}, 5)}}, []string{"stuck"}},
	{"writes of a loaded member, in flight for a few seconds", map[string]stuckCase{
		"a": {mean: 100 * time.Millisecond}, "b": {mean: 200 * time.Millisecond, inFlight: slices.Repeat([]time.Duration{3 * time.Second}, 16)}}, nil},
}

// TestStuckWritesMakeAMemberSlow: a member whose writes stay in flight
// counts as slow before any of them is measured, once slowMinSamples of
// them are older than StuckAge and slowFactor times the fastest other
// member's mean.
func TestStuckWritesMakeAMemberSlow(t *testing.T) {
	now := time.Now()
	for _, tc := range stuckCases {
		t.Run(tc.name, func(t *testing.T) {
			var conns []*connection
			for name, m := range tc.members {
				conn := &connection{name: name}
				if m.mean > 0 {
					for range cmp.Or(m.samples, 10) {
						conn.latency.observe(m.mean)
					}
				}
				for _, age := range m.inFlight {
					conn.latency.begin(now.Add(-age))
				}
				conns = append(conns, conn)
			}
			if got, want := fmt.Sprint(sets.List(slowMembers(conns, now))), fmt.Sprint(sets.List(sets.New(tc.want...))); got != want {
				t.Errorf("slow members = %v, want %v", got, want)
			}
		})
	}
}

// TestAnEndedWriteIsNoLongerInFlight: OperationStarted's function takes the
// write out of the member's writes in flight, on the connection it started
// on.
func TestAnEndedWriteIsNoLongerInFlight(t *testing.T) {
	c := connectedTo("a", "b")
	var ended []func()
	for range slowMinSamples {
		ended = append(ended, c.OperationStarted("a"))
	}
	later := time.Now().Add(time.Minute)
	if got := c.conns["a"].latency.stuck(later, StuckAge); got != slowMinSamples {
		t.Fatalf("%d writes of a in flight, want %d", got, slowMinSamples)
	}
	ended[0]()
	if got := c.conns["a"].latency.stuck(later, StuckAge); got != slowMinSamples-1 {
		t.Errorf("%d writes of a in flight after one ended, want %d", got, slowMinSamples-1)
	}
	if got := c.conns["b"].latency.stuck(later, 0); got != 0 {
		t.Errorf("%d writes of b in flight, want none", got)
	}
	// A write to a member that is not connected records nothing.
	c.OperationStarted("gone")()
}
