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

package v1beta1

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// TestSettingsDefaultsAreTheSchemaDefaults: a KubeFedConfig whose every
// section the API server filled from the CRD schema's defaults has the same
// settings as no KubeFedConfig at all, so there is one set of defaults.
func TestSettingsDefaultsAreTheSchemaDefaults(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "config", "crd", "bases", "core.kubefed.io_kubefedconfigs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.Unmarshal(data, crd); err != nil {
		t.Fatal(err)
	}
	spec := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
	// The object the API server stores for spec: {scope: Cluster}.
	filled := map[string]any{"scope": "Cluster"}
	for section, props := range spec.Properties {
		if props.Default == nil {
			continue
		}
		values := map[string]any{}
		for field, p := range props.Properties {
			if p.Default != nil {
				var v any
				if err := json.Unmarshal(p.Default.Raw, &v); err != nil {
					t.Fatal(err)
				}
				values[field] = v
			}
		}
		filled[section] = values
	}
	raw, _ := json.Marshal(filled)
	stored := &KubeFedConfigSpec{}
	if err := json.Unmarshal(raw, stored); err != nil {
		t.Fatal(err)
	}
	got, want := stored.Settings(), (*KubeFedConfigSpec)(nil).Settings()
	got.spec, want.spec = nil, nil
	if got != want {
		t.Errorf("settings of the schema-defaulted spec %s\n  = %+v\nwant the API defaults\n    %+v", raw, got, want)
	}
	if want.SyncWorkers != DefaultSyncControllerMaxConcurrentReconciles || want.AvailableDelay != 20*time.Second ||
		want.CacheSyncTimeout != 5*time.Minute || want.Scope != apiextensionsv1.ClusterScoped || !want.AdoptResources {
		t.Errorf("defaults = %+v", want)
	}
}

func TestSettingsKeepTheSpecValues(t *testing.T) {
	dur := func(d time.Duration) *metav1.Duration { return &metav1.Duration{Duration: d} }
	n := func(v int64) *int64 { return &v }
	disabled := AdoptResourcesDisabled
	spec := &KubeFedConfigSpec{
		Scope:              apiextensionsv1.NamespaceScoped,
		ControllerDuration: &DurationConfig{AvailableDelay: dur(time.Second), UnavailableDelay: dur(2 * time.Second), CacheSyncTimeout: dur(3 * time.Second)},
		LeaderElect:        &LeaderElectConfig{LeaseDuration: dur(30 * time.Second), RenewDeadline: dur(20 * time.Second), RetryPeriod: dur(4 * time.Second)},
		ClusterHealthCheck: &ClusterHealthCheckConfig{Period: dur(7 * time.Second), Timeout: dur(6 * time.Second), FailureThreshold: n(5), SuccessThreshold: n(2)},
		SyncController:     &SyncControllerConfig{MaxConcurrentReconciles: n(3), AdoptResources: &disabled},
		FeatureGates:       []FeatureGatesConfig{{Name: string(PushReconcilerFeature), Configuration: ConfigurationDisabled}},
	}
	got := spec.Settings()
	got.spec = nil
	want := Settings{
		Scope: apiextensionsv1.NamespaceScoped, AvailableDelay: time.Second, UnavailableDelay: 2 * time.Second, CacheSyncTimeout: 3 * time.Second,
		LeaseDuration: 30 * time.Second, RenewDeadline: 20 * time.Second, RetryPeriod: 4 * time.Second,
		HealthCheckPeriod: 7 * time.Second, HealthCheckTimeout: 6 * time.Second, FailureThreshold: 5, SuccessThreshold: 2,
		SyncWorkers: 3, AdoptResources: false,
	}
	if got != want {
		t.Errorf("Settings = %+v\nwant       %+v", got, want)
	}
	if spec.Settings().FeatureGateEnabled(PushReconcilerFeature) {
		t.Error("PushReconciler disabled in the spec, enabled in its settings")
	}
	if !strings.EqualFold(string(spec.Settings().Scope), "Namespaced") {
		t.Error("scope lost")
	}
}

// TestSettingsIgnoreInvalidValues: values the schema refuses (zero or
// negative durations and thresholds) keep the defaults, for a KubeFedConfig
// written before the schema checked them.
func TestSettingsIgnoreInvalidValues(t *testing.T) {
	spec := &KubeFedConfigSpec{
		ClusterHealthCheck: &ClusterHealthCheckConfig{
			Period:           &metav1.Duration{Duration: 2 * time.Second},
			Timeout:          &metav1.Duration{Duration: -time.Second},
			FailureThreshold: ptrTo[int64](5),
			SuccessThreshold: ptrTo[int64](0),
		},
		ControllerDuration: &DurationConfig{CacheSyncTimeout: &metav1.Duration{Duration: time.Minute}},
	}
	got := spec.Settings()
	if got.HealthCheckPeriod != 2*time.Second || got.HealthCheckTimeout != 3*time.Second || got.FailureThreshold != 5 ||
		got.SuccessThreshold != 1 || got.CacheSyncTimeout != time.Minute {
		t.Fatalf("settings = %+v", got)
	}
}

func ptrTo[T any](v T) *T { return &v }
