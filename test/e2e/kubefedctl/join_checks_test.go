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

package kubefedctl_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/framework"
)

// joined is what one join left in the two clusters.
type joined struct {
	kfc   *fedcorev1b1.KubeFedCluster
	token []byte
}

// memberObjects returns the objects join creates in a member, by scope.
func memberObjects(namespace, cluster, host string, scope apiextensionsv1.ResourceScope) []client.Object {
	sa := kubefedctl.ServiceAccountName(cluster, host)
	objs := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: sa}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: kubefedctl.TokenSecretName(cluster, host)}},
	}
	if scope == apiextensionsv1.NamespaceScoped {
		health := kubefedctl.HealthCheckRoleName(sa, namespace)
		return append(objs,
			&rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: kubefedctl.RoleName(sa)}},
			&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: kubefedctl.RoleName(sa)}},
			&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: health}},
			&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: health}},
		)
	}
	return append(objs,
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: kubefedctl.RoleName(sa)}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: kubefedctl.RoleName(sa)}},
	)
}

// assertJoined checks every object join should have created, in the member
// and in the host, and returns the registration.
func assertJoined(t *testing.T, e *env, member *framework.Cluster, memberClient client.Client, namespace, cluster, host string, scope apiextensionsv1.ResourceScope) joined {
	t.Helper()
	sa := kubefedctl.ServiceAccountName(cluster, host)
	mustGet(t, memberClient, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})
	mustGet(t, memberClient, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: sa}})
	token := memberToken(t, memberClient, namespace, cluster, host)
	assertMemberRBAC(t, memberClient, namespace, sa, scope)
	assertNothingMore(t, memberClient, namespace, sa, scope)
	kfc := assertRegistered(t, e, member, namespace, cluster, token)
	return joined{kfc: kfc, token: token}
}

// mustGet reads an object and fails the test when it cannot.
func mustGet(t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	if err := c.Get(t.Context(), client.ObjectKeyFromObject(obj), obj); err != nil {
		t.Fatalf("%T %s: %v", obj, client.ObjectKeyFromObject(obj), err)
	}
}

// memberToken checks the member's token Secret of the joined
// ServiceAccount and returns its token.
func memberToken(t *testing.T, memberClient client.Client, namespace, cluster, host string) []byte {
	t.Helper()
	sa := kubefedctl.ServiceAccountName(cluster, host)
	tokenSecret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: kubefedctl.TokenSecretName(cluster, host)}}
	mustGet(t, memberClient, tokenSecret)
	if tokenSecret.Type != corev1.SecretTypeServiceAccountToken || tokenSecret.Annotations[corev1.ServiceAccountNameKey] != sa {
		t.Errorf("token Secret has type %q and service account %q", tokenSecret.Type, tokenSecret.Annotations[corev1.ServiceAccountNameKey])
	}
	token := tokenSecret.Data[corev1.ServiceAccountTokenKey]
	if len(token) == 0 {
		t.Fatal("token Secret has no token")
	}
	return token
}

// assertMemberRBAC checks the roles and bindings of the joined
// ServiceAccount in the member, by scope.
func assertMemberRBAC(t *testing.T, memberClient client.Client, namespace, sa string, scope apiextensionsv1.ResourceScope) {
	t.Helper()
	subjects := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa, Namespace: namespace}}
	checkRole := func(role client.Object, want []rbacv1.PolicyRule) {
		t.Helper()
		mustGet(t, memberClient, role)
		var got []rbacv1.PolicyRule
		switch r := role.(type) {
		case *rbacv1.ClusterRole:
			got = r.Rules
		case *rbacv1.Role:
			got = r.Rules
		}
		if !equality.Semantic.DeepEqual(got, want) {
			t.Errorf("%T %s has rules %+v, want %+v", role, role.GetName(), got, want)
		}
	}
	checkBinding := func(binding client.Object, roleKind string) {
		t.Helper()
		mustGet(t, memberClient, binding)
		var gotSubjects []rbacv1.Subject
		var ref rbacv1.RoleRef
		switch b := binding.(type) {
		case *rbacv1.ClusterRoleBinding:
			gotSubjects, ref = b.Subjects, b.RoleRef
		case *rbacv1.RoleBinding:
			gotSubjects, ref = b.Subjects, b.RoleRef
		}
		if !equality.Semantic.DeepEqual(gotSubjects, subjects) || ref != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: roleKind, Name: binding.GetName()}) {
			t.Errorf("%T %s binds %+v to %+v", binding, binding.GetName(), gotSubjects, ref)
		}
	}
	roleName := kubefedctl.RoleName(sa)
	if scope == apiextensionsv1.NamespaceScoped {
		checkRole(&rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: roleName}}, kubefedctl.NamespaceScopeRules())
		checkBinding(&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: roleName}}, "Role")
		health := kubefedctl.HealthCheckRoleName(sa, namespace)
		checkRole(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: health}}, kubefedctl.HealthCheckRules())
		checkBinding(&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: health}}, "ClusterRole")
		if exists(t, memberClient, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: roleName}}) {
			t.Errorf("Namespaced scope created the cluster-wide ClusterRole %s", roleName)
		}
	} else {
		checkRole(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: roleName}}, kubefedctl.ClusterScopeRules())
		checkBinding(&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: roleName}}, "ClusterRole")
	}
}

// assertNothingMore checks that join created nothing more in the member:
// no other ServiceAccount in the namespace, no other KubeFed ClusterRole.
func assertNothingMore(t *testing.T, memberClient client.Client, namespace, sa string, scope apiextensionsv1.ResourceScope) {
	t.Helper()
	ctx := t.Context()
	var sas corev1.ServiceAccountList
	if err := memberClient.List(ctx, &sas, client.InNamespace(namespace)); err != nil {
		t.Fatal(err)
	}
	var saNames []string
	for _, s := range sas.Items {
		saNames = append(saNames, s.Name)
	}
	slices.Sort(saNames)
	if want := []string{"default", sa}; !slices.Equal(saNames, want) {
		t.Errorf("ServiceAccounts in %s: %v, want %v", namespace, saNames, want)
	}
	var roles rbacv1.ClusterRoleList
	if err := memberClient.List(ctx, &roles); err != nil {
		t.Fatal(err)
	}
	var roleNames []string
	for _, r := range roles.Items {
		if strings.HasPrefix(r.Name, "kubefed-controller-manager:") {
			roleNames = append(roleNames, r.Name)
		}
	}
	wantRole := kubefedctl.RoleName(sa)
	if scope == apiextensionsv1.NamespaceScoped {
		wantRole = kubefedctl.HealthCheckRoleName(sa, namespace)
	}
	if !slices.Equal(roleNames, []string{wantRole}) {
		t.Errorf("KubeFed ClusterRoles in the member: %v, want [%s]", roleNames, wantRole)
	}
}

// assertRegistered checks the host's KubeFedCluster of the member and the
// Secret holding its token, and returns the KubeFedCluster.
func assertRegistered(t *testing.T, e *env, member *framework.Cluster, namespace, cluster string, token []byte) *fedcorev1b1.KubeFedCluster {
	t.Helper()
	kfc := &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: cluster}}
	mustGet(t, e.host, kfc)
	if kfc.Spec.APIEndpoint != member.Endpoint() {
		t.Errorf("apiEndpoint %q, want the member's endpoint %q", kfc.Spec.APIEndpoint, member.Endpoint())
	}
	if len(kfc.Spec.CABundle) == 0 || !bytes.Equal(kfc.Spec.CABundle, member.Config.CAData) {
		t.Errorf("caBundle (%d bytes) is not the member's CA (%d bytes)", len(kfc.Spec.CABundle), len(member.Config.CAData))
	}
	if len(kfc.Spec.DisabledTLSValidations) != 0 || kfc.Spec.ProxyURL != "" {
		t.Errorf("unexpected disabledTLSValidations %v or proxyURL %q", kfc.Spec.DisabledTLSValidations, kfc.Spec.ProxyURL)
	}
	hostSecret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: kfc.Spec.SecretRef.Name}}
	mustGet(t, e.host, hostSecret)
	if !bytes.Equal(hostSecret.Data[fedcorev1b1.ClusterSecretTokenKey], token) {
		t.Errorf("host Secret %s does not hold the member's token", hostSecret.Name)
	}
	return kfc
}

// assertUnjoined checks that nothing of a join is left in the member and
// the host; keepNamespace is set when the member is the host.
func assertUnjoined(t *testing.T, e *env, memberClient client.Client, namespace, cluster, host string, scope apiextensionsv1.ResourceScope, secretName string, keepNamespace bool) {
	t.Helper()
	for _, obj := range memberObjects(namespace, cluster, host, scope) {
		if _, ok := obj.(*corev1.Namespace); ok {
			if keepNamespace {
				if !exists(t, memberClient, obj) {
					t.Errorf("namespace %s was deleted from the host", namespace)
				}
				continue
			}
			waitGone(t, memberClient, obj)
			continue
		}
		if exists(t, memberClient, obj) {
			t.Errorf("%T %s is still in the member", obj, client.ObjectKeyFromObject(obj))
		}
	}
	if exists(t, e.host, &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: cluster}}) {
		t.Errorf("KubeFedCluster %s/%s is still in the host", namespace, cluster)
	}
	if secretName != "" && exists(t, e.host, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: secretName}}) {
		t.Errorf("Secret %s/%s is still in the host", namespace, secretName)
	}
}

// connect builds a client from the registration alone, as the control
// plane does, which proves that the endpoint, CA, token and RBAC work.
func connect(t *testing.T, j joined) (*kubernetes.Clientset, *rest.Config) {
	t.Helper()
	cfg := &rest.Config{
		Host:            j.kfc.Spec.APIEndpoint,
		BearerToken:     string(j.token),
		TLSClientConfig: rest.TLSClientConfig{CAData: j.kfc.Spec.CABundle},
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs, cfg
}

func getPath(t *testing.T, cs *kubernetes.Clientset, path string) {
	t.Helper()
	body, err := cs.Discovery().RESTClient().Get().AbsPath(path).DoRaw(t.Context())
	if err != nil || string(body) != "ok" {
		t.Errorf("GET %s with the registered credentials: %q, %v", path, body, err)
	}
}

// assertNothingCreated checks that a refused join left member2 and the host
// untouched.
func assertNothingCreated(t *testing.T, e *env, namespace, cluster, host string) {
	t.Helper()
	for _, obj := range memberObjects(namespace, cluster, host, apiextensionsv1.ClusterScoped) {
		if _, ok := obj.(*corev1.Namespace); ok && namespace == "default" {
			continue
		}
		if exists(t, e.members[1], obj) {
			t.Errorf("%T %s exists in member2", obj, client.ObjectKeyFromObject(obj))
		}
	}
	if got := hostSecretsOf(t, e.host, ns, cluster); len(got) > 0 {
		t.Errorf("host Secrets %v were created", got)
	}
}
