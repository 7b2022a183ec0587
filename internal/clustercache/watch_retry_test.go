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

package clustercache_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/clustercache/clustercachetest"
	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

// registrations records what a watch's RegistrationFunc was told.
type registrations struct {
	mu   sync.Mutex
	errs []error
	ok   int
}

func (r *registrations) add(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		r.ok++
		return
	}
	r.errs = append(r.errs, err)
}

func (r *registrations) counts() (failed, started int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs), r.ok
}

// TestWatchOfAKindInstalledLater registers a watch of a kind whose CRD the
// member does not have yet, next to a watch of ConfigMaps. The connection
// stays up and the ConfigMap watch works; the failed watch is reported
// (WatchErrors, RegistrationFunc) and tried again; once the CRD is
// installed, the watch starts by itself, the WatchSource enqueues what
// RegistrationFunc returns, the member's objects of the kind reach the
// map function, and the report clears.
func TestWatchOfAKindInstalledLater(t *testing.T) {
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(1), Nodes: 1})
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	member := fed.Members[0]
	cluster, secret := memberAccess(ctx, t, member, "token-a")

	cc := clustercache.New(clustercache.Options{CacheSyncTimeout: 20 * time.Second, MinBackoff: 200 * time.Millisecond, MaxBackoff: time.Second})
	w := &laterKind{ctx: ctx, member: member, cc: cc, conns: startCache(ctx, t, cc), regs: &registrations{}, seen: &events{seen: map[string]int{}},
		gvk: schema.GroupVersionKind{Group: "retry.example.io", Version: "v1", Kind: "Widget"}}
	if err := cc.Connect(ctx, clustercache.ConnectInput{Cluster: cluster, Secret: secret}); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	q := w.startWidgetSource(t)
	defer q.ShutDown()
	if err := cc.Watch(ctx, clustercache.WatchInput{Name: "configmaps", Kind: &corev1.ConfigMap{}, EventHandler: w.seen.handle}); err != nil {
		t.Fatal(err)
	}

	mc := w.stepFailedWatchReported(t)
	installWidgetCRD(ctx, t, member.Config, w.gvk)
	widget := &unstructured.Unstructured{}
	widget.SetGroupVersionKind(w.gvk)
	widget.SetNamespace(memberNamespace)
	widget.SetName("w1")
	widget.SetLabels(map[string]string{fedcorev1b1.ManagedByKubeFedLabelKey: fedcorev1b1.ManagedByKubeFedLabelValue})
	testenv.Eventually(t, 30*time.Second, func(context.Context) error { return mc.Create(ctx, widget) }, "creating a Widget")
	w.stepWatchStarted(t, q)
}

// laterKind is what the steps of TestWatchOfAKindInstalledLater share: the
// member, the cache connected to it, and what the watches reported.
type laterKind struct {
	ctx    context.Context
	member *framework.Cluster
	cc     *clustercache.ClusterCache
	conns  *clustercachetest.ConnectionLog
	regs   *registrations
	seen   *events
	// gvk is the kind whose CRD the member does not have at first.
	gvk schema.GroupVersionKind
}

// startWidgetSource starts a WatchSource of the kind gvk whose requests
// are cluster/name, and cluster/started once its RegistrationFunc is told
// of the start; it returns the queue the source feeds.
func (w *laterKind) startWidgetSource(t *testing.T) workqueue.TypedRateLimitingInterface[reconcile.Request] {
	t.Helper()
	widgetKind := &unstructured.Unstructured{}
	widgetKind.SetGroupVersionKind(w.gvk)
	q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
	src := clustercache.WatchSource(w.cc, clustercache.WatchSourceInput[reconcile.Request]{
		Name: "widgets",
		Kind: widgetKind,
		MapFunc: func(_ context.Context, clusterName string, obj client.Object) []reconcile.Request {
			return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: clusterName, Name: obj.GetName()}}}
		},
		RegistrationFunc: func(_ context.Context, clusterName string, err error) []reconcile.Request {
			w.regs.add(err)
			if err != nil {
				return nil
			}
			return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: clusterName, Name: "started"}}}
		},
	})
	if err := src.Start(w.ctx, q); err != nil {
		q.ShutDown()
		t.Fatal(err)
	}
	return q
}

// stepFailedWatchReported: the watch of the missing kind is reported
// failed; the connection stays up and its other watch works. It returns
// the member's client.
func (w *laterKind) stepFailedWatchReported(t *testing.T) client.Client {
	ctx, member, cc := w.ctx, w.member, w.cc
	testenv.Eventually(t, 30*time.Second, func(context.Context) error {
		err := cc.WatchErrors("widgets")[member.Name]
		if err == nil {
			return fmt.Errorf("WatchErrors = %v", cc.WatchErrors("widgets"))
		}
		if !meta.IsNoMatchError(err) {
			return fmt.Errorf("WatchErrors[%s] = %v, want a NoMatch error", member.Name, err)
		}
		if failed, _ := w.regs.counts(); failed == 0 {
			return errors.New("RegistrationFunc not told of the failure")
		}
		return nil
	}, "the failed watch is reported")
	mc, err := cc.GetClient(ctx, member.Name)
	if err != nil {
		t.Fatalf("the connection went down with the failed watch: %v", err)
	}
	if err := mc.Create(ctx, configMap("while-failing", true)); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 15*time.Second, func(context.Context) error {
		return w.seen.saw(member.Name + "/" + memberNamespace + "/while-failing")
	}, "ConfigMap event while the other watch fails")
	if err := w.conns.Has(member.Name, false); err == nil {
		t.Fatal("the connection was dropped with the failed watch")
	}
	return mc
}

// stepWatchStarted: once the CRD is installed, the source enqueues the
// start and the member's Widget, and the report clears.
func (w *laterKind) stepWatchStarted(t *testing.T, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	member, cc, regs := w.member, w.cc, w.regs
	want := map[string]bool{member.Name + "/started": false, member.Name + "/w1": false}
	deadline := time.Now().Add(30 * time.Second)
	for !want[member.Name+"/started"] || !want[member.Name+"/w1"] {
		if time.Now().After(deadline) {
			t.Fatalf("requests after the CRD was installed: %v (WatchErrors %v)", want, cc.WatchErrors("widgets"))
		}
		if q.Len() == 0 {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		req, _ := q.Get()
		want[req.String()] = true
		q.Done(req)
	}
	if errs := cc.WatchErrors("widgets"); len(errs) != 0 {
		t.Errorf("WatchErrors after the watch started = %v, want none", errs)
	}
	// The attempts between the first and the one that succeeded failed,
	// mostly with the same error: an error is reported when it differs from
	// the one reported before it (a loaded API server may answer an attempt
	// with another error), never twice in a row; the start once.
	regs.mu.Lock()
	defer regs.mu.Unlock()
	if len(regs.errs) == 0 || regs.ok != 1 {
		t.Errorf("RegistrationFunc told of %d failures and %d starts, want at least 1 and exactly 1", len(regs.errs), regs.ok)
	}
	for i := 1; i < len(regs.errs); i++ {
		if regs.errs[i].Error() == regs.errs[i-1].Error() {
			t.Errorf("RegistrationFunc was told of the same failure twice in a row: %v", regs.errs)
			break
		}
	}
}

// installWidgetCRD installs a namespaced CRD of gvk in a cluster and waits
// until it is established.
func installWidgetCRD(ctx context.Context, t *testing.T, cfg *rest.Config, gvk schema.GroupVersionKind) {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := apiextensionsv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	plural := "widgets"
	crd := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: plural + "." + gvk.Group},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: gvk.Group,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: plural, Singular: "widget", Kind: gvk.Kind, ListKind: gvk.Kind + "List"},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: gvk.Version, Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object", XPreserveUnknownFields: ptr.To(true),
				}},
			}},
		},
	}
	if err := c.Create(ctx, crd); err != nil {
		t.Fatalf("creating CRD %s: %v", crd.Name, err)
	}
	testenv.Eventually(t, 30*time.Second, func(context.Context) error {
		if err := c.Get(ctx, client.ObjectKeyFromObject(crd), crd); err != nil {
			return err
		}
		for _, cond := range crd.Status.Conditions {
			if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
				return nil
			}
		}
		return errors.New("not established")
	}, "CRD %s established", crd.Name)
}
