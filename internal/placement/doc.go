// Package placement decides which member clusters a federated object goes
// to, with KubeFed's rules: spec.placement.clusters, when set (even empty),
// wins; otherwise spec.placement.clusterSelector selects clusters by the
// labels of their KubeFedCluster ({} selects all, absent selects none). The
// result is restricted to joined clusters and, for namespaced types, to the
// placement of the namespace's FederatedNamespace.
package placement
