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

package federatedtypes

import (
	"fmt"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// named is a list of clusters by name, as a wave's clusters.
func named(names ...string) []any {
	out := []any{}
	for _, n := range names {
		out = append(out, map[string]any{"name": n})
	}
	return out
}

// wave is a wave of the clusters named.
func wave(name string, clusters ...string) map[string]any {
	return map[string]any{"name": name, "clusters": named(clusters...)}
}

// manyNames returns n names, prefix followed by 0 to n-1.
func manyNames(prefix string, n int) []string {
	out := []string{}
	for i := range n {
		out = append(out, fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

// rolloutValidationCase is a case of TestRolloutValidation.
type rolloutValidationCase struct {
	name    string
	rollout map[string]any
	// wantErr lists fragments the refusal must contain; nil: accepted.
	wantErr []string
}

var rolloutValidationCases = []rolloutValidationCase{
	{
		name: "the documented example",
		rollout: map[string]any{
			"waves": []any{
				wave("canary", "member1"),
				map[string]any{"name": "europe", "clusterSelector": map[string]any{"matchLabels": map[string]any{"region": "europe"}},
					"maxConcurrentClusters": int64(2)},
				map[string]any{"name": "rest", "clusterSelector": map[string]any{}},
			},
			"soakTime": "10m", "progressDeadline": "1h30m", "paused": true,
			"rollbackTo": map[string]any{"revision": int64(3)}, "revisionHistoryLimit": int64(0),
		},
	},
	{name: "no waves: every cluster is in remaining", rollout: map[string]any{"soakTime": "0s"}},
	{
		name:    "the most waves, each naming the most clusters",
		rollout: map[string]any{"waves": maxWaves(manyNames)},
	},
	{
		name:    "duplicate wave names",
		rollout: map[string]any{"waves": []any{wave("a", "member1"), wave("a", "member2")}},
		wantErr: []string{"a wave name appears more than once"},
	},
	{
		name:    "a cluster in two waves",
		rollout: map[string]any{"waves": []any{wave("a", "member1"), wave("b", "member2", "member1")}},
		wantErr: []string{"a cluster is named in more than one wave"},
	},
	{
		name:    "a cluster twice in one wave",
		rollout: map[string]any{"waves": []any{wave("a", "member1", "member1")}},
		wantErr: []string{"a cluster is named more than once in wave a"},
	},
	{
		name: "a wave with both clusters and a selector",
		rollout: map[string]any{"waves": []any{map[string]any{"name": "a", "clusters": named("member1"),
			"clusterSelector": map[string]any{}}}},
		wantErr: []string{"wave a must have exactly one of clusters and clusterSelector"},
	},
	{
		name:    "a wave with neither",
		rollout: map[string]any{"waves": []any{map[string]any{"name": "a"}}},
		wantErr: []string{"wave a must have exactly one of clusters and clusterSelector"},
	},
	{
		name:    "the reserved wave name",
		rollout: map[string]any{"waves": []any{wave("remaining", "member1")}},
		wantErr: []string{"the wave name remaining is reserved"},
	},
	{
		name:    "a wave name that is not a DNS label",
		rollout: map[string]any{"waves": []any{wave("Canary", "member1")}},
		wantErr: []string{"wave name Canary is not valid"},
	},
	{
		name:    "an invalid cluster name in a wave",
		rollout: map[string]any{"waves": []any{wave("a", "Member_1")}},
		wantErr: []string{"wave cluster name Member_1 is not a valid cluster name"},
	},
	{
		name: "maxConcurrentClusters 0",
		rollout: map[string]any{"waves": []any{map[string]any{"name": "a", "clusters": named("member1"),
			"maxConcurrentClusters": int64(0)}}},
		wantErr: []string{"maxConcurrentClusters", "should be greater than or equal to 1"},
	},
	{
		name:    "a soak time that is not a duration",
		rollout: map[string]any{"soakTime": "10 minutes"},
		wantErr: []string{"spec.rollout.soakTime 10 minutes is not a duration"},
	},
	{
		name:    "a negative progress deadline",
		rollout: map[string]any{"progressDeadline": "-5m"},
		wantErr: []string{"spec.rollout.progressDeadline -5m is not a duration"},
	},
	{
		name:    "a day is not a Go duration",
		rollout: map[string]any{"progressDeadline": "1d"},
		wantErr: []string{"spec.rollout.progressDeadline 1d is not a duration"},
	},
	{
		name:    "rollback to revision 0",
		rollout: map[string]any{"rollbackTo": map[string]any{"revision": int64(0)}},
		wantErr: []string{"rollbackTo.revision", "should be greater than or equal to 1"},
	},
	{
		name:    "a negative history limit",
		rollout: map[string]any{"revisionHistoryLimit": int64(-1)},
		wantErr: []string{"revisionHistoryLimit", "should be greater than or equal to 0"},
	},
	{
		name: "too many waves",
		rollout: map[string]any{"waves": func() []any {
			out := []any{}
			for i := range MaxRolloutWaves + 1 {
				out = append(out, wave(fmt.Sprintf("w%d", i), fmt.Sprintf("member%d", i)))
			}
			return out
		}()},
		wantErr: []string{"spec.rollout.waves", "must have at most 10 items"},
	},
}

// spec.rollout is validated at admission by the API server itself: each
// case is created as a FederatedConfigMap, and refused ones must say what is
// wrong (the expected fragments are the messages docs/rollout.md promises).
func TestRolloutValidation(t *testing.T) {
	t.Parallel()
	c, crd := startWithCRD(t, "", "ConfigMap")
	for _, tc := range rolloutValidationCases {
		t.Run(tc.name, func(t *testing.T) {
			checkRolloutValidation(t, c, crd, tc)
		})
	}
}

// checkRolloutValidation creates a FederatedConfigMap (crd) with tc's
// spec.rollout and checks that it is refused as tc says, or accepted and
// served as written.
func checkRolloutValidation(t *testing.T, c client.Client, crd *apiextensionsv1.CustomResourceDefinition, tc rolloutValidationCase) {
	obj := newObject(crd)
	obj.SetGenerateName("rollout-")
	obj.Object["spec"] = map[string]any{
		"template": map[string]any{"data": map[string]any{"a": "b"}},
		"rollout":  tc.rollout,
	}
	err := c.Create(t.Context(), obj)
	if tc.wantErr == nil {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		// What was written is what is served: nothing pruned.
		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(obj.GroupVersionKind())
		if err := c.Get(t.Context(), client.ObjectKeyFromObject(obj), got); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got.Object["spec"].(map[string]any)["rollout"]) != fmt.Sprint(tc.rollout) {
			t.Errorf("spec.rollout served as %v, want %v", got.Object["spec"].(map[string]any)["rollout"], tc.rollout)
		}
		return
	}
	if err == nil {
		t.Fatalf("accepted, want a refusal saying %q", tc.wantErr)
	}
	for _, want := range tc.wantErr {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not say %q", err, want)
		}
	}
}

// The status the sync controller will write, status.rollout and
// status.clusters[].revision, is kept by the API server, not pruned.
func TestRolloutStatusIsKept(t *testing.T) {
	t.Parallel()
	c, crd := startWithCRD(t, "apps", "Deployment")
	obj := newObject(crd)
	obj.SetName("web")
	obj.Object["spec"] = map[string]any{"template": map[string]any{}, "rollout": map[string]any{}}
	if err := c.Create(t.Context(), obj); err != nil {
		t.Fatal(err)
	}
	rollout := map[string]any{
		"observedGeneration": int64(1), "currentRevision": int64(2), "previousRevision": int64(1), "updateRevision": int64(3),
		"phase": "Stalled", "reason": "ProgressDeadlineExceeded", "message": "member1 InProgress",
		"currentWave": int64(0), "currentWaveName": "canary",
		"waveStartTime": "2026-12-03T11:00:00Z", "soakStartTime": "2026-12-03T11:05:00Z",
	}
	obj.Object["status"] = map[string]any{
		"observedGeneration": int64(1),
		"rollout":            rollout,
		"clusters":           []any{map[string]any{"name": "member1", "revision": int64(3), "readiness": "InProgress"}},
	}
	if err := c.Status().Update(t.Context(), obj); err != nil {
		t.Fatal(err)
	}
	got := &unstructured.Unstructured{}
	got.SetGroupVersionKind(obj.GroupVersionKind())
	if err := c.Get(t.Context(), client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	status := got.Object["status"].(map[string]any)
	if fmt.Sprint(status["rollout"]) != fmt.Sprint(rollout) {
		t.Errorf("status.rollout served as %v, want %v", status["rollout"], rollout)
	}
	if cl := status["clusters"].([]any)[0].(map[string]any); cl["revision"] != int64(3) {
		t.Errorf("status.clusters[0] served as %v, want revision 3", cl)
	}
}

// maxWaves is MaxRolloutWaves waves of MaxWaveClusters distinct clusters
// each: the largest spec.rollout by name must pass the API server's CEL
// budget at run time too.
func maxWaves(names func(prefix string, n int) []string) []any {
	out := []any{}
	for i := range MaxRolloutWaves {
		clusters := []any{}
		for _, n := range names(fmt.Sprintf("w%d-member", i), MaxWaveClusters) {
			clusters = append(clusters, map[string]any{"name": n})
		}
		out = append(out, map[string]any{"name": fmt.Sprintf("w%d", i), "clusters": clusters})
	}
	return out
}
