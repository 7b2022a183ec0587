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

package namespaced_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// lifeCase is one federated kind: its object (placed on both members, with
// an override for member2), a field the override sets, and a field a
// person changes by hand in member1 (drift).
type lifeCase struct {
	kind   string
	target schema.GroupVersionKind
	spec   string // YAML of spec.template
	// overridePath and overrideValue: member2's override (a JSON pointer
	// into the template and a JSON value).
	overridePath, overrideValue string
	// driftPath is a field of the copy changed by hand in member1, to
	// driftValue (JSON).
	driftPath, driftValue string
}

var cases = []lifeCase{
	{kind: "FederatedConfigMap", target: schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"},
		spec:         "data: {greeting: hello, mode: blue}",
		overridePath: "/data/mode", overrideValue: `"green"`,
		driftPath: "/data/greeting", driftValue: `"drifted"`},
	{kind: "FederatedSecret", target: schema.GroupVersionKind{Version: "v1", Kind: "Secret"},
		spec:         "type: Opaque\ndata: {password: czNjcmV0}",
		overridePath: "/data/password", overrideValue: `"MHRoZXI="`,
		driftPath: "/data/password", driftValue: `"ZHJpZnRlZA=="`},
	{kind: "FederatedService", target: schema.GroupVersionKind{Version: "v1", Kind: "Service"},
		spec:         "spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}",
		overridePath: "/spec/selector/app", overrideValue: `"web-canary"`,
		driftPath: "/spec/selector/app", driftValue: `"drifted"`},
	{kind: "FederatedServiceAccount", target: schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"},
		spec:         "automountServiceAccountToken: true",
		overridePath: "/automountServiceAccountToken", overrideValue: `false`,
		driftPath: "/automountServiceAccountToken", driftValue: `false`},
	{kind: "FederatedDeployment", target: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
		spec: `spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}`,
		overridePath: "/spec/replicas", overrideValue: `2`,
		driftPath: "/spec/replicas", driftValue: `3`},
}

// testLife creates, updates, drifts, re-places and deletes one federated
// object of the case's kind, checking the member copies and the status at
// every step.
func testLife(t *testing.T, e *env, c lifeCase) {
	name := "life-" + strings.ToLower(c.target.Kind)
	obj := fedObject(t, fmt.Sprintf(`apiVersion: types.kubefed.io/v1beta1
kind: %s
metadata: {name: %s, namespace: %s}
spec:
  template:
    metadata: {labels: {e2e: namespaced}}
%s
  placement: {clusters: [{name: member1}, {name: member2}]}
  overrides:
  - clusterName: member2
    clusterOverrides: [{path: %s, value: %s}]
`, c.kind, name, namespace, indent(c.spec, "    "), c.overridePath, c.overrideValue))
	t.Cleanup(func() { _ = e.Host.Delete(context.Background(), obj) })
	dumpOnFailure(t, e, c, obj)
	if err := e.Host.Create(t.Context(), obj); err != nil {
		t.Fatalf("creating %s %s/%s: %v", c.kind, namespace, name, err)
	}

	t.Log("Create: a copy in both members, member2's override applied, status Propagation True.")
	waitPropagated(t, e, obj, members...)
	waitCopy(t, e, c, "member2", obj, c.overridePath+" = "+c.overrideValue, func(m *unstructured.Unstructured) bool {
		return jsonAt(m, c.overridePath) == c.overrideValue
	})
	waitCopy(t, e, c, "member1", obj, "template label e2e=namespaced", func(m *unstructured.Unstructured) bool {
		return m.GetLabels()["e2e"] == "namespaced" && jsonAt(m, c.overridePath) != c.overrideValue
	})

	t.Log("Template update: both copies updated.")
	e.UpdateTemplate(t, obj, c.target, memberKey(obj), members, timeout)

	t.Logf("Drift: %s changed by hand in member1 is set back.", c.driftPath)
	copy1 := mustCopy(t, e, c, "member1", obj)
	want := jsonAt(copy1, c.driftPath)
	patch := fmt.Sprintf(`[{"op":"replace","path":%q,"value":%s}]`, c.driftPath, c.driftValue)
	if err := e.Member("member1").Patch(t.Context(), copy1, client.RawPatch(types.JSONPatchType, []byte(patch))); err != nil {
		t.Fatalf("patching the member1 copy with %s: %v", patch, err)
	}
	waitCopy(t, e, c, "member1", obj, c.driftPath+" back to "+want, func(mc *unstructured.Unstructured) bool {
		return jsonAt(mc, c.driftPath) == want
	})

	t.Log("Drift: the copy deleted in member1 is created again.")
	copy1 = mustCopy(t, e, c, "member1", obj)
	if err := e.Member("member1").Delete(t.Context(), copy1); err != nil {
		t.Fatalf("deleting the member1 copy: %v", err)
	}
	waitCopy(t, e, c, "member1", obj, "a new copy (another uid)", func(mc *unstructured.Unstructured) bool {
		return mc.GetUID() != copy1.GetUID() && mc.GetDeletionTimestamp() == nil
	})

	t.Log("Placement on member1 only: member2's copy is deleted.")
	e.UpdateFederated(t, obj, func(u *unstructured.Unstructured) {
		_ = fedtypesv1b1.SetPlacementClusterNames(u, []string{"member1"})
	})
	waitGone(t, e, c, "member2", obj)
	waitPropagated(t, e, obj, "member1")

	t.Log("Deletion: the copies go with the federated object.")
	if err := e.Host.Delete(t.Context(), obj); err != nil {
		t.Fatalf("deleting %s: %v", c.kind, err)
	}
	waitGone(t, e, c, "member1", obj)
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(obj.GroupVersionKind())
		err := e.Host.Get(ctx, client.ObjectKeyFromObject(obj), u)
		if err == nil {
			return fmt.Errorf("still there, finalizers %v", u.GetFinalizers())
		}
		return client.IgnoreNotFound(err)
	}, "%s %s/%s deleted", c.kind, namespace, name)
}

// waitPropagated waits until the federated object's status says it is
// propagated to exactly clusters, for its current generation.
func waitPropagated(t *testing.T, e *env, obj *unstructured.Unstructured, clusters ...string) {
	t.Helper()
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(obj.GroupVersionKind())
		if err := e.Host.Get(ctx, client.ObjectKeyFromObject(obj), u); err != nil {
			return err
		}
		s, err := fedtypesv1b1.GetStatus(u)
		if err != nil || s == nil {
			return fmt.Errorf("no status yet (%v)", err)
		}
		cond := s.GetCondition(fedtypesv1b1.PropagationConditionType)
		if s.ObservedGeneration != u.GetGeneration() || cond == nil || cond.Status != corev1.ConditionTrue {
			return fmt.Errorf("observedGeneration %d of %d, Propagation %s, clusters %s", s.ObservedGeneration, u.GetGeneration(), toJSON(cond), toJSON(s.Clusters))
		}
		var got []string
		for _, cs := range s.Clusters {
			if cs.Status != fedtypesv1b1.ClusterPropagationOK {
				return fmt.Errorf("cluster %s is %s: %s", cs.Name, cs.Status, cs.Message)
			}
			got = append(got, cs.Name)
		}
		if !reflect.DeepEqual(got, clusters) {
			return fmt.Errorf("status.clusters %v, want %v", got, clusters)
		}
		return nil
	}, "%s %s propagated to %v", obj.GetKind(), client.ObjectKeyFromObject(obj), clusters)
}

// waitCopy waits until the copy in cluster satisfies ok.
func waitCopy(t *testing.T, e *env, c lifeCase, cluster string, obj *unstructured.Unstructured, what string, ok func(*unstructured.Unstructured) bool) {
	t.Helper()
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		m, err := getMember(ctx, e, cluster, c.target, obj)
		if err != nil {
			return err
		}
		if m == nil {
			return fmt.Errorf("no copy")
		}
		if !ok(m) {
			m.SetManagedFields(nil)
			return fmt.Errorf("the copy is %s", toJSON(m.Object))
		}
		return nil
	}, "%s %s: %s copy with %s", c.kind, client.ObjectKeyFromObject(obj), cluster, what)
}

func mustCopy(t *testing.T, e *env, c lifeCase, cluster string, obj *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	m, err := getMember(t.Context(), e, cluster, c.target, obj)
	if err != nil || m == nil {
		t.Fatalf("%s %s: no copy in %s (%v)", c.kind, client.ObjectKeyFromObject(obj), cluster, err)
	}
	return m
}

func waitGone(t *testing.T, e *env, c lifeCase, cluster string, obj *unstructured.Unstructured) {
	t.Helper()
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		m, err := getMember(ctx, e, cluster, c.target, obj)
		if err != nil {
			return err
		}
		if m != nil {
			return fmt.Errorf("the copy is still there (deletionTimestamp %v)", m.GetDeletionTimestamp())
		}
		return nil
	}, "%s %s: copy in %s deleted", c.kind, client.ObjectKeyFromObject(obj), cluster)
}

// jsonAt returns the JSON of the value at a JSON pointer ("" when absent).
func jsonAt(u *unstructured.Unstructured, ptr string) string {
	fields := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	v, found, err := unstructured.NestedFieldNoCopy(u.Object, fields...)
	if err != nil || !found {
		return ""
	}
	return toJSON(v)
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n")
}

// dumpOnFailure prints, when the test failed, the federated object, its
// copies, the clusters and the controller log lines about it.
func dumpOnFailure(t *testing.T, e *env, c lifeCase, obj *unstructured.Unstructured) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		ctx := context.Background()
		var b strings.Builder
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(obj.GroupVersionKind())
		err := e.Host.Get(ctx, client.ObjectKeyFromObject(obj), u)
		u.SetManagedFields(nil)
		fmt.Fprintf(&b, "host %s (%v):\n%s\n", c.kind, err, toJSON(u.Object))
		for _, m := range members {
			mc, err := getMember(ctx, e, m, c.target, obj)
			if mc != nil {
				mc.SetManagedFields(nil)
			}
			fmt.Fprintf(&b, "%s copy (%v): %s\n", m, err, toJSON(mc))
		}
		for _, m := range members {
			kfc := &fedcorev1b1.KubeFedCluster{}
			err := e.Host.Get(ctx, client.ObjectKey{Namespace: namespace, Name: m}, kfc)
			fmt.Fprintf(&b, "KubeFedCluster %s ready: %t (error %v), conditions %s\n", m, kfc.Status.IsReady(), err, toJSON(kfc.Status.Conditions))
		}
		fmt.Fprintf(&b, "controller log lines about it or its clusters:\n%s\n", strings.Join(e.LogLines(80, obj.GetName(), "rror"), "\n"))
		t.Log(b.String())
	})
}
