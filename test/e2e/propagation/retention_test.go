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
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// testRetention checks that fields a member owns survive a template
// update: replicas with retainReplicas, a Service's allocated clusterIP and
// nodePort, a ServiceAccount's secrets, and annotations and finalizers
// added in the member.
func testRetention(t *testing.T, e *e2eutil.Env) {
	ns := newNamespace(t, e, "retention", bothMembers...)
	e.DumpOnFailure(t, ns)

	t.Run("retainReplicas", func(t *testing.T) { testRetainReplicas(t, e, ns) })
	t.Run("Service clusterIP and nodePort", func(t *testing.T) { testServiceAllocation(t, e, ns) })
	t.Run("ServiceAccount secrets", func(t *testing.T) { testServiceAccountSecrets(t, e, ns) })
	t.Run("member annotations and finalizers", func(t *testing.T) { testMemberMetadata(t, e, ns) })
}

// testRetainReplicas checks that replicas scaled in member1 are kept, with
// retainReplicas, across a template update.
func testRetainReplicas(t *testing.T, e *e2eutil.Env, ns string) {
	t.Parallel()
	ft := typeOf(t, e, "FederatedDeployment")
	obj := namedFixture(t, "deployment.yaml", ns, "scaled")
	_ = unstructured.SetNestedField(obj.Object, true, "spec", "retainReplicas")
	create(t, e, obj)
	ft.waitPropagated(t, e, obj, bothMembers...)

	// An HPA in member1 scales the copy: the watch of the copy reports
	// the scale (the control), then must show no change of its replicas
	// for a window.
	scale := `{"spec":{"replicas":4}}`
	replicas := func(ev watch.Event) (*appsv1.Deployment, int32, bool) {
		d, ok := ev.Object.(*appsv1.Deployment)
		if !ok || d.Name != obj.GetName() {
			return nil, 0, false
		}
		return d, ptr.Deref(d.Spec.Replicas, 1), true
	}
	res := e2eutil.NegativeCheck{
		What:    fmt.Sprintf("%s with retainReplicas: member1 copy scaled by hand kept its replicas", describe(obj)),
		Sources: []e2eutil.WatchSource{memberSource(t, e, member1, &appsv1.DeploymentList{}, client.InNamespace(ns))},
		Control: func(ctx context.Context) error {
			if err := e.Member(member1).Patch(ctx, ft.mustMember(t, e, member1, obj), client.RawPatch(types.MergePatchType, []byte(scale)), client.FieldOwner("horizontal-pod-autoscaler")); err != nil {
				return fmt.Errorf("scaling the member1 copy: %w", err)
			}
			return nil
		},
		ControlSeen: func(_ string, ev watch.Event) bool {
			_, n, ok := replicas(ev)
			return ok && ev.Type == watch.Modified && n == 4
		},
		Window: 3 * time.Second,
		Forbidden: func(source string, ev watch.Event) string {
			if _, n, ok := replicas(ev); ok && (ev.Type == watch.Deleted || n != 4) {
				return fmt.Sprintf("%s: %s with %d replicas", source, e2eutil.DescribeEvent(ev), n)
			}
			return ""
		},
	}.Run(t)
	t.Logf("The watch reported the scale within %s, then watched for %s.", res.ControlLatency.Round(time.Millisecond), res.Window.Round(time.Millisecond))

	e.UpdateFederated(t, obj, func(u *unstructured.Unstructured) {
		containers, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "template", "spec", "containers")
		containers[0].(map[string]any)["image"] = "nginx:1.28"
		_ = unstructured.SetNestedSlice(u.Object, containers, "spec", "template", "spec", "template", "spec", "containers")
	})
	for _, c := range bothMembers {
		waitMember(t, e, ft, c, obj, "image nginx:1.28", func(m *unstructured.Unstructured) bool {
			containers, _, _ := unstructured.NestedSlice(m.Object, "spec", "template", "spec", "containers")
			return len(containers) == 1 && containers[0].(map[string]any)["image"] == "nginx:1.28"
		})
	}
	ft.waitPropagated(t, e, obj, bothMembers...)
	if err := replicasAre(t.Context(), e, ft, member1, obj, 4); err != nil {
		t.Errorf("after a template update: %v", err)
	}
	if err := replicasAre(t.Context(), e, ft, member2, obj, 2); err != nil { // the fixture's override
		t.Errorf("after a template update: %v", err)
	}
}

// testServiceAllocation checks that a Service keeps the clusterIP and
// nodePort its member allocated across a template update.
func testServiceAllocation(t *testing.T, e *e2eutil.Env, ns string) {
	t.Parallel()
	ft := typeOf(t, e, "FederatedService")
	obj := namedFixture(t, "service.yaml", ns, "node-port")
	_ = unstructured.SetNestedField(obj.Object, "NodePort", "spec", "template", "spec", "type")
	create(t, e, obj)
	ft.waitPropagated(t, e, obj, bothMembers...)
	allocated := map[string]string{}
	for _, c := range bothMembers {
		m := ft.mustMember(t, e, c, obj)
		if np, _ := pointer(m.Object, "/spec/ports/0/nodePort"); np == nil {
			t.Fatalf("%s: the %s copy has no nodePort allocated: %s", describe(obj), c, toJSON(m.Object["spec"]))
		}
		allocated[c] = serviceAllocation(m)
	}
	e.UpdateFederated(t, obj, func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, "v2", "spec", "template", "metadata", "labels", "release")
	})
	for _, c := range bothMembers {
		m := waitMember(t, e, ft, c, obj, "label release=v2", func(m *unstructured.Unstructured) bool {
			return m.GetLabels()["release"] == "v2"
		})
		if got := serviceAllocation(m); got != allocated[c] {
			t.Errorf("%s: %s copy had %s, has %s after a template update", describe(obj), c, allocated[c], got)
		}
	}
}

// testServiceAccountSecrets checks that a secret added to a ServiceAccount
// in the member is kept across a template update.
func testServiceAccountSecrets(t *testing.T, e *e2eutil.Env, ns string) {
	t.Parallel()
	ft, obj := propagatedFixture(t, e, "serviceaccount.yaml", ns, "robot")
	add := `{"secrets":[{"name":"robot-token-extra"}]}`
	if err := e.Member(member1).Patch(t.Context(), ft.mustMember(t, e, member1, obj), client.RawPatch(types.MergePatchType, []byte(add)), client.FieldOwner("token-controller")); err != nil {
		t.Fatalf("adding a secret to the member1 copy: %v", err)
	}
	e.UpdateFederated(t, obj, func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, "v2", "spec", "template", "metadata", "labels", "release")
	})
	m := waitMember(t, e, ft, member1, obj, "label release=v2", func(m *unstructured.Unstructured) bool {
		return m.GetLabels()["release"] == "v2"
	})
	secrets, _, _ := unstructured.NestedSlice(m.Object, "secrets")
	if !jsonEqual(secrets, []any{map[string]any{"name": "robot-token-extra"}}) {
		t.Errorf("%s: member1 copy has secrets %s after a template update, want the one added in the member kept", describe(obj), toJSON(secrets))
	}
}

// testMemberMetadata checks that annotations and finalizers added in the
// member are kept across a template update.
func testMemberMetadata(t *testing.T, e *e2eutil.Env, ns string) {
	t.Parallel()
	ft, obj := propagatedFixture(t, e, "configmap.yaml", ns, "annotated")
	const finalizer = "example.com/keep"
	add := fmt.Sprintf(`{"metadata":{"annotations":{"example.com/owner":"team-a"},"finalizers":[%q]}}`, finalizer)
	m1 := ft.mustMember(t, e, member1, obj)
	if err := e.Member(member1).Patch(t.Context(), m1, client.RawPatch(types.MergePatchType, []byte(add)), client.FieldOwner("someone")); err != nil {
		t.Fatalf("annotating the member1 copy: %v", err)
	}
	t.Cleanup(func() {
		_ = e.Member(member1).Patch(context.Background(), m1, client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`)))
	})
	e.UpdateFederated(t, obj, func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, "bonjour", "spec", "template", "data", "greeting")
	})
	m := waitMember(t, e, ft, member1, obj, "data.greeting bonjour", func(m *unstructured.Unstructured) bool {
		v, _, _ := unstructured.NestedString(m.Object, "data", "greeting")
		return v == "bonjour"
	})
	if got := m.GetAnnotations()["example.com/owner"]; got != "team-a" {
		t.Errorf("%s: member1 copy has annotations %v after a template update, want example.com/owner=team-a kept", describe(obj), m.GetAnnotations())
	}
	if !slices.Contains(m.GetFinalizers(), finalizer) {
		t.Errorf("%s: member1 copy has finalizers %v after a template update, want %s kept", describe(obj), m.GetFinalizers(), finalizer)
	}
}

// replicasAre says how the copy's spec.replicas differs from want.
func replicasAre(ctx context.Context, e *e2eutil.Env, ft fedType, cluster string, obj client.Object, want int64) error {
	m, err := ft.member(ctx, e, cluster, obj)
	if err != nil || m == nil {
		return fmt.Errorf("no copy in %s (%v)", cluster, err)
	}
	if got, _, _ := unstructured.NestedInt64(m.Object, "spec", "replicas"); got != want {
		return fmt.Errorf("%s: %s copy has %d replicas, want %d", describe(obj), cluster, got, want)
	}
	return nil
}

// serviceAllocation describes what a member's API server allocated to a
// Service: its clusterIP and nodePorts.
func serviceAllocation(m *unstructured.Unstructured) string {
	ip, _, _ := unstructured.NestedString(m.Object, "spec", "clusterIP")
	ports, _, _ := unstructured.NestedSlice(m.Object, "spec", "ports")
	var nodePorts []any
	for _, p := range ports {
		nodePorts = append(nodePorts, p.(map[string]any)["nodePort"])
	}
	return fmt.Sprintf("clusterIP %s nodePorts %v", ip, nodePorts)
}
