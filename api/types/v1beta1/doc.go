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

// Package v1beta1 describes the generic shape shared by every
// types.kubefed.io/v1beta1 Federated<Kind>: spec.template (the object to
// create in member clusters), spec.placement (which clusters), spec.overrides
// (per-cluster JSON patches), spec.retainReplicas for scalable kinds, and a
// status with the Propagation condition, per-cluster results and an
// aggregated workload status.
//
// The Federated<Kind> CRDs are not Go types: internal/federatedtypes builds
// them for any target type. Controllers handle federated objects as
// *unstructured.Unstructured and use the typed pieces and accessors of this
// package (GetPlacement, GetOverrides, SetStatus, ...) to read and write the
// generic fields. Field names, JSON tags and status reason strings are
// KubeFed v0.10's.
//
// +kubebuilder:object:generate=true
// +groupName=types.kubefed.io
package v1beta1
