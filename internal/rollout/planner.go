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

package rollout

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// Cluster is one placed cluster as the planner sees it.
type Cluster struct {
	// Name of the KubeFedCluster.
	Name string
	// Labels of the KubeFedCluster, for the waves' cluster selectors.
	Labels map[string]string
	// Revision the copy runs (status.clusters[].revision); 0 when the
	// cluster has no copy.
	Revision int64
	// Readiness of the copy (status.clusters[].readiness).
	Readiness fedtypesv1b1.Readiness
	// ReadinessMessage says why, quoted when the copy stops the rollout.
	ReadinessMessage string
}

// Input is everything one reconcile knows about a rollout.
type Input struct {
	// Strategy is spec.rollout; not nil (without it there is no rollout).
	Strategy *fedtypesv1b1.RolloutStrategy
	// Generation is the federated object's metadata.generation.
	Generation int64
	// Target is the revision the spec asks for: the spec's own, or the
	// rollbackTo revision.
	Target int64
	// Clusters are the placed clusters, in any order.
	Clusters []Cluster
	// State is the stored status.rollout; nil before the first plan.
	State *fedtypesv1b1.RolloutStatus
	// Now is the time of the reconcile.
	Now time.Time
}

// Result is what the reconcile does.
type Result struct {
	// Revisions says, per placed cluster, which revision its copy must
	// run; 0 for a cluster that must stay without a copy. A cluster whose
	// turn has not come is given the revision it runs: nothing to write.
	Revisions map[string]int64
	// State is the next status.rollout.
	State fedtypesv1b1.RolloutStatus
	// RequeueAfter is when a timer (the end of a soak, a progress
	// deadline) falls; 0 when none runs.
	RequeueAfter time.Duration
}

// wave is one wave resolved against the placed clusters.
type wave struct {
	name     string
	clusters []Cluster // in update order
	max      int       // 0: all at once
}

// Plan applies the rules of docs/rollout.md to one reconcile. It reads no
// clock and keeps no memory: the same Input gives the same Result.
func Plan(in Input) (Result, error) {
	waves, err := resolveWaves(in.Strategy, in.Clusters)
	if err != nil {
		return Result{}, err
	}
	p := &planner{in: in, waves: waves, revisions: map[string]int64{}}
	for _, c := range in.Clusters {
		p.revisions[c.Name] = c.Revision
	}
	p.plan()
	return Result{Revisions: p.revisions, State: p.state, RequeueAfter: p.requeue}, nil
}

type planner struct {
	in        Input
	waves     []wave
	state     fedtypesv1b1.RolloutStatus
	revisions map[string]int64
	requeue   time.Duration
}

func (p *planner) last() int32 { return int32(len(p.waves) - 1) }

func (p *planner) plan() {
	in := p.in
	if in.State == nil {
		// Rule 1: the first revision goes everywhere at once.
		p.state = fedtypesv1b1.RolloutStatus{ObservedGeneration: in.Generation}
		p.complete(fedtypesv1b1.RolloutReasonInitialRevision,
			fmt.Sprintf("revision %d written to every placed cluster", in.Target))
		return
	}
	p.state = *in.State.DeepCopy()
	previousGeneration := p.state.ObservedGeneration
	p.state.ObservedGeneration = in.Generation
	// The waves may have been edited under a rollout: the wave in
	// progress keeps its index, within the waves there are now, and takes
	// the name it has now.
	p.state.CurrentWave = min(max(p.state.CurrentWave, 0), p.last())
	p.state.CurrentWaveName = p.waves[p.state.CurrentWave].name

	switch {
	case p.state.UpdateRevision != in.Target:
		// Rule 2: a new target starts over at the first wave.
		p.state.UpdateRevision = in.Target
		p.state.Phase = fedtypesv1b1.RolloutPhaseProgressing
		if p.enterTurn(0) {
			return
		}
	case p.state.Phase == fedtypesv1b1.RolloutPhaseComplete:
		// Rule 9.
		p.complete(cmp.Or(p.state.Reason, fedtypesv1b1.RolloutReasonComplete), p.state.Message)
		return
	case p.state.Phase == fedtypesv1b1.RolloutPhaseStalled:
		if previousGeneration == in.Generation {
			return // Rule 7: held until the spec changes.
		}
		p.restartWave() // A retry.
	}

	if in.Strategy.Paused {
		// Rule 8: hold; a Paused state keeps its times for the record.
		p.state.Phase = fedtypesv1b1.RolloutPhasePaused
		p.state.Reason = fedtypesv1b1.RolloutReasonPaused
		p.state.Message = fmt.Sprintf("paused at wave %s", p.waveLabel())
		return
	}
	if p.state.Phase == fedtypesv1b1.RolloutPhasePaused {
		p.restartWave() // Resumed.
	}
	p.progress()
}

// progress runs the gate of the current wave and, when it passes and the
// soak is over, moves on, possibly through several waves.
func (p *planner) progress() {
	for {
		if failed := p.failed(); len(failed) > 0 {
			p.stall(fedtypesv1b1.RolloutReasonClusterFailed,
				fmt.Sprintf("wave %s: %s", p.waveLabel(), strings.Join(failed, ", ")))
			return
		}
		pending := p.pending()
		if len(pending) > 0 {
			if p.state.SoakStartTime != nil {
				// Rule 5: the gate broke during the soak; start over.
				p.state.SoakStartTime = nil
				p.state.WaveStartTime = p.now()
			}
			if d := p.in.Strategy.ProgressDeadline; d != nil {
				left := p.state.WaveStartTime.Add(d.Duration).Sub(p.in.Now)
				if left <= 0 {
					p.stall(fedtypesv1b1.RolloutReasonProgressDeadlineExceeded,
						fmt.Sprintf("wave %s not Current within %s: %s", p.waveLabel(), d.Duration, strings.Join(pending, ", ")))
					return
				}
				p.requeue = left
			}
			p.state.Phase = fedtypesv1b1.RolloutPhaseProgressing
			p.state.Reason = fedtypesv1b1.RolloutReasonWaveInProgress
			p.state.Message = fmt.Sprintf("wave %s: %s", p.waveLabel(), strings.Join(pending, ", "))
			p.assignBatches()
			return
		}
		// Rule 5: the waves so far are done.
		if p.state.CurrentWave == p.last() {
			p.complete(fedtypesv1b1.RolloutReasonComplete,
				fmt.Sprintf("revision %d runs in every wave", p.in.Target))
			return
		}
		if p.state.SoakStartTime == nil {
			p.state.SoakStartTime = p.now()
		}
		var soak time.Duration
		if s := p.in.Strategy.SoakTime; s != nil {
			soak = s.Duration
		}
		end := p.state.SoakStartTime.Add(soak)
		if p.in.Now.Before(end) {
			p.state.Phase = fedtypesv1b1.RolloutPhaseProgressing
			p.state.Reason = fedtypesv1b1.RolloutReasonWaveSoaking
			p.state.Message = fmt.Sprintf("wave %s is Current; soaking until %s", p.waveLabel(), end.UTC().Format(time.RFC3339))
			p.requeue = end.Sub(p.in.Now)
			return
		}
		if p.enterTurn(p.state.CurrentWave + 1) {
			return
		}
	}
}

// enterTurn starts wave k and passes at once, without soak, every wave
// that has nothing to do when its turn comes (rule 6). It reports whether
// the rollout completed.
func (p *planner) enterTurn(k int32) bool {
	for ; ; k++ {
		p.state.CurrentWave = k
		p.state.CurrentWaveName = p.waves[k].name
		p.restartWave()
		if len(p.pending()) > 0 || p.failed() != nil {
			return false
		}
		if k == p.last() {
			p.complete(fedtypesv1b1.RolloutReasonComplete,
				fmt.Sprintf("revision %d runs in every wave", p.in.Target))
			return true
		}
	}
}

func (p *planner) restartWave() {
	p.state.Phase = fedtypesv1b1.RolloutPhaseProgressing
	p.state.WaveStartTime = p.now()
	p.state.SoakStartTime = nil
}

// eligible returns the clusters of the waves whose turn has come.
func (p *planner) eligible() []Cluster {
	var out []Cluster
	for _, w := range p.waves[:p.state.CurrentWave+1] {
		out = append(out, w.clusters...)
	}
	return out
}

func (p *planner) done(c Cluster) bool {
	return c.Revision == p.in.Target && c.Readiness == fedtypesv1b1.ReadinessCurrent
}

// pending describes the clusters whose turn has come and that are not
// done, in wave order.
func (p *planner) pending() []string {
	var out []string
	for _, c := range p.eligible() {
		switch {
		case p.done(c):
		case c.Revision != p.in.Target:
			out = append(out, c.Name+" pending")
		default:
			out = append(out, c.Name+" "+string(cmp.Or(c.Readiness, fedtypesv1b1.ReadinessUnknown)))
		}
	}
	return out
}

// failed describes the clusters whose turn has come and whose copy of the
// target is Failed.
func (p *planner) failed() []string {
	var out []string
	for _, c := range p.eligible() {
		if c.Revision == p.in.Target && c.Readiness == fedtypesv1b1.ReadinessFailed {
			s := c.Name + " Failed"
			if c.ReadinessMessage != "" {
				s += ": " + c.ReadinessMessage
			}
			out = append(out, s)
		}
	}
	return out
}

// assignBatches gives the target to the first maxConcurrentClusters
// clusters of each wave whose turn has come that are not done (rule 4).
func (p *planner) assignBatches() {
	for _, w := range p.waves[:p.state.CurrentWave+1] {
		taken := 0
		for _, c := range w.clusters {
			if p.done(c) {
				continue
			}
			if w.max > 0 && taken == w.max {
				break
			}
			taken++
			p.revisions[c.Name] = p.in.Target
		}
	}
}

func (p *planner) stall(reason fedtypesv1b1.RolloutReason, message string) {
	p.state.Phase = fedtypesv1b1.RolloutPhaseStalled
	p.state.Reason = reason
	p.state.Message = message
	p.requeue = 0
}

func (p *planner) complete(reason fedtypesv1b1.RolloutReason, message string) {
	p.state.Phase = fedtypesv1b1.RolloutPhaseComplete
	p.state.Reason = reason
	p.state.Message = message
	if p.state.CurrentRevision != 0 && p.state.CurrentRevision != p.in.Target {
		p.state.PreviousRevision = p.state.CurrentRevision
	}
	p.state.CurrentRevision = p.in.Target
	p.state.UpdateRevision = p.in.Target
	p.state.CurrentWave = p.last()
	p.state.CurrentWaveName = p.waves[p.last()].name
	p.state.WaveStartTime = nil
	p.state.SoakStartTime = nil
	for _, c := range p.in.Clusters {
		p.revisions[c.Name] = p.in.Target
	}
}

func (p *planner) waveLabel() string {
	return fmt.Sprintf("%s (%d/%d)", p.state.CurrentWaveName, p.state.CurrentWave+1, len(p.waves))
}

func (p *planner) now() *metav1.Time { return &metav1.Time{Time: p.in.Now} }

// resolveWaves assigns every placed cluster to the first wave that names or
// selects it, and the others to the last, implicit wave.
func resolveWaves(strategy *fedtypesv1b1.RolloutStrategy, clusters []Cluster) ([]wave, error) {
	byName := map[string]Cluster{}
	sorted := slices.Clone(clusters)
	slices.SortFunc(sorted, func(a, b Cluster) int { return cmp.Compare(a.Name, b.Name) })
	for _, c := range sorted {
		byName[c.Name] = c
	}
	assigned := map[string]bool{}
	var waves []wave
	for _, spec := range strategy.Waves {
		w := wave{name: spec.Name}
		if spec.MaxConcurrentClusters != nil {
			w.max = int(*spec.MaxConcurrentClusters)
		}
		if spec.Clusters != nil {
			for _, ref := range spec.Clusters {
				if c, ok := byName[ref.Name]; ok && !assigned[ref.Name] {
					assigned[ref.Name] = true
					w.clusters = append(w.clusters, c)
				}
			}
		} else if spec.ClusterSelector != nil {
			selector, err := metav1.LabelSelectorAsSelector(spec.ClusterSelector)
			if err != nil {
				return nil, fmt.Errorf("spec.rollout wave %s: invalid clusterSelector: %w", spec.Name, err)
			}
			for _, c := range sorted {
				if !assigned[c.Name] && selector.Matches(labels.Set(c.Labels)) {
					assigned[c.Name] = true
					w.clusters = append(w.clusters, c)
				}
			}
		}
		waves = append(waves, w)
	}
	rest := wave{name: fedtypesv1b1.RemainingWaveName}
	for _, c := range sorted {
		if !assigned[c.Name] {
			rest.clusters = append(rest.clusters, c)
		}
	}
	return append(waves, rest), nil
}
