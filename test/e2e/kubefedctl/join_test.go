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
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/framework"
)

// TestKubefedctl shares one local federation (host, member1, member2)
// between parallel subtests; each subtest owns one member, or the host's
// self-join, so that they never touch each other's objects.
func TestKubefedctl(t *testing.T) {
	e := setup(t)
	t.Run("member1 Cluster scope", func(t *testing.T) {
		t.Parallel()
		testClusterScope(t, e)
	})
	t.Run("host joins itself", func(t *testing.T) {
		t.Parallel()
		testSelfJoin(t, e)
	})
	t.Run("member2", func(t *testing.T) {
		t.Parallel()
		// These share member2, so they run one after the other.
		t.Run("Namespaced scope", func(t *testing.T) { testNamespacedScope(t, e) })
		t.Run("refused before any change", func(t *testing.T) { testPreflightFailures(t, e) })
		t.Run("rollback", func(t *testing.T) { testRollback(t, e) })
		t.Run("unjoin force with the member stopped", func(t *testing.T) { testForceUnjoin(t, e) })
	})
}

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
	ctx := t.Context()
	sa := kubefedctl.ServiceAccountName(cluster, host)
	get := func(c client.Client, obj client.Object) {
		t.Helper()
		if err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			t.Fatalf("%T %s: %v", obj, client.ObjectKeyFromObject(obj), err)
		}
	}
	get(memberClient, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})
	get(memberClient, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: sa}})
	tokenSecret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: kubefedctl.TokenSecretName(cluster, host)}}
	get(memberClient, tokenSecret)
	if tokenSecret.Type != corev1.SecretTypeServiceAccountToken || tokenSecret.Annotations[corev1.ServiceAccountNameKey] != sa {
		t.Errorf("token Secret has type %q and service account %q", tokenSecret.Type, tokenSecret.Annotations[corev1.ServiceAccountNameKey])
	}
	token := tokenSecret.Data[corev1.ServiceAccountTokenKey]
	if len(token) == 0 {
		t.Fatal("token Secret has no token")
	}

	subjects := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa, Namespace: namespace}}
	checkRole := func(role client.Object, want []rbacv1.PolicyRule) {
		t.Helper()
		get(memberClient, role)
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
		get(memberClient, binding)
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

	// Nothing more than that: no other ServiceAccount in the namespace, no
	// other KubeFed ClusterRole.
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

	kfc := &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: cluster}}
	get(e.host, kfc)
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
	get(e.host, hostSecret)
	if !bytes.Equal(hostSecret.Data[fedcorev1b1.ClusterSecretTokenKey], token) {
		t.Errorf("host Secret %s does not hold the member's token", hostSecret.Name)
	}
	return joined{kfc: kfc, token: token}
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

func testClusterScope(t *testing.T, e *env) {
	member, mc := e.fed.Members[0], e.members[0]
	const cluster, host = "member1", "host"

	// A dry run prints the plan and creates nothing.
	out := e.mustKubefedctl(t, "join", cluster, "--dry-run")
	contains(t, out, "would create Namespace kube-federation-system", "would create ServiceAccount kube-federation-system/member1-host",
		"would create ClusterRole kubefed-controller-manager:member1-host", "would create KubeFedCluster kube-federation-system/member1", "Dry run: nothing was changed")
	for _, obj := range memberObjects(ns, cluster, host, apiextensionsv1.ClusterScoped) {
		if exists(t, mc, obj) {
			t.Errorf("dry run created %T %s", obj, client.ObjectKeyFromObject(obj))
		}
	}
	if exists(t, e.host, &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: cluster}}) || len(hostSecretsOf(t, e.host, ns, cluster)) > 0 {
		t.Error("dry run created host objects")
	}

	// The join itself: one line per step, then how to check.
	out = e.mustKubefedctl(t, "join", cluster, "-v", "1")
	contains(t, out, "no KubeFedConfig kube-federation-system/kubefed; assuming Cluster scope",
		"member1: created Namespace kube-federation-system", "member1: created ServiceAccount kube-federation-system/member1-host",
		"member1: created Secret kube-federation-system/member1-host", "token of Secret kube-federation-system/member1-host is ready",
		"member1: created ClusterRole kubefed-controller-manager:member1-host", "member1: created ClusterRoleBinding kubefed-controller-manager:member1-host",
		"host: created Secret kube-federation-system/member1-", "host: created KubeFedCluster kube-federation-system/member1",
		"Cluster member1 joined", "kubectl --context host -n kube-federation-system get kubefedclusters")
	j := assertJoined(t, e, member, mc, ns, cluster, host, apiextensionsv1.ClusterScoped)
	cs, _ := connect(t, j)
	if _, err := cs.CoreV1().Namespaces().List(t.Context(), metav1.ListOptions{}); err != nil {
		t.Errorf("listing namespaces with the registered credentials: %v", err)
	}
	getPath(t, cs, "/readyz")
	getPath(t, cs, "/healthz")

	// Joining again fails before changing anything, naming what exists.
	_, err := e.kubefedctl(t, "join", cluster)
	if err == nil {
		t.Fatal("a second join with --error-on-existing=true succeeded")
	}
	contains(t, err.Error(), "ServiceAccount kube-federation-system/member1-host in member cluster member1",
		"KubeFedCluster kube-federation-system/member1 in host cluster host", "kubefedctl unjoin member1", "--error-on-existing=false", "nothing was changed")

	// With --error-on-existing=false it converges, reusing the host Secret.
	out = e.mustKubefedctl(t, "join", cluster, "--error-on-existing=false")
	contains(t, out, "kept ServiceAccount kube-federation-system/member1-host (exists)", "kept KubeFedCluster kube-federation-system/member1 (exists)")
	again := assertJoined(t, e, member, mc, ns, cluster, host, apiextensionsv1.ClusterScoped)
	if again.kfc.Spec.SecretRef != j.kfc.Spec.SecretRef {
		t.Errorf("re-join switched the host Secret from %s to %s", j.kfc.Spec.SecretRef.Name, again.kfc.Spec.SecretRef.Name)
	}
	if got := hostSecretsOf(t, e.host, ns, cluster); len(got) != 1 {
		t.Errorf("host Secrets for member1 after the re-join: %v, want one", got)
	}
	// A drifted role is repaired by a re-join.
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: kubefedctl.RoleName("member1-host")}}
	if err := mc.Get(t.Context(), client.ObjectKeyFromObject(role), role); err != nil {
		t.Fatal(err)
	}
	role.Rules = role.Rules[:1]
	if err := mc.Update(t.Context(), role); err != nil {
		t.Fatal(err)
	}
	out = e.mustKubefedctl(t, "join", cluster, "--error-on-existing=false")
	contains(t, out, "member1: updated ClusterRole kubefed-controller-manager:member1-host")
	assertJoined(t, e, member, mc, ns, cluster, host, apiextensionsv1.ClusterScoped)

	// Unjoin: a dry run first, then for real.
	out = e.mustKubefedctl(t, "unjoin", cluster, "--dry-run")
	contains(t, out, "would delete ClusterRoleBinding kubefed-controller-manager:member1-host", "would delete KubeFedCluster kube-federation-system/member1")
	assertJoined(t, e, member, mc, ns, cluster, host, apiextensionsv1.ClusterScoped)
	out = e.mustKubefedctl(t, "unjoin", cluster)
	contains(t, out, "member1: deleted ServiceAccount kube-federation-system/member1-host", "member1: deleted Namespace kube-federation-system",
		"host: deleted KubeFedCluster kube-federation-system/member1", "Cluster member1 unjoined from host cluster host")
	assertUnjoined(t, e, mc, ns, cluster, host, apiextensionsv1.ClusterScoped, j.kfc.Spec.SecretRef.Name, false)

	// Unjoining what is not joined says so.
	_, err = e.kubefedctl(t, "unjoin", cluster)
	if err == nil || !strings.Contains(err.Error(), "cluster member1 is not joined to host cluster host") {
		t.Errorf("unjoin of an unjoined cluster: %v", err)
	}

	testRejoin(t, e)
}

// testRejoin joins member1 right after an unjoin (the member's namespace
// still terminating), then again with another --secret-name: the join
// succeeds and no stale token Secret stays in the host.
func testRejoin(t *testing.T, e *env) {
	member, mc := e.fed.Members[0], e.members[0]
	const cluster, host = "member1", "host"
	e.mustKubefedctl(t, "join", cluster)
	e.mustKubefedctl(t, "unjoin", cluster)
	// No wait: the namespace is being deleted in the member.
	out := e.mustKubefedctl(t, "join", cluster)
	contains(t, out, "Cluster member1 joined")
	if strings.Contains(out, "being deleted") {
		contains(t, out, "member1: namespace kube-federation-system is gone")
	}
	first := assertJoined(t, e, member, mc, ns, cluster, host, apiextensionsv1.ClusterScoped)

	out = e.mustKubefedctl(t, "join", cluster, "--error-on-existing=false", "--secret-name", "member1-token")
	contains(t, out, "host: deleted Secret kube-federation-system/"+first.kfc.Spec.SecretRef.Name+" (the token Secret the KubeFedCluster named before)")
	again := assertJoined(t, e, member, mc, ns, cluster, host, apiextensionsv1.ClusterScoped)
	if again.kfc.Spec.SecretRef.Name != "member1-token" {
		t.Errorf("KubeFedCluster names Secret %s, want member1-token", again.kfc.Spec.SecretRef.Name)
	}
	if got := hostSecretsOf(t, e.host, ns, cluster); len(got) != 0 {
		t.Errorf("stale generated host Secrets for member1 after the re-join with --secret-name: %v", got)
	}
	e.mustKubefedctl(t, "unjoin", cluster)
	assertUnjoined(t, e, mc, ns, cluster, host, apiextensionsv1.ClusterScoped, "member1-token", false)
}

func testSelfJoin(t *testing.T, e *env) {
	const cluster, host = "host", "host"
	out := e.mustKubefedctl(t, "join", cluster, "--host-cluster-context", host)
	contains(t, out, "host: kept Namespace kube-federation-system (exists)", "host: created ServiceAccount kube-federation-system/host-host", "Cluster host joined")
	j := assertJoined(t, e, e.fed.Host, e.host, ns, cluster, host, apiextensionsv1.ClusterScoped)
	cs, _ := connect(t, j)
	if _, err := cs.CoreV1().Namespaces().List(t.Context(), metav1.ListOptions{}); err != nil {
		t.Errorf("listing namespaces with the registered credentials: %v", err)
	}
	getPath(t, cs, "/readyz")

	out = e.mustKubefedctl(t, "unjoin", cluster)
	contains(t, out, "host: kept Namespace kube-federation-system: it is the host's control-plane namespace", "Cluster host unjoined")
	assertUnjoined(t, e, e.host, ns, cluster, host, apiextensionsv1.ClusterScoped, j.kfc.Spec.SecretRef.Name, true)
}

func testNamespacedScope(t *testing.T, e *env) {
	member, mc := e.fed.Members[1], e.members[1]
	const cluster, host, namespace = "member2", "host", "kubefed-namespaced"
	ctx := t.Context()
	// A second control plane, Namespaced, in its own namespace of the host.
	if err := e.host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		t.Fatal(err)
	}
	cfg := &fedcorev1b1.KubeFedConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: fedcorev1b1.KubeFedConfigName},
		Spec:       fedcorev1b1.KubeFedConfigSpec{Scope: apiextensionsv1.NamespaceScoped},
	}
	if err := e.host.Create(ctx, cfg); err != nil {
		t.Fatal(err)
	}

	out := e.mustKubefedctl(t, "join", cluster, "--kubefed-namespace", namespace, "-v", "1")
	contains(t, out, "KubeFedConfig kubefed-namespaced/kubefed has scope Namespaced", "(namespace kubefed-namespaced, scope Namespaced)",
		"member2: created Role kubefed-namespaced/kubefed-controller-manager:member2-host",
		"member2: created ClusterRole kubefed-controller-manager:kubefed-namespaced:healthcheck-member2-host")
	j := assertJoined(t, e, member, mc, namespace, cluster, host, apiextensionsv1.NamespaceScoped)

	// The credentials reach the namespace and the health endpoints, and
	// nothing else.
	cs, _ := connect(t, j)
	if _, err := cs.CoreV1().Secrets(namespace).List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("listing Secrets in %s with the registered credentials: %v", namespace, err)
	}
	for _, path := range []string{"/healthz", "/readyz", "/livez"} {
		getPath(t, cs, path)
	}
	if _, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("listing namespaces in Namespaced scope: %v, want forbidden", err)
	}
	if _, err := cs.CoreV1().Secrets("default").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("listing Secrets outside the namespace: %v, want forbidden", err)
	}

	out = e.mustKubefedctl(t, "unjoin", cluster, "--kubefed-namespace", namespace)
	contains(t, out, "member2: deleted Role kubefed-namespaced/kubefed-controller-manager:member2-host", "Cluster member2 unjoined")
	assertUnjoined(t, e, mc, namespace, cluster, host, apiextensionsv1.NamespaceScoped, j.kfc.Spec.SecretRef.Name, false)
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

func testPreflightFailures(t *testing.T, e *env) {
	_, err := e.kubefedctl(t, "join", "member2", "--secret-name", "Not_A_Name")
	if err == nil {
		t.Fatal("join with an invalid --secret-name succeeded")
	}
	contains(t, err.Error(), `--secret-name "Not_A_Name" is not a valid Secret name`, "nothing was created")
	assertNothingCreated(t, e, ns, "member2", "host")

	_, err = e.kubefedctl(t, "join", "member2", "--kubefed-namespace", "no-such-namespace")
	if err == nil {
		t.Fatal("join into a missing host namespace succeeded")
	}
	contains(t, err.Error(), "namespace no-such-namespace does not exist in host cluster host", "--kubefed-namespace", "nothing was changed")
	assertNothingCreated(t, e, "no-such-namespace", "member2", "host")

	// member1 has no KubeFed CRDs: as a host it must be refused.
	out, err := e.kubefedctl(t, "join", "member2", "--host-cluster-context", "member1", "--kubefed-namespace", "default", "-v", "1")
	if err == nil {
		t.Fatal("join into a host without the KubeFedCluster CRD succeeded")
	}
	contains(t, out, "the KubeFedConfig CRD is not installed; assuming Cluster scope")
	contains(t, err.Error(), "the KubeFedCluster CRD (kubefedclusters.core.kubefed.io) is not installed in host cluster member1", "nothing was changed")
	assertNothingCreated(t, e, "default", "member2", "member1")

	// A context that is not in the kubeconfig.
	_, err = e.kubefedctl(t, "join", "member3")
	if err == nil || !strings.Contains(err.Error(), `context "member3" not found`) || !strings.Contains(err.Error(), "--cluster-context") {
		t.Errorf("join of a cluster without a context: %v", err)
	}
}

// failingTransport fails the requests that match, as a host that refuses a
// write would.
type failingTransport struct {
	next  http.RoundTripper
	match func(*http.Request) bool
}

func (f *failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if f.match(req) {
		return nil, errors.New("injected failure")
	}
	return f.next.RoundTrip(req)
}

func failing(cfg *rest.Config, match func(*http.Request) bool) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return &failingTransport{next: rt, match: match} })
	return cfg
}

func testRollback(t *testing.T, e *env) {
	ctx := t.Context()
	member := e.fed.Members[1]
	// The host refuses to store the KubeFedCluster (but accepts the
	// dry-run check): everything created before must be deleted again.
	hostConfig := failing(e.fed.Host.Config, func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/kubefedclusters") && r.URL.Query().Get("dryRun") == ""
	})
	var out bytes.Buffer
	_, err := kubefedctl.Join(ctx, kubefedctl.JoinOptions{
		ClusterName: "member2", HostClusterName: "host", HostConfig: hostConfig, ClusterConfig: member.Config,
		ErrorOnExisting: true, HostContext: "host", ClusterContext: "member2", Out: &out,
	})
	t.Logf("join output:\n%s", out.String())
	if err == nil {
		t.Fatal("join succeeded although the host refused the KubeFedCluster")
	}
	contains(t, err.Error(), "creating KubeFedCluster kube-federation-system/member2 in host cluster host", "injected failure", "deleted again")
	contains(t, out.String(), "member2: created ServiceAccount", "host: deleted Secret kube-federation-system/member2-", "member2: deleted ServiceAccount kube-federation-system/member2-host (rollback)")
	for _, obj := range memberObjects(ns, "member2", "host", apiextensionsv1.ClusterScoped) {
		waitGone(t, e.members[1], obj)
	}
	if got := hostSecretsOf(t, e.host, ns, "member2"); len(got) > 0 {
		t.Errorf("host Secrets %v survived the rollback", got)
	}

	// When the rollback cannot delete either, the error lists the kubectl
	// commands that finish the job.
	memberConfig := failing(member.Config, func(r *http.Request) bool {
		return r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/clusterrole")
	})
	out.Reset()
	_, err = kubefedctl.Join(ctx, kubefedctl.JoinOptions{
		ClusterName: "member2", HostClusterName: "host", HostConfig: hostConfig, ClusterConfig: memberConfig,
		ErrorOnExisting: true, HostContext: "host", ClusterContext: "member2", Out: &out,
	})
	t.Logf("join output:\n%s", out.String())
	if err == nil {
		t.Fatal("join succeeded although the host refused the KubeFedCluster")
	}
	contains(t, err.Error(), "could not delete everything",
		"kubectl --context member2 delete clusterrolebinding kubefed-controller-manager:member2-host",
		"kubectl --context member2 delete clusterrole kubefed-controller-manager:member2-host")
	if strings.Contains(err.Error(), "delete serviceaccount") {
		t.Errorf("the error asks to delete a ServiceAccount the rollback removed:\n%v", err)
	}
	// Follow the advice through unjoin, which also cleans leftovers.
	out.Reset()
	if err := kubefedctl.Unjoin(ctx, kubefedctl.UnjoinOptions{ClusterName: "member2", HostClusterName: "host", HostConfig: e.fed.Host.Config, ClusterConfig: member.Config, Out: &out}); err != nil {
		t.Fatalf("unjoin of the leftovers: %v\n%s", err, out.String())
	}
	assertUnjoined(t, e, e.members[1], ns, "member2", "host", apiextensionsv1.ClusterScoped, "", false)
}

func testForceUnjoin(t *testing.T, e *env) {
	member, mc := e.fed.Members[1], e.members[1]
	ctx := t.Context()
	e.mustKubefedctl(t, "join", "member2")
	j := assertJoined(t, e, member, mc, ns, "member2", "host", apiextensionsv1.ClusterScoped)

	if err := member.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			_ = member.Start(context.WithoutCancel(ctx))
		}
	})

	// Without --force nothing is removed.
	_, err := e.kubefedctl(t, "unjoin", "member2")
	if err == nil {
		t.Fatal("unjoin of an unreachable member succeeded without --force")
	}
	contains(t, err.Error(), "cannot reach member cluster member2", "Nothing was removed", "--force")
	if !exists(t, e.host, &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "member2"}}) {
		t.Fatal("the failed unjoin removed the KubeFedCluster")
	}

	out := e.mustKubefedctl(t, "unjoin", "member2", "--force")
	contains(t, out, "member2: NOT cleaned up", "host: deleted KubeFedCluster kube-federation-system/member2",
		"member cluster member2 was NOT cleaned up",
		"kubectl --context member2 -n kube-federation-system delete serviceaccount member2-host",
		"kubectl --context member2 delete clusterrolebinding kubefed-controller-manager:member2-host",
		"kubectl --context member2 delete namespace kube-federation-system")
	if exists(t, e.host, j.kfc) || exists(t, e.host, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: j.kfc.Spec.SecretRef.Name}}) {
		t.Error("unjoin --force left the host side")
	}

	// Back up, the member still holds what the output listed; a plain
	// unjoin removes it.
	if err := member.Start(ctx); err != nil {
		t.Fatal(err)
	}
	restarted = true
	if !exists(t, mc, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "member2-host"}}) {
		t.Error("the ServiceAccount the output said remains is gone")
	}
	out = e.mustKubefedctl(t, "unjoin", "member2")
	contains(t, out, "member2: deleted ServiceAccount kube-federation-system/member2-host", "Cluster member2 unjoined")
	assertUnjoined(t, e, mc, ns, "member2", "host", apiextensionsv1.ClusterScoped, "", false)
}
