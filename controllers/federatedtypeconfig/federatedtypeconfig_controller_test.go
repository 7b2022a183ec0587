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
	"regexp"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/federatedtypes"
)

func TestSettingsFrom(t *testing.T) {
	defaults := settings{Workers: 8, AvailableDelay: 20 * time.Second, UnavailableDelay: 60 * time.Second}
	dur := func(d time.Duration) *metav1.Duration { return &metav1.Duration{Duration: d} }
	tests := []struct {
		name string
		cfg  fedcorev1b1.KubeFedConfigSpec
		want settings
	}{
		{"no KubeFedConfig", fedcorev1b1.KubeFedConfigSpec{}, defaults},
		{"empty sections", fedcorev1b1.KubeFedConfigSpec{
			SyncController:     &fedcorev1b1.SyncControllerConfig{},
			ControllerDuration: &fedcorev1b1.DurationConfig{},
		}, defaults},
		{"workers", fedcorev1b1.KubeFedConfigSpec{
			SyncController: &fedcorev1b1.SyncControllerConfig{MaxConcurrentReconciles: ptr.To[int64](3)},
		}, settings{Workers: 3, AvailableDelay: 20 * time.Second, UnavailableDelay: 60 * time.Second}},
		{"zero workers keeps the default", fedcorev1b1.KubeFedConfigSpec{
			SyncController: &fedcorev1b1.SyncControllerConfig{MaxConcurrentReconciles: ptr.To[int64](0)},
		}, defaults},
		{"negative workers keeps the default", fedcorev1b1.KubeFedConfigSpec{
			SyncController: &fedcorev1b1.SyncControllerConfig{MaxConcurrentReconciles: ptr.To[int64](-1)},
		}, defaults},
		{"available delay", fedcorev1b1.KubeFedConfigSpec{
			ControllerDuration: &fedcorev1b1.DurationConfig{AvailableDelay: dur(5 * time.Second)},
		}, settings{Workers: 8, AvailableDelay: 5 * time.Second, UnavailableDelay: 60 * time.Second}},
		{"unavailable delay", fedcorev1b1.KubeFedConfigSpec{
			ControllerDuration: &fedcorev1b1.DurationConfig{UnavailableDelay: dur(2 * time.Minute)},
		}, settings{Workers: 8, AvailableDelay: 20 * time.Second, UnavailableDelay: 2 * time.Minute}},
		{"every value", fedcorev1b1.KubeFedConfigSpec{
			SyncController:     &fedcorev1b1.SyncControllerConfig{MaxConcurrentReconciles: ptr.To[int64](1)},
			ControllerDuration: &fedcorev1b1.DurationConfig{AvailableDelay: dur(time.Second), UnavailableDelay: dur(3 * time.Second)},
		}, settings{Workers: 1, AvailableDelay: time.Second, UnavailableDelay: 3 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := settingsFrom(&tt.cfg); got != tt.want {
				t.Errorf("settingsFrom = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSettingsDefaultsMatchTheAPIDefaults(t *testing.T) {
	s := settingsFrom(&fedcorev1b1.KubeFedConfigSpec{})
	if s.Workers != fedcorev1b1.DefaultSyncControllerMaxConcurrentReconciles {
		t.Errorf("workers = %d, want %d", s.Workers, fedcorev1b1.DefaultSyncControllerMaxConcurrentReconciles)
	}
	for _, d := range []struct {
		got  time.Duration
		want string
	}{{s.AvailableDelay, fedcorev1b1.DefaultClusterAvailableDelay}, {s.UnavailableDelay, fedcorev1b1.DefaultClusterUnavailableDelay}} {
		want, err := time.ParseDuration(d.want)
		if err != nil {
			t.Fatal(err)
		}
		if d.got != want {
			t.Errorf("delay = %s, want %s", d.got, want)
		}
	}
}

func TestConfigHash(t *testing.T) {
	tt, ok := federatedtypes.LookupDefault("apps", "Deployment")
	if !ok {
		t.Fatal("no default Deployment type")
	}
	base := func() *fedcorev1b1.FederatedTypeConfig { return federatedtypes.FederatedTypeConfig(tt) }
	baseSettings := settingsFrom(&fedcorev1b1.KubeFedConfigSpec{})
	want := configHash(base(), baseSettings)
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(want) {
		t.Errorf("hash = %q, want 16 hex digits", want)
	}

	disabled := fedcorev1b1.StatusCollectionDisabled
	changes := []struct {
		name    string
		ftc     func(*fedcorev1b1.FederatedTypeConfig)
		s       func(*settings)
		changes bool
	}{
		{"nothing", nil, nil, false},
		{"status", func(f *fedcorev1b1.FederatedTypeConfig) {
			f.Status.PropagationController = fedcorev1b1.ControllerStatusRunning
			f.Status.ObservedGeneration = 4
		}, nil, false},
		{"metadata", func(f *fedcorev1b1.FederatedTypeConfig) {
			f.ResourceVersion, f.Generation = "99", 4
			f.Labels = map[string]string{"x": "y"}
			f.Finalizers = []string{fedcorev1b1.FederatedTypeConfigFinalizer}
		}, nil, false},
		{"propagation", func(f *fedcorev1b1.FederatedTypeConfig) { f.Spec.Propagation = fedcorev1b1.PropagationDisabled }, nil, true},
		{"status collection", func(f *fedcorev1b1.FederatedTypeConfig) { f.Spec.StatusCollection = &disabled }, nil, true},
		{"target version", func(f *fedcorev1b1.FederatedTypeConfig) { f.Spec.TargetType.Version = "v2" }, nil, true},
		{"federated kind", func(f *fedcorev1b1.FederatedTypeConfig) { f.Spec.FederatedType.Kind = "OtherDeployment" }, nil, true},
		{"status type", func(f *fedcorev1b1.FederatedTypeConfig) {
			f.Spec.StatusType = &fedcorev1b1.APIResource{Version: "v1", Kind: "X", PluralName: "xs"}
		}, nil, true},
		{"workers", nil, func(s *settings) { s.Workers = 2 }, true},
		{"available delay", nil, func(s *settings) { s.AvailableDelay = time.Second }, true},
		{"unavailable delay", nil, func(s *settings) { s.UnavailableDelay = 2 * time.Minute }, true},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			ftc, s := base(), baseSettings
			if c.ftc != nil {
				c.ftc(ftc)
			}
			if c.s != nil {
				c.s(&s)
			}
			got := configHash(ftc, s)
			if (got != want) != c.changes {
				t.Errorf("hash %s vs %s: changed = %v, want %v", got, want, got != want, c.changes)
			}
			if again := configHash(ftc, s); again != got {
				t.Errorf("hash not stable: %s then %s", got, again)
			}
		})
	}
}

func TestEqualStatus(t *testing.T) {
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
			if got := equalStatus(a, b); got != tt.want {
				t.Errorf("equalStatus = %v, want %v", got, tt.want)
			}
			if got := equalStatus(b, a); got != tt.want {
				t.Errorf("equalStatus reversed = %v, want %v", got, tt.want)
			}
		})
	}
	if !equalStatus(&fedcorev1b1.FederatedTypeConfigStatus{}, &fedcorev1b1.FederatedTypeConfigStatus{Conditions: []metav1.Condition{}}) {
		t.Errorf("no conditions and an empty list differ")
	}
}
