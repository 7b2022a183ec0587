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

// Package propagation implements the propagation reconciler: one instance per
// enabled FederatedTypeConfig, started and stopped at run time by the
// federatedtypeconfig controller.
//
// For every Federated<Kind> object it computes the placement (the object's
// own, intersected with its namespace's FederatedNamespace), builds the
// desired member object per cluster (template, name, managed label,
// overrides, fields the member owns), applies it with server-side apply
// under the "kubefed" field manager in every placed cluster in parallel,
// deletes the copies of clusters that left the placement, and writes back
// the PropagatedVersion record and the status: the Propagation condition,
// the readiness conditions (Ready, Reconciling, Stalled: internal/readiness),
// one entry per placed cluster with its copy's readiness, the members' raw
// status and, for workloads, the aggregated replica counts.
//
// The PropagatedVersion record is what makes an idle federation silent: a
// cluster whose recorded member version, template hash and overrides hash
// all match is not written to, and the host object is written only when its
// status changed.
//
// Member objects are watched through internal/clustercache with the
// kubefed.io/managed=true label selector; an event maps back to the host
// object of the same name and namespace, so a member-side edit or deletion
// is undone within seconds.
//
// A member that answers writes much more slowly than the others does not
// hold the reconciles back: its writes are detached and finish in the
// background (memberOps, one per type). Whether a member is slow is the
// member's own property, measured once per member connection by
// internal/clustercache and shared by every type.
//
// # Files
//
//   - sync_controller.go: the Reconciler, Reconcile (get, scope, phases,
//     one deferred status write) and the events it records.
//   - sync_scope.go: the scope, what a reconcile read and decided.
//   - sync_phases.go: the phases placement, members (apply) and removals.
//   - member_run.go: running a phase's member operations in parallel, and
//     reading member copies; member_ops.go: the detached ones.
//   - desired.go: the member object desired in one cluster.
//   - sync_versions.go: the PropagatedVersion record.
//   - sync_status.go and workload_status.go: the status and its write.
//   - sync_delete.go: deleting a federated object, releasing its copies.
//   - sync_memo.go: the host writes the cache has not shown yet.
//   - sync_watches.go, sync_priority.go and relister.go: the controller of
//     one type (NewController), its watches and their priorities.
package propagation
