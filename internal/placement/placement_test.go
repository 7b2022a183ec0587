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

package placement

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

func TestSelect(t *testing.T) {
	clusters := []Cluster{
		{Name: "a", Labels: map[string]string{"region": "eu", "tier": "gold"}},
		{Name: "b", Labels: map[string]string{"region": "us"}},
		{Name: "c"},
	}
	refs := func(names ...string) []fedtypesv1b1.GenericClusterReference {
		out := []fedtypesv1b1.GenericClusterReference{}
		for _, n := range names {
			out = append(out, fedtypesv1b1.GenericClusterReference{Name: n})
		}
		return out
	}
	tests := []struct {
		name      string
		placement *fedtypesv1b1.Placement
		want      []string
		wantErr   bool
	}{
		{name: "no placement selects nothing", placement: nil, want: nil},
		{name: "empty placement selects nothing", placement: &fedtypesv1b1.Placement{}, want: nil},
		{name: "clusters by name", placement: &fedtypesv1b1.Placement{Clusters: refs("c", "a")}, want: []string{"a", "c"}},
		{name: "unjoined names are dropped", placement: &fedtypesv1b1.Placement{Clusters: refs("a", "zz")}, want: []string{"a"}},
		{name: "empty cluster list wins over selector", placement: &fedtypesv1b1.Placement{
			Clusters: refs(), ClusterSelector: &metav1.LabelSelector{}}, want: nil},
		{name: "clusters win over selector", placement: &fedtypesv1b1.Placement{
			Clusters: refs("b"), ClusterSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"region": "eu"}}}, want: []string{"b"}},
		{name: "empty selector selects all", placement: &fedtypesv1b1.Placement{ClusterSelector: &metav1.LabelSelector{}}, want: []string{"a", "b", "c"}},
		{name: "selector by label", placement: &fedtypesv1b1.Placement{
			ClusterSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"region": "eu"}}}, want: []string{"a"}},
		{name: "selector by expression", placement: &fedtypesv1b1.Placement{
			ClusterSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "region", Operator: metav1.LabelSelectorOpExists}}}}, want: []string{"a", "b"}},
		{name: "invalid selector", placement: &fedtypesv1b1.Placement{
			ClusterSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "region", Operator: "Near"}}}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(tt.placement, clusters)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, wantErr %v", err, tt.wantErr)
			}
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Select = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIntersect(t *testing.T) {
	if got := Intersect([]string{"c", "a", "b"}, []string{"b", "c", "d"}); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("Intersect = %v", got)
	}
	if got := Intersect(nil, []string{"a"}); len(got) != 0 {
		t.Errorf("Intersect with nil = %v", got)
	}
}
