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

package kubefedctl_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	policyv1 "k8s.io/api/policy/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

func testEnableCRD(t *testing.T, e *chartEnv) {
	out := e.kubefedctl(t, "enable", "widgets.example.com")
	contains(t, out, "customresourcedefinition.apiextensions.k8s.io/federatedwidgets.types.kubefed.io created",
		"federatedtypeconfig.core.kubefed.io/widgets.example.com created in namespace "+ns,
		"Sync controller of widgets.example.com is running.")
	// The template validates against the Widget's schema.
	err := createFederatedWidget(t, e.host, "too-small", 0)
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.template.spec.size") {
		t.Errorf("a FederatedWidget with size 0: error %v, want Invalid naming spec.template.spec.size", err)
	}
	if err := createFederatedWidget(t, e.host, "w1", 2); err != nil {
		t.Fatal(err)
	}
	e.waitWidgetSize(t, "member1", "w1", 2)
	e.waitWidgetSize(t, "member2", "w1", 5)
	// Enabling it again changes nothing.
	contains(t, e.kubefedctl(t, "enable", "Widget"), "Type widgets.example.com is already enabled: nothing changed.")
}

// testDisable checks that disable stops propagation without touching the
// member copies: the members' watches first report a template change made
// while the type is enabled, and then, for a window at least three times
// as long as that change took, report no event of the Widget at all after
// disable and a second template change.
func testDisable(t *testing.T, e *chartEnv) {
	widgets := &unstructured.UnstructuredList{}
	widgets.SetAPIVersion("example.com/v1")
	widgets.SetKind("WidgetList")
	var sources []e2eutil.WatchSource
	for _, m := range []string{"member1", "member2"} {
		sources = append(sources, e2eutil.WatchSource{
			Name: m, Client: e2eutil.NewWatchClient(t, e.fed.Cluster(m).Config), List: widgets, Opts: []client.ListOption{client.InNamespace(appNS)},
		})
	}
	isW1 := func(ev watch.Event) (*unstructured.Unstructured, bool) {
		u, ok := ev.Object.(*unstructured.Unstructured)
		return u, ok && u.GetName() == "w1"
	}
	res := e2eutil.NegativeCheck{
		What:    "disabling widgets.example.com",
		Sources: sources,
		// Enabled, a template change reaches both members (member2's size
		// is overridden, its color is not).
		Control: func(ctx context.Context) error { return e.updateWidgetTemplate(ctx, "w1", 2, "blue") },
		ControlSeen: func(_ string, ev watch.Event) bool {
			u, ok := isW1(ev)
			if !ok || ev.Type != watch.Modified {
				return false
			}
			color, _, _ := unstructured.NestedString(u.Object, "spec", "style", "color")
			return color == "blue"
		},
		Act: func(ctx context.Context) error {
			out := e.kubefedctl(t, "disable", "widgets.example.com")
			contains(t, out, `Disabled propagation for FederatedTypeConfig "`+ns+`/widgets.example.com"`,
				`Propagation controller for FederatedTypeConfig "`+ns+`/widgets.example.com" is stopped`)
			return e.updateWidgetTemplate(ctx, "w1", 3, "red")
		},
		Window: 5 * time.Second,
		Forbidden: func(m string, ev watch.Event) string {
			u, ok := isW1(ev)
			if !ok {
				return ""
			}
			if ev.Type == watch.Deleted {
				return fmt.Sprintf("the copy of w1 in %s was deleted by disable", m)
			}
			size, _, _ := unstructured.NestedInt64(u.Object, "spec", "size")
			color, _, _ := unstructured.NestedString(u.Object, "spec", "style", "color")
			return fmt.Sprintf("the copy of w1 in %s was written after disable (%s: size %d, color %s)", m, e2eutil.DescribeEvent(ev), size, color)
		},
	}.Run(t)
	t.Logf("a template change reached both members %s after it was made while enabled; the copies were watched for %s after disable and a second change", res.ControlLatency.Round(time.Millisecond), res.Window.Round(100*time.Millisecond))

	out, code := e.kubefedctlErr(t, "disable", "widgets.example.com", "--delete-crd")
	if code == 0 || !strings.Contains(out, "cannot delete CRD federatedwidgets.types.kubefed.io while 1 FederatedWidget objects exist ("+appNS+"/w1)") {
		t.Errorf("disable --delete-crd with an object: exit %d", code)
	}
	out = e.kubefedctl(t, "disable", "widgets.example.com", "--delete-crd", "--force")
	contains(t, out, `federatedtypeconfig "`+ns+`/widgets.example.com" deleted`, `customresourcedefinition "federatedwidgets.types.kubefed.io" deleted`)
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		if err := e.host.Get(ctx, client.ObjectKey{Name: "federatedwidgets.types.kubefed.io"}, &apiextensionsv1.CustomResourceDefinition{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("CRD still there (%v)", err)
		}
		return nil
	}, "federated CRD deleted")

	// Enable again: a new object propagates.
	out = e.kubefedctl(t, "enable", "widgets.example.com")
	contains(t, out, "federatedwidgets.types.kubefed.io created", "Sync controller of widgets.example.com is running.")
	if err := createFederatedWidget(t, e.host, "w2", 4); err != nil {
		t.Fatal(err)
	}
	e.waitWidgetSize(t, "member1", "w2", 4)
	e.waitWidgetSize(t, "member2", "w2", 5)
}

func testEnableBuiltin(t *testing.T, e *chartEnv) {
	out := e.kubefedctl(t, "enable", "poddisruptionbudgets.policy")
	contains(t, out, "federatedpoddisruptionbudgets.types.kubefed.io created", "Sync controller of poddisruptionbudgets.policy is running.")
	manifest := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedPodDisruptionBudget", "metadata": {"name": "web", "namespace": "` + appNS + `"},
		"spec": {"template": {"spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}}, "placement": {"clusterSelector": {}}}}`
	kubefedctltest.MustCreate(t, e.host, manifest)
	for _, m := range []string{"member1", "member2"} {
		e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
			pdb := &policyv1.PodDisruptionBudget{}
			if err := e.members[m].Get(ctx, client.ObjectKey{Namespace: appNS, Name: "web"}, pdb); err != nil {
				return err
			}
			if pdb.Spec.MinAvailable == nil || *pdb.Spec.MinAvailable != intstr.FromInt32(1) {
				return fmt.Errorf("minAvailable %v", pdb.Spec.MinAvailable)
			}
			return nil
		}, "PodDisruptionBudget in %s", m)
	}
}

// testFederatedGroup enables a CRD into a federated group other than
// types.kubefed.io: enable grants the controller access through the chart's
// aggregated ClusterRole, and an object propagates without a restart.
func testFederatedGroup(t *testing.T, e *chartEnv) {
	for _, c := range append([]client.Client{e.host}, e.members["member1"], e.members["member2"]) {
		kubefedctltest.InstallCRD(t, c, kubefedctltest.ExampleCRD("Gadget", "gdg"))
	}
	out := e.kubefedctl(t, "enable", "gadgets.example.com", "--federated-group", "federated.example.com")
	contains(t, out, "customresourcedefinition.apiextensions.k8s.io/federatedgadgets.federated.example.com created",
		"clusterrole.rbac.authorization.k8s.io/kubefed-role:federated:federated.example.com created",
		"Sync controller of gadgets.example.com is running.")
	manifest := `{"apiVersion": "federated.example.com/v1beta1", "kind": "FederatedGadget", "metadata": {"name": "g1", "namespace": "` + appNS + `"},
		"spec": {"template": {"spec": {"size": 7}}, "placement": {"clusterSelector": {}}}}`
	kubefedctltest.MustCreate(t, e.host, manifest)
	for _, m := range []string{"member1", "member2"} {
		e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
			g := &unstructured.Unstructured{}
			g.SetAPIVersion("example.com/v1")
			g.SetKind("Gadget")
			if err := e.members[m].Get(ctx, client.ObjectKey{Namespace: appNS, Name: "g1"}, g); err != nil {
				return err
			}
			if size, _, _ := unstructured.NestedInt64(g.Object, "spec", "size"); size != 7 {
				return fmt.Errorf("size %d", size)
			}
			return nil
		}, "Gadget g1 in %s", m)
	}
}
