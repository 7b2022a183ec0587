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
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed/kubefed/test/testenv"
)

// TestRelisterOnARealAPIServer: a FederatedNamespace event whose list of
// federated objects the API server refuses (the controller's identity may
// not list them yet) is not lost: once the identity may list them, the
// objects of that namespace reach the controller's queue without another
// event.
func TestRelisterOnARealAPIServer(t *testing.T) {
	scheme := testScheme()
	admin, env := testenv.StartClientWith(t, testenv.EnvtestOptions{Scheme: scheme,
		CRDs: []string{"config/crd/bases/types.kubefed.io_federatedconfigmaps.yaml"}})
	ctx := t.Context()
	ftc := typeConfig(t, "", "ConfigMap")
	gvk := ftc.Spec.FederatedType.GroupVersionKind()
	for _, ns := range []string{"team-a", "team-b"} {
		mustCreate(t, admin, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	}
	for _, obj := range relistedObjects(ftc) {
		mustCreate(t, admin, obj)
	}

	// The controller's identity, with no right to list yet.
	const user = "relister-test"
	host := testenv.ClientAs(t, env.Config, scheme, user)
	probe := &unstructured.UnstructuredList{}
	probe.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err := host.List(ctx, probe, client.InNamespace("team-a")); !apierrors.IsForbidden(err) {
		t.Fatalf("listing %s as %s without a binding: error %v, want Forbidden", gvk.Kind, user, err)
	}

	l, q := startRelister(ctx, t, host, ftc, 50*time.Millisecond, 200*time.Millisecond)
	fedNS := federatedNamespace("team-a")
	if got := l.namespaceToFederated(ctx, fedNS); len(got) != 0 {
		t.Fatalf("requests of a refused list = %v, want none", got)
	}
	if q.Len() != 0 {
		t.Fatalf("%d requests queued while the list is refused, want none", q.Len())
	}

	// The identity is granted the list: the retry delivers the event.
	mustCreate(t, admin, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: user},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{gvk.Group}, Resources: []string{"federatedconfigmaps"}, Verbs: []string{"list"}}},
	})
	mustCreate(t, admin, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: user},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	})
	got := queued(t, q, 2, 30*time.Second, "after the list was allowed")
	if want := []string{"team-a/one", "team-a/two"}; !slices.Equal(got, want) {
		t.Errorf("queued requests = %v, want %v (the objects of the event's namespace)", got, want)
	}
}
