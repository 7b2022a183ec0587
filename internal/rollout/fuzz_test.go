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
	"fmt"
	"maps"
	"reflect"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// FuzzPlan checks the promises of docs/rollout.md that hold for any input:
// the plan is deterministic; while Stalled or Paused no cluster is given a
// revision other than the one it runs (rules 7, 8); a cluster whose wave has
// not come is never written (rule 3); in a wave, no more than
// maxConcurrentClusters clusters are being updated (rule 4); a cluster is
// only ever given the target or what it runs; Complete means every placed
// cluster gets the target (rule 9).
func FuzzPlan(f *testing.F) {
	f.Add([]byte{1, 2, 1, 0, 3, 1}, []byte{0, 1, 1, 0, 2, 0}, byte(2), byte(0), byte(1), byte(1), false, false, uint16(5))
	f.Add([]byte{2, 2, 0, 1}, []byte{1, 1, 3, 0}, byte(2), byte(1), byte(2), byte(0), true, true, uint16(30))
	f.Add([]byte{3, 3, 3}, []byte{2, 2, 2}, byte(3), byte(3), byte(0), byte(2), false, true, uint16(0))
	f.Fuzz(func(t *testing.T, revs, ready []byte, target, phase, wave, max byte, paused, newGeneration bool, minutes uint16) {
		if len(revs) > 12 {
			revs = revs[:12]
		}
		state := fuzzState(target, phase, wave)
		generation := int64(5)
		if newGeneration {
			generation = 6
		}
		in := Input{Strategy: fuzzStrategy(max, paused), Generation: generation, Target: int64(target%3) + 1,
			Clusters: fuzzClusters(revs, ready), State: state, Now: t0.Add(time.Duration(minutes) * time.Minute)}
		saved := state.DeepCopy()

		got, err := Plan(in)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := Plan(in)
		if !reflect.DeepEqual(got, again) {
			t.Fatalf("two plans of one input differ: %+v, %+v", got, again)
		}
		if !reflect.DeepEqual(state, saved) {
			t.Fatalf("the input state was changed: %+v, was %+v", state, saved)
		}
		checkPlanPromises(t, in, got)
	})
}

// fuzzStrategy has a canary wave (c0) and a wave of the even clusters.
func fuzzStrategy(max byte, paused bool) *fedtypesv1b1.RolloutStrategy {
	strategy := &fedtypesv1b1.RolloutStrategy{
		Waves: []fedtypesv1b1.RolloutWave{
			{Name: "canary", Clusters: []fedtypesv1b1.GenericClusterReference{{Name: "c0"}}},
			{Name: "even", ClusterSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"parity": "even"}}},
		},
		SoakTime:         &metav1.Duration{Duration: 10 * time.Minute},
		ProgressDeadline: &metav1.Duration{Duration: 15 * time.Minute},
		Paused:           paused,
	}
	if max%4 != 0 {
		strategy.Waves[1].MaxConcurrentClusters = ptr.To(int32(max % 4))
	}
	return strategy
}

var fuzzReadinesses = []fedtypesv1b1.Readiness{
	fedtypesv1b1.ReadinessCurrent, fedtypesv1b1.ReadinessInProgress, fedtypesv1b1.ReadinessFailed,
	fedtypesv1b1.ReadinessUnknown, fedtypesv1b1.ReadinessNotFound, "",
}

// fuzzClusters names the clusters c0, c1, ...; the even ones are labelled
// parity=even.
func fuzzClusters(revs, ready []byte) []Cluster {
	var clusters []Cluster
	for i, r := range revs {
		c := Cluster{Name: fmt.Sprintf("c%d", i), Revision: int64(r % 4)}
		if i%2 == 0 {
			c.Labels = map[string]string{"parity": "even"}
		}
		if i < len(ready) {
			c.Readiness = fuzzReadinesses[int(ready[i])%len(fuzzReadinesses)]
		}
		clusters = append(clusters, c)
	}
	return clusters
}

var fuzzPhases = []fedtypesv1b1.RolloutPhase{
	fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RolloutPhasePaused,
	fedtypesv1b1.RolloutPhaseStalled, fedtypesv1b1.RolloutPhaseComplete,
}

func fuzzState(target, phase, wave byte) *fedtypesv1b1.RolloutStatus {
	start := metav1.NewTime(t0)
	state := &fedtypesv1b1.RolloutStatus{ObservedGeneration: 5, CurrentRevision: 1, UpdateRevision: int64(target%3) + 1,
		Phase: fuzzPhases[int(phase)%len(fuzzPhases)], CurrentWave: int32(wave % 3), WaveStartTime: &start}
	if phase%8 >= 4 {
		soak := metav1.NewTime(t0.Add(time.Minute))
		state.SoakStartTime = &soak
	}
	return state
}

// checkPlanPromises checks the promises that hold for any input.
func checkPlanPromises(t *testing.T, in Input, got Result) {
	t.Helper()
	running := map[string]int64{}
	for _, c := range in.Clusters {
		running[c.Name] = c.Revision
	}
	if len(got.Revisions) != len(in.Clusters) {
		t.Fatalf("revisions for %d clusters, %d placed", len(got.Revisions), len(in.Clusters))
	}
	for name, rev := range got.Revisions {
		if rev != running[name] && rev != in.Target {
			t.Errorf("%s given revision %d: neither the target %d nor the one it runs %d", name, rev, in.Target, running[name])
		}
	}
	s := got.State
	switch s.Phase {
	case fedtypesv1b1.RolloutPhaseStalled, fedtypesv1b1.RolloutPhasePaused:
		if !maps.Equal(got.Revisions, running) {
			t.Errorf("%s, yet clusters are written: %v, running %v", s.Phase, got.Revisions, running)
		}
	case fedtypesv1b1.RolloutPhaseComplete:
		for name, rev := range got.Revisions {
			if rev != in.Target {
				t.Errorf("Complete, yet %s is given %d, not the target %d", name, rev, in.Target)
			}
		}
		return
	}
	checkWaveOrder(t, in, got)
}

// checkWaveOrder checks that no cluster is written before its wave's turn
// and no wave writes more than maxConcurrentClusters at once.
func checkWaveOrder(t *testing.T, in Input, got Result) {
	t.Helper()
	waves, _ := resolveWaves(in.Strategy, in.Clusters)
	for k, w := range waves {
		written := 0
		for _, c := range w.clusters {
			given := got.Revisions[c.Name]
			if given == c.Revision {
				continue
			}
			written++
			if int32(k) > got.State.CurrentWave {
				t.Errorf("%s of wave %s is written (%d -> %d) before its turn (wave in progress %d)", c.Name, w.name, c.Revision, given, got.State.CurrentWave)
			}
		}
		if w.max > 0 && written > w.max {
			t.Errorf("wave %s: %d clusters written at once, max %d", w.name, written, w.max)
		}
	}
}
