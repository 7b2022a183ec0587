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

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// operation is one override encoded as a JSON patch operation, the way
// KubeFed encoded it: a missing value is left out of the operation (and
// json-patch v4 then writes null).
type operation struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value,omitempty"`
}

// Apply applies the overrides, in order, to obj, with KubeFed v0.10's
// semantics: json-patch v4, where replace of a missing key of an object
// adds it (see doc.go for every case). It fails, leaving obj unchanged,
// when an operation does not apply (a missing parent, a missing key for
// remove, an array index out of range); the error names the override.
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
			if o.Value != nil && len(o.Value.Raw) > 0 {
				op.Value = o.Value.Raw
			}
		case fedtypesv1b1.OverrideOpRemove:
		default:
			return fmt.Errorf("override %d (%s %s): unknown op %q: use add, remove or replace", i, op.Op, o.Path, op.Op)
		}
		// One operation per patch, so that a failure names its override;
		// the operations of a patch apply one after the other anyway,
		// so the result is the one of KubeFed's single patch.
		raw, err := json.Marshal([]operation{op})
		if err != nil {
			return err
		}
		patch, err := jsonpatch.DecodePatch(raw)
		if err != nil {
			return fmt.Errorf("override %d (%s %s): %w", i, op.Op, o.Path, err)
		}
		if doc, err = applyPatch(patch, doc); err != nil {
			return fmt.Errorf("override %d (%s %s) does not apply to the template: %w", i, op.Op, o.Path, err)
		}
	}
	// apimachinery's decoder keeps integers int64, as unstructured
	// objects expect.
	out := map[string]any{}
	if err := utiljson.Unmarshal(doc, &out); err != nil {
		return fmt.Errorf("the overrides turned the template into something that is not an object: %w", err)
	}
	obj.Object = out
	return nil
}

// applyPatch applies patch to doc, turning a panic of the library (it has
// had some on malformed documents) into an error: an override must never
// take the controller down.
func applyPatch(patch jsonpatch.Patch, doc []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("invalid patch: %v", r)
		}
	}()
	return patch.Apply(doc)
}
