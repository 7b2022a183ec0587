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

// Package placement decides which member clusters a federated object goes
// to, with KubeFed's rules: spec.placement.clusters, when set (even empty),
// wins; otherwise spec.placement.clusterSelector selects clusters by the
// labels of their KubeFedCluster ({} selects all, absent selects none). The
// result is restricted to joined clusters and, for namespaced types, to the
// placement of the namespace's FederatedNamespace.
package placement
