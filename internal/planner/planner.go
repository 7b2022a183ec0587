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
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
)

// AllClusters is the key of Input.Preferences whose preferences apply to
// every candidate cluster without an entry of its own.
const AllClusters = "*"

// Reason says why a cluster's replicas differ from its weighted share of
// the total. The empty Reason means the cluster has its weighted share
// (give or take the rounding of one replica).
type Reason string

// Reasons a cluster's planned replicas differ from its weighted share.
const (
	// CappedByMax means the cluster's share was above its maxReplicas, so it got
	// its maxReplicas and the rest went to other clusters.
	CappedByMax Reason = "CappedByMax"
	// CappedByCapacity means the cluster's share (or its minReplicas) was above
	// the number of replicas it can run, so it got that number and the rest
	// went to other clusters.
	CappedByCapacity Reason = "CappedByCapacity"
	// RaisedToMin means the cluster's minReplicas is above its weighted share of
	// the total, so it got more.
	RaisedToMin Reason = "RaisedToMin"
	// BelowMin means the minimums of all clusters add up to more than the total,
	// and the total ran out before this cluster got its minReplicas.
	BelowMin Reason = "BelowMin"
	// TookOverflow means the cluster received replicas that capped clusters
	// could not hold; for a cluster of weight 0 this is every replica above
	// its minimum.
	TookOverflow Reason = "TookOverflow"
	// KeptCurrent means rebalance is off and the cluster keeps replicas it runs
	// now, more than its ideal share.
	KeptCurrent Reason = "KeptCurrent"
	// NotRebalanced means rebalance is off and the cluster has fewer replicas
	// than its ideal share because other clusters keep theirs.
	NotRebalanced Reason = "NotRebalanced"
	// NotListed means the preferences name neither the cluster nor "*", so the
	// cluster gets no replicas.
	NotListed Reason = "NotListed"
)

// Preferences are one cluster's preferences, as in the ClusterPreferences
// of a ReplicaSchedulingPreference.
type Preferences struct {
	// MinReplicas is the smallest number of replicas for the cluster.
	MinReplicas int64
	// MaxReplicas is the largest number of replicas for the cluster; nil
	// means unbounded.
	MaxReplicas *int64
	// Weight is the cluster's share of the replicas left once every
	// cluster has its minimum.
	Weight int64
}

// Input is everything a plan depends on. Compute reads it and does not
// keep or modify it.
type Input struct {
	// Key names the scheduled object (namespace/name). Its hash, combined
	// with each cluster's name, breaks ties, so that objects with the same
	// preferences do not all put their odd replica on the same cluster.
	Key string
	// TotalReplicas is the number of replicas to place.
	TotalReplicas int32
	// Preferences maps cluster names, and AllClusters, to preferences. When
	// it is empty every candidate has weight 1 and no limits. Otherwise a
	// candidate without an entry takes the AllClusters entry, and without
	// that gets no replicas (NotListed).
	Preferences map[string]Preferences
	// Clusters are the candidate clusters: ready, and selected by the
	// caller. Order and duplicates do not matter.
	Clusters []string
	// Current is the number of replicas each cluster runs now. It is read
	// only when Rebalance is false; clusters that are not candidates are
	// ignored (their replicas are placed elsewhere). Negative values count
	// as 0.
	Current map[string]int64
	// Rebalance, when true, plans the ideal split whatever runs now; when
	// false, replicas running in a candidate cluster stay there as far as
	// its preferences and capacity allow.
	Rebalance bool
	// Capacity is the number of replicas a cluster can actually run, for
	// clusters where replicas were seen to be unschedulable; a cluster
	// without an entry, or a nil map, is unlimited. Negative values count
	// as 0.
	Capacity map[string]int64
}

// ClusterPlan is the plan for one cluster.
type ClusterPlan struct {
	// Name of the cluster.
	Name string
	// Replicas planned for the cluster.
	Replicas int64
	// Ideal is what the cluster would get with rebalance on; it equals
	// Replicas unless Reason is KeptCurrent or NotRebalanced.
	Ideal int64
	// Reason says why Replicas differ from the cluster's weighted share;
	// empty when they do not.
	Reason Reason
}

// Plan is the result of Compute.
type Plan struct {
	// Clusters holds every candidate cluster, sorted by name, including
	// those planned 0 replicas; callers that place objects only where
	// replicas run skip those.
	Clusters []ClusterPlan
	// TotalReplicas is the requested total.
	TotalReplicas int64
	// Shortfall is the number of replicas that could not be placed because
	// the maximums and capacities of the candidates hold fewer than the
	// total (or there are no candidates). The planner does not invent room:
	// Replicas add up to TotalReplicas - Shortfall.
	Shortfall int64
}

// Replicas returns the planned replicas by cluster name, 0 included.
func (p Plan) Replicas() map[string]int64 {
	out := make(map[string]int64, len(p.Clusters))
	for _, c := range p.Clusters {
		out[c.Name] = c.Replicas
	}
	return out
}

// messageClusters is the most clusters Message names; a condition message
// has to stay readable (and below 32768 bytes) with 1000 clusters.
const messageClusters = 10

// Message summarises the plan's deviations for a status condition: the
// clusters with a reason (at most ten, by name; NotListed clusters are
// left out, as leaving a cluster out is the preference's own choice), then
// the shortfall. It is empty when every cluster has its weighted share and
// nothing is short.
func (p Plan) Message() string {
	var parts []string
	more := 0
	for _, c := range p.Clusters {
		switch {
		case c.Reason == "" || c.Reason == NotListed:
		case len(parts) == messageClusters:
			more++
		default:
			parts = append(parts, fmt.Sprintf("%s: %d (%s)", c.Name, c.Replicas, c.Reason))
		}
	}
	if more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	msg := strings.Join(parts, ", ")
	if p.Shortfall > 0 {
		short := fmt.Sprintf("%d of %d replicas not placed: raise maxReplicas, add clusters or free capacity",
			p.Shortfall, p.TotalReplicas)
		if msg == "" {
			return short
		}
		msg += "; " + short
	}
	return msg
}

// cluster is the working state of one candidate.
type cluster struct {
	name   string
	hash   uint64
	listed bool
	weight uint64
	// min is the minimum the cluster can be given: its minReplicas capped
	// by hi.
	min int64
	// wantMin is its minReplicas capped by the total.
	wantMin int64
	// hi is the most the cluster can be given: the smallest of its
	// maxReplicas, its capacity and the total.
	hi int64
	// bound is the reason to report when hi stops the cluster: CappedByMax,
	// CappedByCapacity, or empty when hi is the total.
	bound  Reason
	ideal  int64
	reason Reason
	final  int64
}

// Compute plans how many of in.TotalReplicas each candidate cluster runs.
// It is deterministic: the same input gives the same plan, whatever the
// order of in.Clusters or of map iteration. It returns an error only for
// invalid preferences (negative numbers, minReplicas above maxReplicas).
func Compute(in Input) (Plan, error) {
	if in.TotalReplicas < 0 {
		return Plan{}, fmt.Errorf("totalReplicas is %d: set it to 0 or more", in.TotalReplicas)
	}
	for _, name := range slices.Sorted(maps.Keys(in.Preferences)) {
		if err := validate(in.Preferences[name]); err != nil {
			return Plan{}, fmt.Errorf("preferences of cluster %q: %w", name, err)
		}
	}
	total := int64(in.TotalReplicas)
	names := slices.Clone(in.Clusters)
	slices.Sort(names)
	names = slices.Compact(names)

	cs := make([]*cluster, len(names))
	for i, name := range names {
		cs[i] = newCluster(in, name, total)
	}
	planIdeal(total, cs)
	for _, c := range cs {
		c.final = c.ideal
	}
	if !in.Rebalance {
		planKeeping(total, cs, in.Current)
	}

	plan := Plan{TotalReplicas: total, Shortfall: total, Clusters: make([]ClusterPlan, len(cs))}
	for i, c := range cs {
		reason := c.reason
		switch {
		case c.final > c.ideal:
			reason = KeptCurrent
		case c.final < c.ideal:
			reason = NotRebalanced
		}
		plan.Clusters[i] = ClusterPlan{Name: c.name, Replicas: c.final, Ideal: c.ideal, Reason: reason}
		plan.Shortfall -= c.final
	}
	return plan, nil
}

func validate(p Preferences) error {
	switch {
	case p.MinReplicas < 0:
		return fmt.Errorf("minReplicas is %d: set it to 0 or more", p.MinReplicas)
	case p.Weight < 0:
		return fmt.Errorf("weight is %d: set it to 0 or more", p.Weight)
	case p.MaxReplicas != nil && *p.MaxReplicas < 0:
		return fmt.Errorf("maxReplicas is %d: set it to 0 or more", *p.MaxReplicas)
	case p.MaxReplicas != nil && *p.MaxReplicas < p.MinReplicas:
		return fmt.Errorf("maxReplicas %d is below minReplicas %d: raise maxReplicas or lower minReplicas",
			*p.MaxReplicas, p.MinReplicas)
	}
	return nil
}

func newCluster(in Input, name string, total int64) *cluster {
	c := &cluster{name: name, hash: tieHash(in.Key, name), listed: true}
	pref, ok := in.Preferences[name]
	if !ok {
		pref, ok = in.Preferences[AllClusters]
	}
	switch {
	case len(in.Preferences) == 0:
		pref = Preferences{Weight: 1}
	case !ok:
		c.listed, c.reason = false, NotListed
		return c
	}
	c.weight = uint64(pref.Weight)
	c.hi = total
	if pref.MaxReplicas != nil && *pref.MaxReplicas < c.hi {
		c.hi, c.bound = *pref.MaxReplicas, CappedByMax
	}
	if capacity, ok := in.Capacity[name]; ok {
		capacity = max(capacity, 0)
		// A capacity equal to maxReplicas is reported as the maximum: the
		// preference alone explains the cap.
		if capacity < c.hi {
			c.hi, c.bound = capacity, CappedByCapacity
		}
	}
	c.wantMin = min(pref.MinReplicas, total)
	c.min = min(c.wantMin, c.hi)
	return c
}

// tieHash is the stable hash of an object key and a cluster name that
// orders clusters when everything else is equal.
func tieHash(key, cluster string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write([]byte(cluster))
	return h.Sum64()
}

// planIdeal sets ideal and reason of every cluster: the split with
// rebalance on.
func planIdeal(total int64, cs []*cluster) {
	listed, minSum := listedClusters(cs)
	// Minimums first: all of them when they fit, else by weight
	// (descending) and hash until the total runs out.
	left := total
	if minSum <= total {
		for _, c := range listed {
			c.ideal = c.min
		}
		left -= minSum
	} else {
		for _, c := range slices.SortedFunc(slices.Values(listed), byWeightThenHash) {
			c.ideal = min(c.min, left)
			left -= c.ideal
		}
	}
	for _, c := range listed {
		switch {
		case c.ideal < c.min:
			c.reason = BelowMin
		case c.wantMin > c.hi:
			c.reason = c.bound
		}
	}

	// Then the rest by weight, within each cluster's room; clusters of
	// weight 0 only take what the others cannot.
	weighted, unweighted := entries(listed, func(c *cluster) int64 { return c.hi - c.ideal })
	left = fill(left, weighted)
	fill(left, unweighted)
	apply(weighted, listed, func(c *cluster, e *entry) { c.ideal += e.got })
	apply(unweighted, listed, func(c *cluster, e *entry) {
		c.ideal += e.got
		if len(weighted) > 0 && e.got > 0 {
			e.tookOverflow = true
		}
	})
	reasons := func(c *cluster, e *entry) {
		switch {
		case c.reason != "":
		case e.capped:
			c.reason = c.bound
		case e.tookOverflow:
			c.reason = TookOverflow
		}
	}
	apply(weighted, listed, reasons)
	apply(unweighted, listed, reasons)

	// A minimum above the cluster's weighted share of the whole total is a
	// deviation too.
	share := make([]*entry, 0, len(listed))
	for _, e := range weighted {
		share = append(share, &entry{weight: e.weight})
	}
	if len(share) == 0 {
		for range listed {
			share = append(share, &entry{weight: 1})
		}
	}
	d := sumWeights(share)
	for _, c := range listed {
		w := c.weight
		if len(weighted) == 0 {
			w = 1
		}
		if c.reason == "" && c.min > 0 && d.cmpShare(uint64(total), w, uint64(c.min)) < 0 {
			c.reason = RaisedToMin
		}
	}
}

// planKeeping sets final for rebalance off: every candidate keeps what it
// runs, within its preferences and capacity; the difference to the total
// is made up towards the ideal split.
func planKeeping(total int64, cs []*cluster, current map[string]int64) {
	listed, minSum := listedClusters(cs)
	var kept int64
	for _, c := range listed {
		c.final = min(max(current[c.name], 0), c.hi)
		if minSum <= total {
			c.final = max(c.final, c.min)
		}
		kept += c.final
	}
	if kept <= total {
		// Grow the clusters below their ideal share, by weight.
		weighted, unweighted := entries(listed, func(c *cluster) int64 { return max(c.ideal-c.final, 0) })
		fill(fill(total-kept, weighted), unweighted)
		add := func(c *cluster, e *entry) { c.final += e.got }
		apply(weighted, listed, add)
		apply(unweighted, listed, add)
		return
	}
	// Shrink the clusters above their ideal share, in proportion to their
	// surplus. The surplus adds up to at least kept - total, and no
	// cluster goes below its ideal share, so minimums hold.
	var surplus []*entry
	var owners []*cluster
	for _, c := range listed {
		if s := c.final - c.ideal; s > 0 {
			surplus = append(surplus, &entry{name: c.name, hash: c.hash, weight: uint64(s), room: s})
			owners = append(owners, c)
		}
	}
	fill(kept-total, surplus)
	for i, e := range surplus {
		owners[i].final -= e.got
	}
}

// listedClusters returns the clusters of cs that the preference lists, in
// order, and the sum of their minimums: where both splits start.
func listedClusters(cs []*cluster) (listed []*cluster, minSum int64) {
	for _, c := range cs {
		if c.listed {
			listed = append(listed, c)
			minSum += c.min
		}
	}
	return listed, minSum
}

// entries builds fill entries for the listed clusters with the given room:
// one slice for clusters with a weight, one (with weight 1 each) for those
// without.
func entries(listed []*cluster, room func(*cluster) int64) (weighted, unweighted []*entry) {
	for _, c := range listed {
		e := &entry{name: c.name, hash: c.hash, weight: c.weight, room: room(c)}
		if c.weight > 0 {
			weighted = append(weighted, e)
		} else {
			e.weight = 1
			unweighted = append(unweighted, e)
		}
	}
	return weighted, unweighted
}

// apply calls f for each entry with its cluster; es were built by entries
// from listed, in order.
func apply(es []*entry, listed []*cluster, f func(*cluster, *entry)) {
	i := 0
	for _, e := range es {
		for listed[i].name != e.name {
			i++
		}
		f(listed[i], e)
	}
}

func byWeightThenHash(a, b *cluster) int {
	if c := cmp.Compare(b.weight, a.weight); c != 0 {
		return c
	}
	if c := cmp.Compare(a.hash, b.hash); c != 0 {
		return c
	}
	return cmp.Compare(a.name, b.name)
}
