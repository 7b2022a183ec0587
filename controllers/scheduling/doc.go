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
