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
// It re-plans as soon as a KubeFedCluster's Ready condition changes (no
// unavailableDelay wait), and it follows capacity: when a member keeps some
// of the workload's Pods Pending as Unschedulable for longer than a
// window, the replicas the member could run are recorded as its capacity
// in the preference's status for a while, and the rest are planned
// elsewhere. Only the Pods of the scheduled workloads are read (a List with
// the workload's label selector, when the member reports unavailable
// replicas), never every Pod of every member.
package scheduling
