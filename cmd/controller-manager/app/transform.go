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

package app

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	toolscache "k8s.io/client-go/tools/cache"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// lastAppliedAnnotation is kubectl's copy of the whole object as last
// applied: as large as the object, and never read by kubefed.
const lastAppliedAnnotation = corev1.LastAppliedConfigAnnotation

// hostTransform trims what the host cache stores: managedFields of every
// object, and kubectl's last-applied copy of federated objects, which
// users apply with kubectl. Nothing in kubefed reads either. The
// control plane's own objects keep their annotations: some are written
// back whole from the cache.
func hostTransform() toolscache.TransformFunc {
	return func(in any) (any, error) {
		obj, err := meta.Accessor(in)
		if err != nil {
			return in, nil
		}
		if obj.GetManagedFields() != nil {
			obj.SetManagedFields(nil)
		}
		if u, ok := in.(*unstructured.Unstructured); ok && u.GroupVersionKind().Group == fedtypesv1b1.GroupVersion.Group {
			dropAnnotation(u, lastAppliedAnnotation)
		}
		return in, nil
	}
}

// memberTransform trims what the member caches store. The sync
// controllers compare a copy by its version, read its labels, its
// spec.replicas and its status, never its payload: managedFields,
// kubectl's last-applied copy, and the data of ConfigMaps and Secrets are
// dropped (holding every federated Secret's data in memory would also be
// needless exposure). Member caches hold only objects carrying kubefed's
// managed label, so nothing else is affected.
func memberTransform() toolscache.TransformFunc {
	return func(in any) (any, error) {
		switch o := in.(type) {
		case *unstructured.Unstructured:
			if o.GetManagedFields() != nil {
				o.SetManagedFields(nil)
			}
			dropAnnotation(o, lastAppliedAnnotation)
			if gvk := o.GroupVersionKind(); gvk.Group == "" && (gvk.Kind == "ConfigMap" || gvk.Kind == "Secret") {
				delete(o.Object, "data")
				delete(o.Object, "binaryData")
				delete(o.Object, "stringData")
			}
		case *corev1.ConfigMap:
			o.ManagedFields = nil
			delete(o.Annotations, lastAppliedAnnotation)
			o.Data, o.BinaryData = nil, nil
		case *corev1.Secret:
			o.ManagedFields = nil
			delete(o.Annotations, lastAppliedAnnotation)
			o.Data, o.StringData = nil, nil
		default:
			if obj, err := meta.Accessor(in); err == nil && obj.GetManagedFields() != nil {
				obj.SetManagedFields(nil)
			}
		}
		return in, nil
	}
}

func dropAnnotation(u *unstructured.Unstructured, key string) {
	v, found, err := unstructured.NestedFieldNoCopy(u.Object, "metadata", "annotations")
	annotations, ok := v.(map[string]any)
	if !found || err != nil || !ok {
		return
	}
	delete(annotations, key)
	if len(annotations) == 0 {
		unstructured.RemoveNestedField(u.Object, "metadata", "annotations")
	}
}
