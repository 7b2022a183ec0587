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
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// NewRevision builds the ControllerRevision that keeps one revision of a
// federated object: named RevisionName(object, Hash(content)), labelled
// with the object's UID, kind, name (when it fits a label value) and the
// hash, controlled by the object,
// holding the content. It lives in the object's namespace; a
// cluster-scoped object's revisions live in namespace (the control
// plane's).
func NewRevision(obj *unstructured.Unstructured, namespace string, content Content, number int64) (*appsv1.ControllerRevision, error) {
	hash, err := Hash(content)
	if err != nil {
		return nil, err
	}
	data, err := canonicalJSON(content)
	if err != nil {
		return nil, err
	}
	if obj.GetNamespace() != "" {
		namespace = obj.GetNamespace()
	}
	labels := map[string]string{
		fedtypesv1b1.RevisionFederatedUIDLabel:  string(obj.GetUID()),
		fedtypesv1b1.RevisionFederatedKindLabel: obj.GetKind(),
		fedtypesv1b1.RevisionHashLabel:          hash,
	}
	if len(validation.IsValidLabelValue(obj.GetName())) == 0 {
		labels[fedtypesv1b1.RevisionFederatedNameLabel] = obj.GetName()
	}
	return &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{
			Name:      RevisionName(obj.GetName(), hash),
			Namespace: namespace,
			Labels:    labels,
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion:         obj.GetAPIVersion(),
				Kind:               obj.GetKind(),
				Name:               obj.GetName(),
				UID:                obj.GetUID(),
				Controller:         ptr.To(true),
				BlockOwnerDeletion: ptr.To(true),
			}},
		},
		Data:     runtime.RawExtension{Raw: data},
		Revision: number,
	}, nil
}

// RevisionContent reads back the content a ControllerRevision keeps.
func RevisionContent(rev *appsv1.ControllerRevision) (Content, error) {
	var content Content
	if err := json.Unmarshal(rev.Data.Raw, &content); err != nil {
		return Content{}, fmt.Errorf("reading the content of revision %s/%s: %w", rev.Namespace, rev.Name, err)
	}
	return content, nil
}

// NextNumber is the number a new content gets: one more than the highest
// in the history, 1 in an empty one. A content that comes back keeps the
// number of its existing ControllerRevision (found by its hash label):
// status.clusters[].revision records numbers, so they never change.
func NextNumber(history []*appsv1.ControllerRevision) int64 {
	var highest int64
	for _, r := range history {
		highest = max(highest, r.Revision)
	}
	return highest + 1
}

// Prune returns the revisions to delete: those not in keep (current,
// update, rollbackTo and every revision a cluster runs) beyond the limit
// newest others.
func Prune(history []*appsv1.ControllerRevision, limit int32, keep map[int64]bool) []*appsv1.ControllerRevision {
	limit = max(limit, 0)
	var old []*appsv1.ControllerRevision
	for _, r := range history {
		if !keep[r.Revision] {
			old = append(old, r)
		}
	}
	if len(old) <= int(limit) {
		return nil
	}
	slices.SortFunc(old, func(a, b *appsv1.ControllerRevision) int { return cmp.Compare(a.Revision, b.Revision) })
	return old[:len(old)-int(limit)]
}
