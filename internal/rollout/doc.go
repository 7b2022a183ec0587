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

// Package rollout decides, for one federated object with spec.rollout, which
// revision each placed cluster runs next: the progressive rollout of
// docs/rollout.md, wave by wave, gated by the readiness of the copies
// (internal/readiness, status.clusters[].readiness).
//
// Plan is a pure, deterministic function of its Input: the rollout spec,
// the placed clusters (names, labels, the revision each runs and its
// readiness, from status), the target revision, the stored status.rollout
// and the time of the reconcile. It reads no clock and keeps no memory, so a
// restarted controller continues from status.rollout alone. It returns the
// revision per cluster (a cluster whose wave has not come is given the
// revision it runs: nothing to write), the next status.rollout and when a
// timer falls.
//
// Hash names a revision by its content (template, overrides, placement),
// independent of the order of keys in the manifest, for the
// ControllerRevision objects that keep the history; NewRevision,
// RevisionContent, NextNumber and Prune build, read, number and trim that
// history the way Kubernetes keeps a StatefulSet's, except that a
// content that comes back keeps its number.
//
// The sync controller (controllers/propagation, sync_rollout.go) calls Plan
// on every reconcile of an object with spec.rollout, before any member
// write; docs/rollout.md says what it does with the result.
package rollout
