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
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// hashLength is the number of hex digits of a revision hash: 40 bits, as
// short as a name suffix should be and far from colliding among the few
// revisions one object keeps.
const hashLength = 10

// maxNameLength is the longest object name the API server accepts.
const maxNameLength = 253

// Content is what a revision holds: the parts of a federated object's spec
// that decide what runs in each cluster.
type Content struct {
	Template  map[string]any                     `json:"template,omitempty"`
	Overrides []fedtypesv1b1.GenericOverrideItem `json:"overrides,omitempty"`
	Placement *fedtypesv1b1.Placement            `json:"placement,omitempty"`
}

// ContentOf reads the Content of a federated object.
func ContentOf(u *unstructured.Unstructured) (Content, error) {
	template, _, err := fedtypesv1b1.GetTemplate(u)
	if err != nil {
		return Content{}, err
	}
	overrides, err := fedtypesv1b1.GetOverrides(u)
	if err != nil {
		return Content{}, err
	}
	placement, err := fedtypesv1b1.GetPlacement(u)
	if err != nil {
		return Content{}, err
	}
	return Content{Template: template, Overrides: overrides, Placement: placement}, nil
}

// Hash names a Content: the first 10 hex digits of the SHA-256 of its
// canonical JSON (object keys sorted at every depth, override values
// included, numbers kept as written, no spaces). The order of keys in a
// manifest therefore does not make a new revision; the order of list items
// does, as it changes what runs.
func Hash(c Content) (string, error) {
	canonical, err := canonicalJSON(c)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])[:hashLength], nil
}

// canonicalJSON marshals v, reads it back as generic values (numbers as
// json.Number, so that no integer is rounded) and marshals that again:
// encoding/json writes map keys sorted, which reorders the keys inside
// override values (raw JSON kept as the user wrote it) too.
func canonicalJSON(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding revision content: %w", err)
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	var generic any
	if err := decoder.Decode(&generic); err != nil {
		return nil, fmt.Errorf("decoding revision content: %w", err)
	}
	out, err := json.Marshal(generic)
	if err != nil {
		return nil, fmt.Errorf("encoding revision content: %w", err)
	}
	return out, nil
}

// RevisionName is the name of the ControllerRevision that holds the
// revision with the given hash of the named federated object: name-hash,
// the name cut short when the whole would be longer than an object name
// may be.
func RevisionName(objectName, hash string) string {
	if limit := maxNameLength - len(hash) - 1; len(objectName) > limit {
		objectName = objectName[:limit]
	}
	return objectName + "-" + hash
}
