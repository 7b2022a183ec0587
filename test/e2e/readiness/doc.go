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

// Package readiness holds the end-to-end tests of readiness: whether a
// federated object is rolled out everywhere, in the terms of kstatus
// (sigs.k8s.io/cli-utils/pkg/kstatus), which kubectl wait, Flux, Helm and
// Argo CD read.
//
// The oracle is the kstatus library itself: its Compute on the federated
// object must agree with its Compute on the member copies. Members are
// local clusters with simulated nodes; Pods of framework.NeverReadyImage
// run there but never become ready, which is how a member is made to fail
// a rollout (TestNeverReadyImage checks that simulation on its own).
package readiness
