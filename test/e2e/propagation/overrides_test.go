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
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// TestOverrides checks KubeFed's override semantics on a real federation:
// the commonest KubeFed override, {path: /metadata/labels, value: {...}}
// without op on a template that has no labels (a replace of a missing
// key, which KubeFed's json-patch v4 turns into an add), works on several
// kinds; an override that KubeFed could not apply either is reported on
// the cluster it was for, and the other cluster still gets its copy.
func TestOverrides(t *testing.T) {
	e := e2eutil.Setup(t, 2)
	for _, fixture := range []string{"configmap.yaml", "deployment.yaml", "service.yaml", "serviceaccount.yaml", "clusterrole.yaml"} {
		t.Run(strings.TrimSuffix(fixture, ".yaml"), func(t *testing.T) {
			t.Parallel()
			testLabelOverride(t, e, fixture)
		})
	}
	t.Run("override that does not apply", func(t *testing.T) {
		t.Parallel()
		testOverrideNotApplied(t, e)
	})
}

// overrideObject loads fixture as a new federated object on both members,
// with a template without labels or annotations and with overrides as
// spec.overrides.
func overrideObject(t *testing.T, e *e2eutil.Env, fixture string, overrides []fedtypesv1b1.GenericOverrideItem) (fedType, *unstructured.Unstructured) {
	obj := loadFixture(t, fixture)
	ft := typeOf(t, e, obj.GetKind())
	kind := strings.ToLower(ft.targetKind())
	ft.placeForTest(t, e, obj, "ovr-"+kind, bothMembers)
	unstructured.RemoveNestedField(obj.Object, "spec", "template", "metadata")
	if err := fedtypesv1b1.SetOverrides(obj, overrides); err != nil {
		t.Fatal(err)
	}
	e.DumpOnFailure(t, obj.GetNamespace(), obj.GetName())
	create(t, e, obj)
	return ft, obj
}

func testLabelOverride(t *testing.T, e *e2eutil.Env, fixture string) {
	ft, obj := overrideObject(t, e, fixture, []fedtypesv1b1.GenericOverrideItem{{
		ClusterName: member2,
		ClusterOverrides: []fedtypesv1b1.ClusterOverride{
			{Path: "/metadata/labels", Value: rawJSON(`{"tier":"gold"}`)},
			{Op: "replace", Path: "/metadata/annotations", Value: rawJSON(`{"region":"eu"}`)},
		},
	}})

	ft.waitPropagated(t, e, obj, bothMembers...)
	m2 := ft.mustMember(t, e, member2, obj)
	if got := m2.GetLabels()["tier"]; got != "gold" {
		t.Errorf("%s: member2 copy has labels %v, want tier=gold from the override", describe(obj), m2.GetLabels())
	}
	if got := m2.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey]; got != fedcorev1b1.ManagedByKubeFedLabelValue {
		t.Errorf("%s: member2 copy has labels %v: the override replaced the labels map and the managed label is missing", describe(obj), m2.GetLabels())
	}
	if got := m2.GetAnnotations()["region"]; got != "eu" {
		t.Errorf("%s: member2 copy has annotations %v, want region=eu from the override", describe(obj), m2.GetAnnotations())
	}
	m1 := ft.mustMember(t, e, member1, obj)
	if _, ok := m1.GetLabels()["tier"]; ok {
		t.Errorf("%s: member2's label override reached member1: labels %v", describe(obj), m1.GetLabels())
	}
	ft.checkVersions(t, e, obj, bothMembers...)
}

func testOverrideNotApplied(t *testing.T, e *e2eutil.Env) {
	// add under a missing parent failed in KubeFed too: the template has
	// no annotations.
	ft, obj := overrideObject(t, e, "configmap.yaml", []fedtypesv1b1.GenericOverrideItem{{
		ClusterName:      member2,
		ClusterOverrides: []fedtypesv1b1.ClusterOverride{{Op: "add", Path: "/metadata/annotations/region", Value: rawJSON(`"eu"`)}},
	}})

	c := waitClusterStatus(t, e, obj, member2, fedtypesv1b1.ApplyOverridesFailed)
	for _, want := range []string{"/metadata/annotations/region", "missing path"} {
		if !strings.Contains(c.Message, want) {
			t.Errorf("%s: status of member2 says %q, want a message naming %q", describe(obj), c.Message, want)
		}
	}
	waitClusterStatus(t, e, obj, member1, fedtypesv1b1.ClusterPropagationOK)
	ft.mustMember(t, e, member1, obj)
	if m, err := ft.member(t.Context(), e, member2, obj); err != nil || m != nil {
		t.Errorf("%s: member2 has a copy (%v) although its overrides do not apply", describe(obj), err)
	}

	t.Log("Fixing the override (a replace of the missing annotations map) propagates it.")
	e.UpdateFederated(t, obj, func(u *unstructured.Unstructured) {
		_ = fedtypesv1b1.SetOverrides(u, []fedtypesv1b1.GenericOverrideItem{{
			ClusterName:      member2,
			ClusterOverrides: []fedtypesv1b1.ClusterOverride{{Path: "/metadata/annotations", Value: rawJSON(`{"region":"eu"}`)}},
		}})
	})
	waitMember(t, e, ft, member2, obj, "annotation region=eu", func(mc *unstructured.Unstructured) bool {
		return mc.GetAnnotations()["region"] == "eu"
	})
	ft.waitPropagated(t, e, obj, bothMembers...)
}
