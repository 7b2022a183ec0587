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
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// The tests in this file check kubefed against what KubeFed v0.10 itself
// leaves behind and computes. Their expected values come from KubeFed: the
// golden file of hashes its own functions computed, its source (cited where
// a rule is coded here), never from kubefed's functions.

// goldenFile holds KubeFed v0.10.0's templateVersion and overridesVersion
// of a set of federated objects, in the shared folder that CI checks out
// next to the repository.
var goldenFile = filepath.Join("..", "shared", "kubefed-golden", "propagatedversion-hashes.jsonl")

// goldenObject is one line of goldenFile.
type goldenObject struct {
	Object                            map[string]any
	TemplateVersion, OverridesVersion string
}

// readGolden reads goldenFile, by the objects' names. A missing file fails
// the test: without it nothing here is compared with KubeFed.
func readGolden(t testing.TB) map[string]goldenObject {
	t.Helper()
	path := filepath.Join(e2eutil.RepoRoot(), goldenFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading KubeFed's golden hashes: %v; check out the shared folder (kubefed-golden) next to the repository, as CI does", err)
	}
	out := map[string]goldenObject{}
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var raw struct {
			Object           json.RawMessage `json:"object"`
			TemplateVersion  string          `json:"templateVersion"`
			OverridesVersion string          `json:"overridesVersion"`
		}
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			t.Fatalf("%s line %d: %v", path, i+1, err)
		}
		// Decoded as a client decodes the API server's answer: integers as int64.
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(raw.Object); err != nil {
			t.Fatalf("%s line %d: %v", path, i+1, err)
		}
		out[u.GetName()] = goldenObject{Object: u.Object, TemplateVersion: raw.TemplateVersion, OverridesVersion: raw.OverridesVersion}
	}
	return out
}

// federate returns the golden object name as a federated object to create
// in namespace ns (a FederatedNamespace becomes ns's), with KubeFed's sync
// controller finalizer, as KubeFed leaves it.
func (g goldenObject) federate(t testing.TB, ns string) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{Object: map[string]any{}}
	obj.SetAPIVersion(g.fed().GetAPIVersion())
	obj.SetKind(g.fed().GetKind())
	obj.SetName(g.fed().GetName())
	obj.Object["spec"] = runtimeCopy(g.Object["spec"])
	switch {
	case obj.GetKind() == "FederatedNamespace":
		obj.SetNamespace(ns)
		obj.SetName(ns)
	case g.fed().GetNamespace() != "":
		obj.SetNamespace(ns)
	}
	obj.SetFinalizers([]string{fedcorev1b1.SyncControllerFinalizer})
	return obj
}

func (g goldenObject) fed() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: g.Object}
}

func runtimeCopy(v any) any {
	return (&unstructured.Unstructured{Object: map[string]any{"v": v}}).DeepCopy().Object["v"]
}

// checkStoredSpec fails the test when the API server stored a spec other
// than the golden one: KubeFed's hashes are of the golden spec.
func checkStoredSpec(t testing.TB, e *e2eutil.Env, fedObj *unstructured.Unstructured, g goldenObject) {
	t.Helper()
	u, err := get(t.Context(), e, fedObj)
	if err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(u.Object["spec"], g.Object["spec"]) {
		t.Fatalf("%s: the API server stored spec %s, not the golden spec %s, so KubeFed's hashes do not apply", describe(fedObj), toJSON(u.Object["spec"]), toJSON(g.Object["spec"]))
	}
}

// kubefedObjectVersion is the version KubeFed v0.10 records for a member
// object (pkg/controller/util/propagatedversion.go, ObjectVersion): "gen:"
// and metadata.generation when it is not 0, else "rv:" and
// metadata.resourceVersion.
func kubefedObjectVersion(obj metav1.Object) string {
	if g := obj.GetGeneration(); g != 0 {
		return fmt.Sprintf("gen:%d", g)
	}
	return "rv:" + obj.GetResourceVersion()
}

// kubefedRecordName is the name KubeFed v0.10 gives the record of a
// federated object (pkg/apis/core/common, PropagatedVersionName): the
// target kind lower-cased, a dash, the federated object's name.
func kubefedRecordName(targetKind, name string) string {
	return strings.ToLower(targetKind) + "-" + name
}

// kubefedRecord returns an empty record of fedObj under KubeFed's name: a
// ClusterPropagatedVersion for a cluster-scoped federated object, else a
// PropagatedVersion in its namespace (KubeFed's version manager).
func kubefedRecord(ft fedType, fedObj client.Object) (client.Object, *fedcorev1a1.PropagatedVersionStatus) {
	name := kubefedRecordName(ft.targetKind(), fedObj.GetName())
	if fedObj.GetNamespace() == "" {
		pv := &fedcorev1a1.ClusterPropagatedVersion{ObjectMeta: metav1.ObjectMeta{Name: name}}
		return pv, &pv.Status
	}
	pv := &fedcorev1a1.PropagatedVersion{ObjectMeta: metav1.ObjectMeta{Namespace: fedObj.GetNamespace(), Name: name}}
	return pv, &pv.Status
}

// writeKubeFedRecord writes the record of fedObj as KubeFed v0.10's version
// manager does (pkg/controller/sync/version/manager.go): an owner reference
// with the federated object's apiVersion, kind, name and uid (no controller
// flag), created, then its status written through the status subresource
// when the CRD has one (the create drops it there).
func writeKubeFedRecord(t testing.TB, e *e2eutil.Env, ft fedType, fedObj *unstructured.Unstructured, status fedcorev1a1.PropagatedVersionStatus) client.Object {
	t.Helper()
	ctx := t.Context()
	rec, st := kubefedRecord(ft, fedObj)
	rec.SetOwnerReferences([]metav1.OwnerReference{{
		APIVersion: fedObj.GetAPIVersion(), Kind: fedObj.GetKind(), Name: fedObj.GetName(), UID: fedObj.GetUID(),
	}})
	*st = status
	if err := e.Host.Create(ctx, rec); err != nil {
		t.Fatalf("creating KubeFed's record %s of %s: %v", rec.GetName(), describe(fedObj), err)
	}
	if !jsonEqual(*st, status) {
		*st = status
		if err := e.Host.Status().Update(ctx, rec); err != nil {
			t.Fatalf("writing the status of KubeFed's record %s of %s: %v", rec.GetName(), describe(fedObj), err)
		}
	}
	return rec
}

// writeKubeFedStatus writes the status KubeFed v0.10's sync controller
// leaves on a federated object propagated to clusters without error
// (pkg/controller/sync/status/status.go): the observed generation, a True
// Propagation condition without reason, and one entry per cluster with an
// empty status.
func writeKubeFedStatus(t testing.TB, e *e2eutil.Env, fedObj *unstructured.Unstructured, clusters []string) {
	t.Helper()
	u, err := get(t.Context(), e, fedObj)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	var entries []any
	for _, c := range clusters {
		entries = append(entries, map[string]any{"name": c})
	}
	u.Object["status"] = map[string]any{
		"observedGeneration": u.GetGeneration(),
		"conditions": []any{map[string]any{
			"type": "Propagation", "status": "True", "lastTransitionTime": now, "lastUpdateTime": now,
		}},
		"clusters": entries,
	}
	if err := e.Host.Status().Update(t.Context(), u); err != nil {
		t.Fatalf("writing KubeFed's status of %s: %v", describe(fedObj), err)
	}
}

// memberCopy is one entry of fixtures/kubefed-v0.10-member-copies.yaml.
type memberCopy struct {
	Golden  string         `json:"golden"`
	Cluster string         `json:"cluster"`
	Object  map[string]any `json:"object"`
}

func loadMemberCopies(t testing.TB) []memberCopy {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("fixtures", "kubefed-v0.10-member-copies.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []memberCopy
	if err := yaml.Unmarshal(data, &out); err != nil {
		t.Fatalf("fixtures/kubefed-v0.10-member-copies.yaml: %v", err)
	}
	return out
}

// migratedObject is a federated object of TestMigrationFromKubeFed with
// what KubeFed left for it.
type migratedObject struct {
	ft       fedType
	obj      *unstructured.Unstructured
	clusters []string
	// copies are the member copies by cluster, as created.
	copies map[string]*unstructured.Unstructured
	record client.Object
}

// TestMigrationFromKubeFed starts kubefed over a host and members as
// KubeFed v0.10 leaves them: federated objects from KubeFed's golden file
// with KubeFed's finalizer and status, member copies as KubeFed writes them
// (the template with the cluster's overrides applied and the managed
// label), and PropagatedVersion and ClusterPropagatedVersion records as
// KubeFed writes them (its names, its owner references, the template and
// overrides hashes KubeFed computed, the gen:/rv: versions of the copies).
// Once kubefed has reconciled every object (its own status on each), and a
// control object created meanwhile shows that the watches of the members
// and of the records report kubefed's writes, it checks that kubefed wrote
// none of the copies and none of the records: they keep their
// resourceVersions.
func TestMigrationFromKubeFed(t *testing.T) {
	e := e2eutil.Setup(t, 2)
	widgets := enableWidgets(t, e)
	golden := readGolden(t)
	copies := loadMemberCopies(t)

	t.Log("Stopping the control plane and writing what KubeFed v0.10 leaves behind.")
	e.StopControlPlane(t)
	ns := e.HostNamespace(t, "migration")
	e.DumpOnFailure(t, ns)
	// The FederatedNamespace first: the other copies go into its namespace.
	// op-omitted is stored and served without op, as KubeFed's CRDs keep it
	// (checkStoredSpec checks it), so KubeFed's overrides hash applies.
	names := []string{"team-a", "no-overrides", "empty-overrides", "op-omitted", "op-replace", "op-empty-string", "reader", "web"}
	var migrated []*migratedObject
	for _, name := range names {
		g, ok := golden[name]
		if !ok {
			t.Fatalf("no object %q in the golden file", name)
		}
		obj := g.federate(t, ns)
		ft := fedType{}
		if name == "web" {
			// The golden FederatedDeployment's spec in a FederatedWidget:
			// KubeFed's hashes are of the spec alone.
			obj.SetAPIVersion(widgets.fixture.GetAPIVersion())
			obj.SetKind(widgets.fixture.GetKind())
			ft = widgets.ft
		} else {
			ft = typeOf(t, e, obj.GetKind())
		}
		if !ft.ftc.Spec.FederatedType.Namespaced() {
			t.Cleanup(func() { _ = e.Host.Delete(context.Background(), obj) })
		}
		create(t, e, obj)
		checkStoredSpec(t, e, obj, g)
		m := &migratedObject{ft: ft, copies: map[string]*unstructured.Unstructured{}}
		for _, c := range copies {
			if c.Golden != name {
				continue
			}
			cp := &unstructured.Unstructured{Object: runtimeCopy(c.Object).(map[string]any)}
			switch {
			case cp.GetKind() == "Namespace":
				cp.SetName(ns)
			case ft.ftc.Spec.TargetType.Namespaced():
				cp.SetNamespace(ns)
			}
			if err := e.Member(c.Cluster).Create(t.Context(), cp); err != nil {
				t.Fatalf("creating KubeFed's copy of %s in %s: %v", describe(obj), c.Cluster, err)
			}
			if !ft.ftc.Spec.TargetType.Namespaced() {
				member := e.Member(c.Cluster)
				t.Cleanup(func() { _ = member.Delete(context.Background(), cp) })
			}
			m.copies[c.Cluster] = cp
			m.clusters = append(m.clusters, c.Cluster)
		}
		slices.Sort(m.clusters)
		if m.obj, _ = get(t.Context(), e, obj); m.obj == nil {
			t.Fatalf("reading %s back", describe(obj))
		}
		status := fedcorev1a1.PropagatedVersionStatus{TemplateVersion: g.TemplateVersion, OverrideVersion: g.OverridesVersion}
		for _, c := range m.clusters {
			status.ClusterVersions = append(status.ClusterVersions, fedcorev1a1.ClusterObjectVersion{ClusterName: c, Version: kubefedObjectVersion(m.copies[c])})
		}
		m.record = writeKubeFedRecord(t, e, ft, m.obj, status)
		writeKubeFedStatus(t, e, m.obj, m.clusters)
		migrated = append(migrated, m)
		t.Logf("%s: copies in %v, %s %s records %s", describe(obj), m.clusters, kindOf(m.record), m.record.GetName(), toJSON(status))
	}
	// What must not change: every copy and every record, by resourceVersion.
	baseline := map[string]string{}
	for _, m := range migrated {
		for c, cp := range m.copies {
			baseline[copyKey(c, cp)] = cp.GetResourceVersion()
		}
		baseline[recordKey(m.record)] = m.record.GetResourceVersion()
	}

	// The watches: per member, the kinds of the copies; in the host, the
	// records. The control objects are created after the control plane
	// starts and make every watch report one write of kubefed's.
	ctlName := "migration-control-" + e2eutil.Suffix()
	ctlNS := "migration-ctl-" + e2eutil.Suffix()
	watchOf := func(c client.WithWatch, where string, list client.ObjectList, opts ...client.ListOption) e2eutil.WatchSource {
		return e2eutil.WatchSource{Name: where + " " + strings.TrimSuffix(kindOf(list), "List"), Client: c, List: list, Opts: opts}
	}
	var sources []e2eutil.WatchSource
	for _, c := range bothMembers {
		wc := e2eutil.NewWatchClient(t, e.Fed.Cluster(c).Config)
		widgetList := &unstructured.UnstructuredList{}
		widgetList.SetGroupVersionKind(schema.GroupVersionKind{Group: "example.kubefed.io", Version: "v1", Kind: "WidgetList"})
		sources = append(sources,
			watchOf(wc, c, &corev1.ConfigMapList{}, client.InNamespace(ns)),
			watchOf(wc, c, &rbacv1.ClusterRoleList{}, e2eutil.Managed),
			watchOf(wc, c, &corev1.NamespaceList{}, e2eutil.Managed),
			watchOf(wc, c, widgetList, client.InNamespace(ns)),
		)
	}
	hc := e2eutil.NewWatchClient(t, e.Fed.Host.Config)
	sources = append(sources,
		watchOf(hc, "host", &fedcorev1a1.PropagatedVersionList{}, client.InNamespace(ns)),
		watchOf(hc, "host", &fedcorev1a1.ClusterPropagatedVersionList{}),
	)
	controlNames := map[string]bool{
		ctlName: true, ctlNS: true,
		kubefedRecordName("ConfigMap", ctlName): true, kubefedRecordName("Widget", ctlName): true, kubefedRecordName("ClusterRole", ctlName): true,
	}
	migratedKeys := map[string]bool{}
	for k := range baseline {
		migratedKeys[k] = true
	}
	sourceCluster := func(source string) string { return strings.Fields(source)[0] }

	res := e2eutil.NegativeCheck{
		What:    "kubefed wrote a member copy or a record that KubeFed left up to date",
		Sources: sources,
		Control: func(ctx context.Context) error {
			t.Log("Starting the control plane, then creating control objects that kubefed must propagate and record.")
			e.StartControlPlane(t)
			cm := namedFixture(t, "configmap.yaml", ns, ctlName)
			cr := loadFixture(t, "clusterrole.yaml")
			cr.SetName(ctlName)
			t.Cleanup(func() { _ = e.Host.Delete(context.Background(), cr) })
			w := widgets.fixture.DeepCopy()
			w.SetNamespace(ns)
			w.SetName(ctlName)
			nsObj := &unstructured.Unstructured{}
			nsObj.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
			if err := e.Host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ctlNS}}); err != nil {
				return err
			}
			t.Cleanup(func() {
				_ = e.Host.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ctlNS}})
			})
			nsObj.SetNamespace(ctlNS)
			nsObj.SetName(ctlNS)
			for _, o := range []*unstructured.Unstructured{cm, cr, w, nsObj} {
				if err := fedtypesv1b1.SetPlacementClusterNames(o, bothMembers); err != nil {
					return err
				}
				if err := e.Host.Create(ctx, o); err != nil {
					return fmt.Errorf("creating %s: %w", describe(o), err)
				}
			}
			return nil
		},
		ControlSeen: func(_ string, ev watch.Event) bool {
			o := e2eutil.EventObject(ev)
			return ev.Type == watch.Added && o != nil && controlNames[o.GetName()]
		},
		Act: func(ctx context.Context) error {
			// kubefed has reconciled every migrated object once its own
			// status (with aggregatedStatus, which KubeFed's lacks) is there.
			for _, m := range migrated {
				m.ft.waitPropagated(t, e, m.obj, m.clusters...)
			}
			return nil
		},
		Window: 5 * time.Second,
		Forbidden: func(source string, ev watch.Event) string {
			o := e2eutil.EventObject(ev)
			if o == nil {
				return ""
			}
			var key string
			if strings.HasPrefix(source, "host") {
				key = recordKey(o)
			} else {
				key = copyKey(sourceCluster(source), o)
			}
			if migratedKeys[key] {
				return fmt.Sprintf("%s: %s", source, e2eutil.DescribeEvent(ev))
			}
			return ""
		},
	}.Run(t)
	t.Logf("The watches reported the control objects within %s, then watched for %s.", res.ControlLatency.Round(time.Millisecond), res.Window.Round(time.Millisecond))

	t.Log("Checking that no copy and no record was written since KubeFed left them.")
	ctx := t.Context()
	for _, m := range migrated {
		for c, cp := range m.copies {
			got := cp.DeepCopy()
			if err := e.Member(c).Get(ctx, client.ObjectKeyFromObject(cp), got); err != nil {
				t.Errorf("%s: reading its copy in %s: %v", describe(m.obj), c, err)
				continue
			}
			if got.GetResourceVersion() != baseline[copyKey(c, cp)] {
				t.Errorf("%s: kubefed wrote its copy in %s (resourceVersion %s, KubeFed left %s): %s",
					describe(m.obj), c, got.GetResourceVersion(), baseline[copyKey(c, cp)], toJSON(got.Object))
			}
		}
		got := m.record.DeepCopyObject().(client.Object)
		if err := e.Host.Get(ctx, client.ObjectKeyFromObject(m.record), got); err != nil {
			t.Errorf("%s: reading its record %s: %v", describe(m.obj), m.record.GetName(), err)
			continue
		}
		if got.GetResourceVersion() != baseline[recordKey(m.record)] {
			t.Errorf("%s: kubefed wrote its record %s (resourceVersion %s, KubeFed left %s): %s",
				describe(m.obj), got.GetName(), got.GetResourceVersion(), baseline[recordKey(m.record)], toJSON(got))
		}
	}
}

// kindOf returns the kind of a typed or unstructured object: typed objects
// decoded from a watch carry no kind.
func kindOf(o runtime.Object) string {
	if kind := o.GetObjectKind().GroupVersionKind().Kind; kind != "" {
		return kind
	}
	name := fmt.Sprintf("%T", o)
	return name[strings.LastIndex(name, ".")+1:]
}

// copyKey identifies a member copy across clusters.
func copyKey(cluster string, o client.Object) string {
	return fmt.Sprintf("%s %s %s", cluster, kindOf(o), client.ObjectKeyFromObject(o))
}

// recordKey identifies a record in the host.
func recordKey(o client.Object) string {
	kind := "PropagatedVersion"
	if o.GetNamespace() == "" {
		kind = "ClusterPropagatedVersion"
	}
	return fmt.Sprintf("host %s %s", kind, client.ObjectKeyFromObject(o))
}

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
		update(t, e, o.obj, func(u *unstructured.Unstructured) {
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
