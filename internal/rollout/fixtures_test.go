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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// The expected values below come from the rules and the worked example of
// docs/rollout.md, written before the planner: member1 is wave canary,
// member2 (region europe) wave europe, member3 in no wave (remaining);
// soakTime 10m, progressDeadline 15m.

const (
	cur = fedtypesv1b1.ReadinessCurrent
	inp = fedtypesv1b1.ReadinessInProgress
	fld = fedtypesv1b1.ReadinessFailed
)

var t0 = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

func at(hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic(err)
	}
	return time.Date(2026, 12, 3, t.Hour(), t.Minute(), 0, 0, time.UTC)
}

func mt(hhmm string) *metav1.Time { return &metav1.Time{Time: at(hhmm)} }

func exampleStrategy() *fedtypesv1b1.RolloutStrategy {
	return &fedtypesv1b1.RolloutStrategy{
		Waves: []fedtypesv1b1.RolloutWave{
			{Name: "canary", Clusters: []fedtypesv1b1.GenericClusterReference{{Name: "member1"}}},
			{Name: "europe", ClusterSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"region": "europe"}}},
		},
		SoakTime:         &metav1.Duration{Duration: 10 * time.Minute},
		ProgressDeadline: &metav1.Duration{Duration: 15 * time.Minute},
	}
}

// three returns member1..3 running the given revisions with the given
// readiness.
func three(r1 int64, s1 fedtypesv1b1.Readiness, r2 int64, s2 fedtypesv1b1.Readiness, r3 int64, s3 fedtypesv1b1.Readiness) []Cluster {
	return []Cluster{
		{Name: "member1", Revision: r1, Readiness: s1},
		{Name: "member2", Labels: map[string]string{"region": "europe"}, Revision: r2, Readiness: s2},
		{Name: "member3", Revision: r3, Readiness: s3},
	}
}

func progressing(gen, current, update int64, wave int32, name string, start, soak *metav1.Time) *fedtypesv1b1.RolloutStatus {
	reason := fedtypesv1b1.RolloutReasonWaveInProgress
	if soak != nil {
		reason = fedtypesv1b1.RolloutReasonWaveSoaking
	}
	return &fedtypesv1b1.RolloutStatus{ObservedGeneration: gen, CurrentRevision: current, UpdateRevision: update,
		Phase: fedtypesv1b1.RolloutPhaseProgressing, Reason: reason, CurrentWave: wave, CurrentWaveName: name,
		WaveStartTime: start, SoakStartTime: soak}
}

func complete(gen, rev int64) *fedtypesv1b1.RolloutStatus {
	return &fedtypesv1b1.RolloutStatus{ObservedGeneration: gen, CurrentRevision: rev, UpdateRevision: rev,
		Phase: fedtypesv1b1.RolloutPhaseComplete, Reason: fedtypesv1b1.RolloutReasonComplete,
		CurrentWave: 2, CurrentWaveName: fedtypesv1b1.RemainingWaveName}
}

func stalled(gen, current, update int64, wave int32, name string, start *metav1.Time) *fedtypesv1b1.RolloutStatus {
	return &fedtypesv1b1.RolloutStatus{ObservedGeneration: gen, CurrentRevision: current, UpdateRevision: update,
		Phase: fedtypesv1b1.RolloutPhaseStalled, Reason: fedtypesv1b1.RolloutReasonProgressDeadlineExceeded,
		Message:     "wave canary (1/3) not Current within 15m0s: member1 InProgress",
		CurrentWave: wave, CurrentWaveName: name, WaveStartTime: start}
}

func pausedAt(gen, current, update int64, wave int32, name string, start, soak *metav1.Time) *fedtypesv1b1.RolloutStatus {
	s := progressing(gen, current, update, wave, name, start, soak)
	s.Phase, s.Reason = fedtypesv1b1.RolloutPhasePaused, fedtypesv1b1.RolloutReasonPaused
	return s
}

func withPrevious(s *fedtypesv1b1.RolloutStatus, previous int64) *fedtypesv1b1.RolloutStatus {
	s.PreviousRevision = previous
	return s
}

func sameTime(a, b *metav1.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Time.Equal(b.Time)
}

// A restarted controller continues from status.rollout alone: replaying the

func withMax(max int32) *fedtypesv1b1.RolloutStrategy {
	s := exampleStrategy()
	s.Waves[1].MaxConcurrentClusters = ptr.To(max)
	return s
}

// four puts member2 and member4 in europe (selected: name order).
func four(r2 int64, s2 fedtypesv1b1.Readiness, r4 int64, s4 fedtypesv1b1.Readiness) []Cluster {
	return append(three(2, cur, r2, s2, 1, cur),
		Cluster{Name: "member4", Labels: map[string]string{"region": "europe"}, Revision: r4, Readiness: s4})
}

func pausedStrategy() *fedtypesv1b1.RolloutStrategy {
	s := exampleStrategy()
	s.Paused = true
	return s
}
