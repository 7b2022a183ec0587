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

package apitest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// RoundTrip decodes fixture strictly (an unknown field fails: the Go type
// lacks a KubeFed field or has a wrong tag) into obj, encodes obj again and
// checks that the two JSON documents are equal. Empty objects and nulls,
// which Go writes for zero structs and timestamps, are ignored.
func RoundTrip(t *testing.T, fixture string, obj any) {
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
	var in, back any
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

// prune drops nulls and empty objects from a decoded JSON document.
func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range v {
			p := prune(val)
			if p == nil {
				continue
			}
			if m, ok := p.(map[string]any); ok && len(m) == 0 {
				continue
			}
			out[k] = p
		}
		return out
	case []any:
		out := make([]any, 0, len(v))
		for _, val := range v {
			out = append(out, prune(val))
		}
		return out
	default:
		return v
	}
}
