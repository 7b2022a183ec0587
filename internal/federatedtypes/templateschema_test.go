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

package federatedtypes

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/utils/ptr"
)

// widgetDocument is an OpenAPI v3 document shaped like the API server's:
// references wrapped in allOf, defaults, list map keys, int-or-string, a
// RawExtension, a recursive type and a map.
const widgetDocument = `{
  "components": {"schemas": {
    "io.example.v1.Widget": {
      "type": "object",
      "x-kubernetes-group-version-kind": [{"group": "example.io", "version": "v1", "kind": "Widget"}],
      "required": ["spec"],
      "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}], "default": {}},
        "spec": {"allOf": [{"$ref": "#/components/schemas/io.example.v1.WidgetSpec"}], "default": {}, "description": "spec"},
        "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}}
      }
    },
    "io.example.v1.WidgetSpec": {
      "type": "object",
      "required": ["size"],
      "properties": {
        "size": {"type": "integer", "format": "int32", "default": 3},
        "mode": {"type": "string", "enum": ["Fast", "Slow"]},
        "port": {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
        "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"],
          "items": {"type": "object", "properties": {"port": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"}}}},
        "extra": {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.runtime.RawExtension"},
        "labels": {"type": "object", "additionalProperties": {"type": "string", "default": ""}},
        "tree": {"$ref": "#/components/schemas/io.example.v1.Node"},
        "raw": {"description": "untyped"}
      }
    },
    "io.example.v1.Node": {
      "type": "object",
      "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/components/schemas/io.example.v1.Node"}}}
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {"type": "object", "properties": {"name": {"type": "string"}}},
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string", "x-kubernetes-int-or-string": true},
    "io.k8s.apimachinery.pkg.runtime.RawExtension": {"type": "object"}
  }}
}`

func TestTemplateSchemaFromOpenAPI(t *testing.T) {
	t.Parallel()
	schema, err := TemplateSchemaFromOpenAPI([]byte(widgetDocument), "example.io", "v1", "Widget")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := schema.Properties["status"]; ok {
		t.Error("the template schema keeps status")
	}
	if m := schema.Properties["metadata"]; !ptr.Deref(m.XPreserveUnknownFields, false) || len(m.Properties) != 0 {
		t.Errorf("metadata = %+v, want an object keeping any field", m)
	}
	spec := schema.Properties["spec"]
	if spec.Type != "object" || len(spec.Required) != 1 || spec.Required[0] != "size" {
		t.Errorf("spec = type %q required %v, want the referenced WidgetSpec", spec.Type, spec.Required)
	}
	if spec.Properties["size"].Default != nil || spec.Properties["size"].Format != "int32" {
		t.Errorf("size = %+v, want int32 without its default", spec.Properties["size"])
	}
	if got := spec.Properties["mode"].Enum; len(got) != 2 || string(got[0].Raw) != `"Fast"` {
		t.Errorf("mode enum = %v", got)
	}
	if p := spec.Properties["port"]; !p.XIntOrString || p.Type != "" {
		t.Errorf("port = %+v, want int-or-string", p)
	}
	if p := spec.Properties["ports"]; p.XListType != nil || len(p.XListMapKeys) != 0 || p.Items.Schema.Properties["protocol"].Default != nil {
		t.Errorf("ports = %+v, want no list map keys nor defaults", p)
	}
	if p := spec.Properties["extra"]; !ptr.Deref(p.XPreserveUnknownFields, false) {
		t.Errorf("extra (RawExtension) = %+v, want any fields kept", p)
	}
	if p := spec.Properties["labels"]; p.AdditionalProperties == nil || p.AdditionalProperties.Schema.Type != "string" {
		t.Errorf("labels = %+v, want a map of strings", p)
	}
	children := spec.Properties["tree"].Properties["children"]
	if !ptr.Deref(children.Items.Schema.XPreserveUnknownFields, false) {
		t.Errorf("the recursive Node is not cut off: %+v", children.Items.Schema)
	}
	if p := spec.Properties["raw"]; !ptr.Deref(p.XPreserveUnknownFields, false) {
		t.Errorf("raw = %+v, want any value", p)
	}
	// The federated CRD built from it passes the API server's validation.
	target := TargetType{Group: "example.io", Version: "v1", Kind: "Widget", PluralName: "widgets",
		Scope: apiextensionsv1.NamespaceScoped, TemplateSchema: schema}
	validateCRD(t, CRD(target))
}

func TestTemplateSchemaFromOpenAPIUnknownKind(t *testing.T) {
	t.Parallel()
	_, err := TemplateSchemaFromOpenAPI([]byte(widgetDocument), "example.io", "v1", "Gadget")
	if err == nil || !strings.Contains(err.Error(), "no schema for kind Gadget") {
		t.Fatalf("error = %v, want one naming the missing kind", err)
	}
	if _, err := TemplateSchemaFromOpenAPI([]byte("{"), "example.io", "v1", "Widget"); err == nil {
		t.Fatal("a broken document was accepted")
	}
}

func TestTemplateSchemaFromCRD(t *testing.T) {
	t.Parallel()
	crdSchema := &apiextensionsv1.JSONSchemaProps{
		Type:     "object",
		Required: []string{"spec", "status"},
		Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"apiVersion": {Type: "string"},
			"kind":       {Type: "string"},
			"metadata":   {Type: "object"},
			"spec": {
				Type:     "object",
				Required: []string{"size"},
				Properties: map[string]apiextensionsv1.JSONSchemaProps{
					"size": {Type: "integer", Minimum: ptr.To(1.0)},
					"nested": {Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
						"color": {Type: "string", Enum: []apiextensionsv1.JSON{{Raw: []byte(`"red"`)}, {Raw: []byte(`"blue"`)}}},
					}},
				},
				XValidations: apiextensionsv1.ValidationRules{{Rule: "self.size < 100", Message: "too big"}},
			},
			"status": {Type: "object"},
		},
		XValidations: apiextensionsv1.ValidationRules{
			{Rule: "self.metadata.name.size() < 20"},
			{Rule: "has(self.spec)"},
			{Rule: "self.spec.size >= oldSelf.spec.size"},
		},
	}
	schema := TemplateSchemaFromCRD(crdSchema)
	if _, ok := schema.Properties["status"]; ok {
		t.Error("the template schema keeps status")
	}
	if len(schema.Required) != 1 || schema.Required[0] != "spec" {
		t.Errorf("required = %v, want [spec]", schema.Required)
	}
	if len(schema.XValidations) != 1 || schema.XValidations[0].Rule != "has(self.spec)" {
		t.Errorf("root rules = %v, want only the one that applies to a template", schema.XValidations)
	}
	if len(schema.Properties["spec"].XValidations) != 1 || schema.Properties["spec"].Properties["size"].Minimum == nil {
		t.Error("the spec's own validation was dropped")
	}
	if len(crdSchema.Properties) != 5 {
		t.Error("the CRD's schema was changed in place")
	}
	target := TargetType{Group: "example.io", Version: "v1", Kind: "Widget", PluralName: "widgets",
		Scope: apiextensionsv1.NamespaceScoped, TemplateSchema: schema, FederatedGroup: "federated.example.io"}
	crd := CRD(target)
	if crd.Name != "federatedwidgets.federated.example.io" || crd.Spec.Group != "federated.example.io" {
		t.Errorf("CRD %s in group %s, want federatedwidgets.federated.example.io", crd.Name, crd.Spec.Group)
	}
	validateCRD(t, crd)
}

func TestUpgradeStatusSchema(t *testing.T) {
	t.Parallel()
	crd := CRD(mustLookup(t, "apps", "Deployment"))
	if !StatusSchemaCurrent(crd) || UpgradeStatusSchema(crd) {
		t.Fatal("a generated CRD is reported out of date")
	}
	// KubeFed's status: conditions and clusters without message, no
	// aggregatedStatus.
	old := crd.DeepCopy()
	status := old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"]
	delete(status.Properties, "aggregatedStatus")
	delete(status.Properties["clusters"].Items.Schema.Properties, "message")
	old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"] = status
	template := old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
	if StatusSchemaCurrent(old) {
		t.Fatal("a KubeFed status schema is reported current")
	}
	if !UpgradeStatusSchema(old) || !StatusSchemaCurrent(old) {
		t.Fatal("the status schema was not upgraded")
	}
	if got := old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]; got.Description != template.Description {
		t.Error("the upgrade changed the spec schema")
	}
	validateCRD(t, old)
}

// A CRD generated before readiness: every status field but the per-cluster
// readiness, and no Ready printer column.
func TestUpgradeStatusSchemaAddsReadiness(t *testing.T) {
	t.Parallel()
	old := CRD(mustLookup(t, "apps", "Deployment"))
	version := &old.Spec.Versions[0]
	clusters := version.Schema.OpenAPIV3Schema.Properties["status"].Properties["clusters"]
	delete(clusters.Items.Schema.Properties, "readiness")
	delete(clusters.Items.Schema.Properties, "readinessMessage")
	version.AdditionalPrinterColumns = slices.DeleteFunc(version.AdditionalPrinterColumns, func(c apiextensionsv1.CustomResourceColumnDefinition) bool {
		return c.Name == "Ready"
	})
	if StatusSchemaCurrent(old) {
		t.Fatal("a status schema without readiness is reported current")
	}
	if !UpgradeStatusSchema(old) || !StatusSchemaCurrent(old) {
		t.Fatal("the status schema was not upgraded")
	}
	want := CRD(mustLookup(t, "apps", "Deployment")).Spec.Versions[0].AdditionalPrinterColumns
	if UpgradeStatusSchema(old) {
		t.Error("an upgraded CRD is upgraded again")
	}
	if !reflect.DeepEqual(version.AdditionalPrinterColumns, want) {
		t.Errorf("printer columns after the upgrade = %+v, want %+v", version.AdditionalPrinterColumns, want)
	}
	validateCRD(t, old)
}

// A CRD generated before progressive rollout: no spec.rollout,
// status.rollout or status.clusters[].revision; the upgrade adds them, as
// generated.
func TestUpgradeStatusSchemaAddsRollout(t *testing.T) {
	t.Parallel()
	want := CRD(mustLookup(t, "apps", "Deployment")).Spec.Versions[0].Schema.OpenAPIV3Schema
	for _, drop := range []func(*apiextensionsv1.JSONSchemaProps){
		func(s *apiextensionsv1.JSONSchemaProps) { delete(s.Properties["spec"].Properties, "rollout") },
		func(s *apiextensionsv1.JSONSchemaProps) { delete(s.Properties["status"].Properties, "rollout") },
		func(s *apiextensionsv1.JSONSchemaProps) {
			delete(s.Properties["status"].Properties["clusters"].Items.Schema.Properties, "revision")
		},
	} {
		old := CRD(mustLookup(t, "apps", "Deployment"))
		schema := old.Spec.Versions[0].Schema.OpenAPIV3Schema
		drop(schema)
		if StatusSchemaCurrent(old) {
			t.Fatal("a schema without the rollout fields is reported current")
		}
		if !UpgradeStatusSchema(old) || !StatusSchemaCurrent(old) {
			t.Fatal("the schema was not upgraded")
		}
		for _, part := range []string{"spec", "status"} {
			if !reflect.DeepEqual(schema.Properties[part], want.Properties[part]) {
				t.Errorf("%s schema after the upgrade differs from the generated one", part)
			}
		}
		validateCRD(t, old)
	}
}

// A CRD generated before the status defaults: the status schema is current
// (every field the controller writes), but a new object would read as
// Current to kstatus before its first status; the upgrade adds the
// defaults.
func TestUpgradeStatusSchemaAddsTheDefaults(t *testing.T) {
	t.Parallel()
	old := CRD(mustLookup(t, "apps", "Deployment"))
	status := old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"]
	status.Default = nil
	observed := status.Properties["observedGeneration"]
	observed.Default = nil
	status.Properties["observedGeneration"] = observed
	old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"] = status
	if !StatusSchemaCurrent(old) {
		t.Fatal("a status schema with every written field is reported out of date")
	}
	if !UpgradeStatusSchema(old) {
		t.Fatal("a status schema without its defaults was not upgraded")
	}
	got := old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"]
	if got.Default == nil || string(got.Default.Raw) != "{}" || got.Properties["observedGeneration"].Default == nil || string(got.Properties["observedGeneration"].Default.Raw) != "0" {
		t.Errorf("status defaults after the upgrade: %v, observedGeneration %v", got.Default, got.Properties["observedGeneration"].Default)
	}
	validateCRD(t, old)
}
