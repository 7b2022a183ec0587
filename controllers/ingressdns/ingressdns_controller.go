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

package ingressdns

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/dnsrecords"
)

// +kubebuilder:rbac:groups=multiclusterdns.kubefed.io,resources=ingressdnsrecords,verbs=get;list;watch
// +kubebuilder:rbac:groups=multiclusterdns.kubefed.io,resources=ingressdnsrecords/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=core.kubefed.io,resources=kubefedclusters,verbs=get;list;watch

// Reconciler writes the status of IngressDNSRecords.
type Reconciler struct {
	// Client reads the host cluster and writes record status.
	Client client.Client
	// Members reads member clusters.
	Members dnsrecords.Members
	// Namespace is the control-plane namespace (KubeFedClusters).
	Namespace string
}

// SetupWithManager registers the controller and its member watch with the
// connections of cc.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager, cc *clustercache.ClusterCache) error {
	return dnsrecords.IngressRecords.SetupController(mgr, cc, r.Client, r, func(b *builder.Builder) *builder.Builder {
		return b.WatchesRawSource(dnsrecords.WatchSameName(cc, "ingressdns-ingresses", &networkingv1.Ingress{}))
	})
}

// clusterIngress is one cluster's view of the record's Ingress.
type clusterIngress struct {
	cluster dnsrecords.Cluster
	// ingress is the member Ingress; nil when absent or not read.
	ingress *networkingv1.Ingress
	// problem says why the cluster is not published; empty otherwise.
	problem string
}

// Reconcile reads the record's Ingress in every Ready member and writes the
// status once, only when it changed.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return dnsrecords.IngressRecords.ReconcileStatus(ctx, r.Client, req, r.status)
}

// status reads the record's Ingress in every joined cluster and computes
// the status from what it found.
func (r *Reconciler) status(ctx context.Context, rec *feddnsv1a1.IngressDNSRecord) (feddnsv1a1.IngressDNSRecordStatus, error) {
	clusters, err := dnsrecords.JoinedClusters(ctx, r.Client, r.Namespace)
	if err != nil {
		return feddnsv1a1.IngressDNSRecordStatus{}, err
	}
	key := client.ObjectKeyFromObject(rec)
	views := dnsrecords.ReadEach(ctx, r.Members, clusters,
		func(ctx context.Context, m dnsrecords.Member, cl dnsrecords.Cluster) clusterIngress {
			ing := &networkingv1.Ingress{}
			if err := m.Cached.Get(ctx, key, ing); err != nil {
				if apierrors.IsNotFound(err) {
					return clusterIngress{cluster: cl, problem: fmt.Sprintf("cluster %s has no federated Ingress %s", cl.Name, key)}
				}
				return clusterIngress{cluster: cl, problem: fmt.Sprintf("cluster %s: reading Ingress %s: %v", cl.Name, key, err)}
			}
			return clusterIngress{cluster: cl, ingress: ing}
		},
		func(cl dnsrecords.Cluster, err error) clusterIngress {
			return clusterIngress{cluster: cl, problem: dnsrecords.NotReadyMessage(cl, err)}
		})
	return computeStatus(rec, views), nil
}

// computeStatus derives the status as KubeFed v0.6's IngressDNS controller
// did: status.dns lists every Ready cluster (sorted by name) with its
// Ingress's load balancer, empty where the cluster has no such Ingress. The
// conditions are kubefed's own.
func computeStatus(rec *feddnsv1a1.IngressDNSRecord, views []clusterIngress) feddnsv1a1.IngressDNSRecordStatus {
	st := feddnsv1a1.IngressDNSRecordStatus{ObservedGeneration: rec.Generation, Conditions: slices.Clone(rec.Status.Conditions)}
	var t dnsrecords.Tally
	for _, v := range views {
		if !t.Cluster(v.cluster, v.problem) {
			continue
		}
		entry := feddnsv1a1.ClusterIngressDNS{Cluster: v.cluster.Name}
		if v.ingress != nil {
			in := make([]corev1.LoadBalancerIngress, 0, len(v.ingress.Status.LoadBalancer.Ingress))
			for _, lb := range v.ingress.Status.LoadBalancer.Ingress {
				in = append(in, corev1.LoadBalancerIngress{IP: lb.IP, Hostname: lb.Hostname})
			}
			if valid := t.LoadBalancer(v.cluster, "Ingress "+rec.Namespace+"/"+rec.Name, in); len(valid) > 0 {
				t.Published++
			}
			entry.LoadBalancer.Ingress = dnsrecords.SortLoadBalancer(in)
		}
		st.DNS = append(st.DNS, entry)
	}
	gen := rec.Generation
	t.SetAvailable(&st.Conditions, gen)
	if t.Published > 0 {
		dnsrecords.SetCondition(&st.Conditions, gen, feddnsv1a1.ConditionReady, true, feddnsv1a1.ReasonPublished,
			fmt.Sprintf("Published for %d hosts", len(rec.Spec.Hosts)))
		return st
	}
	reason, what := feddnsv1a1.ReasonIngressNotFound, "no Ready cluster has the federated Ingress: create a FederatedIngress of the same name and namespace"
	switch {
	case t.WithAddress > 0:
		reason, what = feddnsv1a1.ReasonInvalidHostname, "no cluster's Ingress has a valid load balancer address"
	case t.Found > 0:
		reason, what = feddnsv1a1.ReasonNoLoadBalancer, "no cluster's Ingress has a load balancer address: is an ingress controller running in the clusters?"
	}
	t.SetNotReady(&st.Conditions, gen, reason, what)
	return st
}
