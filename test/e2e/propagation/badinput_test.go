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
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// testBadInput checks that input one member cannot take (an override that
// does not apply, an object its API server rejects) fails that member only,
// with a status that says why.
func testBadInput(t *testing.T, e *e2eutil.Env) {
	ns := newNamespace(t, e, "bad-input", bothMembers...)
	e.DumpOnFailure(t, ns)

	for _, tc := range badOverrideCases {
		t.Run(tc.name, func(t *testing.T) { testBadOverride(t, e, ns, tc) })
	}
	t.Run("update the member rejects", func(t *testing.T) { testRejectedUpdate(t, e, ns) })
}

// badOverrideCase is an override for member2 that member2 cannot take.
type badOverrideCase struct {
	name, fixture, objName string
	override               fedtypesv1b1.ClusterOverride
	status                 fedtypesv1b1.PropagationStatus
	// mentions are what member2's status message must hold.
	mentions []string
	// member1 checks member1's copy beyond its existence.
	member1 func(t *testing.T, obj, m1 *unstructured.Unstructured)
}

var badOverrideCases = []badOverrideCase{{
	name: "override on a missing path", fixture: "configmap.yaml", objName: "bad-override",
	override: fedtypesv1b1.ClusterOverride{Op: "replace", Path: "/spec/nothing", Value: rawJSON(`"x"`)},
	status:   fedtypesv1b1.ApplyOverridesFailed, mentions: []string{"/spec/nothing"},
	member1: func(*testing.T, *unstructured.Unstructured, *unstructured.Unstructured) {},
}, {
	// member2's pods would not match the selector: its API server
	// refuses the Deployment, with its own message.
	name: "object the member rejects", fixture: "deployment.yaml", objName: "bad-selector",
	override: fedtypesv1b1.ClusterOverride{Path: "/spec/template/metadata/labels/app", Value: rawJSON(`"other"`)},
	status:   fedtypesv1b1.CreationFailed, mentions: []string{"selector", "does not match template"},
	member1: func(t *testing.T, obj, m1 *unstructured.Unstructured) {
		if app, _, _ := unstructured.NestedString(m1.Object, "spec", "template", "metadata", "labels", "app"); app != "web" {
			t.Errorf("%s: member1 copy has pod label app=%q, want web", describe(obj), app)
		}
	},
}}

// testBadOverride checks that an override member2 cannot take fails
// member2 only: its status names the reason and says why, member1 gets its
// copy, member2 none; removing the override lets member2 converge.
func testBadOverride(t *testing.T, e *e2eutil.Env, ns string, tc badOverrideCase) {
	t.Parallel()
	obj := namedFixture(t, tc.fixture, ns, tc.objName)
	ft := typeOf(t, e, obj.GetKind())
	_ = fedtypesv1b1.SetOverrides(obj, []fedtypesv1b1.GenericOverrideItem{{ClusterName: member2, ClusterOverrides: []fedtypesv1b1.ClusterOverride{tc.override}}})
	create(t, e, obj)
	got := waitClusterStatus(t, e, obj, member2, tc.status)
	for _, m := range tc.mentions {
		if !strings.Contains(got.Message, m) {
			t.Errorf("%s: member2's %s message %q does not mention %q", describe(obj), tc.status, got.Message, m)
		}
	}
	waitClusterStatus(t, e, obj, member1, fedtypesv1b1.ClusterPropagationOK)
	tc.member1(t, obj, ft.mustMember(t, e, member1, obj))
	if m, err := ft.member(t.Context(), e, member2, obj); err != nil || m != nil {
		t.Errorf("%s: a copy exists in member2 although it cannot take its override (%v)", describe(obj), err)
	}
	waitNotPropagated(t, e, obj, fedtypesv1b1.CheckClusters)

	t.Log("Removing the override lets member2 converge.")
	e.UpdateFederated(t, obj, func(u *unstructured.Unstructured) {
		_ = fedtypesv1b1.SetOverrides(u, nil)
	})
	ft.waitPropagated(t, e, obj, bothMembers...)
}

// testRejectedUpdate checks that an update member2 rejects is never
// reported up to date for member2, and ends with UpdateFailed carrying the
// API server's message.
func testRejectedUpdate(t *testing.T, e *e2eutil.Env, ns string) {
	t.Parallel()
	ft, obj := propagatedFixture(t, e, "deployment.yaml", ns, "bad-update")

	// member2's pods would no longer match the (immutable) selector.
	// From the first status of the new generation on (the control: the
	// watch of the FederatedDeployment reports it), and past the
	// controller's retry, member2 is never reported up to date while its
	// copy is not updated.
	before, err := get(t.Context(), e, obj)
	if err != nil {
		t.Fatal(err)
	}
	gen0 := before.GetGeneration()
	wrong := rejectedUpdateCheck(e, ft, obj, gen0)
	var first string // what was wrong with the control event itself
	fedList := &unstructured.UnstructuredList{}
	fedList.SetGroupVersionKind(obj.GroupVersionKind().GroupVersion().WithKind(obj.GetKind() + "List"))
	hc := e2eutil.NewWatchClient(t, e.Fed.Host.Config)
	isObj := func(ev watch.Event) (*unstructured.Unstructured, bool) {
		u, ok := ev.Object.(*unstructured.Unstructured)
		return u, ok && u.GetName() == obj.GetName()
	}
	res := e2eutil.NegativeCheck{
		What:    fmt.Sprintf("%s after member2 refused an update", describe(obj)),
		Sources: []e2eutil.WatchSource{{Name: e2eutil.HostName, Client: hc, List: fedList, Opts: []client.ListOption{client.InNamespace(ns)}}},
		Control: func(context.Context) error {
			e.UpdateFederated(t, obj, func(u *unstructured.Unstructured) {
				items, _ := fedtypesv1b1.GetOverrides(u)
				items[0].ClusterOverrides = append(items[0].ClusterOverrides, fedtypesv1b1.ClusterOverride{
					Path: "/spec/template/metadata/labels/app", Value: rawJSON(`"other"`),
				})
				_ = fedtypesv1b1.SetOverrides(u, items)
			})
			return nil
		},
		ControlSeen: func(_ string, ev watch.Event) bool {
			u, ok := isObj(ev)
			if !ok || u.GetGeneration() <= gen0 || e2eutil.FederatedStatus(u).ObservedGeneration != u.GetGeneration() {
				return false
			}
			first = wrong(u)
			return true
		},
		Window: 20 * time.Second,
		Forbidden: func(_ string, ev watch.Event) string {
			if u, ok := isObj(ev); ok {
				return wrong(u)
			}
			return ""
		},
	}.Run(t)
	if first != "" {
		t.Errorf("%s after member2 refused an update: the first status of the new generation: %s", describe(obj), first)
	}
	t.Logf("The watch reported the status of the new generation within %s, then watched for %s.",
		res.ControlLatency.Round(time.Millisecond), res.Window.Round(time.Millisecond))
	got := waitClusterStatus(t, e, obj, member2, fedtypesv1b1.UpdateFailed)
	if !strings.Contains(got.Message, "does not match template") {
		t.Errorf("%s: member2's UpdateFailed message %q does not carry the API server's", describe(obj), got.Message)
	}
}

// rejectedUpdateCheck returns what is wrong with a status of a generation
// of obj after gen0 that reports member2 up to date although member2's
// copy was never updated ("" if nothing).
func rejectedUpdateCheck(e *e2eutil.Env, ft fedType, obj *unstructured.Unstructured, gen0 int64) func(*unstructured.Unstructured) string {
	return func(u *unstructured.Unstructured) string {
		if u.GetGeneration() <= gen0 || e2eutil.FederatedStatus(u).ObservedGeneration != u.GetGeneration() {
			return ""
		}
		c := e2eutil.FederatedStatus(u).GetCluster(member2)
		if c != nil && c.Status != fedtypesv1b1.ClusterPropagationOK {
			return ""
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m2, err := ft.member(ctx, e, member2, obj)
		if err != nil || m2 == nil {
			return fmt.Sprintf("no member2 copy (%v)", err)
		}
		app, _, _ := unstructured.NestedString(m2.Object, "spec", "template", "metadata", "labels", "app")
		if app == "other" {
			return ""
		}
		return fmt.Sprintf("status.clusters reports member2 as %s although its copy was never updated (pod label app=%q, want other): the failed update was forgotten; status.clusters %s",
			orOK(clusterStatus(c)), app, toJSON(e2eutil.FederatedStatus(u).Clusters))
	}
}
