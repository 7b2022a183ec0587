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

package v1beta1

// WorkloadReadyConditionType is the condition, on federated workloads
// (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job), that is True only
// when every placed cluster reports the workload ready: all desired
// replicas updated and ready (Jobs: completed). It is an addition to
// KubeFed, whose status stopped at "propagated".
const WorkloadReadyConditionType ConditionType = "Ready"

// Reasons of the Ready condition.
const (
	// WorkloadReady means every placed cluster runs the workload ready.
	WorkloadReady AggregateReason = "WorkloadReady"
	// WorkloadNotReady means at least one placed cluster does not (yet)
	// run the workload ready; the message names them.
	WorkloadNotReady AggregateReason = "WorkloadNotReady"
)
