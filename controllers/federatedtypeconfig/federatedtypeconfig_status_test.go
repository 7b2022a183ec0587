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

package federatedtypeconfig

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/statuspatch"
)

func TestSetMemberWatchesCondition(t *testing.T) {
	ftc := &fedcorev1b1.FederatedTypeConfig{ObjectMeta: metav1.ObjectMeta{Name: "widgets.example.io", Generation: 3}}
	ftc.Spec.TargetType = fedcorev1b1.APIResource{Group: "example.io", Version: "v1", Kind: "Widget", PluralName: "widgets", Scope: "Namespaced"}
	noMatch := fmt.Errorf("getting the informer of example.io/v1, Kind=Widget in cluster member2: %w",
		&meta.NoKindMatchError{GroupKind: schema.GroupKind{Group: "example.io", Kind: "Widget"}, SearchedVersions: []string{"v1"}})

	setMemberWatchesCondition(ftc, map[string]error{
		"member3": errors.New("failed to get server groups: connection refused"),
		"member2": noMatch,
	})
	cond := meta.FindStatusCondition(ftc.Status.Conditions, fedcorev1b1.FederatedTypeConfigMemberWatchesReady)
	if cond == nil {
		t.Fatal("no MemberWatchesReady condition")
	}
	if cond.Status != metav1.ConditionFalse || cond.Reason != fedcorev1b1.ReasonMemberWatchFailed || cond.ObservedGeneration != 3 {
		t.Errorf("condition = %+v, want False, MemberWatchFailed, generation 3", cond)
	}
	for _, want := range []string{
		"cluster member2 does not serve Widget example.io/v1: install the CRD widgets.example.io there",
		"cluster member3: failed to get server groups: connection refused",
		"kubefed tries again by itself",
	} {
		if !strings.Contains(cond.Message, want) {
			t.Errorf("message %q does not contain %q", cond.Message, want)
		}
	}
	if i, j := strings.Index(cond.Message, "member2"), strings.Index(cond.Message, "member3"); i > j {
		t.Errorf("clusters not in order: %q", cond.Message)
	}

	// The watch runs everywhere: the condition goes.
	setMemberWatchesCondition(ftc, nil)
	if cond := meta.FindStatusCondition(ftc.Status.Conditions, fedcorev1b1.FederatedTypeConfigMemberWatchesReady); cond != nil {
		t.Errorf("condition kept after the watch started everywhere: %+v", cond)
	}
}

// TestStatusWrittenOnlyWhenChanged: the status patch (statuspatch.Data,
// what writeStatus sends) is empty exactly when the status is the same as
// stored, condition times compared to the second as the API stores them.
func TestStatusWrittenOnlyWhenChanged(t *testing.T) {
	running := fedcorev1b1.ControllerStatusRunning
	base := func() *fedcorev1b1.FederatedTypeConfigStatus {
		return &fedcorev1b1.FederatedTypeConfigStatus{
			ObservedGeneration:    2,
			PropagationController: fedcorev1b1.ControllerStatusRunning,
			Conditions: []metav1.Condition{{
				Type: fedcorev1b1.FederatedTypeConfigReady, Status: metav1.ConditionTrue, Reason: fedcorev1b1.ReasonControllerRunning,
				Message: "the sync controller is running", ObservedGeneration: 2,
				LastTransitionTime: metav1.NewTime(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)),
			}},
		}
	}
	tests := []struct {
		name   string
		change func(*fedcorev1b1.FederatedTypeConfigStatus)
		want   bool
	}{
		{"same", func(*fedcorev1b1.FederatedTypeConfigStatus) {}, true},
		{"observed generation", func(s *fedcorev1b1.FederatedTypeConfigStatus) { s.ObservedGeneration = 3 }, false},
		{"controller", func(s *fedcorev1b1.FederatedTypeConfigStatus) {
			s.PropagationController = fedcorev1b1.ControllerStatusNotRunning
		}, false},
		{"status controller", func(s *fedcorev1b1.FederatedTypeConfigStatus) { s.StatusController = &running }, false},
		{"condition reason", func(s *fedcorev1b1.FederatedTypeConfigStatus) {
			s.Conditions[0].Reason = fedcorev1b1.ReasonFederatedTypeCRDNotFound
		}, false},
		{"condition message", func(s *fedcorev1b1.FederatedTypeConfigStatus) { s.Conditions[0].Message = "other" }, false},
		{"condition time", func(s *fedcorev1b1.FederatedTypeConfigStatus) {
			s.Conditions[0].LastTransitionTime = metav1.NewTime(time.Date(2026, 3, 1, 12, 0, 1, 0, time.UTC))
		}, false},
		{"condition time below a second", func(s *fedcorev1b1.FederatedTypeConfigStatus) {
			s.Conditions[0].LastTransitionTime = metav1.NewTime(time.Date(2026, 3, 1, 12, 0, 0, 5, time.UTC))
		}, true},
		{"no conditions", func(s *fedcorev1b1.FederatedTypeConfigStatus) { s.Conditions = nil }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := base(), base()
			tt.change(b)
			if got := unchanged(t, a, b); got != tt.want {
				t.Errorf("unchanged = %v, want %v", got, tt.want)
			}
			if got := unchanged(t, b, a); got != tt.want {
				t.Errorf("unchanged reversed = %v, want %v", got, tt.want)
			}
		})
	}
	if !unchanged(t, &fedcorev1b1.FederatedTypeConfigStatus{}, &fedcorev1b1.FederatedTypeConfigStatus{Conditions: []metav1.Condition{}}) {
		t.Errorf("no conditions and an empty list differ")
	}
}

// unchanged reports whether the status patch from stored to computed is
// empty.
func unchanged(t *testing.T, stored, computed *fedcorev1b1.FederatedTypeConfigStatus) bool {
	t.Helper()
	orig := &fedcorev1b1.FederatedTypeConfig{ObjectMeta: metav1.ObjectMeta{Name: "widgets.example.io", ResourceVersion: "7"}, Status: *stored}
	obj := orig.DeepCopy()
	obj.Status = *computed
	data, err := statuspatch.Data(obj, orig, statuspatch.Optimistic)
	if err != nil {
		t.Fatal(err)
	}
	return data == nil
}
