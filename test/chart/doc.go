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

// Package chart tests the Helm chart in charts/kubefed: it lints the chart,
// renders it for both scopes and checks what a cluster would receive (the
// controller Deployment, least-privilege RBAC, the KubeFedConfig built from
// values, the FederatedTypeConfigs in the release namespace), checks that
// values.schema.json refuses wrong values with a message naming the value,
// and installs, upgrades and uninstalls the chart against a real
// kube-apiserver (envtest), including an in-place upgrade of a KubeFed
// v0.10-shaped release.
//
// The tests run the helm binary from $KUBEFED_BIN_DIR (set by the Makefile)
// or the repository's bin/; the API server binaries come from
// $KUBEBUILDER_ASSETS. `make tools` builds all of them.
package chart
