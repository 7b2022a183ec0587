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
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// installKubeFedVersionCRDs replaces the PropagatedVersion and
// ClusterPropagatedVersion CRDs in the host by KubeFed v0.10's: kubefed's
// own (config/crd/bases) with the status subresource, and without the
// list-map markers on clusterVersions and the kubefed category, which is
// how KubeFed's (charts/kubefed/charts/controllermanager/crds/crds.yaml)
// differs. It waits until the API server drops the status of a created
// record, i.e. serves the subresource.
func installKubeFedVersionCRDs(t testing.TB, e *e2eutil.Env) {
	t.Helper()
	ctx := t.Context()
	for _, file := range []string{"core.kubefed.io_propagatedversions.yaml", "core.kubefed.io_clusterpropagatedversions.yaml"} {
		data, err := os.ReadFile(filepath.Join(e2eutil.RepoRoot(), "config", "crd", "bases", file))
		if err != nil {
			t.Fatal(err)
		}
		want := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.Unmarshal(data, want); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		want.Spec.Names.Categories = nil
		for i := range want.Spec.Versions {
			v := &want.Spec.Versions[i]
			v.Subresources = &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}}
			status := v.Schema.OpenAPIV3Schema.Properties["status"]
			cv := status.Properties["clusterVersions"]
			cv.XListType, cv.XListMapKeys = nil, nil
			status.Properties["clusterVersions"] = cv
			v.Schema.OpenAPIV3Schema.Properties["status"] = status
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := e.Host.Get(ctx, client.ObjectKey{Name: want.Name}, crd); err != nil {
			t.Fatalf("reading CRD %s: %v", want.Name, err)
		}
		crd.Spec = want.Spec
		if err := e.Host.Update(ctx, crd); err != nil {
			t.Fatalf("replacing CRD %s by KubeFed's (with the status subresource): %v", want.Name, err)
		}
	}
	probeStatus := fedcorev1a1.PropagatedVersionStatus{TemplateVersion: "probe", OverrideVersion: "probe"}
	probes := []client.Object{
		&fedcorev1a1.PropagatedVersion{ObjectMeta: metav1.ObjectMeta{Namespace: e2eutil.Namespace, Name: "probe-" + e2eutil.Suffix()}, Status: probeStatus},
		&fedcorev1a1.ClusterPropagatedVersion{ObjectMeta: metav1.ObjectMeta{Name: "probe-" + e2eutil.Suffix()}, Status: probeStatus},
	}
	for _, p := range probes {
		e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
			obj := p.DeepCopyObject().(client.Object)
			if err := e.Host.Create(ctx, obj); err != nil {
				return err
			}
			defer func() { _ = e.Host.Delete(context.Background(), obj) }()
			var st *fedcorev1a1.PropagatedVersionStatus
			switch o := obj.(type) {
			case *fedcorev1a1.PropagatedVersion:
				st = &o.Status
			case *fedcorev1a1.ClusterPropagatedVersion:
				st = &o.Status
			}
			if st.TemplateVersion != "" {
				return fmt.Errorf("a created %T kept its status: the status subresource is not served yet", obj)
			}
			return nil
		}, "the status subresource of %T served", p)
	}
}

// checkKubeFedRecord says why the record of fedObj does not hold what
// KubeFed v0.10 records: under KubeFed's name, the given hashes, and
// KubeFed's version of the copy in exactly clusters.
func checkKubeFedRecord(ctx context.Context, e *e2eutil.Env, ft fedType, fedObj *unstructured.Unstructured, template, overrides string, clusters []string) error {
	rec, st := kubefedRecord(ft, fedObj)
	if err := e.Host.Get(ctx, client.ObjectKeyFromObject(rec), rec); err != nil {
		return fmt.Errorf("reading its record %s: %w", rec.GetName(), err)
	}
	if st.TemplateVersion != template || st.OverrideVersion != overrides {
		return fmt.Errorf("record %s holds templateVersion %q and overridesVersion %q, KubeFed records %q and %q",
			rec.GetName(), st.TemplateVersion, st.OverrideVersion, template, overrides)
	}
	var got, want []string
	for _, v := range st.ClusterVersions {
		got = append(got, v.ClusterName+"="+v.Version)
	}
	for _, c := range clusters {
		m, err := ft.member(ctx, e, c, fedObj)
		if err != nil || m == nil {
			return fmt.Errorf("no copy in %s (%v)", c, err)
		}
		want = append(want, c+"="+kubefedObjectVersion(m))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("record %s holds clusterVersions %v, the copies are at %v", rec.GetName(), got, want)
	}
	return nil
}

// TestKubeFedPropagatedVersionCRDs runs kubefed on KubeFed v0.10's
// PropagatedVersion and ClusterPropagatedVersion CRDs, which have a status
// subresource (a user who kept KubeFed's CRDs), and checks that every
// record holds what KubeFed records for the same objects: the hashes of the
// golden file and the copies' versions, after a create and after a change
// of the overrides.
func TestKubeFedPropagatedVersionCRDs(t *testing.T) {
	e := e2eutil.Setup(t, 2)
	golden := readGolden(t)
	e.StopControlPlane(t)
	installKubeFedVersionCRDs(t, e)
	e.StartControlPlane(t)

	ns := newNamespace(t, e, "kubefed-crds", bothMembers...)
	e.DumpOnFailure(t, ns)
	nsObj := &unstructured.Unstructured{}
	nsObj.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
	nsObj.SetNamespace(ns)
	nsObj.SetName(ns)
	// The FederatedNamespace has a placement only, as the golden team-a (the
	// placement is in neither hash).
	nsType := typeOf(t, e, "FederatedNamespace")
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		return checkKubeFedRecord(ctx, e, nsType, nsObj, golden["team-a"].TemplateVersion, golden["team-a"].OverridesVersion, bothMembers)
	}, "the record of %s as KubeFed's", describe(nsObj))

	type tracked struct {
		ft       fedType
		obj      *unstructured.Unstructured
		clusters []string
	}
	var objs []tracked
	for _, name := range []string{"no-overrides", "op-replace", "reader"} {
		g := golden[name]
		obj := g.federate(t, ns)
		obj.SetFinalizers(nil)
		ft := typeOf(t, e, obj.GetKind())
		if obj.GetNamespace() == "" {
			t.Cleanup(func() { _ = e.Host.Delete(context.Background(), obj) })
		}
		create(t, e, obj)
		checkStoredSpec(t, e, obj, g)
		placement, err := fedtypesv1b1.GetPlacementClusterNames(obj)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, tracked{ft: ft, obj: obj, clusters: placement})
	}
	for _, o := range objs {
		g := golden[o.obj.GetName()]
		o.ft.waitPropagated(t, e, o.obj, o.clusters...)
		e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
			return checkKubeFedRecord(ctx, e, o.ft, o.obj, g.TemplateVersion, g.OverridesVersion, o.clusters)
		}, "the record of %s as KubeFed's", describe(o.obj))
	}

	t.Log("Changing the overrides: no-overrides gets spec.overrides: [] (golden empty-overrides), op-replace the overrides of golden op-empty-string.")
	changes := map[string]string{"no-overrides": "empty-overrides", "op-replace": "op-empty-string"}
	for _, o := range objs {
		to, ok := changes[o.obj.GetName()]
		if !ok {
			continue
		}
		g := golden[to]
		overrides, _ := g.Object["spec"].(map[string]any)["overrides"]
		e.UpdateFederated(t, o.obj, func(u *unstructured.Unstructured) {
			u.Object["spec"].(map[string]any)["overrides"] = runtimeCopy(overrides)
		})
		stored, err := get(t.Context(), e, o.obj)
		if err != nil {
			t.Fatal(err)
		}
		if !jsonEqual(stored.Object["spec"].(map[string]any)["overrides"], overrides) || !jsonEqual(stored.Object["spec"].(map[string]any)["template"], g.Object["spec"].(map[string]any)["template"]) {
			t.Fatalf("%s: stored spec %s has not the template and overrides of golden %s", describe(o.obj), toJSON(stored.Object["spec"]), to)
		}
		o.ft.waitPropagated(t, e, o.obj, o.clusters...)
		e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
			return checkKubeFedRecord(ctx, e, o.ft, o.obj, g.TemplateVersion, g.OverridesVersion, o.clusters)
		}, "the record of %s as KubeFed's for the spec of golden %s", describe(o.obj), to)
	}
}
