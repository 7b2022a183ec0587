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

// Package propagation holds the end-to-end acceptance tests of propagation
// (the sync controllers): a host and two members, each a real API server
// with simulated nodes, with every CRD and default FederatedTypeConfig
// installed and the controller manager running in-process
// (test/e2e/e2eutil).
//
// TestPropagation shares one federation: first, in parallel, the same
// create/update/override/placement/drift/delete/orphan sequence for each of
// the 16 default types (fixtures/<kind>.yaml, in KubeFed v0.10 form), the
// namespace rules, workload readiness, bad input and the fields members
// own; then, one after the other because they watch the whole federation,
// an idle federation writing nothing, a control-plane restart in the middle
// of a rollout, and a member that stops and comes back.
package propagation
