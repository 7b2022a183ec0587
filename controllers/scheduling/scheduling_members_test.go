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
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/planner"
)

// TestCapacityReportsWhatItCannotRead covers the parts of the target the
// capacity check reads besides the members' Pods: when one of them cannot
// be read, the clusters whose capacity is therefore unknown are named with
// the error, and reach the preference's status.
func TestCapacityReportsWhatItCannotRead(t *testing.T) {
	tests := []struct {
		name string
		// status is the target's status, as JSON.
		status string
		// noSelector drops the template's spec.selector.
		noSelector bool
		current    map[string]int64
		// want is, per cluster, parts of its read error.
		want map[string][]string
	}{
		{
			name:    "a status that does not decode",
			status:  `{"clusters":"not a list"}`,
			current: map[string]int64{"a": 2, "b": 1},
			want: map[string][]string{
				"a": {"reading the status of FederatedDeployment ns/web", "cluster a"},
				"b": {"reading the status of FederatedDeployment ns/web", "cluster b"},
			},
		},
		{
			name:    "a member's remote status that does not decode",
			status:  `{"clusters":[{"name":"a","remoteStatus":{"availableReplicas":"three"}},{"name":"b","remoteStatus":{"availableReplicas":1}}]}`,
			current: map[string]int64{"a": 3, "b": 1},
			want: map[string][]string{
				"a": {"reading the status of cluster a in FederatedDeployment ns/web", "availableReplicas"},
			},
		},
		{
			name:       "a template without a Pod selector",
			status:     `{"clusters":[{"name":"a","remoteStatus":{"availableReplicas":0}},{"name":"b","remoteStatus":{"availableReplicas":1}}]}`,
			noSelector: true,
			current:    map[string]int64{"a": 2, "b": 1},
			want: map[string][]string{
				"a": {"the Pods of FederatedDeployment ns/web in cluster a cannot be selected", "spec.selector"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Reconciler{Members: members{}, Now: func() time.Time { return capacityNow }}
			rsp := &fedschedv1a1.ReplicaSchedulingPreference{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web"}}
			tgt := targetWithStatus(t, tt.status)
			if tt.noSelector {
				unstructured.RemoveNestedField(tgt.Object, "spec", "template", "spec", "selector")
			}

			_, _, readErrors := r.capacity(context.Background(), rsp, tgt, tt.current)
			checkReadErrors(t, readErrors, tt.want)

			// The status the preference is given names the cluster and
			// the error.
			var plan planner.Plan
			for _, c := range []string{"a", "b"} {
				plan.Clusters = append(plan.Clusters, planner.ClusterPlan{Name: c, Replicas: tt.current[c]})
			}
			r.recordStatus(rsp, plan, nil, readErrors, nil, tt.current)
			for _, c := range rsp.Status.Clusters {
				if want := readErrors[c.Name]; c.Message != want {
					t.Errorf("status.clusters[%s].message = %q, want %q", c.Name, c.Message, want)
				}
			}
		})
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

// capacityNow is the time of the capacity checks.
var capacityNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// ago is d before capacityNow.
func ago(d time.Duration) *metav1.Time { return &metav1.Time{Time: capacityNow.Add(-d)} }

// pod returns Pod ns/name on node; without a node, unschedulable for
// pendingFor.
func pod(name, node string, pendingFor time.Duration, labels map[string]string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, Labels: labels}}
	p.Spec.NodeName = node
	if node == "" {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse,
			Reason: corev1.PodReasonUnschedulable, LastTransitionTime: metav1.Time{Time: capacityNow.Add(-pendingFor)}}}
	}
	return p
}

// podMember is a member cluster holding pods.
func podMember(pods ...*corev1.Pod) client.Client {
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		panic(err)
	}
	objs := make([]client.Object, 0, len(pods))
	for _, p := range pods {
		objs = append(objs, p)
	}
	return fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).Build()
}

// webPod are the labels of the target's Pods.
var webPod = map[string]string{"app": "web"}

// capacityCase is what the capacity check reads and what it finds.
type capacityCase struct {
	name            string
	status          []fedschedv1a1.ClusterReplicas
	targetStatus    string
	members         members
	current         map[string]int64
	wantCapacity    map[string]int64
	wantUnavailable bool
	wantReadErrors  map[string][]string // cluster -> parts of the message
}

// capacityCases are capacities from the recorded observations and from the
// members' Pods.
func capacityCases() []capacityCase {
	return []capacityCase{
		{
			name: "observations within the TTL are kept, older ones dropped",
			status: []fedschedv1a1.ClusterReplicas{
				{Name: "a", Capacity: ptr.To[int64](2), CapacityObservedTime: ago(9 * time.Minute)},
				{Name: "b", Capacity: ptr.To[int64](1), CapacityObservedTime: ago(11 * time.Minute)},
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
			members: members{"a": podMember(
				pod("running", "node-1", 0, webPod),
				pod("stuck-1", "", 2*time.Minute, webPod),
				pod("stuck-2", "", 2*time.Minute, webPod),
				pod("other-app", "", 2*time.Minute, map[string]string{"app": "api"}),
			)},
			current:         map[string]int64{"a": 4, "b": 2},
			wantCapacity:    map[string]int64{"a": 1},
			wantUnavailable: true,
		},
		{
			name:            "Pods unschedulable within the window are given time",
			targetStatus:    `{"clusters":[{"name":"a","remoteStatus":{"replicas":2,"availableReplicas":1}}]}`,
			members:         members{"a": podMember(pod("running", "node-1", 0, webPod), pod("stuck", "", 30*time.Second, webPod))},
			current:         map[string]int64{"a": 2},
			wantCapacity:    map[string]int64{},
			wantUnavailable: true,
		},
	}
}

// memberReadCases are members that cannot be read, or only slowly.
func memberReadCases() []capacityCase {
	return []capacityCase{
		{
			name:            "an unreachable member keeps its share and is reported",
			targetStatus:    `{"clusters":[{"name":"a","remoteStatus":{"replicas":2,"availableReplicas":0}}]}`,
			members:         members{},
			current:         map[string]int64{"a": 2},
			wantCapacity:    map[string]int64{},
			wantUnavailable: true,
			wantReadErrors:  map[string][]string{"a": {"cluster a is not connected"}},
		},
		{
			name: "a member that does not answer in time is reported, the others are read",
			targetStatus: `{"clusters":[{"name":"a","remoteStatus":{"replicas":2,"availableReplicas":1}},
				{"name":"slow","remoteStatus":{"replicas":2,"availableReplicas":0}}]}`,
			members: members{
				"a":    podMember(pod("running", "node-1", 0, webPod), pod("stuck", "", 2*time.Minute, webPod)),
				"slow": blockingMember(nil),
			},
			current:         map[string]int64{"a": 2, "slow": 2},
			wantCapacity:    map[string]int64{"a": 1},
			wantUnavailable: true,
			wantReadErrors:  map[string][]string{"slow": {"listing Pods in namespace ns of cluster slow took longer than 200ms"}},
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
}

func TestCapacity(t *testing.T) {
	for _, tt := range slices.Concat(capacityCases(), memberReadCases()) {
		t.Run(tt.name, func(t *testing.T) {
			r := &Reconciler{Members: tt.members, Now: func() time.Time { return capacityNow }, MemberReadTimeout: 200 * time.Millisecond}
			rsp := &fedschedv1a1.ReplicaSchedulingPreference{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web"}}
			rsp.Status.Clusters = tt.status
			tgt := targetWithStatus(t, tt.targetStatus)
			got, unavailable, readErrors := r.capacity(context.Background(), rsp, tgt, tt.current)
			checkReadErrors(t, readErrors, tt.wantReadErrors)
			if !reflect.DeepEqual(got, tt.wantCapacity) {
				t.Errorf("capacity = %v, want %v", got, tt.wantCapacity)
			}
			if unavailable != tt.wantUnavailable {
				t.Errorf("unavailable = %v, want %v", unavailable, tt.wantUnavailable)
			}
		})
	}
}

// targetWithStatus is target(t, "") with the status given as JSON; with
// an empty status, without one.
func targetWithStatus(t *testing.T, status string) *unstructured.Unstructured {
	t.Helper()
	tgt := target(t, "")
	if status == "" {
		return tgt
	}
	st := map[string]any{}
	if err := utiljson.Unmarshal([]byte(status), &st); err != nil {
		t.Fatal(err)
	}
	tgt.Object["status"] = st
	return tgt
}

// checkReadErrors checks that the capacity check's read errors name
// exactly the clusters of want, each with an error containing every part
// want gives for it.
func checkReadErrors(t *testing.T, readErrors map[string]string, want map[string][]string) {
	t.Helper()
	if len(readErrors) != len(want) {
		t.Errorf("read errors = %v, want clusters %v", readErrors, want)
	}
	for cluster, parts := range want {
		for _, part := range parts {
			if !strings.Contains(readErrors[cluster], part) {
				t.Errorf("read error of %s = %q, want it to contain %q", cluster, readErrors[cluster], part)
			}
		}
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
