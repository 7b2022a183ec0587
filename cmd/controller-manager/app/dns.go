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
	"context"
	"fmt"
	"strings"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/controllers/dnsendpoint"
	"github.com/kubefed/kubefed/controllers/ingressdns"
	"github.com/kubefed/kubefed/controllers/servicedns"
	"github.com/kubefed/kubefed/internal/clustercache"
)

// addDNSControllers registers the multiclusterdns.kubefed.io kinds with the
// manager's scheme and adds the ServiceDNSRecord and IngressDNSRecord status
// controllers (controllers/servicedns, controllers/ingressdns) and the
// DNSEndpoint controller (controllers/dnsendpoint); the three share their
// library through internal/dnsrecords, not through each other. namespace is
// the control-plane namespace; watchNamespace is the namespace the manager's
// cache watches ("" for every namespace). When the multiclusterdns.kubefed.io
// CRDs are not installed, or the manager's identity may not list and watch
// them there, it adds nothing and logs how to turn multi-cluster DNS on: a
// watch that can never start would stop the whole manager once the cache
// gives up waiting. See docs/dns.md.
func addDNSControllers(mgr ctrl.Manager, members *clustercache.ClusterCache, namespace, watchNamespace string) error {
	if err := feddnsv1a1.AddToScheme(mgr.GetScheme()); err != nil {
		return err
	}
	// Helm installs the CRDs of a chart on install, not on upgrade: a
	// control plane upgraded without them runs everything else and says
	// how to turn DNS on, rather than failing to start.
	var missing []string
	var resources []string
	for _, kind := range []string{"Domain", "ServiceDNSRecord", "IngressDNSRecord", "DNSEndpoint"} {
		gvk := feddnsv1a1.GroupVersion.WithKind(kind)
		mapping, err := mgr.GetRESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			if !meta.IsNoMatchError(err) {
				return fmt.Errorf("looking up the %s API: %w", gvk, err)
			}
			missing = append(missing, kind)
			continue
		}
		resources = append(resources, mapping.Resource.Resource)
	}
	if len(missing) > 0 {
		mgr.GetLogger().Info("Multi-cluster DNS is off: its CRDs are not installed; apply charts/kubefed/crds/multiclusterdns.kubefed.io_*.yaml and restart the controller manager to turn it on",
			"missing", missing)
		return nil
	}
	if denied := deniedDNSResources(mgr.GetClient(), watchNamespace, resources); len(denied) > 0 {
		where := "in every namespace"
		if watchNamespace != "" {
			where = "in namespace " + watchNamespace
		}
		mgr.GetLogger().Info(fmt.Sprintf("Multi-cluster DNS is off: the controller manager's identity may not list and watch %s %s; grant it (the chart's ClusterRole does) and restart the controller manager to turn it on",
			strings.Join(denied, ", "), where), "group", feddnsv1a1.GroupVersion.Group)
		return nil
	}
	if err := (&servicedns.Reconciler{Client: mgr.GetClient(), Members: members, Namespace: namespace}).SetupWithManager(mgr, members); err != nil {
		return fmt.Errorf("setting up the ServiceDNSRecord controller: %w", err)
	}
	if err := (&ingressdns.Reconciler{Client: mgr.GetClient(), Members: members, Namespace: namespace}).SetupWithManager(mgr, members); err != nil {
		return fmt.Errorf("setting up the IngressDNSRecord controller: %w", err)
	}
	if err := (&dnsendpoint.Reconciler{Client: mgr.GetClient(), Namespace: namespace}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the DNSEndpoint controller: %w", err)
	}
	return nil
}

// deniedDNSResources returns the multiclusterdns.kubefed.io resources the
// client's identity may not list or watch in namespace ("" for every
// namespace), as the API server's authorizer answers a
// SelfSubjectAccessReview (which every authenticated identity may create).
// A review that fails is not taken for a denial: the controllers are then
// added, as they were before the check.
func deniedDNSResources(c client.Client, namespace string, resources []string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var denied []string
	for _, resource := range resources {
		for _, verb := range []string{"list", "watch"} {
			review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
				ResourceAttributes: &authorizationv1.ResourceAttributes{
					Namespace: namespace, Verb: verb, Group: feddnsv1a1.GroupVersion.Group, Resource: resource,
				},
			}}
			if err := c.Create(ctx, review); err != nil || review.Status.Allowed {
				continue
			}
			denied = append(denied, resource)
			break
		}
	}
	return denied
}
