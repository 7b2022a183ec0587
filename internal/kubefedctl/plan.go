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
	"slices"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// plannedObject is one object join writes and unjoin removes.
type plannedObject struct {
	// obj is the object as join wants it.
	obj client.Object
	// sync copies the fields join owns from obj onto an existing object and
	// reports whether that changed anything; nil keeps an existing object
	// as it is.
	sync func(existing client.Object) bool
	// replace reports whether an existing object must be deleted and created
	// again because a field join owns cannot be updated (a binding's
	// roleRef); nil never replaces.
	replace func(existing client.Object) bool
	// shared marks an object that may hold more than what join put there
	// (the namespace): it is never an "already exists" conflict.
	shared bool
}

// memberPlan lists, in creation order, the objects join creates in the
// joining cluster for a control plane of the given scope. Unjoin removes
// them in the reverse order.
func memberPlan(namespace, saName string, scope apiextensionsv1.ResourceScope) []plannedObject {
	roleName := RoleName(saName)
	subjects := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: saName, Namespace: namespace}}
	plan := []plannedObject{
		{obj: &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, shared: true},
		{obj: &corev1.ServiceAccount{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: saName},
			// No pod runs as this account; its token is only used from the
			// host.
			AutomountServiceAccountToken: ptr.To(false),
		}},
		{obj: &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				Namespace:   namespace,
				Name:        saName,
				Annotations: map[string]string{corev1.ServiceAccountNameKey: saName},
			},
			Type: corev1.SecretTypeServiceAccountToken,
		}},
	}
	if scope == apiextensionsv1.NamespaceScoped {
		healthName := HealthCheckRoleName(saName, namespace)
		plan = append(plan,
			rolePlan(&rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: roleName}, Rules: NamespaceScopeRules()}),
			bindingPlan(&rbacv1.RoleBinding{
				ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: roleName},
				Subjects:   subjects,
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: roleName},
			}),
			rolePlan(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: healthName}, Rules: HealthCheckRules()}),
			bindingPlan(&rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: healthName},
				Subjects:   subjects,
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: healthName},
			}),
		)
		return plan
	}
	return append(plan,
		rolePlan(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: roleName}, Rules: ClusterScopeRules()}),
		bindingPlan(&rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: roleName},
			Subjects:   subjects,
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: roleName},
		}),
	)
}

// rulesOf returns a pointer to the rules of a Role or ClusterRole.
func rulesOf(obj client.Object) *[]rbacv1.PolicyRule {
	switch r := obj.(type) {
	case *rbacv1.Role:
		return &r.Rules
	case *rbacv1.ClusterRole:
		return &r.Rules
	}
	return nil
}

func rolePlan(role client.Object) plannedObject {
	return plannedObject{obj: role, sync: func(existing client.Object) bool {
		want, have := rulesOf(role), rulesOf(existing)
		if equality.Semantic.DeepEqual(*want, *have) {
			return false
		}
		*have = slices.Clone(*want)
		return true
	}}
}

// bindingOf returns pointers to the subjects and roleRef of a RoleBinding
// or ClusterRoleBinding.
func bindingOf(obj client.Object) (*[]rbacv1.Subject, *rbacv1.RoleRef) {
	switch b := obj.(type) {
	case *rbacv1.RoleBinding:
		return &b.Subjects, &b.RoleRef
	case *rbacv1.ClusterRoleBinding:
		return &b.Subjects, &b.RoleRef
	}
	return nil, nil
}

func bindingPlan(binding client.Object) plannedObject {
	wantSubjects, wantRef := bindingOf(binding)
	return plannedObject{
		obj: binding,
		sync: func(existing client.Object) bool {
			have, _ := bindingOf(existing)
			if equality.Semantic.DeepEqual(*wantSubjects, *have) {
				return false
			}
			*have = slices.Clone(*wantSubjects)
			return true
		},
		replace: func(existing client.Object) bool {
			_, have := bindingOf(existing)
			return *have != *wantRef
		},
	}
}

// boundTo reports whether a binding grants its role to the given service
// account. Unjoin only removes bindings (and their roles) that do, so that
// a control plane in another namespace whose objects share a name is left
// alone.
func boundTo(binding client.Object, namespace, saName string) bool {
	subjects, _ := bindingOf(binding)
	if subjects == nil {
		return false
	}
	return slices.ContainsFunc(*subjects, func(s rbacv1.Subject) bool {
		return s.Kind == rbacv1.ServiceAccountKind && s.Name == saName && s.Namespace == namespace
	})
}
