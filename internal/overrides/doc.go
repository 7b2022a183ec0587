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

// Package overrides applies a member cluster's overrides (spec.overrides of
// a federated object: JSON patch add, remove and replace operations) to the
// object built from the template for that cluster.
//
// The semantics are KubeFed v0.10's, which applied the overrides of a
// cluster as one JSON patch with github.com/evanphx/json-patch v4 (this
// package uses the same library, v4.13, which differs from v4.12 only in
// failing instead of panicking on a path through a null value). Manifests
// written for KubeFed depend on these rules, some of which differ from RFC
// 6902:
//
//   - An override without op is a replace.
//   - replace of a missing key of an object adds it (RFC 6902 says fail):
//     {path: /metadata/labels, value: {...}} on a template without labels
//     sets the labels.
//   - add of an existing key of an object replaces its value.
//   - add, replace and remove fail when a parent on the path is missing or
//     is not an object or array; nothing is created on the way.
//   - remove of a missing key fails.
//   - Array indices: replace and remove need an existing index; add takes
//     0..len (len appends) or "-" (appends). Negative indices count from
//     the end: replace and remove -1 address the last element, and add -1
//     appends (it inserts at len+1-1).
//   - add or replace without a value sets null.
//   - Path segments are JSON pointer tokens: ~1 stands for / and ~0 for ~
//     (a label key app.kubernetes.io/name is /metadata/labels/app.kubernetes.io~1name).
//
// The overrides apply in order, each one to the result of the previous one;
// when one fails, none applies and the error names it. The federated type's
// CRD validates the shape of each override (op, path) at admission.
package overrides
