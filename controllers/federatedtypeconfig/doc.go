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
