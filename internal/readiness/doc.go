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

// Package readiness says whether a federated object is rolled out
// everywhere, in the terms of sigs.k8s.io/cli-utils/pkg/kstatus: the terms
// kubectl wait, Flux, Helm's --wait and Argo CD read.
//
// # What a Federated<Kind> reports
//
// Every federated object, whatever its kind, carries in its status:
//
//   - status.observedGeneration: the metadata.generation the status was
//     computed for.
//   - status.conditions[type=Ready] (fedtypesv1b1.ReadyConditionType),
//     always present: True only when the object is propagated at its
//     current generation to every cluster it is placed in, no copy is
//     being removed from a cluster it left, and every member copy is
//     Current. Its reason is the kstatus status of the federated object as
//     a whole: Current (True), InProgress or Failed (False); the message
//     names the clusters that are behind.
//   - status.conditions[type=Reconciling] (ReconcilingConditionType),
//     present only while True (kstatus's abnormal-true convention: absent
//     means normal): some placed cluster does not run the current
//     generation yet, or runs it but its copy is not Current yet. Reasons:
//     Propagating (a cluster is not yet written at the current generation:
//     write pending or retried, cluster not ready, copy being removed from a
//     cluster the object left, namespace without FederatedNamespace) and
//     MemberInProgress (every cluster has the current generation, some copy
//     is InProgress, Unknown, Terminating or NotFound). The message names
//     the clusters, for example "InProgress in member2: Ready: 1/2".
//   - status.conditions[type=Stalled] (StalledConditionType), present only
//     while True: the object cannot get there without a change. Reasons:
//     MemberFailed (a copy is Failed: its own Stalled condition, a Deployment
//     past its progress deadline, a failed Job, a crash-looping or
//     unschedulable Pod, or a health rule's failedWhen), PropagationFailed (a
//     member refused the write for good: admission denied, invalid, forbidden;
//     or the copy cannot be computed, its overrides fail, an object kubefed
//     does not manage is in the way: AlreadyExists, ManagedLabelFalse) and
//     ComputePlacementFailed (spec.placement is invalid). The message names
//     the cluster and the reason. While Stalled is True, Ready is False with
//     reason Failed, and Reconciling is absent.
//   - status.clusters[].readiness: the kstatus status of the copy in that
//     cluster as it is there (Current, InProgress, Failed, Terminating,
//     NotFound when there is no copy, Unknown when the copy could not be
//     read or its health rule could not be evaluated), with
//     status.clusters[].readinessMessage saying why.
//
// So kstatus's Compute on a federated object says Current, InProgress or
// Failed exactly as the aggregate above, and
// kubectl wait --for=condition=Ready returns once every placed cluster runs
// the current generation ready.
//
// An object placed in no cluster is Current (Ready=True, message "placed in
// no cluster"): what it asks for, nothing, is what runs.
//
// # Per copy
//
// Copy computes one member copy's readiness with kstatus's Compute, unless
// the FederatedTypeConfig has health rules (internal/healthrules): a copy
// being deleted stays Terminating and a copy whose status.observedGeneration
// lags its generation stays InProgress; otherwise failedWhen true makes it
// Failed, readyWhen true Current and false InProgress; an expression that
// cannot be evaluated makes it Unknown, naming the FederatedTypeConfig and
// the rule.
//
// # Aggregate
//
// Aggregate combines, per cluster, the propagation outcome
// (status.clusters[].status) with the copy's readiness into the three
// conditions. A cluster that is not ready, a write that timed out or was
// refused in a way that may pass (conflict, server error, throttling, a
// namespace still being created or deleted) keeps the wait going
// (Reconciling); Refused says which API errors will not pass on their own.
//
// An object with spec.rollout (docs/rollout.md) also passes its rollout's
// phase: Progressing adds a Propagating part naming the wave and the
// clusters that wait for their turn (Cluster.Waiting), Paused makes
// Reconciling's reason RolloutPaused, and Stalled sets Stalled with the
// rollout's own reason (ProgressDeadlineExceeded, ClusterFailed,
// RevisionNotFound), named after an invalid placement and before the
// clusters' own failures. So kstatus says InProgress while the rollout runs
// or is paused, Failed once it stopped, and Current only once it is
// complete and every copy is Current.
package readiness
