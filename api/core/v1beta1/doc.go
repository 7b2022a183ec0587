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

// Package v1beta1 holds the core.kubefed.io/v1beta1 API: KubeFedCluster (a
// member cluster and how to reach it), KubeFedConfig (the control plane's
// settings) and FederatedTypeConfig (one federated type and whether it is
// propagated). The types are wire-compatible with KubeFed v0.10: same field
// names, JSON tags and optionality, so existing manifests apply unchanged.
//
// Validation lives in the CRD schema (OpenAPI, defaults and CEL rules from the
// markers in this package), so the API server rejects bad input without a
// webhook.
//
// +kubebuilder:object:generate=true
// +groupName=core.kubefed.io
package v1beta1
