/*
Copyright 2026 The KubeFed Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a mc of the License at

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
	"reflect"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// crudCase is one default federated type for the CRUD sequence.
type crudCase struct {
	// fixture is the file in fixtures/: the object with a template, both
	// members in its placement and an override for member2.
	fixture string
	// drift is a JSON pointer to a field of the template that a person
	// changes in member1's mc, and driftValue the value set there.
	drift      string
	driftValue any
}

var crudCases = []crudCase{
	{fixture: "namespace.yaml", drift: "/metadata/labels/team", driftValue: "drifted"},
	{fixture: "configmap.yaml", drift: "/data/greeting", driftValue: "drifted"},
	{fixture: "secret.yaml", drift: "/data/password", driftValue: "ZHJpZnRlZA=="},
	{fixture: "service.yaml", drift: "/spec/selector/app", driftValue: "drifted"},
	{fixture: "serviceaccount.yaml", drift: "/automountServiceAccountToken", driftValue: false},
	{fixture: "deployment.yaml", drift: "/spec/replicas", driftValue: 3},
	{fixture: "replicaset.yaml", drift: "/spec/replicas", driftValue: 3},
	{fixture: "daemonset.yaml", drift: "/spec/minReadySeconds", driftValue: 5},
	{fixture: "statefulset.yaml", drift: "/spec/replicas", driftValue: 3},
	{fixture: "job.yaml", drift: "/spec/parallelism", driftValue: 3},
	{fixture: "cronjob.yaml", drift: "/spec/schedule", driftValue: "0 5 * * *"},
	{fixture: "ingress.yaml", drift: "/spec/rules/0/host", driftValue: "drifted.example.com"},
	{fixture: "clusterrole.yaml", drift: "/rules/0/verbs", driftValue: []string{"delete"}},
	{fixture: "clusterrolebinding.yaml", drift: "/subjects/0/name", driftValue: "drifted"},
	{fixture: "role.yaml", drift: "/rules/0/verbs", driftValue: []string{"delete"}},
	{fixture: "rolebinding.yaml", drift: "/subjects/0/name", driftValue: "mallory"},
}

// testCRUD runs the whole life of one federated object of the fixture's
// type, checking the member copies, the status and the PropagatedVersion
// at every step.
func testCRUD(t *testing.T, e *e2eutil.Env, c crudCase) {
	fixture := loadFixture(t, c.fixture)
	ft := typeOf(t, e, fixture.GetKind())
	kind := strings.ToLower(ft.targetKind())

	// Every object gets its own namespace (a FederatedNamespace on both
	// members) and a unique name; cluster-scoped copies are deleted by
	// hand at the end.
	newObject := func(tag string) *unstructured.Unstructured {
		obj := fixture.DeepCopy()
		ft.placeForTest(t, e, obj, "crud-"+kind+tag, bothMembers)
		// A label in the template shows that metadata is propagated, and
		// gives the overrides below a map to add to.
		if err := unstructured.SetNestedField(obj.Object, "crud", "spec", "template", "metadata", "labels", "e2e"); err != nil {
			t.Fatal(err)
		}
		return obj
	}

	obj := newObject("")
	e.DumpOnFailure(t, obj.GetNamespace(), obj.GetName())
	create(t, e, obj)
	overrides, err := fedtypesv1b1.GetOverrides(obj)
	if err != nil || len(overrides) != 1 || overrides[0].ClusterName != member2 {
		t.Fatalf("fixtures/%s must have overrides for member2 only: %v", c.fixture, err)
	}

	t.Log("Create: a copy in both members, member2's override applied.")
	ft.waitPropagated(t, e, obj, bothMembers...)
	ft.checkOverrideApplied(t, e, obj, overrides[0])
	created := ft.checkVersions(t, e, obj, bothMembers...)

	t.Log("Template update: both copies updated.")
	e.UpdateTemplate(t, obj, ft.newTarget().GroupVersionKind(), ft.memberKey(obj), bothMembers, timeout)
	templated := ft.checkVersionChange(t, e, obj, created, "a template update", "template")

	t.Log("Override change: only member2's copy is written.")
	ft.checkOverrideChange(t, e, obj, templated)

	t.Log("Placement on member1 only: member2's copy is deleted.")
	e.UpdateFederated(t, obj, func(u *unstructured.Unstructured) {
		_ = fedtypesv1b1.SetPlacementClusterNames(u, []string{member1})
	})
	ft.waitMemberGone(t, e, member2, obj)
	ft.waitPropagated(t, e, obj, member1)
	ft.checkVersions(t, e, obj, member1)

	t.Logf("Drift: %s changed by hand in member1 is set back.", c.drift)
	ft.checkDriftUndone(t, e, obj, c)

	t.Log("Drift: the copy deleted in member1 is created again.")
	copy1 := ft.mustMember(t, e, member1, obj)
	if err := e.Member(member1).Delete(t.Context(), copy1); err != nil {
		t.Fatalf("deleting the member1 copy of %s: %v", describe(obj), err)
	}
	waitMember(t, e, ft, member1, obj, "a new copy (another uid)", func(mc *unstructured.Unstructured) bool {
		return mc.GetUID() != copy1.GetUID() && mc.GetDeletionTimestamp() == nil
	})
	ft.waitPropagated(t, e, obj, member1)

	t.Log("Delete: the copies go, then the finalizer and the object.")
	if err := e.Host.Delete(t.Context(), obj); err != nil {
		t.Fatalf("deleting %s: %v", describe(obj), err)
	}
	ft.waitMemberGone(t, e, member1, obj)
	waitGone(t, e.Host, obj.DeepCopy(), describe(obj))
	_, pv, _ := ft.versionRecord(t.Context(), e, obj)
	waitGone(t, e.Host, pv, "PropagatedVersion of "+describe(obj))
	for _, m := range bothMembers {
		if mc, err := ft.member(t.Context(), e, m, obj); err != nil || mc != nil {
			t.Errorf("%s: a copy is in %s after the deletion (%v)", describe(obj), m, err)
		}
	}

	t.Log("Orphan delete: the copies stay, without the managed label.")
	ft.checkOrphanDelete(t, e, newObject("-orphan"))
}

// checkOverrideApplied checks the member copies of a new obj: both carry
// the template's label, member2's has its override applied and member1's
// has not.
func (ft fedType) checkOverrideApplied(t *testing.T, e *e2eutil.Env, obj *unstructured.Unstructured, overrides fedtypesv1b1.GenericOverrideItem) {
	t.Helper()
	m1, m2 := ft.mustMember(t, e, member1, obj), ft.mustMember(t, e, member2, obj)
	for _, m := range []*unstructured.Unstructured{m1, m2} {
		if got := m.GetLabels()["e2e"]; got != "crud" {
			t.Errorf("%s: copy in a member has template label e2e=%q, want crud", describe(obj), got)
		}
	}
	for _, o := range overrides.ClusterOverrides {
		want := jsonValue(o.Value.Raw)
		if got, _ := pointer(m2.Object, o.Path); !jsonEqual(got, want) {
			t.Errorf("%s: member2 copy has %s = %s, want the override's %s", describe(obj), o.Path, toJSON(got), toJSON(want))
		}
		if got, _ := pointer(m1.Object, o.Path); jsonEqual(got, want) {
			t.Errorf("%s: member1 copy has %s = %s: member2's override reached member1", describe(obj), o.Path, toJSON(got))
		}
	}
}

// checkOverrideChange adds an override for member2 and checks that only
// member2's copy is written.
func (ft fedType) checkOverrideChange(t *testing.T, e *e2eutil.Env, obj *unstructured.Unstructured, templated *fedcorev1a1.PropagatedVersionStatus) {
	t.Helper()
	before1 := ft.mustMember(t, e, member1, obj)
	e.UpdateFederated(t, obj, func(u *unstructured.Unstructured) {
		items, _ := fedtypesv1b1.GetOverrides(u)
		items[0].ClusterOverrides = append(items[0].ClusterOverrides, fedtypesv1b1.ClusterOverride{
			Op: "add", Path: "/metadata/labels/e2e-override", Value: rawJSON(`"member2"`),
		})
		if err := fedtypesv1b1.SetOverrides(u, items); err != nil {
			t.Fatal(err)
		}
	})
	waitMember(t, e, ft, member2, obj, "label e2e-override=member2", func(mc *unstructured.Unstructured) bool {
		return mc.GetLabels()["e2e-override"] == "member2"
	})
	ft.checkVersionChange(t, e, obj, templated, "an override change", "overrides")
	after1 := ft.mustMember(t, e, member1, obj)
	// The member's own controllers may write the copy's status meanwhile
	// (a Job's active and ready Pods): only what kubefed writes counts.
	if b, a := withoutStatus(before1), withoutStatus(after1); !reflect.DeepEqual(b, a) {
		t.Errorf("%s: member1 copy was written (resourceVersion %s -> %s) by an override change for member2 only:\nbefore %v\nafter  %v",
			describe(obj), before1.GetResourceVersion(), after1.GetResourceVersion(), b, a)
	}
	if _, ok := after1.GetLabels()["e2e-override"]; ok {
		t.Errorf("%s: member2's override label reached member1", describe(obj))
	}
}

// checkDriftUndone changes c.drift by hand in member1 and checks that it
// is set back.
func (ft fedType) checkDriftUndone(t *testing.T, e *e2eutil.Env, obj *unstructured.Unstructured, c crudCase) {
	t.Helper()
	copy1 := ft.mustMember(t, e, member1, obj)
	want, _ := pointer(copy1.Object, c.drift)
	patchMember(t, e, member1, copy1, fmt.Sprintf(`[{"op":"replace","path":%q,"value":%s}]`, c.drift, toJSON(c.driftValue)))
	waitMember(t, e, ft, member1, obj, fmt.Sprintf("%s back to %s after it was set to %s", c.drift, toJSON(want), toJSON(c.driftValue)), func(mc *unstructured.Unstructured) bool {
		got, _ := pointer(mc.Object, c.drift)
		return jsonEqual(got, want)
	})
}

// checkOrphanDelete creates orphan with the orphan annotation, deletes it
// and checks that its copies stay, without the managed label.
func (ft fedType) checkOrphanDelete(t *testing.T, e *e2eutil.Env, orphan *unstructured.Unstructured) {
	t.Helper()
	orphan.SetAnnotations(map[string]string{fedcorev1b1.OrphanManagedResourcesAnnotation: fedcorev1b1.OrphanManagedResourcesAll})
	t.Cleanup(func() {
		for _, m := range bothMembers {
			mc := ft.newTarget()
			key := ft.memberKey(orphan)
			mc.SetName(key.Name)
			mc.SetNamespace(key.Namespace)
			_ = e.Member(m).Delete(context.Background(), mc)
		}
	})
	create(t, e, orphan)
	ft.waitPropagated(t, e, orphan, bothMembers...)
	if err := e.Host.Delete(t.Context(), orphan); err != nil {
		t.Fatalf("deleting %s: %v", describe(orphan), err)
	}
	waitGone(t, e.Host, orphan.DeepCopy(), describe(orphan))
	for _, m := range bothMembers {
		mc, err := ft.member(t.Context(), e, m, orphan)
		switch {
		case err != nil:
			t.Error(err)
		case mc == nil:
			t.Errorf("%s (orphan annotation): the %s copy was deleted, want it kept", describe(orphan), m)
		case mc.GetDeletionTimestamp() != nil:
			t.Errorf("%s (orphan annotation): the %s copy is being deleted, want it kept", describe(orphan), m)
		case mc.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey] != "":
			t.Errorf("%s (orphan annotation): the %s copy still has labels %v, want %s removed", describe(orphan), m, mc.GetLabels(), fedcorev1b1.ManagedByKubeFedLabelKey)
		}
	}
}

func rawJSON(s string) *apiextensionsv1.JSON { return &apiextensionsv1.JSON{Raw: []byte(s)} }

// withoutStatus returns the member copy's object without what the member's
// own controllers write: its status, resourceVersion and managedFields.
func withoutStatus(u *unstructured.Unstructured) map[string]any {
	c := u.DeepCopy()
	unstructured.RemoveNestedField(c.Object, "status")
	unstructured.RemoveNestedField(c.Object, "metadata", "resourceVersion")
	unstructured.RemoveNestedField(c.Object, "metadata", "managedFields")
	return c.Object
}

// checkVersionChange waits until obj is propagated to both members and
// its PropagatedVersion is current, and fails the test unless, since prev,
// exactly one of its versions changed: changed, "template" or "overrides".
// after says what the test did ("a template update"). It returns the
// record.
func (ft fedType) checkVersionChange(t *testing.T, e *e2eutil.Env, obj *unstructured.Unstructured, prev *fedcorev1a1.PropagatedVersionStatus, after, changed string) *fedcorev1a1.PropagatedVersionStatus {
	t.Helper()
	ft.waitPropagated(t, e, obj, bothMembers...)
	rec := ft.checkVersions(t, e, obj, bothMembers...)
	templateChanged := rec.TemplateVersion != prev.TemplateVersion
	overridesChanged := rec.OverrideVersion != prev.OverrideVersion
	if templateChanged != (changed == "template") || overridesChanged != (changed == "overrides") {
		t.Errorf("%s: after %s the PropagatedVersion went from template %s overrides %s to template %s overrides %s; want only the %s version to change",
			describe(obj), after, prev.TemplateVersion, prev.OverrideVersion, rec.TemplateVersion, rec.OverrideVersion, changed)
	}
	return rec
}
