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

package overrides

import (
	"encoding/json"
	"fmt"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// operation is one RFC 6902 operation as encoded in a JSON patch.
type operation struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value,omitempty"`
}

// Apply applies the overrides, in order, to obj. It fails, leaving obj
// unchanged, when an operation does not apply (a path that does not exist
// for remove or replace, say); the error names the operation.
func Apply(obj *unstructured.Unstructured, overrides []fedtypesv1b1.ClusterOverride) error {
	if len(overrides) == 0 {
		return nil
	}
	doc, err := json.Marshal(obj.Object)
	if err != nil {
		return err
	}
	for i, o := range overrides {
		op := operation{Op: o.Operation(), Path: o.Path}
		switch op.Op {
		case fedtypesv1b1.OverrideOpAdd, fedtypesv1b1.OverrideOpReplace:
			op.Value = json.RawMessage("null")
			if o.Value != nil && o.Value.Raw != nil {
				op.Value = o.Value.Raw
			}
		case fedtypesv1b1.OverrideOpRemove:
		default:
			return fmt.Errorf("override %d (%s %s): unknown op %q: use add, remove or replace", i, op.Op, o.Path, op.Op)
		}
		raw, err := json.Marshal([]operation{op})
		if err != nil {
			return err
		}
		patch, err := jsonpatch.DecodePatch(raw)
		if err != nil {
			return fmt.Errorf("override %d (%s %s): %w", i, op.Op, o.Path, err)
		}
		if doc, err = patch.Apply(doc); err != nil {
			return fmt.Errorf("override %d (%s %s) does not apply to the template: %w", i, op.Op, o.Path, err)
		}
	}
	// apimachinery's decoder keeps integers int64, as unstructured
	// objects expect.
	out := map[string]any{}
	if err := utiljson.Unmarshal(doc, &out); err != nil {
		return err
	}
	obj.Object = out
	return nil
}
