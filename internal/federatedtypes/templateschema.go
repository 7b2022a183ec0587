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
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/utils/ptr"
)

// maxSchemaDepth bounds the nesting of a converted schema. Kubernetes'
// built-in kinds stay far below it; a deeper (or recursive) schema is cut
// off with an object that keeps any field.
const maxSchemaDepth = 32

// anyObject is the schema of an object whose fields are not checked.
func anyObject() apiextensionsv1.JSONSchemaProps {
	return apiextensionsv1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: ptr.To(true)}
}

// TemplateSchemaFromCRD returns the schema of a federated type's
// spec.template for a target type defined by a CRD: the CRD version's own
// schema without status (the members own it), with metadata as an object
// that keeps any field (the template's name and namespace come from the
// federated object, its labels and annotations are free).
func TemplateSchemaFromCRD(schema *apiextensionsv1.JSONSchemaProps) *apiextensionsv1.JSONSchemaProps {
	if schema == nil {
		return nil
	}
	out := schema.DeepCopy()
	out.Type = "object"
	if out.Properties == nil && !ptr.Deref(out.XPreserveUnknownFields, false) {
		out.XPreserveUnknownFields = ptr.To(true)
	}
	if out.Properties != nil {
		delete(out.Properties, "status")
		out.Properties["metadata"] = anyObject()
	}
	out.Required = slices.DeleteFunc(out.Required, func(f string) bool { return f == "status" || f == "metadata" })
	// Rules on the whole object may compare it with the stored object
	// (oldSelf) or read its metadata, neither of which a template has.
	out.XValidations = slices.DeleteFunc(out.XValidations, func(r apiextensionsv1.ValidationRule) bool {
		return strings.Contains(r.Rule, "oldSelf") || strings.Contains(r.Rule, "metadata")
	})
	return out
}

// openAPISchema is the part of an OpenAPI v3 schema object (as the API
// server serves it under /openapi/v3) that a structural CRD schema can
// express.
type openAPISchema struct {
	Ref                  string                    `json:"$ref,omitempty"`
	Type                 string                    `json:"type,omitempty"`
	Format               string                    `json:"format,omitempty"`
	Properties           map[string]*openAPISchema `json:"properties,omitempty"`
	Items                *openAPISchema            `json:"items,omitempty"`
	AdditionalProperties json.RawMessage           `json:"additionalProperties,omitempty"`
	AllOf                []*openAPISchema          `json:"allOf,omitempty"`
	Enum                 []json.RawMessage         `json:"enum,omitempty"`
	Required             []string                  `json:"required,omitempty"`
	Nullable             bool                      `json:"nullable,omitempty"`
	IntOrString          bool                      `json:"x-kubernetes-int-or-string,omitempty"`
	PreserveUnknown      *bool                     `json:"x-kubernetes-preserve-unknown-fields,omitempty"`
	EmbeddedResource     bool                      `json:"x-kubernetes-embedded-resource,omitempty"`
	GroupVersionKinds    []struct {
		Group   string `json:"group"`
		Version string `json:"version"`
		Kind    string `json:"kind"`
	} `json:"x-kubernetes-group-version-kind,omitempty"`
}

// openAPIDocument is an OpenAPI v3 document of one group version.
type openAPIDocument struct {
	Components struct {
		Schemas map[string]*openAPISchema `json:"schemas"`
	} `json:"components"`
}

// TemplateSchemaFromOpenAPI returns the schema of a federated type's
// spec.template for a built-in kind, from the API server's OpenAPI v3
// document of the kind's group version (GET /openapi/v3/apis/<group>/<version>).
//
// The conversion keeps what validates a template (types, formats, enums,
// required fields, int-or-string, nullability) and leaves out what a
// template must not get or cannot express in a CRD: status, defaults (the
// members default their objects), list and map merge keys, descriptions
// below the top level (they would make the CRD several times larger).
// metadata, recursive and untyped parts keep any field.
func TemplateSchemaFromOpenAPI(document []byte, group, version, kind string) (*apiextensionsv1.JSONSchemaProps, error) {
	var doc openAPIDocument
	if err := json.Unmarshal(document, &doc); err != nil {
		return nil, fmt.Errorf("decoding the OpenAPI v3 document of %s: %w", gvString(group, version), err)
	}
	var rootName string
	for name, s := range doc.Components.Schemas {
		for _, gvk := range s.GroupVersionKinds {
			if gvk.Group == group && gvk.Version == version && gvk.Kind == kind {
				rootName = name
			}
		}
	}
	if rootName == "" {
		return nil, fmt.Errorf("the OpenAPI v3 document of %s has no schema for kind %s", gvString(group, version), kind)
	}
	c := &converter{schemas: doc.Components.Schemas}
	out := c.convert(&openAPISchema{Ref: "#/components/schemas/" + rootName}, nil, 0)
	if out.Properties != nil {
		delete(out.Properties, "status")
		out.Properties["metadata"] = anyObject()
	}
	out.Required = slices.DeleteFunc(out.Required, func(f string) bool { return f == "status" || f == "metadata" })
	return &out, nil
}

func gvString(group, version string) string {
	if group == "" {
		return version
	}
	return group + "/" + version
}

// converter turns OpenAPI v3 schemas into structural CRD schemas.
type converter struct {
	schemas map[string]*openAPISchema
}

const refPrefix = "#/components/schemas/"

// convert converts s; path holds the names of the referenced schemas being
// converted, to cut recursion.
func (c *converter) convert(s *openAPISchema, path []string, depth int) apiextensionsv1.JSONSchemaProps {
	if s == nil || depth > maxSchemaDepth {
		return anyObject()
	}
	// A reference, bare or wrapped in allOf (how the API server adds a
	// description or default to a referenced schema).
	ref := s.Ref
	if ref == "" && len(s.AllOf) == 1 && s.AllOf[0].Ref != "" && s.Type == "" && len(s.Properties) == 0 {
		ref = s.AllOf[0].Ref
	}
	if ref != "" {
		name := strings.TrimPrefix(ref, refPrefix)
		target, ok := c.schemas[name]
		if !ok || slices.Contains(path, name) {
			return anyObject()
		}
		out := c.convert(target, append(slices.Clone(path), name), depth)
		out.Nullable = out.Nullable || s.Nullable
		return out
	}
	out := apiextensionsv1.JSONSchemaProps{Type: s.Type, Format: s.Format, Nullable: s.Nullable}
	switch {
	case s.IntOrString:
		return apiextensionsv1.JSONSchemaProps{XIntOrString: true, Nullable: s.Nullable}
	case ptr.Deref(s.PreserveUnknown, false):
		out.Type = "object"
		out.XPreserveUnknownFields = ptr.To(true)
		out.XEmbeddedResource = s.EmbeddedResource
		return out
	case s.Type == "":
		// Untyped (JSON, RawExtension): anything goes.
		return apiextensionsv1.JSONSchemaProps{XPreserveUnknownFields: ptr.To(true), Nullable: s.Nullable}
	}
	for _, e := range s.Enum {
		out.Enum = append(out.Enum, apiextensionsv1.JSON{Raw: slices.Clone(e)})
	}
	switch s.Type {
	case "array":
		items := c.convert(s.Items, path, depth+1)
		out.Items = &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &items}
	case "object":
		var additional openAPISchema
		hasAdditional := len(s.AdditionalProperties) > 0 && s.AdditionalProperties[0] == '{' &&
			json.Unmarshal(s.AdditionalProperties, &additional) == nil
		switch {
		case len(s.Properties) > 0:
			out.Properties = map[string]apiextensionsv1.JSONSchemaProps{}
			for name, p := range s.Properties {
				out.Properties[name] = c.convert(p, path, depth+1)
			}
			for _, r := range s.Required {
				if _, ok := out.Properties[r]; ok {
					out.Required = append(out.Required, r)
				}
			}
		case hasAdditional:
			values := c.convert(&additional, path, depth+1)
			out.AdditionalProperties = &apiextensionsv1.JSONSchemaPropsOrBool{Allows: true, Schema: &values}
		default:
			// An object without known fields (RawExtension and the like).
			out.XPreserveUnknownFields = ptr.To(true)
		}
	}
	return out
}
