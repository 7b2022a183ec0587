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
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// testAdoption checks how existing member objects are treated: adopted
// while adoptResources is Enabled (the default), AlreadyExists while it is
// Disabled, and never touched when labelled kubefed.io/managed: "false".
// The steps run in order: the second changes the KubeFedConfig.
func testAdoption(t *testing.T, e *e2eutil.Env) {
	ns := newNamespace(t, e, "adoption", bothMembers...)
	e.DumpOnFailure(t, ns)
	ft := typeOf(t, e, "FederatedConfigMap")
	a := adoption{e: e, ns: ns}

	t.Run("adopted by default", func(t *testing.T) {
		a.preexisting(t, member1, "adopt-me", nil)
		a.preexisting(t, member2, "adopt-me", nil)
		obj := a.federated(t, "adopt-me", bothMembers...)
		create(t, e, obj)
		ft.waitPropagated(t, e, obj, bothMembers...)
		for _, m := range bothMembers {
			// Fields the template sets are kubefed's from now on; fields only
			// the member set (data.owner) stay theirs, as with every
			// server-side apply.
			got := waitMember(t, e, ft, m, obj, "adopted with the template's data", func(u *unstructured.Unstructured) bool {
				greeting, _, _ := unstructured.NestedString(u.Object, "data", "greeting")
				return greeting == "hello" && u.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey] == fedcorev1b1.ManagedByKubeFedLabelValue
			})
			if got.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey] != fedcorev1b1.ManagedByKubeFedLabelValue {
				t.Errorf("adopted ConfigMap in %s has labels %v", m, got.GetLabels())
			}
		}
	})

	t.Run("labelled managed false", func(t *testing.T) {
		mine := a.preexisting(t, member1, "keep-out", map[string]string{fedcorev1b1.ManagedByKubeFedLabelKey: fedcorev1b1.UnmanagedByKubeFedLabelValue})
		obj := a.federated(t, "keep-out", member1)
		create(t, e, obj)
		waitClusterStatus(t, e, obj, member1, fedtypesv1b1.ManagedLabelFalse)
		a.unchanged(t, member1, mine)
	})

	t.Run("adoption disabled", func(t *testing.T) {
		setAdoption(t, e, fedcorev1b1.AdoptResourcesDisabled)
		t.Cleanup(func() { setAdoption(t, e, fedcorev1b1.AdoptResourcesEnabled) })
		theirs := a.preexisting(t, member1, "already-there", nil)
		obj := a.federated(t, "already-there", bothMembers...)
		create(t, e, obj)
		got := waitClusterStatus(t, e, obj, member1, fedtypesv1b1.AlreadyExists)
		if got.Message == "" {
			t.Errorf("%s: AlreadyExists for member1 carries no message", describe(obj))
		}
		waitClusterStatus(t, e, obj, member2, fedtypesv1b1.ClusterPropagationOK)
		a.unchanged(t, member1, theirs)
	})
}

// adoption is the namespace of testAdoption, in which its ConfigMaps are
// written.
type adoption struct {
	e  *e2eutil.Env
	ns string
}

// preexisting creates a ConfigMap in a member, as a user would before
// kubefed propagates one of the same name.
func (a adoption) preexisting(t *testing.T, cluster, name string, labels map[string]string) *corev1.ConfigMap {
	t.Helper()
	e, ns := a.e, a.ns
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
		Data: map[string]string{"owner": cluster}}
	if err := e.Member(cluster).Create(t.Context(), cm); err != nil {
		t.Fatalf("creating ConfigMap %s/%s in %s: %v", ns, name, cluster, err)
	}
	return cm
}

// federated is a FederatedConfigMap placed in clusters, without overrides.
func (a adoption) federated(t *testing.T, name string, clusters ...string) *unstructured.Unstructured {
	t.Helper()
	ns := a.ns
	obj := namedFixture(t, "configmap.yaml", ns, name)
	_ = fedtypesv1b1.SetOverrides(obj, nil)
	if err := fedtypesv1b1.SetPlacementClusterNames(obj, clusters); err != nil {
		t.Fatal(err)
	}
	return obj
}

// unchanged checks that kubefed does not write want: a watch of the
// ConfigMaps of ns in cluster first reports kubefed's creation of a
// control copy there, then must show no event of want for a window;
// want's resourceVersion, read last, covers the time before the watch.
func (a adoption) unchanged(t *testing.T, cluster string, want *corev1.ConfigMap) {
	t.Helper()
	e, ns := a.e, a.ns
	ctl := newControlConfigMap(t, e, ns, cluster)
	res := e2eutil.NegativeCheck{
		What:        fmt.Sprintf("ConfigMap %s/%s in %s left alone", ns, want.Name, cluster),
		Sources:     []e2eutil.WatchSource{memberSource(t, e, cluster, &corev1.ConfigMapList{}, client.InNamespace(ns))},
		Control:     ctl.create,
		ControlSeen: ctl.seen,
		Window:      3 * time.Second,
		Forbidden: func(source string, ev watch.Event) string {
			if o := e2eutil.EventObject(ev); o != nil && o.GetName() == want.Name {
				return fmt.Sprintf("%s: %s", source, e2eutil.DescribeEvent(ev))
			}
			return ""
		},
	}.Run(t)
	t.Logf("The ConfigMap watch of %s reported the control copy within %s, then watched ConfigMap %s/%s for %s.",
		cluster, res.ControlLatency.Round(time.Millisecond), ns, want.Name, res.Window.Round(time.Millisecond))
	got := &corev1.ConfigMap{}
	if err := e.Member(cluster).Get(t.Context(), client.ObjectKeyFromObject(want), got); err != nil {
		t.Fatalf("reading ConfigMap %s/%s in %s: %v", ns, want.Name, cluster, err)
	}
	if got.ResourceVersion != want.ResourceVersion {
		t.Errorf("ConfigMap %s/%s in %s was written (resourceVersion %s, was %s): labels %v, data %v",
			ns, want.Name, cluster, got.ResourceVersion, want.ResourceVersion, got.Labels, got.Data)
	}
}

// setAdoption sets spec.syncController.adoptResources in the KubeFedConfig.
func setAdoption(t testing.TB, e *e2eutil.Env, mode fedcorev1b1.ResourceAdoption) {
	t.Helper()
	patch := fmt.Sprintf(`{"spec":{"syncController":{"adoptResources":%q}}}`, mode)
	cfg := &fedcorev1b1.KubeFedConfig{ObjectMeta: metav1.ObjectMeta{Namespace: e2eutil.Namespace, Name: fedcorev1b1.KubeFedConfigName}}
	if err := e.Host.Patch(context.WithoutCancel(t.Context()), cfg, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		t.Fatalf("setting adoptResources to %s: %v", mode, err)
	}
}

// testOrphanedCopies removes a federated object while the control plane is
// down (its finalizer removed by hand): when the control plane returns, the
// member copies lose the managed label and stay.
func testOrphanedCopies(t *testing.T, e *e2eutil.Env) {
	ns := newNamespace(t, e, "orphaned", bothMembers...)
	e.DumpOnFailure(t, ns)
	ft, obj := propagatedFixture(t, e, "configmap.yaml", ns, "gone")

	e.StopControlPlane(t)
	restarted := false
	defer func() {
		if !restarted {
			e.StartControlPlane(t)
		}
	}()
	live, err := get(t.Context(), e, obj)
	if err != nil {
		t.Fatal(err)
	}
	live.SetFinalizers(nil)
	if err := e.Host.Update(t.Context(), live); err != nil {
		t.Fatalf("removing the finalizers of %s: %v", describe(obj), err)
	}
	if err := e.Host.Delete(t.Context(), live); err != nil {
		t.Fatalf("deleting %s: %v", describe(obj), err)
	}
	waitGone(t, e.Host, live, describe(obj))
	e.StartControlPlane(t)
	restarted = true

	for _, m := range bothMembers {
		got := waitMember(t, e, ft, m, obj, "released (no managed label)", func(u *unstructured.Unstructured) bool {
			_, labelled := u.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey]
			return !labelled
		})
		if got.GetDeletionTimestamp() != nil {
			t.Errorf("the copy in %s of the vanished %s is being deleted; it must stay", m, describe(obj))
		}
	}
}
