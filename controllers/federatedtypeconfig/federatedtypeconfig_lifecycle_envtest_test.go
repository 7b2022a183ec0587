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
	"context"
	"fmt"
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
	"github.com/kubefed/kubefed/test/testenv"
)

// The cases of this file turn what decides whether a type's sync
// controller runs: the controller-manager's access, the type's CRD, the
// KubeFedConfig's gate and settings.

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
	installCRDs(t, cfg, crds...)
	controlPlane(t, admin, cfg, namespace, "namespaces")
	ftc := createExampleType(t, admin, namespace, "Gizmo")
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
	installCRDs(t, cfg, crds...)
	waitReady(t, admin, namespace, ftc.Name, fedcorev1b1.ReasonControllerRunning, 90*time.Second)
}

// testPushReconcilerGate switches the KubeFedConfig's PushReconciler gate
// off and on again: every type stops and starts within seconds, without a
// restart of the controller-manager.
func testPushReconcilerGate(t *testing.T, cfg *rest.Config, admin client.Client) {
	const namespace = "kf-gate"
	controlPlane(t, admin, cfg, namespace, "namespaces", "configmaps")
	for _, name := range []string{"namespaces", "configmaps"} {
		waitReady(t, admin, namespace, name, fedcorev1b1.ReasonControllerRunning, time.Minute)
	}
	setGate := func(mode fedcorev1b1.ConfigurationMode) {
		t.Helper()
		updateKubeFedConfig(t, admin, namespace, func(spec *fedcorev1b1.KubeFedConfigSpec) {
			spec.FeatureGates = []fedcorev1b1.FeatureGatesConfig{{Name: string(fedcorev1b1.PushReconcilerFeature), Configuration: mode}}
		})
	}
	t.Log("Disabling the PushReconciler gate.")
	setGate(fedcorev1b1.ConfigurationDisabled)
	for _, name := range []string{"namespaces", "configmaps"} {
		ftc := waitReady(t, admin, namespace, name, fedcorev1b1.ReasonPushReconcilerDisabled, 10*time.Second)
		if ftc.Status.PropagationController != fedcorev1b1.ControllerStatusNotRunning {
			t.Errorf("%s: propagationController %q with the gate disabled", name, ftc.Status.PropagationController)
		}
	}
	t.Log("Enabling it again.")
	setGate(fedcorev1b1.ConfigurationEnabled)
	for _, name := range []string{"namespaces", "configmaps"} {
		waitReady(t, admin, namespace, name, fedcorev1b1.ReasonControllerRunning, 10*time.Second)
	}
}

// testStartsOnce: a type's sync controller is started once, and restarted
// only when the settings it is built with change. The KubeFedConfig edited
// where the controllers do not look, FederatedTypeConfigs relabelled and
// their status edited (each of which has every type reconciled again)
// leave it running; a new number of workers restarts each type once.
func testStartsOnce(t *testing.T, cfg *rest.Config, admin client.Client) {
	ctx := t.Context()
	const namespace = "kf-once"
	types := []string{"namespaces", "configmaps"}
	starts.reset()
	controlPlane(t, admin, cfg, namespace, types...)
	for _, name := range types {
		waitReady(t, admin, namespace, name, fedcorev1b1.ReasonControllerRunning, time.Minute)
	}
	wantStarts := func(want int, why string) {
		t.Helper()
		// A restart would log its start within this time.
		time.Sleep(3 * time.Second)
		for _, name := range types {
			if got := starts.of(name); got != want {
				t.Errorf("%s: %d sync controller starts %s, want %d", name, got, why, want)
			}
		}
	}
	wantStarts(1, "at first")

	for i := range 3 {
		updateKubeFedConfig(t, admin, namespace, func(spec *fedcorev1b1.KubeFedConfigSpec) {
			spec.LeaderElect = &fedcorev1b1.LeaderElectConfig{LeaseDuration: &metav1.Duration{Duration: time.Duration(i+1) * time.Minute}}
		})
		// The namespaces type's changes, its status included, have every
		// type reconciled.
		ns := &fedcorev1b1.FederatedTypeConfig{}
		if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			if err := admin.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "namespaces"}, ns); err != nil {
				return err
			}
			ns.Labels = map[string]string{"edit": fmt.Sprint(i)}
			return admin.Update(ctx, ns)
		}); err != nil {
			t.Fatal(err)
		}
		meta.FindStatusCondition(ns.Status.Conditions, fedcorev1b1.FederatedTypeConfigReady).Message = "edited"
		if err := admin.Status().Update(ctx, ns); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 30*time.Second, func(ctx context.Context) error {
			if err := admin.Get(ctx, client.ObjectKeyFromObject(ns), ns); err != nil {
				return err
			}
			if msg := meta.FindStatusCondition(ns.Status.Conditions, fedcorev1b1.FederatedTypeConfigReady).Message; msg != "the sync controller is running" {
				return fmt.Errorf("Ready message %q", msg)
			}
			return nil
		}, "the namespaces type's status written again")
	}
	wantStarts(1, "after KubeFedConfig and FederatedTypeConfig edits")

	t.Log("Changing the number of workers.")
	updateKubeFedConfig(t, admin, namespace, func(spec *fedcorev1b1.KubeFedConfigSpec) {
		spec.SyncController = &fedcorev1b1.SyncControllerConfig{MaxConcurrentReconciles: ptr.To[int64](3)}
	})
	testenv.Eventually(t, time.Minute, func(context.Context) error {
		for _, name := range types {
			if got := starts.of(name); got < 2 {
				return fmt.Errorf("%s: %d starts", name, got)
			}
		}
		return nil
	}, "every type restarted")
	wantStarts(2, "after one change of the workers")
}

// updateKubeFedConfig changes the spec of the control plane's KubeFedConfig.
func updateKubeFedConfig(t *testing.T, admin client.Client, namespace string, change func(*fedcorev1b1.KubeFedConfigSpec)) {
	t.Helper()
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		kfc := &fedcorev1b1.KubeFedConfig{}
		if err := admin.Get(t.Context(), client.ObjectKey{Namespace: namespace, Name: fedcorev1b1.KubeFedConfigName}, kfc); err != nil {
			return err
		}
		change(&kfc.Spec)
		return admin.Update(t.Context(), kfc)
	}); err != nil {
		t.Fatal(err)
	}
}
