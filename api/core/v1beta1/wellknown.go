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

package v1beta1

// Well-known names shared by the controllers, kubefedctl and the chart. The
// values are KubeFed v0.10's, so objects written by KubeFed keep working.
const (
	// DefaultKubeFedSystemNamespace is the namespace the control plane runs
	// in unless told otherwise; KubeFedClusters, their Secrets, the
	// KubeFedConfig and the FederatedTypeConfigs live there.
	DefaultKubeFedSystemNamespace = "kube-federation-system"

	// KubeFedConfigName is the name of the one KubeFedConfig the controller
	// manager reads from its namespace.
	KubeFedConfigName = "kubefed"

	// ClusterSecretTokenKey is the key of the bearer token in the Secret named
	// by a KubeFedCluster's spec.secretRef.
	ClusterSecretTokenKey = "token"

	// ClusterSecretCAKey is the optional key of a CA bundle in that Secret,
	// used when spec.caBundle is empty.
	ClusterSecretCAKey = "ca.crt"
)

// Labels, annotations and finalizers written on host and member objects.
const (
	// ManagedByKubeFedLabelKey marks an object in a member cluster as managed
	// by the sync controller. Member watches select on
	// ManagedByKubeFedLabelKey=ManagedByKubeFedLabelValue.
	ManagedByKubeFedLabelKey = "kubefed.io/managed"

	// ManagedByKubeFedLabelValue is the value of ManagedByKubeFedLabelKey on
	// objects the sync controller manages.
	ManagedByKubeFedLabelValue = "true"

	// UnmanagedByKubeFedLabelValue is the value of ManagedByKubeFedLabelKey a
	// user sets on a member object to stop KubeFed from managing it (the sync
	// controller then reports ManagedLabelFalse for that cluster).
	UnmanagedByKubeFedLabelValue = "false"

	// OrphanManagedResourcesAnnotation, set to OrphanManagedResourcesAll on a
	// federated object, makes its deletion leave the member objects in place
	// (only the managed label is removed).
	OrphanManagedResourcesAnnotation = "kubefed.io/orphan"

	// OrphanManagedResourcesAll is the value of
	// OrphanManagedResourcesAnnotation that orphans every member object.
	OrphanManagedResourcesAll = "true"

	// DeleteOptionAnnotation holds a JSON-encoded metav1.DeleteOptions the
	// sync controller passes when it deletes member objects (for example
	// {"propagationPolicy":"Orphan"}).
	DeleteOptionAnnotation = "kubefed.io/deleteoption"

	// SyncControllerFinalizer is set on federated objects so that the sync
	// controller removes (or orphans) the member objects before the
	// federated object goes away.
	SyncControllerFinalizer = "kubefed.io/sync-controller"

	// FederatedTypeConfigFinalizer is set on FederatedTypeConfigs so that the
	// type's sync controller is stopped before the configuration goes away.
	FederatedTypeConfigFinalizer = "core.kubefed.io/federated-type-config"
)

// Short names of the core and scheduling kinds, as registered in their CRDs.
const (
	// KubeFedClusterShortName is the kubectl short name of KubeFedCluster.
	KubeFedClusterShortName = "kfc"
	// FederatedTypeConfigShortName is the kubectl short name of
	// FederatedTypeConfig.
	FederatedTypeConfigShortName = "ftc"
)
