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

package planner

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"testing"
)

// fuzzValue turns a byte into a count, with two bytes standing for very
// large values so that wide arithmetic is exercised.
func fuzzValue(b byte) int64 {
	switch b {
	case 255:
		return math.MaxInt64
	case 254:
		return 1 << 40
	}
	return int64(b)
}

func fuzzPreferences(minB, maxB, weightB byte, hasMax bool) Preferences {
	p := Preferences{MinReplicas: fuzzValue(minB), Weight: fuzzValue(weightB)}
	if hasMax {
		// Valid preferences only: maxReplicas at least minReplicas.
		p.MaxReplicas = ptr(max(fuzzValue(maxB), p.MinReplicas))
	}
	return p
}

// fuzzInput decodes data: 4 bytes for the "*" entry (flags, min, max,
// weight), then 6 bytes per cluster (flags, min, max, weight, capacity,
// current).
func fuzzInput(total int32, rebalance bool, key string, data []byte) Input {
	in := Input{Key: key, TotalReplicas: total, Rebalance: rebalance,
		Preferences: map[string]Preferences{}, Current: map[string]int64{}, Capacity: map[string]int64{}}
	if in.TotalReplicas < 0 {
		in.TotalReplicas = -(in.TotalReplicas + 1)
	}
	if len(data) >= 4 {
		if data[0]&1 != 0 {
			in.Preferences[AllClusters] = fuzzPreferences(data[1], data[2], data[3], data[0]&2 != 0)
		}
		data = data[4:]
	}
	for i := 0; len(data) >= 6 && i < 32; i++ {
		flags, name := data[0], "c"+strconv.Itoa(i)
		if flags&1 != 0 {
			in.Preferences[name] = fuzzPreferences(data[1], data[2], data[3], flags&2 != 0)
		}
		if flags&4 != 0 {
			in.Capacity[name] = int64(data[4])
		}
		if flags&8 != 0 {
			in.Current[name] = int64(data[5])
		}
		if flags&16 == 0 {
			in.Clusters = append(in.Clusters, name)
			if flags&32 != 0 {
				in.Clusters = append(in.Clusters, name)
			}
		}
		data = data[6:]
	}
	return in
}

func FuzzPlan(f *testing.F) {
	f.Add(int32(1000), false, "ns/app", []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add(int32(6), true, "ns/app", []byte{0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 2, 0, 0, 1, 0, 0, 3, 0, 0})
	f.Add(int32(71), true, "ns/a", []byte{1, 0, 0, 1, 3, 0, 10, 200, 0, 0, 1, 0, 0, 1, 0, 0, 3, 0, 21, 1, 0, 0})
	f.Add(int32(50), false, "ns/b", []byte{3, 20, 30, 0, 12, 0, 0, 0, 10, 30, 8, 0, 0, 0, 0, 70, 24, 0, 0, 0, 0, 9})
	f.Add(int32(10), false, "x", []byte{1, 0, 0, 255, 1, 0, 0, 255, 0, 0, 9, 0, 0, 1, 0, 5, 41, 2, 0, 0, 0, 0})
	f.Add(int32(3), true, "", []byte{1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 1, 0, 4, 0, 0, 0, 2, 0})
	f.Add(int32(math.MaxInt32), false, "big", []byte{3, 254, 255, 254, 1, 255, 255, 255, 0, 255, 12, 0, 0, 0, 200, 250})
	f.Fuzz(func(t *testing.T, total int32, rebalance bool, key string, data []byte) {
		in := fuzzInput(total, rebalance, key, data)
		plan, err := Compute(in)
		if err != nil {
			t.Fatalf("Compute(%+v) error = %v", in, err)
		}
		checkPlan(t, in, plan)

		// Deterministic, whatever the order of the candidates.
		reversed := in
		reversed.Clusters = slices.Clone(in.Clusters)
		slices.Reverse(reversed.Clusters)
		reversed.Preferences = maps.Clone(in.Preferences)
		again, err := Compute(reversed)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(plan.Clusters, again.Clusters) || plan.Shortfall != again.Shortfall {
			t.Fatalf("not deterministic:\n%+v\n%+v", plan, again)
		}

		// Stable: with rebalance off, a plan that runs stays as it is.
		stay := in
		stay.Rebalance = false
		stay.Current = plan.Replicas()
		kept, err := Compute(stay)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(kept.Replicas(), plan.Replicas()) {
			t.Fatalf("running plan moved:\nplan %+v\nkept %+v\ninput %+v", plan, kept, in)
		}
	})
}

// checkPlan checks the invariants of a plan.
func checkPlan(t *testing.T, in Input, plan Plan) {
	t.Helper()
	total := int64(in.TotalReplicas)
	candidates := slices.Clone(in.Clusters)
	slices.Sort(candidates)
	candidates = slices.Compact(candidates)
	if len(plan.Clusters) != len(candidates) {
		t.Fatalf("plan has %d clusters, want %d", len(plan.Clusters), len(candidates))
	}
	// hold is what the caps of all candidates hold, minSum their minimums
	// (as far as the caps allow).
	var sum, hold, minSum int64
	his, mins := map[string]int64{}, map[string]int64{}
	for i, name := range candidates {
		c := plan.Clusters[i]
		if c.Name != name {
			t.Fatalf("cluster %d is %q, want %q", i, c.Name, name)
		}
		pref, ok := in.Preferences[name]
		if !ok {
			pref, ok = in.Preferences[AllClusters]
		}
		hi := total
		switch {
		case len(in.Preferences) == 0:
		case !ok:
			hi = 0
		default:
			if pref.MaxReplicas != nil {
				hi = min(hi, *pref.MaxReplicas)
			}
		}
		if capacity, ok := in.Capacity[name]; ok {
			hi = min(hi, max(capacity, 0))
		}
		his[name], mins[name] = hi, min(pref.MinReplicas, hi)
		hold += hi
		minSum += mins[name]
		if c.Replicas < 0 || c.Replicas > hi {
			t.Errorf("cluster %s: %d replicas, want 0 to %d", name, c.Replicas, hi)
		}
		switch c.Reason {
		case CappedByMax, CappedByCapacity, NotListed:
			if c.Replicas != hi {
				t.Errorf("cluster %s: %s with %d replicas, want its bound %d", name, c.Reason, c.Replicas, hi)
			}
		case KeptCurrent, NotRebalanced:
			if in.Rebalance || (c.Reason == KeptCurrent) != (c.Replicas > c.Ideal) {
				t.Errorf("cluster %s: %s with %d replicas, ideal %d", name, c.Reason, c.Replicas, c.Ideal)
			}
		}
		if in.Rebalance && c.Ideal != c.Replicas {
			t.Errorf("cluster %s: Ideal %d differs from Replicas %d with rebalance on", name, c.Ideal, c.Replicas)
		}
		sum += c.Replicas
	}
	if want := max(total-hold, 0); plan.Shortfall != want {
		t.Errorf("shortfall = %d, want %d (caps hold %d of %d)", plan.Shortfall, want, hold, total)
	}
	if sum+plan.Shortfall != total {
		t.Errorf("replicas add up to %d + shortfall %d, want %d", sum, plan.Shortfall, total)
	}
	if minSum <= total {
		for _, c := range plan.Clusters {
			if c.Replicas < mins[c.Name] {
				t.Errorf("cluster %s: %d replicas, below its minimum %d", c.Name, c.Replicas, mins[c.Name])
			}
		}
	}
}
