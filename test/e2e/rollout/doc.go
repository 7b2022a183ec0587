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

// Package rollout holds the end-to-end tests of the progressive rollout
// (spec.rollout, docs/rollout.md): a federated object rolled out wave by
// wave to three members, gated by the readiness of each wave, with pause,
// resume, undo and a controller killed between waves.
//
// The oracles are outside the controller: the members' own watches (which
// image each member's copy ran, and when), kstatus's Compute on the copies
// and on the federated object, and the members' API servers' request
// counters (apiserver_request_total) for "nothing was written there".
package rollout
