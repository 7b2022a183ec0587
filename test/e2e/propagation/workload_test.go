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

package propagation_test

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// testWorkloadStatus checks the aggregated status of a FederatedDeployment
// on both members (the simulated nodes make its pods Ready): the sums of
// the members' counts and the Ready condition, before and after a person
// scales one copy down.
func testWorkloadStatus(t *testing.T, e *e2eutil.Env) {
	ft := typeOf(t, e, "FederatedDeployment")
	ns := newNamespace(t, e, "workload", bothMembers...)
	e.DumpOnFailure(t, ns)
	obj := namedFixture(t, "deployment.yaml", ns, "web")
	// member1: 2 replicas (template), member2: 3 (override).
	_ = unstructured.SetNestedField(obj.Object, int64(2), "spec", "template", "spec", "replicas")
	_ = fedtypesv1b1.SetOverrides(obj, []fedtypesv1b1.GenericOverrideItem{{ClusterName: member2, ClusterOverrides: []fedtypesv1b1.ClusterOverride{
		{Path: "/spec/replicas", Value: rawJSON("3")},
	}}})
	create(t, e, obj)
	ft.waitPropagated(t, e, obj, bothMembers...)
	waitAggregated(t, e, ft, obj, 5)

	t.Log("member1's copy scaled to 0 by hand: set back to 2, the sums follow.")
	patchMember(t, e, member1, ft.mustMember(t, e, member1, obj), `[{"op":"replace","path":"/spec/replicas","value":0}]`)
	waitMember(t, e, ft, member1, obj, "spec.replicas back to 2", func(m *unstructured.Unstructured) bool {
		r, _, _ := unstructured.NestedInt64(m.Object, "spec", "replicas")
		return r == 2
	})
	waitAggregated(t, e, ft, obj, 5)
}

// waitAggregated waits until the FederatedDeployment's aggregated replica
// counts equal the sums of its copies' and want ready replicas in all, and
// its Ready condition is True.
func waitAggregated(t testing.TB, e *e2eutil.Env, ft fedType, obj *unstructured.Unstructured, want int32) {
	t.Helper()
	waitFederated(t, e, obj, func(ctx context.Context, u *unstructured.Unstructured) error {
		var sum struct{ replicas, ready, available, updated int64 }
		for _, c := range bothMembers {
			m, err := ft.member(ctx, e, c, obj)
			if err != nil || m == nil {
				return fmt.Errorf("no copy in %s (%v)", c, err)
			}
			replicas, _, _ := unstructured.NestedInt64(m.Object, "status", "replicas")
			ready, _, _ := unstructured.NestedInt64(m.Object, "status", "readyReplicas")
			available, _, _ := unstructured.NestedInt64(m.Object, "status", "availableReplicas")
			updated, _, _ := unstructured.NestedInt64(m.Object, "status", "updatedReplicas")
			sum.replicas += replicas
			sum.ready += ready
			sum.available += available
			sum.updated += updated
		}
		s := e2eutil.FederatedStatus(u)
		a := s.AggregatedStatus
		if a == nil {
			return fmt.Errorf("no status.aggregatedStatus")
		}
		got := fmt.Sprintf("replicas %d ready %d available %d updated %d",
			ptr.Deref(a.Replicas, 0), ptr.Deref(a.ReadyReplicas, 0), ptr.Deref(a.AvailableReplicas, 0), ptr.Deref(a.UpdatedReplicas, 0))
		members := fmt.Sprintf("replicas %d ready %d available %d updated %d", sum.replicas, sum.ready, sum.available, sum.updated)
		if got != members {
			return fmt.Errorf("status.aggregatedStatus has %s, the members' copies sum to %s", got, members)
		}
		if sum.ready != int64(want) {
			return fmt.Errorf("%d replicas ready in the members, want %d", sum.ready, want)
		}
		if c := s.GetCondition(fedtypesv1b1.WorkloadReadyConditionType); c == nil || c.Status != corev1.ConditionTrue {
			return fmt.Errorf("Ready condition is %s, want True", e2eutil.ConditionString(c))
		}
		return nil
	}, "%s: aggregated status following the members, %d ready", describe(obj), want)
}
