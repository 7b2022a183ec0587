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
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// fixture is a FederatedDeployment as KubeFed v0.10 wrote them.
const fixture = `{
  "apiVersion": "types.kubefed.io/v1beta1",
  "kind": "FederatedDeployment",
  "metadata": {"name": "web", "namespace": "demo", "generation": 2},
  "spec": {
    "retainReplicas": true,
    "template": {"spec": {"replicas": 3}},
    "placement": {
      "clusters": [{"name": "cluster2"}, {"name": "cluster1"}],
      "clusterSelector": {"matchLabels": {"region": "europe"}}
    },
    "overrides": [
      {"clusterName": "cluster2", "clusterOverrides": [
        {"op": "replace", "path": "/spec/replicas", "value": 5},
        {"path": "/metadata/annotations", "value": {"foo": "bar"}},
        {"op": "remove", "path": "/metadata/labels"}
      ]}
    ]
  },
  "status": {
    "observedGeneration": 2,
    "conditions": [{"type": "Propagation", "status": "False", "reason": "CheckClusters",
      "lastUpdateTime": "2023-01-02T03:04:05Z", "lastTransitionTime": "2023-01-02T03:04:05Z"}],
    "clusters": [
      {"name": "cluster1"},
      {"name": "cluster2", "status": "ClusterNotReady", "remoteStatus": {"readyReplicas": 1}}
    ]
  }
}`

func load(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	return loadJSON(t, fixture)
}

// loadJSON decodes a manifest as the API server's objects are decoded.
func loadJSON(t *testing.T, manifest string) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON([]byte(manifest)); err != nil {
		t.Fatal(err)
	}
	return obj
}

func TestGetters(t *testing.T) {
	t.Parallel()
	obj := load(t)

	template, found, err := GetTemplate(obj)
	if err != nil || !found {
		t.Fatalf("GetTemplate: %v %v", found, err)
	}
	if replicas, _, _ := unstructured.NestedInt64(template, "spec", "replicas"); replicas != 3 {
		t.Errorf("template replicas = %d", replicas)
	}

	placement, err := GetPlacement(obj)
	if err != nil {
		t.Fatal(err)
	}
	if got := placement.ClusterNames(); !reflect.DeepEqual(got, []string{"cluster2", "cluster1"}) {
		t.Errorf("cluster names = %v", got)
	}
	if placement.ClusterSelector == nil || placement.ClusterSelector.MatchLabels["region"] != "europe" {
		t.Errorf("cluster selector = %v", placement.ClusterSelector)
	}

	overrides, err := GetOverrides(obj)
	if err != nil {
		t.Fatal(err)
	}
	cluster2 := ClusterOverridesFor(overrides, "cluster2")
	if len(cluster2) != 3 || cluster2[1].Operation() != OverrideOpReplace || cluster2[2].Operation() != OverrideOpRemove {
		t.Fatalf("cluster2 overrides = %+v", cluster2)
	}
	if string(cluster2[0].Value.Raw) != "5" || string(cluster2[1].Value.Raw) != `{"foo":"bar"}` || cluster2[2].Value != nil {
		t.Errorf("override values = %s %s %v", cluster2[0].Value.Raw, cluster2[1].Value.Raw, cluster2[2].Value)
	}
	if ClusterOverridesFor(overrides, "cluster1") != nil {
		t.Error("cluster1 has overrides")
	}

	retain, err := GetRetainReplicas(obj)
	if err != nil || !retain {
		t.Errorf("GetRetainReplicas = %v, %v", retain, err)
	}

	status, err := GetStatus(obj)
	if err != nil {
		t.Fatal(err)
	}
	if c := status.GetCondition(PropagationConditionType); c == nil || c.Reason != CheckClusters {
		t.Errorf("Propagation condition = %+v", c)
	}
	if c := status.GetCluster("cluster2"); c == nil || c.Status != ClusterNotReady || string(c.RemoteStatus.Raw) != `{"readyReplicas":1}` {
		t.Errorf("cluster2 status = %+v", c)
	}
}

func TestGettersOnEmptyObject(t *testing.T) {
	t.Parallel()
	obj := &unstructured.Unstructured{Object: map[string]interface{}{}}
	if _, found, err := GetTemplate(obj); found || err != nil {
		t.Errorf("GetTemplate = %v, %v", found, err)
	}
	if p, err := GetPlacement(obj); p != nil || err != nil {
		t.Errorf("GetPlacement = %v, %v", p, err)
	}
	if names, err := GetPlacementClusterNames(obj); names != nil || err != nil {
		t.Errorf("GetPlacementClusterNames = %v, %v", names, err)
	}
	if o, err := GetOverrides(obj); o != nil || err != nil {
		t.Errorf("GetOverrides = %v, %v", o, err)
	}
	if r, err := GetRetainReplicas(obj); r || err != nil {
		t.Errorf("GetRetainReplicas = %v, %v", r, err)
	}
	if s, err := GetStatus(obj); s != nil || err != nil {
		t.Errorf("GetStatus = %v, %v", s, err)
	}
}

func TestGettersReportWrongShapes(t *testing.T) {
	t.Parallel()
	obj := &unstructured.Unstructured{Object: map[string]interface{}{
		"spec": map[string]interface{}{
			"placement":      "everywhere",
			"overrides":      map[string]interface{}{"clusterName": "x"},
			"retainReplicas": "yes",
			"template":       []interface{}{},
		},
	}}
	if _, err := GetPlacement(obj); err == nil {
		t.Error("GetPlacement accepted a string")
	}
	if _, err := GetOverrides(obj); err == nil {
		t.Error("GetOverrides accepted an object")
	}
	if _, err := GetRetainReplicas(obj); err == nil {
		t.Error("GetRetainReplicas accepted a string")
	}
	if _, _, err := GetTemplate(obj); err == nil {
		t.Error("GetTemplate accepted a list")
	}
}

func TestSetters(t *testing.T) {
	t.Parallel()
	obj := load(t)

	if err := SetPlacementClusterNames(obj, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	names, err := GetPlacementClusterNames(obj)
	if err != nil || !reflect.DeepEqual(names, []string{"a", "b"}) {
		t.Errorf("after SetPlacementClusterNames: %v, %v", names, err)
	}
	if p, _ := GetPlacement(obj); p.ClusterSelector == nil {
		t.Error("SetPlacementClusterNames dropped the cluster selector")
	}
	if err := SetPlacementClusterNames(obj, []string{}); err != nil {
		t.Fatal(err)
	}
	if names, _ := GetPlacementClusterNames(obj); names == nil || len(names) != 0 {
		t.Errorf("empty names = %#v, want an empty non-nil slice", names)
	}
	if err := SetPlacementClusterNames(obj, nil); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := unstructured.NestedFieldNoCopy(obj.Object, "spec", "placement", "clusters"); found {
		t.Error("SetPlacementClusterNames(nil) kept spec.placement.clusters")
	}

	overrides := []GenericOverrideItem{{
		ClusterName: "a",
		ClusterOverrides: []ClusterOverride{{
			Path:  "/spec/replicas",
			Value: &apiextensionsv1.JSON{Raw: []byte("7")},
		}},
	}}
	checkSetGetClear(t, obj, "Overrides", SetOverrides, GetOverrides, overrides, func() {
		// Integers must be stored as int64, as the API machinery expects.
		raw, _, _ := unstructured.NestedSlice(obj.Object, "spec", "overrides")
		value := raw[0].(map[string]interface{})["clusterOverrides"].([]interface{})[0].(map[string]interface{})["value"]
		if _, ok := value.(int64); !ok {
			t.Errorf("override value stored as %T, want int64", value)
		}
	}, "spec", "overrides")

	status := &GenericFederatedStatus{
		ObservedGeneration: 3,
		Conditions: []GenericCondition{{
			Type: PropagationConditionType, Status: "True",
			LastUpdateTime: "2024-01-01T00:00:00Z", LastTransitionTime: "2024-01-01T00:00:00Z",
		}},
		Clusters: []GenericClusterStatus{{Name: "a"}, {Name: "b", Status: CreationFailed, Message: "forbidden"}},
		AggregatedStatus: &AggregatedStatus{
			Clusters: 2, ReadyClusters: 1, Replicas: ptrTo[int32](6), ReadyReplicas: ptrTo[int32](3),
		},
	}
	checkSetGetClear(t, obj, "Status", SetStatus, GetStatus, status, func() {}, "status")
	if s, _ := GetStatus(obj); s != nil {
		t.Error("SetStatus(nil) kept status")
	}

	if err := SetTemplate(obj, map[string]interface{}{"data": map[string]interface{}{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := unstructured.NestedString(obj.Object, "spec", "template", "data", "k"); v != "v" {
		t.Errorf("template data.k = %q", v)
	}
	if err := SetPlacement(obj, &Placement{ClusterSelector: &metav1.LabelSelector{}}); err != nil {
		t.Fatal(err)
	}
	if p, _ := GetPlacement(obj); p == nil || p.Clusters != nil || p.ClusterSelector == nil {
		t.Errorf("placement = %+v", p)
	}
}

// TestStatusRoundTrip decodes a KubeFed status and encodes it again.
func TestStatusRoundTrip(t *testing.T) {
	t.Parallel()
	in := load(t).Object["status"]
	data, _ := json.Marshal(in)
	var status GenericFederatedStatus
	dec := json.NewDecoder(bytesReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&status); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(status)
	var a, b interface{}
	_ = json.Unmarshal(data, &a)
	_ = json.Unmarshal(out, &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("status round trip:\n in: %s\nout: %s", data, out)
	}
}

// checkSetGetClear stores v in obj with Set<what>, runs stored, checks
// that obj holds only JSON values (runtime.DeepCopyJSONValue panics
// otherwise) and that Get<what> reads v back, then stores the zero value
// and checks that the field at path is gone.
func checkSetGetClear[T any](t *testing.T, obj *unstructured.Unstructured, what string,
	set func(*unstructured.Unstructured, T) error, get func(*unstructured.Unstructured) (T, error), v T, stored func(), path ...string) {
	t.Helper()
	if err := set(obj, v); err != nil {
		t.Fatal(err)
	}
	stored()
	_ = runtime.DeepCopyJSONValue(obj.Object)
	back, err := get(obj)
	if err != nil || !reflect.DeepEqual(back, v) {
		t.Errorf("Get%s after Set%s = %+v, %v", what, what, back, err)
	}
	var zero T
	if err := set(obj, zero); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := unstructured.NestedFieldNoCopy(obj.Object, path...); found {
		t.Errorf("Set%s(nil) kept %v", what, path)
	}
}

func ptrTo[T any](v T) *T { return &v }

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
