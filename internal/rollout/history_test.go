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

package rollout

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// The ControllerRevision of a revision, as docs/rollout.md describes it:
// named and labelled after the federated object, owned by it, holding the
// content, with its number.
func TestNewRevision(t *testing.T) {
	t.Parallel()
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion("types.kubefed.io/v1beta1")
	obj.SetKind("FederatedClusterRole")
	obj.SetName("reader")
	obj.SetUID(types.UID("1234"))
	content := Content{Template: map[string]any{"rules": []any{}}, Placement: &fedtypesv1b1.Placement{ClusterSelector: &metav1.LabelSelector{}}}
	hash, err := Hash(content)
	if err != nil {
		t.Fatal(err)
	}

	// Cluster-scoped: in the control plane's namespace.
	rev, err := NewRevision(obj, "kube-federation-system", content, 7)
	if err != nil {
		t.Fatal(err)
	}
	if rev.Name != "reader-"+hash || rev.Namespace != "kube-federation-system" || rev.Revision != 7 {
		t.Errorf("revision %s/%s number %d, want kube-federation-system/reader-%s number 7", rev.Namespace, rev.Name, rev.Revision, hash)
	}
	wantLabels := map[string]string{
		"kubefed.io/federated-uid":  "1234",
		"kubefed.io/federated-name": "reader",
		"kubefed.io/federated-kind": "FederatedClusterRole",
		"kubefed.io/revision-hash":  hash,
	}
	if !reflect.DeepEqual(rev.Labels, wantLabels) {
		t.Errorf("labels = %v, want %v", rev.Labels, wantLabels)
	}
	owner := metav1.GetControllerOf(rev)
	if owner == nil || owner.UID != "1234" || owner.Kind != "FederatedClusterRole" || owner.Name != "reader" ||
		owner.APIVersion != "types.kubefed.io/v1beta1" {
		t.Errorf("controller owner = %+v, want the federated object", owner)
	}
	back, err := RevisionContent(rev)
	if err != nil {
		t.Fatal(err)
	}
	if backHash, _ := Hash(back); backHash != hash {
		t.Errorf("the stored content hashes to %s, want %s: %s", backHash, hash, rev.Data.Raw)
	}

	// A name longer than a label value (64 characters) is left out of the
	// labels; the UID label still finds the history.
	long := obj.DeepCopy()
	long.SetName(strings.Repeat("a", 64))
	rev, err = NewRevision(long, "kube-federation-system", content, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rev.Labels["kubefed.io/federated-name"]; ok || rev.Labels["kubefed.io/federated-uid"] != "1234" {
		t.Errorf("labels of a revision of a 64-character name = %v, want the UID and no name", rev.Labels)
	}

	// Namespaced: in the object's namespace, whatever is passed.
	obj.SetKind("FederatedDeployment")
	obj.SetNamespace("demo")
	if rev, _ := NewRevision(obj, "kube-federation-system", content, 1); rev.Namespace != "demo" {
		t.Errorf("a namespaced object's revision is in %q, want demo", rev.Namespace)
	}
}

func revisions(numbers ...int64) []*appsv1.ControllerRevision {
	var out []*appsv1.ControllerRevision
	for _, n := range numbers {
		out = append(out, &appsv1.ControllerRevision{Revision: n})
	}
	return out
}

func numbers(revs []*appsv1.ControllerRevision) []int64 {
	var out []int64
	for _, r := range revs {
		out = append(out, r.Revision)
	}
	slices.Sort(out)
	return out
}

// revisionHistoryLimit counts the old revisions: current, update, rollbackTo
// and the ones clusters run are kept besides them; the oldest others go.
func TestPrune(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		have  []int64
		keep  []int64
		limit int32
		want  []int64
	}{
		{"15 revisions, limit 10, 14 and 15 current and update, 3 run by a cluster",
			[]int64{15, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, []int64{14, 15, 3}, 10, []int64{1, 2}},
		{"limit 0 keeps only what is needed", []int64{1, 2, 3, 4}, []int64{4, 2}, 0, []int64{1, 3}},
		{"within the limit", []int64{1, 2, 3}, []int64{3}, 10, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			keep := map[int64]bool{}
			for _, k := range tc.keep {
				keep[k] = true
			}
			if got := numbers(Prune(revisions(tc.have...), tc.limit, keep)); !slices.Equal(got, tc.want) {
				t.Errorf("pruned %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNextNumber(t *testing.T) {
	t.Parallel()
	if got := NextNumber(nil); got != 1 {
		t.Errorf("NextNumber of no history = %d, want 1", got)
	}
	if got := NextNumber(revisions(3, 9, 4)); got != 10 {
		t.Errorf("NextNumber of 3, 9, 4 = %d, want 10", got)
	}
}
