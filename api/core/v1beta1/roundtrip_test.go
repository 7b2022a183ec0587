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
	"reflect"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fixture string
		obj     interface{}
	}{
		{
			name: "KubeFedCluster",
			obj:  &KubeFedCluster{},
			fixture: `{
  "apiVersion": "core.kubefed.io/v1beta1", "kind": "KubeFedCluster",
  "metadata": {"name": "cluster1", "namespace": "kube-federation-system", "labels": {"region": "europe"}},
  "spec": {
    "apiEndpoint": "https://172.18.0.2:6443",
    "caBundle": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
    "secretRef": {"name": "cluster1-shqdp"},
    "disabledTLSValidations": ["SubjectName", "ValidityPeriod"],
    "proxyURL": "http://proxy.example.com:3128"
  },
  "status": {
    "conditions": [
      {"type": "Ready", "status": "True", "lastProbeTime": "2023-03-01T10:00:00Z",
       "lastTransitionTime": "2023-03-01T09:00:00Z", "reason": "ClusterReady", "message": "/healthz responded with ok"},
      {"type": "Offline", "status": "False", "lastProbeTime": "2023-03-01T10:00:00Z"}
    ],
    "zones": ["europe-west1-b", "europe-west1-c"],
    "region": "europe-west1",
    "kubernetesVersion": "v1.27.3"
  }
}`,
		},
		{
			name: "KubeFedConfig",
			obj:  &KubeFedConfig{},
			fixture: `{
  "apiVersion": "core.kubefed.io/v1beta1", "kind": "KubeFedConfig",
  "metadata": {"name": "kubefed", "namespace": "kube-federation-system"},
  "spec": {
    "scope": "Cluster",
    "controllerDuration": {"availableDelay": "20s", "unavailableDelay": "1m0s", "cacheSyncTimeout": "5m0s"},
    "leaderElect": {"leaseDuration": "15s", "renewDeadline": "10s", "retryPeriod": "5s", "resourceLock": "configmaps"},
    "featureGates": [
      {"name": "PushReconciler", "configuration": "Enabled"},
      {"name": "SchedulerPreferences", "configuration": "Enabled"},
      {"name": "RawResourceStatusCollection", "configuration": "Disabled"}
    ],
    "clusterHealthCheck": {"period": "10s", "failureThreshold": 3, "successThreshold": 1, "timeout": "3s"},
    "syncController": {"maxConcurrentReconciles": 1, "adoptResources": "Enabled"},
    "statusController": {"maxConcurrentReconciles": 1}
  }
}`,
		},
		{
			name: "FederatedTypeConfig",
			obj:  &FederatedTypeConfig{},
			fixture: `{
  "apiVersion": "core.kubefed.io/v1beta1", "kind": "FederatedTypeConfig",
  "metadata": {"name": "services", "namespace": "kube-federation-system", "finalizers": ["core.kubefed.io/federated-type-config"]},
  "spec": {
    "targetType": {"kind": "Service", "pluralName": "services", "scope": "Namespaced", "version": "v1"},
    "propagation": "Enabled",
    "federatedType": {"group": "types.kubefed.io", "kind": "FederatedService", "pluralName": "federatedservices", "scope": "Namespaced", "version": "v1beta1"},
    "statusType": {"group": "core.kubefed.io", "kind": "FederatedServiceStatus", "pluralName": "federatedservicestatuses", "scope": "Namespaced", "version": "v1alpha1"},
    "statusCollection": "Enabled"
  },
  "status": {"observedGeneration": 1, "propagationController": "Running", "statusController": "Running"}
}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			roundTrip(t, tc.fixture, tc.obj)
		})
	}
}

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

// roundTrip decodes fixture strictly (an unknown field fails: the Go type
// lacks a KubeFed field or has a wrong tag) into obj, encodes obj again and
// checks that the two JSON documents are equal. Empty objects and nulls,
// which Go writes for zero structs and timestamps, are ignored.
func roundTrip(t *testing.T, fixture string, obj interface{}) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(fixture))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		t.Fatalf("decoding fixture: %v", err)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		t.Fatalf("encoding: %v", err)
	}
	var in, back interface{}
	if err := json.Unmarshal([]byte(fixture), &in); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(prune(in), prune(back)) {
		t.Errorf("round trip changed the object:\n in: %s\nout: %s", fixture, out)
	}
}

func prune(v interface{}) interface{} {
	switch v := v.(type) {
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, val := range v {
			p := prune(val)
			if p == nil {
				continue
			}
			if m, ok := p.(map[string]interface{}); ok && len(m) == 0 {
				continue
			}
			out[k] = p
		}
		return out
	case []interface{}:
		out := make([]interface{}, 0, len(v))
		for _, val := range v {
			out = append(out, prune(val))
		}
		return out
	default:
		return v
	}
}
