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

// Package federatedtypes turns a target type (apps/v1 Deployment, v1
// ConfigMap, ...) into its federated form: the types.kubefed.io/v1beta1
// Federated<Kind> CustomResourceDefinition (generic template, placement and
// overrides schema with CEL validation, status, printer columns, short
// names) and the FederatedTypeConfig that tells the control plane about it.
//
// The same code serves two callers: hack/federatedtypes-gen writes the
// default set (DefaultTargetTypes) into config/crd/bases and
// config/federatedtypeconfigs at build time, and kubefedctl enable builds the
// CRD and FederatedTypeConfig of any type at run time. Keeping one generator
// means a type enabled later looks exactly like a default one.
//
// The default types keep a free-form template (their members validate the
// objects). A type that kubefedctl enable creates carries the target's own
// schema in spec.template (TargetType.TemplateSchema), converted by
// TemplateSchemaFromCRD or TemplateSchemaFromOpenAPI, so that an invalid
// template is refused at admission. Every federated CRD also carries
// spec.rollout (progressive rollout, docs/rollout.md) with its CEL rules
// (rolloutschema.go), sized to fit the API server's CEL cost budget. StatusSchemaCurrent and
// UpgradeStatusSchema bring a federated CRD made by KubeFed's tooling up to
// the status this control plane writes.
package federatedtypes
