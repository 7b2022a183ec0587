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

// TestHostJoinedIntoItself runs namespace deletion on KubeFed's documented
// setup: the host cluster is also a member (joined into itself), so the
// host's own namespace of a FederatedNamespace is one of its copies.
func TestHostJoinedIntoItself(t *testing.T) {
	e := e2eutil.Setup(t, 2)
	joinHost(t, e)
	all := []string{e2eutil.HostName, member1, member2}

	t.Run("kubectl delete namespace", func(t *testing.T) {
		t.Parallel()
		ns := federatedNamespaceWithObjects(t, e, "del-ns", all)

		start := time.Now()
		if err := e.Host.Delete(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatalf("deleting namespace %s in the host: %v", ns, err)
		}
		e2eutil.Eventually(t, namespaceDeletionTimeout, func(ctx context.Context) error {
			for _, c := range all {
				n := &corev1.Namespace{}
				err := clusterClient(e, c).Get(ctx, client.ObjectKey{Name: ns}, n)
				if apierrors.IsNotFound(err) {
					continue
				}
				if err != nil {
					return fmt.Errorf("reading namespace %s in %s: %w", ns, c, err)
				}
				return fmt.Errorf("namespace %s still exists in %s: %s", ns, c, namespaceState(ctx, e, n))
			}
			return nil
		}, "namespace %s deleted in %v", ns, all)
		t.Logf("Namespace %s was deleted in the host and both members in %s.", ns, time.Since(start).Round(100*time.Millisecond))
	})

	t.Run("FederatedNamespace deleted alone", func(t *testing.T) {
		t.Parallel()
		ns := federatedNamespaceWithObjects(t, e, "del-fedns", all)

		fedNS := &unstructured.Unstructured{}
		fedNS.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
		fedNS.SetNamespace(ns)
		fedNS.SetName(ns)
		if err := e.Host.Delete(t.Context(), fedNS); err != nil {
			t.Fatalf("deleting %s: %v", describe(fedNS), err)
		}
		waitGone(t, e.Host, fedNS, describe(fedNS))
		for _, c := range []string{member1, member2} {
			e2eutil.Eventually(t, namespaceDeletionTimeout, func(ctx context.Context) error {
				n := &corev1.Namespace{}
				err := e.Member(c).Get(ctx, client.ObjectKey{Name: ns}, n)
				if apierrors.IsNotFound(err) {
					return nil
				}
				if err != nil {
					return err
				}
				return fmt.Errorf("still there: %s", namespaceState(ctx, e, n))
			}, "namespace %s deleted in %s", ns, c)
		}
		// The host's own namespace stays, released: no managed label, not
		// being deleted, and it stays so.
		check := func(ctx context.Context) error {
			n := &corev1.Namespace{}
			if err := e.Host.Get(ctx, client.ObjectKey{Name: ns}, n); err != nil {
				return fmt.Errorf("reading namespace %s in the host: %w", ns, err)
			}
			if !n.DeletionTimestamp.IsZero() {
				return fmt.Errorf("namespace %s is being deleted in the host: %s", ns, namespaceState(ctx, e, n))
			}
			if v, ok := n.Labels[fedcorev1b1.ManagedByKubeFedLabelKey]; ok {
				return fmt.Errorf("namespace %s in the host still has label %s=%q", ns, fedcorev1b1.ManagedByKubeFedLabelKey, v)
			}
			return nil
		}
		e2eutil.Eventually(t, timeout, check, "namespace %s in the host released", ns)
		consistently(t, 3*time.Second, check, "namespace %s in the host kept and unlabelled", ns)
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
// FederatedNamespace and a FederatedConfigMap placed in clusters, and waits
// until both are propagated there (the host's own namespace then carries
// the managed label).
func federatedNamespaceWithObjects(t *testing.T, e *e2eutil.Env, prefix string, clusters []string) string {
	t.Helper()
	ns := hostNamespace(t, e, prefix)
	e.DumpOnFailure(t, ns)
	fedNS := &unstructured.Unstructured{}
	fedNS.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
	fedNS.SetNamespace(ns)
	fedNS.SetName(ns)
	if err := fedtypesv1b1.SetPlacementClusterNames(fedNS, clusters); err != nil {
		t.Fatal(err)
	}
	create(t, e, fedNS)

	cm := loadFixture(t, "configmap.yaml")
	cm.SetNamespace(ns)
	cm.SetName("web")
	if err := fedtypesv1b1.SetPlacementClusterNames(cm, clusters); err != nil {
		t.Fatal(err)
	}
	create(t, e, cm)

	for _, obj := range []*unstructured.Unstructured{fedNS, cm} {
		ft := typeOf(t, e, obj.GetKind())
		e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
			u, err := get(ctx, e, obj)
			if err != nil {
				return err
			}
			if err := checkPropagated(u, clusters); err != nil {
				return err
			}
			for _, c := range clusters {
				m := ft.newTarget()
				if err := clusterClient(e, c).Get(ctx, ft.memberKey(u), m); err != nil {
					return fmt.Errorf("reading the copy in %s: %w", c, err)
				}
				if got := m.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey]; got != fedcorev1b1.ManagedByKubeFedLabelValue {
					return fmt.Errorf("the copy in %s has label %s=%q", c, fedcorev1b1.ManagedByKubeFedLabelKey, got)
				}
			}
			return nil
		}, "%s propagated to %v", describe(obj), clusters)
	}
	return ns
}

// clusterClient returns a client of a cluster of the federation by its
// KubeFedCluster name, the host's included.
func clusterClient(e *e2eutil.Env, name string) client.Client {
	if name == e2eutil.HostName {
		return e.Host
	}
	return e.Member(name)
}

// namespaceState describes a namespace that is still there: its phase,
// finalizers and conditions, and the FederatedNamespace's finalizers and
// status in the host when there is one.
func namespaceState(ctx context.Context, e *e2eutil.Env, n *corev1.Namespace) string {
	s := fmt.Sprintf("phase %s, deletionTimestamp %v, finalizers %v, conditions %s", n.Status.Phase, n.DeletionTimestamp, n.Spec.Finalizers, toJSON(n.Status.Conditions))
	fedNS := &unstructured.Unstructured{}
	fedNS.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
	if err := e.Host.Get(ctx, client.ObjectKey{Namespace: n.Name, Name: n.Name}, fedNS); err == nil {
		s += fmt.Sprintf("; FederatedNamespace finalizers %v, status %s", fedNS.GetFinalizers(), toJSON(status(fedNS)))
	}
	return s
}
