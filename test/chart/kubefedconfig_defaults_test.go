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

// partialConfigDefaulted is partialConfig as KubeFed's webhook completed it.
func partialConfigDefaulted() map[string]any {
	return withUserValues(kubeFedDefaulted("Cluster"), map[string]any{
		"controllerDuration.availableDelay": "30s",
		"featureGates.SchedulerPreferences": "Disabled",
	})
}

// waitForDefaultsPolicy waits until the API server applies the defaults
// policy to a KubeFedConfig written in namespace, with dry-run creates that
// run admission and store nothing: the API server loads a new policy (and
// the CRD) within seconds. It fails the test when the policy does not
// complete the KubeFedConfig in time.
func (c *cluster) waitForDefaultsPolicy(t *testing.T, namespace string) {
	t.Helper()
	want := partialConfigDefaulted()
	var last map[string]any
	var lastErr error
	err := wait.PollUntilContextTimeout(t.Context(), 250*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		probe := partialConfig(namespace, "probe")
		if lastErr = c.client.Create(ctx, probe, client.DryRunAll); lastErr != nil {
			return false, nil
		}
		last, _, _ = unstructured.NestedMap(probe.Object, "spec")
		return sameSpec(last, want), nil
	})
	if err != nil {
		t.Fatalf("a KubeFedConfig created in namespace %s with one feature gate came back with spec\n%s\nwant (KubeFed's defaulting)\n%s\n(%v, last error: %v)",
			namespace, toYAML(last), toYAML(want), err, lastErr)
	}
}

// createConfig creates a KubeFedConfig and returns its spec as stored.
func (c *cluster) createConfig(t *testing.T, cfg *unstructured.Unstructured) map[string]any {
	t.Helper()
	if err := c.client.Create(t.Context(), cfg); err != nil {
		t.Fatalf("creating KubeFedConfig %s/%s: %v", cfg.GetNamespace(), cfg.GetName(), err)
	}
	if err := c.client.Get(t.Context(), client.ObjectKeyFromObject(cfg), cfg); err != nil {
		t.Fatal(err)
	}
	spec, _, _ := unstructured.NestedMap(cfg.Object, "spec")
	return spec
}

// configSpec reads the spec of KubeFedConfig namespace/name.
func (c *cluster) configSpec(t *testing.T, namespace, name string) map[string]any {
	t.Helper()
	cfg := kubeFedConfigObject()
	if err := c.client.Get(t.Context(), client.ObjectKey{Namespace: namespace, Name: name}, cfg); err != nil {
		t.Fatalf("getting KubeFedConfig %s/%s: %v", namespace, name, err)
	}
	spec, _, _ := unstructured.NestedMap(cfg.Object, "spec")
	return spec
}

// createNamespace creates a namespace for the test.
func (c *cluster) createNamespace(t *testing.T, name string) {
	t.Helper()
	if err := c.client.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
}

// TestKubeFedConfigDefaultsAtAdmission installs the chart (Cluster scope) on
// a real API server and checks the KubeFedConfigs against KubeFed v0.10's
// defaulting: the chart's own is complete right after helm install, with the
// values given kept; one a user writes is completed at admission in the
// release namespace and in any other namespace, as KubeFed's Cluster-scope
// webhook did; an upgrade that drops a value returns the setting to its
// default.
func TestKubeFedConfigDefaultsAtAdmission(t *testing.T) {
	if testing.Short() {
		t.Skip("installs on an API server (envtest); skipped in -short mode")
	}
	t.Parallel()
	c := startCluster(t)
	ctx := t.Context()
	if !c.servesMutatingAdmissionPolicy(t) {
		t.Fatalf("the test API server does not serve %s: Kubernetes 1.36 or later serves it by default", mapAPIVersion)
	}
	mustHelm(t, "install", releaseName, chartDir(), "--namespace", releaseNamespace, "--create-namespace",
		"--kubeconfig", c.kubeconfig, "--wait=false",
		"--set", "controllermanager.clusterAvailableDelay=30s",
		"--set", "controllermanager.syncController.maxConcurrentReconciles=2",
		"--set", "controllermanager.featureGates.SchedulerPreferences=Disabled")

	t.Log("The chart's KubeFedConfig is complete as soon as helm install returns, the values given kept.")
	want := withUserValues(kubeFedDefaulted("Cluster"), map[string]any{
		"controllerDuration.availableDelay":      "30s",
		"syncController.maxConcurrentReconciles": int64(2),
		"featureGates.SchedulerPreferences":      "Disabled",
	})
	if got := c.configSpec(t, releaseNamespace, "kubefed"); !sameSpec(got, want) {
		t.Errorf("right after helm install, KubeFedConfig %s/kubefed has spec\n%s\nwant (KubeFed's defaulting of the values given)\n%s",
			releaseNamespace, toYAML(got), toYAML(want))
	}

	t.Log("A KubeFedConfig a user writes in the release namespace is completed at admission.")
	c.waitForDefaultsPolicy(t, releaseNamespace)
	cfg := partialConfig(releaseNamespace, "user")
	if got := c.createConfig(t, cfg); !sameSpec(got, partialConfigDefaulted()) {
		t.Errorf("KubeFedConfig %s/user has spec\n%s\nwant\n%s", releaseNamespace, toYAML(got), toYAML(partialConfigDefaulted()))
	}

	t.Log("An update that drops the gates gets them back at their defaults.")
	unstructured.RemoveNestedField(cfg.Object, "spec", "featureGates")
	if err := c.client.Update(ctx, cfg); err != nil {
		t.Fatalf("updating KubeFedConfig %s/user: %v", releaseNamespace, err)
	}
	wantUpdated := withUserValues(kubeFedDefaulted("Cluster"), map[string]any{"controllerDuration.availableDelay": "30s"})
	if got, _, _ := unstructured.NestedMap(cfg.Object, "spec"); !sameSpec(got, wantUpdated) {
		t.Errorf("after an update without featureGates, KubeFedConfig %s/user has spec\n%s\nwant\n%s", releaseNamespace, toYAML(got), toYAML(wantUpdated))
	}

	t.Log("A KubeFedConfig in another namespace is completed too, as KubeFed's webhook completed it.")
	c.createNamespace(t, "elsewhere")
	if got := c.createConfig(t, partialConfig("elsewhere", "kubefed")); !sameSpec(got, partialConfigDefaulted()) {
		t.Errorf("KubeFedConfig elsewhere/kubefed has spec\n%s\nwant (KubeFed's defaulting)\n%s", toYAML(got), toYAML(partialConfigDefaulted()))
	}
	bare := kubeFedConfigObject()
	bare.SetNamespace("elsewhere")
	bare.SetName("bare")
	bare.Object["spec"] = map[string]any{"scope": "Namespaced"}
	if got := c.createConfig(t, bare); !sameSpec(got, kubeFedDefaulted("Namespaced")) {
		t.Errorf("KubeFedConfig elsewhere/bare (only a scope) has spec\n%s\nwant (KubeFed's defaulting)\n%s", toYAML(got), toYAML(kubeFedDefaulted("Namespaced")))
	}

	t.Log("An upgrade that drops the values (--reset-values: helm would otherwise reuse them) returns every setting to its default.")
	mustHelm(t, "upgrade", releaseName, chartDir(), "--namespace", releaseNamespace, "--kubeconfig", c.kubeconfig, "--wait=false",
		"--reset-values")
	if got := c.configSpec(t, releaseNamespace, "kubefed"); !sameSpec(got, kubeFedDefaulted("Cluster")) {
		t.Errorf("after helm upgrade --reset-values, KubeFedConfig %s/kubefed has spec\n%s\nwant\n%s",
			releaseNamespace, toYAML(got), toYAML(kubeFedDefaulted("Cluster")))
	}

	mustHelm(t, "uninstall", releaseName, "--namespace", releaseNamespace, "--kubeconfig", c.kubeconfig)
}

// TestKubeFedConfigDefaultsNamespacedReleases installs two Namespaced-scope
// control planes side by side: both installs succeed, each KubeFedConfig is
// complete right after its install, each release completes the
// KubeFedConfigs of its own namespace, and neither reaches a namespace that
// no release owns (KubeFed's Namespaced webhook matched its namespace only).
// Removing one release leaves the other's defaults working.
func TestKubeFedConfigDefaultsNamespacedReleases(t *testing.T) {
	if testing.Short() {
		t.Skip("installs on an API server (envtest); skipped in -short mode")
	}
	t.Parallel()
	c := startCluster(t)
	if !c.servesMutatingAdmissionPolicy(t) {
		t.Fatalf("the test API server does not serve %s: Kubernetes 1.36 or later serves it by default", mapAPIVersion)
	}
	namespaces := []string{"fed-a", "fed-b"}
	for _, ns := range namespaces {
		mustHelm(t, "install", releaseName, chartDir(), "--namespace", ns, "--create-namespace",
			"--kubeconfig", c.kubeconfig, "--wait=false", "--set", "global.scope=Namespaced")
		if got := c.configSpec(t, ns, "kubefed"); !sameSpec(got, kubeFedDefaulted("Namespaced")) {
			t.Errorf("right after helm install, KubeFedConfig %s/kubefed has spec\n%s\nwant (KubeFed's defaulting)\n%s",
				ns, toYAML(got), toYAML(kubeFedDefaulted("Namespaced")))
		}
	}
	for _, ns := range namespaces {
		c.waitForDefaultsPolicy(t, ns)
	}

	t.Log("Both policies complete their own namespace (above); a namespace no release owns is left as written.")
	c.createNamespace(t, "fed-c")
	written, _, _ := unstructured.NestedSlice(partialConfig("", "").Object, "spec", "featureGates")
	if got := c.createConfig(t, partialConfig("fed-c", "kubefed")); !reflect.DeepEqual(got["featureGates"], written) {
		t.Errorf("KubeFedConfig fed-c/kubefed, in a namespace of no Namespaced release, has featureGates %v, want the one written: %v",
			got["featureGates"], written)
	}

	mustHelm(t, "uninstall", releaseName, "--namespace", "fed-a", "--kubeconfig", c.kubeconfig)
	t.Log("Release fed-b still completes its namespace.")
	if got := c.createConfig(t, partialConfig("fed-b", "user")); !sameSpec(got, partialConfigDefaulted()) {
		t.Errorf("after release fed-a was uninstalled, KubeFedConfig fed-b/user has spec\n%s\nwant\n%s", toYAML(got), toYAML(partialConfigDefaulted()))
	}
	mustHelm(t, "uninstall", releaseName, "--namespace", "fed-b", "--kubeconfig", c.kubeconfig)
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
