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
	"slices"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Bounds that keep the estimated cost of the CEL rules within the API
// server's budget. They are far above what a federation uses.
const (
	// MaxPlacementClusters bounds spec.placement.clusters.
	MaxPlacementClusters = 1000
	// MaxOverrides bounds spec.overrides (one entry per cluster).
	MaxOverrides = 1000
	// MaxClusterOverrides bounds spec.overrides[].clusterOverrides.
	MaxClusterOverrides = 50
	// MaxClusterNameLength bounds cluster names (a KubeFedCluster name is a
	// DNS-1123 subdomain).
	MaxClusterNameLength = 253
	// MaxOverridePathLength bounds override paths (JSON pointers).
	MaxOverridePathLength = 512
)

// Categories are the kubectl categories of every federated type, so that
// "kubectl get federated" lists all federated objects.
var Categories = []string{"federated", "kubefed"}

// CRD returns the CustomResourceDefinition of the federated type of t.
func CRD(t TargetType) *apiextensionsv1.CustomResourceDefinition {
	kind := t.FederatedKind()
	return &apiextensionsv1.CustomResourceDefinition{
		TypeMeta: metav1.TypeMeta{
			APIVersion: apiextensionsv1.SchemeGroupVersion.String(),
			Kind:       "CustomResourceDefinition",
		},
		ObjectMeta: metav1.ObjectMeta{Name: t.CRDName()},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: t.FederatedGroupName(),
			Names: apiextensionsv1.CustomResourceDefinitionNames{
				Plural:     t.FederatedPluralName(),
				Singular:   lower(kind),
				Kind:       kind,
				ListKind:   kind + "List",
				ShortNames: t.FederatedShortNames(),
				Categories: Categories,
			},
			Scope: t.FederatedScope(),
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name:    t.FederatedVersionName(),
				Served:  true,
				Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{
					OpenAPIV3Schema: rootSchema(t),
				},
				Subresources: &apiextensionsv1.CustomResourceSubresources{
					Status: &apiextensionsv1.CustomResourceSubresourceStatus{},
				},
				AdditionalPrinterColumns: printerColumns(t),
			}},
		},
	}
}

func printerColumns(t TargetType) []apiextensionsv1.CustomResourceColumnDefinition {
	columns := []apiextensionsv1.CustomResourceColumnDefinition{
		readyColumn(),
		column("Propagation", "string", ".status.conditions[?(@.type=='Propagation')].status", "Whether the object was propagated to every placed cluster.", 0),
		column("Reason", "string", ".status.conditions[?(@.type=='Propagation')].reason", "Why propagation is not complete.", 1),
		aggregatedColumn("Clusters", "clusters", "Number of clusters the object is placed in.", 0),
	}
	switch t.StatusKind {
	case StatusKindReplicas:
		columns = append(columns,
			aggregatedColumn("Ready-Replicas", "readyReplicas", "Ready replicas across clusters.", 0),
			aggregatedColumn("Desired", "replicas", "Desired replicas across clusters.", 0),
			aggregatedColumn("Available", "availableReplicas", "Available replicas across clusters.", 1),
		)
	case StatusKindJob:
		columns = append(columns,
			aggregatedColumn("Active", "active", "Running pods across clusters.", 0),
			aggregatedColumn("Succeeded", "succeeded", "Succeeded pods across clusters.", 0),
			aggregatedColumn("Failed", "failed", "Failed pods across clusters.", 0),
		)
	case StatusKindCronJob:
		columns = append(columns, aggregatedColumn("Active", "active", "Running Jobs across clusters.", 0))
	}
	return append(columns, apiextensionsv1.CustomResourceColumnDefinition{
		Name:     "Age",
		Type:     "date",
		JSONPath: ".metadata.creationTimestamp",
	})
}

// column is a printer column; priority 1 shows only with -o wide.
func column(name, typ, jsonPath, description string, priority int32) apiextensionsv1.CustomResourceColumnDefinition {
	return apiextensionsv1.CustomResourceColumnDefinition{Name: name, Type: typ, JSONPath: jsonPath, Description: description, Priority: priority}
}

// aggregatedColumn is an integer printer column of status.aggregatedStatus.
func aggregatedColumn(name, field, description string, priority int32) apiextensionsv1.CustomResourceColumnDefinition {
	return column(name, "integer", ".status.aggregatedStatus."+field, description, priority)
}

// readyColumn shows the Ready condition, every kind's answer to "is it
// rolled out everywhere?".
func readyColumn() apiextensionsv1.CustomResourceColumnDefinition {
	return apiextensionsv1.CustomResourceColumnDefinition{
		Name:        "Ready",
		Type:        "string",
		JSONPath:    ".status.conditions[?(@.type=='Ready')].status",
		Description: "Whether every placed cluster runs the current generation, ready (see the Reconciling and Stalled conditions when not).",
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// StatusSchemaCurrent reports whether every served version of a federated
// type's CRD has the status fields the sync controller writes. CRDs made by
// KubeFed's kubefedctl lack status.aggregatedStatus,
// status.clusters[].message and the readiness fields
// (status.clusters[].readiness, readinessMessage), and CRDs made before
// readiness the last two, and CRDs made before progressive rollout
// status.rollout and status.clusters[].revision: the API server drops them
// on every status write (and warns "unknown field"). A CRD whose spec
// schema lists its fields must have spec.rollout too, or the API server
// drops it and the object rolls out everywhere at once.
func StatusSchemaCurrent(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, v := range crd.Spec.Versions {
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		status, ok := v.Schema.OpenAPIV3Schema.Properties["status"]
		if !ok {
			return false
		}
		for _, field := range []string{"aggregatedStatus", "rollout"} {
			if _, ok := status.Properties[field]; !ok {
				return false
			}
		}
		if lacksRollout(v.Schema.OpenAPIV3Schema) {
			return false
		}
		clusters := status.Properties["clusters"]
		if clusters.Items == nil || clusters.Items.Schema == nil {
			return false
		}
		for _, field := range []string{"message", "readiness", "readinessMessage", "revision"} {
			if _, ok := clusters.Items.Schema.Properties[field]; !ok {
				return false
			}
		}
		if v.Subresources == nil || v.Subresources.Status == nil {
			return false
		}
	}
	return true
}

// UpgradeStatusSchema gives every version of a federated type's CRD the
// status schema (and status subresource) of the CRDs this project
// generates, spec.rollout when its spec schema lists its fields without
// it, and the Ready printer column when it has none, leaving the rest of
// the CRD alone. It reports whether it changed anything.
func UpgradeStatusSchema(crd *apiextensionsv1.CustomResourceDefinition) bool {
	if StatusSchemaCurrent(crd) && statusDefaulted(crd) {
		return false
	}
	for i := range crd.Spec.Versions {
		v := &crd.Spec.Versions[i]
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		if v.Schema.OpenAPIV3Schema.Properties == nil {
			v.Schema.OpenAPIV3Schema.Properties = map[string]apiextensionsv1.JSONSchemaProps{}
		}
		v.Schema.OpenAPIV3Schema.Properties["status"] = statusSchema()
		if lacksRollout(v.Schema.OpenAPIV3Schema) {
			spec := v.Schema.OpenAPIV3Schema.Properties["spec"]
			spec.Properties["rollout"] = rolloutSchema()
			v.Schema.OpenAPIV3Schema.Properties["spec"] = spec
		}
		if v.Subresources == nil {
			v.Subresources = &apiextensionsv1.CustomResourceSubresources{}
		}
		if v.Subresources.Status == nil {
			v.Subresources.Status = &apiextensionsv1.CustomResourceSubresourceStatus{}
		}
		if !slices.ContainsFunc(v.AdditionalPrinterColumns, func(c apiextensionsv1.CustomResourceColumnDefinition) bool {
			return c.Name == readyColumn().Name
		}) {
			v.AdditionalPrinterColumns = append([]apiextensionsv1.CustomResourceColumnDefinition{readyColumn()}, v.AdditionalPrinterColumns...)
		}
	}
	return true
}

// lacksRollout reports whether a federated schema's spec lists its fields
// (as KubeFed's do) but not spec.rollout.
func lacksRollout(schema *apiextensionsv1.JSONSchemaProps) bool {
	spec, ok := schema.Properties["spec"]
	if !ok || len(spec.Properties) == 0 {
		return false
	}
	_, ok = spec.Properties["rollout"]
	return !ok
}

// statusDefaulted reports whether every version's status schema has the
// defaults that make a federated object without a status read as
// status.observedGeneration 0 (InProgress to kstatus). CRDs made before
// readiness lack them; they are not a field the sync controller writes, so
// StatusSchemaCurrent does not ask for them.
func statusDefaulted(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, v := range crd.Spec.Versions {
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		status := v.Schema.OpenAPIV3Schema.Properties["status"]
		if status.Default == nil || status.Properties["observedGeneration"].Default == nil {
			return false
		}
	}
	return true
}
