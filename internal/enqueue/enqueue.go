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

// Package enqueue holds the map functions the controllers share to ask for
// reconciles of every object of a kind when something they all depend on
// changes (the KubeFedConfig, a member cluster, a Secret).
package enqueue

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// All lists the objects of list's kind through c (with opts) and returns a
// request for each. A map function has no error to return: a failed list
// is logged with failure as the message and asks for nothing (the objects
// are reconciled again on their own next change or requeue).
func All(ctx context.Context, c client.Reader, list client.ObjectList, failure string, opts ...client.ListOption) []reconcile.Request {
	err := c.List(ctx, list, opts...)
	var items []runtime.Object
	if err == nil {
		items, err = meta.ExtractList(list)
	}
	if err != nil {
		ctrl.LoggerFrom(ctx).Error(err, failure)
		return nil
	}
	out := make([]reconcile.Request, 0, len(items))
	for _, item := range items {
		if obj, ok := item.(client.Object); ok {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj)})
		}
	}
	return out
}
