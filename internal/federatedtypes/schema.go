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
	"fmt"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/utils/ptr"
)

// The CEL rules and their messages. Each message says what is wrong and
// what to do instead, and names the offending value where that is cheap: a
// message that searched a list for the duplicate would cost as much as the
// rule and push the CRD over the API server's CEL budget.
const (
	clusterNameRule = `self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')`
	clusterNameMsg  = `'placement cluster name ' + self + ' is not a valid cluster name: use the name of a KubeFedCluster (lowercase letters, digits, - and ., starting and ending with a letter or digit)'`

	overrideClusterNameMsg = `'override cluster name ' + self + ' is not a valid cluster name: use the name of a KubeFedCluster (lowercase letters, digits, - and ., starting and ending with a letter or digit)'`

	uniqueClusterRule = `self.map(o, o.clusterName).distinct().size() == self.size()`
	uniqueClusterMsg  = `a cluster is named more than once in spec.overrides: put all of a cluster's overrides in one entry`

	uniquePathRule = `!has(self.clusterOverrides) || self.clusterOverrides.map(o, o.path).distinct().size() == self.clusterOverrides.size()`
	uniquePathMsg  = `'an override path appears more than once in the clusterOverrides of cluster ' + self.clusterName + ': keep one override per path'`

	opRule = `self in ['', 'add', 'remove', 'replace']`
	opMsg  = `'override op ' + self + ' is not supported: use add, remove or replace (or leave op out for replace)'`

	pathPointerRule = `self.startsWith('/')`
	pathPointerMsg  = `'override path ' + self + ' is not a JSON pointer: start it with /, e.g. /spec/replicas'`
	pathNameRule    = `!(self in ['/metadata/name', '/metadata/generateName'])`
	pathNameMsg     = `'override path ' + self + ' is not allowed: the name comes from the federated object'`
	pathNSRule      = `self != '/metadata/namespace'`
	pathNSMsg       = `'override path ' + self + ' is not allowed: the namespace comes from the federated object'`
	pathKindRule    = `!(self in ['/kind', '/apiVersion'])`
	pathKindMsg     = `'override path ' + self + ' is not allowed: the kind and apiVersion come from the target type of the FederatedTypeConfig'`
)

func rootSchema(t TargetType) *apiextensionsv1.JSONSchemaProps {
	kind := t.FederatedKind()
	root := objectProp(fmt.Sprintf("%s places a %s in member clusters: spec.template is the %s to create, "+
		"spec.placement selects the clusters and spec.overrides patches it per cluster.", kind, t.Kind, t.Kind),
		props{
			"apiVersion": stringProp("APIVersion defines the versioned schema of this representation of an object. " +
				"Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. " +
				"More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
			"kind": stringProp("Kind is a string value representing the REST resource this object represents. " +
				"Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. " +
				"More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
			"metadata": {Type: "object"},
			"spec":     specSchema(t),
			"status":   statusSchema(),
		}, "spec")
	return &root
}

func specSchema(t TargetType) apiextensionsv1.JSONSchemaProps {
	spec := objectProp(fmt.Sprintf("Spec is the desired state of the federated %s.", t.Kind), props{
		"template":  templateSchema(t),
		"placement": placementSchema(),
		"overrides": overridesSchema(),
		"rollout":   rolloutSchema(),
	})
	if t.HasReplicas {
		spec.Properties["retainReplicas"] = boolProp("RetainReplicas, when true, keeps the spec.replicas of the member objects " +
			"(set by an autoscaler in the member cluster, say) instead of the template's.")
	}
	return spec
}

func templateSchema(t TargetType) apiextensionsv1.JSONSchemaProps {
	description := fmt.Sprintf("Template is the %s to create in member clusters; its name and namespace "+
		"come from the federated object.", t.Kind)
	if t.TemplateSchema == nil {
		return freeObjectProp(description)
	}
	template := *t.TemplateSchema.DeepCopy()
	template.Description = description
	return template
}

func placementSchema() apiextensionsv1.JSONSchemaProps {
	return objectProp("Placement selects the member clusters. clusters, when set, takes precedence over "+
		"clusterSelector; an empty clusterSelector ({}) selects every cluster; with neither, no cluster.", props{
		"clusters":        clusterListSchema("Clusters names the member clusters.", MaxPlacementClusters, clusterNameMsg),
		"clusterSelector": labelSelectorSchema(),
	})
}

// clusterListSchema is the schema of a list of member clusters by name
// (spec.placement.clusters, the clusters of a rollout wave): at most
// maxItems objects whose name is a KubeFedCluster name; messageExpression
// says which field was wrong.
func clusterListSchema(description string, maxItems int64, messageExpression string) apiextensionsv1.JSONSchemaProps {
	list := arrayProp(description, objectProp("", props{
		"name": clusterNameSchema("Name of a KubeFedCluster.", messageExpression),
	}, "name"))
	list.MaxItems = ptr.To(maxItems)
	return list
}

// clusterNameSchema is the schema of a field that names a member cluster:
// a KubeFedCluster name, checked by clusterNameRule; messageExpression
// says which field was wrong.
func clusterNameSchema(description, messageExpression string) apiextensionsv1.JSONSchemaProps {
	name := stringProp(description)
	name.MaxLength = ptr.To[int64](MaxClusterNameLength)
	name.XValidations = apiextensionsv1.ValidationRules{{Rule: clusterNameRule, MessageExpression: messageExpression}}
	return name
}

func labelSelectorSchema() apiextensionsv1.JSONSchemaProps {
	values := arrayProp("Values is the list of label values for In and NotIn; empty for Exists and DoesNotExist.",
		apiextensionsv1.JSONSchemaProps{Type: "string"})
	values.XListType = ptr.To("atomic")
	expressions := arrayProp("MatchExpressions is a list of label selector requirements. The requirements are ANDed.",
		objectProp("", props{
			"key":      stringProp("Key is the label key that the selector applies to."),
			"operator": stringProp("Operator is one of In, NotIn, Exists and DoesNotExist."),
			"values":   values,
		}, "key", "operator"))
	expressions.XListType = ptr.To("atomic")
	selector := objectProp("ClusterSelector selects member clusters by the labels of their KubeFedCluster.", props{
		"matchExpressions": expressions,
		"matchLabels": {
			Description: "MatchLabels is a map of label keys and values; each is an In requirement with one value.",
			Type:        "object",
			AdditionalProperties: &apiextensionsv1.JSONSchemaPropsOrBool{
				Allows: true,
				Schema: &apiextensionsv1.JSONSchemaProps{Type: "string"},
			},
		},
	})
	selector.XMapType = ptr.To("atomic")
	return selector
}

func overridesSchema() apiextensionsv1.JSONSchemaProps {
	op := stringProp("Op is add, remove or replace; an override without op, or with an empty op, is applied as replace.")
	op.MaxLength = ptr.To[int64](16)
	op.XValidations = apiextensionsv1.ValidationRules{{Rule: opRule, MessageExpression: opMsg}}
	path := stringProp("Path is a JSON pointer into the template, e.g. /spec/replicas.")
	path.MinLength = ptr.To[int64](1)
	path.MaxLength = ptr.To[int64](MaxOverridePathLength)
	path.XValidations = apiextensionsv1.ValidationRules{
		{Rule: pathPointerRule, MessageExpression: pathPointerMsg},
		{Rule: pathNameRule, MessageExpression: pathNameMsg},
		{Rule: pathNSRule, MessageExpression: pathNSMsg},
		{Rule: pathKindRule, MessageExpression: pathKindMsg},
	}
	clusterOverrides := arrayProp("ClusterOverrides are JSON patch operations on the template.", objectProp("", props{
		"op":   op,
		"path": path,
		"value": {
			Description:            "Value is the JSON value for add and replace.",
			XPreserveUnknownFields: ptr.To(true),
		},
	}, "path"))
	clusterOverrides.MaxItems = ptr.To[int64](MaxClusterOverrides)
	entry := objectProp("", props{
		"clusterName":      clusterNameSchema("ClusterName is the member cluster the overrides apply to.", overrideClusterNameMsg),
		"clusterOverrides": clusterOverrides,
	}, "clusterName")
	entry.XValidations = apiextensionsv1.ValidationRules{{Rule: uniquePathRule, MessageExpression: uniquePathMsg}}
	overrides := arrayProp("Overrides patch the template per cluster: one entry per cluster, applied in order.", entry)
	overrides.MaxItems = ptr.To[int64](MaxOverrides)
	overrides.XValidations = apiextensionsv1.ValidationRules{{Rule: uniqueClusterRule, Message: uniqueClusterMsg}}
	return overrides
}

func statusSchema() apiextensionsv1.JSONSchemaProps {
	// The defaults make a federated object that the sync controller has
	// not seen yet read as status.observedGeneration 0: kstatus (kubectl
	// wait, Flux, Helm) then says InProgress until the first status is
	// written, instead of Current for an object without status.
	observed := int64Prop("ObservedGeneration is the generation the status was computed for; 0 until the sync controller first writes the status.")
	observed.Default = &apiextensionsv1.JSON{Raw: []byte("0")}
	status := objectProp("Status is the observed state of the federated object, written by the sync controller.", props{
		"observedGeneration": observed,
		"conditions":         conditionsStatusSchema(),
		"clusters":           clustersStatusSchema(),
		"aggregatedStatus":   aggregatedStatusSchema(),
		"rollout":            rolloutStatusSchema(),
	})
	status.Default = &apiextensionsv1.JSON{Raw: []byte("{}")}
	return status
}

// conditionsStatusSchema is status.conditions: KubeFed's Propagation
// condition and the readiness conditions.
func conditionsStatusSchema() apiextensionsv1.JSONSchemaProps {
	return arrayProp("Conditions are the conditions of the object: Propagation, and the readiness conditions "+
		"Ready (always), Reconciling and Stalled (only while True), as kstatus reads them.", objectProp("", props{
		"type":               stringProp("Type of the condition: Propagation, Ready, Reconciling or Stalled."),
		"status":             stringProp("Status of the condition: True, False or Unknown."),
		"lastUpdateTime":     timeProp("LastUpdateTime is when the condition was last written or a change was last propagated."),
		"lastTransitionTime": timeProp("LastTransitionTime is when the condition last changed status or reason."),
		"reason":             stringProp("Reason of the last transition; for Propagation, empty when status is True."),
		"message":            stringProp("Message says what went wrong and what to do."),
	}, "type", "status"))
}

// clustersStatusSchema is status.clusters: the propagation result and the
// readiness of the copy per placed cluster.
func clustersStatusSchema() apiextensionsv1.JSONSchemaProps {
	return arrayProp("Clusters is the propagation result per placed cluster.", objectProp("", props{
		"name":         stringProp("Name of the member cluster."),
		"status":       stringProp("Status is empty when the member object is up to date, else why it is not."),
		"message":      stringProp("Message details a non-empty status."),
		"remoteStatus": freeObjectProp("RemoteStatus is the status of the member object, when status collection is enabled."),
		"readiness": stringProp("Readiness is the kstatus status of the member object: Current, InProgress, Failed, " +
			"Terminating, NotFound (no copy) or Unknown (not readable)."),
		"readinessMessage": stringProp("ReadinessMessage says why the member object has its readiness."),
		"revision":         int64Prop("Revision is the revision the member object runs, when spec.rollout is set; 0 when there is no copy."),
	}, "name"))
}

// aggregatedStatusSchema is status.aggregatedStatus: sums over the placed
// clusters.
func aggregatedStatusSchema() apiextensionsv1.JSONSchemaProps {
	return objectProp("AggregatedStatus sums the status of the member objects across placed clusters.", props{
		"clusters":          int32Prop("Clusters is the number of clusters the object is placed in."),
		"readyClusters":     int32Prop("ReadyClusters is the number of placed clusters whose member object is up to date."),
		"replicas":          int32Prop("Replicas is the desired number of replicas across clusters."),
		"readyReplicas":     int32Prop("ReadyReplicas is the number of ready replicas across clusters."),
		"availableReplicas": int32Prop("AvailableReplicas is the number of available replicas across clusters."),
		"updatedReplicas":   int32Prop("UpdatedReplicas is the number of replicas at the latest template across clusters."),
		"active":            int32Prop("Active is the number of running pods (Jobs) or Jobs (CronJobs) across clusters."),
		"succeeded":         int32Prop("Succeeded is the number of succeeded pods across clusters."),
		"failed":            int32Prop("Failed is the number of failed pods across clusters."),
	})
}
