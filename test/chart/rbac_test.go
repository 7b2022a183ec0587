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
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

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
