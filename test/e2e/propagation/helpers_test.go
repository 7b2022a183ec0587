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
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

const (
	member1 = "member1"
	member2 = "member2"

	// timeout bounds every wait for the control plane to act.
	timeout = 45 * time.Second
)

var bothMembers = []string{member1, member2}

// loadFixture reads fixtures/<file>.
func loadFixture(t testing.TB, file string) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("fixtures", file))
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &u.Object); err != nil {
		t.Fatalf("fixtures/%s: %v", file, err)
	}
	return u
}

// namedFixture reads fixtures/<file> and names the object: namespace ns
// (empty for a cluster-scoped one) and name.
func namedFixture(t testing.TB, file, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u := loadFixture(t, file)
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// propagatedFixture creates the object of fixtures/<file> named name in
// ns, waits until it is propagated to both members, and returns its type
// and the object.
func propagatedFixture(t testing.TB, e *e2eutil.Env, file, ns, name string) (fedType, *unstructured.Unstructured) {
	t.Helper()
	obj := namedFixture(t, file, ns, name)
	ft := typeOf(t, e, obj.GetKind())
	create(t, e, obj)
	ft.waitPropagated(t, e, obj, bothMembers...)
	return ft, obj
}

// createControlObjects creates the control objects of a negative check:
// the host namespace ns (deleted when the test ends), then each federated
// object in objs, placed on both members.
func createControlObjects(ctx context.Context, t testing.TB, e *e2eutil.Env, ns string, objs ...*unstructured.Unstructured) error {
	if err := e.Host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		return err
	}
	t.Cleanup(func() {
		_ = e.Host.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	})
	for _, o := range objs {
		if err := fedtypesv1b1.SetPlacementClusterNames(o, bothMembers); err != nil {
			return err
		}
		if err := e.Host.Create(ctx, o); err != nil {
			return fmt.Errorf("creating the control object %s: %w", describe(o), err)
		}
	}
	return nil
}

// waitMember waits until the copy of fedObj in cluster exists and
// satisfies ok; what describes the expectation.
func waitMember(t testing.TB, e *e2eutil.Env, ft fedType, cluster string, fedObj client.Object, what string, ok func(*unstructured.Unstructured) bool) *unstructured.Unstructured {
	t.Helper()
	return waitMemberWithin(t, e, ft, cluster, fedObj, timeout, what, ok)
}

// waitMemberWithin is waitMember with another timeout.
func waitMemberWithin(t testing.TB, e *e2eutil.Env, ft fedType, cluster string, fedObj client.Object, within time.Duration, what string, ok func(*unstructured.Unstructured) bool) *unstructured.Unstructured {
	t.Helper()
	var last *unstructured.Unstructured
	e2eutil.Eventually(t, within, func(ctx context.Context) error {
		mc, err := ft.member(ctx, e, cluster, fedObj)
		if err != nil {
			return err
		}
		if mc == nil {
			return fmt.Errorf("no copy")
		}
		last = mc
		if !ok(mc) {
			mc = mc.DeepCopy()
			mc.SetManagedFields(nil)
			return fmt.Errorf("the copy is %s", toJSON(mc.Object))
		}
		return nil
	}, "%s: %s copy with %s", describe(fedObj), cluster, what)
	return last
}

// fedType is a federated type as a test sees it: its FederatedTypeConfig.
type fedType struct {
	ftc *fedcorev1b1.FederatedTypeConfig
}

func typeOf(t testing.TB, e *e2eutil.Env, fedKind string) fedType {
	t.Helper()
	for _, ftc := range e.TypeConfigs {
		if ftc.Spec.FederatedType.Kind == fedKind {
			return fedType{ftc: ftc}
		}
	}
	t.Fatalf("no FederatedTypeConfig for %s", fedKind)
	return fedType{}
}

func (ft fedType) targetKind() string { return ft.ftc.Spec.TargetType.Kind }

// memberKey is the name (and namespace) of the member copies of fedObj.
func (ft fedType) memberKey(fedObj client.Object) types.NamespacedName {
	if !ft.ftc.Spec.TargetType.Namespaced() {
		return types.NamespacedName{Name: fedObj.GetName()}
	}
	return types.NamespacedName{Namespace: fedObj.GetNamespace(), Name: fedObj.GetName()}
}

func (ft fedType) newTarget() *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(ft.ftc.Spec.TargetType.GroupVersionKind())
	return u
}

// describe names a federated object for messages: "FederatedDeployment ns/web".
func describe(obj client.Object) string {
	kind := obj.GetObjectKind().GroupVersionKind().Kind
	if obj.GetNamespace() == "" {
		return kind + " " + obj.GetName()
	}
	return kind + " " + obj.GetNamespace() + "/" + obj.GetName()
}

// member reads the copy of fedObj in cluster; nil when there is none.
func (ft fedType) member(ctx context.Context, e *e2eutil.Env, cluster string, fedObj client.Object) (*unstructured.Unstructured, error) {
	u := ft.newTarget()
	err := e.Cluster(cluster).Get(ctx, ft.memberKey(fedObj), u)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the %s copy of %s: %w", cluster, describe(fedObj), err)
	}
	return u, nil
}

// mustMember returns the copy of fedObj in cluster, failing when there is
// none.
func (ft fedType) mustMember(t testing.TB, e *e2eutil.Env, cluster string, fedObj client.Object) *unstructured.Unstructured {
	t.Helper()
	m, err := ft.member(t.Context(), e, cluster, fedObj)
	if err != nil {
		t.Fatal(err)
	}
	if m == nil {
		t.Fatalf("%s: no copy in %s", describe(fedObj), cluster)
	}
	return m
}

// get reads fedObj again, into a new object.
func get(ctx context.Context, e *e2eutil.Env, fedObj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(fedObj.GroupVersionKind())
	return u, e.Host.Get(ctx, client.ObjectKeyFromObject(fedObj), u)
}

// create creates a federated object and registers a dump of its state for
// a failure.
func create(t testing.TB, e *e2eutil.Env, obj *unstructured.Unstructured) {
	t.Helper()
	if err := e.Host.Create(t.Context(), obj); err != nil {
		t.Fatalf("creating %s: %v", describe(obj), err)
	}
}

// waitFederated waits until check accepts the federated object as read
// from the host, and returns the object as last read. what (a format and
// its arguments) says what was waited for.
func waitFederated(t testing.TB, e *e2eutil.Env, fedObj *unstructured.Unstructured, check func(ctx context.Context, u *unstructured.Unstructured) error, what string, args ...any) *unstructured.Unstructured {
	t.Helper()
	var last *unstructured.Unstructured
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		u, err := get(ctx, e, fedObj)
		if err != nil {
			return err
		}
		last = u
		return check(ctx, u)
	}, what, args...)
	return last
}

// waitPropagated waits until the federated object reports propagation to
// exactly clusters and every one of them has a managed copy; it returns
// the object as last read.
func (ft fedType) waitPropagated(t testing.TB, e *e2eutil.Env, fedObj *unstructured.Unstructured, clusters ...string) *unstructured.Unstructured {
	t.Helper()
	return waitFederated(t, e, fedObj, func(ctx context.Context, u *unstructured.Unstructured) error {
		if err := e2eutil.CheckPropagated(u, clusters); err != nil {
			return err
		}
		for _, c := range clusters {
			m, err := ft.member(ctx, e, c, u)
			if err != nil {
				return err
			}
			if m == nil {
				return fmt.Errorf("no copy in %s", c)
			}
			if got := m.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey]; got != fedcorev1b1.ManagedByKubeFedLabelValue {
				return fmt.Errorf("the %s copy has label %s=%q, want %q", c, fedcorev1b1.ManagedByKubeFedLabelKey, got, fedcorev1b1.ManagedByKubeFedLabelValue)
			}
		}
		return nil
	}, "%s propagated to %v", describe(fedObj), clusters)
}

// waitNotPropagated waits until the federated object's Propagation
// condition is False with reason, and returns the object as last read.
func waitNotPropagated(t testing.TB, e *e2eutil.Env, fedObj *unstructured.Unstructured, reason fedtypesv1b1.AggregateReason) *unstructured.Unstructured {
	t.Helper()
	return waitFederated(t, e, fedObj, func(_ context.Context, u *unstructured.Unstructured) error {
		s := e2eutil.FederatedStatus(u)
		cond := s.GetCondition(fedtypesv1b1.PropagationConditionType)
		if s.ObservedGeneration != u.GetGeneration() || cond == nil || cond.Status != corev1.ConditionFalse || cond.Reason != reason {
			return fmt.Errorf("Propagation condition is %s at observed generation %d (generation %d), want False with reason %s",
				e2eutil.ConditionString(cond), s.ObservedGeneration, u.GetGeneration(), reason)
		}
		return nil
	}, "%s reporting Propagation False (%s)", describe(fedObj), reason)
}

// waitClusterStatus waits until status.clusters has an entry for cluster
// with the given status, and returns it.
func waitClusterStatus(t testing.TB, e *e2eutil.Env, fedObj *unstructured.Unstructured, cluster string, want fedtypesv1b1.PropagationStatus) fedtypesv1b1.GenericClusterStatus {
	t.Helper()
	u := waitFederated(t, e, fedObj, func(_ context.Context, u *unstructured.Unstructured) error {
		s := e2eutil.FederatedStatus(u)
		c := s.GetCluster(cluster)
		if s.ObservedGeneration != u.GetGeneration() || c == nil || c.Status != want {
			return fmt.Errorf("status.clusters is %s at observed generation %d (generation %d), want %s for %s", toJSON(s.Clusters), s.ObservedGeneration, u.GetGeneration(), orOK(want), cluster)
		}
		return nil
	}, "%s: status of cluster %s %s", describe(fedObj), cluster, orOK(want))
	return *e2eutil.FederatedStatus(u).GetCluster(cluster)
}

func clusterStatus(c *fedtypesv1b1.GenericClusterStatus) fedtypesv1b1.PropagationStatus {
	if c == nil {
		return "missing"
	}
	return c.Status
}

func orOK(s fedtypesv1b1.PropagationStatus) string {
	if s == "" {
		return "OK (empty)"
	}
	return string(s)
}

// waitMemberGone waits until fedObj has no copy in cluster.
func (ft fedType) waitMemberGone(t testing.TB, e *e2eutil.Env, cluster string, fedObj client.Object) {
	t.Helper()
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		m, err := ft.member(ctx, e, cluster, fedObj)
		if err != nil {
			return err
		}
		if m != nil {
			return fmt.Errorf("the copy is still there (deletionTimestamp %v, finalizers %v)", m.GetDeletionTimestamp(), m.GetFinalizers())
		}
		return nil
	}, "%s: copy in %s deleted", describe(fedObj), cluster)
}

// waitGone waits until an object no longer exists in c.
func waitGone(t testing.TB, c client.Client, obj client.Object, what string) {
	t.Helper()
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("still there (deletionTimestamp %v, finalizers %v)", obj.GetDeletionTimestamp(), obj.GetFinalizers())
	}, "%s gone", what)
}

// newNamespace creates a namespace in the host and a FederatedNamespace
// for it placed in clusters (e2eutil's FederatedNamespace), and waits until
// the FederatedNamespace reports propagation to them.
func newNamespace(t testing.TB, e *e2eutil.Env, prefix string, clusters ...string) string {
	t.Helper()
	ns := e.FederatedNamespace(t, prefix, clusters...)
	typeOf(t, e, "FederatedNamespace").waitPropagated(t, e, e2eutil.NewFederatedNamespace(ns), clusters...)
	return ns
}

// placeForTest gives obj, a new federated object of type ft, a place of
// its own for one test, named after prefix: a FederatedNamespace gets its
// own host namespace <prefix>-<random>; a namespaced object is named
// prefix, in a new namespace <prefix>-<random> federated to clusters; a
// cluster-scoped object is named <prefix>-<random>, and it and its copies
// in clusters are deleted when the test ends.
func (ft fedType) placeForTest(t testing.TB, e *e2eutil.Env, obj *unstructured.Unstructured, prefix string, clusters []string) {
	t.Helper()
	switch {
	case ft.ftc.IsNamespace():
		ns := e.HostNamespace(t, prefix)
		obj.SetNamespace(ns)
		obj.SetName(ns)
	case ft.ftc.Spec.FederatedType.Namespaced():
		obj.SetNamespace(newNamespace(t, e, prefix, clusters...))
		obj.SetName(prefix)
	default:
		obj.SetName(prefix + "-" + e2eutil.Suffix())
		t.Cleanup(func() {
			ctx := context.Background()
			_ = e.Host.Delete(ctx, obj)
			for _, c := range clusters {
				mc := ft.newTarget()
				mc.SetName(obj.GetName())
				_ = e.Cluster(c).Delete(ctx, mc)
			}
		})
	}
}

// pointer reads the value at a JSON pointer in obj.
func pointer(obj map[string]any, ptr string) (any, bool) {
	var cur any = obj
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// jsonEqual compares two values as JSON (so that 2, int64(2) and 2.0 are
// equal).
func jsonEqual(a, b any) bool {
	var na, nb any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	_ = json.Unmarshal(ja, &na)
	_ = json.Unmarshal(jb, &nb)
	return reflect.DeepEqual(na, nb)
}

func toJSON(v any) string {
	out, _ := json.Marshal(v)
	return string(out)
}

// jsonValue returns the value of a JSON-encoded override value.
func jsonValue(raw []byte) any {
	var v any
	_ = json.Unmarshal(raw, &v)
	return v
}

// patchMember applies a JSON patch to a member object, as a person with
// kubectl would.
func patchMember(t testing.TB, e *e2eutil.Env, cluster string, obj *unstructured.Unstructured, patch string) {
	t.Helper()
	if err := e.Member(cluster).Patch(t.Context(), obj, client.RawPatch(types.JSONPatchType, []byte(patch))); err != nil {
		t.Fatalf("patching %s %s in %s with %s: %v", obj.GetKind(), client.ObjectKeyFromObject(obj), cluster, patch, err)
	}
}

// memberSource is a watch, for an e2eutil.NegativeCheck, of the objects
// of list's kind that opts select in a member cluster, named "<cluster>
// <kind>" (each source of a check needs its own name).
func memberSource(t testing.TB, e *e2eutil.Env, cluster string, list client.ObjectList, opts ...client.ListOption) e2eutil.WatchSource {
	t.Helper()
	name := cluster + " " + strings.TrimSuffix(kindOf(list), "List")
	return e2eutil.WatchSource{Name: name, Client: e2eutil.NewWatchClient(t, e.Fed.Cluster(cluster).Config), List: list, Opts: opts}
}

// controlConfigMap is the positive control of a negative check on the
// ConfigMaps of a member namespace: a FederatedConfigMap placed in that
// member only, whose copy kubefed must create there.
type controlConfigMap struct {
	t       testing.TB
	e       *e2eutil.Env
	ns      string
	cluster string
	name    string
}

func newControlConfigMap(t testing.TB, e *e2eutil.Env, ns, cluster string) controlConfigMap {
	return controlConfigMap{t: t, e: e, ns: ns, cluster: cluster, name: "control-" + e2eutil.Suffix()}
}

// create creates the FederatedConfigMap.
func (c controlConfigMap) create(ctx context.Context) error {
	obj := namedFixture(c.t, "configmap.yaml", c.ns, c.name)
	if err := fedtypesv1b1.SetPlacementClusterNames(obj, []string{c.cluster}); err != nil {
		return err
	}
	if err := c.e.Host.Create(ctx, obj); err != nil {
		return fmt.Errorf("creating the control object %s: %w", describe(obj), err)
	}
	return nil
}

// seen recognises kubefed's creation of the copy in the member.
func (c controlConfigMap) seen(_ string, ev watch.Event) bool {
	o := e2eutil.EventObject(ev)
	return ev.Type == watch.Added && o != nil && o.GetNamespace() == c.ns && o.GetName() == c.name
}
