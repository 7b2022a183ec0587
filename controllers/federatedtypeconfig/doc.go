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

// Package federatedtypeconfig implements the FederatedTypeConfig
// reconciler: for every FederatedTypeConfig with propagation Enabled it runs
// one sync reconciler (controllers/sync) for that federated type, started
// and stopped at run time without restarting the manager.
//
// A sync controller is built with controller.NewTypedUnmanaged and runs
// under its own cancellable context; it watches the federated type in the
// host (the manager's shared cache, whose informer is removed again when
// the controller stops), the target type in every member (through
// clustercache, managed objects only) and member connection changes. It is
// restarted when the FederatedTypeConfig's spec changes, and is not started
// while the federated type's CRD is missing in the host (the status says
// so, and the reconciler checks again periodically), while a namespaced
// type has no "namespaces" FederatedTypeConfig, or for cluster-scoped types
// in a Namespaced control plane.
package federatedtypeconfig
