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
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/utils/ptr"
)

// The building blocks of the federated types' schemas: one constructor per
// kind of property, so that each schema below reads as its fields and their
// descriptions.

// props are the properties of an object schema.
type props = map[string]apiextensionsv1.JSONSchemaProps

func stringProp(description string) apiextensionsv1.JSONSchemaProps {
	return apiextensionsv1.JSONSchemaProps{Description: description, Type: "string"}
}

func boolProp(description string) apiextensionsv1.JSONSchemaProps {
	return apiextensionsv1.JSONSchemaProps{Description: description, Type: "boolean"}
}

func int32Prop(description string) apiextensionsv1.JSONSchemaProps {
	return apiextensionsv1.JSONSchemaProps{Description: description, Type: "integer", Format: "int32"}
}

func int64Prop(description string) apiextensionsv1.JSONSchemaProps {
	return apiextensionsv1.JSONSchemaProps{Description: description, Type: "integer", Format: "int64"}
}

// atLeast sets an integer property's minimum.
func atLeast(minimum float64, p apiextensionsv1.JSONSchemaProps) apiextensionsv1.JSONSchemaProps {
	p.Minimum = ptr.To(minimum)
	return p
}

func timeProp(description string) apiextensionsv1.JSONSchemaProps {
	return apiextensionsv1.JSONSchemaProps{Description: description, Type: "string", Format: "date-time"}
}

// freeObjectProp is an object whose fields are not checked (a template
// without schema, a member object's status).
func freeObjectProp(description string) apiextensionsv1.JSONSchemaProps {
	return apiextensionsv1.JSONSchemaProps{Description: description, Type: "object", XPreserveUnknownFields: ptr.To(true)}
}

func objectProp(description string, properties props, required ...string) apiextensionsv1.JSONSchemaProps {
	return apiextensionsv1.JSONSchemaProps{Description: description, Type: "object", Properties: properties, Required: required}
}

func arrayProp(description string, items apiextensionsv1.JSONSchemaProps) apiextensionsv1.JSONSchemaProps {
	return apiextensionsv1.JSONSchemaProps{
		Description: description,
		Type:        "array",
		Items:       &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &items},
	}
}
