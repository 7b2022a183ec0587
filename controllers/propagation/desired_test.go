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

package propagation

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// fromJSON decodes a JSON object the way the API server's objects are
// decoded (integers as int64).
func fromJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	obj := map[string]any{}
	if err := utiljson.Unmarshal([]byte(s), &obj); err != nil {
		t.Fatalf("decoding %s: %v", s, err)
	}
	return obj
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

const deploymentTemplate = `{
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {
		"name": "ignored",
		"namespace": "ignored",
		"labels": {"app": "web"},
		"annotations": {"team": "blue"},
		"resourceVersion": "42",
		"uid": "1234",
		"creationTimestamp": "2026-01-01T00:00:00Z",
		"generation": 3,
		"managedFields": [{"manager": "kubectl"}],
		"selfLink": "/apis/apps/v1/namespaces/ns/deployments/web",
		"deletionTimestamp": "2026-01-02T00:00:00Z",
		"deletionGracePeriodSeconds": 30,
		"ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "x", "uid": "u"}],
		"finalizers": ["example.com/f"]
	},
	"spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}},
	"status": {"replicas": 3}
}`

// desiredWant is the replicas and the image of the desired Deployment.
type desiredWant struct {
	replicas any // nil: no spec.replicas
	image    string
}

// desiredOverrides set the replicas and a label in cluster a and the image
// in cluster b.
var desiredOverrides = []any{
	map[string]any{"clusterName": "a", "clusterOverrides": []any{
		map[string]any{"path": "/spec/replicas", "value": int64(5)},
		map[string]any{"op": "add", "path": "/metadata/labels/tier", "value": "a-tier"},
	}},
	map[string]any{"clusterName": "b", "clusterOverrides": []any{
		map[string]any{"path": "/spec/template/spec/containers/0/image", "value": "nginx:2"},
	}},
}

type desiredCase struct {
	name       string
	cluster    string
	retain     bool
	existing   *unstructured.Unstructured
	overrides  []any
	want       desiredWant
	wantLabels map[string]string
}

// desiredObjectCases are the member copies of deploymentTemplate.
func desiredObjectCases(t *testing.T) []desiredCase {
	return []desiredCase{
		{name: "template as is", cluster: "a", want: desiredWant{int64(3), "nginx:1"},
			wantLabels: map[string]string{"app": "web", "kubefed.io/managed": "true"}},
		{name: "overrides of the cluster", cluster: "a", overrides: desiredOverrides, want: desiredWant{int64(5), "nginx:1"},
			wantLabels: map[string]string{"app": "web", "tier": "a-tier", "kubefed.io/managed": "true"}},
		{name: "overrides of another cluster only", cluster: "b", overrides: desiredOverrides, want: desiredWant{int64(3), "nginx:2"},
			wantLabels: map[string]string{"app": "web", "kubefed.io/managed": "true"}},
		{name: "cluster without overrides", cluster: "c", overrides: desiredOverrides, want: desiredWant{int64(3), "nginx:1"},
			wantLabels: map[string]string{"app": "web", "kubefed.io/managed": "true"}},
		{name: "retainReplicas keeps the member's replicas", cluster: "c", retain: true,
			existing: member(t, "apps/v1", "Deployment", 1, map[string]any{"spec.replicas": int64(7)}),
			want:     desiredWant{int64(7), "nginx:1"}, wantLabels: map[string]string{"app": "web", "kubefed.io/managed": "true"}},
		{name: "retainReplicas without a member object uses the template", cluster: "c", retain: true,
			want: desiredWant{int64(3), "nginx:1"}, wantLabels: map[string]string{"app": "web", "kubefed.io/managed": "true"}},
		{name: "retainReplicas with a member object without replicas uses the template", cluster: "c", retain: true,
			existing: member(t, "apps/v1", "Deployment", 1, nil),
			want:     desiredWant{int64(3), "nginx:1"}, wantLabels: map[string]string{"app": "web", "kubefed.io/managed": "true"}},
		{name: "without retainReplicas the template's replicas win", cluster: "c",
			existing: member(t, "apps/v1", "Deployment", 1, map[string]any{"spec.replicas": int64(7)}),
			want:     desiredWant{int64(3), "nginx:1"}, wantLabels: map[string]string{"app": "web", "kubefed.io/managed": "true"}},
		{name: "a managed=false template label is replaced", cluster: "c",
			overrides: []any{map[string]any{"clusterName": "c", "clusterOverrides": []any{
				map[string]any{"op": "add", "path": "/metadata/labels/kubefed.io~1managed", "value": "false"},
			}}},
			want: desiredWant{int64(3), "nginx:1"}, wantLabels: map[string]string{"app": "web", "kubefed.io/managed": "true"}},
	}
}

func TestDesiredObject(t *testing.T) {
	for _, tt := range desiredObjectCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			r := reconcilerFor(t, "apps", "Deployment")
			spec := map[string]any{"template": fromJSON(t, deploymentTemplate)}
			if tt.overrides != nil {
				spec["overrides"] = tt.overrides
			}
			if tt.retain {
				spec["retainReplicas"] = true
			}
			fedObj := r.fedObject("ns", "web", spec)
			before := fedObj.DeepCopy()
			s := newTestScope(fedObj)

			got, err := r.desiredObject(s, tt.cluster, tt.existing)
			if err != nil {
				t.Fatalf("desiredObject: %v", err)
			}
			if !reflect.DeepEqual(fedObj, before) {
				t.Errorf("the federated object was modified")
			}
			checkDesiredDeployment(t, tt, got)
		})
	}
}

// checkDesiredDeployment compares the desired member copy with what the
// case wants: the template's identity, replicas, image, labels and
// annotations, and nothing of the metadata the API server sets.
func checkDesiredDeployment(t *testing.T, tt desiredCase, got *unstructured.Unstructured) {
	t.Helper()
	if got.GetAPIVersion() != "apps/v1" || got.GetKind() != "Deployment" || got.GetNamespace() != "ns" || got.GetName() != "web" {
		t.Errorf("object is %s %s %s/%s, want apps/v1 Deployment ns/web", got.GetAPIVersion(), got.GetKind(), got.GetNamespace(), got.GetName())
	}
	replicas, found, _ := unstructured.NestedFieldNoCopy(got.Object, "spec", "replicas")
	if !found {
		replicas = nil
	}
	if replicas != tt.want.replicas {
		t.Errorf("spec.replicas = %v (%T), want %v", replicas, replicas, tt.want.replicas)
	}
	containers, _, _ := unstructured.NestedSlice(got.Object, "spec", "template", "spec", "containers")
	if len(containers) != 1 || containers[0].(map[string]any)["image"] != tt.want.image {
		t.Errorf("containers = %v, want image %s", containers, tt.want.image)
	}
	if !reflect.DeepEqual(got.GetLabels(), tt.wantLabels) {
		t.Errorf("labels = %v, want %v", got.GetLabels(), tt.wantLabels)
	}
	if !reflect.DeepEqual(got.GetAnnotations(), map[string]string{"team": "blue"}) {
		t.Errorf("annotations = %v, want the template's", got.GetAnnotations())
	}
	meta, _, _ := unstructured.NestedMap(got.Object, "metadata")
	for k := range meta {
		switch k {
		case "name", "namespace", "labels", "annotations":
		default:
			t.Errorf("metadata.%s = %v survived, want it stripped", k, meta[k])
		}
	}
	if _, found := got.Object["status"]; found {
		t.Errorf("status survived: %v", got.Object["status"])
	}
}

func TestDesiredObjectCannotBeRenamedOrMoved(t *testing.T) {
	r := reconcilerFor(t, "", "ConfigMap")
	fedObj := r.fedObject("ns", "settings", map[string]any{
		"template": map[string]any{"apiVersion": "v2", "kind": "Secret", "data": map[string]any{"k": "v"}},
		"overrides": []any{map[string]any{"clusterName": "a", "clusterOverrides": []any{
			map[string]any{"path": "/metadata", "value": map[string]any{"name": "other", "namespace": "elsewhere"}},
			map[string]any{"path": "/kind", "value": "Secret"},
			map[string]any{"path": "/apiVersion", "value": "v9"},
			map[string]any{"path": "/data/k", "value": "overridden"},
		}}},
	})
	got, err := r.desiredObject(newTestScope(fedObj), "a", nil)
	if err != nil {
		t.Fatalf("desiredObject: %v", err)
	}
	if got.GetAPIVersion() != "v1" || got.GetKind() != "ConfigMap" || got.GetNamespace() != "ns" || got.GetName() != "settings" {
		t.Errorf("object is %s %s %s/%s, want v1 ConfigMap ns/settings", got.GetAPIVersion(), got.GetKind(), got.GetNamespace(), got.GetName())
	}
	if v, _, _ := unstructured.NestedString(got.Object, "data", "k"); v != "overridden" {
		t.Errorf("data.k = %q, want the other override applied", v)
	}
	if got.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey] != fedcorev1b1.ManagedByKubeFedLabelValue {
		t.Errorf("labels = %v, want the managed label", got.GetLabels())
	}
}

func TestDesiredObjectWithoutTemplate(t *testing.T) {
	r := reconcilerFor(t, "", "ConfigMap")
	got, err := r.desiredObject(newTestScope(r.fedObject("ns", "empty", nil)), "a", nil)
	if err != nil {
		t.Fatalf("desiredObject: %v", err)
	}
	want := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"labels":{"kubefed.io/managed":"true"},"name":"empty","namespace":"ns"}}`
	if s := jsonOf(t, got.Object); s != want {
		t.Errorf("object = %s, want %s", s, want)
	}
}

func TestDesiredObjectOverrideThatDoesNotApply(t *testing.T) {
	r := reconcilerFor(t, "", "ConfigMap")
	fedObj := r.fedObject("ns", "cm", map[string]any{
		"template": map[string]any{"data": map[string]any{"k": "v"}},
		"overrides": []any{map[string]any{"clusterName": "a", "clusterOverrides": []any{
			map[string]any{"op": "replace", "path": "/spec/nothing", "value": 1},
		}}},
	})
	if _, err := r.desiredObject(newTestScope(fedObj), "a", nil); err == nil || !strings.Contains(err.Error(), "/spec/nothing") {
		t.Errorf("error = %v, want one naming the override path", err)
	}
	if _, err := r.desiredObject(newTestScope(fedObj), "b", nil); err != nil {
		t.Errorf("another cluster: %v, want no error", err)
	}
}

func TestDesiredObjectNamespace(t *testing.T) {
	r := &Reconciler{TypeConfig: typeConfig(t, "", "Namespace"), Namespace: testNamespace}
	if !r.TypeConfig.IsNamespace() {
		t.Fatalf("FederatedTypeConfig %s is not the namespaces type", r.TypeConfig.Name)
	}
	fedObj := r.fedObject("team-a", "team-a", map[string]any{
		"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"env": "prod"}}},
	})
	got, err := r.desiredObject(newTestScope(fedObj), "a", nil)
	if err != nil {
		t.Fatalf("desiredObject: %v", err)
	}
	want := `{"apiVersion":"v1","kind":"Namespace","metadata":{"labels":{"env":"prod","kubefed.io/managed":"true"},"name":"team-a"}}`
	if s := jsonOf(t, got.Object); s != want {
		t.Errorf("object = %s, want %s", s, want)
	}
}

func TestMemberKey(t *testing.T) {
	tests := []struct {
		group, kind      string
		namespace, name  string
		wantNS, wantName string
	}{
		{"", "ConfigMap", "ns", "cm", "ns", "cm"},
		{"apps", "Deployment", "ns", "web", "ns", "web"},
		{"rbac.authorization.k8s.io", "ClusterRole", "", "reader", "", "reader"},
		{"", "Namespace", "team-a", "team-a", "", "team-a"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			r := reconcilerFor(t, tt.group, tt.kind)
			key := r.memberKey(r.fedObject(tt.namespace, tt.name, nil))
			if key.Namespace != tt.wantNS || key.Name != tt.wantName {
				t.Errorf("memberKey = %s, want %s/%s", key, tt.wantNS, tt.wantName)
			}
		})
	}
}

func TestDeleteOptions(t *testing.T) {
	background := metav1.DeletePropagationBackground
	orphan := metav1.DeletePropagationOrphan
	tests := []struct {
		name        string
		annotations map[string]string
		wantPolicy  *metav1.DeletionPropagation
		wantGrace   *int64
		wantErr     string
	}{
		{name: "no annotation: background", wantPolicy: &background},
		{name: "empty annotation: background", annotations: map[string]string{fedcorev1b1.DeleteOptionAnnotation: ""}, wantPolicy: &background},
		{name: "other annotations only", annotations: map[string]string{"example.com/x": "y"}, wantPolicy: &background},
		{name: "orphan", annotations: map[string]string{fedcorev1b1.DeleteOptionAnnotation: `{"propagationPolicy":"Orphan"}`}, wantPolicy: &orphan},
		{name: "grace period keeps the background default", annotations: map[string]string{fedcorev1b1.DeleteOptionAnnotation: `{"gracePeriodSeconds":5}`}, wantGrace: ptrInt64(5), wantPolicy: &background},
		{name: "invalid JSON", annotations: map[string]string{fedcorev1b1.DeleteOptionAnnotation: `{propagationPolicy: Orphan}`},
			wantErr: "annotation kubefed.io/deleteoption is not valid JSON DeleteOptions"},
		{name: "wrong JSON type", annotations: map[string]string{fedcorev1b1.DeleteOptionAnnotation: `{"gracePeriodSeconds":"soon"}`},
			wantErr: "annotation kubefed.io/deleteoption is not valid JSON DeleteOptions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fedObj := &unstructured.Unstructured{Object: map[string]any{}}
			fedObj.SetAnnotations(tt.annotations)
			opts, err := deleteOptions(fedObj)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "fix or remove it") {
					t.Fatalf("error = %v, want %q and what to do", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("deleteOptions: %v", err)
			}
			// Read the options as the controller-runtime client does when
			// it sends the delete request.
			got := (&client.DeleteOptions{}).ApplyOptions(opts).AsDeleteOptions()
			if !reflect.DeepEqual(got.PropagationPolicy, tt.wantPolicy) {
				t.Errorf("propagationPolicy = %v, want %v", deref(got.PropagationPolicy), deref(tt.wantPolicy))
			}
			if !reflect.DeepEqual(got.GracePeriodSeconds, tt.wantGrace) {
				t.Errorf("gracePeriodSeconds = %v, want %v", deref(got.GracePeriodSeconds), deref(tt.wantGrace))
			}
		})
	}
}

func ptrInt64(v int64) *int64 { return &v }

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestStatusEqual(t *testing.T) {
	base := func() *fedcorev1a1.PropagatedVersionStatus {
		return fedcorev1a1Status("t1", "o1", map[string]string{"a": "gen:1", "b": "rv:7"})
	}
	tests := []struct {
		name   string
		change func(*fedcorev1a1.PropagatedVersionStatus)
		want   bool
	}{
		{"same", func(*fedcorev1a1.PropagatedVersionStatus) {}, true},
		{"template version", func(s *fedcorev1a1.PropagatedVersionStatus) { s.TemplateVersion = "t2" }, false},
		{"override version", func(s *fedcorev1a1.PropagatedVersionStatus) { s.OverrideVersion = "o2" }, false},
		{"a cluster's version", func(s *fedcorev1a1.PropagatedVersionStatus) { s.ClusterVersions[1].Version = "rv:8" }, false},
		{"a cluster more", func(s *fedcorev1a1.PropagatedVersionStatus) {
			*s = *fedcorev1a1Status("t1", "o1", map[string]string{"a": "gen:1", "b": "rv:7", "c": "gen:1"})
		}, false},
		{"a cluster less", func(s *fedcorev1a1.PropagatedVersionStatus) {
			*s = *fedcorev1a1Status("t1", "o1", map[string]string{"a": "gen:1"})
		}, false},
		{"no clusters on one side", func(s *fedcorev1a1.PropagatedVersionStatus) {
			*s = *fedcorev1a1Status("t1", "o1", nil)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := base(), base()
			tt.change(b)
			if got := statusEqual(a, b); got != tt.want {
				t.Errorf("statusEqual = %v, want %v (%+v vs %+v)", got, tt.want, a, b)
			}
			if got := statusEqual(b, a); got != tt.want {
				t.Errorf("statusEqual reversed = %v, want %v", got, tt.want)
			}
		})
	}
	if !statusEqual(fedcorev1a1Status("t", "o", nil), fedcorev1a1Status("t", "o", map[string]string{})) {
		t.Errorf("no cluster versions and an empty map differ")
	}
}
