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
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// testBadInput checks that input one member cannot take (an override that
// does not apply, an object its API server rejects) fails that member only,
// with a status that says why.
func testBadInput(t *testing.T, e *e2eutil.Env) {
	ns := newNamespace(t, e, "bad-input", bothMembers...)
	e.DumpOnFailure(t, ns)

	t.Run("override on a missing path", func(t *testing.T) {
		t.Parallel()
		ft := typeOf(t, e, "FederatedConfigMap")
		obj := loadFixture(t, "configmap.yaml")
		obj.SetNamespace(ns)
		obj.SetName("bad-override")
		_ = fedtypesv1b1.SetOverrides(obj, []fedtypesv1b1.GenericOverrideItem{{ClusterName: member2, ClusterOverrides: []fedtypesv1b1.ClusterOverride{
			{Op: "replace", Path: "/spec/nothing", Value: rawJSON(`"x"`)},
		}}})
		create(t, e, obj)
		got := waitClusterStatus(t, e, obj, member2, fedtypesv1b1.ApplyOverridesFailed)
		if !strings.Contains(got.Message, "/spec/nothing") {
			t.Errorf("%s: member2's ApplyOverridesFailed message %q does not name the path /spec/nothing", describe(obj), got.Message)
		}
		waitClusterStatus(t, e, obj, member1, fedtypesv1b1.ClusterPropagationOK)
		ft.mustMember(t, e, member1, obj)
		if m, err := ft.member(t.Context(), e, member2, obj); err != nil || m != nil {
			t.Errorf("%s: a copy exists in member2 although its overrides do not apply (%v)", describe(obj), err)
		}
		waitNotPropagated(t, e, obj, fedtypesv1b1.CheckClusters)
	})

	t.Run("object the member rejects", func(t *testing.T) {
		t.Parallel()
		ft := typeOf(t, e, "FederatedDeployment")
		obj := loadFixture(t, "deployment.yaml")
		obj.SetNamespace(ns)
		obj.SetName("bad-selector")
		// member2's pods would not match the selector: its API server
		// refuses the Deployment.
		_ = fedtypesv1b1.SetOverrides(obj, []fedtypesv1b1.GenericOverrideItem{{ClusterName: member2, ClusterOverrides: []fedtypesv1b1.ClusterOverride{
			{Path: "/spec/template/metadata/labels/app", Value: rawJSON(`"other"`)},
		}}})
		create(t, e, obj)
		got := waitClusterStatus(t, e, obj, member2, fedtypesv1b1.CreationFailed)
		if !strings.Contains(got.Message, "selector") || !strings.Contains(got.Message, "does not match template") {
			t.Errorf("%s: member2's CreationFailed message %q does not carry the API server's (selector does not match template labels)", describe(obj), got.Message)
		}
		waitClusterStatus(t, e, obj, member1, fedtypesv1b1.ClusterPropagationOK)
		m1 := ft.mustMember(t, e, member1, obj)
		if app, _, _ := unstructured.NestedString(m1.Object, "spec", "template", "metadata", "labels", "app"); app != "web" {
			t.Errorf("%s: member1 copy has pod label app=%q, want web", describe(obj), app)
		}
		waitNotPropagated(t, e, obj, fedtypesv1b1.CheckClusters)

		t.Log("Fixing the override lets member2 converge.")
		update(t, e, obj, func(u *unstructured.Unstructured) {
			_ = fedtypesv1b1.SetOverrides(u, nil)
		})
		ft.waitPropagated(t, e, obj, bothMembers...)
	})
	t.Run("update the member rejects", func(t *testing.T) {
		t.Parallel()
		ft := typeOf(t, e, "FederatedDeployment")
		obj := loadFixture(t, "deployment.yaml")
		obj.SetNamespace(ns)
		obj.SetName("bad-update")
		create(t, e, obj)
		ft.waitPropagated(t, e, obj, bothMembers...)

		// member2's pods would no longer match the (immutable) selector.
		update(t, e, obj, func(u *unstructured.Unstructured) {
			items, _ := fedtypesv1b1.GetOverrides(u)
			items[0].ClusterOverrides = append(items[0].ClusterOverrides, fedtypesv1b1.ClusterOverride{
				Path: "/spec/template/metadata/labels/app", Value: rawJSON(`"other"`),
			})
			_ = fedtypesv1b1.SetOverrides(u, items)
		})
		// From the first status of the new generation on, and past the
		// controller's retry, member2 is never reported up to date while
		// its copy is not updated.
		e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
			u, err := get(ctx, e, obj)
			if err != nil {
				return err
			}
			if got := status(u).ObservedGeneration; got != u.GetGeneration() {
				return fmt.Errorf("status.observedGeneration is %d, want %d", got, u.GetGeneration())
			}
			return nil
		}, "%s: status of the override change", describe(obj))
		consistently(t, 20*time.Second, func(ctx context.Context) error {
			u, err := get(ctx, e, obj)
			if err != nil {
				return err
			}
			c := status(u).GetCluster(member2)
			m2, err := ft.member(ctx, e, member2, obj)
			if err != nil || m2 == nil {
				return fmt.Errorf("no member2 copy (%v)", err)
			}
			app, _, _ := unstructured.NestedString(m2.Object, "spec", "template", "metadata", "labels", "app")
			if c == nil || (c.Status == fedtypesv1b1.ClusterPropagationOK && app != "other") {
				return fmt.Errorf("status.clusters reports member2 as %s although its copy was never updated (pod label app=%q, want other): the failed update was forgotten; status.clusters %s",
					orOK(clusterStatus(c)), app, toJSON(status(u).Clusters))
			}
			return nil
		}, "%s after member2 refused an update", describe(obj))
		got := waitClusterStatus(t, e, obj, member2, fedtypesv1b1.UpdateFailed)
		if !strings.Contains(got.Message, "does not match template") {
			t.Errorf("%s: member2's UpdateFailed message %q does not carry the API server's", describe(obj), got.Message)
		}
	})
}
