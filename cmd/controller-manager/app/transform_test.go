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

package app

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func u(apiVersion, kind string, fields map[string]any) *unstructured.Unstructured {
	obj := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{
		"name": "x", "namespace": "ns", "resourceVersion": "7",
		"labels":        map[string]any{"kubefed.io/managed": "true"},
		"annotations":   map[string]any{lastAppliedAnnotation: "{...}", "keep": "me"},
		"managedFields": []any{map[string]any{"manager": "kubectl"}},
	}}
	for k, v := range fields {
		obj[k] = v
	}
	return &unstructured.Unstructured{Object: obj}
}

func TestMemberTransform(t *testing.T) {
	tr := memberTransform()
	for _, tc := range []struct {
		name     string
		in       *unstructured.Unstructured
		dropped  []string
		retained []string
	}{
		{"configmap payload", u("v1", "ConfigMap", map[string]any{"data": map[string]any{"k": "v"}, "binaryData": map[string]any{"b": "AA=="}}),
			[]string{"data", "binaryData"}, nil},
		{"secret payload, type kept", u("v1", "Secret", map[string]any{"data": map[string]any{"k": "dg=="}, "type": "Opaque"}),
			[]string{"data"}, []string{"type"}},
		{"deployment spec and status kept", u("apps/v1", "Deployment", map[string]any{"spec": map[string]any{"replicas": int64(3)}, "status": map[string]any{"readyReplicas": int64(3)}}),
			nil, []string{"spec", "status"}},
		{"a CRD kind named ConfigMap keeps its data", u("example.io/v1", "ConfigMap", map[string]any{"data": map[string]any{"k": "v"}}),
			nil, []string{"data"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tr(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got := out.(*unstructured.Unstructured)
			for _, f := range tc.dropped {
				if _, ok := got.Object[f]; ok {
					t.Errorf("%s kept, want it dropped", f)
				}
			}
			for _, f := range tc.retained {
				if _, ok := got.Object[f]; !ok {
					t.Errorf("%s dropped, want it kept", f)
				}
			}
			if got.GetManagedFields() != nil {
				t.Error("managedFields kept")
			}
			if _, ok := got.GetAnnotations()[lastAppliedAnnotation]; ok {
				t.Error("the last-applied annotation kept")
			}
			if got.GetAnnotations()["keep"] != "me" || got.GetLabels()["kubefed.io/managed"] != "true" || got.GetResourceVersion() != "7" {
				t.Errorf("metadata the sync reads was changed: %v", got.Object["metadata"])
			}
		})
	}

	t.Run("typed", func(t *testing.T) {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x", Annotations: map[string]string{lastAppliedAnnotation: "{}"}}, Data: map[string]string{"k": "v"}}
		out, _ := tr(cm)
		if got := out.(*corev1.ConfigMap); got.Data != nil || len(got.Annotations) != 0 {
			t.Errorf("typed ConfigMap not trimmed: %+v", got)
		}
	})
}

func TestHostTransform(t *testing.T) {
	tr := hostTransform()
	fed := u("types.kubefed.io/v1beta1", "FederatedConfigMap", map[string]any{"spec": map[string]any{"template": map[string]any{"data": map[string]any{"k": "v"}}}})
	out, _ := tr(fed)
	got := out.(*unstructured.Unstructured)
	if _, ok := got.GetAnnotations()[lastAppliedAnnotation]; ok || got.GetManagedFields() != nil {
		t.Errorf("federated object not trimmed: %v", got.Object["metadata"])
	}
	if got.GetAnnotations()["keep"] != "me" {
		t.Error("other annotations dropped")
	}
	if _, ok := got.Object["spec"]; !ok {
		t.Error("spec dropped")
	}

	// The control plane's own objects, and Secrets in the host (member
	// tokens), keep everything but managedFields.
	ftc := u("core.kubefed.io/v1beta1", "FederatedTypeConfig", nil)
	out, _ = tr(ftc)
	if _, ok := out.(*unstructured.Unstructured).GetAnnotations()[lastAppliedAnnotation]; !ok {
		t.Error("the last-applied annotation of a FederatedTypeConfig dropped: it is written back whole")
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "m"}}}, Data: map[string][]byte{"token": []byte("t")}}
	out, _ = tr(secret)
	if s := out.(*corev1.Secret); s.Data == nil || s.ManagedFields != nil {
		t.Errorf("host Secret: %+v", s)
	}
}
