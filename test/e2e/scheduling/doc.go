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

// Package scheduling holds the end-to-end tests of replica scheduling: a
// ReplicaSchedulingPreference divides a FederatedDeployment's replicas
// across the members of a local federation (a host and five members, each
// a real API server whose simulated nodes run the Pods to Ready), with the
// whole control plane running in-process.
//
// The tests share one federation and run one after the other, so that
// only one of them creates Pods at a time: 1000 replicas split equally
// over the five members, then by weights 1:1:2 over three of them; the
// move of unschedulable replicas off a member without room (it waits for
// the 60 s unschedulable window); last, the failover test, which stops and
// starts a member. The suite sets KubeFed's default health-check settings
// (period 10 s, timeout 3 s, failureThreshold 3). Every test works in a
// namespace of its own, deleted when it ends.
package scheduling
