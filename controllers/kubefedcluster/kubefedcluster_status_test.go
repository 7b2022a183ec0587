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

package kubefedcluster

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

func TestDamp(t *testing.T) {
	th := thresholds{failure: 3, success: 2}
	tests := []struct {
		name     string
		reported health
		probes   []health
		want     []health
	}{
		{"first probe is taken as is", healthUnknown, []health{healthOffline}, []health{healthOffline}},
		{"malformed config fixed is taken as is", healthMalformed, []health{healthReady}, []health{healthReady}},
		{"ready stays ready below the failure threshold", healthReady,
			[]health{healthOffline, healthOffline, healthReady, healthOffline, healthOffline},
			[]health{healthReady, healthReady, healthReady, healthReady, healthReady}},
		{"ready turns offline at the failure threshold", healthReady,
			[]health{healthOffline, healthOffline, healthOffline},
			[]health{healthReady, healthReady, healthOffline}},
		{"mixed failures count together and the last kind wins", healthReady,
			[]health{healthNotReady, healthOffline, healthNotReady},
			[]health{healthReady, healthReady, healthNotReady}},
		{"offline turns ready at the success threshold", healthOffline,
			[]health{healthReady, healthReady},
			[]health{healthOffline, healthReady}},
		{"a failure resets the success run", healthOffline,
			[]health{healthReady, healthOffline, healthReady, healthReady},
			[]health{healthOffline, healthOffline, healthOffline, healthReady}},
		{"failure kinds switch at once", healthNotReady, []health{healthOffline}, []health{healthOffline}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reported, run := tt.reported, 0
			for i, p := range tt.probes {
				reported, run = damp(reported, p, run, th)
				if reported != tt.want[i] {
					t.Fatalf("probe %d (%s): reported %q, want %q", i, p, reported, tt.want[i])
				}
			}
		})
	}
}

func TestDampThresholdOne(t *testing.T) {
	got, run := damp(healthReady, healthOffline, 0, thresholds{failure: 1, success: 1})
	if got != healthOffline || run != 0 {
		t.Fatalf("got %q run %d, want Offline run 0", got, run)
	}
}

func TestConditionsFor(t *testing.T) {
	type want struct {
		t      fedcorev1b1.ClusterConditionType
		status corev1.ConditionStatus
		reason string
	}
	tests := []struct {
		health health
		want   []want
	}{
		{healthReady, []want{{fedcorev1b1.ClusterReady, corev1.ConditionTrue, fedcorev1b1.ClusterReadyReason}, {fedcorev1b1.ClusterOffline, corev1.ConditionFalse, fedcorev1b1.ClusterReachableReason}}},
		{healthNotReady, []want{{fedcorev1b1.ClusterReady, corev1.ConditionFalse, fedcorev1b1.ClusterNotReadyReason}, {fedcorev1b1.ClusterOffline, corev1.ConditionFalse, fedcorev1b1.ClusterReachableReason}}},
		{healthOffline, []want{{fedcorev1b1.ClusterReady, corev1.ConditionUnknown, fedcorev1b1.ClusterNotReachableReason}, {fedcorev1b1.ClusterOffline, corev1.ConditionTrue, fedcorev1b1.ClusterNotReachableReason}}},
		{healthMalformed, []want{{fedcorev1b1.ClusterReady, corev1.ConditionFalse, fedcorev1b1.ClusterConfigMalformedReason}, {fedcorev1b1.ClusterConfigMalformed, corev1.ConditionTrue, fedcorev1b1.ClusterConfigMalformedReason}}},
	}
	for _, tt := range tests {
		t.Run(string(tt.health), func(t *testing.T) {
			got := conditionsFor(tt.health, "/readyz answered 500", "Secret ns/s not found")
			if len(got) != len(tt.want) {
				t.Fatalf("got %d conditions, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				if got[i].Type != w.t || got[i].Status != w.status || *got[i].Reason != w.reason {
					t.Errorf("condition %d = %s/%s/%s, want %s/%s/%s", i, got[i].Type, got[i].Status, *got[i].Reason, w.t, w.status, w.reason)
				}
			}
			if got := reportedHealth(stamp(got, time.Now())); got != tt.health {
				t.Errorf("reportedHealth of the conditions = %q, want %q", got, tt.health)
			}
		})
	}
	if msg := *conditionsFor(healthMalformed, "", "Secret ns/s not found")[1].Message; msg != "Secret ns/s not found" {
		t.Errorf("ConfigMalformed message = %q", msg)
	}
	if msg := *conditionsFor(healthNotReady, "/readyz answered 500", "")[0].Message; msg != fedcorev1b1.ClusterHealthzNotOKMessage+": /readyz answered 500" {
		t.Errorf("NotReady message = %q", msg)
	}
}

func stamp(conds []fedcorev1b1.ClusterCondition, at time.Time) []fedcorev1b1.ClusterCondition {
	out := make([]fedcorev1b1.ClusterCondition, len(conds))
	for i, c := range conds {
		c.LastProbeTime = metav1.NewTime(at)
		c.LastTransitionTime = ptr.To(metav1.NewTime(at))
		out[i] = c
	}
	return out
}

func TestMergeConditions(t *testing.T) {
	heartbeat := 5 * time.Minute
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ready := conditionsFor(healthReady, "", "")
	offline := conditionsFor(healthOffline, "", "")
	tests := []struct {
		name           string
		stored         []fedcorev1b1.ClusterCondition
		desired        []fedcorev1b1.ClusterCondition
		now            time.Time
		wantUnchanged  bool
		wantTransition time.Time
		wantProbe      time.Time
	}{
		{"first write", nil, ready, t0, false, t0, t0},
		{"unchanged within the heartbeat is not written", stamp(ready, t0), ready, t0.Add(4 * time.Minute), true, t0, t0},
		{"unchanged past the heartbeat refreshes the probe time only", stamp(ready, t0), ready, t0.Add(6 * time.Minute), false, t0, t0.Add(6 * time.Minute)},
		{"a transition moves both times", stamp(ready, t0), offline, t0.Add(time.Minute), false, t0.Add(time.Minute), t0.Add(time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mergeConditions(tt.stored, tt.desired, metav1.NewTime(tt.now), heartbeat)
			if tt.wantUnchanged {
				if &got[0] != &tt.stored[0] {
					t.Fatalf("conditions were rewritten, want the stored ones")
				}
			}
			ready := findCondition(got, fedcorev1b1.ClusterReady)
			if !ready.LastTransitionTime.Time.Equal(tt.wantTransition) || !ready.LastProbeTime.Time.Equal(tt.wantProbe) {
				t.Fatalf("transition %s probe %s, want %s and %s", ready.LastTransitionTime.Time, ready.LastProbeTime.Time, tt.wantTransition, tt.wantProbe)
			}
		})
	}
}

func TestMergeConditionsMessageChangeKeepsTransitionTime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	stored := stamp(conditionsFor(healthNotReady, "/readyz answered 500", ""), t0)
	got := mergeConditions(stored, conditionsFor(healthNotReady, "/readyz answered 503", ""), metav1.NewTime(t0.Add(time.Second)), time.Hour)
	c := findCondition(got, fedcorev1b1.ClusterReady)
	if !c.LastTransitionTime.Time.Equal(t0) || !c.LastProbeTime.Time.Equal(t0.Add(time.Second)) {
		t.Fatalf("transition %s probe %s: a message change must keep the transition time", c.LastTransitionTime, c.LastProbeTime)
	}
}

func TestZonesAndRegion(t *testing.T) {
	node := func(labels map[string]string) metav1.PartialObjectMetadata {
		return metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Labels: labels}}
	}
	tests := []struct {
		name       string
		nodes      []metav1.PartialObjectMetadata
		wantZones  []string
		wantRegion *string
	}{
		{"no labels", []metav1.PartialObjectMetadata{node(nil)}, nil, nil},
		{"one region, two zones", []metav1.PartialObjectMetadata{
			node(map[string]string{corev1.LabelTopologyZone: "eu-b", corev1.LabelTopologyRegion: "eu"}),
			node(map[string]string{corev1.LabelTopologyZone: "eu-a", corev1.LabelTopologyRegion: "eu"}),
			node(map[string]string{corev1.LabelTopologyZone: "eu-a", corev1.LabelTopologyRegion: "eu"}),
		}, []string{"eu-a", "eu-b"}, ptr.To("eu")},
		{"beta labels", []metav1.PartialObjectMetadata{
			node(map[string]string{corev1.LabelFailureDomainBetaZone: "z", corev1.LabelFailureDomainBetaRegion: "r"}),
		}, []string{"z"}, ptr.To("r")},
		{"two regions give no region", []metav1.PartialObjectMetadata{
			node(map[string]string{corev1.LabelTopologyRegion: "eu"}),
			node(map[string]string{corev1.LabelTopologyRegion: "us"}),
		}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zones, region := zonesAndRegion(tt.nodes)
			if len(zones) != len(tt.wantZones) || (len(zones) > 0 && zones[0] != tt.wantZones[0]) || ptr.Deref(region, "") != ptr.Deref(tt.wantRegion, "") {
				t.Fatalf("got %v %v, want %v %v", zones, ptr.Deref(region, "<nil>"), tt.wantZones, ptr.Deref(tt.wantRegion, "<nil>"))
			}
		})
	}
}
