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
			Name: "PropagatedVersion",
			Obj:  &PropagatedVersion{},
			Fixture: `{
  "apiVersion": "core.kubefed.io/v1alpha1", "kind": "PropagatedVersion",
  "metadata": {"name": "deployment-web", "namespace": "demo"},
  "status": {
    "templateVersion": "63edc4c5d1171489b7a34eedad2dcf91",
    "overridesVersion": "8a80554c91d9fca8acb82f023de02f11",
    "clusterVersions": [{"clusterName": "cluster1", "version": "gen:1"}, {"clusterName": "cluster2", "version": "gen:4"}]
  }
}`,
		},
		{
			Name: "ClusterPropagatedVersion",
			Obj:  &ClusterPropagatedVersion{},
			Fixture: `{
  "apiVersion": "core.kubefed.io/v1alpha1", "kind": "ClusterPropagatedVersion",
  "metadata": {"name": "clusterrole-admin"},
  "status": {
    "templateVersion": "63edc4c5d1171489b7a34eedad2dcf91",
    "overridesVersion": "",
    "clusterVersions": [{"clusterName": "cluster1", "version": "rv:4812"}]
  }
}`,
		},
	})
}
