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
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// What a KubeFed v0.10 control plane leaves behind, for the migration
// tests: the golden objects and their PropagatedVersion hashes, the
// records and statuses KubeFed wrote, the member copies.

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
