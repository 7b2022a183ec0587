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
	"slices"
	"testing"
)

// rebalanceCases are the distributions that depend on the replicas the
// clusters run now (Current), with and without Rebalance.
var rebalanceCases = []computeCase{
	{
		name: "rebalance off keeps replicas in place",
		in: Input{Key: "ns/app", TotalReplicas: 50, Clusters: []string{"A", "B"},
			Current: map[string]int64{"A": 30}},
		want:    map[string]int64{"A": 30, "B": 20},
		reasons: map[string]Reason{"A": KeptCurrent, "B": NotRebalanced},
	},
	{
		name: "rebalance off fills the clusters below their share",
		in: Input{Key: "ns/app", TotalReplicas: 50, Clusters: []string{"A", "B"},
			Current: map[string]int64{"A": 10, "B": 20}},
		want: map[string]int64{"A": 25, "B": 25},
	},
	{
		name: "rebalance off shrinks the clusters above their share",
		in: Input{Key: "ns/app", TotalReplicas: 50, Clusters: []string{"A", "B"},
			Current: map[string]int64{"A": 10, "B": 70}},
		want:    map[string]int64{"A": 10, "B": 40},
		reasons: map[string]Reason{"A": NotRebalanced, "B": KeptCurrent},
	},
	{
		name: "rebalance off clamps the kept replicas to the maximum",
		in: Input{Key: "ns/app", TotalReplicas: 10, Clusters: []string{"A", "B"},
			Preferences: map[string]Preferences{AllClusters: {Weight: 1, MaxReplicas: ptr(6)}},
			Current:     map[string]int64{"A": 9}},
		want:    map[string]int64{"A": 6, "B": 4},
		reasons: map[string]Reason{"A": KeptCurrent, "B": NotRebalanced},
	},
	{
		name: "rebalance off raises the kept replicas to the minimum",
		in: Input{Key: "ns/app", TotalReplicas: 10, Clusters: []string{"A", "B"},
			Preferences: map[string]Preferences{"A": {Weight: 1}, "B": {Weight: 1, MinReplicas: 4}},
			Current:     map[string]int64{"A": 10}},
		want:    map[string]int64{"A": 6, "B": 4},
		reasons: map[string]Reason{"A": KeptCurrent, "B": NotRebalanced},
	},
	{
		name: "rebalance off: a lost cluster's replicas are placed elsewhere",
		in: Input{Key: "ns/app", TotalReplicas: 9, Clusters: []string{"a", "b"},
			Current: map[string]int64{"a": 3, "b": 3, "c": 3}},
		want: map[string]int64{"a": 4, "b": 5},
	},
	{
		name: "rebalance off: a returning cluster gets nothing",
		in: Input{Key: "ns/app", TotalReplicas: 9, Clusters: []string{"a", "b", "c"},
			Current: map[string]int64{"a": 4, "b": 5}},
		want:    map[string]int64{"a": 4, "b": 5, "c": 0},
		reasons: map[string]Reason{"a": KeptCurrent, "b": KeptCurrent, "c": NotRebalanced},
	},
	{
		name: "rebalance on: a returning cluster gets its share back",
		in: Input{Key: "ns/app", TotalReplicas: 9, Clusters: []string{"a", "b", "c"}, Rebalance: true,
			Current: map[string]int64{"a": 4, "b": 5}},
		want: map[string]int64{"a": 3, "b": 3, "c": 3},
	},
	{
		name: "rebalance off with capacity",
		in: Input{Key: "ns/app", TotalReplicas: 60, Clusters: []string{"A", "B", "C"},
			Preferences: map[string]Preferences{"A": {Weight: 1}, "B": {Weight: 5}},
			Current:     map[string]int64{"A": 10, "B": 10}, Capacity: map[string]int64{"B": 10}},
		want:    map[string]int64{"A": 50, "B": 10, "C": 0},
		reasons: map[string]Reason{"A": TookOverflow, "B": CappedByCapacity, "C": NotListed},
	},
}

func TestComputeIdealIgnoresCurrentWhenRebalancing(t *testing.T) {
	in := Input{Key: "ns/app", TotalReplicas: 9, Clusters: []string{"a", "b", "c"},
		Current: map[string]int64{"a": 5, "b": 4}}
	off, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range off.Clusters {
		if c.Ideal != 3 {
			t.Errorf("cluster %s: Ideal = %d, want 3", c.Name, c.Ideal)
		}
	}
	in.Rebalance = true
	on, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Current = nil
	fresh, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(on.Clusters, fresh.Clusters) {
		t.Errorf("rebalance plan depends on current: %v vs %v", on.Clusters, fresh.Clusters)
	}
}
