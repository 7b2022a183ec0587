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

package dnsrecords

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
)

func newScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := feddnsv1a1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	return scheme
}

// TestKinds checks the names the kinds give their controllers: the
// controller metrics and logs are labelled with them.
func TestKinds(t *testing.T) {
	if got := ServiceRecords.Controller; got != "servicednsrecord" {
		t.Errorf("ServiceDNSRecord controller %q, want servicednsrecord", got)
	}
	if got := IngressRecords.Controller; got != "ingressdnsrecord" {
		t.Errorf("IngressDNSRecord controller %q, want ingressdnsrecord", got)
	}
	rec := IngressRecords.New()
	rec.Status.DNS = []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1"}}
	if st := IngressRecords.Status(rec); len(st.DNS) != 1 || st.DNS[0].Cluster != "c1" {
		t.Errorf("Status gives %+v, not the record's status", st)
	}
	if _, ok := ServiceRecords.NewList().(*feddnsv1a1.ServiceDNSRecordList); !ok {
		t.Errorf("ServiceRecords.NewList gives %T", ServiceRecords.NewList())
	}
}

func TestRequests(t *testing.T) {
	recs := []client.Object{
		&feddnsv1a1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}, Spec: feddnsv1a1.ServiceDNSRecordSpec{DomainRef: "a"}},
		&feddnsv1a1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api"}, Spec: feddnsv1a1.ServiceDNSRecordSpec{DomainRef: "b"}},
		&feddnsv1a1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Namespace: "blog", Name: "web"}, Spec: feddnsv1a1.ServiceDNSRecordSpec{DomainRef: "a"}},
		&feddnsv1a1.IngressDNSRecord{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "front"}},
	}
	c := fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(recs...).Build()
	names := func(reqs []ctrl.Request) string {
		var out []string
		for _, r := range reqs {
			out = append(out, r.String())
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	if got := names(ServiceRecords.Requests(t.Context(), c, nil)); got != "blog/web,shop/api,shop/web" {
		t.Errorf("every ServiceDNSRecord: %s", got)
	}
	if got := names(IngressRecords.Requests(t.Context(), c, nil)); got != "shop/front" {
		t.Errorf("every IngressDNSRecord: %s", got)
	}
	onA := ServiceRecords.Requests(t.Context(), c, func(rec *feddnsv1a1.ServiceDNSRecord) (ctrl.Request, bool) {
		return ctrl.Request{NamespacedName: client.ObjectKey{Namespace: rec.Namespace, Name: "service-" + rec.Name}}, rec.Spec.DomainRef == "a"
	})
	if got := names(onA); got != "blog/service-web,shop/service-web" {
		t.Errorf("the records of Domain a, renamed: %s", got)
	}
	failing := interceptor.NewClient(c.(client.WithWatch), interceptor.Funcs{
		List: func(context.Context, client.WithWatch, client.ObjectList, ...client.ListOption) error {
			return errors.New("the cache is not started")
		},
	})
	if got := ServiceRecords.Requests(t.Context(), failing, nil); got != nil {
		t.Errorf("a failed list enqueues %v, want nothing", got)
	}
}

// TestPatchStatus checks that the status is written only when it changed,
// and only over the version of the record it was computed from.
func TestPatchStatus(t *testing.T) {
	stored := &feddnsv1a1.IngressDNSRecord{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "front"},
		Status: feddnsv1a1.IngressDNSRecordStatus{DNS: []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1"}}}}
	c := fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(stored).
		WithStatusSubresource(&feddnsv1a1.IngressDNSRecord{}).Build()
	ctx := t.Context()
	get := func() *feddnsv1a1.IngressDNSRecord {
		t.Helper()
		rec := &feddnsv1a1.IngressDNSRecord{}
		if err := c.Get(ctx, client.ObjectKeyFromObject(stored), rec); err != nil {
			t.Fatal(err)
		}
		return rec
	}

	rec := get()
	rv := rec.ResourceVersion
	if err := IngressRecords.PatchStatus(ctx, c, rec, *rec.Status.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	if got := get().ResourceVersion; got != rv {
		t.Errorf("an unchanged status was written (resourceVersion %s -> %s)", rv, got)
	}

	stale := get()
	changed := feddnsv1a1.IngressDNSRecordStatus{ObservedGeneration: 3, DNS: []feddnsv1a1.ClusterIngressDNS{{Cluster: "c1"}, {Cluster: "c2"}}}
	if err := IngressRecords.PatchStatus(ctx, c, get(), changed); err != nil {
		t.Fatal(err)
	}
	if got := get(); got.Status.ObservedGeneration != 3 || len(got.Status.DNS) != 2 {
		t.Errorf("status after the patch: %+v", got.Status)
	}

	err := IngressRecords.PatchStatus(ctx, c, stale, feddnsv1a1.IngressDNSRecordStatus{ObservedGeneration: 2})
	if !apierrors.IsConflict(err) || !strings.Contains(err.Error(), "IngressDNSRecord shop/front") {
		t.Errorf("a status computed from an older version: %v, want a conflict naming the record", err)
	}
	if got := get(); got.Status.ObservedGeneration != 3 {
		t.Errorf("the older version's status was written: %+v", got.Status)
	}
}
