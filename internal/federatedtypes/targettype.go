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

package federatedtypes

import (
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// StatusKind says which aggregated status fields and printer columns a
// federated type gets.
type StatusKind string

const (
	// StatusKindNone is for kinds without a workload status (ConfigMap,
	// Service, ...): only the propagation columns.
	StatusKindNone StatusKind = ""
	// StatusKindReplicas is for Deployment, ReplicaSet, StatefulSet and
	// DaemonSet: Ready and Desired columns from
	// status.aggregatedStatus.{readyReplicas,replicas}.
	StatusKindReplicas StatusKind = "Replicas"
	// StatusKindJob is for Jobs: Active, Succeeded and Failed columns.
	StatusKindJob StatusKind = "Job"
	// StatusKindCronJob is for CronJobs: an Active column.
	StatusKindCronJob StatusKind = "CronJob"
)

// TargetType describes a type to federate: the facts discovery gives about
// it plus what the generic federated shape needs to know.
type TargetType struct {
	// Group is the API group; empty for the core group.
	Group string
	// Version is the API version to federate, e.g. v1.
	Version string
	// Kind is the camel-cased singular kind, e.g. Deployment.
	Kind string
	// PluralName is the lower-cased plural resource name, e.g. deployments.
	PluralName string
	// Scope is Namespaced or Cluster.
	Scope apiextensionsv1.ResourceScope
	// ShortNames are the target's kubectl short names (deploy); the
	// federated type gets them with an "f" prefix (fdeploy). When empty,
	// the federated type gets "f" + the lower-cased kind.
	ShortNames []string
	// HasReplicas is true for kinds with spec.replicas: the federated type
	// gets spec.retainReplicas.
	HasReplicas bool
	// StatusKind selects the aggregated status printer columns.
	StatusKind StatusKind
	// StatusCollection enables collecting member status for the type in its
	// FederatedTypeConfig.
	StatusCollection bool
	// FederatedGroup is the API group of the federated type;
	// types.kubefed.io when empty.
	FederatedGroup string
	// FederatedVersion is the API version of the federated type; v1beta1
	// when empty.
	FederatedVersion string
	// TemplateSchema is the schema of spec.template: the target's own
	// schema (see TemplateSchemaFromCRD and TemplateSchemaFromOpenAPI), so
	// that an invalid template is refused at admission. When nil the
	// template is an object that keeps any field, as in the default types,
	// whose members validate the objects.
	TemplateSchema *apiextensionsv1.JSONSchemaProps
}

// DefaultTargetTypes returns the types federated out of the box, sorted by
// FederatedTypeConfig name: KubeFed's ten plus DaemonSet, StatefulSet,
// CronJob, Role, RoleBinding and ClusterRoleBinding.
func DefaultTargetTypes() []TargetType {
	const (
		ns = apiextensionsv1.NamespaceScoped
		cl = apiextensionsv1.ClusterScoped
	)
	return []TargetType{
		{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding", PluralName: "clusterrolebindings", Scope: cl, ShortNames: []string{"crb"}},
		{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole", PluralName: "clusterroles", Scope: cl, ShortNames: []string{"cr"}},
		{Version: "v1", Kind: "ConfigMap", PluralName: "configmaps", Scope: ns, ShortNames: []string{"cm"}},
		{Group: "batch", Version: "v1", Kind: "CronJob", PluralName: "cronjobs", Scope: ns, ShortNames: []string{"cj"}, StatusKind: StatusKindCronJob, StatusCollection: true},
		{Group: "apps", Version: "v1", Kind: "DaemonSet", PluralName: "daemonsets", Scope: ns, ShortNames: []string{"ds"}, StatusKind: StatusKindReplicas, StatusCollection: true},
		{Group: "apps", Version: "v1", Kind: "Deployment", PluralName: "deployments", Scope: ns, ShortNames: []string{"deploy"}, HasReplicas: true, StatusKind: StatusKindReplicas, StatusCollection: true},
		{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress", PluralName: "ingresses", Scope: ns, ShortNames: []string{"ing"}},
		{Group: "batch", Version: "v1", Kind: "Job", PluralName: "jobs", Scope: ns, StatusKind: StatusKindJob, StatusCollection: true},
		{Version: "v1", Kind: "Namespace", PluralName: "namespaces", Scope: cl, ShortNames: []string{"ns"}},
		{Group: "apps", Version: "v1", Kind: "ReplicaSet", PluralName: "replicasets", Scope: ns, ShortNames: []string{"rs"}, HasReplicas: true, StatusKind: StatusKindReplicas, StatusCollection: true},
		{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding", PluralName: "rolebindings", Scope: ns, ShortNames: []string{"rb"}},
		{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role", PluralName: "roles", Scope: ns, ShortNames: []string{"role"}},
		{Version: "v1", Kind: "Secret", PluralName: "secrets", Scope: ns, ShortNames: []string{"secret"}},
		{Version: "v1", Kind: "ServiceAccount", PluralName: "serviceaccounts", Scope: ns, ShortNames: []string{"sa"}},
		{Version: "v1", Kind: "Service", PluralName: "services", Scope: ns, ShortNames: []string{"svc"}, StatusCollection: true},
		{Group: "apps", Version: "v1", Kind: "StatefulSet", PluralName: "statefulsets", Scope: ns, ShortNames: []string{"sts"}, HasReplicas: true, StatusKind: StatusKindReplicas, StatusCollection: true},
	}
}

// LookupDefault returns the default target type with the given group and
// kind, if there is one. kubefedctl enable uses it to give a known type its
// replicas, status columns and short names.
func LookupDefault(group, kind string) (TargetType, bool) {
	for _, t := range DefaultTargetTypes() {
		if t.Group == group && t.Kind == kind {
			return t, true
		}
	}
	return TargetType{}, false
}

// IsNamespace reports whether the target is the core Namespace type.
func (t TargetType) IsNamespace() bool {
	return t.Group == "" && t.Kind == "Namespace"
}

// FederatedTypeConfigName is the name of the type's FederatedTypeConfig:
// "<plural>.<group>", or "<plural>" for the core group.
func (t TargetType) FederatedTypeConfigName() string {
	if t.Group == "" {
		return t.PluralName
	}
	return t.PluralName + "." + t.Group
}

// FederatedKind is the kind of the federated type: "Federated" + Kind.
func (t TargetType) FederatedKind() string {
	return "Federated" + t.Kind
}

// FederatedPluralName is the plural resource name of the federated type:
// "federated" + PluralName.
func (t TargetType) FederatedPluralName() string {
	return "federated" + t.PluralName
}

// FederatedScope is the scope of the federated type: the target's scope,
// except for Namespace whose federated type is namespaced (a
// FederatedNamespace lives in the namespace it federates).
func (t TargetType) FederatedScope() apiextensionsv1.ResourceScope {
	if t.IsNamespace() {
		return apiextensionsv1.NamespaceScoped
	}
	return t.Scope
}

// FederatedShortNames are the short names of the federated type: each target
// short name with an "f" prefix.
func (t TargetType) FederatedShortNames() []string {
	if len(t.ShortNames) == 0 {
		return []string{"f" + strings.ToLower(t.Kind)}
	}
	names := make([]string, 0, len(t.ShortNames))
	for _, s := range t.ShortNames {
		names = append(names, "f"+s)
	}
	return names
}

// CRDName is the name of the federated type's CRD:
// "federated<plural>.<federated group>".
func (t TargetType) CRDName() string {
	return t.FederatedPluralName() + "." + t.FederatedGroupName()
}

// FederatedGroupName is the API group of the federated type:
// FederatedGroup, or types.kubefed.io.
func (t TargetType) FederatedGroupName() string {
	if t.FederatedGroup == "" {
		return fedtypesv1b1.GroupVersion.Group
	}
	return t.FederatedGroup
}

// FederatedVersionName is the API version of the federated type:
// FederatedVersion, or v1beta1.
func (t TargetType) FederatedVersionName() string {
	if t.FederatedVersion == "" {
		return fedtypesv1b1.GroupVersion.Version
	}
	return t.FederatedVersion
}

// TargetAPIResource returns the target type as a FederatedTypeConfig
// APIResource.
func (t TargetType) TargetAPIResource() fedcorev1b1.APIResource {
	return fedcorev1b1.APIResource{
		Group:      t.Group,
		Version:    t.Version,
		Kind:       t.Kind,
		PluralName: t.PluralName,
		Scope:      t.Scope,
	}
}

// FederatedAPIResource returns the federated type as a FederatedTypeConfig
// APIResource.
func (t TargetType) FederatedAPIResource() fedcorev1b1.APIResource {
	return fedcorev1b1.APIResource{
		Group:      t.FederatedGroupName(),
		Version:    t.FederatedVersionName(),
		Kind:       t.FederatedKind(),
		PluralName: t.FederatedPluralName(),
		Scope:      t.FederatedScope(),
	}
}
