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

package servicedns

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/dnsrecords"
)

// +kubebuilder:rbac:groups=multiclusterdns.kubefed.io,resources=servicednsrecords,verbs=get;list;watch
// +kubebuilder:rbac:groups=multiclusterdns.kubefed.io,resources=servicednsrecords/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=multiclusterdns.kubefed.io,resources=domains,verbs=get;list;watch
// +kubebuilder:rbac:groups=core.kubefed.io,resources=kubefedclusters,verbs=get;list;watch

// mirroringController is the value of the EndpointSlice label
// endpointslice.kubernetes.io/managed-by on the slices that
// kube-controller-manager mirrors from Endpoints written by hand.
const mirroringController = "endpointslicemirroring-controller.k8s.io"

// Reconciler writes the status of ServiceDNSRecords.
type Reconciler struct {
	// Client reads the host cluster and writes record status.
	Client client.Client
	// Members reads member clusters.
	Members dnsrecords.Members
	// Namespace is the control-plane namespace (KubeFedClusters).
	Namespace string
}

// SetupWithManager registers the controller and its member watches with
// the connections of cc.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager, cc *clustercache.ClusterCache) error {
	sliceToRecord := func(_ context.Context, _ string, o client.Object) []ctrl.Request {
		svc := o.GetLabels()[discoveryv1.LabelServiceName]
		if svc == "" {
			return nil
		}
		return []ctrl.Request{{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: svc}}}
	}
	return dnsrecords.ServiceRecords.SetupController(mgr, cc, r.Client, r, func(b *builder.Builder) *builder.Builder {
		return b.Watches(&feddnsv1a1.Domain{}, handler.EnqueueRequestsFromMapFunc(r.domainToRecords)).
			WatchesRawSource(dnsrecords.WatchSameName(cc, "servicedns-services", &corev1.Service{})).
			WatchesRawSource(clustercache.WatchSource(cc, clustercache.WatchSourceInput[ctrl.Request]{
				Name: "servicedns-endpointslices", Kind: &discoveryv1.EndpointSlice{}, MapFunc: sliceToRecord})).
			// The slices mirrored from hand-written Endpoints (Services
			// without a selector) carry the Endpoints' labels, not
			// kubefed.io/managed: a watch of their own, selected by the
			// mirroring controller's label, which only such slices carry.
			WatchesRawSource(clustercache.WatchSource(cc, clustercache.WatchSourceInput[ctrl.Request]{
				Name: "servicedns-mirrored-endpointslices", Kind: &discoveryv1.EndpointSlice{},
				LabelSelector: labels.SelectorFromSet(labels.Set{discoveryv1.LabelManagedBy: mirroringController}),
				MapFunc:       sliceToRecord}))
	})
}

// domainToRecords enqueues the records of a Domain of the control-plane
// namespace.
func (r *Reconciler) domainToRecords(ctx context.Context, o client.Object) []ctrl.Request {
	if o.GetNamespace() != r.Namespace {
		return nil
	}
	return dnsrecords.ServiceRecords.Requests(ctx, r.Client, func(rec *feddnsv1a1.ServiceDNSRecord) (ctrl.Request, bool) {
		return ctrl.Request{NamespacedName: client.ObjectKeyFromObject(rec)}, rec.Spec.DomainRef == o.GetName()
	})
}

// Reconcile reads the record's Domain and its Service in every Ready
// member, then writes the status once, only when it changed.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return dnsrecords.ServiceRecords.ReconcileStatus(ctx, r.Client, req, r.status)
}

// status reads what the record's status depends on and computes it.
func (r *Reconciler) status(ctx context.Context, rec *feddnsv1a1.ServiceDNSRecord) (feddnsv1a1.ServiceDNSRecordStatus, error) {
	s, err := r.read(ctx, rec)
	if err != nil {
		return feddnsv1a1.ServiceDNSRecordStatus{}, err
	}
	return computeStatus(s), nil
}

// read fills the scope: the Domain and every joined cluster's view of the
// Service.
func (r *Reconciler) read(ctx context.Context, rec *feddnsv1a1.ServiceDNSRecord) (*scope, error) {
	s := &scope{record: rec, domainNamespace: r.Namespace}
	domain := &feddnsv1a1.Domain{}
	err := r.Client.Get(ctx, types.NamespacedName{Namespace: r.Namespace, Name: rec.Spec.DomainRef}, domain)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return nil, fmt.Errorf("reading Domain %s/%s: %w", r.Namespace, rec.Spec.DomainRef, err)
	default:
		s.domain = domain
	}
	clusters, err := dnsrecords.JoinedClusters(ctx, r.Client, r.Namespace)
	if err != nil {
		return nil, err
	}
	key := client.ObjectKeyFromObject(rec)
	s.clusters = dnsrecords.ReadEach(ctx, r.Members, clusters,
		func(ctx context.Context, m dnsrecords.Member, cl dnsrecords.Cluster) clusterService {
			return readService(ctx, m, cl, key)
		},
		func(cl dnsrecords.Cluster, err error) clusterService {
			return clusterService{cluster: cl, problem: dnsrecords.NotReadyMessage(cl, err)}
		})
	return s, nil
}

// readService reads one member's Service and whether it has a ready
// endpoint. KubeFed v0.6 read the Service's Endpoints; the EndpointSlices
// say the same: the EndpointSlice controller writes them for a Service with
// a selector (with the Service's labels, so the member cache holds them),
// and the mirroring controller copies Endpoints written by hand for a
// Service without one (with the Endpoints' labels, which need not include
// kubefed.io/managed: those are read from the member's API server).
func readService(ctx context.Context, m dnsrecords.Member, cl dnsrecords.Cluster, key types.NamespacedName) clusterService {
	out := clusterService{cluster: cl, read: true}
	svc := &corev1.Service{}
	if err := m.Cached.Get(ctx, key, svc); err != nil {
		if apierrors.IsNotFound(err) {
			out.problem = fmt.Sprintf("cluster %s has no federated Service %s", cl.Name, key)
			return out
		}
		out.read = false
		out.problem = fmt.Sprintf("cluster %s: reading Service %s: %v", cl.Name, key, err)
		return out
	}
	out.service = svc
	var rd client.Reader = m.Cached
	if len(svc.Spec.Selector) == 0 {
		rd = m.Live
	}
	slices := &discoveryv1.EndpointSliceList{}
	if err := rd.List(ctx, slices, client.InNamespace(key.Namespace), client.MatchingLabels{discoveryv1.LabelServiceName: key.Name}); err != nil {
		out.read = false
		out.problem = fmt.Sprintf("cluster %s: reading the EndpointSlices of %s: %v", cl.Name, key, err)
		return out
	}
	for i := range slices.Items {
		for _, ep := range slices.Items[i].Endpoints {
			if ep.Conditions.Ready == nil || *ep.Conditions.Ready {
				out.readyEndpoints = true
			}
		}
	}
	return out
}
