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

// Package faults holds the fault suite: end-to-end tests that break one
// thing on a local federation (a host and two members, real API servers)
// and check that kubefed keeps its promises for everything else, printing
// what it counted.
//
//   - A broken type next to healthy ones: a type whose Federated<Kind> CRD is
//     deleted while it runs is reported on its FederatedTypeConfig, and a
//     bulk of objects of a healthy type propagates meanwhile.
//   - The controller-manager process killed with SIGKILL in the middle of a
//     rollout, then started again: every object converges, none is lost or
//     duplicated.
//   - A member stopped in the middle of a rollout: the other member gets
//     every copy, and the stopped one converges within availableDelay + 15 s
//     of its return.
//   - The host's API server and etcd stopped and started under a running
//     controller-manager: it recovers without a restart of its own.
//   - A member answering slowly, through a TCP proxy that delays everything
//     it forwards: the objects report it WaitingForCluster, the other
//     member gets its copies in well under the time it would take if the
//     slow member held it back (the ratio to a healthy rollout measured
//     just before is logged), and the slow one gets them too.
//
// "In the middle of a rollout" is checked, not hoped for: watches on the
// members count the copies, the fault strikes the moment half of them
// exist, and the test fails unless between 20% and 80% existed when it
// struck.
//
// The controller-manager runs as the binary of bin/ (KUBEFED_BIN_DIR) where
// a test kills it, in-process otherwise.
package faults
