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
	e := startVersionsEnv(t)
	stepRecordWrites(t, e)
	// A CRD installed by KubeFed (or an older chart) has a status
	// subresource, which drops the status of a create or an update.
	addVersionStatusSubresource(t, e)
	e.counter.take()
	stepLegacyRecordWrites(t, e)
}

// The versions recorded by the steps of TestRecordVersionsWrites.
var (
	recordedV1 = map[string]string{"member1": "rv:10", "member2": "rv:11"}
	recordedV2 = map[string]string{"member1": "rv:12", "member2": "rv:11"}
)

// versionsEnv is a test API server with the CRDs of PropagatedVersions and
// FederatedConfigMaps, and a reconciler of FederatedConfigMaps whose host
// writes are counted.
type versionsEnv struct {
	t       *testing.T
	direct  client.WithWatch
	counter *writeCounter
	r       *Reconciler
}

func startVersionsEnv(t *testing.T) *versionsEnv {
	direct, _ := testenv.StartClientWith(t, testenv.EnvtestOptions{Scheme: testScheme(), CRDs: []string{
		"config/crd/bases/core.kubefed.io_propagatedversions.yaml",
		"config/crd/bases/types.kubefed.io_federatedconfigmaps.yaml",
	}})
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
	if err := direct.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "apps"}}); err != nil {
		t.Fatal(err)
	}
	r := &Reconciler{Client: counting, TypeConfig: typeConfig(t, "", "ConfigMap"), Namespace: testNamespace}
	return &versionsEnv{t: t, direct: direct, counter: counter, r: r}
}

// newObject creates the FederatedConfigMap name in namespace apps.
func (e *versionsEnv) newObject(name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"template": map[string]any{"data": map[string]any{"k": "v"}}}}}
	u.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMap"))
	u.SetNamespace("apps")
	u.SetName(name)
	if err := e.direct.Create(e.t.Context(), u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// record records versions of obj in the two members, as a reconcile does
// with the PropagatedVersion it read.
func (e *versionsEnv) record(obj *unstructured.Unstructured, versions map[string]string) *scope {
	e.t.Helper()
	ctx := e.t.Context()
	s := &scope{fedObj: obj, templateVersion: "t1", overridesVersion: "o1", ready: sets.New[string]("member1", "member2"),
		selected: []string{"member1", "member2"}, versions: versions}
	pv := e.r.newVersionObject(obj)
	if err := e.direct.Get(ctx, client.ObjectKeyFromObject(pv), pv); err == nil {
		s.pv, s.recorded = pv, *versionStatus(pv)
	}
	if _, err := e.r.recordVersions(ctx, s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// stored reads the PropagatedVersion status of obj.
func (e *versionsEnv) stored(obj *unstructured.Unstructured) *fedcorev1a1.PropagatedVersionStatus {
	e.t.Helper()
	pv := e.r.newVersionObject(obj)
	if err := e.direct.Get(e.t.Context(), client.ObjectKeyFromObject(pv), pv); err != nil {
		e.t.Fatal(err)
	}
	return versionStatus(pv)
}

// stepRecordWrites: a new record is created with its status (one write),
// an unchanged one costs nothing, a changed one one write.
func stepRecordWrites(t *testing.T, e *versionsEnv) {
	obj := e.newObject("web")
	if s := e.record(obj, recordedV1); !s.createdRecord {
		t.Error("the first record of an object was not reported as created")
	}
	if n := e.counter.take(); n != 1 {
		t.Errorf("a new object's record cost %d host writes, want 1 (created with its status)", n)
	}
	if got, want := e.stored(obj), fedcorev1a1Status("t1", "o1", recordedV1); !statusEqual(got, want) {
		t.Errorf("stored record %+v, want %+v", got, want)
	}
	e.record(obj, recordedV1)
	if n := e.counter.take(); n != 0 {
		t.Errorf("an unchanged record cost %d host writes, want 0", n)
	}
	e.record(obj, recordedV2)
	if n := e.counter.take(); n != 1 {
		t.Errorf("a changed record cost %d host writes, want 1", n)
	}
	if got, want := e.stored(obj), fedcorev1a1Status("t1", "o1", recordedV2); !statusEqual(got, want) {
		t.Errorf("stored record %+v, want %+v", got, want)
	}
}

// addVersionStatusSubresource gives the PropagatedVersion CRD a status
// subresource, as KubeFed's had, and waits until the API server serves it.
func addVersionStatusSubresource(t *testing.T, e *versionsEnv) {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := e.direct.Get(t.Context(), client.ObjectKey{Name: "propagatedversions.core.kubefed.io"}, crd); err != nil {
			return err
		}
		for i := range crd.Spec.Versions {
			crd.Spec.Versions[i].Subresources = &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}}
		}
		return e.direct.Update(t.Context(), crd)
	}); err != nil {
		t.Fatal(err)
	}
	probe := e.newObject("probe")
	deadline := time.Now().Add(30 * time.Second)
	for {
		// The API server serves the subresource once it has picked up the
		// changed CRD: a create then drops the status.
		pv := e.r.newVersionObject(probe)
		pv.SetName(pv.GetName() + "-" + time.Now().Format("150405.000000"))
		*versionStatus(pv) = *fedcorev1a1Status("t", "o", recordedV1)
		if err := e.direct.Create(t.Context(), pv); err != nil {
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
}

// stepLegacyRecordWrites: with the status subresource, a new record costs
// a create and a status write, a changed one the same, an unchanged one
// nothing, and the stored status is the one recorded.
func stepLegacyRecordWrites(t *testing.T, e *versionsEnv) {
	legacy := e.newObject("legacy")
	e.record(legacy, recordedV1)
	if n := e.counter.take(); n != 2 {
		t.Errorf("a new object's record with a status subresource cost %d host writes, want 2 (create, status)", n)
	}
	if got, want := e.stored(legacy), fedcorev1a1Status("t1", "o1", recordedV1); !statusEqual(got, want) {
		t.Errorf("stored record with a status subresource %+v, want %+v", got, want)
	}
	e.record(legacy, recordedV2)
	if got, want := e.stored(legacy), fedcorev1a1Status("t1", "o1", recordedV2); !statusEqual(got, want) {
		t.Errorf("updated record with a status subresource %+v, want %+v", got, want)
	}
	e.record(legacy, recordedV2)
	if n := e.counter.take(); n != 2+0 {
		// The update of a changed record writes the main resource (its
		// status dropped) and then the subresource; the unchanged one
		// nothing.
		t.Errorf("a changed then unchanged record with a status subresource cost %d host writes, want 2", n)
	}
}
