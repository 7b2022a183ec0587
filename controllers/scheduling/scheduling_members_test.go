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

package scheduling

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	"github.com/kubefed/kubefed/internal/planner"
)

// TestCapacityReportsWhatItCannotRead covers the parts of the target the
// capacity check reads besides the members' Pods: when one of them cannot
// be read, the clusters whose capacity is therefore unknown are named with
// the error, and reach the preference's status.
func TestCapacityReportsWhatItCannotRead(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		// status is the target's status, as JSON.
		status string
		// noSelector drops the template's spec.selector.
		noSelector bool
		current    map[string]int64
		// want is, per cluster, parts of its read error.
		want map[string][]string
	}{
		{
			name:    "a status that does not decode",
			status:  `{"clusters":"not a list"}`,
			current: map[string]int64{"a": 2, "b": 1},
			want: map[string][]string{
				"a": {"reading the status of FederatedDeployment ns/web", "cluster a"},
				"b": {"reading the status of FederatedDeployment ns/web", "cluster b"},
			},
		},
		{
			name:    "a member's remote status that does not decode",
			status:  `{"clusters":[{"name":"a","remoteStatus":{"availableReplicas":"three"}},{"name":"b","remoteStatus":{"availableReplicas":1}}]}`,
			current: map[string]int64{"a": 3, "b": 1},
			want: map[string][]string{
				"a": {"reading the status of cluster a in FederatedDeployment ns/web", "availableReplicas"},
			},
		},
		{
			name:       "a template without a Pod selector",
			status:     `{"clusters":[{"name":"a","remoteStatus":{"availableReplicas":0}},{"name":"b","remoteStatus":{"availableReplicas":1}}]}`,
			noSelector: true,
			current:    map[string]int64{"a": 2, "b": 1},
			want: map[string][]string{
				"a": {"the Pods of FederatedDeployment ns/web in cluster a cannot be selected", "spec.selector"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Reconciler{Members: members{}, Now: func() time.Time { return now }}
			rsp := &fedschedv1a1.ReplicaSchedulingPreference{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web"}}
			tgt := target(t, "")
			if tt.noSelector {
				unstructured.RemoveNestedField(tgt.Object, "spec", "template", "spec", "selector")
			}
			st := map[string]any{}
			if err := utiljson.Unmarshal([]byte(tt.status), &st); err != nil {
				t.Fatal(err)
			}
			tgt.Object["status"] = st

			_, _, readErrors := r.capacity(context.Background(), rsp, tgt, tt.current)
			if len(readErrors) != len(tt.want) {
				t.Errorf("read errors = %v, want clusters %v", readErrors, tt.want)
			}
			for cluster, parts := range tt.want {
				for _, part := range parts {
					if !strings.Contains(readErrors[cluster], part) {
						t.Errorf("read error of %s = %q, want it to contain %q", cluster, readErrors[cluster], part)
					}
				}
			}

			// The status the preference is given names the cluster and
			// the error.
			var plan planner.Plan
			for _, c := range []string{"a", "b"} {
				plan.Clusters = append(plan.Clusters, planner.ClusterPlan{Name: c, Replicas: tt.current[c]})
			}
			r.recordStatus(rsp, plan, nil, readErrors, nil, tt.current)
			for _, c := range rsp.Status.Clusters {
				if want := readErrors[c.Name]; c.Message != want {
					t.Errorf("status.clusters[%s].message = %q, want %q", c.Name, c.Message, want)
				}
			}
		})
	}
}
