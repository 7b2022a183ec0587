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

package scheduling

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/placement"
	"github.com/kubefed/kubefed/internal/planner"
)

// target returns a FederatedDeployment ns/web whose spec is the given JSON
// merged over a template with a Pod selector.
func target(t *testing.T, spec string) *unstructured.Unstructured {
	t.Helper()
	s := map[string]any{}
	if spec != "" {
		if err := utiljson.Unmarshal([]byte(spec), &s); err != nil {
			t.Fatalf("decoding %s: %v", spec, err)
		}
	}
	if _, ok := s["template"]; !ok {
		s["template"] = map[string]any{"spec": map[string]any{
			"replicas": int64(1),
			"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
		}}
	}
	u := &unstructured.Unstructured{Object: map[string]any{"spec": s}}
	u.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(fedschedv1a1.TargetKindFederatedDeployment))
	u.SetNamespace("ns")
	u.SetName("web")
	return u
}

func specJSON(t *testing.T, u *unstructured.Unstructured, field string) string {
	t.Helper()
	v, found, err := unstructured.NestedFieldNoCopy(u.Object, "spec", field)
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		return ""
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestCurrentPlan(t *testing.T) {
	tests := []struct {
		name    string
		spec    string
		want    map[string]int64
		wantErr bool
	}{
		{name: "no placement, no overrides", want: map[string]int64{}},
		{
			name: "replicas overrides of placed clusters",
			spec: `{"placement":{"clusters":[{"name":"a"},{"name":"b"},{"name":"c"}]},
				"overrides":[
					{"clusterName":"a","clusterOverrides":[{"path":"/spec/replicas","value":3}]},
					{"clusterName":"b","clusterOverrides":[{"path":"/spec/template/spec/containers/0/image","value":"nginx:2"},{"op":"replace","path":"/spec/replicas","value":0}]}
				]}`,
			want: map[string]int64{"a": 3, "b": 0},
		},
		{
			name: "clusters not placed are ignored",
			spec: `{"placement":{"clusters":[{"name":"a"}]},
				"overrides":[
					{"clusterName":"a","clusterOverrides":[{"path":"/spec/replicas","value":2}]},
					{"clusterName":"z","clusterOverrides":[{"path":"/spec/replicas","value":9}]}
				]}`,
			want: map[string]int64{"a": 2},
		},
		{
			name: "a clusterSelector places nothing the plan knows of",
			spec: `{"placement":{"clusterSelector":{}},
				"overrides":[{"clusterName":"a","clusterOverrides":[{"path":"/spec/replicas","value":2}]}]}`,
			want: map[string]int64{},
		},
		{
			name: "other paths and values that are not integers are ignored",
			spec: `{"placement":{"clusters":[{"name":"a"},{"name":"b"},{"name":"c"}]},
				"overrides":[
					{"clusterName":"a","clusterOverrides":[{"path":"/spec/replicas","value":"three"}]},
					{"clusterName":"b","clusterOverrides":[{"path":"/spec/template/spec/replicas","value":4}]},
					{"clusterName":"c","clusterOverrides":[{"op":"remove","path":"/spec/replicas"}]}
				]}`,
			want: map[string]int64{},
		},
		{name: "malformed overrides", spec: `{"overrides":"nope"}`, wantErr: true},
		{name: "malformed placement", spec: `{"placement":{"clusters":"a"}}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := currentPlan(target(t, tt.spec))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("currentPlan = %v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("currentPlan: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("currentPlan = %v, want %v", got, tt.want)
			}
		})
	}
}

func plan(replicas ...any) planner.Plan {
	var p planner.Plan
	for i := 0; i < len(replicas); i += 2 {
		p.Clusters = append(p.Clusters, planner.ClusterPlan{Name: replicas[i].(string), Replicas: int64(replicas[i+1].(int))})
	}
	return p
}

// hostWithTarget returns a fake host holding obj and a counter of the
// patches sent to it.
func hostWithTarget(t *testing.T, obj *unstructured.Unstructured) (client.Client, *int) {
	t.Helper()
	patches := 0
	c := fake.NewClientBuilder().WithScheme(runtime.NewScheme()).WithObjects(obj.DeepCopy()).
		WithInterceptorFuncs(interceptor.Funcs{
			Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
				patches++
				return c.Patch(ctx, obj, patch, opts...)
			},
		}).Build()
	return c, &patches
}

// applyPlanCase is a target's spec, a plan, and the spec the plan writes.
type applyPlanCase struct {
	name          string
	spec          string
	plan          planner.Plan
	wantChanged   bool
	wantPlacement string
	wantOverrides string
}

var applyPlanCases = []applyPlanCase{
	{
		name:          "first plan",
		plan:          plan("a", 3, "b", 2, "c", 0),
		wantChanged:   true,
		wantPlacement: `{"clusters":[{"name":"a"},{"name":"b"}]}`,
		// New replicas overrides are written as KubeFed v0.10's
		// schedulingtypes.updateOverridesMap writes them: path and
		// value, no op.
		wantOverrides: `[{"clusterName":"a","clusterOverrides":[{"path":"/spec/replicas","value":3}]},` +
			`{"clusterName":"b","clusterOverrides":[{"path":"/spec/replicas","value":2}]}]`,
	},
	{
		name: "other overrides kept, replicas replaced, clusters planned 0 or gone leave",
		spec: `{"placement":{"clusters":[{"name":"a"},{"name":"c"},{"name":"d"},{"name":"z"}]},
			"overrides":[
				{"clusterName":"z","clusterOverrides":[{"op":"replace","path":"/spec/replicas","value":4}]},
				{"clusterName":"c","clusterOverrides":[
					{"op":"replace","path":"/spec/replicas","value":4},
					{"op":"add","path":"/metadata/labels/tier","value":"c"}]},
				{"clusterName":"a","clusterOverrides":[
					{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:2"},
					{"op":"replace","path":"/spec/replicas","value":1}]},
				{"clusterName":"d","clusterOverrides":[{"op":"replace","path":"/spec/replicas","value":2}]},
				{"clusterName":"y","clusterOverrides":[{"op":"add","path":"/metadata/labels/tier","value":"y"}]}
			]}`,
		plan:          plan("a", 2, "b", 3, "c", 0, "d", 0),
		wantChanged:   true,
		wantPlacement: `{"clusters":[{"name":"a"},{"name":"b"}]}`,
		// As KubeFed's updateOverridesMap: an existing replicas
		// override keeps its place and op, only its value changes;
		// a new one is appended.
		wantOverrides: `[` +
			`{"clusterName":"c","clusterOverrides":[{"op":"add","path":"/metadata/labels/tier","value":"c"}]},` +
			`{"clusterName":"a","clusterOverrides":[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:2"},{"op":"replace","path":"/spec/replicas","value":2}]},` +
			`{"clusterName":"y","clusterOverrides":[{"op":"add","path":"/metadata/labels/tier","value":"y"}]},` +
			`{"clusterName":"b","clusterOverrides":[{"path":"/spec/replicas","value":3}]}]`,
	},
	{
		name:          "a clusterSelector is kept beside the planned clusters",
		spec:          `{"placement":{"clusterSelector":{"matchLabels":{"region":"eu"}}}}`,
		plan:          plan("a", 1),
		wantChanged:   true,
		wantPlacement: `{"clusterSelector":{"matchLabels":{"region":"eu"}},"clusters":[{"name":"a"}]}`,
		wantOverrides: `[{"clusterName":"a","clusterOverrides":[{"path":"/spec/replicas","value":1}]}]`,
	},
	{
		// What KubeFed v0.10's scheduler leaves: overrides without op
		// in map order, placement in map order. The same plan writes
		// nothing (KubeFed's PlacementUpdateNeeded compares sorted
		// names, OverrideUpdateNeeded the replicas values).
		name: "an object KubeFed scheduled, same plan",
		spec: `{"placement":{"clusters":[{"name":"b"},{"name":"a"}]},
			"overrides":[
				{"clusterName":"b","clusterOverrides":[{"path":"/spec/replicas","value":2}]},
				{"clusterName":"a","clusterOverrides":[{"path":"/spec/replicas","value":3}]}
			]}`,
		plan:          plan("a", 3, "b", 2),
		wantPlacement: `{"clusters":[{"name":"b"},{"name":"a"}]}`,
		wantOverrides: `[{"clusterName":"b","clusterOverrides":[{"path":"/spec/replicas","value":2}]},` +
			`{"clusterName":"a","clusterOverrides":[{"path":"/spec/replicas","value":3}]}]`,
	},
	{
		name: "unchanged plan",
		spec: `{"placement":{"clusters":[{"name":"a"},{"name":"b"}]},
			"overrides":[
				{"clusterName":"a","clusterOverrides":[{"op":"replace","path":"/spec/replicas","value":3}]},
				{"clusterName":"b","clusterOverrides":[{"op":"add","path":"/metadata/labels/x","value":"y"},{"op":"replace","path":"/spec/replicas","value":2}]}
			]}`,
		plan:          plan("a", 3, "b", 2, "c", 0),
		wantPlacement: `{"clusters":[{"name":"a"},{"name":"b"}]}`,
		wantOverrides: `[{"clusterName":"a","clusterOverrides":[{"op":"replace","path":"/spec/replicas","value":3}]},` +
			`{"clusterName":"b","clusterOverrides":[{"op":"add","path":"/metadata/labels/x","value":"y"},{"op":"replace","path":"/spec/replicas","value":2}]}]`,
	},
}

func TestApplyPlan(t *testing.T) {
	for _, tt := range applyPlanCases {
		t.Run(tt.name, func(t *testing.T) { checkApplyPlan(t, tt) })
	}
}

// checkApplyPlan writes the case's plan to its target and compares what the
// host stores with what the case wants; the same plan again writes nothing.
func checkApplyPlan(t *testing.T, tt applyPlanCase) {
	t.Helper()
	obj := target(t, tt.spec)
	host, patches := hostWithTarget(t, obj)
	r := &Reconciler{Client: host, Namespace: "kube-federation-system"}

	changed, err := r.writePlan(context.Background(), obj, tt.plan)
	if err != nil {
		t.Fatalf("writePlan: %v", err)
	}
	if changed != tt.wantChanged {
		t.Errorf("changed = %v, want %v", changed, tt.wantChanged)
	}
	wantPatches := 0
	if tt.wantChanged {
		wantPatches = 1
	}
	if *patches != wantPatches {
		t.Errorf("%d patches, want %d", *patches, wantPatches)
	}

	stored := storedTarget(t, host, obj)
	if got := specJSON(t, stored, "placement"); got != tt.wantPlacement {
		t.Errorf("placement =\n %s\nwant\n %s", got, tt.wantPlacement)
	}
	if got := specJSON(t, stored, "overrides"); got != tt.wantOverrides {
		t.Errorf("overrides =\n %s\nwant\n %s", got, tt.wantOverrides)
	}
	if got, want := specJSON(t, stored, "template"), specJSON(t, target(t, tt.spec), "template"); got != want {
		t.Errorf("template = %s, want it untouched (%s)", got, want)
	}

	// Planning the same again writes nothing.
	*patches = 0
	again, err := r.writePlan(context.Background(), stored, tt.plan)
	if err != nil || again || *patches != 0 {
		t.Errorf("second writePlan: changed %v, %d patches, err %v; want no change", again, *patches, err)
	}
}

// storedTarget reads obj back from host.
func storedTarget(t *testing.T, host client.Client, obj *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	stored := obj.DeepCopy()
	if err := host.Get(context.Background(), client.ObjectKeyFromObject(obj), stored); err != nil {
		t.Fatal(err)
	}
	return stored
}

// A plan that gives no cluster any replica (totalReplicas: 0) must place
// the target nowhere, even when the target has a clusterSelector: an absent
// placement.clusters would let the selector place the template's replicas
// in every selected cluster.
func TestApplyPlanWithNoReplicasPlacesNowhere(t *testing.T) {
	obj := target(t, `{"placement":{"clusterSelector":{},"clusters":[{"name":"a"},{"name":"b"}]},
		"overrides":[
			{"clusterName":"a","clusterOverrides":[{"op":"replace","path":"/spec/replicas","value":1}]},
			{"clusterName":"b","clusterOverrides":[{"op":"replace","path":"/spec/replicas","value":1}]}
		]}`)
	host, _ := hostWithTarget(t, obj)
	r := &Reconciler{Client: host, Namespace: "kube-federation-system"}
	if _, err := r.writePlan(context.Background(), obj, plan("a", 0, "b", 0)); err != nil {
		t.Fatalf("writePlan: %v", err)
	}
	stored := storedTarget(t, host, obj)
	p, err := fedtypesv1b1.GetPlacement(stored)
	if err != nil {
		t.Fatal(err)
	}
	members := []placement.Cluster{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	selected, err := placement.Select(p, members)
	if err != nil {
		t.Fatal(err)
	}
	if len(selected) != 0 {
		t.Errorf("the target is placed in %v with placement %s, want nowhere", selected, specJSON(t, stored, "placement"))
	}
}

func TestApplyPlanReportsAFailedPatch(t *testing.T) {
	obj := target(t, "")
	host := fake.NewClientBuilder().WithScheme(runtime.NewScheme()).WithObjects(obj.DeepCopy()).
		WithInterceptorFuncs(interceptor.Funcs{
			Patch: func(context.Context, client.WithWatch, client.Object, client.Patch, ...client.PatchOption) error {
				return context.DeadlineExceeded
			},
		}).Build()
	r := &Reconciler{Client: host}
	_, err := r.writePlan(context.Background(), obj, plan("a", 1))
	if err == nil || !strings.Contains(err.Error(), "FederatedDeployment ns/web") {
		t.Errorf("error = %v, want one naming the target", err)
	}
}
