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

package propagation

import (
	"context"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/testenv"
)

// writeCounter counts the writes a client makes.
type writeCounter struct {
	mu     sync.Mutex
	writes int
}

func (w *writeCounter) count() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
}

func (w *writeCounter) take() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := w.writes
	w.writes = 0
	return n
}

// TestRecordVersionsWrites checks, on a real API server, that a new
// object's PropagatedVersion costs one host write (created with its
// status), a changed one one more, an unchanged one none, and that a CRD
// which still has KubeFed's status subresource gets the record all the
// same, through the subresource.
func TestRecordVersionsWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server")
	}
	scheme := testScheme()
	cfg := testenv.StartEnvtest(t, testenv.EnvtestOptions{Scheme: scheme, CRDs: []string{
		"config/crd/bases/core.kubefed.io_propagatedversions.yaml",
		"config/crd/bases/types.kubefed.io_federatedconfigmaps.yaml",
	}}).Config
	ctx := t.Context()

	direct, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	counter := &writeCounter{}
	counting := interceptor.NewClient(direct, interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			counter.count()
			return c.Create(ctx, obj, opts...)
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			counter.count()
			return c.Update(ctx, obj, opts...)
		},
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			counter.count()
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
	})
	if err := direct.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "apps"}}); err != nil {
		t.Fatal(err)
	}
	r := &Reconciler{Client: counting, TypeConfig: typeConfig(t, "", "ConfigMap"), Namespace: testNamespace}

	newObject := func(name string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"template": map[string]any{"data": map[string]any{"k": "v"}}}}}
		u.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMap"))
		u.SetNamespace("apps")
		u.SetName(name)
		if err := direct.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	record := func(obj *unstructured.Unstructured, versions map[string]string) *scope {
		t.Helper()
		s := &scope{fedObj: obj, templateVersion: "t1", overridesVersion: "o1", ready: sets.New[string]("member1", "member2"),
			selected: []string{"member1", "member2"}, versions: versions}
		pv := r.newVersionObject(obj)
		if err := direct.Get(ctx, client.ObjectKeyFromObject(pv), pv); err == nil {
			s.pv, s.recorded = pv, *versionStatus(pv)
		}
		if _, err := r.recordVersions(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	stored := func(obj *unstructured.Unstructured) *fedcorev1a1.PropagatedVersionStatus {
		t.Helper()
		pv := r.newVersionObject(obj)
		if err := direct.Get(ctx, client.ObjectKeyFromObject(pv), pv); err != nil {
			t.Fatal(err)
		}
		return versionStatus(pv)
	}
	v1 := map[string]string{"member1": "rv:10", "member2": "rv:11"}
	v2 := map[string]string{"member1": "rv:12", "member2": "rv:11"}

	obj := newObject("web")
	if s := record(obj, v1); !s.createdRecord {
		t.Error("the first record of an object was not reported as created")
	}
	if n := counter.take(); n != 1 {
		t.Errorf("a new object's record cost %d host writes, want 1 (created with its status)", n)
	}
	if got, want := stored(obj), fedcorev1a1Status("t1", "o1", v1); !statusEqual(got, want) {
		t.Errorf("stored record %+v, want %+v", got, want)
	}
	record(obj, v1)
	if n := counter.take(); n != 0 {
		t.Errorf("an unchanged record cost %d host writes, want 0", n)
	}
	record(obj, v2)
	if n := counter.take(); n != 1 {
		t.Errorf("a changed record cost %d host writes, want 1", n)
	}
	if got, want := stored(obj), fedcorev1a1Status("t1", "o1", v2); !statusEqual(got, want) {
		t.Errorf("stored record %+v, want %+v", got, want)
	}

	// A CRD installed by KubeFed (or an older chart) has a status
	// subresource, which drops the status of a create or an update.
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := direct.Get(ctx, client.ObjectKey{Name: "propagatedversions.core.kubefed.io"}, crd); err != nil {
			return err
		}
		for i := range crd.Spec.Versions {
			crd.Spec.Versions[i].Subresources = &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}}
		}
		return direct.Update(ctx, crd)
	}); err != nil {
		t.Fatal(err)
	}
	probe := newObject("probe")
	deadline := time.Now().Add(30 * time.Second)
	for {
		// The API server serves the subresource once it has picked up the
		// changed CRD: a create then drops the status.
		pv := r.newVersionObject(probe)
		pv.SetName(pv.GetName() + "-" + time.Now().Format("150405.000000"))
		*versionStatus(pv) = *fedcorev1a1Status("t", "o", v1)
		if err := direct.Create(ctx, pv); err != nil {
			t.Fatal(err)
		}
		if versionStatus(pv).TemplateVersion == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the PropagatedVersion CRD did not get its status subresource within 30 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	counter.take()

	legacy := newObject("legacy")
	record(legacy, v1)
	if n := counter.take(); n != 2 {
		t.Errorf("a new object's record with a status subresource cost %d host writes, want 2 (create, status)", n)
	}
	if got, want := stored(legacy), fedcorev1a1Status("t1", "o1", v1); !statusEqual(got, want) {
		t.Errorf("stored record with a status subresource %+v, want %+v", got, want)
	}
	record(legacy, v2)
	if got, want := stored(legacy), fedcorev1a1Status("t1", "o1", v2); !statusEqual(got, want) {
		t.Errorf("updated record with a status subresource %+v, want %+v", got, want)
	}
	record(legacy, v2)
	if n := counter.take(); n != 2+0 {
		// The update of a changed record writes the main resource (its
		// status dropped) and then the subresource; the unchanged one
		// nothing.
		t.Errorf("a changed then unchanged record with a status subresource cost %d host writes, want 2", n)
	}
}
