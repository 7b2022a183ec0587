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
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// baseTemplate is a Deployment as the sync controller builds it before the
// overrides: no labels, no annotations, two containers.
const baseTemplate = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"ns"},
 "spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}}`

// withContainers returns baseTemplate with the pod template's containers
// set to containers (JSON).
func withContainers(containers string) string {
	return `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"ns"},
 "spec":{"replicas":3,"template":{"spec":{"containers":` + containers + `}}}}`
}

// withMetadata returns baseTemplate with metadata set to metadata (JSON).
func withMetadata(metadata string) string {
	return `{"apiVersion":"apps/v1","kind":"Deployment","metadata":` + metadata + `,
 "spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}}`
}

// withSpecField returns baseTemplate with one more spec field.
func withSpecField(field, value string) string {
	return `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"ns"},
 "spec":{"replicas":3,` + `"` + field + `":` + value + `,"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}}`
}

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

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	out := map[string]any{}
	if err := utiljson.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return out
}

// applyCase is an override list and what KubeFed v0.10 made of it.
type applyCase struct {
	name      string
	template  string // baseTemplate when empty
	overrides string // JSON list of clusterOverrides
	want      string // the object after the overrides; empty when err is set
	err       string
}

// kubefedSemanticsCases state, per case, what KubeFed v0.10 made of the
// override (json-patch v4 applied to the template): the resulting object,
// or the failure.
var kubefedSemanticsCases = []applyCase{
	// op defaulting and replace of missing object keys.
	{name: "no op is replace: labels on a template without labels",
		overrides: `[{"path":"/metadata/labels","value":{"tier":"gold"}}]`,
		want:      withMetadata(`{"name":"web","namespace":"ns","labels":{"tier":"gold"}}`)},
	{name: "empty op is replace",
		overrides: `[{"op":"","path":"/metadata/annotations","value":{"a":"b"}}]`,
		want:      withMetadata(`{"name":"web","namespace":"ns","annotations":{"a":"b"}}`)},
	{name: "replace of a missing key adds it",
		overrides: `[{"op":"replace","path":"/spec/paused","value":true}]`,
		want:      withSpecField("paused", "true")},
	{name: "replace of a missing nodeSelector deep in the pod template adds it",
		overrides: `[{"op":"replace","path":"/spec/template/spec/nodeSelector","value":{"disk":"ssd"}}]`,
		want: `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"ns"},
 "spec":{"replicas":3,"template":{"spec":{"nodeSelector":{"disk":"ssd"},"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}}`},
	{name: "replace of an existing key",
		overrides: `[{"path":"/spec/replicas","value":5}]`,
		want:      strings.Replace(baseTemplate, `"replicas":3`, `"replicas":5`, 1)},
	{name: "replace of an existing map replaces it whole",
		template:  withMetadata(`{"name":"web","namespace":"ns","labels":{"app":"web"}}`),
		overrides: `[{"path":"/metadata/labels","value":{"tier":"gold"}}]`,
		want:      withMetadata(`{"name":"web","namespace":"ns","labels":{"tier":"gold"}}`)},
	{name: "replace under a missing parent fails",
		overrides: `[{"path":"/metadata/labels/tier","value":"gold"}]`,
		err:       "override 0 (replace /metadata/labels/tier) does not apply to the template: replace operation does not apply: doc is missing path"},
	{name: "replace under a scalar fails",
		overrides: `[{"path":"/spec/replicas/x","value":1}]`,
		err:       "doc is missing path"},

	// add.
	{name: "add of a missing key",
		template:  withMetadata(`{"name":"web","namespace":"ns","labels":{"app":"web"}}`),
		overrides: `[{"op":"add","path":"/metadata/labels/tier","value":"gold"}]`,
		want:      withMetadata(`{"name":"web","namespace":"ns","labels":{"app":"web","tier":"gold"}}`)},
	{name: "add of an existing key replaces it",
		overrides: `[{"op":"add","path":"/spec/replicas","value":7}]`,
		want:      strings.Replace(baseTemplate, `"replicas":3`, `"replicas":7`, 1)},
	{name: "add under a missing parent fails",
		overrides: `[{"op":"add","path":"/metadata/labels/tier","value":"gold"}]`,
		err:       "add operation does not apply: doc is missing path"},
	{name: "add with an escaped label key",
		overrides: `[{"path":"/metadata/labels","value":{}},{"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"web"},{"op":"add","path":"/metadata/labels/a~0b","value":"x"}]`,
		want:      withMetadata(`{"name":"web","namespace":"ns","labels":{"app.kubernetes.io/name":"web","a~b":"x"}}`)},
	{name: "add without a value sets null",
		overrides: `[{"op":"add","path":"/spec/paused"}]`,
		want:      withSpecField("paused", "null")},
	{name: "replace without a value sets null",
		overrides: `[{"path":"/spec/replicas"}]`,
		want:      strings.Replace(baseTemplate, `"replicas":3`, `"replicas":null`, 1)},

	// remove.
	{name: "remove of an existing key",
		overrides: `[{"op":"remove","path":"/spec/replicas"}]`,
		want:      strings.Replace(baseTemplate, `"replicas":3,`, ``, 1)},
	{name: "remove of a missing key fails",
		overrides: `[{"op":"remove","path":"/spec/paused"}]`,
		err:       "override 0 (remove /spec/paused) does not apply to the template: error in remove for path: '/spec/paused': Unable to remove nonexistent key: paused"},
	{name: "remove under a missing parent fails",
		overrides: `[{"op":"remove","path":"/metadata/labels/app"}]`,
		err:       "remove operation does not apply: doc is missing path"},
	{name: "remove ignores a value",
		overrides: `[{"op":"remove","path":"/spec/replicas","value":3}]`,
		want:      strings.Replace(baseTemplate, `"replicas":3,`, ``, 1)},

	// Array indices.
	{name: "replace of an array element",
		overrides: `[{"path":"/spec/template/spec/containers/1/image","value":"b:2"}]`,
		want:      withContainers(`[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}]`)},
	{name: "replace of a whole array element",
		overrides: `[{"path":"/spec/template/spec/containers/0","value":{"name":"c","image":"c:1"}}]`,
		want:      withContainers(`[{"name":"c","image":"c:1"},{"name":"b","image":"b:1"}]`)},
	{name: "replace past the end of an array fails",
		overrides: `[{"path":"/spec/template/spec/containers/2","value":{"name":"c"}}]`,
		err:       "replace operation does not apply: doc is missing key: /spec/template/spec/containers/2"},
	{name: "replace of index -1 replaces the last element",
		overrides: `[{"path":"/spec/template/spec/containers/-1","value":{"name":"c"}}]`,
		want:      withContainers(`[{"name":"a","image":"a:1"},{"name":"c"}]`)},
	{name: "replace of index - fails",
		overrides: `[{"path":"/spec/template/spec/containers/-","value":{"name":"c"}}]`,
		err:       "replace operation does not apply: doc is missing key"},
	{name: "replace of a non-numeric index fails",
		overrides: `[{"path":"/spec/template/spec/containers/x","value":{"name":"c"}}]`,
		err:       "replace operation does not apply: doc is missing key"},
	{name: "replace under a missing array element fails",
		overrides: `[{"path":"/spec/template/spec/containers/5/image","value":"c:1"}]`,
		err:       "replace operation does not apply: doc is missing path"},
	{name: "add at index 0 inserts first",
		overrides: `[{"op":"add","path":"/spec/template/spec/containers/0","value":{"name":"c"}}]`,
		want:      withContainers(`[{"name":"c"},{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]`)},
	{name: "add at index len appends",
		overrides: `[{"op":"add","path":"/spec/template/spec/containers/2","value":{"name":"c"}}]`,
		want:      withContainers(`[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"},{"name":"c"}]`)},
	{name: "add at - appends",
		overrides: `[{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"c"}}]`,
		want:      withContainers(`[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"},{"name":"c"}]`)},
	{name: "add at -1 appends",
		overrides: `[{"op":"add","path":"/spec/template/spec/containers/-1","value":{"name":"c"}}]`,
		want:      withContainers(`[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"},{"name":"c"}]`)},
	{name: "add at -2 inserts before the last element",
		overrides: `[{"op":"add","path":"/spec/template/spec/containers/-2","value":{"name":"c"}}]`,
		want:      withContainers(`[{"name":"a","image":"a:1"},{"name":"c"},{"name":"b","image":"b:1"}]`)},
	{name: "add past len fails",
		overrides: `[{"op":"add","path":"/spec/template/spec/containers/3","value":{"name":"c"}}]`,
		err:       "error in add for path: '/spec/template/spec/containers/3': Unable to access invalid index: 3"},
	{name: "add at a non-numeric index fails",
		overrides: `[{"op":"add","path":"/spec/template/spec/containers/x","value":{"name":"c"}}]`,
		err:       "value was not a proper array index: 'x'"},
	{name: "remove of an array element",
		overrides: `[{"op":"remove","path":"/spec/template/spec/containers/0"}]`,
		want:      withContainers(`[{"name":"b","image":"b:1"}]`)},
	{name: "remove of index -1 removes the last element",
		overrides: `[{"op":"remove","path":"/spec/template/spec/containers/-1"}]`,
		want:      withContainers(`[{"name":"a","image":"a:1"}]`)},
	{name: "remove past the end fails",
		overrides: `[{"op":"remove","path":"/spec/template/spec/containers/2"}]`,
		err:       "Unable to access invalid index: 2"},

	// Sequences.
	{name: "later overrides see earlier ones",
		overrides: `[{"path":"/metadata/labels","value":{"a":"1"}},{"op":"add","path":"/metadata/labels/b","value":"2"},{"op":"remove","path":"/metadata/labels/a"}]`,
		want:      withMetadata(`{"name":"web","namespace":"ns","labels":{"b":"2"}}`)},
	{name: "a path through a null set by an earlier override fails",
		overrides: `[{"path":"/metadata/labels"},{"op":"add","path":"/metadata/labels/b","value":"2"}]`,
		err:       "override 1 (add /metadata/labels/b) does not apply to the template: add operation does not apply: doc is missing path"},
	{name: "one failing override applies none",
		overrides: `[{"path":"/spec/replicas","value":9},{"op":"remove","path":"/nope"}]`,
		err:       "override 1 (remove /nope)"},

	// Ops the CRD refuses at admission are refused here too.
	{name: "move", overrides: `[{"op":"move","path":"/spec"}]`, err: `unknown op "move": use add, remove or replace`},
	{name: "test", overrides: `[{"op":"test","path":"/spec/replicas","value":3}]`, err: `unknown op "test"`},
}

func TestApplyKubeFedSemantics(t *testing.T) {
	for _, tt := range kubefedSemanticsCases {
		t.Run(tt.name, func(t *testing.T) { checkApply(t, tt) })
	}
}

// checkApply applies the case's overrides to its template and compares the
// result, or the error, with what the case wants.
func checkApply(t *testing.T, tt applyCase) {
	t.Helper()
	template := tt.template
	if template == "" {
		template = baseTemplate
	}
	var ovs []fedtypesv1b1.ClusterOverride
	if err := json.Unmarshal([]byte(tt.overrides), &ovs); err != nil {
		t.Fatalf("bad overrides %s: %v", tt.overrides, err)
	}
	u := &unstructured.Unstructured{Object: decode(t, template)}
	err := Apply(u, ovs)
	if tt.err != "" {
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Fatalf("error %v, want one containing %q", err, tt.err)
		}
		if !reflect.DeepEqual(u.Object, decode(t, template)) {
			t.Errorf("a failed Apply changed the object: %v", u.Object)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if want := decode(t, tt.want); !reflect.DeepEqual(u.Object, want) {
		got, _ := json.Marshal(u.Object)
		t.Errorf("got  %s\nwant %s", got, tt.want)
	}
}

func TestApplyNone(t *testing.T) {
	u := deployment()
	if err := Apply(u, nil); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(u.Object, deployment().Object) {
		t.Errorf("object changed: %v", u.Object)
	}
}

func TestApplyKeepsIntegersInt64(t *testing.T) {
	u := deployment()
	if err := Apply(u, []fedtypesv1b1.ClusterOverride{{Path: "/spec/replicas", Value: val("5")}}); err != nil {
		t.Fatal(err)
	}
	if r, ok := u.Object["spec"].(map[string]any)["replicas"].(int64); !ok || r != 5 {
		t.Errorf("spec.replicas = %#v, want int64 5", u.Object["spec"].(map[string]any)["replicas"])
	}
}
