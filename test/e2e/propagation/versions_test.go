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
	"maps"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// TestVersionRecordIsTrue creates, updates and re-places objects of every
// default type and of a CRD while the control plane starts (members
// connecting) and while a member is stopped and started, and then checks
// that every PropagatedVersion records, for every cluster, KubeFed's
// version (gen:N or rv:N) of the member copy. The host is joined into
// itself, as on the demo federation.
func TestVersionRecordIsTrue(t *testing.T) {
	e := e2eutil.Setup(t, 2)
	joinHost(t, e)
	all := []string{e2eutil.HostName, member1, member2}
	widgets := enableWidgets(t, e)

	var objs []*unstructured.Unstructured
	var types []fedType
	newObject := func(fixture *unstructured.Unstructured, ft fedType, i int) *unstructured.Unstructured {
		obj := fixture.DeepCopy()
		ft.placeForTest(t, e, obj, fmt.Sprintf("versions-v%d", i), all)
		if err := fedtypesv1b1.SetPlacementClusterNames(obj, all); err != nil {
			t.Fatal(err)
		}
		e.DumpOnFailure(t, obj.GetNamespace(), obj.GetName())
		return obj
	}
	for i, c := range crudCases {
		fixture := loadFixture(t, c.fixture)
		ft := typeOf(t, e, fixture.GetKind())
		objs = append(objs, newObject(fixture, ft, i))
		types = append(types, ft)
	}
	objs = append(objs, newObject(widgets.fixture, widgets.ft, len(crudCases)))
	types = append(types, widgets.ft)

	t.Log("Creating the objects while the control plane is down, then starting it: members connect while the objects are propagated.")
	e.StopControlPlane(t)
	for _, obj := range objs {
		create(t, e, obj)
	}
	e.StartControlPlane(t)
	for i, obj := range objs {
		objs[i] = e.UpdateFederated(t, obj, func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, "1", "spec", "template", "metadata", "labels", "step")
		})
	}

	t.Log("Stopping member2, updating every object and placing every other one on member1 only, then starting member2.")
	m2 := e.Fed.Cluster(member2)
	startM2 := e2eutil.StopCluster(t, m2)
	e.WaitClusterNotReady(t, member2, time.Minute)
	placed := make([][]string, len(objs))
	for i, obj := range objs {
		placed[i] = all
		if i%2 == 1 {
			placed[i] = []string{e2eutil.HostName, member1}
		}
		objs[i] = e.UpdateFederated(t, obj, func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, "2", "spec", "template", "metadata", "labels", "step")
			if err := fedtypesv1b1.SetPlacementClusterNames(u, placed[i]); err != nil {
				t.Fatal(err)
			}
		})
	}
	startM2()
	e.WaitClusterReady(t, member2, corev1.ConditionTrue, 2*time.Minute)

	t.Log("Checking every record against the member copies.")
	for i, obj := range objs {
		types[i].waitPropagated(t, e, obj, placed[i]...)
		rec := types[i].checkVersions(t, e, obj, placed[i]...)
		for _, c := range placed[i] {
			m := types[i].mustMember(t, e, c, obj)
			if got := m.GetLabels()["step"]; got != "2" {
				t.Errorf("%s: the copy in %s has label step=%q, want 2", describe(obj), c, got)
			}
		}
		t.Logf("%s: %s", describe(obj), toJSON(rec.ClusterVersions))
	}
	// A copy removed from member2 has no record left for it.
	for i, obj := range objs {
		if slices.Contains(placed[i], member2) {
			continue
		}
		types[i].waitMemberGone(t, e, member2, obj)
	}
}

// widgetType is a CRD-backed federated type enabled at run time.
type widgetType struct {
	ft      fedType
	fixture *unstructured.Unstructured
}

// enableWidgets federates the Widget CRD (example.kubefed.io): the CRD in
// the host and the members, its FederatedWidget CRD in the host and its
// FederatedTypeConfig; it waits until its sync controller runs.
func enableWidgets(t *testing.T, e *e2eutil.Env) widgetType {
	t.Helper()
	ftc := e.FederateCRDType(t, "example.kubefed.io", "Widget", "widgets").TypeConfig
	fixture := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "types.kubefed.io/v1", "kind": "FederatedWidget",
		"metadata": map[string]any{"name": "fixture", "namespace": "fixture"},
		"spec": map[string]any{
			"template":  map[string]any{"spec": map[string]any{"size": int64(1)}},
			"placement": map[string]any{"clusters": []any{map[string]any{"name": member1}, map[string]any{"name": member2}}},
			"overrides": []any{map[string]any{"clusterName": member2, "clusterOverrides": []any{
				map[string]any{"path": "/spec/size", "value": int64(2)},
			}}},
		},
	}}
	return widgetType{ft: fedType{ftc: ftc}, fixture: fixture}
}

// versionRecord reads the (Cluster)PropagatedVersion of a federated object.
func (ft fedType) versionRecord(ctx context.Context, e *e2eutil.Env, fedObj client.Object) (*fedcorev1a1.PropagatedVersionStatus, client.Object, error) {
	name := fedcorev1a1.PropagatedVersionName(ft.targetKind(), fedObj.GetName())
	if fedObj.GetNamespace() != "" {
		pv := &fedcorev1a1.PropagatedVersion{}
		pv.Name, pv.Namespace = name, fedObj.GetNamespace()
		err := e.Host.Get(ctx, client.ObjectKeyFromObject(pv), pv)
		return &pv.Status, pv, err
	}
	pv := &fedcorev1a1.ClusterPropagatedVersion{}
	pv.Name = name
	err := e.Host.Get(ctx, client.ObjectKeyFromObject(pv), pv)
	return &pv.Status, pv, err
}

// checkVersions waits until the PropagatedVersion of fedObj records its
// current template and overrides hashes, and the version of the copy in
// exactly clusters; it returns the record.
func (ft fedType) checkVersions(t testing.TB, e *e2eutil.Env, fedObj *unstructured.Unstructured, clusters ...string) *fedcorev1a1.PropagatedVersionStatus {
	t.Helper()
	var rec *fedcorev1a1.PropagatedVersionStatus
	waitFederated(t, e, fedObj, func(ctx context.Context, u *unstructured.Unstructured) error {
		// The expected hashes come from the test-side implementation of
		// KubeFed's algorithm (kubefedversion_test.go, checked against
		// KubeFed's golden hashes), not from the code under test.
		wantTemplate, err := kubefedTemplateVersion(u.Object)
		if err != nil {
			return fmt.Errorf("computing its templateVersion as KubeFed does: %w", err)
		}
		wantOverrides, err := kubefedOverridesVersion(u.Object)
		if err != nil {
			return fmt.Errorf("computing its overridesVersion as KubeFed does: %w", err)
		}
		pv, _, err := ft.versionRecord(ctx, e, u)
		if err != nil {
			return fmt.Errorf("reading its PropagatedVersion: %w", err)
		}
		rec = pv
		if pv.TemplateVersion != wantTemplate || pv.OverrideVersion != wantOverrides {
			return fmt.Errorf("PropagatedVersion records templateVersion %q and overridesVersion %q, want %q and %q (the hashes of the current spec)",
				pv.TemplateVersion, pv.OverrideVersion, wantTemplate, wantOverrides)
		}
		versions := map[string]string{}
		for _, v := range pv.ClusterVersions {
			versions[v.ClusterName] = v.Version
		}
		if got := slices.Sorted(maps.Keys(versions)); !slices.Equal(got, slices.Sorted(slices.Values(clusters))) {
			return fmt.Errorf("PropagatedVersion clusterVersions lists %v, want %v", got, clusters)
		}
		for _, c := range clusters {
			m, err := ft.member(ctx, e, c, u)
			if err != nil || m == nil {
				return fmt.Errorf("no copy in %s (%v)", c, err)
			}
			if want := kubefedObjectVersion(m); versions[c] != want {
				return fmt.Errorf("PropagatedVersion records version %q for %s, the copy there is at %q", versions[c], c, want)
			}
		}
		return nil
	}, "PropagatedVersion of %s", describe(fedObj))
	return rec
}
