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

package e2eutil

import (
	"context"
	"fmt"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// templateLabel and templateLabelValue are the label the template update
// step of a federated object's life sets in its template.
const (
	templateLabel      = "e2e-template"
	templateLabelValue = "2"
)

// UpdateTemplate is the template update step of a federated object's life:
// it sets templateLabel in the template of fedObj (spec.template.metadata.labels)
// on the host, and waits within timeout until the copy in every one of
// clusters, the target kind read at key, carries it.
func (e *Env) UpdateTemplate(t testing.TB, fedObj *unstructured.Unstructured, target schema.GroupVersionKind, key client.ObjectKey, clusters []string, timeout time.Duration) {
	t.Helper()
	e.UpdateFederated(t, fedObj, func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, templateLabelValue, "spec", "template", "metadata", "labels", templateLabel)
	})
	Eventually(t, timeout, func(ctx context.Context) error {
		for _, cluster := range clusters {
			m := &unstructured.Unstructured{}
			m.SetGroupVersionKind(target)
			err := e.Member(cluster).Get(ctx, key, m)
			if apierrors.IsNotFound(err) {
				return fmt.Errorf("no copy in %s", cluster)
			}
			if err != nil {
				return fmt.Errorf("reading the %s copy: %w", cluster, err)
			}
			if m.GetLabels()[templateLabel] != templateLabelValue {
				m.SetManagedFields(nil)
				return fmt.Errorf("the %s copy is %s", cluster, toJSON(m.Object))
			}
		}
		return nil
	}, "%s %s: copies in %v with label %s=%s", fedObj.GetKind(), client.ObjectKeyFromObject(fedObj), clusters, templateLabel, templateLabelValue)
}

// UpdateFederated changes the federated object fedObj on the host with
// mutate, reading it again and retrying on a conflict, and returns it as
// written.
func (e *Env) UpdateFederated(t testing.TB, fedObj *unstructured.Unstructured, mutate func(*unstructured.Unstructured)) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		u = &unstructured.Unstructured{}
		u.SetGroupVersionKind(fedObj.GroupVersionKind())
		if err := e.Host.Get(t.Context(), client.ObjectKeyFromObject(fedObj), u); err != nil {
			return err
		}
		mutate(u)
		return e.Host.Update(t.Context(), u)
	})
	if err != nil {
		t.Fatalf("updating %s %s: %v", fedObj.GetKind(), client.ObjectKeyFromObject(fedObj), err)
	}
	return u
}
