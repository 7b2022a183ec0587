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
	"context"
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

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
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

// TestKubeFedConfigDefaultsMatchTheAPI keeps the three copies of the
// KubeFedConfig defaults equal: the API's constants, the CRD's schema
// defaults and the admission policy's feature gate defaults.
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

// expectedSpec is the spec a KubeFedConfig written as user comes back with:
// every field the user left out at the API's default, the feature gates
// complete and sorted by name.
func expectedSpec(gates map[string]string, availableDelay string) map[string]any {
	all := map[string]string{}
	for name, mode := range fedcorev1b1.DefaultFeatureGates {
		all[string(name)] = string(mode)
	}
	maps.Copy(all, gates)
	var featureGates []any
	for _, name := range slices.Sorted(maps.Keys(all)) {
		featureGates = append(featureGates, map[string]any{"name": name, "configuration": all[name]})
	}
	return map[string]any{
		"scope": "Cluster",
		"controllerDuration": map[string]any{
			"availableDelay":   availableDelay,
			"unavailableDelay": fedcorev1b1.DefaultClusterUnavailableDelay,
			"cacheSyncTimeout": fedcorev1b1.DefaultCacheSyncTimeout,
		},
		"leaderElect": map[string]any{
			"leaseDuration": fedcorev1b1.DefaultLeaderElectionLeaseDuration,
			"renewDeadline": fedcorev1b1.DefaultLeaderElectionRenewDeadline,
			"retryPeriod":   fedcorev1b1.DefaultLeaderElectionRetryPeriod,
			"resourceLock":  string(fedcorev1b1.DefaultLeaderElectionResourceLock),
		},
		"featureGates": featureGates,
		"clusterHealthCheck": map[string]any{
			"period":           fedcorev1b1.DefaultClusterHealthCheckPeriod,
			"failureThreshold": int64(fedcorev1b1.DefaultClusterHealthCheckFailureThreshold),
			"successThreshold": int64(fedcorev1b1.DefaultClusterHealthCheckSuccessThreshold),
			"timeout":          fedcorev1b1.DefaultClusterHealthCheckTimeout,
		},
		"syncController": map[string]any{
			"maxConcurrentReconciles": int64(fedcorev1b1.DefaultSyncControllerMaxConcurrentReconciles),
			"adoptResources":          string(fedcorev1b1.AdoptResourcesEnabled),
		},
		"statusController": map[string]any{
			"maxConcurrentReconciles": int64(fedcorev1b1.DefaultStatusControllerMaxConcurrentReconciles),
		},
	}
}

// partialConfig is a KubeFedConfig as a KubeFed user writes it: one feature
// gate and one duration.
func partialConfig(namespace, name string) *unstructured.Unstructured {
	u := kubeFedConfigObject()
	u.SetNamespace(namespace)
	u.SetName(name)
	u.Object["spec"] = map[string]any{
		"scope":              "Cluster",
		"controllerDuration": map[string]any{"availableDelay": "30s"},
		"featureGates":       []any{map[string]any{"name": "SchedulerPreferences", "configuration": "Disabled"}},
	}
	return u
}

// TestKubeFedConfigDefaultsAtAdmission installs the chart on a real API
// server and writes KubeFedConfigs as a KubeFed user would: they come back
// complete, the user's values kept.
func TestKubeFedConfigDefaultsAtAdmission(t *testing.T) {
	if testing.Short() {
		t.Skip("installs on an API server (envtest); skipped in -short mode")
	}
	t.Parallel()
	c := startCluster(t)
	mustHelm(t, "install", releaseName, chartDir(), "--namespace", releaseNamespace, "--create-namespace",
		"--kubeconfig", c.kubeconfig, "--wait=false")
	ctx := t.Context()
	if !c.servesMutatingAdmissionPolicy(t) {
		t.Fatalf("the test API server does not serve %s: Kubernetes 1.36 or later serves it by default", mapAPIVersion)
	}
	want := expectedSpec(map[string]string{"SchedulerPreferences": "Disabled"}, "30s")

	// The API server loads a new policy within a few seconds: wait for it
	// with dry-run creates, which run admission and store nothing.
	var last map[string]any
	var lastErr error
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		probe := partialConfig(releaseNamespace, "probe")
		// The CRD may not be served yet either.
		if lastErr = c.client.Create(ctx, probe, client.DryRunAll); lastErr != nil {
			return false, nil
		}
		last, _, _ = unstructured.NestedMap(probe.Object, "spec")
		return reflect.DeepEqual(last, want), nil
	})
	if err != nil {
		t.Fatalf("a KubeFedConfig created with one feature gate came back with spec\n%s\nwant\n%s\n(%v, last error: %v)", toYAML(last), toYAML(want), err, lastErr)
	}

	cfg := partialConfig(releaseNamespace, "user")
	if err := c.client.Create(ctx, cfg); err != nil {
		t.Fatalf("creating KubeFedConfig %s/user: %v", releaseNamespace, err)
	}
	if err := c.client.Get(ctx, client.ObjectKeyFromObject(cfg), cfg); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := unstructured.NestedMap(cfg.Object, "spec"); !reflect.DeepEqual(got, want) {
		t.Errorf("KubeFedConfig %s/user has spec\n%s\nwant\n%s", releaseNamespace, toYAML(got), toYAML(want))
	}

	t.Log("An update that drops the gates gets them back at their defaults.")
	unstructured.RemoveNestedField(cfg.Object, "spec", "featureGates")
	if err := c.client.Update(ctx, cfg); err != nil {
		t.Fatalf("updating KubeFedConfig %s/user: %v", releaseNamespace, err)
	}
	if got, _, _ := unstructured.NestedMap(cfg.Object, "spec"); !reflect.DeepEqual(got, expectedSpec(nil, "30s")) {
		t.Errorf("after an update without featureGates, KubeFedConfig %s/user has spec\n%s\nwant\n%s", releaseNamespace, toYAML(got), toYAML(expectedSpec(nil, "30s")))
	}

	t.Log("A KubeFedConfig outside the release namespace is not this release's: left as written.")
	other := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "elsewhere"}}
	if err := c.client.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	elsewhere := partialConfig(other.Name, "kubefed")
	if err := c.client.Create(ctx, elsewhere); err != nil {
		t.Fatalf("creating KubeFedConfig elsewhere/kubefed: %v", err)
	}
	if gates, _, _ := unstructured.NestedSlice(elsewhere.Object, "spec", "featureGates"); len(gates) != 1 {
		t.Errorf("KubeFedConfig elsewhere/kubefed has featureGates %v, want the one written", gates)
	}

	mustHelm(t, "uninstall", releaseName, "--namespace", releaseNamespace, "--kubeconfig", c.kubeconfig)
}

// servesMutatingAdmissionPolicy reports whether the cluster serves the
// admission policy API.
func (c *cluster) servesMutatingAdmissionPolicy(t *testing.T) bool {
	t.Helper()
	list := &unstructured.UnstructuredList{}
	list.SetAPIVersion("admissionregistration.k8s.io/v1")
	list.SetKind("MutatingAdmissionPolicyList")
	return c.client.List(t.Context(), list) == nil
}

func toYAML(v any) string {
	out, _ := yaml.Marshal(v)
	return string(out)
}
