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

package statuspatch_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/statuspatch"
	"github.com/kubefed/kubefed/test/testenv"
)

// TestPatch writes KubeFedCluster statuses on a real API server, typed and
// unstructured, and reads back what the server stored.
func TestPatch(t *testing.T) {
	c, _ := testenv.StartClientWith(t, testenv.EnvtestOptions{CRDs: []string{"config/crd/bases/core.kubefed.io_kubefedclusters.yaml"}}, fedcorev1b1.AddToScheme)
	h := &harness{ctx: t.Context(), c: c}
	t.Run("a changed status is written, an unchanged one is not", func(t *testing.T) { patchWritesOnlyChanges(t, h) })
	t.Run("only the status is sent", func(t *testing.T) { patchSendsOnlyTheStatus(t, h) })
	t.Run("a patch from a stale read conflicts only with the lock", func(t *testing.T) { patchFromAStaleRead(t, h) })
	t.Run("unstructured objects", func(t *testing.T) { patchUnstructured(t, h) })
}

// harness is the API server of TestPatch and its client.
type harness struct {
	ctx context.Context
	c   client.Client
}

// create creates KubeFedCluster default/name and writes its first status.
func (h *harness) create(t *testing.T, name string) *fedcorev1b1.KubeFedCluster {
	t.Helper()
	cl := &fedcorev1b1.KubeFedCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name},
		Spec:       fedcorev1b1.KubeFedClusterSpec{APIEndpoint: "https://a.example:6443", SecretRef: fedcorev1b1.LocalSecretReference{Name: "s"}},
	}
	if err := h.c.Create(h.ctx, cl); err != nil {
		t.Fatal(err)
	}
	orig := cl.DeepCopy()
	cl.Status.Conditions = []fedcorev1b1.ClusterCondition{ready(corev1.ConditionTrue)}
	cl.Status.Zones = []string{"z1"}
	cl.Status.Region = ptr.To("r1")
	if wrote, err := statuspatch.Patch(h.ctx, h.c, cl, orig, statuspatch.Optimistic); err != nil || !wrote {
		t.Fatalf("first status write: wrote=%v err=%v", wrote, err)
	}
	return cl
}

// stored reads KubeFedCluster default/name back from the API server.
func (h *harness) stored(t *testing.T, name string) *fedcorev1b1.KubeFedCluster {
	t.Helper()
	cl := &fedcorev1b1.KubeFedCluster{}
	if err := h.c.Get(h.ctx, client.ObjectKey{Namespace: "default", Name: name}, cl); err != nil {
		t.Fatal(err)
	}
	return cl
}

// patchWritesOnlyChanges: a changed status is written, an unchanged one is
// not, and removed fields are removed.
func patchWritesOnlyChanges(t *testing.T, h *harness) {
	cl := h.create(t, "changed")
	if got := h.stored(t, "changed"); got.Status.Region == nil || *got.Status.Region != "r1" || len(got.Status.Zones) != 1 {
		t.Fatalf("stored status %+v, want the written region and zone", got.Status)
	}
	before := h.stored(t, "changed").ResourceVersion
	orig := cl.DeepCopy()
	wrote, err := statuspatch.Patch(h.ctx, h.c, cl, orig, statuspatch.Optimistic)
	if err != nil || wrote {
		t.Fatalf("unchanged status: wrote=%v err=%v, want no write", wrote, err)
	}
	if after := h.stored(t, "changed").ResourceVersion; after != before {
		t.Fatalf("resourceVersion moved from %s to %s without a change", before, after)
	}
	cl.Status.Region = nil
	cl.Status.Zones = nil
	if wrote, err := statuspatch.Patch(h.ctx, h.c, cl, orig, statuspatch.Optimistic); err != nil || !wrote {
		t.Fatalf("removing fields: wrote=%v err=%v", wrote, err)
	}
	if got := h.stored(t, "changed"); got.Status.Region != nil || got.Status.Zones != nil || len(got.Status.Conditions) != 1 {
		t.Fatalf("stored status %+v, want region and zones removed and the condition kept", got.Status)
	}
}

// patchSendsOnlyTheStatus: changes outside the status are not sent.
func patchSendsOnlyTheStatus(t *testing.T, h *harness) {
	cl := h.create(t, "spec")
	orig := cl.DeepCopy()
	cl.Spec.APIEndpoint = "https://b.example:6443"
	cl.Labels = map[string]string{"x": "y"}
	cl.Status.Region = ptr.To("r2")
	data, err := statuspatch.Data(cl, orig, statuspatch.None)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"status":{"region":"r2"}}`; string(data) != want {
		t.Fatalf("patch %s, want %s", data, want)
	}
	if _, err := statuspatch.Patch(h.ctx, h.c, cl, orig, statuspatch.None); err != nil {
		t.Fatal(err)
	}
	got := h.stored(t, "spec")
	if got.Spec.APIEndpoint != "https://a.example:6443" || got.Labels["x"] != "" || *got.Status.Region != "r2" {
		t.Fatalf("stored %s %v %s, want the old endpoint, no label, region r2", got.Spec.APIEndpoint, got.Labels, *got.Status.Region)
	}
}

// patchFromAStaleRead: a patch from a stale read conflicts only with the
// optimistic lock.
func patchFromAStaleRead(t *testing.T, h *harness) {
	cl := h.create(t, "stale")
	staleOrig := cl.DeepCopy()
	// Another write moves the object on: the read above is now stale.
	fresh := cl.DeepCopy()
	fresh.Status.Region = ptr.To("r9")
	if _, err := statuspatch.Patch(h.ctx, h.c, fresh, cl.DeepCopy(), statuspatch.None); err != nil {
		t.Fatal(err)
	}
	locked := staleOrig.DeepCopy()
	locked.Status.Zones = []string{"z2"}
	_, err := statuspatch.Patch(h.ctx, h.c, locked, staleOrig, statuspatch.Optimistic)
	if !apierrors.IsConflict(err) {
		t.Fatalf("locked patch from a stale read: err=%v, want a Conflict", err)
	}
	unlocked := staleOrig.DeepCopy()
	unlocked.Status.Zones = []string{"z2"}
	if _, err := statuspatch.Patch(h.ctx, h.c, unlocked, staleOrig, statuspatch.None); err != nil {
		t.Fatalf("unlocked patch from a stale read: %v", err)
	}
	// What the lock is for: the stale read and the new status agree on
	// the region, so the unlocked patch leaves the other write's r9.
	if got := h.stored(t, "stale"); *got.Status.Region != "r9" || got.Status.Zones[0] != "z2" {
		t.Fatalf("stored region %s zones %v, want r9 (kept) and z2", *got.Status.Region, got.Status.Zones)
	}
}

// patchUnstructured: unstructured objects are patched as typed ones are.
func patchUnstructured(t *testing.T, h *harness) {
	h.create(t, "unstructured")
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(fedcorev1b1.GroupVersion.WithKind("KubeFedCluster"))
	if err := h.c.Get(h.ctx, client.ObjectKey{Namespace: "default", Name: "unstructured"}, u); err != nil {
		t.Fatal(err)
	}
	orig := u.DeepCopy()
	if wrote, err := statuspatch.Patch(h.ctx, h.c, u, orig, statuspatch.Optimistic); err != nil || wrote {
		t.Fatalf("unchanged unstructured status: wrote=%v err=%v", wrote, err)
	}
	if err := unstructured.SetNestedField(u.Object, "r3", "status", "region"); err != nil {
		t.Fatal(err)
	}
	if wrote, err := statuspatch.Patch(h.ctx, h.c, u, orig, statuspatch.Optimistic); err != nil || !wrote {
		t.Fatalf("changed unstructured status: wrote=%v err=%v", wrote, err)
	}
	if got := h.stored(t, "unstructured"); *got.Status.Region != "r3" {
		t.Fatalf("stored region %s, want r3", *got.Status.Region)
	}
	if u.GetResourceVersion() == orig.GetResourceVersion() {
		t.Fatal("the object does not hold the API server's answer after the write")
	}
}

func ready(status corev1.ConditionStatus) fedcorev1b1.ClusterCondition {
	return fedcorev1b1.ClusterCondition{Type: fedcorev1b1.ClusterReady, Status: status, LastProbeTime: metav1.Now()}
}
