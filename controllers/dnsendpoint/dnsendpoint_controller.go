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

package dnsendpoint

import (
	"context"
	"fmt"
	"slices"
	"strings"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/internal/dnsrecords"
)

// +kubebuilder:rbac:groups=multiclusterdns.kubefed.io,resources=dnsendpoints,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=multiclusterdns.kubefed.io,resources=servicednsrecords;ingressdnsrecords,verbs=get;list;watch
// +kubebuilder:rbac:groups=core.kubefed.io,resources=kubefedclusters,verbs=get;list;watch

// Reconciler writes the DNSEndpoint of one ServiceDNSRecord or
// IngressDNSRecord. Its requests name DNSEndpoints: service-<record> or
// ingress-<record>.
type Reconciler struct {
	// Client reads and writes the host cluster.
	Client client.Client
	// Namespace is the control-plane namespace, where the KubeFedClusters
	// are.
	Namespace string
}

// SetupWithManager registers the controller.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	prefixed := func(prefix string) handler.EventHandler {
		return handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []ctrl.Request {
			return []ctrl.Request{{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: prefix + o.GetName()}}}
		})
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("dnsendpoint").
		For(&feddnsv1a1.DNSEndpoint{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&feddnsv1a1.ServiceDNSRecord{}, prefixed(ServicePrefix)).
		Watches(&feddnsv1a1.IngressDNSRecord{}, prefixed(IngressPrefix)).
		// Regions and zones of joined clusters decide which fallback names
		// exist; only ServiceDNSRecords use them.
		Watches(&fedcorev1b1.KubeFedCluster{}, handler.EnqueueRequestsFromMapFunc(r.clusterToEndpoints)).
		Complete(r)
}

// clusterToEndpoints enqueues the DNSEndpoint of every ServiceDNSRecord.
func (r *Reconciler) clusterToEndpoints(ctx context.Context, _ client.Object) []ctrl.Request {
	return dnsrecords.ServiceRecords.Requests(ctx, r.Client, func(rec *feddnsv1a1.ServiceDNSRecord) (ctrl.Request, bool) {
		return ctrl.Request{NamespacedName: types.NamespacedName{Namespace: rec.Namespace, Name: ServicePrefix + rec.Name}}, true
	})
}

// desired is what one record asks of its DNSEndpoint.
type desired struct {
	// owner is the record.
	owner client.Object
	// endpoints are the records its status gives.
	endpoints []*feddnsv1a1.Endpoint
	// keep says, when no cluster has a load balancer to publish, whether
	// the stored records are the last ones published for the record as it
	// is now, and are kept; nil when there is one to publish.
	keep func(stored []*feddnsv1a1.Endpoint) bool
}

// Reconcile computes the DNSEndpoint's records from its record's status and
// writes them when they changed.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var d *desired
	var err error
	switch {
	case strings.HasPrefix(req.Name, ServicePrefix):
		d, err = desiredOf(ctx, r, req.NamespacedName, ServicePrefix, dnsrecords.ServiceRecords, r.serviceDesired)
	case strings.HasPrefix(req.Name, IngressPrefix):
		d, err = desiredOf(ctx, r, req.NamespacedName, IngressPrefix, dnsrecords.IngressRecords, ingressDesired)
	default:
		// A DNSEndpoint written by someone else.
		return ctrl.Result{}, nil
	}
	if err != nil || d == nil || d.owner.GetDeletionTimestamp() != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, r.write(ctx, req.NamespacedName, d)
}

// desiredOf gets the record of kind that the DNSEndpoint key is written
// for (its name is prefix and the record's) and returns what want says it
// asks of the DNSEndpoint. When the record is gone it deletes the
// DNSEndpoint, and returns nil.
func desiredOf[R client.Object, S any](ctx context.Context, r *Reconciler, key types.NamespacedName, prefix string,
	kind dnsrecords.Kind[R, S], want func(ctx context.Context, rec R) (*desired, error)) (*desired, error) {
	rec := kind.New()
	if err := r.Client.Get(ctx, types.NamespacedName{Namespace: key.Namespace, Name: strings.TrimPrefix(key.Name, prefix)}, rec); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, r.deleteOrphan(ctx, key, kind.Name)
		}
		return nil, err
	}
	return want(ctx, rec)
}

// serviceDesired gives the records of a ServiceDNSRecord, with the regions
// and zones of the joined clusters; without a load balancer to publish it
// keeps stored records that still hold the record's global name.
func (r *Reconciler) serviceDesired(ctx context.Context, rec *feddnsv1a1.ServiceDNSRecord) (*desired, error) {
	known, err := r.locations(ctx)
	if err != nil {
		return nil, err
	}
	d := &desired{owner: rec, endpoints: ServiceEndpoints(rec, rec.Status.Domain, known)}
	if rec.Status.Domain != "" && !HasServiceTargets(rec.Status.DNS) {
		global := NewServiceNames(rec, rec.Status.Domain).Global()
		d.keep = func(stored []*feddnsv1a1.Endpoint) bool {
			return slices.ContainsFunc(stored, func(ep *feddnsv1a1.Endpoint) bool { return ep.DNSName == global })
		}
	}
	return d, nil
}

// ingressDesired gives the records of an IngressDNSRecord; without a load
// balancer to publish it keeps stored records that are all for hosts of
// the record.
func ingressDesired(_ context.Context, rec *feddnsv1a1.IngressDNSRecord) (*desired, error) {
	d := &desired{owner: rec, endpoints: IngressEndpoints(rec)}
	if !HasIngressTargets(rec.Status.DNS) {
		d.keep = func(stored []*feddnsv1a1.Endpoint) bool {
			return len(stored) > 0 && !slices.ContainsFunc(stored, func(ep *feddnsv1a1.Endpoint) bool {
				return !slices.Contains(rec.Spec.Hosts, ep.DNSName)
			})
		}
	}
	return d, nil
}

// deleteOrphan deletes the DNSEndpoint of a deleted record. The owner
// reference would have the garbage collector delete it too, but only after
// the collector has noticed the owner is gone (seconds to tens of seconds);
// a deleted record's names should stop resolving at once. Only a
// DNSEndpoint that a record of ownerKind controls is deleted.
func (r *Reconciler) deleteOrphan(ctx context.Context, key types.NamespacedName, ownerKind string) error {
	ep := &feddnsv1a1.DNSEndpoint{}
	if err := r.Client.Get(ctx, key, ep); err != nil {
		return client.IgnoreNotFound(err)
	}
	ref := metav1.GetControllerOf(ep)
	if ref == nil || ref.Kind != ownerKind || ref.APIVersion != feddnsv1a1.GroupVersion.String() || ep.DeletionTimestamp != nil {
		return nil
	}
	if err := r.Client.Delete(ctx, ep, client.Preconditions{UID: &ep.UID}); err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("deleting DNSEndpoint %s of a deleted %s: %w", key, ownerKind, err)
	}
	ctrl.LoggerFrom(ctx).Info("Deleted the DNSEndpoint of a deleted record", "dnsEndpoint", klog.KObj(ep))
	return nil
}

// locations returns the region and zones of every joined cluster.
func (r *Reconciler) locations(ctx context.Context) ([]Location, error) {
	clusters := &fedcorev1b1.KubeFedClusterList{}
	if err := r.Client.List(ctx, clusters, client.InNamespace(r.Namespace)); err != nil {
		return nil, fmt.Errorf("listing KubeFedClusters in %s: %w", r.Namespace, err)
	}
	out := make([]Location, 0, len(clusters.Items))
	for i := range clusters.Items {
		st := clusters.Items[i].Status
		loc := Location{Zones: st.Zones}
		if st.Region != nil {
			loc.Region = *st.Region
		}
		out = append(out, loc)
	}
	return out, nil
}

// write creates the DNSEndpoint or updates its records to d's, only when
// they differ from the stored ones and d.keep (when set) does not keep them. A
// DNSEndpoint of that name without a controller (as KubeFed v0.6 wrote them)
// is adopted; one controlled by another object is left alone and reported.
func (r *Reconciler) write(ctx context.Context, key types.NamespacedName, d *desired) error {
	owner, keep := d.owner, d.keep
	log := ctrl.LoggerFrom(ctx)
	ep := &feddnsv1a1.DNSEndpoint{}
	err := r.Client.Get(ctx, key, ep)
	switch {
	case apierrors.IsNotFound(err):
		ep = &feddnsv1a1.DNSEndpoint{}
		ep.Name, ep.Namespace = key.Name, key.Namespace
		ep.Spec.Endpoints = d.endpoints
		if err := controllerutil.SetControllerReference(owner, ep, r.Client.Scheme()); err != nil {
			return err
		}
		if err := r.Client.Create(ctx, ep); err != nil {
			if apierrors.IsAlreadyExists(err) {
				// Created by the previous reconcile, not yet in the
				// cache: its watch event brings the request back.
				return nil
			}
			return fmt.Errorf("creating DNSEndpoint %s: %w", key, err)
		}
		log.Info("Created DNSEndpoint", "dnsEndpoint", klog.KObj(ep), "records", len(d.endpoints))
		return nil
	case err != nil:
		return fmt.Errorf("reading DNSEndpoint %s: %w", key, err)
	}
	adopt := false
	if !metav1.IsControlledBy(ep, owner) {
		if ref := metav1.GetControllerOf(ep); ref != nil {
			return fmt.Errorf("DNSEndpoint %s exists and is controlled by %s %s, not by the record %s: delete it, or rename the record, so that the record can be published",
				key, ref.Kind, ref.Name, owner.GetName())
		}
		// KubeFed v0.6 wrote the DNSEndpoint of a record under this name
		// without an owner reference, and rewrote whatever it found under
		// it: after a switch from KubeFed the record takes it over.
		adopt = true
	}
	if !adopt && apiequality.Semantic.DeepEqual(normalise(ep.Spec.Endpoints), normalise(d.endpoints)) {
		return nil
	}
	if !adopt && keep != nil && keep(ep.Spec.Endpoints) {
		// No cluster can serve: a name that stops resolving fails every
		// client, a stale one may still reach a cluster that recovers.
		log.V(1).Info("Kept the last published records: no cluster has a load balancer to publish", "dnsEndpoint", klog.KObj(ep))
		return nil
	}
	before := ep.DeepCopy()
	if adopt {
		if err := controllerutil.SetControllerReference(owner, ep, r.Client.Scheme()); err != nil {
			return err
		}
		if keep == nil || !keep(ep.Spec.Endpoints) {
			ep.Spec.Endpoints = d.endpoints
		}
	} else {
		ep.Spec.Endpoints = d.endpoints
	}
	if err := r.Client.Patch(ctx, ep, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil {
		return fmt.Errorf("updating DNSEndpoint %s: %w", key, err)
	}
	if adopt {
		log.Info("Adopted DNSEndpoint without an owner (as KubeFed left it)", "dnsEndpoint", klog.KObj(ep), "records", len(ep.Spec.Endpoints))
		return nil
	}
	log.Info("Updated DNSEndpoint", "dnsEndpoint", klog.KObj(ep), "records", len(d.endpoints))
	return nil
}

// normalise maps an empty list to nil, so that "no records" compares equal
// however it was stored.
func normalise(eps []*feddnsv1a1.Endpoint) []*feddnsv1a1.Endpoint {
	if len(eps) == 0 {
		return nil
	}
	return eps
}
