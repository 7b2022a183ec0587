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

// Package metrics holds the Prometheus metrics of the control plane that are
// not controller-runtime's own. They keep KubeFed v0.10's names and labels so
// that dashboards and alerts written for KubeFed keep working, and they are
// registered in controller-runtime's metrics.Registry, which the controller
// manager serves on its metrics endpoint.
//
// The cluster metrics are written by the KubeFedCluster health controller
// (controllers/kubefedcluster) and by the member connection layer
// (internal/clustercache).
package metrics
