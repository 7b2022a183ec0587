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
	"io"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// namespaceDeletionTimeout bounds the deletion of a federated namespace in
// every cluster: the namespace controllers of three control planes on a
// shared machine, not kubefed, set the pace.
const namespaceDeletionTimeout = 90 * time.Second

// quietWindow is how long a watch that has just shown a positive event
// must then show no deletion of the host's namespace.
const quietWindow = 5 * time.Second

// TestHostJoinedIntoItself runs namespace deletion on KubeFed's documented
// setup, with the control plane under the chart's identity (which may not
// read namespaces in the host): the host cluster is also a member (joined
// into itself with kubefedctl join host --cluster-context host
// --host-cluster-context host), so the host's own namespace of a
// FederatedNamespace is one of its copies.
func TestHostJoinedIntoItself(t *testing.T) {
	e := e2eutil.Setup(t, 2)
	joinHost(t, e)
	all := []string{e2eutil.HostName, member1, member2}

	for _, p := range []struct {
		name  string
		place func(*unstructured.Unstructured) error
	}{
		{"clusterSelector {}", placeBySelectingAll},
		{"cluster list", func(u *unstructured.Unstructured) error { return fedtypesv1b1.SetPlacementClusterNames(u, all) }},
	} {
		t.Run("kubectl delete namespace, placed by "+p.name, func(t *testing.T) {
			t.Parallel()
			ns, w := federatedNamespaceWithObjects(t, e, "del-ns", p.place, all)
			// Positive control: the same watch shows the control plane
			// labelling the host's namespace, and no deletion before.
			w.untilLabelled(t, true)
			w.stop()

			start := time.Now()
			if err := e.Host.Delete(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
				t.Fatalf("deleting namespace %s in the host: %v", ns, err)
			}
			waitNamespaceGone(t, e, ns, all...)
			t.Logf("Namespace %s was deleted in the host and both members in %s.", ns, time.Since(start).Round(100*time.Millisecond))
		})
	}

	t.Run("host removed from placement", func(t *testing.T) {
		t.Parallel()
		ns, w := federatedNamespaceWithObjects(t, e, "off-host", placeBySelectingAll, all)
		w.untilLabelled(t, true)

		fedNS := e2eutil.NewFederatedNamespace(ns)
		e.UpdateFederated(t, fedNS, func(u *unstructured.Unstructured) {
			if err := fedtypesv1b1.SetPlacementClusterNames(u, bothMembers); err != nil {
				t.Fatal(err)
			}
		})
		// The host's namespace loses the label (the positive event), is
		// never deleted, and stays so for a while after.
		w.untilLabelled(t, false)
		w.quietFor(t, e, quietWindow)
		typeOf(t, e, "FederatedNamespace").waitPropagated(t, e, fedNS, bothMembers...)
	})

	t.Run("FederatedNamespace deleted alone", func(t *testing.T) {
		t.Parallel()
		ns, w := federatedNamespaceWithObjects(t, e, "del-fedns", func(u *unstructured.Unstructured) error {
			return fedtypesv1b1.SetPlacementClusterNames(u, all)
		}, all)
		w.untilLabelled(t, true)

		fedNS := e2eutil.NewFederatedNamespace(ns)
		if err := e.Host.Delete(t.Context(), fedNS); err != nil {
			t.Fatalf("deleting %s: %v", describe(fedNS), err)
		}
		waitGone(t, e.Host, fedNS, describe(fedNS))
		for _, c := range []string{member1, member2} {
			waitNamespaceGone(t, e, ns, c)
		}
		// The host's own namespace stays, released: no managed label, not
		// being deleted, and it stays so.
		w.untilLabelled(t, false)
		w.quietFor(t, e, quietWindow)
	})
}

// waitNamespaceGone waits until namespace ns is deleted in every one of
// clusters.
func waitNamespaceGone(t *testing.T, e *e2eutil.Env, ns string, clusters ...string) {
	t.Helper()
	e2eutil.Eventually(t, namespaceDeletionTimeout, func(ctx context.Context) error {
		for _, c := range clusters {
			n := &corev1.Namespace{}
			err := e.Cluster(c).Get(ctx, client.ObjectKey{Name: ns}, n)
			if apierrors.IsNotFound(err) {
				continue
			}
			if err != nil {
				return fmt.Errorf("reading namespace %s in %s: %w", ns, c, err)
			}
			return fmt.Errorf("namespace %s still exists in %s: %s", ns, c, namespaceState(ctx, e, n))
		}
		return nil
	}, "namespace %s deleted in %v", ns, clusters)
}

// placeBySelectingAll places a federated object with clusterSelector: {}
// (and no cluster list, which would take precedence), which selects every
// joined cluster, the host joined into itself included.
func placeBySelectingAll(u *unstructured.Unstructured) error {
	return unstructured.SetNestedField(u.Object, map[string]any{"clusterSelector": map[string]any{}}, "spec", "placement")
}

// namespaceWatch follows one namespace of the host and fails the test on
// any event that shows it deleted or being deleted.
type namespaceWatch struct {
	ns     string
	w      watch.Interface
	events int
}

// watchHostNamespace watches the host's namespace ns from resourceVersion
// rv until the test ends.
func watchHostNamespace(t *testing.T, e *e2eutil.Env, ns, rv string) *namespaceWatch {
	t.Helper()
	c, err := client.NewWithWatch(e.Fed.Host.Config, client.Options{Scheme: e.Host.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	w, err := c.Watch(t.Context(), &corev1.NamespaceList{}, &client.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", ns),
		Raw:           &metav1.ListOptions{ResourceVersion: rv},
	})
	if err != nil {
		t.Fatalf("watching namespace %s in the host: %v", ns, err)
	}
	nw := &namespaceWatch{ns: ns, w: w}
	t.Cleanup(nw.stop)
	return nw
}

func (w *namespaceWatch) stop() { w.w.Stop() }

// next returns the next event's namespace, or nil when d passes first. It
// fails the test when the namespace is deleted or being deleted.
func (w *namespaceWatch) next(t *testing.T, d time.Duration) *corev1.Namespace {
	t.Helper()
	select {
	case ev, ok := <-w.w.ResultChan():
		if !ok {
			t.Fatalf("the watch of namespace %s in the host closed after %d events", w.ns, w.events)
		}
		w.events++
		n, isNS := ev.Object.(*corev1.Namespace)
		if !isNS {
			t.Fatalf("watch of namespace %s in the host: %s event with %T: %v", w.ns, ev.Type, ev.Object, ev.Object)
		}
		if ev.Type == watch.Deleted || !n.DeletionTimestamp.IsZero() {
			t.Fatalf("the control plane deleted the host's own namespace %s (%s event, deletionTimestamp %v, labels %v)", w.ns, ev.Type, n.DeletionTimestamp, n.Labels)
		}
		return n
	case <-time.After(d):
		return nil
	}
}

// until reads events until one satisfies done.
func (w *namespaceWatch) until(t *testing.T, what string, done func(*corev1.Namespace) bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("%s: not seen within %s (%d events)", what, timeout, w.events)
		}
		if n := w.next(t, left); n != nil && done(n) {
			return
		}
	}
}

// untilLabelled reads events until the namespace has the managed label
// (labelled) or has none (!labelled).
func (w *namespaceWatch) untilLabelled(t *testing.T, labelled bool) {
	t.Helper()
	what := fmt.Sprintf("namespace %s in the host unlabelled", w.ns)
	if labelled {
		what = fmt.Sprintf("namespace %s in the host labelled %s=%s", w.ns, fedcorev1b1.ManagedByKubeFedLabelKey, fedcorev1b1.ManagedByKubeFedLabelValue)
	}
	w.until(t, what, func(n *corev1.Namespace) bool {
		v, ok := n.Labels[fedcorev1b1.ManagedByKubeFedLabelKey]
		if labelled {
			return v == fedcorev1b1.ManagedByKubeFedLabelValue
		}
		return !ok
	})
}

// quietFor reads events for d, then touches the namespace and reads until
// the touch arrives, so that the watch is shown live over the whole window:
// no event in it may show the namespace deleted or being deleted, or
// carrying the managed label (quietFor follows its release).
func (w *namespaceWatch) quietFor(t *testing.T, e *e2eutil.Env, d time.Duration) {
	t.Helper()
	end := time.Now().Add(d)
	for left := time.Until(end); left > 0; left = time.Until(end) {
		if n := w.next(t, left); n != nil {
			if v, ok := n.Labels[fedcorev1b1.ManagedByKubeFedLabelKey]; ok {
				t.Fatalf("the control plane labelled the host's own namespace %s %s=%s again after releasing it", w.ns, fedcorev1b1.ManagedByKubeFedLabelKey, v)
			}
		}
	}
	mark := "quiet-" + e2eutil.Suffix()
	patch := fmt.Sprintf(`{"metadata":{"annotations":{"e2e.kubefed.io/mark":%q}}}`, mark)
	if err := e.Host.Patch(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: w.ns}}, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		t.Fatalf("annotating namespace %s in the host: %v", w.ns, err)
	}
	w.until(t, "the watch of namespace "+w.ns+" showing its annotation", func(n *corev1.Namespace) bool {
		return n.Annotations["e2e.kubefed.io/mark"] == mark
	})
}

// joinHost joins the host cluster into itself (as "host") and waits until
// it is Ready.
func joinHost(t *testing.T, e *e2eutil.Env) {
	t.Helper()
	if _, err := kubefedctl.Join(t.Context(), kubefedctl.JoinOptions{
		ClusterName: e2eutil.HostName, HostClusterName: e2eutil.HostName,
		HostConfig: e.Fed.Host.Config, ClusterConfig: e.Fed.Host.Config,
		KubeFedNamespace: e2eutil.Namespace, ErrorOnExisting: true,
		HostContext: e2eutil.HostName, ClusterContext: e2eutil.HostName, Out: io.Discard,
	}); err != nil {
		t.Fatalf("joining the host cluster into itself: %v", err)
	}
	e.WaitClusterReady(t, e2eutil.HostName, corev1.ConditionTrue, time.Minute)
}

// federatedNamespaceWithObjects creates a namespace in the host with a
// FederatedNamespace and a FederatedConfigMap placed by place, and waits
// until both are propagated to clusters (the host's own namespace then
// carries the managed label). It returns the namespace and a watch of the
// host's namespace from its creation.
func federatedNamespaceWithObjects(t *testing.T, e *e2eutil.Env, prefix string, place func(*unstructured.Unstructured) error, clusters []string) (string, *namespaceWatch) {
	t.Helper()
	ns := e.HostNamespace(t, prefix)
	e.DumpOnFailure(t, ns)
	created := &corev1.Namespace{}
	if err := e.Host.Get(t.Context(), client.ObjectKey{Name: ns}, created); err != nil {
		t.Fatal(err)
	}
	w := watchHostNamespace(t, e, ns, created.ResourceVersion)

	fedNS := e2eutil.NewFederatedNamespace(ns)
	if err := place(fedNS); err != nil {
		t.Fatal(err)
	}
	create(t, e, fedNS)

	cm := namedFixture(t, "configmap.yaml", ns, "web")
	if err := place(cm); err != nil {
		t.Fatal(err)
	}
	create(t, e, cm)

	for _, obj := range []*unstructured.Unstructured{fedNS, cm} {
		ft := typeOf(t, e, obj.GetKind())
		ft.waitPropagated(t, e, obj, clusters...)
	}
	return ns, w
}

// namespaceState describes a namespace that is still there: its phase,
// finalizers and conditions, and the FederatedNamespace's finalizers and
// status in the host when there is one.
func namespaceState(ctx context.Context, e *e2eutil.Env, n *corev1.Namespace) string {
	s := fmt.Sprintf("phase %s, deletionTimestamp %v, finalizers %v, conditions %s", n.Status.Phase, n.DeletionTimestamp, n.Spec.Finalizers, toJSON(n.Status.Conditions))
	fedNS := &unstructured.Unstructured{}
	fedNS.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
	if err := e.Host.Get(ctx, client.ObjectKey{Namespace: n.Name, Name: n.Name}, fedNS); err == nil {
		s += fmt.Sprintf("; FederatedNamespace finalizers %v, status %s", fedNS.GetFinalizers(), toJSON(e2eutil.FederatedStatus(fedNS)))
	}
	return s
}
