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
	"cmp"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

func ptr(v int64) *int64 { return &v }

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "c" + strconv.Itoa(i)
	}
	return out
}

// kubefedPrefs are the preferences of KubeFed's weight tests.
var kubefedPrefs = map[string]Preferences{
	"A": {Weight: 10000, MaxReplicas: ptr(10)},
	"B": {Weight: 1},
	"C": {Weight: 1, MaxReplicas: ptr(21)},
	"D": {Weight: 1, MaxReplicas: ptr(10)},
	"E": {Weight: 1},
}

type computeCase struct {
	name string
	in   Input
	// want is the planned replicas of every candidate.
	want map[string]int64
	// reasons are the non-empty reasons.
	reasons   map[string]Reason
	shortfall int64
}

// computeCases are the distributions of replicas by weight, minimum,
// maximum and capacity; rebalanceCases are in rebalance_test.go.
var computeCases = []computeCase{
	{
		name: "1000 over 5 equal clusters",
		in: Input{Key: "ns/app", TotalReplicas: 1000, Clusters: names(5),
			Preferences: map[string]Preferences{AllClusters: {Weight: 1}}},
		want: map[string]int64{"c0": 200, "c1": 200, "c2": 200, "c3": 200, "c4": 200},
	},
	{
		name: "no preferences is weight 1 everywhere",
		in:   Input{Key: "ns/app", TotalReplicas: 1000, Clusters: names(5)},
		want: map[string]int64{"c0": 200, "c1": 200, "c2": 200, "c3": 200, "c4": 200},
	},
	{
		name: "weights 1:2:3 of 6",
		in: Input{Key: "ns/app", TotalReplicas: 6, Clusters: []string{"a", "b", "c"},
			Preferences: map[string]Preferences{"a": {Weight: 1}, "b": {Weight: 2}, "c": {Weight: 3}}},
		want: map[string]int64{"a": 1, "b": 2, "c": 3},
	},
	{
		name: "weights 1:1:2 of 1000",
		in: Input{Key: "ns/app", TotalReplicas: 1000, Clusters: []string{"a", "b", "c"},
			Preferences: map[string]Preferences{"a": {Weight: 1}, "b": {Weight: 1}, "c": {Weight: 2}}},
		want: map[string]int64{"a": 250, "b": 250, "c": 500},
	},
	{
		name: "weights 1:2 of 60, unlisted cluster gets nothing",
		in: Input{Key: "ns/app", TotalReplicas: 60, Clusters: []string{"A", "B", "C"},
			Preferences: map[string]Preferences{"A": {Weight: 1}, "B": {Weight: 2}}},
		want:    map[string]int64{"A": 20, "B": 40, "C": 0},
		reasons: map[string]Reason{"C": NotListed},
	},
	{
		name: "largest remainder: 50 over 3 equal",
		in: Input{Key: "ns/app", TotalReplicas: 50, Clusters: []string{"A", "B", "C"},
			Preferences: map[string]Preferences{AllClusters: {Weight: 1}}},
		// The extra replicas go to the two clusters whose hash with
		// "ns/app" is smallest.
		want: map[string]int64{"A": 16, "B": 17, "C": 17},
	},
	{
		name: "minimums first, the rest by weight (KubeFed issue 319)",
		in: Input{Key: "ns/app", TotalReplicas: 10, Clusters: []string{"c1", "c2"},
			Preferences: map[string]Preferences{
				"c1": {MinReplicas: 2, MaxReplicas: ptr(6), Weight: 2},
				"c2": {MinReplicas: 4, MaxReplicas: ptr(8), Weight: 3},
			}},
		want: map[string]int64{"c1": 4, "c2": 6},
	},
	{
		name: "minimum above the weighted share",
		in: Input{Key: "ns/app", TotalReplicas: 9, Clusters: []string{"a", "b"},
			Preferences: map[string]Preferences{"a": {Weight: 3}, "b": {Weight: 1, MinReplicas: 5}}},
		want:    map[string]int64{"a": 3, "b": 6},
		reasons: map[string]Reason{"b": RaisedToMin},
	},
	{
		name: "minimums above the total go by weight, then hash",
		in: Input{Key: "ns/app", TotalReplicas: 50, Clusters: []string{"A", "B", "C"},
			Preferences: map[string]Preferences{
				AllClusters: {MinReplicas: 20},
				"A":         {MinReplicas: 100, Weight: 1},
			}},
		want:    map[string]int64{"A": 50, "B": 0, "C": 0},
		reasons: map[string]Reason{"B": BelowMin, "C": BelowMin},
	},
	{
		name: "minimums above the total, equal weights",
		in: Input{Key: "ns/app", TotalReplicas: 50, Clusters: []string{"A", "B", "C"},
			Preferences: map[string]Preferences{AllClusters: {MinReplicas: 20}}},
		// A comes last in hash order. B and C get their minimum, above
		// their equal share of 16.67.
		want:    map[string]int64{"A": 10, "B": 20, "C": 20},
		reasons: map[string]Reason{"A": BelowMin, "B": RaisedToMin, "C": RaisedToMin},
	},
	{
		name: "minimum capped by the maximum, shortfall reported",
		in: Input{Key: "ns/app", TotalReplicas: 50, Clusters: []string{"A", "B", "C"},
			Preferences: map[string]Preferences{AllClusters: {MinReplicas: 10, MaxReplicas: ptr(12), Weight: 1}}},
		want:      map[string]int64{"A": 12, "B": 12, "C": 12},
		reasons:   map[string]Reason{"A": CappedByMax, "B": CappedByMax, "C": CappedByMax},
		shortfall: 14,
	},
	{
		name: "maximum: overflow goes to the others",
		in: Input{Key: "ns/app", TotalReplicas: 50, Clusters: []string{"A", "B", "C"},
			Preferences: map[string]Preferences{
				"A": {Weight: 10000, MaxReplicas: ptr(10)}, "B": {Weight: 1}, "C": {Weight: 1},
			}},
		want:    map[string]int64{"A": 10, "B": 20, "C": 20},
		reasons: map[string]Reason{"A": CappedByMax, "B": TookOverflow, "C": TookOverflow},
	},
	{
		name: "maximums: overflow cascades",
		in: Input{Key: "ns/app", TotalReplicas: 71, Clusters: []string{"A", "B", "C", "D"},
			Preferences: kubefedPrefs},
		want:    map[string]int64{"A": 10, "B": 30, "C": 21, "D": 10},
		reasons: map[string]Reason{"A": CappedByMax, "B": TookOverflow, "C": CappedByMax, "D": CappedByMax},
	},
	{
		name: "maximums: overflow cascades over five",
		in: Input{Key: "ns/app", TotalReplicas: 91, Clusters: []string{"A", "B", "C", "D", "E"},
			Preferences: kubefedPrefs},
		want: map[string]int64{"A": 10, "B": 25, "C": 21, "D": 10, "E": 25},
		reasons: map[string]Reason{"A": CappedByMax, "B": TookOverflow, "C": CappedByMax,
			"D": CappedByMax, "E": TookOverflow},
	},
	{
		name: "maximum equal to the share is no deviation",
		in: Input{Key: "ns/app", TotalReplicas: 6, Clusters: []string{"a", "b", "c"},
			Preferences: map[string]Preferences{AllClusters: {Weight: 1, MaxReplicas: ptr(2)}}},
		want: map[string]int64{"a": 2, "b": 2, "c": 2},
	},
	{
		name: "star default with per-cluster exceptions",
		in: Input{Key: "ns/app", TotalReplicas: 12, Clusters: []string{"big", "tiny", "x", "y"},
			Preferences: map[string]Preferences{
				AllClusters: {Weight: 1},
				"big":       {Weight: 3},
				"tiny":      {Weight: 1, MaxReplicas: ptr(1)},
			}},
		// Shares 6/2/2/2; tiny holds 1, the other 11 go 3:1:1.
		want:    map[string]int64{"big": 7, "tiny": 1, "x": 2, "y": 2},
		reasons: map[string]Reason{"big": TookOverflow, "tiny": CappedByMax, "x": TookOverflow, "y": TookOverflow},
	},
	{
		name: "zero weight gets only its minimum",
		in: Input{Key: "ns/app", TotalReplicas: 10, Clusters: []string{"a", "b", "c"},
			Preferences: map[string]Preferences{"a": {Weight: 1}, "b": {MinReplicas: 2}, "c": {}}},
		want:    map[string]int64{"a": 8, "b": 2, "c": 0},
		reasons: map[string]Reason{"b": RaisedToMin},
	},
	{
		name: "zero weight takes what weighted clusters cannot",
		in: Input{Key: "ns/app", TotalReplicas: 10, Clusters: []string{"a", "b", "c"},
			Preferences: map[string]Preferences{"a": {Weight: 1, MaxReplicas: ptr(4)}, AllClusters: {}}},
		want:    map[string]int64{"a": 4, "b": 3, "c": 3},
		reasons: map[string]Reason{"a": CappedByMax, "b": TookOverflow, "c": TookOverflow},
	},
	{
		name: "all weights zero: equal split above the minimums",
		in: Input{Key: "ns/app", TotalReplicas: 50, Clusters: []string{"A", "B", "C"},
			Preferences: map[string]Preferences{AllClusters: {MinReplicas: 2}}},
		want: map[string]int64{"A": 16, "B": 17, "C": 17},
	},
	{
		name: "all weights zero with maximums",
		in: Input{Key: "ns/app", TotalReplicas: 50, Clusters: []string{"A", "B", "C"},
			Preferences: map[string]Preferences{AllClusters: {MaxReplicas: ptr(2)}}},
		want:      map[string]int64{"A": 2, "B": 2, "C": 2},
		reasons:   map[string]Reason{"A": CappedByMax, "B": CappedByMax, "C": CappedByMax},
		shortfall: 44,
	},
	{
		name: "more clusters than replicas",
		in:   Input{Key: "ns/app", TotalReplicas: 3, Clusters: names(8)},
		want: map[string]int64{"c0": 0, "c1": 1, "c2": 1, "c3": 1, "c4": 0, "c5": 0, "c6": 0, "c7": 0},
	},
	{
		name: "zero replicas",
		in:   Input{Key: "ns/app", TotalReplicas: 0, Clusters: names(2)},
		want: map[string]int64{"c0": 0, "c1": 0},
	},
	{
		name:      "no candidates",
		in:        Input{Key: "ns/app", TotalReplicas: 5},
		want:      map[string]int64{},
		shortfall: 5,
	},
	{
		name: "capacity moves the excess elsewhere",
		in: Input{Key: "ns/app", TotalReplicas: 50, Clusters: []string{"A", "B", "C"},
			Capacity: map[string]int64{"C": 10}},
		want:    map[string]int64{"A": 20, "B": 20, "C": 10},
		reasons: map[string]Reason{"A": TookOverflow, "B": TookOverflow, "C": CappedByCapacity},
	},
	{
		name: "capacity below the minimum",
		in: Input{Key: "ns/app", TotalReplicas: 50, Clusters: []string{"A", "B", "C"},
			Preferences: map[string]Preferences{AllClusters: {MinReplicas: 20}},
			Capacity:    map[string]int64{"B": 10}},
		want:    map[string]int64{"A": 20, "B": 10, "C": 20},
		reasons: map[string]Reason{"A": RaisedToMin, "B": CappedByCapacity, "C": RaisedToMin},
	},
	{
		name: "capacity below the maximum wins",
		in: Input{Key: "ns/app", TotalReplicas: 60, Clusters: []string{"A", "B"},
			Preferences: map[string]Preferences{"A": {Weight: 1}, "B": {Weight: 2, MaxReplicas: ptr(30)}},
			Capacity:    map[string]int64{"B": 10, "gone": 0}},
		want:    map[string]int64{"A": 50, "B": 10},
		reasons: map[string]Reason{"A": TookOverflow, "B": CappedByCapacity},
	},
	{
		name: "capacities hold less than the total",
		in: Input{Key: "ns/app", TotalReplicas: 10, Clusters: []string{"A", "B"},
			Capacity: map[string]int64{"A": 3, "B": 2}},
		want:      map[string]int64{"A": 3, "B": 2},
		reasons:   map[string]Reason{"A": CappedByCapacity, "B": CappedByCapacity},
		shortfall: 5,
	},
	{
		name: "huge weights are exact",
		in: Input{Key: "ns/app", TotalReplicas: 9, Clusters: []string{"a", "b", "c"},
			Preferences: map[string]Preferences{AllClusters: {Weight: math.MaxInt64}}},
		want: map[string]int64{"a": 3, "b": 3, "c": 3},
	},
	{
		name: "huge and tiny weights",
		in: Input{Key: "ns/app", TotalReplicas: 10, Clusters: []string{"a", "b", "c"},
			Preferences: map[string]Preferences{AllClusters: {Weight: math.MaxInt64}, "c": {Weight: 1}}},
		want: map[string]int64{"a": 5, "b": 5, "c": 0},
	},
}

func TestCompute(t *testing.T) {
	for _, tt := range slices.Concat(computeCases, rebalanceCases) {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := Compute(tt.in)
			if err != nil {
				t.Fatalf("Compute() error = %v", err)
			}
			if got := plan.Replicas(); !maps.Equal(got, tt.want) {
				t.Errorf("replicas = %v, want %v", got, tt.want)
			}
			reasons := map[string]Reason{}
			for _, c := range plan.Clusters {
				if c.Reason != "" {
					reasons[c.Name] = c.Reason
				}
			}
			if tt.reasons == nil {
				tt.reasons = map[string]Reason{}
			}
			if !maps.Equal(reasons, tt.reasons) {
				t.Errorf("reasons = %v, want %v", reasons, tt.reasons)
			}
			if plan.Shortfall != tt.shortfall {
				t.Errorf("shortfall = %d, want %d", plan.Shortfall, tt.shortfall)
			}
			if !slices.IsSortedFunc(plan.Clusters, func(a, b ClusterPlan) int { return cmp.Compare(a.Name, b.Name) }) {
				t.Errorf("clusters not sorted by name: %v", plan.Clusters)
			}
		})
	}
}

// TestComputeSpreadsRemainders checks that objects with the same
// preferences put their odd replicas on different clusters.
func TestComputeSpreadsRemainders(t *testing.T) {
	perCluster := map[string]int64{}
	for i := range 100 {
		plan, err := Compute(Input{Key: "ns/app-" + strconv.Itoa(i), TotalReplicas: 1, Clusters: names(4)})
		if err != nil {
			t.Fatal(err)
		}
		for name, n := range plan.Replicas() {
			perCluster[name] += n
		}
	}
	for name, n := range perCluster {
		if n < 10 {
			t.Errorf("cluster %s got %d of 100 single replicas; want them spread", name, n)
		}
	}
}

func TestComputeDeterministic(t *testing.T) {
	clusters := names(12)
	in := Input{
		Key:           "ns/app",
		TotalReplicas: 101,
		Clusters:      clusters,
		Preferences: map[string]Preferences{
			AllClusters: {Weight: 2},
			"c1":        {Weight: 5, MaxReplicas: ptr(7)},
			"c2":        {MinReplicas: 3},
			"c3":        {Weight: 1, MinReplicas: 1, MaxReplicas: ptr(40)},
			"c4":        {Weight: 2},
			"c5":        {Weight: 3},
		},
		Current:  map[string]int64{"c0": 20, "c4": 3, "c9": 50, "gone": 10},
		Capacity: map[string]int64{"c5": 4, "c6": 9},
	}
	want, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		shuffled := in
		shuffled.Clusters = slices.Clone(clusters)
		r.Shuffle(len(shuffled.Clusters), func(i, j int) {
			shuffled.Clusters[i], shuffled.Clusters[j] = shuffled.Clusters[j], shuffled.Clusters[i]
		})
		// Rebuilt maps iterate in a different order.
		shuffled.Preferences = maps.Clone(in.Preferences)
		shuffled.Current = maps.Clone(in.Current)
		shuffled.Capacity = maps.Clone(in.Capacity)
		got, err := Compute(shuffled)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Clusters, want.Clusters) || got.Shortfall != want.Shortfall {
			t.Fatalf("run %d: plan = %+v, want %+v", i, got, want)
		}
	}
}

func TestComputeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   Input
	}{
		{name: "negative total", in: Input{TotalReplicas: -1}},
		{name: "negative min", in: Input{Preferences: map[string]Preferences{"a": {MinReplicas: -1}}}},
		{name: "negative max", in: Input{Preferences: map[string]Preferences{"a": {MaxReplicas: ptr(-1)}}}},
		{name: "negative weight", in: Input{Preferences: map[string]Preferences{"a": {Weight: -1}}}},
		{name: "max below min", in: Input{Preferences: map[string]Preferences{
			AllClusters: {MinReplicas: 3, MaxReplicas: ptr(2)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Compute(tt.in); err == nil {
				t.Error("Compute() error = nil, want an error")
			}
		})
	}
}

func TestPlanMessage(t *testing.T) {
	plan, err := Compute(Input{Key: "ns/app", TotalReplicas: 10, Clusters: []string{"a", "b"},
		Capacity: map[string]int64{"a": 3, "b": 2}})
	if err != nil {
		t.Fatal(err)
	}
	want := "a: 3 (CappedByCapacity), b: 2 (CappedByCapacity); " +
		"5 of 10 replicas not placed: raise maxReplicas, add clusters or free capacity"
	if got := plan.Message(); got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
	plan, err = Compute(Input{Key: "ns/app", TotalReplicas: 10, Clusters: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Message(); got != "" {
		t.Errorf("Message() = %q, want empty", got)
	}
	plan, err = Compute(Input{Key: "ns/app", TotalReplicas: 10, Clusters: append(names(12), "unlisted"),
		Preferences: map[string]Preferences{AllClusters: {MinReplicas: 1, MaxReplicas: ptr(1)}, "unlisted": {}}})
	if err != nil {
		t.Fatal(err)
	}
	// Ten of twelve minimums fit; "unlisted" is not named.
	want = "c0: 1 (RaisedToMin), c1: 1 (RaisedToMin), c10: 0 (BelowMin), c11: 0 (BelowMin), " +
		"c2: 1 (RaisedToMin), c3: 1 (RaisedToMin), c4: 1 (RaisedToMin), c5: 1 (RaisedToMin), " +
		"c6: 1 (RaisedToMin), c7: 1 (RaisedToMin), and 2 more"
	if got := plan.Message(); got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
}

func BenchmarkCompute1000Clusters(b *testing.B) {
	prefs := map[string]Preferences{AllClusters: {Weight: 1, MaxReplicas: ptr(150)}}
	clusters := names(1000)
	current := map[string]int64{}
	capacity := map[string]int64{}
	for i, name := range clusters {
		if i%3 == 0 {
			prefs[name] = Preferences{Weight: int64(i%7 + 1), MinReplicas: 1, MaxReplicas: ptr(int64(i%200 + 1))}
		}
		if i%5 == 0 {
			capacity[name] = int64(i % 50)
		}
		current[name] = int64(i % 90)
	}
	for _, rebalance := range []bool{true, false} {
		b.Run("rebalance="+strconv.FormatBool(rebalance), func(b *testing.B) {
			in := Input{Key: "ns/app", TotalReplicas: 50000, Clusters: clusters, Preferences: prefs,
				Current: current, Capacity: capacity, Rebalance: rebalance}
			for b.Loop() {
				if _, err := Compute(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
