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

package propagation

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/testenv"
)

// hostJoinedEnv is a host API server with KubeFed's CRDs, the chart's
// ServiceAccount and RBAC, and KubeFedClusters for the host joined into
// itself ("host") and for another API server without KubeFed ("member1").
type hostJoinedEnv struct {
	scheme *k8sruntime.Scheme
	// admin is a client of the host with every right; member1 the same
	// of the other API server.
	admin, member1 client.Client
	hostCfg        *rest.Config
	// chart is a client of the host as the chart's ServiceAccount.
	chart client.Client
}

func startHostJoinedEnv(t *testing.T) *hostJoinedEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("starts two API servers")
	}
	scheme := testScheme()
	e := &hostJoinedEnv{scheme: scheme}
	admin, hostEnv := testenv.StartClientWith(t, testenv.EnvtestOptions{Scheme: scheme,
		CRDs: []string{"config/crd/bases/core.kubefed.io_kubefedclusters.yaml"}})
	e.admin, e.hostCfg = admin, hostEnv.Config
	e.member1, _ = testenv.StartClientWith(t, testenv.EnvtestOptions{Scheme: scheme})
	ctx := t.Context()
	mustCreate(t, e.admin, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNamespace}})
	for _, name := range []string{"host", "member1"} {
		mustCreate(t, e.admin, &fedcorev1b1.KubeFedCluster{
			ObjectMeta: metav1.ObjectMeta{Namespace: testNamespace, Name: name},
			Spec: fedcorev1b1.KubeFedClusterSpec{
				APIEndpoint: "https://" + name + ".invalid:6443",
				SecretRef:   fedcorev1b1.LocalSecretReference{Name: name + "-secret"},
			},
		})
	}

	// The chart's identity: its ServiceAccount bound to the rules the
	// chart grants (generated from the controllers' RBAC markers).
	chartSA := "kubefed-controller"
	for _, obj := range generatedRBAC(t, filepath.Join(testenv.RepoRoot(), "config", "rbac", "role.yaml")) {
		mustCreate(t, e.admin, obj)
		bind(t, e.admin, obj, chartSA)
	}
	e.chart = e.impersonating(t, chartSA)
	if err := e.chart.Get(ctx, client.ObjectKey{Name: testNamespace}, &corev1.Namespace{}); !apierrors.IsForbidden(err) {
		t.Fatalf("the chart's identity read namespace %s in the host (error %v): the test assumes it may not", testNamespace, err)
	}
	return e
}

// impersonating returns a client of the host as the ServiceAccount sa of
// the control-plane namespace.
func (e *hostJoinedEnv) impersonating(t *testing.T, sa string) client.Client {
	t.Helper()
	return testenv.ClientAs(t, e.hostCfg, e.scheme, "system:serviceaccount:"+testNamespace+":"+sa,
		"system:serviceaccounts", "system:serviceaccounts:"+testNamespace, "system:authenticated")
}

// joinedIdentity returns a client of the host as the identity kubefedctl
// join creates in a joining cluster for a control plane of the given
// scope: a ClusterRole over everything (Cluster) or a Role over the
// control-plane namespace (Namespaced).
func (e *hostJoinedEnv) joinedIdentity(t *testing.T, scope apiextensionsv1.ResourceScope) client.Client {
	t.Helper()
	sa := "host-host-" + strings.ToLower(string(scope))
	role := client.Object(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: sa}, Rules: kubefedctl.ClusterScopeRules()})
	if scope == apiextensionsv1.NamespaceScoped {
		role = &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: testNamespace, Name: sa}, Rules: kubefedctl.NamespaceScopeRules()}
	}
	mustCreate(t, e.admin, role)
	bind(t, e.admin, role, sa)
	return e.impersonating(t, sa)
}

func mustCreate(t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	if err := c.Create(t.Context(), obj); err != nil {
		t.Fatalf("creating %T %s: %v", obj, client.ObjectKeyFromObject(obj), err)
	}
}

// bind binds a Role or ClusterRole to the ServiceAccount sa of the
// control-plane namespace.
func bind(t *testing.T, c client.Client, role client.Object, sa string) {
	t.Helper()
	subjects := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: testNamespace, Name: sa}}
	name := sa + "-" + role.GetName()
	if _, ok := role.(*rbacv1.Role); ok {
		mustCreate(t, c, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: role.GetNamespace(), Name: name}, Subjects: subjects,
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.GetName()}})
		return
	}
	mustCreate(t, c, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: subjects,
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.GetName()}})
}

// generatedRBAC reads the ClusterRole and the Role of the generated RBAC
// file.
func generatedRBAC(t *testing.T, path string) []client.Object {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []client.Object
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var doc struct {
			Kind string `json:"kind"`
		}
		var raw k8sruntime.RawExtension
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
		if len(raw.Raw) == 0 {
			continue
		}
		if err := yaml.Unmarshal(raw.Raw, &doc); err != nil {
			t.Fatal(err)
		}
		var obj client.Object
		switch doc.Kind {
		case "ClusterRole":
			obj = &rbacv1.ClusterRole{}
		case "Role":
			obj = &rbacv1.Role{}
		default:
			t.Fatalf("unexpected kind %q in %s", doc.Kind, path)
		}
		if err := yaml.Unmarshal(raw.Raw, obj); err != nil {
			t.Fatal(err)
		}
		out = append(out, obj)
	}
	if len(out) != 2 {
		t.Fatalf("%s holds %d roles, want a ClusterRole and a Role", path, len(out))
	}
	return out
}

// TestIsHostCluster checks, on real API servers and as the chart's
// identity in the host, that the host joined into itself is recognised
// through the identity it was joined with, in either scope (in Namespaced
// scope that identity may not read namespaces), that another cluster is
// not, and that an identity that may read nothing is an error, not "not
// the host".
func TestIsHostCluster(t *testing.T) {
	e := startHostJoinedEnv(t)
	ctx := t.Context()
	for _, scope := range []apiextensionsv1.ResourceScope{apiextensionsv1.ClusterScoped, apiextensionsv1.NamespaceScoped} {
		t.Run(string(scope), func(t *testing.T) {
			joined := e.joinedIdentity(t, scope)
			if scope == apiextensionsv1.NamespaceScoped {
				// Its Role lets it read its own namespace, no other.
				if err := joined.Get(ctx, client.ObjectKey{Name: "default"}, &corev1.Namespace{}); !apierrors.IsForbidden(err) {
					t.Fatalf("the Namespaced joined identity read namespace default (error %v): the test assumes it may not", err)
				}
			}
			r := &Reconciler{Client: e.chart, APIReader: e.chart, TypeConfig: typeConfig(t, "", "Namespace"), Namespace: testNamespace,
				Members: directMembers{"host": joined, "member1": e.member1}}
			for cluster, want := range map[string]bool{"host": true, "member1": false} {
				got, err := r.isHostCluster(ctx, cluster)
				if err != nil || got != want {
					t.Errorf("isHostCluster(%s) = %v, %v; want %v, nil", cluster, got, err, want)
				}
			}
		})
	}

	t.Run("refused", func(t *testing.T) {
		r := &Reconciler{Client: e.chart, APIReader: e.chart, TypeConfig: typeConfig(t, "", "Namespace"), Namespace: testNamespace,
			Members: directMembers{"host": e.impersonating(t, "nobody")}}
		got, err := r.isHostCluster(ctx, "host")
		if err == nil {
			t.Fatalf("isHostCluster(host) through an identity that may read nothing = %v, nil; want an error", got)
		}
		for _, want := range []string{"cluster host", "kubefedclusters.core.kubefed.io", "grant"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the error does not say %q: %v", want, err)
			}
		}
	})
}

// TestHostNamespaceJoinedIntoItself runs deleteMember, as the chart's
// identity in the host, on a FederatedNamespace's copy in the host joined
// into itself: the host's own namespace is released (unlabelled) and never
// deleted, a host namespace being deleted (kubectl delete namespace) is not
// waited for, a cluster that cannot be told apart reports an error and
// keeps its namespace, and another member's copy is deleted.
func TestHostNamespaceJoinedIntoItself(t *testing.T) {
	e := startHostJoinedEnv(t)
	h := &hostDeleteCase{hostJoinedEnv: e, joined: e.joinedIdentity(t, apiextensionsv1.ClusterScoped)}
	t.Run("released, not deleted", h.releasedNotDeleted)
	t.Run("kubectl delete namespace is not waited for", h.deletionNotWaitedFor)
	t.Run("cannot tell", h.cannotTell)
	t.Run("another member's copy is deleted", h.otherMemberDeleted)
}

// hostDeleteCase is the host joined into itself of
// TestHostNamespaceJoinedIntoItself, with the joined identity's client.
type hostDeleteCase struct {
	*hostJoinedEnv
	joined client.Client
}

// newReconciler returns a FederatedNamespace reconciler of the chart's
// identity whose members are the host (as joined) and member1.
func (h *hostDeleteCase) newReconciler(t *testing.T) *Reconciler {
	return &Reconciler{Client: h.chart, APIReader: h.chart, TypeConfig: typeConfig(t, "", "Namespace"), Namespace: testNamespace,
		Members: directMembers{"host": h.joined, "member1": h.member1}}
}

// managedNamespace creates the namespace name, labelled managed by
// KubeFed, with c.
func managedNamespace(t *testing.T, c client.Client, name string) *corev1.Namespace {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name,
		Labels: map[string]string{fedcorev1b1.ManagedByKubeFedLabelKey: fedcorev1b1.ManagedByKubeFedLabelValue}}}
	mustCreate(t, c, ns)
	return ns
}

// fedNamespaceScope is the scope of the FederatedNamespace name, placed
// in every cluster.
func fedNamespaceScope(r *Reconciler, name string) *scope {
	return newTestScope(r.fedObject(name, name, map[string]any{"placement": map[string]any{"clusterSelector": map[string]any{}}}))
}

// readNamespace reads the namespace name with c.
func readNamespace(t *testing.T, c client.Client, name string) *corev1.Namespace {
	t.Helper()
	ns := &corev1.Namespace{}
	if err := c.Get(t.Context(), client.ObjectKey{Name: name}, ns); err != nil {
		t.Fatalf("reading namespace %s: %v", name, err)
	}
	return ns
}

func (h *hostDeleteCase) releasedNotDeleted(t *testing.T) {
	r := h.newReconciler(t)
	managedNamespace(t, h.admin, "apps")
	if res := r.deleteMember(t.Context(), fedNamespaceScope(r, "apps"), "host"); res != nil {
		t.Errorf("deleteMember(host) = %s %q; want nil (released)", res.status, res.message)
	}
	ns := readNamespace(t, h.admin, "apps")
	if !ns.DeletionTimestamp.IsZero() {
		t.Errorf("the host's own namespace apps was deleted (deletionTimestamp %v)", ns.DeletionTimestamp)
	}
	if v, ok := ns.Labels[fedcorev1b1.ManagedByKubeFedLabelKey]; ok {
		t.Errorf("the host's own namespace apps kept label %s=%q", fedcorev1b1.ManagedByKubeFedLabelKey, v)
	}
}

func (h *hostDeleteCase) deletionNotWaitedFor(t *testing.T) {
	r := h.newReconciler(t)
	ns := managedNamespace(t, h.admin, "leaving")
	// No namespace controller runs here: the namespace stays
	// Terminating, as it does in a cluster while the
	// FederatedNamespace's finalizer holds its content.
	if err := h.admin.Delete(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	if res := r.deleteMember(t.Context(), fedNamespaceScope(r, "leaving"), "host"); res != nil {
		t.Errorf("deleteMember(host) on the host's namespace being deleted = %s %q; want nil (its deletion waits for the FederatedNamespace)", res.status, res.message)
	}
}

func (h *hostDeleteCase) cannotTell(t *testing.T) {
	r := h.newReconciler(t)
	managedNamespace(t, h.admin, "unsure")
	// The copy is read through the joined identity; the check through
	// one that may read nothing.
	r.Members = refusingKubeFedClusters{directMembers{"host": h.joined}, h.impersonating(t, "nobody")}
	res := r.deleteMember(t.Context(), fedNamespaceScope(r, "unsure"), "host")
	if res == nil || res.status != fedtypesv1b1.RetrievalFailed || !strings.Contains(res.message, "cluster host") {
		t.Errorf("deleteMember(host) with a refused check = %+v; want %s naming cluster host", res, fedtypesv1b1.RetrievalFailed)
	}
	ns := readNamespace(t, h.admin, "unsure")
	if !ns.DeletionTimestamp.IsZero() || ns.Labels[fedcorev1b1.ManagedByKubeFedLabelKey] != fedcorev1b1.ManagedByKubeFedLabelValue {
		t.Errorf("namespace unsure was changed although the cluster could not be told apart: deletionTimestamp %v, labels %v", ns.DeletionTimestamp, ns.Labels)
	}
}

func (h *hostDeleteCase) otherMemberDeleted(t *testing.T) {
	r := h.newReconciler(t)
	managedNamespace(t, h.member1, "apps")
	res := r.deleteMember(t.Context(), fedNamespaceScope(r, "apps"), "member1")
	if res == nil || res.status != fedtypesv1b1.WaitingForRemoval {
		t.Fatalf("deleteMember(member1) = %+v; want %s", res, fedtypesv1b1.WaitingForRemoval)
	}
	if ns := readNamespace(t, h.member1, "apps"); ns.DeletionTimestamp.IsZero() {
		t.Errorf("namespace apps in member1 was not deleted")
	}
}

// refusingKubeFedClusters serves reads of the copies through members and
// everything else (the host check) through an identity that may read
// nothing.
type refusingKubeFedClusters struct {
	directMembers
	refused client.Client
}

func (m refusingKubeFedClusters) GetClient(context.Context, string) (client.Client, error) {
	return m.refused, nil
}
