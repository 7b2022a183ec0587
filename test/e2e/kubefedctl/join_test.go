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
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

func testClusterScope(t *testing.T, e *env) {
	member, mc := e.fed.Members[0], e.members[0]
	const cluster, host = "member1", "host"

	checkJoinDryRun(t, e, mc, cluster, host)

	// The join itself: one line per step, then how to check.
	out := e.mustKubefedctl(t, "join", cluster, "-v", "1")
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

	checkRejoinConverges(t, e, member, mc, j)

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

// checkJoinDryRun checks that a dry run of the join prints the plan and
// creates nothing.
func checkJoinDryRun(t *testing.T, e *env, mc client.Client, cluster, host string) {
	t.Helper()
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
}

// checkRejoinConverges checks that a join with --error-on-existing=false
// of a joined cluster converges, reusing the host Secret, and repairs a
// drifted role.
func checkRejoinConverges(t *testing.T, e *env, member *framework.Cluster, mc client.Client, j joined) {
	t.Helper()
	const cluster, host = "member1", "host"
	out := e.mustKubefedctl(t, "join", cluster, "--error-on-existing=false")
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
