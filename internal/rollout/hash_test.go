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
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

func contentOf(t *testing.T, manifest string) Content {
	t.Helper()
	if !strings.Contains(manifest, `"kind"`) {
		// The short manifests below leave out what every object has.
		manifest = `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedConfigMap", ` + strings.TrimPrefix(manifest, "{")
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON([]byte(manifest)); err != nil {
		t.Fatal(err)
	}
	c, err := ContentOf(obj)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func hashOf(t *testing.T, manifest string) string {
	t.Helper()
	h, err := Hash(contentOf(t, manifest))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// The same object written with its keys in another order, the value of an
// override included: one revision.
func TestHashIgnoresKeyOrder(t *testing.T) {
	t.Parallel()
	a := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedDeployment", "metadata": {"name": "web"},
	  "spec": {
	    "template": {"spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "image": "web:v2"}]}}}},
	    "placement": {"clusters": [{"name": "member1"}, {"name": "member2"}]},
	    "overrides": [{"clusterName": "member2", "clusterOverrides": [
	      {"path": "/metadata/annotations", "value": {"a": "1", "b": {"x": 1, "y": 2}}}]}]}}`
	b := `{"kind": "FederatedDeployment", "spec": {
	    "overrides": [{"clusterOverrides": [
	      {"value": {"b": {"y": 2, "x": 1}, "a": "1"}, "path": "/metadata/annotations"}], "clusterName": "member2"}],
	    "placement": {"clusters": [{"name": "member1"}, {"name": "member2"}]},
	    "template": {"spec": {"template": {"spec": {"containers": [{"image": "web:v2", "name": "web"}]}}, "replicas": 3}}},
	  "metadata": {"name": "web"}, "apiVersion": "types.kubefed.io/v1beta1"}`
	if ha, hb := hashOf(t, a), hashOf(t, b); ha != hb {
		t.Errorf("hash of the same content in another key order: %s != %s", ha, hb)
	}
}

// The hash is the first 10 hex digits of the SHA-256 of the canonical JSON
// of {overrides, placement, template} (keys sorted, no spaces); the
// canonical text here is written by hand.
func TestHashValue(t *testing.T) {
	t.Parallel()
	manifest := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedConfigMap", "metadata": {"name": "settings"},
	  "spec": {"template": {"data": {"b": "2", "a": "1"}}, "placement": {"clusterSelector": {}},
	    "overrides": [{"clusterName": "member1", "clusterOverrides": [{"op": "add", "path": "/data/c", "value": 3}]}]}}`
	canonical := `{"overrides":[{"clusterName":"member1","clusterOverrides":[{"op":"add","path":"/data/c","value":3}]}],` +
		`"placement":{"clusterSelector":{}},"template":{"data":{"a":"1","b":"2"}}}`
	sum := sha256.Sum256([]byte(canonical))
	if got, want := hashOf(t, manifest), hex.EncodeToString(sum[:])[:10]; got != want {
		t.Errorf("hash = %s, want %s", got, want)
	}
}

// Every part of the content makes a revision: template, overrides,
// placement; the rollout strategy and status do not.
func TestHashChangesWithTheContent(t *testing.T) {
	t.Parallel()
	base := `{"spec": {"template": {"data": {"a": "1"}}, "placement": {"clusters": [{"name": "member1"}]}}}`
	for _, tc := range []struct {
		name     string
		manifest string
		same     bool
	}{
		{"template", `{"spec": {"template": {"data": {"a": "2"}}, "placement": {"clusters": [{"name": "member1"}]}}}`, false},
		{"placement", `{"spec": {"template": {"data": {"a": "1"}}, "placement": {"clusters": [{"name": "member2"}]}}}`, false},
		{"overrides", `{"spec": {"template": {"data": {"a": "1"}}, "placement": {"clusters": [{"name": "member1"}]},
			"overrides": [{"clusterName": "member1", "clusterOverrides": [{"path": "/data/a", "value": "3"}]}]}}`, false},
		{"spec.rollout", `{"spec": {"template": {"data": {"a": "1"}}, "placement": {"clusters": [{"name": "member1"}]},
			"rollout": {"paused": true}}}`, true},
		{"status", `{"spec": {"template": {"data": {"a": "1"}}, "placement": {"clusters": [{"name": "member1"}]}},
			"status": {"observedGeneration": 3}}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if same := hashOf(t, base) == hashOf(t, tc.manifest); same != tc.same {
				t.Errorf("same hash = %v, want %v", same, tc.same)
			}
		})
	}
	n1 := `{"spec": {"template": {"n": 9007199254740993}}}`
	n2 := `{"spec": {"template": {"n": 9007199254740992}}}`
	if hashOf(t, n1) == hashOf(t, n2) {
		t.Error("two integers that differ beyond float64 precision hash the same")
	}
}

func TestRevisionName(t *testing.T) {
	t.Parallel()
	if got := RevisionName("web", "0123456789"); got != "web-0123456789" {
		t.Errorf("RevisionName = %q, want web-0123456789", got)
	}
	long := strings.Repeat("a", 253)
	if got := RevisionName(long, "0123456789"); len(got) != 253 || !strings.HasSuffix(got, "-0123456789") {
		t.Errorf("RevisionName of a 253-character name = %q (%d characters), want 253 ending in the hash", got, len(got))
	}
}

// A Content built in code (from a stored revision, say) may carry an
// override value with its keys in any order: the same hash.
func TestHashIgnoresKeyOrderInRawValues(t *testing.T) {
	t.Parallel()
	withValue := func(raw string) Content {
		return Content{
			Template: map[string]any{"data": map[string]any{"a": "1"}},
			Overrides: []fedtypesv1b1.GenericOverrideItem{{ClusterName: "member1", ClusterOverrides: []fedtypesv1b1.ClusterOverride{
				{Path: "/metadata/annotations", Value: &apiextensionsv1.JSON{Raw: []byte(raw)}}}}},
		}
	}
	a, err := Hash(withValue(`{"a": "1", "b": {"x": 1, "y": 2}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Hash(withValue(`{"b":{"y":2,"x":1},"a":"1"}`))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("hash of one override value in two key orders: %s != %s", a, b)
	}
}
