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
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/controllers/multiclusterdns/clusterlb"
	"github.com/kubefed/kubefed/internal/clustercache"
)

// +kubebuilder:rbac:groups=multiclusterdns.kubefed.io,resources=ingressdnsrecords,verbs=get;list;watch
// +kubebuilder:rbac:groups=multiclusterdns.kubefed.io,resources=ingressdnsrecords/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=core.kubefed.io,resources=kubefedclusters,verbs=get;list;watch

// Reconciler writes the status of IngressDNSRecords.
type Reconciler struct {
	// Client reads the host cluster and writes record status.
	Client client.Client
	// Members reads member clusters.
	Members clusterlb.Members
	// Namespace is the control-plane namespace (KubeFedClusters).
	Namespace string
}

// SetupWithManager registers the controller and its member watch with the
// connections of cc.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager, cc *clustercache.ClusterCache) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("ingressdnsrecord").
		For(&feddnsv1a1.IngressDNSRecord{}).
		Watches(&fedcorev1b1.KubeFedCluster{}, handler.EnqueueRequestsFromMapFunc(r.allRecords)).
		WatchesRawSource(clustercache.WatchSource(cc, clustercache.WatchSourceInput[ctrl.Request]{
			Name: "ingressdns-ingresses", Kind: &networkingv1.Ingress{},
			MapFunc: func(_ context.Context, _ string, o client.Object) []ctrl.Request {
				return []ctrl.Request{{NamespacedName: client.ObjectKeyFromObject(o)}}
			}})).
		WatchesRawSource(clustercache.ConnectionSource(cc, func(ctx context.Context, _ clustercache.ConnectionEvent) []ctrl.Request {
			return r.allRecords(ctx, nil)
		})).
		Complete(r)
}

func (r *Reconciler) allRecords(ctx context.Context, _ client.Object) []ctrl.Request {
	list := &feddnsv1a1.IngressDNSRecordList{}
	if err := r.Client.List(ctx, list); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Could not list IngressDNSRecords")
		return nil
	}
	out := make([]ctrl.Request, 0, len(list.Items))
	for i := range list.Items {
		out = append(out, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
	}
	return out
}

// clusterIngress is one cluster's view of the record's Ingress.
type clusterIngress struct {
	cluster clusterlb.Cluster
	// ingress is the member Ingress; nil when absent or not read.
	ingress *networkingv1.Ingress
	// problem says why the cluster is not published; empty otherwise.
	problem string
}

// Reconcile reads the record's Ingress in every Ready member and writes the
// status once, only when it changed.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	rec := &feddnsv1a1.IngressDNSRecord{}
	if err := r.Client.Get(ctx, req.NamespacedName, rec); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	clusters, err := clusterlb.Joined(ctx, r.Client, r.Namespace)
	if err != nil {
		return ctrl.Result{}, err
	}
	views := clusterlb.ReadEach(ctx, r.Members, clusters,
		func(ctx context.Context, m clusterlb.Member, cl clusterlb.Cluster) clusterIngress {
			ing := &networkingv1.Ingress{}
			if err := m.Cached.Get(ctx, req.NamespacedName, ing); err != nil {
				if apierrors.IsNotFound(err) {
					return clusterIngress{cluster: cl, problem: fmt.Sprintf("cluster %s has no federated Ingress %s", cl.Name, req.NamespacedName)}
				}
				return clusterIngress{cluster: cl, problem: fmt.Sprintf("cluster %s: reading Ingress %s: %v", cl.Name, req.NamespacedName, err)}
			}
			return clusterIngress{cluster: cl, ingress: ing}
		},
		func(cl clusterlb.Cluster, err error) clusterIngress {
			return clusterIngress{cluster: cl, problem: clusterlb.NotReadyMessage(cl, err)}
		})
	status := computeStatus(rec, views)
	if apiequality.Semantic.DeepEqual(status, rec.Status) {
		return ctrl.Result{}, nil
	}
	before := rec.DeepCopy()
	rec.Status = status
	if err := r.Client.Status().Patch(ctx, rec, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil {
		return ctrl.Result{}, fmt.Errorf("writing the status of IngressDNSRecord %s: %w", req.NamespacedName, err)
	}
	return ctrl.Result{}, nil
}

// computeStatus derives the status as KubeFed v0.6's IngressDNS controller
// did: status.dns lists every Ready cluster (sorted by name) with its
// Ingress's load balancer, empty where the cluster has no such Ingress. The
// conditions are kubefed's own.
func computeStatus(rec *feddnsv1a1.IngressDNSRecord, views []clusterIngress) feddnsv1a1.IngressDNSRecordStatus {
	st := feddnsv1a1.IngressDNSRecordStatus{ObservedGeneration: rec.Generation, Conditions: slices.Clone(rec.Status.Conditions)}
	var problems []string
	var ready, found, withLB, published int
	for _, v := range views {
		if v.problem != "" {
			problems = append(problems, v.problem)
		}
		if !v.cluster.Ready {
			continue
		}
		ready++
		entry := feddnsv1a1.ClusterIngressDNS{Cluster: v.cluster.Name}
		if v.ingress != nil {
			found++
			in := make([]corev1.LoadBalancerIngress, 0, len(v.ingress.Status.LoadBalancer.Ingress))
			for _, lb := range v.ingress.Status.LoadBalancer.Ingress {
				in = append(in, corev1.LoadBalancerIngress{IP: lb.IP, Hostname: lb.Hostname})
			}
			valid, invalid := clusterlb.CleanLoadBalancer(in)
			for _, h := range invalid {
				problems = append(problems, fmt.Sprintf("cluster %s: load balancer address %q of Ingress %s/%s is not a valid IP or DNS name and is not published", v.cluster.Name, h, rec.Namespace, rec.Name))
			}
			if len(in) == 0 {
				problems = append(problems, fmt.Sprintf("cluster %s: Ingress %s/%s has no load balancer address yet", v.cluster.Name, rec.Namespace, rec.Name))
			} else {
				withLB++
			}
			entry.LoadBalancer.Ingress = clusterlb.SortLoadBalancer(in)
			if len(valid) > 0 {
				published++
			}
		}
		st.DNS = append(st.DNS, entry)
	}
	msg := clusterlb.Summary(problems)
	gen := rec.Generation
	if published > 0 {
		clusterlb.SetCondition(&st.Conditions, gen, feddnsv1a1.ConditionAvailable, true, feddnsv1a1.ReasonHealthy,
			fmt.Sprintf("%d of %d Ready clusters have a load balancer to publish. %s", published, ready, msg))
		clusterlb.SetCondition(&st.Conditions, gen, feddnsv1a1.ConditionReady, true, feddnsv1a1.ReasonPublished,
			fmt.Sprintf("Published for %d hosts", len(rec.Spec.Hosts)))
		return st
	}
	clusterlb.SetCondition(&st.Conditions, gen, feddnsv1a1.ConditionAvailable, false, feddnsv1a1.ReasonNoHealthyCluster,
		strings.TrimSpace(fmt.Sprintf("No cluster is healthy; the DNSEndpoint keeps the records it last published, if any. %s", msg)))
	reason, what := feddnsv1a1.ReasonIngressNotFound, "no Ready cluster has the federated Ingress: create a FederatedIngress of the same name and namespace"
	switch {
	case withLB > 0:
		reason, what = feddnsv1a1.ReasonInvalidHostname, "no cluster's Ingress has a valid load balancer address"
	case found > 0:
		reason, what = feddnsv1a1.ReasonNoLoadBalancer, "no cluster's Ingress has a load balancer address: is an ingress controller running in the clusters?"
	}
	clusterlb.SetCondition(&st.Conditions, gen, feddnsv1a1.ConditionReady, false, reason, strings.TrimSpace(what+". "+msg))
	return st
}
