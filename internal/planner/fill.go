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
	"math/big"
	"math/bits"
	"slices"
)

// entry is one cluster's part in a fill: how strongly it pulls (weight) and
// how much it can still take (room). fill writes got, capped and
// tookOverflow.
type entry struct {
	name   string
	hash   uint64
	weight uint64
	room   int64

	// got is the number of replicas the fill gave the entry.
	got int64
	// capped is set when the entry's share exceeded its room, so it got
	// only its room.
	capped bool
	// tookOverflow is set when the entry received part of what capped
	// entries could not hold.
	tookOverflow bool
}

// fill divides amount among es in proportion to their weights, each entry
// up to its room, and returns what none of them could take. Entries whose
// share reaches their room get exactly their room and leave; the rest is
// divided again among the others until no entry reaches its room (water
// filling). The last division rounds down and hands the replicas left by
// rounding to the largest remainders, ties broken by hash and then name.
// Entries with zero weight or zero room get nothing. fill is exact for any
// weights: sums that do not fit in 64 bits are computed with math/big.
func fill(amount int64, es []*entry) int64 {
	active := make([]*entry, 0, len(es))
	for _, e := range es {
		e.got, e.capped, e.tookOverflow = 0, false, false
		if e.weight > 0 && e.room > 0 {
			active = append(active, e)
		}
	}
	overflowed := false
	for len(active) > 0 && amount > 0 {
		d := sumWeights(active)
		var taken int64
		rest := active[:0:0]
		for _, e := range active {
			// The entry's share is amount*weight/W; it leaves when that
			// share is at least its room.
			c := d.cmpShare(uint64(amount), e.weight, uint64(e.room))
			if c < 0 {
				rest = append(rest, e)
				continue
			}
			e.got = e.room
			e.capped = c > 0
			overflowed = overflowed || e.capped
			taken += e.room
		}
		if taken == 0 {
			break
		}
		amount -= taken
		active = rest
	}
	if len(active) == 0 || amount == 0 {
		return amount
	}
	d := sumWeights(active)
	rems := make([]remainder, len(active))
	order := make([]int, len(active))
	var given int64
	for i, e := range active {
		q, r := d.quoRem(uint64(amount), e.weight)
		e.got = int64(q)
		given += e.got
		rems[i] = r
		order[i] = i
		e.tookOverflow = overflowed
	}
	// Every share is below its entry's room, so rounding a share up never
	// passes the room, and fewer than len(active) replicas are left.
	slices.SortFunc(order, func(i, j int) int {
		if c := rems[j].cmp(rems[i]); c != 0 {
			return c
		}
		if c := cmp.Compare(active[i].hash, active[j].hash); c != 0 {
			return c
		}
		return cmp.Compare(active[i].name, active[j].name)
	})
	for _, i := range order[:amount-given] {
		active[i].got++
	}
	return 0
}

// denominator is a sum of weights, held in a uint64 when it fits and in a
// big.Int otherwise.
type denominator struct {
	small uint64
	wide  *big.Int
}

func sumWeights(es []*entry) denominator {
	var d denominator
	for _, e := range es {
		if d.wide != nil {
			d.wide.Add(d.wide, new(big.Int).SetUint64(e.weight))
			continue
		}
		s, carry := bits.Add64(d.small, e.weight, 0)
		if carry != 0 {
			d.wide = new(big.Int).SetUint64(d.small)
			d.wide.Add(d.wide, new(big.Int).SetUint64(e.weight))
			continue
		}
		d.small = s
	}
	return d
}

// cmpShare compares amount*weight with room*d, that is the share
// amount*weight/d with room.
func (d denominator) cmpShare(amount, weight, room uint64) int {
	if d.wide == nil {
		lh, ll := bits.Mul64(amount, weight)
		rh, rl := bits.Mul64(room, d.small)
		if c := cmp.Compare(lh, rh); c != 0 {
			return c
		}
		return cmp.Compare(ll, rl)
	}
	l := new(big.Int).Mul(new(big.Int).SetUint64(amount), new(big.Int).SetUint64(weight))
	r := new(big.Int).Mul(new(big.Int).SetUint64(room), d.wide)
	return l.Cmp(r)
}

// quoRem returns amount*weight/d and its remainder. weight is at most d, so
// the quotient is at most amount.
func (d denominator) quoRem(amount, weight uint64) (uint64, remainder) {
	if d.wide == nil {
		hi, lo := bits.Mul64(amount, weight)
		q, r := bits.Div64(hi, lo, d.small)
		return q, remainder{small: r}
	}
	n := new(big.Int).Mul(new(big.Int).SetUint64(amount), new(big.Int).SetUint64(weight))
	q, r := n.QuoRem(n, d.wide, new(big.Int))
	return q.Uint64(), remainder{wide: r}
}

// remainder is the remainder of a division by a denominator; remainders
// of the same denominator compare like the fractions they stand for.
type remainder struct {
	small uint64
	wide  *big.Int
}

func (r remainder) cmp(o remainder) int {
	if r.wide == nil && o.wide == nil {
		return cmp.Compare(r.small, o.small)
	}
	return r.big().Cmp(o.big())
}

func (r remainder) big() *big.Int {
	if r.wide != nil {
		return r.wide
	}
	return new(big.Int).SetUint64(r.small)
}
