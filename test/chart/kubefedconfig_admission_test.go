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
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

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
	c := startPolicyCluster(t)
	ctx := t.Context()
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
	checkSpec(t, "right after helm install, KubeFedConfig "+releaseNamespace+"/kubefed", c.configSpec(t, releaseNamespace, "kubefed"), want)

	t.Log("A KubeFedConfig a user writes in the release namespace is completed at admission.")
	c.waitForDefaultsPolicy(t, releaseNamespace)
	cfg := partialConfig(releaseNamespace, "user")
	checkSpec(t, "KubeFedConfig "+releaseNamespace+"/user", c.createConfig(t, cfg), partialConfigDefaulted())

	t.Log("An update that drops the gates gets them back at their defaults.")
	unstructured.RemoveNestedField(cfg.Object, "spec", "featureGates")
	if err := c.client.Update(ctx, cfg); err != nil {
		t.Fatalf("updating KubeFedConfig %s/user: %v", releaseNamespace, err)
	}
	wantUpdated := withUserValues(kubeFedDefaulted("Cluster"), map[string]any{"controllerDuration.availableDelay": "30s"})
	got, _, _ := unstructured.NestedMap(cfg.Object, "spec")
	checkSpec(t, "after an update without featureGates, KubeFedConfig "+releaseNamespace+"/user", got, wantUpdated)

	t.Log("A KubeFedConfig in another namespace is completed too, as KubeFed's webhook completed it.")
	c.createNamespace(t, "elsewhere")
	checkSpec(t, "KubeFedConfig elsewhere/kubefed", c.createConfig(t, partialConfig("elsewhere", "kubefed")), partialConfigDefaulted())
	bare := kubeFedConfigObject()
	bare.SetNamespace("elsewhere")
	bare.SetName("bare")
	bare.Object["spec"] = map[string]any{"scope": "Namespaced"}
	checkSpec(t, "KubeFedConfig elsewhere/bare (only a scope)", c.createConfig(t, bare), kubeFedDefaulted("Namespaced"))

	t.Log("An upgrade that drops the values (--reset-values: helm would otherwise reuse them) returns every setting to its default.")
	mustHelm(t, "upgrade", releaseName, chartDir(), "--namespace", releaseNamespace, "--kubeconfig", c.kubeconfig, "--wait=false",
		"--reset-values")
	checkSpec(t, "after helm upgrade --reset-values, KubeFedConfig "+releaseNamespace+"/kubefed",
		c.configSpec(t, releaseNamespace, "kubefed"), kubeFedDefaulted("Cluster"))

	mustHelm(t, "uninstall", releaseName, "--namespace", releaseNamespace, "--kubeconfig", c.kubeconfig)
}

// TestKubeFedConfigDefaultsNamespacedReleases installs two Namespaced-scope
// control planes side by side: both installs succeed, each KubeFedConfig is
// complete right after its install, each release completes the
// KubeFedConfigs of its own namespace, and neither reaches a namespace that
// no release owns (KubeFed's Namespaced webhook matched its namespace only).
// Removing one release leaves the other's defaults working.
func TestKubeFedConfigDefaultsNamespacedReleases(t *testing.T) {
	c := startPolicyCluster(t)
	namespaces := []string{"fed-a", "fed-b"}
	for _, ns := range namespaces {
		mustHelm(t, "install", releaseName, chartDir(), "--namespace", ns, "--create-namespace",
			"--kubeconfig", c.kubeconfig, "--wait=false", "--set", "global.scope=Namespaced")
		checkSpec(t, "right after helm install, KubeFedConfig "+ns+"/kubefed", c.configSpec(t, ns, "kubefed"), kubeFedDefaulted("Namespaced"))
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
	checkSpec(t, "after release fed-a was uninstalled, KubeFedConfig fed-b/user", c.createConfig(t, partialConfig("fed-b", "user")), partialConfigDefaulted())
	mustHelm(t, "uninstall", releaseName, "--namespace", "fed-b", "--kubeconfig", c.kubeconfig)
}

// startPolicyCluster starts an API server for a test that installs the
// chart; it must serve MutatingAdmissionPolicy. It skips in -short mode.
func startPolicyCluster(t *testing.T) *cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("installs on an API server (envtest); skipped in -short mode")
	}
	t.Parallel()
	c := startCluster(t)
	if !c.servesMutatingAdmissionPolicy(t) {
		t.Fatalf("the test API server does not serve %s: Kubernetes 1.36 or later serves it by default", mapAPIVersion)
	}
	return c
}

// checkSpec fails the test when a KubeFedConfig spec says other than want;
// what names the KubeFedConfig and when it was read.
func checkSpec(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	if !sameSpec(got, want) {
		t.Errorf("%s has spec\n%s\nwant\n%s", what, toYAML(got), toYAML(want))
	}
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
