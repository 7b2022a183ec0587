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
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fixture string
		obj     interface{}
	}{
		{
			name: "PropagatedVersion",
			obj:  &PropagatedVersion{},
			fixture: `{
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
			name: "ClusterPropagatedVersion",
			obj:  &ClusterPropagatedVersion{},
			fixture: `{
  "apiVersion": "core.kubefed.io/v1alpha1", "kind": "ClusterPropagatedVersion",
  "metadata": {"name": "clusterrole-admin"},
  "status": {
    "templateVersion": "63edc4c5d1171489b7a34eedad2dcf91",
    "overridesVersion": "",
    "clusterVersions": [{"clusterName": "cluster1", "version": "rv:4812"}]
  }
}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			roundTrip(t, tc.fixture, tc.obj)
		})
	}
}

// roundTrip decodes fixture strictly (an unknown field fails: the Go type
// lacks a KubeFed field or has a wrong tag) into obj, encodes obj again and
// checks that the two JSON documents are equal. Empty objects and nulls,
// which Go writes for zero structs and timestamps, are ignored.
func roundTrip(t *testing.T, fixture string, obj interface{}) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(fixture))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		t.Fatalf("decoding fixture: %v", err)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		t.Fatalf("encoding: %v", err)
	}
	var in, back interface{}
	if err := json.Unmarshal([]byte(fixture), &in); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(prune(in), prune(back)) {
		t.Errorf("round trip changed the object:\n in: %s\nout: %s", fixture, out)
	}
}

func prune(v interface{}) interface{} {
	switch v := v.(type) {
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, val := range v {
			p := prune(val)
			if p == nil {
				continue
			}
			if m, ok := p.(map[string]interface{}); ok && len(m) == 0 {
				continue
			}
			out[k] = p
		}
		return out
	case []interface{}:
		out := make([]interface{}, 0, len(v))
		for _, val := range v {
			out = append(out, prune(val))
		}
		return out
	default:
		return v
	}
}
