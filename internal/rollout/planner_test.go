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
	"maps"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

type want struct {
	revisions map[string]int64
	phase     fedtypesv1b1.RolloutPhase
	reason    fedtypesv1b1.RolloutReason
	current   int64
	previous  int64
	update    int64
	wave      int32
	waveName  string
	waveStart *metav1.Time
	soakStart *metav1.Time
	// message fragments: the clusters a stop names, for instance.
	message []string
	requeue time.Duration
}

type planCase struct {
	name       string
	strategy   *fedtypesv1b1.RolloutStrategy
	generation int64
	target     int64
	clusters   []Cluster
	state      *fedtypesv1b1.RolloutStatus
	now        time.Time
	want       want
}

// planCases are the rules and the worked example of docs/rollout.md.
var planCases = []planCase{
	// Rule 1: no state, the first revision goes everywhere at once.
	{
		name: "first revision", generation: 1, target: 1, now: at("09:00"),
		clusters: three(0, "", 0, "", 0, ""),
		want: want{revisions: map[string]int64{"member1": 1, "member2": 1, "member3": 1},
			phase: "Complete", reason: "InitialRevision", current: 1, update: 1, wave: 2, waveName: "remaining"},
	},
	// The worked example, row by row.
	{
		name: "10:00 v2 applied: canary only", generation: 2, target: 2, now: at("10:00"),
		clusters: three(1, cur, 1, cur, 1, cur), state: complete(1, 1),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 1, "member3": 1},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 0, waveName: "canary",
			waveStart: mt("10:00"), message: []string{"canary", "member1"}, requeue: 15 * time.Minute},
	},
	{
		name: "10:01 member1 runs 2, InProgress: nothing else", generation: 2, target: 2, now: at("10:01"),
		clusters: three(2, inp, 1, cur, 1, cur), state: progressing(2, 1, 2, 0, "canary", mt("10:00"), nil),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 1, "member3": 1},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 0, waveName: "canary",
			waveStart: mt("10:00"), message: []string{"member1 InProgress"}, requeue: 14 * time.Minute},
	},
	{
		name: "10:02 member1 Current: soak starts", generation: 2, target: 2, now: at("10:02"),
		clusters: three(2, cur, 1, cur, 1, cur), state: progressing(2, 1, 2, 0, "canary", mt("10:00"), nil),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 1, "member3": 1},
			phase: "Progressing", reason: "WaveSoaking", current: 1, update: 2, wave: 0, waveName: "canary",
			waveStart: mt("10:00"), soakStart: mt("10:02"), requeue: 10 * time.Minute},
	},
	{
		name: "soaking past the wave's deadline is no stop", generation: 2, target: 2, now: at("10:17"),
		clusters: three(2, cur, 1, cur, 1, cur), state: progressing(2, 1, 2, 0, "canary", mt("10:00"), mt("10:12")),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 1, "member3": 1},
			phase: "Progressing", reason: "WaveSoaking", current: 1, update: 2, wave: 0, waveName: "canary",
			waveStart: mt("10:00"), soakStart: mt("10:12"), requeue: 5 * time.Minute},
	},
	{
		name: "10:12 soak over: europe", generation: 2, target: 2, now: at("10:12"),
		clusters: three(2, cur, 1, cur, 1, cur), state: progressing(2, 1, 2, 0, "canary", mt("10:00"), mt("10:02")),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 1},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 1, waveName: "europe",
			waveStart: mt("10:12"), message: []string{"member2"}, requeue: 15 * time.Minute},
	},
	{
		name: "10:13 member2 Current: soak", generation: 2, target: 2, now: at("10:13"),
		clusters: three(2, cur, 2, cur, 1, cur), state: progressing(2, 1, 2, 1, "europe", mt("10:12"), nil),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 1},
			phase: "Progressing", reason: "WaveSoaking", current: 1, update: 2, wave: 1, waveName: "europe",
			waveStart: mt("10:12"), soakStart: mt("10:13"), requeue: 10 * time.Minute},
	},
	{
		name: "10:23 soak over: remaining", generation: 2, target: 2, now: at("10:23"),
		clusters: three(2, cur, 2, cur, 1, cur), state: progressing(2, 1, 2, 1, "europe", mt("10:12"), mt("10:13")),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 2},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 2, waveName: "remaining",
			waveStart: mt("10:23"), requeue: 15 * time.Minute},
	},
	{
		name: "10:24 member3 Current: complete, no soak after the last wave", generation: 2, target: 2, now: at("10:24"),
		clusters: three(2, cur, 2, cur, 2, cur), state: progressing(2, 1, 2, 2, "remaining", mt("10:23"), nil),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 2},
			phase: "Complete", reason: "RolloutComplete", current: 2, previous: 1, update: 2, wave: 2, waveName: "remaining"},
	},
	// The bad version.
	{
		name: "11:15 member1 still InProgress: stalled, nobody else written", generation: 3, target: 3, now: at("11:15"),
		clusters: three(3, inp, 2, cur, 2, cur), state: progressing(3, 2, 3, 0, "canary", mt("11:00"), nil),
		want: want{revisions: map[string]int64{"member1": 3, "member2": 2, "member3": 2},
			phase: "Stalled", reason: "ProgressDeadlineExceeded", current: 2, update: 3, wave: 0, waveName: "canary",
			waveStart: mt("11:00"), message: []string{"member1 InProgress"}},
	},
	{
		name: "stalled holds while the spec is unchanged, even if member1 recovers", generation: 3, target: 3, now: at("11:20"),
		clusters: three(3, cur, 2, cur, 2, cur), state: stalled(3, 2, 3, 0, "canary", mt("11:00")),
		want: want{revisions: map[string]int64{"member1": 3, "member2": 2, "member3": 2},
			phase: "Stalled", reason: "ProgressDeadlineExceeded", current: 2, update: 3, wave: 0, waveName: "canary",
			waveStart: mt("11:00")},
	},
	{
		name: "11:16 undo (target 2): canary back to 2", generation: 4, target: 2, now: at("11:16"),
		clusters: three(3, inp, 2, cur, 2, cur), state: stalled(3, 2, 3, 0, "canary", mt("11:00")),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 2},
			phase: "Progressing", reason: "WaveInProgress", current: 2, update: 2, wave: 0, waveName: "canary",
			waveStart: mt("11:16"), message: []string{"member1"}, requeue: 15 * time.Minute},
	},
	{
		name: "11:17 member1 back on 2 and Current: canary soaks (it was updated)", generation: 4, target: 2, now: at("11:17"),
		clusters: three(2, cur, 2, cur, 2, cur), state: progressing(4, 2, 2, 0, "canary", mt("11:16"), nil),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 2},
			phase: "Progressing", reason: "WaveSoaking", current: 2, update: 2, wave: 0, waveName: "canary",
			waveStart: mt("11:16"), soakStart: mt("11:17"), requeue: 10 * time.Minute},
	},
	{
		name: "11:27 soak over: europe and remaining had nothing to do, passed at once", generation: 4, target: 2, now: at("11:27"),
		clusters: three(2, cur, 2, cur, 2, cur), state: withPrevious(progressing(4, 2, 2, 0, "canary", mt("11:16"), mt("11:17")), 1),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 2},
			phase: "Complete", reason: "RolloutComplete", current: 2, previous: 1, update: 2, wave: 2, waveName: "remaining"},
	},
	// Rule 7: a Failed copy of the target stops at once.
	{
		name: "a Failed copy in the canary stops before any deadline", generation: 3, target: 3, now: at("11:01"),
		clusters: []Cluster{{Name: "member1", Revision: 3, Readiness: fld, ReadinessMessage: "CrashLoopBackOff"},
			{Name: "member2", Labels: map[string]string{"region": "europe"}, Revision: 2, Readiness: cur},
			{Name: "member3", Revision: 2, Readiness: cur}},
		state: progressing(3, 2, 3, 0, "canary", mt("11:00"), nil),
		want: want{revisions: map[string]int64{"member1": 3, "member2": 2, "member3": 2},
			phase: "Stalled", reason: "ClusterFailed", current: 2, update: 3, wave: 0, waveName: "canary",
			waveStart: mt("11:00"), message: []string{"member1 Failed", "CrashLoopBackOff"}},
	},
	{
		name: "a Failed copy of an older revision in a later wave is not this rollout's", generation: 3, target: 3, now: at("11:01"),
		clusters: three(3, inp, 2, fld, 2, cur), state: progressing(3, 2, 3, 0, "canary", mt("11:00"), nil),
		want: want{revisions: map[string]int64{"member1": 3, "member2": 2, "member3": 2},
			phase: "Progressing", reason: "WaveInProgress", current: 2, update: 3, wave: 0, waveName: "canary",
			waveStart: mt("11:00"), requeue: 14 * time.Minute},
	},
	// Rule 7: a new generation retries the wave with a fresh deadline.
	{
		name: "a spec change retries a stalled wave", generation: 4, target: 3, now: at("11:30"),
		clusters: three(3, inp, 2, cur, 2, cur), state: stalled(3, 2, 3, 0, "canary", mt("11:00")),
		want: want{revisions: map[string]int64{"member1": 3, "member2": 2, "member3": 2},
			phase: "Progressing", reason: "WaveInProgress", current: 2, update: 3, wave: 0, waveName: "canary",
			waveStart: mt("11:30"), requeue: 15 * time.Minute},
	},
	// Rule 8: pause and resume.
	{
		name: "paused: europe's turn has come but nobody is written", generation: 3, target: 2, now: at("10:12"),
		strategy: pausedStrategy(), clusters: three(2, cur, 1, cur, 1, cur), state: progressing(2, 1, 2, 0, "canary", mt("10:00"), mt("10:02")),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 1, "member3": 1},
			phase: "Paused", reason: "Paused", current: 1, update: 2, wave: 0, waveName: "canary",
			waveStart: mt("10:00"), soakStart: mt("10:02"), message: []string{"canary"}},
	},
	{
		name: "paused: a new revision is recorded and waits at the first wave", generation: 3, target: 3, now: at("10:30"),
		strategy: pausedStrategy(), clusters: three(2, cur, 2, cur, 2, cur), state: complete(2, 2),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 2},
			phase: "Paused", reason: "Paused", current: 2, update: 3, wave: 0, waveName: "canary",
			waveStart: mt("10:30")},
	},
	{
		name: "resumed: the wave starts over, the soak too", generation: 4, target: 2, now: at("10:40"),
		clusters: three(2, cur, 1, cur, 1, cur), state: pausedAt(3, 1, 2, 0, "canary", mt("10:00"), mt("10:02")),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 1, "member3": 1},
			phase: "Progressing", reason: "WaveSoaking", current: 1, update: 2, wave: 0, waveName: "canary",
			waveStart: mt("10:40"), soakStart: mt("10:40"), requeue: 10 * time.Minute},
	},
	{
		name: "paused has no effect on a complete rollout: a new cluster gets the revision", generation: 3, target: 2, now: at("10:30"),
		strategy: pausedStrategy(), clusters: three(2, cur, 2, cur, 0, ""), state: complete(2, 2),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 2},
			phase: "Complete", reason: "RolloutComplete", current: 2, update: 2, wave: 2, waveName: "remaining"},
	},
	// Rule 2: a new target while a rollout runs starts over at the
	// first wave; clusters of later waves keep what they run.
	{
		name: "revision 3 while 2 is in europe", generation: 3, target: 3, now: at("10:14"),
		clusters: three(2, cur, 2, inp, 1, cur), state: progressing(2, 1, 2, 1, "europe", mt("10:12"), nil),
		want: want{revisions: map[string]int64{"member1": 3, "member2": 2, "member3": 1},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 3, wave: 0, waveName: "canary",
			waveStart: mt("10:14"), requeue: 15 * time.Minute},
	},
	// Rule 6: waves that are done when their turn comes pass at once.
	{
		name: "a revert to what most clusters run: only the canary is written and soaks", generation: 3, target: 1, now: at("10:05"),
		clusters: three(2, inp, 1, cur, 1, cur), state: progressing(2, 1, 2, 0, "canary", mt("10:00"), nil),
		want: want{revisions: map[string]int64{"member1": 1, "member2": 1, "member3": 1},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 1, wave: 0, waveName: "canary",
			waveStart: mt("10:05"), requeue: 15 * time.Minute},
	},
	{
		name: "a target every cluster runs already: complete at once", generation: 3, target: 1, now: at("10:05"),
		clusters: three(1, cur, 1, cur, 1, cur), state: progressing(2, 1, 2, 0, "canary", mt("10:00"), nil),
		want: want{revisions: map[string]int64{"member1": 1, "member2": 1, "member3": 1},
			phase: "Complete", reason: "RolloutComplete", current: 1, update: 1, wave: 2, waveName: "remaining"},
	},
	// Rule 5: a copy that stops being Current during the soak starts
	// the soak, and the deadline, over.
	{
		name: "member1 InProgress again during the soak", generation: 2, target: 2, now: at("10:08"),
		clusters: three(2, inp, 1, cur, 1, cur), state: progressing(2, 1, 2, 0, "canary", mt("10:00"), mt("10:02")),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 1, "member3": 1},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 0, waveName: "canary",
			waveStart: mt("10:08"), requeue: 15 * time.Minute},
	},
	// Rule 4: batches.
	{
		name: "europe one at a time: member2 first (name order)", generation: 2, target: 2, now: at("10:12"),
		strategy: withMax(1), clusters: four(1, cur, 1, cur), state: progressing(2, 1, 2, 0, "canary", mt("10:00"), mt("10:02")),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 1, "member4": 1},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 1, waveName: "europe",
			waveStart: mt("10:12"), requeue: 15 * time.Minute},
	},
	{
		name: "europe one at a time: member4 waits while member2 is InProgress", generation: 2, target: 2, now: at("10:13"),
		strategy: withMax(1), clusters: four(2, inp, 1, cur), state: progressing(2, 1, 2, 1, "europe", mt("10:12"), nil),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 1, "member4": 1},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 1, waveName: "europe",
			waveStart: mt("10:12"), message: []string{"member2 InProgress", "member4"}, requeue: 14 * time.Minute},
	},
	{
		name: "europe one at a time: member4 once member2 is Current", generation: 2, target: 2, now: at("10:14"),
		strategy: withMax(1), clusters: four(2, cur, 1, cur), state: progressing(2, 1, 2, 1, "europe", mt("10:12"), nil),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 1, "member4": 2},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 1, waveName: "europe",
			waveStart: mt("10:12"), requeue: 13 * time.Minute},
	},
	{
		name: "europe two at a time: both at once", generation: 2, target: 2, now: at("10:12"),
		strategy: withMax(2), clusters: four(1, cur, 1, cur), state: progressing(2, 1, 2, 0, "canary", mt("10:00"), mt("10:02")),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 1, "member4": 2},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 1, waveName: "europe",
			waveStart: mt("10:12"), requeue: 15 * time.Minute},
	},
	// Rules 3 and 9: clusters added to the placement mid-rollout.
	{
		name: "a new cluster in a wave whose turn has come gets the target, and the gate waits for it", generation: 2, target: 2, now: at("10:14"),
		clusters: append(three(2, cur, 2, cur, 1, cur), Cluster{Name: "member4", Labels: map[string]string{"region": "europe"}}),
		state:    progressing(2, 1, 2, 1, "europe", mt("10:12"), nil),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 1, "member4": 2},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 1, waveName: "europe",
			waveStart: mt("10:12"), message: []string{"member4"}, requeue: 13 * time.Minute},
	},
	{
		name: "a new cluster in a later wave stays without a copy", generation: 2, target: 2, now: at("10:14"),
		clusters: append(three(2, cur, 2, inp, 1, cur), Cluster{Name: "member5"}),
		state:    progressing(2, 1, 2, 1, "europe", mt("10:12"), nil),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 1, "member5": 0},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 1, waveName: "europe",
			waveStart: mt("10:12"), requeue: 13 * time.Minute},
	},
	// Waves edited under a rollout: europe removed while remaining
	// (index 2) was in progress; remaining is now index 1 and holds
	// member2 and member3.
	{
		name: "a wave removed under the rollout", generation: 3, target: 2, now: at("10:24"),
		strategy: &fedtypesv1b1.RolloutStrategy{Waves: exampleStrategy().Waves[:1], ProgressDeadline: exampleStrategy().ProgressDeadline},
		clusters: three(2, cur, 2, cur, 1, cur), state: progressing(2, 1, 2, 2, "remaining", mt("10:23"), nil),
		want: want{revisions: map[string]int64{"member1": 2, "member2": 2, "member3": 2},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 1, waveName: "remaining",
			waveStart: mt("10:23"), message: []string{"remaining (2/2)", "member3 pending"}, requeue: 14 * time.Minute},
	},
	// A wave with no placed cluster passes at once.
	{
		name: "canary not placed: europe starts at once", generation: 2, target: 2, now: at("10:00"),
		clusters: three(1, cur, 1, cur, 1, cur)[1:], state: complete(1, 1),
		want: want{revisions: map[string]int64{"member2": 2, "member3": 1},
			phase: "Progressing", reason: "WaveInProgress", current: 1, update: 2, wave: 1, waveName: "europe",
			waveStart: mt("10:00"), requeue: 15 * time.Minute},
	},
}

func TestPlan(t *testing.T) {
	t.Parallel()
	for _, tc := range planCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			strategy := tc.strategy
			if strategy == nil {
				strategy = exampleStrategy()
			}
			got, err := Plan(Input{Strategy: strategy, Generation: tc.generation, Target: tc.target,
				Clusters: tc.clusters, State: tc.state, Now: tc.now})
			if err != nil {
				t.Fatal(err)
			}
			checkPlan(t, tc, got)
		})
	}
}

// checkPlan compares a plan with what the case wants.
func checkPlan(t *testing.T, tc planCase, got Result) {
	t.Helper()
	if !maps.Equal(got.Revisions, tc.want.revisions) {
		t.Errorf("revisions = %v, want %v", got.Revisions, tc.want.revisions)
	}
	s := got.State
	if s.Phase != tc.want.phase || s.Reason != tc.want.reason {
		t.Errorf("phase = %s/%s, want %s/%s (message %q)", s.Phase, s.Reason, tc.want.phase, tc.want.reason, s.Message)
	}
	if s.CurrentRevision != tc.want.current || s.UpdateRevision != tc.want.update || s.PreviousRevision != tc.want.previous {
		t.Errorf("revisions current/update/previous = %d/%d/%d, want %d/%d/%d", s.CurrentRevision, s.UpdateRevision, s.PreviousRevision,
			tc.want.current, tc.want.update, tc.want.previous)
	}
	if s.CurrentWave != tc.want.wave || s.CurrentWaveName != tc.want.waveName {
		t.Errorf("wave = %d %q, want %d %q", s.CurrentWave, s.CurrentWaveName, tc.want.wave, tc.want.waveName)
	}
	if !sameTime(s.WaveStartTime, tc.want.waveStart) || !sameTime(s.SoakStartTime, tc.want.soakStart) {
		t.Errorf("wave start, soak start = %v, %v; want %v, %v", s.WaveStartTime, s.SoakStartTime, tc.want.waveStart, tc.want.soakStart)
	}
	if s.ObservedGeneration != tc.generation {
		t.Errorf("observedGeneration = %d, want %d", s.ObservedGeneration, tc.generation)
	}
	for _, fragment := range tc.want.message {
		if !strings.Contains(s.Message, fragment) {
			t.Errorf("message %q does not name %q", s.Message, fragment)
		}
	}
	if got.RequeueAfter != tc.want.requeue {
		t.Errorf("requeue after %v, want %v", got.RequeueAfter, tc.want.requeue)
	}
	// The stored state is the planner's input, never changed by it.
	if tc.state != nil && tc.state == &got.State {
		t.Error("the plan shares the input state")
	}
}

// one returned (as it would be read back from the API), reaches the same
// rows, and nothing is written to member2 and member3 before their turn.
func TestPlanReplaysTheWorkedExample(t *testing.T) {
	t.Parallel()
	strategy := exampleStrategy()
	var state *fedtypesv1b1.RolloutStatus = complete(1, 1)
	running := map[string]int64{"member1": 1, "member2": 1, "member3": 1}
	ready := map[string]fedtypesv1b1.Readiness{"member1": cur, "member2": cur, "member3": cur}
	firstWrite := map[string]time.Time{}
	for now := at("10:00"); !now.After(at("10:40")); now = now.Add(time.Minute) {
		clusters := three(running["member1"], ready["member1"], running["member2"], ready["member2"], running["member3"], ready["member3"])
		plan, err := Plan(Input{Strategy: strategy, Generation: 2, Target: 2, Clusters: clusters, State: state, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		for name, rev := range plan.Revisions {
			if rev != running[name] {
				// Written now; the copy is Current a minute later.
				running[name], ready[name] = rev, inp
				firstWrite[name] = now
			} else if ready[name] == inp {
				ready[name] = cur
			}
		}
		next := plan.State
		state = &next
	}
	// A copy written at T is seen InProgress by the reconcile at T+1 and
	// Current from T+2. member1: written 10:00, Current 10:02, soak to
	// 10:12; member2: written 10:12, Current 10:14, soak to 10:24; member3:
	// written 10:24.
	want := map[string]time.Time{"member1": at("10:00"), "member2": at("10:12"), "member3": at("10:24")}
	if !maps.EqualFunc(firstWrite, want, time.Time.Equal) {
		t.Errorf("first writes = %v, want %v", firstWrite, want)
	}
	if state.Phase != fedtypesv1b1.RolloutPhaseComplete || state.CurrentRevision != 2 || state.PreviousRevision != 1 {
		t.Errorf("final state = %+v, want Complete at revision 2, previous 1", state)
	}
}

func TestPlanRefusesAnInvalidSelector(t *testing.T) {
	t.Parallel()
	s := exampleStrategy()
	s.Waves[1].ClusterSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "region", Operator: "Near"}}}
	_, err := Plan(Input{Strategy: s, Generation: 2, Target: 2, Clusters: three(1, cur, 1, cur, 1, cur), State: complete(1, 1), Now: t0})
	if err == nil || !strings.Contains(err.Error(), "europe") {
		t.Fatalf("error = %v, want one naming wave europe", err)
	}
}
