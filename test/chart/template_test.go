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
	"os"
	"path/filepath"
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

	containers, _, _ := unstructured.NestedSlice(deploy.Object, "spec", "template", "spec", "containers")
	if len(containers) != 1 {
		t.Fatalf("%d containers, want 1", len(containers))
	}
	c := &unstructured.Unstructured{Object: containers[0].(map[string]any)}
	if got, want := nestedString(t, c, "image"), "ghcr.io/kubefed/kubefed:v0.11.0"; got != want {
		t.Errorf("image = %q, want %q", got, want)
	}
	args, _, _ := unstructured.NestedStringSlice(c.Object, "args")
	for _, want := range []string{
		"--leader-elect",
		"--kubefed-namespace=" + releaseNamespace,
		"--metrics-bind-address=:8080",
		"--health-probe-bind-address=:8081",
		"--zap-log-level=2",
	} {
		if !slices.Contains(args, want) {
			t.Errorf("args %v lack %s", args, want)
		}
	}

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
	if got := nestedString(t, deploy, "spec", "template", "spec", "securityContext", "seccompProfile", "type"); got != "RuntimeDefault" {
		t.Errorf("pod securityContext.seccompProfile.type = %q, want RuntimeDefault", got)
	}

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
	containers, _, _ := unstructured.NestedSlice(deploy.Object, "spec", "template", "spec", "containers")
	c := &unstructured.Unstructured{Object: containers[0].(map[string]any)}
	if got, want := nestedString(t, c, "image"), "ghcr.io/kubefed/kubefed:v9.9.9"; got != want {
		t.Errorf("image = %q, want %q", got, want)
	}
	args, _, _ := unstructured.NestedStringSlice(c.Object, "args")
	for _, want := range []string{"--zap-log-level=info", "--rest-config-qps=50"} {
		if !slices.Contains(args, want) {
			t.Errorf("args %v lack %s", args, want)
		}
	}
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

// TestTemplateRBAC checks the RBAC of both scopes: every rule the
// controllers' generated RBAC asks for is granted, without a wildcard,
// leader election is granted in the release namespace, the roles are bound
// to the controller's ServiceAccount, and Namespaced scope grants nothing
// cluster-wide.
func TestTemplateRBAC(t *testing.T) {
	t.Parallel()
	t.Run("Cluster", func(t *testing.T) {
		t.Parallel()
		objs := render(t)
		role := objs.one(t, "ClusterRole", "kubefed-role")
		config := objs.one(t, "Role", "kubefed-config-role")
		for _, r := range []*unstructured.Unstructured{role, config} {
			checkNoWildcards(t, r)
		}
		checkGeneratedRulesGranted(t, "Cluster", role, config)
		checkGrants(t, config, "coordination.k8s.io", "leases", "update")
		if got := nestedString(t, config, "metadata", "namespace"); got != releaseNamespace {
			t.Errorf("Role namespace = %q, want %q", got, releaseNamespace)
		}
		checkBinding(t, objs.one(t, "ClusterRoleBinding", "kubefed-rolebinding"), "ClusterRole", "kubefed-role")
		checkBinding(t, objs.one(t, "RoleBinding", "kubefed-config-rolebinding"), "Role", "kubefed-config-role")
		// Every federated type, shipped or enabled later, is served.
		for _, res := range []string{"federateddeployments", "federatedpoddisruptionbudgets", "federatedfoos/status"} {
			checkGrants(t, role, "types.kubefed.io", res, "watch")
		}
		checkGrants(t, role, "types.kubefed.io", "federatedfoos/status", "patch")
		checkAggregated(t, objs.one(t, "ClusterRole", aggregatedRoleName))
		checkBinding(t, objs.one(t, "ClusterRoleBinding", aggregatedRoleName), "ClusterRole", aggregatedRoleName)
		if len(objs.ofKind("Role")) != 1 {
			t.Errorf("Cluster scope rendered %d Roles, want only kubefed-config-role", len(objs.ofKind("Role")))
		}
	})
	t.Run("Namespaced", func(t *testing.T) {
		t.Parallel()
		objs := render(t, "global.scope=Namespaced")
		if got := objs.ofKind("ClusterRoleBinding"); len(got) != 0 {
			t.Errorf("Namespaced scope rendered %d ClusterRoleBindings", len(got))
		}
		// The one ClusterRole is the aggregated one, which grants nothing
		// as installed and is bound in the release namespace only.
		if got := objs.ofKind("ClusterRole"); len(got) != 1 || got[0].GetName() != aggregatedRoleName {
			t.Errorf("Namespaced scope rendered ClusterRoles %v, want only %s", names(got), aggregatedRoleName)
		}
		checkAggregated(t, objs.one(t, "ClusterRole", aggregatedRoleName))
		checkBinding(t, objs.one(t, "RoleBinding", "kubefed-rolebinding-aggregated"), "ClusterRole", aggregatedRoleName)
		role := objs.one(t, "Role", "kubefed-role")
		config := objs.one(t, "Role", "kubefed-config-role")
		for _, r := range []*unstructured.Unstructured{role, config} {
			checkNoWildcards(t, r)
			if got := nestedString(t, r, "metadata", "namespace"); got != releaseNamespace {
				t.Errorf("Role %s namespace = %q, want %q", r.GetName(), got, releaseNamespace)
			}
			for _, res := range clusterScopedResources(t) {
				for _, group := range []string{"", "types.kubefed.io", "core.kubefed.io", "apiextensions.k8s.io"} {
					// A Role's wildcard never reaches cluster-scoped
					// resources; naming one is the mistake.
					if namesResource(r, group, res) {
						t.Errorf("Role %s names the cluster-scoped %s, which a Role cannot grant", r.GetName(), res)
					}
				}
			}
		}
		checkGeneratedRulesGranted(t, "Namespaced", role, config)
		checkGrants(t, config, "coordination.k8s.io", "leases", "update")
		checkBinding(t, objs.one(t, "RoleBinding", "kubefed-rolebinding"), "Role", "kubefed-role")
		checkBinding(t, objs.one(t, "RoleBinding", "kubefed-config-rolebinding"), "Role", "kubefed-config-role")
	})
}

// aggregatedRoleName is the chart's aggregated ClusterRole, which ClusterRoles
// labelled kubefed.io/aggregate-to-controller extend.
const aggregatedRoleName = "kubefed-role:aggregated:" + releaseNamespace

// checkAggregated checks that the aggregated ClusterRole selects the label
// that docs/install.md tells users to set.
func checkAggregated(t *testing.T, role *unstructured.Unstructured) {
	t.Helper()
	selectors, _, _ := unstructured.NestedSlice(role.Object, "aggregationRule", "clusterRoleSelectors")
	if len(selectors) != 1 {
		t.Fatalf("%s has %d clusterRoleSelectors, want 1", role.GetName(), len(selectors))
	}
	labels, _, _ := unstructured.NestedStringMap(selectors[0].(map[string]any), "matchLabels")
	if labels["kubefed.io/aggregate-to-controller"] != "true" || len(labels) != 1 {
		t.Errorf("%s selects %v, want kubefed.io/aggregate-to-controller=true", role.GetName(), labels)
	}
}

func names(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetName())
	}
	return out
}

// clusterScopedResources are the cluster-scoped resources the controllers
// may name: a Role cannot grant them.
func clusterScopedResources(t *testing.T) []string {
	t.Helper()
	res := []string{"namespaces", "customresourcedefinitions", "clusterpropagatedversions"}
	for _, ftc := range shippedFTCs(t) {
		if nestedString(t, ftc, "spec", "federatedType", "scope") == "Cluster" {
			res = append(res, nestedString(t, ftc, "spec", "federatedType", "pluralName"))
		}
	}
	return res
}

// checkGeneratedRulesGranted checks that every verb on every resource the
// controllers' generated RBAC (files/rbac/role.yaml) asks for is granted:
// ClusterRole rules by role, namespaced Role rules by config. Wildcards
// over types.kubefed.io stand for the shipped federated types; in
// Namespaced scope cluster-scoped resources are left out.
func checkGeneratedRulesGranted(t *testing.T, scope string, role, config *unstructured.Unstructured) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(chartDir(), "files", "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	clusterScoped := clusterScopedResources(t)
	var plurals []string
	for _, ftc := range shippedFTCs(t) {
		plural := nestedString(t, ftc, "spec", "federatedType", "pluralName")
		if scope == "Cluster" || !slices.Contains(clusterScoped, plural) {
			plurals = append(plurals, plural)
		}
	}
	checked := 0
	for _, doc := range parseDocuments(t, string(data)) {
		target := role
		if doc.GetKind() == "Role" {
			target = config
		}
		for _, rule := range rulesOf(doc) {
			groups, resources, verbs := rule.groups, rule.resources, rule.verbs
			for _, group := range groups {
				for _, res := range resources {
					names := []string{res}
					if group == "types.kubefed.io" && strings.HasPrefix(res, "*") {
						names = nil
						for _, p := range plurals {
							names = append(names, p+strings.TrimPrefix(res, "*"))
						}
					}
					for _, name := range names {
						if scope != "Cluster" && slices.Contains(clusterScoped, strings.Split(name, "/")[0]) {
							continue
						}
						for _, verb := range verbs {
							checked++
							checkGrants(t, target, group, name, verb)
						}
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Errorf("files/rbac/role.yaml asks for nothing: run make manifests")
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

// checkNoWildcards fails the test when a role grants "*" anywhere.
func checkNoWildcards(t *testing.T, role *unstructured.Unstructured) {
	t.Helper()
	rules := rulesOf(role)
	if len(rules) == 0 {
		t.Errorf("%s %s has no rules", role.GetKind(), role.GetName())
	}
	for i, rule := range rules {
		groups := rule.groups
		for _, field := range []string{"apiGroups", "resources", "verbs"} {
			values, _, _ := unstructured.NestedStringSlice(rule.raw, field)
			for _, v := range values {
				// Federated types are open-ended: every resource of
				// types.kubefed.io (and its status and finalizers) is the
				// one wildcard allowed, and only on that group.
				if field == "resources" && slices.Equal(groups, []string{"types.kubefed.io"}) && slices.Contains([]string{"*", "*/status", "*/finalizers"}, v) {
					continue
				}
				if strings.Contains(v, "*") {
					t.Errorf("%s %s rule %d has * in %s: %v", role.GetKind(), role.GetName(), i, field, rule.raw)
				}
			}
		}
	}
}

// grants reports whether a role has a rule granting verb on resource in
// group.
func grants(role *unstructured.Unstructured, group, resource, verb string) bool {
	for _, rule := range rulesOf(role) {
		if slices.Contains(rule.groups, group) && slices.ContainsFunc(rule.resources, func(r string) bool { return resourceMatches(r, resource) }) && slices.Contains(rule.verbs, verb) {
			return true
		}
	}
	return false
}

// namesResource reports whether a role has a rule that names resource in
// group explicitly.
func namesResource(role *unstructured.Unstructured, group, resource string) bool {
	for _, rule := range rulesOf(role) {
		if slices.Contains(rule.groups, group) && slices.Contains(rule.resources, resource) {
			return true
		}
	}
	return false
}

// policyRule is one rule of a Role or ClusterRole as rendered.
type policyRule struct {
	// raw is the rule as decoded.
	raw                      map[string]any
	groups, resources, verbs []string
}

// rulesOf returns the rules of a Role or ClusterRole.
func rulesOf(role *unstructured.Unstructured) []policyRule {
	rules, _, _ := unstructured.NestedSlice(role.Object, "rules")
	out := make([]policyRule, 0, len(rules))
	for _, r := range rules {
		raw := r.(map[string]any)
		rule := policyRule{raw: raw}
		rule.groups, _, _ = unstructured.NestedStringSlice(raw, "apiGroups")
		rule.resources, _, _ = unstructured.NestedStringSlice(raw, "resources")
		rule.verbs, _, _ = unstructured.NestedStringSlice(raw, "verbs")
		out = append(out, rule)
	}
	return out
}

// resourceMatches reports whether a rule's resource grants resource, as the
// API server's authorizer matches them: "*" matches every resource,
// "*/status" every resource's status subresource.
func resourceMatches(rule, resource string) bool {
	if rule == resource || rule == "*" {
		return true
	}
	if sub, ok := strings.CutPrefix(rule, "*/"); ok {
		_, got, found := strings.Cut(resource, "/")
		return found && got == sub
	}
	return false
}

// checkGrants fails the test when a role does not grant verb on resource.
func checkGrants(t *testing.T, role *unstructured.Unstructured, group, resource, verb string) {
	t.Helper()
	if !grants(role, group, resource, verb) {
		t.Errorf("%s %s does not grant %s on %s.%s", role.GetKind(), role.GetName(), verb, resource, group)
	}
}

// checkBinding checks that a binding binds the controller's ServiceAccount
// to the named role.
func checkBinding(t *testing.T, binding *unstructured.Unstructured, kind, name string) {
	t.Helper()
	if got := nestedString(t, binding, "roleRef", "kind"); got != kind {
		t.Errorf("%s roleRef.kind = %q, want %q", binding.GetName(), got, kind)
	}
	if got := nestedString(t, binding, "roleRef", "name"); got != name {
		t.Errorf("%s roleRef.name = %q, want %q", binding.GetName(), got, name)
	}
	subjects, _, _ := unstructured.NestedSlice(binding.Object, "subjects")
	want := []any{map[string]any{"kind": "ServiceAccount", "name": "kubefed-controller", "namespace": releaseNamespace}}
	if fmt.Sprint(subjects) != fmt.Sprint(want) {
		t.Errorf("%s subjects = %v, want %v", binding.GetName(), subjects, want)
	}
}
