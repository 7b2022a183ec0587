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

package propagatedversion

import (
	"crypto/md5" //nolint:gosec // MD5 is KubeFed's change detector, not a security measure.
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// TemplateVersion returns the lowercase hex MD5 of the JSON encoding of the
// federated object's spec.template, or "" when the object has no template.
// The encoding is Unstructured.MarshalJSON's (keys sorted, one trailing
// newline), which is what KubeFed hashed.
func TemplateVersion(fedObject *unstructured.Unstructured) (string, error) {
	template, found, err := unstructured.NestedMap(fedObject.Object, fedtypesv1b1.SpecField, fedtypesv1b1.TemplateField)
	if err != nil {
		return "", fmt.Errorf("reading spec.template: %w", err)
	}
	if !found {
		return "", nil
	}
	return hashJSON(template)
}

// OverridesVersion returns the lowercase hex MD5 of the JSON encoding of
// {"overrides": spec.overrides}, or "" when the object has no spec. As in
// KubeFed v0.10's GetOverrideHash, an absent (or null) spec.overrides hashes
// {"overrides":null} and an empty list {"overrides":[]}: KubeFed decodes
// the object into its GenericOverride type, which keeps that difference (a
// nil slice against an empty one), and always writes the "overrides" key.
func OverridesVersion(fedObject *unstructured.Unstructured) (string, error) {
	if _, found, err := unstructured.NestedMap(fedObject.Object, fedtypesv1b1.SpecField); err != nil {
		return "", fmt.Errorf("reading spec: %w", err)
	} else if !found {
		return "", nil
	}
	overrides, err := fedtypesv1b1.GetOverrides(fedObject)
	if err != nil {
		return "", err
	}
	if overrides == nil {
		raw, _, _ := unstructured.NestedFieldNoCopy(fedObject.Object, fedtypesv1b1.SpecField, fedtypesv1b1.OverridesField)
		if list, ok := raw.([]interface{}); ok && list != nil {
			overrides = []fedtypesv1b1.GenericOverrideItem{}
		}
	}
	// Encode through the typed form, as KubeFed does, so that an empty op
	// or a missing value hash the same whichever way they were written. No
	// omitempty on the list: KubeFed hashes a map whose "overrides" key is
	// always present.
	wrapper := struct {
		Overrides []fedtypesv1b1.GenericOverrideItem `json:"overrides"`
	}{Overrides: overrides}
	data, err := json.Marshal(wrapper)
	if err != nil {
		return "", fmt.Errorf("encoding overrides: %w", err)
	}
	var normalized map[string]interface{}
	if err := json.Unmarshal(data, &normalized); err != nil {
		return "", fmt.Errorf("decoding overrides: %w", err)
	}
	return hashJSON(normalized)
}

// ObjectVersion returns the version string recorded for a member object:
// "gen:<metadata.generation>" when the object has a generation, else
// "rv:<metadata.resourceVersion>".
func ObjectVersion(obj metav1.Object) string {
	if generation := obj.GetGeneration(); generation != 0 {
		return fedcorev1a1.GenerationVersionPrefix + strconv.FormatInt(generation, 10)
	}
	return fedcorev1a1.ResourceVersionPrefix + obj.GetResourceVersion()
}

// ClusterVersions turns a map of cluster name to version into the sorted
// list stored in PropagatedVersionStatus.ClusterVersions.
func ClusterVersions(versions map[string]string) []fedcorev1a1.ClusterObjectVersion {
	if len(versions) == 0 {
		return nil
	}
	list := make([]fedcorev1a1.ClusterObjectVersion, 0, len(versions))
	for cluster, version := range versions {
		list = append(list, fedcorev1a1.ClusterObjectVersion{ClusterName: cluster, Version: version})
	}
	slices.SortFunc(list, func(a, b fedcorev1a1.ClusterObjectVersion) int {
		return strings.Compare(a.ClusterName, b.ClusterName)
	})
	return list
}

// ClusterVersionMap turns PropagatedVersionStatus.ClusterVersions into a map
// of cluster name to version.
func ClusterVersionMap(status *fedcorev1a1.PropagatedVersionStatus) map[string]string {
	versions := make(map[string]string, len(status.ClusterVersions))
	for _, v := range status.ClusterVersions {
		versions[v.ClusterName] = v.Version
	}
	return versions
}

// hashJSON hashes value the way KubeFed did: MD5 of the object's
// Unstructured JSON encoding.
func hashJSON(value map[string]interface{}) (string, error) {
	data, err := (&unstructured.Unstructured{Object: value}).MarshalJSON()
	if err != nil {
		return "", fmt.Errorf("encoding for hashing: %w", err)
	}
	sum := md5.Sum(data) //nolint:gosec // See the import.
	return hex.EncodeToString(sum[:]), nil
}
