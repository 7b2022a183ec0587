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

package v1alpha1

import (
	"testing"

	"github.com/kubefed/kubefed/api/internal/apitest"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	apitest.RoundTrips(t, []apitest.RoundTripCase{
		{
			Name: "KubeFed v0.10",
			Obj:  &ReplicaSchedulingPreference{},
			Fixture: `{
  "apiVersion": "scheduling.kubefed.io/v1alpha1", "kind": "ReplicaSchedulingPreference",
  "metadata": {"name": "web", "namespace": "demo"},
  "spec": {
    "targetKind": "FederatedDeployment",
    "totalReplicas": 10,
    "rebalance": true,
    "intersectWithClusterSelector": true,
    "clusters": {
      "cluster1": {"minReplicas": 2, "maxReplicas": 8, "weight": 2},
      "*": {"weight": 1}
    }
  }
}`,
		},
		{
			Name: "with status",
			Obj:  &ReplicaSchedulingPreference{},
			Fixture: `{
  "apiVersion": "scheduling.kubefed.io/v1alpha1", "kind": "ReplicaSchedulingPreference",
  "metadata": {"name": "web", "namespace": "demo"},
  "spec": {"targetKind": "FederatedReplicaSet", "totalReplicas": 3},
  "status": {
    "observedGeneration": 4,
    "clusters": [{"name": "cluster1", "replicas": 2}, {"name": "cluster2", "replicas": 1}],
    "conditions": [{"type": "Scheduled", "status": "True", "reason": "Scheduled", "message": "3 replicas in 2 clusters",
      "lastTransitionTime": "2024-05-01T00:00:00Z", "observedGeneration": 4}]
  }
}`,
		},
	})
}
