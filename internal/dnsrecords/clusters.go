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
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// Cluster is one joined member cluster as the record controllers see it.
type Cluster struct {
	// Name is the KubeFedCluster's name.
	Name string
	// Ready is the KubeFedCluster's Ready condition.
	Ready bool
	// Region and Zones come from the KubeFedCluster status.
	Region string
	Zones  []string
}

// JoinedClusters lists the KubeFedClusters of the control-plane
// namespace, sorted by name.
func JoinedClusters(ctx context.Context, c client.Reader, namespace string) ([]Cluster, error) {
	list := &fedcorev1b1.KubeFedClusterList{}
	if err := c.List(ctx, list, client.InNamespace(namespace)); err != nil {
		return nil, fmt.Errorf("listing KubeFedClusters in %s: %w", namespace, err)
	}
	out := make([]Cluster, 0, len(list.Items))
	for i := range list.Items {
		kfc := &list.Items[i]
		cl := Cluster{Name: kfc.Name, Zones: slices.Clone(kfc.Status.Zones)}
		if kfc.Status.Region != nil {
			cl.Region = *kfc.Status.Region
		}
		cl.Ready = kfc.Status.IsReady()
		out = append(out, cl)
	}
	slices.SortFunc(out, func(a, b Cluster) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
