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

package federatedtypeconfig_test

import (
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// testAccessDenied runs the controller-manager as an identity that may not
// read FederatedConfigMaps: that type reports it on its FederatedTypeConfig
// and never claims to run, the namespaces type next to it runs, and once
// the access is granted the type starts by itself.
func testAccessDenied(t *testing.T, cfg *rest.Config, admin client.Client) {
	ctx := t.Context()
	const namespace = "kf-denied"
	user, err := env.AddUser(envtest.User{Name: "kubefed-restricted"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	federated := []string{"federatednamespaces", "federateddeployments", "federatedreplicasets"}
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "kubefed-restricted"},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"", "apps", "core.kubefed.io", "scheduling.kubefed.io", "multiclusterdns.kubefed.io", "coordination.k8s.io", "events.k8s.io"},
				Resources: []string{"*"}, Verbs: []string{"*"}},
			{APIGroups: []string{"types.kubefed.io"}, Resources: withSubresources(federated), Verbs: []string{"*"}},
		},
	}
	if err := admin.Create(ctx, role); err != nil {
		t.Fatal(err)
	}
	if err := admin.Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "kubefed-restricted"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "kubefed-restricted"}},
	}); err != nil {
		t.Fatal(err)
	}

	controlPlane(t, admin, user.Config(), namespace, "namespaces", "configmaps")

	denied := waitReady(t, admin, namespace, "configmaps", fedcorev1b1.ReasonFederatedTypeAccessDenied, time.Minute)
	if denied.Status.PropagationController != fedcorev1b1.ControllerStatusNotRunning {
		t.Errorf("configmaps: propagationController %q while its type may not be read, want %q", denied.Status.PropagationController, fedcorev1b1.ControllerStatusNotRunning)
	}
	cond := meta.FindStatusCondition(denied.Status.Conditions, fedcorev1b1.FederatedTypeConfigReady)
	t.Logf("configmaps: Ready=%s %s: %s", cond.Status, cond.Reason, cond.Message)
	if cond.Status != metav1.ConditionFalse {
		t.Errorf("configmaps: Ready is %s, want False", cond.Status)
	}
	waitReady(t, admin, namespace, "namespaces", fedcorev1b1.ReasonControllerRunning, 30*time.Second)

	// It stays denied (and not running) while nothing changes.
	time.Sleep(3 * time.Second)
	waitReady(t, admin, namespace, "configmaps", fedcorev1b1.ReasonFederatedTypeAccessDenied, time.Second)

	t.Log("Granting access to FederatedConfigMaps.")
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := admin.Get(ctx, client.ObjectKeyFromObject(role), role); err != nil {
			return err
		}
		role.Rules[1].Resources = withSubresources(append(federated, "federatedconfigmaps"))
		return admin.Update(ctx, role)
	}); err != nil {
		t.Fatal(err)
	}
	running := waitReady(t, admin, namespace, "configmaps", fedcorev1b1.ReasonControllerRunning, 90*time.Second)
	if running.Status.PropagationController != fedcorev1b1.ControllerStatusRunning {
		t.Errorf("configmaps: propagationController %q, want %q", running.Status.PropagationController, fedcorev1b1.ControllerStatusRunning)
	}
}

// testCRDDeleted deletes the CRD of a running type: its FederatedTypeConfig
// says so within the recheck interval and stops claiming to run, the type
// next to it keeps running, and the type starts again when its CRD returns.
func testCRDDeleted(t *testing.T, cfg *rest.Config, admin client.Client) {
	ctx := t.Context()
	const namespace = "kf-crd-deleted"
	open := apiextensionsv1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: ptr.To(true)}
	schema := &apiextensionsv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{"spec": open, "status": open}}
	federated := crdOf("types.kubefed.io", "FederatedGizmo", "federatedgizmos", schema)
	crds := []*apiextensionsv1.CustomResourceDefinition{crdOf("example.kubefed.io", "Gizmo", "gizmos", schema), federated}
	install := func() {
		t.Helper()
		fresh := []*apiextensionsv1.CustomResourceDefinition{crds[0].DeepCopy(), crds[1].DeepCopy()}
		if err := envtest.CreateCRDs(cfg, fresh); err != nil {
			t.Fatal(err)
		}
		if err := envtest.WaitForCRDs(cfg, fresh, envtest.CRDInstallOptions{MaxTime: time.Minute, PollInterval: 200 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
	}
	install()
	controlPlane(t, admin, cfg, namespace, "namespaces")
	ftc := &fedcorev1b1.FederatedTypeConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "gizmos.example.kubefed.io"},
		Spec: fedcorev1b1.FederatedTypeConfigSpec{
			TargetType:    fedcorev1b1.APIResource{Group: "example.kubefed.io", Version: "v1", Kind: "Gizmo", PluralName: "gizmos", Scope: apiextensionsv1.NamespaceScoped},
			FederatedType: fedcorev1b1.APIResource{Group: "types.kubefed.io", Version: "v1", Kind: "FederatedGizmo", PluralName: "federatedgizmos", Scope: apiextensionsv1.NamespaceScoped},
			Propagation:   fedcorev1b1.PropagationEnabled,
		},
	}
	if err := admin.Create(ctx, ftc); err != nil {
		t.Fatal(err)
	}
	waitReady(t, admin, namespace, ftc.Name, fedcorev1b1.ReasonControllerRunning, time.Minute)
	waitReady(t, admin, namespace, "namespaces", fedcorev1b1.ReasonControllerRunning, time.Minute)

	t.Log("Deleting the FederatedGizmo CRD.")
	if err := admin.Delete(ctx, federated.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	got := waitReady(t, admin, namespace, ftc.Name, fedcorev1b1.ReasonFederatedTypeCRDNotFound, time.Minute)
	if got.Status.PropagationController != fedcorev1b1.ControllerStatusNotRunning {
		t.Errorf("%s: propagationController %q after its CRD was deleted", ftc.Name, got.Status.PropagationController)
	}
	waitReady(t, admin, namespace, "namespaces", fedcorev1b1.ReasonControllerRunning, time.Second)

	t.Log("Installing the CRD again.")
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		err := admin.Get(ctx, client.ObjectKeyFromObject(federated), &apiextensionsv1.CustomResourceDefinition{})
		if apierrors.IsNotFound(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CRD %s not gone within a minute: %v", federated.Name, err)
		}
	}
	install()
	waitReady(t, admin, namespace, ftc.Name, fedcorev1b1.ReasonControllerRunning, 90*time.Second)
}
