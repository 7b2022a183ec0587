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

package sync

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
)

// MemberToFederated maps a member object to the federated object it was
// propagated from: the same name and namespace, except for namespaces,
// whose FederatedNamespace lives in the namespace it federates.
func MemberToFederated(ftc *fedcorev1b1.FederatedTypeConfig, obj client.Object) reconcile.Request {
	if ftc.IsNamespace() {
		return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: obj.GetName(), Name: obj.GetName()}}
	}
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: obj.GetNamespace(), Name: obj.GetName()}}
}

// ConnectionSource enqueues every federated object of the type when a
// member connection opens (after availableDelay) or closes (after
// unavailableDelay), so that placement, status and pending work follow the
// member's return or loss.
func ConnectionSource(members *clustercache.ClusterCache, host client.Reader, ftc *fedcorev1b1.FederatedTypeConfig, availableDelay, unavailableDelay time.Duration) source.TypedSource[reconcile.Request] {
	return source.TypedFunc[reconcile.Request](func(ctx context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
		unsubscribe := members.Subscribe(func(ev clustercache.ConnectionEvent) {
			delay := unavailableDelay
			if ev.Connected {
				delay = availableDelay
			}
			list := &unstructured.UnstructuredList{}
			list.SetGroupVersionKind(ftc.Spec.FederatedType.GroupVersionKind().GroupVersion().WithKind(ftc.Spec.FederatedType.Kind + "List"))
			if err := host.List(ctx, list); err != nil {
				ctrl.LoggerFrom(ctx).Error(err, "Could not list federated objects after a member connection change", "cluster", ev.Cluster)
				return
			}
			// A sweep over every object is background work: user edits
			// queued meanwhile go first.
			for i := range list.Items {
				enqueue(q, requestFor(&list.Items[i]), PriorityBackground, delay)
			}
		})
		context.AfterFunc(ctx, unsubscribe)
		return nil
	})
}

// NamespaceToFederated maps a FederatedNamespace to every federated object
// of the type in its namespace: their placement depends on it.
func NamespaceToFederated(host client.Reader, ftc *fedcorev1b1.FederatedTypeConfig) handler.MapFunc {
	return func(ctx context.Context, obj client.Object) []reconcile.Request {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(ftc.Spec.FederatedType.GroupVersionKind().GroupVersion().WithKind(ftc.Spec.FederatedType.Kind + "List"))
		if err := host.List(ctx, list, client.InNamespace(obj.GetNamespace())); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "Could not list federated objects after a FederatedNamespace change", "namespace", obj.GetNamespace())
			return nil
		}
		out := make([]reconcile.Request, 0, len(list.Items))
		for i := range list.Items {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
		}
		return out
	}
}
