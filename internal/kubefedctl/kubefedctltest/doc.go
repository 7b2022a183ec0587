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

// Package kubefedctltest holds the test fixtures of kubefedctl that its
// in-process tests (internal/kubefedctl, against a test API server) and its
// end-to-end tests (test/e2e/kubefedctl, against local clusters with a
// controller manager) share: running the command line in-process, checking
// its output, the manifests of CRDs of a test's own (CRD) and the example
// CRDs that no default federated type covers, and installing CRDs and
// objects from manifests.
//
// It is imported by tests only; it fails the test it is given instead of
// returning errors where a test could do nothing else.
package kubefedctltest
