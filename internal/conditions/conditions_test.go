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

package conditions

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestSet(t *testing.T) {
	before := metav1.NewTime(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	conds := []metav1.Condition{{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Running", ObservedGeneration: 1, LastTransitionTime: before}}

	// Same status, new generation and message: the transition time holds.
	Set(&conds, 2, metav1.Condition{Type: "Ready", Status: StatusFor(true), Reason: "Running", Message: "still running"})
	got := meta.FindStatusCondition(conds, "Ready")
	if got.ObservedGeneration != 2 || got.Message != "still running" || !got.LastTransitionTime.Equal(&before) {
		t.Errorf("after an update with the same status: %+v, want generation 2, the new message, the transition time %s", got, before)
	}

	// A new status: a new transition time.
	Set(&conds, 3, metav1.Condition{Type: "Ready", Status: StatusFor(false), Reason: "Failed"})
	got = meta.FindStatusCondition(conds, "Ready")
	if got.Status != metav1.ConditionFalse || got.ObservedGeneration != 3 || !got.LastTransitionTime.After(before.Time) {
		t.Errorf("after a status change: %+v, want False for generation 3 with a later transition time", got)
	}
	if len(conds) != 1 {
		t.Errorf("conditions %+v, want the one Ready condition", conds)
	}
}

func TestSetProblem(t *testing.T) {
	var conds []metav1.Condition
	SetProblem(&conds, 4, "MemberWatchesReady", "MemberWatchFailed", "not watched in member2")
	got := meta.FindStatusCondition(conds, "MemberWatchesReady")
	if got == nil || got.Status != metav1.ConditionFalse || got.Reason != "MemberWatchFailed" || got.Message != "not watched in member2" || got.ObservedGeneration != 4 {
		t.Fatalf("problem condition %+v, want False MemberWatchFailed for generation 4", got)
	}
	SetProblem(&conds, 4, "MemberWatchesReady", "MemberWatchFailed", "")
	if len(conds) != 0 {
		t.Errorf("conditions %+v after the problem went, want none", conds)
	}
}
