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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/cmd/controller-manager/app"
)

// env is the test API server shared by the tests of this file; set by
// startEnv.
var env *envtest.Environment

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// startEnv starts one API server with every CRD of the project for the
// tests of this package, and stops it when they are done.
func startEnv(t *testing.T) (*rest.Config, client.Client) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an API server")
	}
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		assets = filepath.Join(repoRoot(), "bin")
	}
	env = &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(repoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		Scheme:                app.Scheme(),
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting the test API server (binaries from %s; run make tools): %v", assets, err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Logf("stopping the test API server: %v", err)
		}
	})
	c, err := client.New(cfg, client.Options{Scheme: app.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, c
}

// controlPlane creates a control-plane namespace with the FederatedTypeConfigs
// of the named default types, and runs a controller-manager for it as the
// given identity until the test ends.
func controlPlane(t *testing.T, admin client.Client, cfg *rest.Config, namespace string, types ...string) {
	t.Helper()
	ctx := t.Context()
	if err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range types {
		data, err := os.ReadFile(filepath.Join(repoRoot(), "config", "federatedtypeconfigs", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		ftc := &fedcorev1b1.FederatedTypeConfig{}
		if err := yaml.Unmarshal(data, ftc); err != nil {
			t.Fatal(err)
		}
		ftc.Namespace = namespace
		if err := admin.Create(ctx, ftc); err != nil {
			t.Fatalf("creating FederatedTypeConfig %s: %v", name, err)
		}
	}
	mgrCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	mgr, err := app.New(mgrCtx, cfg, app.Options{Namespace: namespace, MetricsBindAddress: "0", HealthProbeBindAddress: "0",
		SkipControllerNameValidation: true, GracefulShutdownTimeout: 10 * time.Second})
	if err != nil {
		cancel()
		t.Fatalf("building the controller-manager: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mgrCtx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("controller-manager: %v", err)
			}
		case <-time.After(time.Minute):
			t.Error("the controller-manager did not stop within a minute")
		}
	})
}

// waitReady waits until the FederatedTypeConfig's Ready condition has the
// given reason, and returns the FederatedTypeConfig.
func waitReady(t *testing.T, c client.Client, namespace, name, reason string, timeout time.Duration) *fedcorev1b1.FederatedTypeConfig {
	t.Helper()
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	var last string
	deadline := time.Now().Add(timeout)
	for {
		err := c.Get(t.Context(), client.ObjectKey{Namespace: namespace, Name: name}, ftc)
		if err == nil {
			cond := meta.FindStatusCondition(ftc.Status.Conditions, fedcorev1b1.FederatedTypeConfigReady)
			if cond != nil && cond.Reason == reason {
				return ftc
			}
			last = fmt.Sprintf("propagationController %q, Ready condition %+v", ftc.Status.PropagationController, cond)
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			t.Fatalf("FederatedTypeConfig %s/%s: Ready reason not %s within %s: %s", namespace, name, reason, timeout, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestFederatedTypeConfigs runs the FederatedTypeConfig controller's
// failure isolation cases on one API server.
func TestFederatedTypeConfigs(t *testing.T) {
	cfg, admin := startEnv(t)
	t.Run("access denied", func(t *testing.T) { testAccessDenied(t, cfg, admin) })
	t.Run("shared FederatedNamespace informer", func(t *testing.T) { testSharedNamespaceInformer(t, cfg, admin) })
	t.Run("PushReconciler gate", func(t *testing.T) { testPushReconcilerGate(t, cfg, admin) })
	t.Run("KubeFed status schema", func(t *testing.T) { testKubeFedStatusSchema(t, cfg, admin) })
	t.Run("CRD deleted while running", func(t *testing.T) { testCRDDeleted(t, cfg, admin) })
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

// testKubeFedStatusSchema runs a type whose Federated<Kind> CRD has
// KubeFed's status schema (no message, no aggregatedStatus): the
// FederatedTypeConfig says which fields are dropped, and the federated
// object's status, once written, is not written again.
func testKubeFedStatusSchema(t *testing.T, cfg *rest.Config, admin client.Client) {
	ctx := t.Context()
	const namespace = "kf-schema"
	str := apiextensionsv1.JSONSchemaProps{Type: "string"}
	open := apiextensionsv1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: ptr.To(true)}
	kubeFedStatus := apiextensionsv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
		"observedGeneration": {Type: "integer", Format: "int64"},
		"conditions": {Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{
			Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
				"type": str, "status": str, "reason": str, "lastUpdateTime": str, "lastTransitionTime": str,
			}}}},
		"clusters": {Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{
			Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{"name": str, "status": str},
		}}},
	}}
	crds := []*apiextensionsv1.CustomResourceDefinition{
		crdOf("example.kubefed.io", "Gadget", "gadgets", &apiextensionsv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{"spec": open}}),
		crdOf("types.kubefed.io", "FederatedGadget", "federatedgadgets", &apiextensionsv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{"spec": open, "status": kubeFedStatus}}),
	}
	if err := envtest.CreateCRDs(cfg, crds); err != nil {
		t.Fatal(err)
	}
	if err := envtest.WaitForCRDs(cfg, crds, envtest.CRDInstallOptions{MaxTime: time.Minute, PollInterval: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	controlPlane(t, admin, cfg, namespace, "namespaces")
	ftc := &fedcorev1b1.FederatedTypeConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "gadgets.example.kubefed.io"},
		Spec: fedcorev1b1.FederatedTypeConfigSpec{
			TargetType:    fedcorev1b1.APIResource{Group: "example.kubefed.io", Version: "v1", Kind: "Gadget", PluralName: "gadgets", Scope: apiextensionsv1.NamespaceScoped},
			FederatedType: fedcorev1b1.APIResource{Group: "types.kubefed.io", Version: "v1", Kind: "FederatedGadget", PluralName: "federatedgadgets", Scope: apiextensionsv1.NamespaceScoped},
			Propagation:   fedcorev1b1.PropagationEnabled,
		},
	}
	if err := admin.Create(ctx, ftc); err != nil {
		t.Fatal(err)
	}
	waitReady(t, admin, namespace, ftc.Name, fedcorev1b1.ReasonControllerRunning, time.Minute)

	// In a namespace without a FederatedNamespace: the Propagation
	// condition has a message to drop.
	const team = "team-schema"
	if err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: team}}); err != nil {
		t.Fatal(err)
	}
	gadget := &unstructured.Unstructured{}
	gadget.SetGroupVersionKind(ftc.Spec.FederatedType.GroupVersionKind())
	gadget.SetNamespace(team)
	gadget.SetName("g")
	_ = unstructured.SetNestedMap(gadget.Object, map[string]any{"spec": map[string]any{"size": int64(1)}}, "spec", "template")
	if err := admin.Create(ctx, gadget); err != nil {
		t.Fatal(err)
	}
	waitPropagationReason(t, admin, gadget, func(reason fedtypesv1b1.AggregateReason) bool { return reason == fedtypesv1b1.NamespaceNotFederated },
		"Propagation False with reason NamespaceNotFederated")

	deadline := time.Now().Add(30 * time.Second)
	for {
		got := &fedcorev1b1.FederatedTypeConfig{}
		if err := admin.Get(ctx, client.ObjectKeyFromObject(ftc), got); err != nil {
			t.Fatal(err)
		}
		cond := meta.FindStatusCondition(got.Status.Conditions, fedcorev1b1.FederatedTypeConfigStatusSchemaComplete)
		if cond != nil && cond.Status == metav1.ConditionFalse && cond.Reason == fedcorev1b1.ReasonStatusFieldsPruned {
			t.Logf("%s: %s", cond.Type, cond.Message)
			if !strings.Contains(cond.Message, "status.conditions[].message") {
				t.Errorf("the condition does not name the dropped field: %s", cond.Message)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s=False condition on FederatedTypeConfig %s within 30s: %+v", fedcorev1b1.FederatedTypeConfigStatusSchemaComplete, ftc.Name, got.Status.Conditions)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The status is no longer written over and over (each write dropped
	// the message and so differed from the next one).
	if err := admin.Get(ctx, client.ObjectKeyFromObject(gadget), gadget); err != nil {
		t.Fatal(err)
	}
	before := gadget.GetResourceVersion()
	time.Sleep(3 * time.Second)
	if err := admin.Get(ctx, client.ObjectKeyFromObject(gadget), gadget); err != nil {
		t.Fatal(err)
	}
	if after := gadget.GetResourceVersion(); after != before {
		t.Errorf("FederatedGadget %s/%s written while nothing changed (resourceVersion %s -> %s)", team, gadget.GetName(), before, after)
	}
}

func crdOf(group, kind, plural string, schema *apiextensionsv1.JSONSchemaProps) *apiextensionsv1.CustomResourceDefinition {
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: plural + "." + group},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: group,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Kind: kind, ListKind: kind + "List", Plural: plural, Singular: strings.ToLower(kind)},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema:       &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: schema},
				Subresources: &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}},
			}},
		},
	}
}

// testPushReconcilerGate switches the KubeFedConfig's PushReconciler gate
// off and on again: every type stops and starts within seconds, without a
// restart of the controller-manager.
func testPushReconcilerGate(t *testing.T, cfg *rest.Config, admin client.Client) {
	ctx := t.Context()
	const namespace = "kf-gate"
	controlPlane(t, admin, cfg, namespace, "namespaces", "configmaps")
	for _, name := range []string{"namespaces", "configmaps"} {
		waitReady(t, admin, namespace, name, fedcorev1b1.ReasonControllerRunning, time.Minute)
	}
	setGate := func(mode fedcorev1b1.ConfigurationMode) {
		t.Helper()
		if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			kfc := &fedcorev1b1.KubeFedConfig{}
			if err := admin.Get(ctx, client.ObjectKey{Namespace: namespace, Name: fedcorev1b1.KubeFedConfigName}, kfc); err != nil {
				return err
			}
			kfc.Spec.FeatureGates = []fedcorev1b1.FeatureGatesConfig{{Name: string(fedcorev1b1.PushReconcilerFeature), Configuration: mode}}
			return admin.Update(ctx, kfc)
		}); err != nil {
			t.Fatal(err)
		}
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

func withSubresources(resources []string) []string {
	var out []string
	for _, r := range resources {
		out = append(out, r, r+"/status", r+"/finalizers")
	}
	return out
}

// testSharedNamespaceInformer disables the namespaces type, whose
// FederatedNamespace informer every namespaced type's controller watches
// too: the configmaps controller must still see a FederatedNamespace
// appear.
func testSharedNamespaceInformer(t *testing.T, cfg *rest.Config, admin client.Client) {
	ctx := t.Context()
	const namespace = "kf-shared"
	controlPlane(t, admin, cfg, namespace, "namespaces", "configmaps")
	waitReady(t, admin, namespace, "namespaces", fedcorev1b1.ReasonControllerRunning, time.Minute)
	waitReady(t, admin, namespace, "configmaps", fedcorev1b1.ReasonControllerRunning, time.Minute)

	const team = "team-shared"
	if err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: team}}); err != nil {
		t.Fatal(err)
	}
	fedCM := &unstructured.Unstructured{}
	fedCM.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMap"))
	fedCM.SetNamespace(team)
	fedCM.SetName("web")
	_ = unstructured.SetNestedMap(fedCM.Object, map[string]any{"data": map[string]any{"a": "b"}}, "spec", "template")
	if err := admin.Create(ctx, fedCM); err != nil {
		t.Fatal(err)
	}
	waitPropagationReason(t, admin, fedCM, func(reason fedtypesv1b1.AggregateReason) bool { return reason == fedtypesv1b1.NamespaceNotFederated },
		"Propagation False with reason NamespaceNotFederated")

	t.Log("Disabling the namespaces type.")
	ns := &fedcorev1b1.FederatedTypeConfig{}
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := admin.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "namespaces"}, ns); err != nil {
			return err
		}
		ns.Spec.Propagation = fedcorev1b1.PropagationDisabled
		return admin.Update(ctx, ns)
	}); err != nil {
		t.Fatal(err)
	}
	waitReady(t, admin, namespace, "namespaces", fedcorev1b1.ReasonPropagationDisabled, 30*time.Second)

	fedNS := &unstructured.Unstructured{}
	fedNS.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
	fedNS.SetNamespace(team)
	fedNS.SetName(team)
	if err := fedtypesv1b1.SetPlacementClusterNames(fedNS, []string{}); err != nil {
		t.Fatal(err)
	}
	if err := admin.Create(ctx, fedNS); err != nil {
		t.Fatal(err)
	}
	waitPropagationReason(t, admin, fedCM, func(reason fedtypesv1b1.AggregateReason) bool { return reason != fedtypesv1b1.NamespaceNotFederated },
		"the FederatedNamespace noticed (reason no longer NamespaceNotFederated)")
}

// waitPropagationReason waits until the federated object's Propagation
// condition's reason satisfies ok.
func waitPropagationReason(t *testing.T, c client.Client, obj *unstructured.Unstructured, ok func(fedtypesv1b1.AggregateReason) bool, what string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(obj.GroupVersionKind())
		err := c.Get(t.Context(), client.ObjectKeyFromObject(obj), u)
		switch {
		case apierrors.IsNotFound(err):
			t.Fatalf("%s/%s is gone", obj.GetNamespace(), obj.GetName())
		case err != nil:
			last = err.Error()
		default:
			s, err := fedtypesv1b1.GetStatus(u)
			if err != nil {
				t.Fatal(err)
			}
			if cond := s.GetCondition(fedtypesv1b1.PropagationConditionType); cond != nil {
				if ok(cond.Reason) {
					return
				}
				last = fmt.Sprintf("Propagation %s, reason %q: %s", cond.Status, cond.Reason, cond.Message)
			} else {
				last = "no Propagation condition"
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s/%s: %s not within 30s: %s", obj.GetKind(), obj.GetNamespace(), obj.GetName(), what, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
