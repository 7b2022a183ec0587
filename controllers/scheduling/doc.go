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

// Package scheduling implements the ReplicaSchedulingPreference
// reconciler: it divides a FederatedDeployment's or FederatedReplicaSet's
// replicas across the Ready member clusters with internal/planner and
// writes the result into the target federated object (spec.placement.clusters
// and a /spec/replicas override per cluster, in one patch, only when the
// plan changed); the sync reconciler then propagates it.
//
// It plans for the connected members (the clusters sync propagates to)
// and re-plans as soon as one connects or disconnects (no unavailableDelay
// wait), and it follows capacity: when a member keeps some
// of the workload's Pods Pending as Unschedulable for longer than a
// window, the replicas the member could run are recorded as its capacity
// in the preference's status for a while, and the rest are planned
// elsewhere. Only the Pods of the scheduled workloads are read (a List with
// the workload's label selector, when the member reports unavailable
// replicas), never every Pod of every member; the members are read in
// parallel, each within a timeout, and a member whose Pods cannot be read
// is reported in status.clusters[].message.
//
// The reconciler reads as get, scope (scheduling_scope.go), phases
// (scheduling_phases.go; member reads in scheduling_members.go) and one
// status patch with the events (scheduling_status.go).
package scheduling
