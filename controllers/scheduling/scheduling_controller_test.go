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
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
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

func TestApplyPlan(t *testing.T) {
	tests := []struct {
		name          string
		spec          string
		plan          planner.Plan
		wantChanged   bool
		wantPlacement string
		wantOverrides string
	}{
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
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

			stored := obj.DeepCopy()
			if err := host.Get(context.Background(), client.ObjectKeyFromObject(obj), stored); err != nil {
				t.Fatal(err)
			}
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
		})
	}
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
	stored := obj.DeepCopy()
	if err := host.Get(context.Background(), client.ObjectKeyFromObject(obj), stored); err != nil {
		t.Fatal(err)
	}
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

func TestRecordStatus(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	before := metav1.NewTime(now.Add(-3 * time.Minute))
	r := &Reconciler{Now: func() time.Time { return now }}
	rsp := &fedschedv1a1.ReplicaSchedulingPreference{Status: fedschedv1a1.ReplicaSchedulingPreferenceStatus{
		Clusters: []fedschedv1a1.ClusterReplicas{
			{Name: "b", Replicas: 2, Capacity: ptr.To[int64](2), CapacityObservedTime: &before},
			{Name: "d", Replicas: 1, Capacity: ptr.To[int64](1), CapacityObservedTime: &before},
			{Name: "old", Replicas: 4},
		},
	}}
	p := planner.Plan{Clusters: []planner.ClusterPlan{
		{Name: "d", Replicas: 5, Ideal: 5},
		{Name: "a", Replicas: 4, Ideal: 3, Reason: planner.KeptCurrent},
		{Name: "b", Replicas: 2, Ideal: 3, Reason: planner.CappedByCapacity},
		{Name: "c", Replicas: 1, Ideal: 1, Reason: planner.CappedByCapacity},
		{Name: "e", Replicas: 0, Reason: planner.NotListed},
	}}
	capacity := map[string]int64{"b": 2, "c": 1}
	offline := []string{"x-offline-with-replicas", "old", "y-offline-without-replicas"}
	current := map[string]int64{"x-offline-with-replicas": 3, "old": 4, "a": 4}

	r.recordStatus(rsp, p, capacity, map[string]string{"c": "cannot read"}, offline, current)

	want := []fedschedv1a1.ClusterReplicas{
		{Name: "a", Replicas: 4, Ideal: 3, Reason: string(planner.KeptCurrent)},
		{Name: "b", Replicas: 2, Ideal: 3, Reason: string(planner.CappedByCapacity), Capacity: ptr.To[int64](2), CapacityObservedTime: &before},
		{Name: "c", Replicas: 1, Ideal: 1, Reason: string(planner.CappedByCapacity), Capacity: ptr.To[int64](1), CapacityObservedTime: &metav1.Time{Time: now}, Message: "cannot read"},
		{Name: "d", Replicas: 5, Ideal: 5},
		{Name: "e", Replicas: 0, Reason: string(planner.NotListed)},
		{Name: "old", Replicas: 0, Reason: fedschedv1a1.ClusterOfflineReason},
		{Name: "x-offline-with-replicas", Replicas: 0, Reason: fedschedv1a1.ClusterOfflineReason},
	}
	if !reflect.DeepEqual(rsp.Status.Clusters, want) {
		got, _ := json.MarshalIndent(rsp.Status.Clusters, "", " ")
		exp, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("status.clusters =\n%s\nwant\n%s", got, exp)
	}
}

func TestRecordStatusOfAnEmptyPlan(t *testing.T) {
	r := &Reconciler{}
	rsp := &fedschedv1a1.ReplicaSchedulingPreference{Status: fedschedv1a1.ReplicaSchedulingPreferenceStatus{
		Clusters: []fedschedv1a1.ClusterReplicas{{Name: "a", Replicas: 1}},
	}}
	r.recordStatus(rsp, planner.Plan{}, nil, nil, nil, nil)
	if rsp.Status.Clusters != nil {
		t.Errorf("status.clusters = %+v, want none", rsp.Status.Clusters)
	}
}

func TestPodSelector(t *testing.T) {
	tests := []struct {
		name     string
		template string
		want     string
		wantErr  string
	}{
		{name: "matchLabels", template: `{"spec":{"selector":{"matchLabels":{"app":"web","tier":"front"}}}}`, want: "app=web,tier=front"},
		{name: "matchExpressions", template: `{"spec":{"selector":{"matchExpressions":[{"key":"app","operator":"In","values":["web","api"]}]}}}`, want: "app in (api,web)"},
		{name: "empty selector matches everything", template: `{"spec":{"selector":{}}}`, want: ""},
		{name: "no selector", template: `{"spec":{"replicas":2}}`, wantErr: "the template has no spec.selector"},
		{name: "no template spec", template: `{}`, wantErr: "the template has no spec.selector"},
		{name: "selector of the wrong type", template: `{"spec":{"selector":"app=web"}}`, wantErr: "the template has no spec.selector"},
		{name: "invalid operator", template: `{"spec":{"selector":{"matchExpressions":[{"key":"app","operator":"Near"}]}}}`, wantErr: "not a valid label selector operator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := podSelector(target(t, `{"template":`+tt.template+`}`))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("podSelector: %v", err)
			}
			if sel.String() != tt.want {
				t.Errorf("selector = %q, want %q", sel.String(), tt.want)
			}
		})
	}
	sel, err := podSelector(target(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if !sel.Matches(labels.Set{"app": "web", "pod-template-hash": "x"}) || sel.Matches(labels.Set{"app": "api"}) {
		t.Errorf("selector %s matches the wrong Pods", sel)
	}
}

func TestPlanSummary(t *testing.T) {
	tests := []struct {
		plan planner.Plan
		want string
	}{
		{planner.Plan{}, "no replicas"},
		{plan("a", 0, "b", 0), "no replicas"},
		{plan("a", 3), "a=3"},
		{plan("a", 3, "b", 0, "c", 12), "a=3 c=12"},
	}
	for _, tt := range tests {
		if got := planSummary(tt.plan); got != tt.want {
			t.Errorf("planSummary(%+v) = %q, want %q", tt.plan.Clusters, got, tt.want)
		}
	}
}

// members serves one client per connected member cluster.
type members map[string]client.Client

func (m members) GetClient(_ context.Context, cluster string) (client.Client, error) {
	c, ok := m[cluster]
	if !ok {
		return nil, fmt.Errorf("cluster %s: %w", cluster, clustercache.ErrClusterNotConnected)
	}
	return c, nil
}

func (m members) ReadyClusters() []string { return slices.Sorted(maps.Keys(m)) }

func (m members) Subscribe(func(clustercache.ConnectionEvent)) func() { return func() {} }

func TestCapacity(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(-d)} }
	pod := func(name, node string, pendingFor time.Duration, labels map[string]string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, Labels: labels}}
		p.Spec.NodeName = node
		if node == "" {
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse,
				Reason: corev1.PodReasonUnschedulable, LastTransitionTime: metav1.Time{Time: now.Add(-pendingFor)}}}
		}
		return p
	}
	web := map[string]string{"app": "web"}
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	member := func(pods ...*corev1.Pod) client.Client {
		objs := make([]client.Object, 0, len(pods))
		for _, p := range pods {
			objs = append(objs, p)
		}
		return fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).Build()
	}

	tests := []struct {
		name            string
		status          []fedschedv1a1.ClusterReplicas
		targetStatus    string
		members         members
		current         map[string]int64
		wantCapacity    map[string]int64
		wantUnavailable bool
		wantReadErrors  map[string]string // cluster -> part of the message
	}{
		{
			name: "observations within the TTL are kept, older ones dropped",
			status: []fedschedv1a1.ClusterReplicas{
				{Name: "a", Capacity: ptr.To[int64](2), CapacityObservedTime: at(9 * time.Minute)},
				{Name: "b", Capacity: ptr.To[int64](1), CapacityObservedTime: at(11 * time.Minute)},
				{Name: "c", Capacity: ptr.To[int64](1)},
				{Name: "d", Replicas: 3},
			},
			wantCapacity: map[string]int64{"a": 2},
		},
		{
			name:         "every replica available",
			targetStatus: `{"clusters":[{"name":"a","remoteStatus":{"replicas":3,"availableReplicas":3}}]}`,
			current:      map[string]int64{"a": 3},
			wantCapacity: map[string]int64{},
		},
		{
			name:         "Pods unschedulable past the window cap the cluster at its scheduled Pods",
			targetStatus: `{"clusters":[{"name":"a","remoteStatus":{"replicas":4,"availableReplicas":1}},{"name":"b","remoteStatus":{"replicas":2,"availableReplicas":2}}]}`,
			members: members{"a": member(
				pod("running", "node-1", 0, web),
				pod("stuck-1", "", 2*time.Minute, web),
				pod("stuck-2", "", 2*time.Minute, web),
				pod("other-app", "", 2*time.Minute, map[string]string{"app": "api"}),
			)},
			current:         map[string]int64{"a": 4, "b": 2},
			wantCapacity:    map[string]int64{"a": 1},
			wantUnavailable: true,
		},
		{
			name:            "Pods unschedulable within the window are given time",
			targetStatus:    `{"clusters":[{"name":"a","remoteStatus":{"replicas":2,"availableReplicas":1}}]}`,
			members:         members{"a": member(pod("running", "node-1", 0, web), pod("stuck", "", 30*time.Second, web))},
			current:         map[string]int64{"a": 2},
			wantCapacity:    map[string]int64{},
			wantUnavailable: true,
		},
		{
			name:            "an unreachable member keeps its share and is reported",
			targetStatus:    `{"clusters":[{"name":"a","remoteStatus":{"replicas":2,"availableReplicas":0}}]}`,
			members:         members{},
			current:         map[string]int64{"a": 2},
			wantCapacity:    map[string]int64{},
			wantUnavailable: true,
			wantReadErrors:  map[string]string{"a": "cluster a is not connected"},
		},
		{
			name: "a member that does not answer in time is reported, the others are read",
			targetStatus: `{"clusters":[{"name":"a","remoteStatus":{"replicas":2,"availableReplicas":1}},
				{"name":"slow","remoteStatus":{"replicas":2,"availableReplicas":0}}]}`,
			members: members{
				"a":    member(pod("running", "node-1", 0, web), pod("stuck", "", 2*time.Minute, web)),
				"slow": blockingMember(nil),
			},
			current:         map[string]int64{"a": 2, "slow": 2},
			wantCapacity:    map[string]int64{"a": 1},
			wantUnavailable: true,
			wantReadErrors:  map[string]string{"slow": "listing Pods in namespace ns of cluster slow took longer than 200ms"},
		},
		{
			// Each read waits until both are in flight: read one after
			// the other, they would both time out.
			name: "members are read in parallel",
			targetStatus: `{"clusters":[{"name":"a","remoteStatus":{"replicas":2,"availableReplicas":0}},
				{"name":"b","remoteStatus":{"replicas":2,"availableReplicas":0}}]}`,
			members: func() members {
				both := &barrier{n: 2, done: make(chan struct{})}
				return members{"a": blockingMember(both), "b": blockingMember(both)}
			}(),
			current:         map[string]int64{"a": 2, "b": 2},
			wantCapacity:    map[string]int64{},
			wantUnavailable: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Reconciler{Members: tt.members, Now: func() time.Time { return now }, MemberReadTimeout: 200 * time.Millisecond}
			rsp := &fedschedv1a1.ReplicaSchedulingPreference{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web"}}
			rsp.Status.Clusters = tt.status
			tgt := target(t, "")
			if tt.targetStatus != "" {
				st := map[string]any{}
				if err := utiljson.Unmarshal([]byte(tt.targetStatus), &st); err != nil {
					t.Fatal(err)
				}
				tgt.Object["status"] = st
			}
			got, unavailable, readErrors := r.capacity(context.Background(), rsp, tgt, tt.current)
			if len(readErrors) != len(tt.wantReadErrors) {
				t.Errorf("read errors = %v, want clusters %v", readErrors, tt.wantReadErrors)
			}
			for cluster, want := range tt.wantReadErrors {
				if !strings.Contains(readErrors[cluster], want) {
					t.Errorf("read error of %s = %q, want it to contain %q", cluster, readErrors[cluster], want)
				}
			}
			if !reflect.DeepEqual(got, tt.wantCapacity) {
				t.Errorf("capacity = %v, want %v", got, tt.wantCapacity)
			}
			if unavailable != tt.wantUnavailable {
				t.Errorf("unavailable = %v, want %v", unavailable, tt.wantUnavailable)
			}
		})
	}
}

// barrier lets n callers through once all n have arrived.
type barrier struct {
	mu   sync.Mutex
	n    int
	done chan struct{}
}

func (b *barrier) wait(ctx context.Context) error {
	b.mu.Lock()
	b.n--
	if b.n == 0 {
		close(b.done)
	}
	b.mu.Unlock()
	select {
	case <-b.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// blockingMember is a member whose Pod list waits for the barrier (returning
// no Pods), or, with none, until the caller gives up.
func blockingMember(b *barrier) client.Client {
	scheme := runtime.NewScheme()
	_ = corev1.AddToScheme(scheme)
	return fake.NewClientBuilder().WithScheme(scheme).WithInterceptorFuncs(interceptor.Funcs{
		List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			if b == nil {
				<-ctx.Done()
				return ctx.Err()
			}
			if err := b.wait(ctx); err != nil {
				return err
			}
			return c.List(ctx, list, opts...)
		},
	}).Build()
}
