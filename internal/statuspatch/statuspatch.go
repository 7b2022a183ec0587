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

// Package statuspatch is the one way the controllers write a status: a JSON
// merge patch of the status alone, computed from the object as the reconcile
// read it, sent to the status subresource only when the status changed.
//
// The rule for the optimistic lock, decided once for every controller: a
// status patch carries the resourceVersion it was computed from (Optimistic)
// unless the controller guarantees otherwise that its read is not older than
// its own last write. A merge patch from a stale read leaves out exactly the
// fields the stale read and the new status agree on, so a value the
// controller itself changed since the read would stay on the server; with the
// lock the write fails with a Conflict and the reconcile reads again. The
// sync controllers are the one exception (None): they read the host through a
// write memo that hands out their own last write (see controllers/propagation),
// and at thousands of objects a conflict would cost a write and a reconcile per
// object.
package statuspatch

import (
	"context"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
)

// Lock says whether a status patch carries the resourceVersion it was
// computed from.
type Lock bool

const (
	// Optimistic sends orig's resourceVersion, the read the status was
	// computed from: the API server refuses the patch (Conflict) when the
	// object changed since.
	Optimistic Lock = true
	// None writes the changed fields whatever the object's resourceVersion;
	// only for a controller that reads its own writes (see the package doc).
	None Lock = false
)

// Patch writes obj's status when it differs from orig's, as a JSON merge
// patch of the status fields that changed (other changes to obj are not
// sent). It reports whether it wrote; after a write obj holds the API
// server's answer. Errors are the API server's, unwrapped (test them with
// apierrors); the caller names the object in what it returns.
func Patch(ctx context.Context, c client.Client, obj, orig client.Object, lock Lock) (bool, error) {
	data, err := Data(obj, orig, lock)
	if err != nil || data == nil {
		return false, err
	}
	if err := c.Status().Patch(ctx, obj, client.RawPatch(types.MergePatchType, data)); err != nil {
		return false, err
	}
	return true, nil
}

// Data returns the merge patch Patch would send, or nil when the status did
// not change.
func Data(obj, orig client.Object, lock Lock) ([]byte, error) {
	before, err := statusDocument(orig)
	if err != nil {
		return nil, err
	}
	after, err := statusDocument(obj)
	if err != nil {
		return nil, err
	}
	patch, err := jsonpatch.CreateMergePatch(before, after)
	if err != nil {
		return nil, fmt.Errorf("computing the status patch: %w", err)
	}
	var fields map[string]any
	if err := json.Unmarshal(patch, &fields); err != nil {
		return nil, fmt.Errorf("reading the status patch: %w", err)
	}
	if len(fields) == 0 {
		return nil, nil
	}
	if lock == Optimistic {
		fields["metadata"] = map[string]any{"resourceVersion": orig.GetResourceVersion()}
	}
	return json.Marshal(fields)
}

// statusDocument returns {"status": ...} with the object's status, or {}
// when it has none.
func statusDocument(obj client.Object) ([]byte, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, fmt.Errorf("decoding %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
	}
	status, ok := fields["status"]
	if !ok {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string]json.RawMessage{"status": status})
}
