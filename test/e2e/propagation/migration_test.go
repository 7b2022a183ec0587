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
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// The tests in this file check kubefed against what KubeFed v0.10 itself
// leaves behind and computes. Their expected values come from KubeFed: the
// golden file of hashes its own functions computed, its source (cited where
// a rule is coded here), never from kubefed's functions.

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

	t.Log("Stopping the control plane and writing what KubeFed v0.10 leaves behind.")
	e.StopControlPlane(t)
	ns := e.HostNamespace(t, "migration")
	e.DumpOnFailure(t, ns)
	// The FederatedNamespace first: the other copies go into its namespace.
	// op-omitted is stored and served without op, as KubeFed's CRDs keep it
	// (checkStoredSpec checks it), so KubeFed's overrides hash applies.
	migrated := writeKubeFedLeftovers(t, e, widgets, ns)
	baseline := migrationBaseline(migrated)

	// The watches: per member, the kinds of the copies; in the host, the
	// records. The control objects are created after the control plane
	// starts and make every watch report one write of kubefed's.
	ctlName := "migration-control-" + e2eutil.Suffix()
	ctlNS := "migration-ctl-" + e2eutil.Suffix()
	sources := migrationSources(t, e, ns)
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
			return createMigrationControls(ctx, t, e, widgets, ns, ctlName, ctlNS)
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
	checkUntouched(t, e, migrated, baseline)
}

// writeKubeFedLeftovers writes in namespace ns, with the control plane
// stopped, what KubeFed v0.10 leaves behind for each golden object: the
// federated object, its member copies, its PropagatedVersion and its
// status. The FederatedNamespace comes first: the other copies go into its
// namespace.
func writeKubeFedLeftovers(t *testing.T, e *e2eutil.Env, widgets widgetType, ns string) []*migratedObject {
	t.Helper()
	names := []string{"team-a", "no-overrides", "empty-overrides", "op-omitted", "op-replace", "op-empty-string", "reader", "web"}
	golden := readGolden(t)
	copies := loadMemberCopies(t)
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
	return migrated
}

// migrationBaseline is what must not change: every copy and every record,
// by resourceVersion.
func migrationBaseline(migrated []*migratedObject) map[string]string {
	baseline := map[string]string{}
	for _, m := range migrated {
		for c, cp := range m.copies {
			baseline[copyKey(c, cp)] = cp.GetResourceVersion()
		}
		baseline[recordKey(m.record)] = m.record.GetResourceVersion()
	}
	return baseline
}

// migrationSources are the watches of TestMigrationFromKubeFed: per member,
// the kinds of the copies; in the host, the records.
func migrationSources(t *testing.T, e *e2eutil.Env, ns string) []e2eutil.WatchSource {
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
	return sources
}

// checkUntouched checks that no copy and no record was written since
// KubeFed left them: each keeps its baseline resourceVersion.
func checkUntouched(t *testing.T, e *e2eutil.Env, migrated []*migratedObject, baseline map[string]string) {
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

// createMigrationControls creates the control objects of
// TestMigrationFromKubeFed, named ctlName, which kubefed must propagate and
// record: a FederatedConfigMap and a FederatedWidget in ns, a
// FederatedClusterRole, and the FederatedNamespace ctlNS.
func createMigrationControls(ctx context.Context, t *testing.T, e *e2eutil.Env, widgets widgetType, ns, ctlName, ctlNS string) error {
	cm := namedFixture(t, "configmap.yaml", ns, ctlName)
	cr := loadFixture(t, "clusterrole.yaml")
	cr.SetName(ctlName)
	t.Cleanup(func() { _ = e.Host.Delete(context.Background(), cr) })
	w := widgets.fixture.DeepCopy()
	w.SetNamespace(ns)
	w.SetName(ctlName)
	return createControlObjects(ctx, t, e, ctlNS, cm, cr, w, e2eutil.NewFederatedNamespace(ctlNS))
}
