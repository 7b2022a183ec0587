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

// Package install holds the end-to-end tests of an installation the way a
// user makes one: the Helm chart (charts/kubefed) installed into the host of
// a local federation, the controller manager binary (bin/controller-manager)
// run as separate processes with the chart's ServiceAccount identity (a
// TokenRequest token, so that every missing RBAC rule shows up as it would
// in a cluster), the members joined with bin/kubefedctl.
//
// The tests check propagation and workload readiness under that identity,
// the metrics and probe endpoints, and leader election between two
// processes: failover after a SIGKILL of the leader, and the handover on a
// clean SIGTERM that releases the Lease.
//
// They need the binaries of `make build` and `make tools` in
// $KUBEFED_BIN_DIR (bin/ by default).
package install
