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

// Package healthrules compiles and evaluates the health rules of a
// FederatedTypeConfig (spec.health): CEL expressions that say when a member
// copy of a custom resource is ready (readyWhen) or has failed
// (failedWhen), for kinds whose status does not follow kstatus's
// conventions.
//
// The expressions see the member copy as self, typed dyn: the whole object
// as it is in the member cluster. The CEL environment is the one of
// Kubernetes' CustomResourceDefinition validation rules
// (k8s.io/apiserver/pkg/cel/environment: the standard library with the
// strings, sets, lists, two-variable comprehension, regex, URL, quantity,
// IP/CIDR, format and semver libraries), so a user writes the same CEL as
// in a CRD's x-kubernetes-validations, with the same per-call cost limit.
//
// Compile checks an expression the way admission and kubefedctl enable do:
// with the functions of the environment's compatibility version (the
// Kubernetes version this module is built with, less one), so that a rule
// admitted today also runs after a rollback of kubefed by one minor version.
// Cache compiles with the stored-expressions environment, which also knows
// newer functions, so that a rule admitted by a newer kubefed still runs.
//
// Evaluate turns the rules into a Verdict for one copy; callers (the sync
// controller's readiness) fall back to kstatus's generic rules on
// VerdictNone.
package healthrules
