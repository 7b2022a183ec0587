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

// Package namespaced holds the end-to-end test of a Namespaced control
// plane: the chart installed in the host with global.scope=Namespaced, the
// controller manager running in-process under the chart's ServiceAccount
// (impersonated, so that only the chart's Role applies), and two members
// joined in Namespaced scope, where the control plane is granted a Role in
// its own namespace of each member and nothing cluster-wide. Federated
// objects of several kinds in the control-plane namespace go through their
// whole life: creation with overrides, status, template update, drift in a
// member (a changed field, a deleted copy), re-placement and deletion.
package namespaced
