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

// Package deploy is the end-to-end test of the real delivery path: the
// kubefed image, built by hack/imagebuild without a container engine, runs
// as the Helm chart's Deployment on a real node (containerd, runc, kubelet,
// kube-proxy) of the host cluster, with in-cluster configuration, probes,
// the admission webhook called by the host's API server through the
// chart's Service, leader election between its two Pods, and helm upgrade.
package deploy
