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

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// The accessors below read and write the generic fields of a federated
// object held as *unstructured.Unstructured. Getters return the zero value
// (nil, false) when a field is absent and an error when it has the wrong
// shape; setters remove a field when given its zero value, so that an
// applied object carries only what was set.

// GetTemplate returns spec.template, and whether it is present.
func GetTemplate(u *unstructured.Unstructured) (map[string]interface{}, bool, error) {
	template, found, err := unstructured.NestedMap(u.Object, SpecField, TemplateField)
	if err != nil {
		return nil, false, fmt.Errorf("reading spec.template of %s: %w", describe(u), err)
	}
	return template, found, nil
}

// SetTemplate sets spec.template; a nil template removes it.
func SetTemplate(u *unstructured.Unstructured, template map[string]interface{}) error {
	if template == nil {
		unstructured.RemoveNestedField(u.Object, SpecField, TemplateField)
		return nil
	}
	if err := unstructured.SetNestedMap(u.Object, template, SpecField, TemplateField); err != nil {
		return fmt.Errorf("setting spec.template of %s: %w", describe(u), err)
	}
	return nil
}

// GetPlacement returns spec.placement, or nil when it is absent.
func GetPlacement(u *unstructured.Unstructured) (*Placement, error) {
	return getField[Placement](u, SpecField, PlacementField)
}

// SetPlacement sets spec.placement; nil removes it.
func SetPlacement(u *unstructured.Unstructured, placement *Placement) error {
	if placement == nil {
		unstructured.RemoveNestedField(u.Object, SpecField, PlacementField)
		return nil
	}
	return setFrom(u, placement, SpecField, PlacementField)
}

// GetPlacementClusterNames returns the names in spec.placement.clusters, in
// order, or nil when the field is absent.
func GetPlacementClusterNames(u *unstructured.Unstructured) ([]string, error) {
	placement, err := GetPlacement(u)
	if err != nil {
		return nil, err
	}
	return placement.ClusterNames(), nil
}

// SetPlacementClusterNames sets spec.placement.clusters to the given names,
// in order, leaving spec.placement.clusterSelector as it is. A nil slice
// removes spec.placement.clusters; an empty one places the object in no
// cluster.
func SetPlacementClusterNames(u *unstructured.Unstructured, names []string) error {
	if names == nil {
		unstructured.RemoveNestedField(u.Object, SpecField, PlacementField, ClustersField)
		return nil
	}
	clusters := make([]interface{}, 0, len(names))
	for _, name := range names {
		clusters = append(clusters, map[string]interface{}{"name": name})
	}
	if err := unstructured.SetNestedSlice(u.Object, clusters, SpecField, PlacementField, ClustersField); err != nil {
		return fmt.Errorf("setting spec.placement.clusters of %s: %w", describe(u), err)
	}
	return nil
}

// GetOverrides returns spec.overrides, or nil when it is absent.
func GetOverrides(u *unstructured.Unstructured) ([]GenericOverrideItem, error) {
	overrides, err := getField[[]GenericOverrideItem](u, SpecField, OverridesField)
	if err != nil || overrides == nil {
		return nil, err
	}
	return *overrides, nil
}

// SetOverrides sets spec.overrides; an empty slice removes it.
func SetOverrides(u *unstructured.Unstructured, overrides []GenericOverrideItem) error {
	if len(overrides) == 0 {
		unstructured.RemoveNestedField(u.Object, SpecField, OverridesField)
		return nil
	}
	return setFrom(u, overrides, SpecField, OverridesField)
}

// ClusterOverridesFor returns the overrides of the named cluster, or nil.
func ClusterOverridesFor(overrides []GenericOverrideItem, clusterName string) []ClusterOverride {
	if item := find(overrides, func(o GenericOverrideItem) bool { return o.ClusterName == clusterName }); item != nil {
		return item.ClusterOverrides
	}
	return nil
}

// GetRetainReplicas returns spec.retainReplicas; false when absent.
func GetRetainReplicas(u *unstructured.Unstructured) (bool, error) {
	retain, _, err := unstructured.NestedBool(u.Object, SpecField, RetainReplicasField)
	if err != nil {
		return false, fmt.Errorf("reading spec.retainReplicas of %s: %w", describe(u), err)
	}
	return retain, nil
}

// GetRollout returns spec.rollout, or nil when it is absent (the object
// rolls out to every placed cluster at once).
func GetRollout(u *unstructured.Unstructured) (*RolloutStrategy, error) {
	return getField[RolloutStrategy](u, SpecField, RolloutField)
}

// GetStatus returns the status of a federated object, or nil when it has
// none.
func GetStatus(u *unstructured.Unstructured) (*GenericFederatedStatus, error) {
	return getField[GenericFederatedStatus](u, StatusField)
}

// SetStatus sets the status of a federated object; nil removes it.
func SetStatus(u *unstructured.Unstructured, status *GenericFederatedStatus) error {
	if status == nil {
		unstructured.RemoveNestedField(u.Object, StatusField)
		return nil
	}
	return setFrom(u, status, StatusField)
}

// GetCondition returns the condition of the given type, or nil.
func (s *GenericFederatedStatus) GetCondition(conditionType ConditionType) *GenericCondition {
	if s == nil {
		return nil
	}
	return find(s.Conditions, func(c GenericCondition) bool { return c.Type == conditionType })
}

// GetCluster returns the status of the named cluster, or nil.
func (s *GenericFederatedStatus) GetCluster(name string) *GenericClusterStatus {
	if s == nil {
		return nil
	}
	return find(s.Clusters, func(c GenericClusterStatus) bool { return c.Name == name })
}

// find returns the first item that matches, in place (a change through the
// pointer changes the slice's item), or nil.
func find[T any](items []T, match func(T) bool) *T {
	if i := slices.IndexFunc(items, match); i >= 0 {
		return &items[i]
	}
	return nil
}

// getField decodes the field at fields into a new T; nil when the field is
// absent or null.
func getField[T any](u *unstructured.Unstructured, fields ...string) (*T, error) {
	value, found, err := unstructured.NestedFieldNoCopy(u.Object, fields...)
	if err != nil {
		return nil, fmt.Errorf("reading %s of %s: %w", fieldPath(fields), describe(u), err)
	}
	if !found || value == nil {
		return nil, nil
	}
	data, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("encoding %s of %s: %w", fieldPath(fields), describe(u), err)
	}
	out := new(T)
	if err := json.Unmarshal(data, out); err != nil {
		return nil, fmt.Errorf("decoding %s of %s: %w", fieldPath(fields), describe(u), err)
	}
	return out, nil
}

// setFrom encodes in to its unstructured form (integers as int64, as the
// API machinery expects) and stores it at fields.
func setFrom(u *unstructured.Unstructured, in interface{}, fields ...string) error {
	data, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encoding %s of %s: %w", fieldPath(fields), describe(u), err)
	}
	var value interface{}
	if err := utiljson.Unmarshal(data, &value); err != nil {
		return fmt.Errorf("decoding %s of %s: %w", fieldPath(fields), describe(u), err)
	}
	if u.Object == nil {
		u.Object = map[string]interface{}{}
	}
	if err := unstructured.SetNestedField(u.Object, value, fields...); err != nil {
		return fmt.Errorf("setting %s of %s: %w", fieldPath(fields), describe(u), err)
	}
	return nil
}

func fieldPath(fields []string) string {
	return strings.Join(fields, ".")
}

func describe(u *unstructured.Unstructured) string {
	if ns := u.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s %s/%s", u.GetKind(), ns, u.GetName())
	}
	return fmt.Sprintf("%s %s", u.GetKind(), u.GetName())
}
