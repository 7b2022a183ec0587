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

package dnsrecords

import (
	"context"
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/statuspatch"
)

// SetupController registers the status controller of the kind with mgr:
// it reconciles the kind's records with r, and enqueues every record (read
// through c) when a KubeFedCluster changes (its health, region and zones
// are in the status) or a member connects or disconnects. watch adds what
// only this kind watches: the member objects its status reads
// (WatchSameName), other host kinds.
func (k Kind[R, S]) SetupController(mgr ctrl.Manager, cc *clustercache.ClusterCache, c client.Reader, r reconcile.Reconciler,
	watch func(*builder.Builder) *builder.Builder) error {
	all := func(ctx context.Context, _ client.Object) []ctrl.Request { return k.Requests(ctx, c, nil) }
	b := ctrl.NewControllerManagedBy(mgr).Named(k.Controller).For(k.New()).
		Watches(&fedcorev1b1.KubeFedCluster{}, handler.EnqueueRequestsFromMapFunc(all))
	return watch(b).
		WatchesRawSource(clustercache.ConnectionSource(cc, func(ctx context.Context, _ clustercache.ConnectionEvent) []ctrl.Request {
			return all(ctx, nil)
		})).
		Complete(r)
}

// WatchSameName is the watch, named name, of the member objects of kind
// that the member caches hold (labelled kubefed.io/managed); a change
// enqueues the record of the object's namespace and name.
func WatchSameName(cc *clustercache.ClusterCache, name string, kind client.Object) source.TypedSource[ctrl.Request] {
	return clustercache.WatchSource(cc, clustercache.WatchSourceInput[ctrl.Request]{Name: name, Kind: kind, MapFunc: SameName})
}

// SameName maps a member object to the record of its namespace and name.
func SameName(_ context.Context, _ string, o client.Object) []ctrl.Request {
	return []ctrl.Request{{NamespacedName: client.ObjectKeyFromObject(o)}}
}

// ReconcileStatus is the reconcile of a status controller: it gets the
// record of req, has compute read what the status depends on (the host's
// objects, each Ready member's) and derive it, and writes it with
// PatchStatus. A record that is gone needs nothing.
func (k Kind[R, S]) ReconcileStatus(ctx context.Context, c client.Client, req ctrl.Request,
	compute func(ctx context.Context, rec R) (S, error)) (ctrl.Result, error) {
	rec := k.New()
	if err := c.Get(ctx, req.NamespacedName, rec); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	status, err := compute(ctx, rec)
	if err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, k.PatchStatus(ctx, c, rec, status)
}

// PatchStatus writes status into the record through statuspatch, only when
// it differs from the stored one, with the optimistic lock: the status was
// computed from this version of the record (its generation is the
// observedGeneration), so a record changed since is refused with a
// conflict, and the reconcile that follows computes the status again.
func (k Kind[R, S]) PatchStatus(ctx context.Context, c client.Client, rec R, status S) error {
	before := rec.DeepCopyObject().(client.Object)
	*k.Status(rec) = status
	if _, err := statuspatch.Patch(ctx, c, rec, before, statuspatch.Optimistic); err != nil {
		return fmt.Errorf("writing the status of %s %s: %w", k.Name, client.ObjectKeyFromObject(rec), err)
	}
	return nil
}
