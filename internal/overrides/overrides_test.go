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

package overrides

import (
	"reflect"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

func deployment() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata":   map[string]any{"name": "web", "labels": map[string]any{"app": "web"}},
		"spec": map[string]any{
			"replicas": int64(3),
			"template": map[string]any{"spec": map[string]any{"containers": []any{
				map[string]any{"name": "web", "image": "nginx:1.25"},
			}}},
		},
	}}
}

func val(raw string) *apiextensionsv1.JSON { return &apiextensionsv1.JSON{Raw: []byte(raw)} }

func TestApply(t *testing.T) {
	tests := []struct {
		name      string
		overrides []fedtypesv1b1.ClusterOverride
		check     func(t *testing.T, u *unstructured.Unstructured)
		err       string
	}{
		{name: "none", check: func(t *testing.T, u *unstructured.Unstructured) {
			if !reflect.DeepEqual(u.Object, deployment().Object) {
				t.Errorf("object changed: %v", u.Object)
			}
		}},
		{name: "replace by default", overrides: []fedtypesv1b1.ClusterOverride{{Path: "/spec/replicas", Value: val("5")}},
			check: func(t *testing.T, u *unstructured.Unstructured) {
				if r, _, _ := unstructured.NestedInt64(u.Object, "spec", "replicas"); r != 5 {
					t.Errorf("replicas = %d, want 5", r)
				}
			}},
		{name: "add a label and replace an image in a list", overrides: []fedtypesv1b1.ClusterOverride{
			{Op: "add", Path: "/metadata/labels/tier", Value: val(`"gold"`)},
			{Op: "replace", Path: "/spec/template/spec/containers/0/image", Value: val(`"nginx:1.26"`)},
		}, check: func(t *testing.T, u *unstructured.Unstructured) {
			if u.GetLabels()["tier"] != "gold" {
				t.Errorf("labels = %v", u.GetLabels())
			}
			cs, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
			if img := cs[0].(map[string]any)["image"]; img != "nginx:1.26" {
				t.Errorf("image = %v", img)
			}
		}},
		{name: "remove", overrides: []fedtypesv1b1.ClusterOverride{{Op: "remove", Path: "/metadata/labels/app"}},
			check: func(t *testing.T, u *unstructured.Unstructured) {
				if _, ok := u.GetLabels()["app"]; ok {
					t.Errorf("label app not removed: %v", u.GetLabels())
				}
			}},
		{name: "add creates a missing leaf", overrides: []fedtypesv1b1.ClusterOverride{{Op: "add", Path: "/spec/paused", Value: val("true")}},
			check: func(t *testing.T, u *unstructured.Unstructured) {
				if p, _, _ := unstructured.NestedBool(u.Object, "spec", "paused"); !p {
					t.Error("spec.paused not added")
				}
			}},
		{name: "replace of a missing path fails", overrides: []fedtypesv1b1.ClusterOverride{{Path: "/spec/nothing/here", Value: val("1")}},
			err: "override 0 (replace /spec/nothing/here) does not apply to the template"},
		{name: "remove of a missing path fails", overrides: []fedtypesv1b1.ClusterOverride{{Op: "remove", Path: "/spec/strategy"}},
			err: "override 0 (remove /spec/strategy) does not apply"},
		{name: "unknown op", overrides: []fedtypesv1b1.ClusterOverride{{Op: "move", Path: "/spec"}}, err: `unknown op "move"`},
		{name: "failure leaves the object unchanged", overrides: []fedtypesv1b1.ClusterOverride{
			{Path: "/spec/replicas", Value: val("9")}, {Op: "remove", Path: "/nope"}},
			err: "override 1 (remove /nope)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := deployment()
			err := Apply(u, tt.overrides)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				if !reflect.DeepEqual(u.Object, deployment().Object) {
					t.Errorf("a failed Apply changed the object: %v", u.Object)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, u)
		})
	}
}
