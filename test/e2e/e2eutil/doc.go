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

// Package e2eutil brings up a complete KubeFed control plane for end-to-end
// tests: a local federation (test/framework: a host and N members, each a
// real API server with kwok nodes), every CRD and default
// FederatedTypeConfig installed in the host, a KubeFedConfig with short
// test timings, the members joined with kubefedctl, and the controller
// manager (cmd/controller-manager/app) running in-process, stoppable and restartable.
//
// Setup returns an Env with clients for the host (the manager's full
// scheme) and every member. Env.DumpOnFailure prints, only when a test
// failed, the federated objects, the managed member objects, the
// KubeFedClusters and the controller logs, which are otherwise kept out of
// the test output. Eventually is the bounded polling helper the suites use.
package e2eutil
