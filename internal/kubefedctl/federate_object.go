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

package kubefedctl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// Placement is the placement a federated object gets from federate.
type Placement struct {
	// Clusters, when set, names the member clusters.
	Clusters []string
	// ClusterSelector, when Clusters is empty, selects clusters by label;
	// an empty selector (the default, as in KubeFed) selects every cluster.
	ClusterSelector map[string]string
}

// systemMetadataFields are the metadata fields the API server or
// controllers own; a template must not carry them.
var systemMetadataFields = []string{"selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
	"deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "ownerReferences"}

// memberOwnedAnnotations are annotations that controllers of each cluster
// write on their own copy.
var memberOwnedAnnotations = []string{"deployment.kubernetes.io/revision"}

// FederatedObjectFrom returns the federated object of a target object: its
// template is the object without the fields the API server and the member
// clusters own (metadata written by the server, status, a Service's
// cluster IPs and node ports, a ServiceAccount's token Secrets, a
// Namespace's finalizers), its name and namespace are the object's (a
// Namespace's FederatedNamespace lives in the namespace itself), and its
// placement is placement. The object is not changed.
func FederatedObjectFrom(target *unstructured.Unstructured, fedType fedcorev1b1.APIResource, placement Placement) (*unstructured.Unstructured, error) {
	obj := target.DeepCopy()
	gvk := obj.GroupVersionKind()
	switch {
	case gvk.Group == "" && gvk.Kind == "Namespace":
		unstructured.RemoveNestedField(obj.Object, "spec", "finalizers")
	case gvk.Group == "" && gvk.Kind == "ServiceAccount":
		unstructured.RemoveNestedField(obj.Object, "secrets")
	case gvk.Group == "" && gvk.Kind == "Service":
		ports, ok, err := unstructured.NestedSlice(obj.Object, "spec", "ports")
		if err != nil {
			return nil, fmt.Errorf("Service %s: %w", objectKey(target), err)
		}
		if ok {
			for _, p := range ports {
				if port, ok := p.(map[string]any); ok {
					delete(port, "nodePort")
				}
			}
			if err := unstructured.SetNestedSlice(obj.Object, ports, "spec", "ports"); err != nil {
				return nil, err
			}
		}
		unstructured.RemoveNestedField(obj.Object, "spec", "clusterIP")
		unstructured.RemoveNestedField(obj.Object, "spec", "clusterIPs")
		unstructured.RemoveNestedField(obj.Object, "spec", "healthCheckNodePort")
	}
	for _, field := range systemMetadataFields {
		unstructured.RemoveNestedField(obj.Object, "metadata", field)
		// Pod templates (Deployments, Jobs, ...) carry metadata too.
		unstructured.RemoveNestedField(obj.Object, "spec", "template", "metadata", field)
	}
	for _, a := range memberOwnedAnnotations {
		unstructured.RemoveNestedField(obj.Object, "metadata", "annotations", a)
	}
	if annotations, ok, _ := unstructured.NestedMap(obj.Object, "metadata", "annotations"); ok && len(annotations) == 0 {
		unstructured.RemoveNestedField(obj.Object, "metadata", "annotations")
	}
	for _, f := range []string{"name", "namespace", "generateName"} {
		unstructured.RemoveNestedField(obj.Object, "metadata", f)
	}
	if md, ok, _ := unstructured.NestedMap(obj.Object, "metadata"); ok && len(md) == 0 {
		unstructured.RemoveNestedField(obj.Object, "metadata")
	}
	for _, f := range []string{"apiVersion", "kind", "status"} {
		unstructured.RemoveNestedField(obj.Object, f)
	}

	fed := &unstructured.Unstructured{Object: map[string]any{}}
	fed.SetGroupVersionKind(fedType.GroupVersionKind())
	fed.SetName(target.GetName())
	switch {
	case gvk.Group == "" && gvk.Kind == "Namespace":
		fed.SetNamespace(target.GetName())
	case fedType.Namespaced():
		fed.SetNamespace(target.GetNamespace())
	}
	if err := unstructured.SetNestedField(fed.Object, obj.Object, fedtypesv1b1.SpecField, fedtypesv1b1.TemplateField); err != nil {
		return nil, err
	}
	if len(placement.Clusters) > 0 {
		var clusters []any
		for _, c := range placement.Clusters {
			clusters = append(clusters, map[string]any{"name": c})
		}
		return fed, unstructured.SetNestedSlice(fed.Object, clusters, fedtypesv1b1.SpecField, fedtypesv1b1.PlacementField, fedtypesv1b1.ClustersField)
	}
	labels := map[string]string{}
	for k, v := range placement.ClusterSelector {
		labels[k] = v
	}
	return fed, unstructured.SetNestedStringMap(fed.Object, labels, fedtypesv1b1.SpecField, fedtypesv1b1.PlacementField, fedtypesv1b1.ClusterSelectorField, "matchLabels")
}

// generatedFederatedType returns the federated type enable would generate
// for a kind, without asking a cluster: how federate --filename names the
// federated kind of each object.
func generatedFederatedType(gvk schema.GroupVersionKind, namespaced bool) fedcorev1b1.APIResource {
	plural, _ := meta.UnsafeGuessKindToResource(gvk)
	scope := "Cluster"
	if namespaced || (gvk.Group == "" && gvk.Kind == "Namespace") {
		scope = "Namespaced"
	}
	return fedcorev1b1.APIResource{
		Group: fedtypesv1b1.GroupVersion.Group, Version: fedtypesv1b1.GroupVersion.Version,
		Kind: "Federated" + gvk.Kind, PluralName: "federated" + plural.Resource, Scope: apiextensionsv1.ResourceScope(scope),
	}
}

// FederateFile returns the federated objects of every object in a YAML or
// JSON file (several documents allowed; path "-" reads stdin), without a
// cluster.
func FederateFile(path string, stdin io.Reader, placement Placement) ([]*unstructured.Unstructured, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(stdin)
		path = "standard input"
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*unstructured.Unstructured
	for i := 1; ; i++ {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s, document %d: %w", path, i, err)
		}
		if len(obj.Object) == 0 {
			continue
		}
		if obj.GetKind() == "" || obj.GetAPIVersion() == "" || obj.GetName() == "" {
			return nil, fmt.Errorf("%s, document %d: an object needs apiVersion, kind and metadata.name", path, i)
		}
		if obj.IsList() {
			return nil, fmt.Errorf("%s, document %d: lists are not supported: write one object per document", path, i)
		}
		fedType := generatedFederatedType(obj.GroupVersionKind(), obj.GetNamespace() != "")
		fed, err := FederatedObjectFrom(obj, fedType, placement)
		if err != nil {
			return nil, fmt.Errorf("%s, document %d (%s %s): %w", path, i, obj.GetKind(), objectKey(obj), err)
		}
		out = append(out, fed)
	}
	return out, nil
}

// WriteObjectsYAML writes objects as YAML documents.
func WriteObjectsYAML(out io.Writer, objs []*unstructured.Unstructured) error {
	for _, obj := range objs {
		data, err := yaml.Marshal(obj.Object)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(out, "---\n%s", data); err != nil {
			return err
		}
	}
	return nil
}

func objectKey(obj client.Object) string {
	if obj.GetNamespace() == "" {
		return obj.GetName()
	}
	return obj.GetNamespace() + "/" + obj.GetName()
}
