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

// Package v1alpha1 holds the core.kubefed.io/v1alpha1 API: PropagatedVersion
// and ClusterPropagatedVersion, the records the sync controllers keep of what
// they last propagated, so that a reconcile can skip member clusters whose
// objects are already up to date. The records are wire-compatible with
// KubeFed v0.10's, so a control plane can take over from KubeFed without
// rewriting every member object.
//
// +kubebuilder:object:generate=true
// +groupName=core.kubefed.io
package v1alpha1
