// Package manager assembles the controller-manager: it reads (and if
// needed creates) the KubeFedConfig, builds the controller-runtime manager
// with leader election and a host cache scoped to what the controllers
// need, and registers every controller with the shared member connections
// (internal/clustercache). cmd/controller-manager is a thin main over it,
// and tests run the same code in-process.
package manager
