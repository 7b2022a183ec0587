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

// Package kubefedcluster holds the KubeFedCluster controller: the single
// owner of member cluster health.
//
// Each KubeFedCluster is reconciled on its own schedule: every
// clusterHealthCheck.period (KubeFedConfig) the controller builds, or
// reuses, a probe client from the cluster's spec and Secret, asks the member
// API server's /readyz (falling back to /healthz) with the configured
// timeout, damps the result with failureThreshold and successThreshold, and
// writes the Ready, Offline and ConfigMalformed conditions, the Kubernetes
// version and the zones and region of the member's nodes. Probes of
// different clusters run in different workers, so an unreachable member
// never delays the probe of another.
//
// The controller drives internal/clustercache: it connects a cluster when it
// is Ready and disconnects it otherwise, so that the connections other
// controllers use exist exactly for the Ready clusters, and connection
// events follow Ready transitions.
//
// Status is written with one patch at the end of a reconcile, and only when
// something other than lastProbeTime changed, or when the last write is
// older than the status heartbeat (five minutes): a healthy, idle cluster
// costs no writes per probe. The patch carries the resourceVersion of the
// read (internal/statuspatch's optimistic lock); when another writer
// changed the KubeFedCluster meanwhile, the pass is undone quietly (no
// error, no event, the damping count as it was) and the cluster is read
// and probed again a second later. A health transition is logged and
// recorded as an event (events.k8s.io/v1) once the status that reports it
// is written, so each transition is announced once. See docs/health.md for
// the user-facing side.
package kubefedcluster
