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

package kubefedctl

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestMemberPlan(t *testing.T) {
	names := func(scope apiextensionsv1.ResourceScope) []string {
		var out []string
		for _, po := range memberPlan("kube-federation-system", "member1-host", scope) {
			out = append(out, objectRef(kindOf(po.obj), po.obj))
		}
		return out
	}
	tests := []struct {
		scope apiextensionsv1.ResourceScope
		want  []string
	}{
		{scope: apiextensionsv1.ClusterScoped, want: []string{
			"Namespace kube-federation-system",
			"ServiceAccount kube-federation-system/member1-host",
			"Secret kube-federation-system/member1-host",
			"ClusterRole kubefed-controller-manager:member1-host",
			"ClusterRoleBinding kubefed-controller-manager:member1-host",
		}},
		{scope: apiextensionsv1.NamespaceScoped, want: []string{
			"Namespace kube-federation-system",
			"ServiceAccount kube-federation-system/member1-host",
			"Secret kube-federation-system/member1-host",
			"Role kube-federation-system/kubefed-controller-manager:member1-host",
			"RoleBinding kube-federation-system/kubefed-controller-manager:member1-host",
			"ClusterRole kubefed-controller-manager:kube-federation-system:healthcheck-member1-host",
			"ClusterRoleBinding kubefed-controller-manager:kube-federation-system:healthcheck-member1-host",
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.scope), func(t *testing.T) {
			got := names(tt.scope)
			if len(got) != len(tt.want) {
				t.Fatalf("plan %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("step %d: %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestBindingSync(t *testing.T) {
	plan := memberPlan("ns", "sa", apiextensionsv1.ClusterScoped)
	binding := plan[4]
	existing := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: RoleName("sa")},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "other"},
	}
	if !binding.replace(existing) {
		t.Error("a binding to another role is not replaced")
	}
	if !binding.sync(existing) || !boundTo(existing, "ns", "sa") {
		t.Errorf("sync did not bind the service account: %+v", existing.Subjects)
	}
	if binding.sync(existing) {
		t.Error("a second sync reported a change")
	}
	if boundTo(existing, "other-ns", "sa") {
		t.Error("boundTo matched a service account of another namespace")
	}
	role := plan[3]
	existingRole := &rbacv1.ClusterRole{Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}}}}
	if !role.sync(existingRole) || len(existingRole.Rules) != len(ClusterScopeRules()) {
		t.Errorf("sync did not restore the rules: %+v", existingRole.Rules)
	}
}
