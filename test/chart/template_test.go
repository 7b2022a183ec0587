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
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestTemplateDeployment checks the controller manager's Deployment as
// rendered with the default values.
func TestTemplateDeployment(t *testing.T) {
	t.Parallel()
	objs := render(t)
	deploy := objs.one(t, "Deployment", "kubefed-controller-manager")

	if got := nestedInt(t, deploy, "spec", "replicas"); got != 2 {
		t.Errorf("replicas = %d, want 2", got)
	}
	selector, _, _ := unstructured.NestedStringMap(deploy.Object, "spec", "selector", "matchLabels")
	if want := map[string]string{"kubefed-control-plane": "controller-manager"}; !maps.Equal(selector, want) {
		t.Errorf("selector = %v, want KubeFed's %v (a Deployment's selector is immutable)", selector, want)
	}
	podLabels, _, _ := unstructured.NestedStringMap(deploy.Object, "spec", "template", "metadata", "labels")
	for k, v := range selector {
		if podLabels[k] != v {
			t.Errorf("pod label %s = %q, want %q (the selector's)", k, podLabels[k], v)
		}
	}
	if got := nestedString(t, deploy, "spec", "template", "spec", "serviceAccountName"); got != "kubefed-controller" {
		t.Errorf("serviceAccountName = %q, want kubefed-controller", got)
	}

	c := controllerContainer(t, deploy, "ghcr.io/kubefed/kubefed:v0.11.0",
		"--leader-elect",
		"--kubefed-namespace="+releaseNamespace,
		"--metrics-bind-address=:8080",
		"--health-probe-bind-address=:8081",
		"--zap-log-level=2",
	)
	checkContainerSecurity(t, c)
	if got := nestedString(t, deploy, "spec", "template", "spec", "securityContext", "seccompProfile", "type"); got != "RuntimeDefault" {
		t.Errorf("pod securityContext.seccompProfile.type = %q, want RuntimeDefault", got)
	}
	checkContainerPorts(t, c)

	terms, _, _ := unstructured.NestedSlice(deploy.Object, "spec", "template", "spec", "affinity", "podAntiAffinity",
		"preferredDuringSchedulingIgnoredDuringExecution")
	if len(terms) != 1 {
		t.Errorf("want one preferred pod anti-affinity term spreading the replicas, got %v", terms)
	}

	svc := objs.one(t, "Service", "kubefed-controller-manager-metrics-service")
	svcSelector, _, _ := unstructured.NestedStringMap(svc.Object, "spec", "selector")
	if !maps.Equal(svcSelector, selector) {
		t.Errorf("metrics Service selector = %v, want the Deployment's %v", svcSelector, selector)
	}
	objs.one(t, "PodDisruptionBudget", "kubefed-controller-manager")
	objs.one(t, "ServiceAccount", "kubefed-controller")
	if got := objs.ofKind("ServiceMonitor"); len(got) != 0 {
		t.Errorf("rendered a ServiceMonitor by default")
	}
}

// controllerContainer returns the Deployment's one container, checking its
// image and that its args hold wantArgs.
func controllerContainer(t *testing.T, deploy *unstructured.Unstructured, image string, wantArgs ...string) *unstructured.Unstructured {
	t.Helper()
	containers, _, _ := unstructured.NestedSlice(deploy.Object, "spec", "template", "spec", "containers")
	if len(containers) != 1 {
		t.Fatalf("%d containers, want 1", len(containers))
	}
	c := &unstructured.Unstructured{Object: containers[0].(map[string]any)}
	if got := nestedString(t, c, "image"); got != image {
		t.Errorf("image = %q, want %q", got, image)
	}
	args, _, _ := unstructured.NestedStringSlice(c.Object, "args")
	for _, want := range wantArgs {
		if !slices.Contains(args, want) {
			t.Errorf("args %v lack %s", args, want)
		}
	}
	return c
}

// checkContainerSecurity checks the controller container's restricted
// securityContext.
func checkContainerSecurity(t *testing.T, c *unstructured.Unstructured) {
	t.Helper()
	for field, want := range map[string]any{
		"runAsNonRoot":             true,
		"readOnlyRootFilesystem":   true,
		"allowPrivilegeEscalation": false,
	} {
		got, found, _ := unstructured.NestedBool(c.Object, "securityContext", field)
		if !found || got != want {
			t.Errorf("securityContext.%s = %v (set: %v), want %v", field, got, found, want)
		}
	}
	drop, _, _ := unstructured.NestedStringSlice(c.Object, "securityContext", "capabilities", "drop")
	if !slices.Equal(drop, []string{"ALL"}) {
		t.Errorf("securityContext.capabilities.drop = %v, want [ALL]", drop)
	}
	if got := nestedString(t, c, "securityContext", "seccompProfile", "type"); got != "RuntimeDefault" {
		t.Errorf("securityContext.seccompProfile.type = %q, want RuntimeDefault", got)
	}
}

// checkContainerPorts checks the controller container's probes and ports.
func checkContainerPorts(t *testing.T, c *unstructured.Unstructured) {
	t.Helper()
	for probe, path := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
		if got := nestedString(t, c, probe, "httpGet", "path"); got != path {
			t.Errorf("%s path = %q, want %q", probe, got, path)
		}
		if got := nestedString(t, c, probe, "httpGet", "port"); got != "health" {
			t.Errorf("%s port = %q, want the probe port (health)", probe, got)
		}
	}
	ports, _, _ := unstructured.NestedSlice(c.Object, "ports")
	gotPorts := map[string]int64{}
	for _, p := range ports {
		port := &unstructured.Unstructured{Object: p.(map[string]any)}
		gotPorts[nestedString(t, port, "name")] = nestedInt(t, port, "containerPort")
	}
	if gotPorts["metrics"] != 8080 || gotPorts["health"] != 8081 {
		t.Errorf("ports = %v, want metrics 8080 and health 8081", gotPorts)
	}
}

// TestTemplateDeploymentValues checks that the controller values land in the
// Deployment and that the optional objects follow their switches.
func TestTemplateDeploymentValues(t *testing.T) {
	t.Parallel()
	objs := render(t,
		"controllermanager.controller.replicaCount=1",
		"controllermanager.controller.tag=v9.9.9",
		"controllermanager.controller.logLevel=0",
		"controllermanager.controller.env.GOMAXPROCS=2",
		"controllermanager.controller.extraArgs={--rest-config-qps=50}",
		"controllermanager.commonNodeSelector.disk=ssd",
		"controllermanager.imagePullSecrets[0].name=regcred",
		"metrics.serviceMonitor.enabled=true",
	)
	deploy := objs.one(t, "Deployment", "kubefed-controller-manager")
	if got := nestedInt(t, deploy, "spec", "replicas"); got != 1 {
		t.Errorf("replicas = %d, want 1", got)
	}
	c := controllerContainer(t, deploy, "ghcr.io/kubefed/kubefed:v9.9.9", "--zap-log-level=info", "--rest-config-qps=50")
	env, _, _ := unstructured.NestedSlice(c.Object, "env")
	if fmt.Sprint(env) != fmt.Sprint([]any{map[string]any{"name": "GOMAXPROCS", "value": "2"}}) {
		t.Errorf("env = %v, want GOMAXPROCS=2", env)
	}
	if got := nestedString(t, deploy, "spec", "template", "spec", "nodeSelector", "disk"); got != "ssd" {
		t.Errorf("nodeSelector disk = %q, want ssd", got)
	}
	secrets, _, _ := unstructured.NestedSlice(deploy.Object, "spec", "template", "spec", "imagePullSecrets")
	if len(secrets) != 1 {
		t.Errorf("imagePullSecrets = %v, want regcred", secrets)
	}
	if got := objs.ofKind("PodDisruptionBudget"); len(got) != 0 {
		t.Errorf("rendered a PodDisruptionBudget for a single replica")
	}
	sm := objs.one(t, "ServiceMonitor", "kubefed-controller-manager")
	if got := nestedString(t, sm, "metadata", "namespace"); got != releaseNamespace {
		t.Errorf("ServiceMonitor namespace = %q, want %q", got, releaseNamespace)
	}

	// Without the controller manager, everything else is still installed.
	objs = render(t, "controllermanager.enabled=false")
	for _, kind := range []string{"Deployment", "Service", "PodDisruptionBudget"} {
		if got := objs.ofKind(kind); len(got) != 0 {
			t.Errorf("controllermanager.enabled=false rendered a %s", kind)
		}
	}
	for _, kind := range []string{"ServiceAccount", "ClusterRole", "KubeFedConfig", "FederatedTypeConfig"} {
		if got := objs.ofKind(kind); len(got) == 0 {
			t.Errorf("controllermanager.enabled=false rendered no %s", kind)
		}
	}
}

// TestTemplateKubeFedConfig checks that the chart writes a complete
// KubeFedConfig, as KubeFed's webhook completed one: every setting left
// empty in values at KubeFed's default (kubeFedDefaulted), the values that
// were set, under KubeFed's value names, kept.
func TestTemplateKubeFedConfig(t *testing.T) {
	t.Parallel()
	t.Run("defaults", func(t *testing.T) {
		t.Parallel()
		cfg := render(t).one(t, "KubeFedConfig", "kubefed")
		spec, _, _ := unstructured.NestedMap(cfg.Object, "spec")
		if want := kubeFedDefaulted("Cluster"); !sameSpec(spec, want) {
			t.Errorf("spec =\n%s\nwant (KubeFed's defaulting)\n%s", toYAML(spec), toYAML(want))
		}
	})
	t.Run("values", func(t *testing.T) {
		t.Parallel()
		cfg := render(t,
			"global.scope=Namespaced",
			"controllermanager.clusterAvailableDelay=30s",
			"controllermanager.cacheSyncTimeout=10m",
			"controllermanager.leaderElectLeaseDuration=1m30s",
			"controllermanager.leaderElectResourceLock=configmaps",
			"controllermanager.clusterHealthCheckFailureThreshold=5",
			"controllermanager.clusterHealthCheckTimeout=500ms",
			"controllermanager.syncController.maxConcurrentReconciles=1",
			"controllermanager.syncController.adoptResources=Disabled",
			"controllermanager.statusController.maxConcurrentReconciles=4",
			"controllermanager.featureGates.RawResourceStatusCollection=Disabled",
			"controllermanager.featureGates.SchedulerPreferences=true",
			"controllermanager.featureGates.PushReconciler=",
			"controllermanager.featureGates.FederatedIngress=false",
		).one(t, "KubeFedConfig", "kubefed")
		if got := nestedString(t, cfg, "metadata", "namespace"); got != releaseNamespace {
			t.Errorf("namespace = %q, want %q", got, releaseNamespace)
		}
		// Written as given; the rest at KubeFed's defaults (an empty gate
		// too); KubeFed's true/false read as Enabled/Disabled.
		want := withUserValues(kubeFedDefaulted("Namespaced"), map[string]any{
			"controllerDuration.availableDelay":        "30s",
			"controllerDuration.cacheSyncTimeout":      "10m",
			"leaderElect.leaseDuration":                "1m30s",
			"leaderElect.resourceLock":                 "configmaps",
			"clusterHealthCheck.failureThreshold":      int64(5),
			"clusterHealthCheck.timeout":               "500ms",
			"syncController.maxConcurrentReconciles":   int64(1),
			"syncController.adoptResources":            "Disabled",
			"statusController.maxConcurrentReconciles": int64(4),
			"featureGates.RawResourceStatusCollection": "Disabled",
			"featureGates.SchedulerPreferences":        "Enabled",
			"featureGates.FederatedIngress":            "Disabled",
		})
		spec, _, _ := unstructured.NestedMap(cfg.Object, "spec")
		if !sameSpec(spec, want) {
			t.Errorf("spec =\n%s\nwant\n%s", toYAML(spec), toYAML(want))
		}
		// Durations as the user wrote them, not only equal as durations.
		for path, want := range map[string]string{
			"spec.controllerDuration.cacheSyncTimeout": "10m",
			"spec.leaderElect.leaseDuration":           "1m30s",
		} {
			if got := nestedString(t, cfg, strings.Split(path, ".")...); got != want {
				t.Errorf("%s = %q, want %q", path, got, want)
			}
		}
	})
}

// TestTemplateFederatedTypeConfigs checks that every shipped FTC is rendered
// once, in the release namespace.
func TestTemplateFederatedTypeConfigs(t *testing.T) {
	t.Parallel()
	want := shippedFTCNames(t)
	for _, scope := range []string{"Cluster", "Namespaced"} {
		ftcs := render(t, "global.scope="+scope).ofKind("FederatedTypeConfig")
		var got []string
		for _, ftc := range ftcs {
			got = append(got, ftc.GetName())
			if ftc.GetNamespace() != releaseNamespace {
				t.Errorf("%s: FTC %s in namespace %q, want %q", scope, ftc.GetName(), ftc.GetNamespace(), releaseNamespace)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: rendered FTCs %v, want %v", scope, got, want)
		}
	}
}
