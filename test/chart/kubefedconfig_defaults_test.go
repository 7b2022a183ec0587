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

package chart_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// mapAPIVersion makes helm template render what it renders for a cluster
// that serves MutatingAdmissionPolicy.
const mapAPIVersion = "admissionregistration.k8s.io/v1/MutatingAdmissionPolicy"

// defaultsPolicy renders the chart for a cluster that serves
// MutatingAdmissionPolicy and returns the KubeFedConfig defaults policy.
func defaultsPolicy(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	objs := rendered(parseDocuments(t, mustHelm(t, "template", releaseName, chartDir(), "--namespace", releaseNamespace,
		"--api-versions", mapAPIVersion)))
	policy := objs.one(t, "MutatingAdmissionPolicy", "kubefed-config-defaults."+releaseNamespace)
	binding := objs.one(t, "MutatingAdmissionPolicyBinding", "kubefed-config-defaults."+releaseNamespace)
	if got := nestedString(t, binding, "spec", "policyName"); got != policy.GetName() {
		t.Errorf("binding names policy %q, want %q", got, policy.GetName())
	}
	return policy
}

// policyVariable decodes the CEL expression of one of the policy's
// variables, which the chart writes as JSON literals.
func policyVariable(t *testing.T, policy *unstructured.Unstructured, name string, into any) {
	t.Helper()
	vars, _, _ := unstructured.NestedSlice(policy.Object, "spec", "variables")
	for _, v := range vars {
		m, _ := v.(map[string]any)
		if m["name"] != name {
			continue
		}
		expr, _ := m["expression"].(string)
		if err := json.Unmarshal([]byte(expr), into); err != nil {
			t.Fatalf("variable %s of the policy is %q, not a JSON literal: %v", name, expr, err)
		}
		return
	}
	t.Fatalf("the policy has no variable %s", name)
}

// kubeFedConfigCRDSchema reads the spec schema of the shipped KubeFedConfig
// CRD.
func kubeFedConfigCRDSchema(t *testing.T) apiextensionsv1.JSONSchemaProps {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(chartDir(), "crds", "core.kubefed.io_kubefedconfigs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.Unmarshal(data, crd); err != nil {
		t.Fatal(err)
	}
	for _, v := range crd.Spec.Versions {
		if v.Name == "v1beta1" {
			return v.Schema.OpenAPIV3Schema.Properties["spec"]
		}
	}
	t.Fatal("the KubeFedConfig CRD has no v1beta1")
	return apiextensionsv1.JSONSchemaProps{}
}

// TestKubeFedConfigDefaultsMatchTheAPI keeps the copies of kubefed's
// KubeFedConfig defaults equal: the API's constants, the CRD's schema
// defaults, the admission policy's feature gate defaults and the chart's
// KubeFedConfig rendered without values. (That they are KubeFed's is
// checked against KubeFed's source in kubeFedDefaulted.)
func TestKubeFedConfigDefaultsMatchTheAPI(t *testing.T) {
	t.Parallel()
	policy := defaultsPolicy(t)

	var gateDefaults map[string]string
	policyVariable(t, policy, "defaults", &gateDefaults)
	want := map[string]string{}
	for name, mode := range fedcorev1b1.DefaultFeatureGates {
		want[string(name)] = string(mode)
	}
	if !maps.Equal(gateDefaults, want) {
		t.Errorf("the admission policy defaults the feature gates to %v, the API (DefaultFeatureGates) to %v", gateDefaults, want)
	}

	spec := kubeFedConfigCRDSchema(t)
	var gateNames []string
	policyVariable(t, policy, "gateNames", &gateNames)
	var enum []string
	for _, v := range spec.Properties["featureGates"].Items.Schema.Properties["name"].Enum {
		var s string
		_ = json.Unmarshal(v.Raw, &s)
		enum = append(enum, s)
	}
	slices.Sort(enum)
	if !slices.Equal(gateNames, enum) {
		t.Errorf("the admission policy knows the gate names %v, the CRD accepts %v (sorted)", gateNames, enum)
	}

	chartConfig := render(t).one(t, "KubeFedConfig", "kubefed")
	schemaDefault := func(fields ...string) string {
		p := spec
		for _, f := range fields {
			p = p.Properties[f]
		}
		if p.Default == nil {
			return "<none>"
		}
		var v any
		_ = json.Unmarshal(p.Default.Raw, &v)
		return fmt.Sprint(v)
	}
	for path, want := range map[string]any{
		"controllerDuration.availableDelay":        fedcorev1b1.DefaultClusterAvailableDelay,
		"controllerDuration.unavailableDelay":      fedcorev1b1.DefaultClusterUnavailableDelay,
		"controllerDuration.cacheSyncTimeout":      fedcorev1b1.DefaultCacheSyncTimeout,
		"leaderElect.leaseDuration":                fedcorev1b1.DefaultLeaderElectionLeaseDuration,
		"leaderElect.renewDeadline":                fedcorev1b1.DefaultLeaderElectionRenewDeadline,
		"leaderElect.retryPeriod":                  fedcorev1b1.DefaultLeaderElectionRetryPeriod,
		"leaderElect.resourceLock":                 fedcorev1b1.DefaultLeaderElectionResourceLock,
		"clusterHealthCheck.period":                fedcorev1b1.DefaultClusterHealthCheckPeriod,
		"clusterHealthCheck.failureThreshold":      fedcorev1b1.DefaultClusterHealthCheckFailureThreshold,
		"clusterHealthCheck.successThreshold":      fedcorev1b1.DefaultClusterHealthCheckSuccessThreshold,
		"clusterHealthCheck.timeout":               fedcorev1b1.DefaultClusterHealthCheckTimeout,
		"syncController.maxConcurrentReconciles":   fedcorev1b1.DefaultSyncControllerMaxConcurrentReconciles,
		"syncController.adoptResources":            fedcorev1b1.AdoptResourcesEnabled,
		"statusController.maxConcurrentReconciles": fedcorev1b1.DefaultStatusControllerMaxConcurrentReconciles,
	} {
		if got := schemaDefault(strings.Split(path, ".")...); got != fmt.Sprint(want) {
			t.Errorf("the CRD defaults spec.%s to %s, the API's constant is %v", path, got, want)
		}
		// The chart writes every setting of its KubeFedConfig; left empty in
		// the values, it must write what the CRD would.
		got, found, _ := unstructured.NestedFieldNoCopy(chartConfig.Object, append([]string{"spec"}, strings.Split(path, ".")...)...)
		if !found || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("the chart's KubeFedConfig, rendered without values, has spec.%s %v (set: %v), the API's constant is %v", path, got, found, want)
		}
	}
	renderedGates, _, _ := unstructured.NestedSlice(chartConfig.Object, "spec", "featureGates")
	gotGates := map[string]string{}
	for _, g := range renderedGates {
		m := g.(map[string]any)
		gotGates[fmt.Sprint(m["name"])] = fmt.Sprint(m["configuration"])
	}
	if !maps.Equal(gotGates, want) {
		t.Errorf("the chart's KubeFedConfig, rendered without values, has the feature gates %v, the API (DefaultFeatureGates) %v", gotGates, want)
	}
}

// TestKubeFedConfigDefaultsPolicyBinding checks which namespaces the
// defaults policy reaches, as KubeFed's MutatingWebhookConfiguration chose
// them: every namespace for a Cluster-scope release, only its own for a
// Namespaced one. The objects are named after the release namespace, so
// that releases in different namespaces coexist.
func TestKubeFedConfigDefaultsPolicyBinding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scope, namespace string
		want             map[string]any
	}{
		{"Cluster", releaseNamespace, map[string]any{"namespaceSelector": map[string]any{}}},
		{"Namespaced", "fed-a", map[string]any{"namespaceSelector": map[string]any{
			"matchLabels": map[string]any{"kubernetes.io/metadata.name": "fed-a"}}}},
	} {
		objs := rendered(parseDocuments(t, mustHelm(t, "template", releaseName, chartDir(), "--namespace", tc.namespace,
			"--api-versions", mapAPIVersion, "--set", "global.scope="+tc.scope)))
		binding := objs.one(t, "MutatingAdmissionPolicyBinding", "kubefed-config-defaults."+tc.namespace)
		objs.one(t, "MutatingAdmissionPolicy", "kubefed-config-defaults."+tc.namespace)
		got, _, _ := unstructured.NestedMap(binding.Object, "spec", "matchResources")
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s scope in namespace %s: the binding matches %v, want %v", tc.scope, tc.namespace, got, tc.want)
		}
	}
}

// TestKubeFedConfigDefaultsPolicyNeedsTheAPI checks that the policy is left
// out for a cluster that does not serve MutatingAdmissionPolicy (before
// Kubernetes 1.36), so that the install does not fail there.
func TestKubeFedConfigDefaultsPolicyNeedsTheAPI(t *testing.T) {
	t.Parallel()
	objs := render(t)
	if n := len(objs.ofKind("MutatingAdmissionPolicy")) + len(objs.ofKind("MutatingAdmissionPolicyBinding")); n != 0 {
		t.Errorf("rendered %d admission policy objects for a cluster without the API, want none", n)
	}
}

// kubeFedDefaulted is the spec KubeFed v0.10 gave a KubeFedConfig written
// with only a scope, written out from KubeFed's source (sigs.k8s.io/kubefed
// v0.10.0), not computed: its webhook (pkg/controller/webhook/kubefedconfig,
// KubeFedConfigDefaulter) runs SetDefaultKubeFedConfig
// (pkg/apis/core/v1beta1/defaults/defaults.go), which fills every missing
// setting with the constants quoted below and adds every gate of
// DefaultKubeFedFeatureGates (pkg/features/features.go) that is not listed,
// sorted by name. The webhook stores the defaulted Go struct, so its
// durations read as metav1.Duration prints them ("1m0s"); the API server
// here stores them as written, so specs are compared as durations
// (sameSpec).
//
// Three defaults are kubefed's documented changes (docs/api.md, Differences
// from KubeFed v0.10), each marked "kubefed:" with KubeFed's value beside it.
func kubeFedDefaulted(scope string) map[string]any {
	return map[string]any{
		"scope": scope,
		"controllerDuration": map[string]any{
			"availableDelay":   "20s",  // DefaultClusterAvailableDelay = 20 * time.Second
			"unavailableDelay": "1m0s", // DefaultClusterUnavailableDelay = 60 * time.Second
			"cacheSyncTimeout": "5m0s", // DefaultCacheSyncTimeout = 5 * time.Minute
		},
		"leaderElect": map[string]any{
			"leaseDuration": "15s", // DefaultLeaderElectionLeaseDuration = 15 * time.Second
			"renewDeadline": "10s", // DefaultLeaderElectionRenewDeadline = 10 * time.Second
			"retryPeriod":   "5s",  // DefaultLeaderElectionRetryPeriod = 5 * time.Second
			// kubefed: leases. KubeFed: DefaultLeaderElectionResourceLock =
			// v1beta1.ConfigMapsResourceLock ("configmaps").
			"resourceLock": "leases",
		},
		"clusterHealthCheck": map[string]any{
			"period":           "10s",    // DefaultClusterHealthCheckPeriod = 10 * time.Second
			"failureThreshold": int64(3), // DefaultClusterHealthCheckFailureThreshold = 3
			"successThreshold": int64(1), // DefaultClusterHealthCheckSuccessThreshold = 1
			"timeout":          "3s",     // DefaultClusterHealthCheckTimeout = 3 * time.Second
		},
		"syncController": map[string]any{
			// kubefed: 8. KubeFed: DefaultSyncControllerMaxConcurrentReconciles = 1.
			"maxConcurrentReconciles": int64(8),
			"adoptResources":          "Enabled", // *AdoptResources = v1beta1.AdoptResourcesEnabled
		},
		"statusController": map[string]any{
			"maxConcurrentReconciles": int64(1), // DefaultStatusControllerMaxConcurrentReconciles = 1
		},
		"featureGates": []any{
			// PushReconciler: {Default: true}
			map[string]any{"name": "PushReconciler", "configuration": "Enabled"},
			// kubefed: Enabled. KubeFed: RawResourceStatusCollection: {Default: false}.
			map[string]any{"name": "RawResourceStatusCollection", "configuration": "Enabled"},
			// SchedulerPreferences: {Default: true}
			map[string]any{"name": "SchedulerPreferences", "configuration": "Enabled"},
		},
	}
}

// withUserValues returns spec with the settings a user wrote, as KubeFed's
// defaulting keeps them: a set field is never replaced (setDuration and
// setInt64 fill only nil fields), and a listed gate keeps its configuration.
// Keys are dotted paths under spec; a key "featureGates.<Name>" sets a gate.
func withUserValues(spec map[string]any, values map[string]any) map[string]any {
	for path, value := range values {
		fields := strings.Split(path, ".")
		if fields[0] == "featureGates" {
			gates := spec["featureGates"].([]any)
			found := false
			for _, g := range gates {
				if g.(map[string]any)["name"] == fields[1] {
					g.(map[string]any)["configuration"] = value
					found = true
				}
			}
			if !found {
				gates = append(gates, map[string]any{"name": fields[1], "configuration": value})
				slices.SortFunc(gates, func(a, b any) int {
					return strings.Compare(a.(map[string]any)["name"].(string), b.(map[string]any)["name"].(string))
				})
			}
			spec["featureGates"] = gates
			continue
		}
		if err := unstructured.SetNestedField(spec, value, fields...); err != nil {
			panic(err)
		}
	}
	return spec
}

// normalizedSpec makes two specs comparable: durations become
// time.Duration (KubeFed stored "1m0s" where the API server here keeps
// "60s"), numbers int64.
func normalizedSpec(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = normalizedSpec(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalizedSpec(e)
		}
		return out
	case string:
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	}
	return v
}

// sameSpec reports whether two KubeFedConfig specs say the same, durations
// compared as durations.
func sameSpec(got, want map[string]any) bool {
	return reflect.DeepEqual(normalizedSpec(got), normalizedSpec(want))
}

func toYAML(v any) string {
	out, _ := yaml.Marshal(v)
	return string(out)
}
