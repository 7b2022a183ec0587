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

import "testing"

func TestFeatureGateEnabled(t *testing.T) {
	t.Parallel()
	spec := KubeFedConfigSpec{FeatureGates: []FeatureGatesConfig{
		{Name: string(PushReconcilerFeature), Configuration: ConfigurationDisabled},
		{Name: string(RawResourceStatusCollectionFeature), Configuration: ConfigurationDisabled},
	}}
	tests := map[FeatureGateName]bool{
		PushReconcilerFeature:              false,
		SchedulerPreferencesFeature:        true,
		RawResourceStatusCollectionFeature: false,
		"Unknown":                          false,
	}
	for gate, want := range tests {
		if got := spec.FeatureGateEnabled(gate); got != want {
			t.Errorf("FeatureGateEnabled(%s) = %v, want %v", gate, got, want)
		}
	}
	// Unlisted gates take their defaults; raw status collection is on.
	empty := KubeFedConfigSpec{}
	if !empty.FeatureGateEnabled(RawResourceStatusCollectionFeature) || !empty.FeatureGateEnabled(PushReconcilerFeature) {
		t.Error("default feature gates: PushReconciler and RawResourceStatusCollection must be enabled")
	}
}

func TestPluralAndQualifiedName(t *testing.T) {
	t.Parallel()
	plurals := map[string]string{
		"Deployment": "deployments", "Ingress": "ingresses", "NetworkPolicy": "networkpolicies",
		"Endpoints": "endpointses", "Box": "boxes", "Batch": "batches", "Mesh": "meshes", "Echo": "echoes",
	}
	for kind, want := range plurals {
		if got := PluralName(kind); got != want {
			t.Errorf("PluralName(%s) = %s, want %s", kind, got, want)
		}
	}
	apps := APIResource{Group: "apps", Version: "v1", Kind: "Deployment", PluralName: "deployments"}
	if got := apps.GroupQualifiedName(); got != "deployments.apps" {
		t.Errorf("GroupQualifiedName = %s", got)
	}
	core := APIResource{Version: "v1", Kind: "ConfigMap", PluralName: "configmaps"}
	if got := core.GroupQualifiedName(); got != "configmaps" {
		t.Errorf("GroupQualifiedName = %s", got)
	}
	if gvr := apps.GroupVersionResource(); gvr.String() != "apps/v1, Resource=deployments" {
		t.Errorf("GroupVersionResource = %s", gvr)
	}
	ns := FederatedTypeConfig{}
	ns.Name = NamespaceFederatedTypeConfigName
	if !ns.IsNamespace() || !ns.GetFederatedNamespaced() {
		t.Error("namespaces FederatedTypeConfig is not recognized")
	}
}
