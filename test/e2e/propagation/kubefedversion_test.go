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

package propagation_test

import (
	"bytes"
	"crypto/md5" //nolint:gosec // KubeFed's version hashes are MD5; not used for security.
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
)

// The expected PropagatedVersion hashes of the e2e tests, computed the way
// KubeFed v0.10's sync controller computes them, written here from KubeFed's
// published source and independent of kubefed's internal/propagatedversion
// (which the tests check): TestKubeFedVersionOracle proves these functions
// against the hashes KubeFed's own functions computed (the golden file).
//
// KubeFed v0.10 (pkg/controller/sync/resource.go):
//   - templateVersion (GetTemplateHash): the MD5, in hex, of spec.template
//     encoded by Unstructured.MarshalJSON, i.e. encoding/json's Encoder
//     (map keys sorted, HTML characters escaped, a trailing newline); "" when
//     the object has no spec.template.
//   - overridesVersion (GetOverrideHash): the object is decoded into KubeFed's
//     typed override structs (pkg/controller/util/overrides.go: spec with
//     overrides omitempty, each entry clusterName and clusterOverrides
//     omitempty, each override op omitempty, path, value omitempty as an
//     interface{}); "" when the object has no spec; otherwise the MD5 of
//     {"overrides": <the typed overrides>} encoded as above, which is
//     {"overrides":null} without spec.overrides and {"overrides":[]} with an
//     empty list.

// kubefedClusterOverride mirrors the fields and JSON tags of one override in
// KubeFed's typed decoding.
type kubefedClusterOverride struct {
	Op    string `json:"op,omitempty"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

type kubefedOverrideItem struct {
	ClusterName      string                   `json:"clusterName"`
	ClusterOverrides []kubefedClusterOverride `json:"clusterOverrides,omitempty"`
}

type kubefedOverrideObject struct {
	Spec *struct {
		Overrides []kubefedOverrideItem `json:"overrides,omitempty"`
	} `json:"spec,omitempty"`
}

// kubefedHash is the MD5 of value's encoding by encoding/json's Encoder.
func kubefedHash(value any) (string, error) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(value); err != nil {
		return "", err
	}
	sum := md5.Sum(buf.Bytes()) //nolint:gosec // See the import.
	return hex.EncodeToString(sum[:]), nil
}

// kubefedTemplateVersion is KubeFed v0.10's templateVersion of a federated
// object as the API server serves it (decoded as a client decodes it).
func kubefedTemplateVersion(obj map[string]any) (string, error) {
	spec, ok := obj["spec"].(map[string]any)
	if !ok {
		return "", nil
	}
	template, ok := spec["template"].(map[string]any)
	if !ok {
		return "", nil
	}
	return kubefedHash(template)
}

// kubefedOverridesVersion is KubeFed v0.10's overridesVersion of a federated
// object as the API server serves it.
func kubefedOverridesVersion(obj map[string]any) (string, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return "", err
	}
	var typed kubefedOverrideObject
	if err := json.Unmarshal(data, &typed); err != nil {
		return "", fmt.Errorf("decoding the overrides as KubeFed does: %w", err)
	}
	if typed.Spec == nil {
		return "", nil
	}
	return kubefedHash(map[string]any{"overrides": typed.Spec.Overrides})
}

// TestKubeFedVersionOracle checks the test-side implementation of KubeFed's
// hashes against every object of KubeFed's golden file, so that what the e2e
// tests expect comes from KubeFed's results. It needs no cluster.
func TestKubeFedVersionOracle(t *testing.T) {
	golden := readGolden(t)
	if len(golden) == 0 {
		t.Fatal("the golden file holds no object")
	}
	names := slices.Sorted(maps.Keys(golden))
	for _, name := range names {
		g := golden[name]
		template, err := kubefedTemplateVersion(g.Object)
		if err != nil {
			t.Errorf("%s: templateVersion: %v", name, err)
		} else if template != g.TemplateVersion {
			t.Errorf("%s: templateVersion = %q, KubeFed computed %q", name, template, g.TemplateVersion)
		}
		overrides, err := kubefedOverridesVersion(g.Object)
		if err != nil {
			t.Errorf("%s: overridesVersion: %v", name, err)
		} else if overrides != g.OverridesVersion {
			t.Errorf("%s: overridesVersion = %q, KubeFed computed %q", name, overrides, g.OverridesVersion)
		}
	}
	t.Logf("checked %d golden objects", len(names))
}
