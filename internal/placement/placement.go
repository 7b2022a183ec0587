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
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// Cluster is what placement needs to know of a joined member cluster.
type Cluster struct {
	// Name of the KubeFedCluster.
	Name string
	// Labels of the KubeFedCluster, matched by clusterSelector.
	Labels map[string]string
}

// Select returns the names of the clusters that p places an object in,
// sorted. Names in p.Clusters that are not joined are left out.
func Select(p *fedtypesv1b1.Placement, clusters []Cluster) ([]string, error) {
	if p == nil {
		return nil, nil
	}
	selected := sets.New[string]()
	switch {
	case p.Clusters != nil:
		wanted := sets.New(p.ClusterNames()...)
		for _, c := range clusters {
			if wanted.Has(c.Name) {
				selected.Insert(c.Name)
			}
		}
	case p.ClusterSelector != nil:
		sel, err := metav1.LabelSelectorAsSelector(p.ClusterSelector)
		if err != nil {
			return nil, fmt.Errorf("invalid spec.placement.clusterSelector: %w", err)
		}
		for _, c := range clusters {
			if sel.Matches(labels.Set(c.Labels)) {
				selected.Insert(c.Name)
			}
		}
	}
	return sets.List(selected), nil
}

// Intersect returns the names present in both a and b, sorted.
func Intersect(a, b []string) []string {
	out := sets.List(sets.New(a...).Intersection(sets.New(b...)))
	slices.Sort(out)
	return out
}
