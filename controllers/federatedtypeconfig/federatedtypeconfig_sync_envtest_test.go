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
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

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
	installCRDs(t, cfg, crds...)
	controlPlane(t, admin, cfg, namespace, "namespaces")
	ftc := createExampleType(t, admin, namespace, "Gadget")
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
	ns := &fedcorev1b1.FederatedTypeConfig{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "namespaces"}}
	disable := fmt.Sprintf(`{"spec":{"propagation":%q}}`, fedcorev1b1.PropagationDisabled)
	if err := admin.Patch(ctx, ns, client.RawPatch(types.MergePatchType, []byte(disable))); err != nil {
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
