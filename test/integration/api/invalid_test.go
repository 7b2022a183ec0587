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

package api

import (
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const invalidNamespace = "invalid-objects"

// manifest returns a namespaced object of apiVersion and kind, named name
// in invalidNamespace, with the given spec (indented YAML).
func manifest(apiVersion, kind, name, spec string) string {
	return fmt.Sprintf(`
apiVersion: %s
kind: %s
metadata:
  name: %s
  namespace: %s
spec:
%s`, apiVersion, kind, name, invalidNamespace, spec)
}

// manifestOf returns the manifest builder of one kind.
func manifestOf(apiVersion, kind string) func(name, spec string) string {
	return func(name, spec string) string { return manifest(apiVersion, kind, name, spec) }
}

// The manifest builders of the kinds the test applies: name and spec
// (indented YAML).
var (
	federatedDeployment = manifestOf("types.kubefed.io/v1beta1", "FederatedDeployment")
	kubeFedCluster      = manifestOf("core.kubefed.io/v1beta1", "KubeFedCluster")
	federatedTypeConfig = manifestOf("core.kubefed.io/v1beta1", "FederatedTypeConfig")
	kubeFedConfig       = manifestOf("core.kubefed.io/v1beta1", "KubeFedConfig")
)

func override(path string) string {
	return `  overrides:
  - clusterName: cluster1
    clusterOverrides:
    - path: ` + path + `
      value: x
`
}

const validTypes = `  federatedType:
    group: types.kubefed.io
    kind: FederatedDeployment
    pluralName: federateddeployments
    scope: Namespaced
    version: v1beta1
  propagation: Enabled
`

// invalidCase is an object the API server refuses, with the text its error
// holds.
type invalidCase struct {
	name     string
	manifest string
	want     string
}

// forbiddenOverride is the case of an override of path, a field that the
// federated object or its type sets: the error says why it is refused.
func forbiddenOverride(path, why string) invalidCase {
	field := strings.ReplaceAll(strings.TrimPrefix(path, "/"), "/", ".")
	last := strings.ToLower(path[strings.LastIndex(path, "/")+1:])
	return invalidCase{"override of " + field, federatedDeployment("override-"+last, override(path)),
		"override path " + path + " is not allowed: " + why}
}

// invalidCases are objects the API server must refuse, each with a fragment of
// the refusal's message.
var invalidCases = []invalidCase{
	// Overrides.
	forbiddenOverride("/metadata/name", "the name comes from the federated object"),
	forbiddenOverride("/metadata/generateName", "the name comes from the federated object"),
	forbiddenOverride("/metadata/namespace", "the namespace comes from the federated object"),
	forbiddenOverride("/kind", "the kind and apiVersion come from the target type"),
	forbiddenOverride("/apiVersion", "the kind and apiVersion come from the target type"),
	{"override path not a JSON pointer", federatedDeployment("override-pointer", override("spec/replicas")),
		"override path spec/replicas is not a JSON pointer: start it with /"},
	{"override op not supported", federatedDeployment("override-op", `  overrides:
  - clusterName: cluster1
    clusterOverrides:
    - op: move
      path: /spec/replicas
`), "override op move is not supported: use add, remove or replace"},
	{"cluster named twice in overrides", federatedDeployment("override-cluster-twice", `  overrides:
  - clusterName: cluster1
    clusterOverrides:
    - path: /spec/replicas
      value: 1
  - clusterName: cluster1
    clusterOverrides:
    - path: /spec/paused
      value: true
`), "a cluster is named more than once in spec.overrides"},
	{"path twice for a cluster", federatedDeployment("override-path-twice", `  overrides:
  - clusterName: cluster1
    clusterOverrides:
    - path: /spec/replicas
      value: 1
    - op: replace
      path: /spec/replicas
      value: 2
`), "an override path appears more than once in the clusterOverrides of cluster cluster1"},
	{"override without path", federatedDeployment("override-no-path", `  overrides:
  - clusterName: cluster1
    clusterOverrides:
    - value: 1
`), "spec.overrides[0].clusterOverrides[0].path: Required value"},
	// Placement.
	{"placement cluster name not DNS-1123", federatedDeployment("placement-name", `  placement:
    clusters:
    - name: Cluster_1
`), "placement cluster name Cluster_1 is not a valid cluster name"},
	{"override cluster name not DNS-1123", federatedDeployment("override-cluster-name", `  overrides:
  - clusterName: -cluster
    clusterOverrides:
    - path: /spec/replicas
      value: 1
`), "override cluster name -cluster is not a valid cluster name"},
	// KubeFedCluster.
	{"http endpoint", kubeFedCluster("http-endpoint", `  apiEndpoint: http://cluster1.example.com:6443
  secretRef:
    name: cluster1
`), "apiEndpoint http://cluster1.example.com:6443 uses plain http: use https"},
	{"endpoint not a URL", kubeFedCluster("bad-endpoint", `  apiEndpoint: ftp://cluster1.example.com
  secretRef:
    name: cluster1
`), "apiEndpoint ftp://cluster1.example.com is not a valid https URL"},
	{"secretRef without name", kubeFedCluster("no-secret-name", `  apiEndpoint: https://cluster1.example.com
  secretRef: {}
`), "spec.secretRef.name: Required value"},
	{"secretRef with an empty name", kubeFedCluster("empty-secret-name", `  apiEndpoint: https://cluster1.example.com
  secretRef:
    name: ""
`), "secretRef.name is required"},
	{"* with other TLS validations", kubeFedCluster("tls-star", `  apiEndpoint: https://cluster1.example.com
  secretRef:
    name: cluster1
  disabledTLSValidations: ["*", "SubjectName"]
`), "when * is specified, it is expected to be the only option in list"},
	{"unknown TLS validation", kubeFedCluster("tls-unknown", `  apiEndpoint: https://cluster1.example.com
  secretRef:
    name: cluster1
  disabledTLSValidations: ["Everything"]
`), `Unsupported value: "Everything"`},
	// FederatedTypeConfig.
	{"FederatedTypeConfig name does not match its target", federatedTypeConfig("deployments", validTypes+`  targetType:
    group: apps
    kind: Deployment
    pluralName: deployments
    scope: Namespaced
    version: v1
`), "FederatedTypeConfig name deployments does not match its target type: name must be TARGET_PLURAL_NAME(.TARGET_GROUP_NAME), here deployments.apps"},
	{"FederatedTypeConfig invalid scope", federatedTypeConfig("deployments.apps", validTypes+`  targetType:
    group: apps
    kind: Deployment
    pluralName: deployments
    scope: Global
    version: v1
`), `spec.targetType.scope: Unsupported value: "Global"`},
	{"FederatedTypeConfig federated type without group", federatedTypeConfig("configmaps", `  federatedType:
    kind: FederatedConfigMap
    pluralName: federatedconfigmaps
    scope: Namespaced
    version: v1beta1
  propagation: Enabled
  targetType:
    kind: ConfigMap
    pluralName: configmaps
    scope: Namespaced
    version: v1
`), "federatedType.group is required and must be a domain with at least one dot"},
	{"FederatedTypeConfig federated type without version", federatedTypeConfig("secrets", `  federatedType:
    group: types.kubefed.io
    kind: FederatedSecret
    pluralName: federatedsecrets
    scope: Namespaced
  propagation: Enabled
  targetType:
    kind: Secret
    pluralName: secrets
    scope: Namespaced
    version: v1
`), "spec.federatedType.version: Required value"},
	{"FederatedTypeConfig invalid propagation", federatedTypeConfig("services", `  federatedType:
    group: types.kubefed.io
    kind: FederatedService
    pluralName: federatedservices
    scope: Namespaced
    version: v1beta1
  propagation: Sometimes
  targetType:
    kind: Service
    pluralName: services
    scope: Namespaced
    version: v1
`), `spec.propagation: Unsupported value: "Sometimes"`},
	// KubeFedConfig.
	{"negative duration", kubeFedConfig("negative-duration", `  scope: Cluster
  controllerDuration:
    availableDelay: -5s
`), "controllerDuration.availableDelay -5s must be a positive duration"},
	{"zero duration", kubeFedConfig("zero-duration", `  scope: Cluster
  clusterHealthCheck:
    period: 0s
`), "clusterHealthCheck.period 0s must be a positive duration"},
	{"not a duration", kubeFedConfig("bad-duration", `  scope: Cluster
  leaderElect:
    retryPeriod: soon
`), "leaderElect.retryPeriod soon must be a positive duration"},
	{"failure threshold below 1", kubeFedConfig("failure-threshold", `  scope: Cluster
  clusterHealthCheck:
    failureThreshold: 0
`), "clusterHealthCheck.failureThreshold must be at least 1"},
	{"success threshold below 1", kubeFedConfig("success-threshold", `  scope: Cluster
  clusterHealthCheck:
    successThreshold: -1
`), "clusterHealthCheck.successThreshold must be at least 1"},
	{"lease not longer than renew deadline", kubeFedConfig("lease", `  scope: Cluster
  leaderElect:
    leaseDuration: 10s
    renewDeadline: 10s
`), "leaderElect.leaseDuration must be greater than leaderElect.renewDeadline"},
	{"invalid scope", kubeFedConfig("scope", `  scope: Global
`), `spec.scope: Unsupported value: "Global"`},
	{"status controller workers", kubeFedConfig("status-workers", `  scope: Cluster
  statusController:
    maxConcurrentReconciles: 4
`), "statusController.maxConcurrentReconciles has no effect: kubefed collects status in the sync controllers; set syncController.maxConcurrentReconciles instead"},
	{"FederatedTypeConfig statusType", federatedTypeConfig("services", `  federatedType:
    group: types.kubefed.io
    kind: FederatedService
    pluralName: federatedservices
    scope: Namespaced
    version: v1beta1
  propagation: Enabled
  targetType:
    kind: Service
    pluralName: services
    scope: Namespaced
    version: v1
  statusType:
    group: core.kubefed.io
    kind: FederatedServiceStatus
    pluralName: federatedservicestatuses
    scope: Namespaced
    version: v1alpha1
`), "spec.statusType is not supported: kubefed collects member status into the federated object's status.clusters[].remoteStatus"},
	{"unknown feature gate", kubeFedConfig("gate", `  scope: Cluster
  featureGates:
  - name: Teleport
    configuration: Enabled
`), `Unsupported value: "Teleport"`},
	// ReplicaSchedulingPreference.
	{"RSP target kind", `
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata:
  name: rsp-kind
  namespace: ` + invalidNamespace + `
spec:
  targetKind: FederatedStatefulSet
  totalReplicas: 3
`, `spec.targetKind: Unsupported value: "FederatedStatefulSet"`},
	{"RSP max below min", `
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata:
  name: rsp-min-max
  namespace: ` + invalidNamespace + `
spec:
  targetKind: FederatedDeployment
  totalReplicas: 3
  clusters:
    cluster1:
      minReplicas: 3
      maxReplicas: 1
`, "maxReplicas must be greater than or equal to minReplicas"},
}

// TestInvalidObjectsAreRejected applies invalid objects and checks that the
// API server rejects each at admission with the documented message.
func TestInvalidObjectsAreRejected(t *testing.T) {
	t.Parallel()
	tests := invalidCases

	ensureNamespaces(t, mustUnstructured(t, federatedDeployment("x", "  {}")))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			obj := mustUnstructured(t, tc.manifest)
			err := k8sClient.Create(testContext(t), obj)
			if err == nil {
				t.Fatalf("the API server accepted the invalid object; want an error containing %q", tc.want)
			}
			if !apierrors.IsInvalid(err) {
				t.Fatalf("got %v, want an Invalid error containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not contain %q:\n%v", tc.want, err)
			}
		})
	}
}

// TestKubeFedConfigScopeIsImmutable checks the transition rule on
// spec.scope.
func TestKubeFedConfigScopeIsImmutable(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	obj := mustUnstructured(t, kubeFedConfig("immutable-scope", "  scope: Cluster\n"))
	ensureNamespaces(t, obj)
	if err := k8sClient.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	if err := unstructured.SetNestedField(obj.Object, "Namespaced", "spec", "scope"); err != nil {
		t.Fatal(err)
	}
	err := k8sClient.Update(ctx, obj)
	want := "scope is immutable: delete and recreate the KubeFedConfig"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("changing the scope: got %v, want an error containing %q", err, want)
	}
	// Other fields stay mutable.
	if err := unstructured.SetNestedField(obj.Object, "Cluster", "spec", "scope"); err != nil {
		t.Fatal(err)
	}
	if err := unstructured.SetNestedField(obj.Object, "30s", "spec", "controllerDuration", "availableDelay"); err != nil {
		t.Fatal(err)
	}
	if err := k8sClient.Update(ctx, obj); err != nil {
		t.Fatalf("changing availableDelay: %v", err)
	}
}
