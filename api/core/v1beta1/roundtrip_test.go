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
	"testing"

	"github.com/kubefed/kubefed/api/internal/apitest"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	apitest.RoundTrips(t, []apitest.RoundTripCase{
		{
			Name: "KubeFedCluster",
			Obj:  &KubeFedCluster{},
			Fixture: `{
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
			Name: "KubeFedConfig",
			Obj:  &KubeFedConfig{},
			Fixture: `{
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
			Name: "FederatedTypeConfig",
			Obj:  &FederatedTypeConfig{},
			Fixture: `{
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
	})
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
