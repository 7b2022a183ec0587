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
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/test/testenv"
)

const controlPlane = "kube-federation-system"

// waitTimeout is how long a test waits for the controller to act.
const waitTimeout = 30 * time.Second

// startEnv starts an API server with the CRDs and the DNSEndpoint
// controller; both stop at the end of the test.
func startEnv(t *testing.T) client.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an API server; skipped with -short")
	}
	c, env := testenv.StartClientWith(t, testenv.EnvtestOptions{CRDs: []string{"config/crd/bases"}},
		clientgoscheme.AddToScheme, fedcorev1b1.AddToScheme, feddnsv1a1.AddToScheme)
	mgr := testenv.NewManager(t, env.Config, ctrl.Options{Scheme: c.Scheme()})
	if err := (&Reconciler{Client: mgr.GetClient(), Namespace: controlPlane}).SetupWithManager(mgr); err != nil {
		t.Fatal(err)
	}
	testenv.Run(t, "the manager", mgr.Start)
	for _, ns := range []string{controlPlane, "shop"} {
		if err := c.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// createRecord creates the ServiceDNSRecord name of namespace shop, for
// Domain fed, with ttl (0: the default).
func createRecord(t *testing.T, c client.Client, name string, ttl feddnsv1a1.TTL) *feddnsv1a1.ServiceDNSRecord {
	t.Helper()
	rec := &feddnsv1a1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"},
		Spec: feddnsv1a1.ServiceDNSRecordSpec{DomainRef: "fed", RecordTTL: ttl}}
	if err := c.Create(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// publish writes the status of a record resolved under example.com, with
// one cluster, c1, whose load balancer is ip.
func publish(t *testing.T, c client.Client, rec *feddnsv1a1.ServiceDNSRecord, ip string) {
	t.Helper()
	rec.Status = feddnsv1a1.ServiceDNSRecordStatus{Domain: "example.com", DNS: []feddnsv1a1.ClusterDNS{
		{Cluster: "c1", LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: ip}}}},
	}}
	if err := c.Status().Update(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
}

// waitForEndpoint waits until the DNSEndpoint key has the records want (as
// render prints them) and, when owner is set, is controlled by owner; it
// returns the DNSEndpoint.
func waitForEndpoint(t *testing.T, c client.Client, key client.ObjectKey, owner metav1.Object, want, what string) *feddnsv1a1.DNSEndpoint {
	t.Helper()
	ep := &feddnsv1a1.DNSEndpoint{}
	testenv.Eventually(t, waitTimeout, func(ctx context.Context) error {
		if err := c.Get(ctx, key, ep); err != nil {
			return err
		}
		if owner != nil && !metav1.IsControlledBy(ep, owner) {
			return fmt.Errorf("owners %v", ep.OwnerReferences)
		}
		if got := render(ep.Spec.Endpoints); got != want {
			return fmt.Errorf("endpoints:\n%s", got)
		}
		return nil
	}, "%s", what)
	return ep
}

// TestDNSEndpointLifecycle follows one ServiceDNSRecord: its DNSEndpoint is
// created with an owner reference, follows the record's status, is not
// rewritten when nothing changed, and is deleted with the record; a
// DNSEndpoint of the record's name without an owner (as KubeFed v0.6 left
// it) is adopted, one controlled by another object is left alone.
func TestDNSEndpointLifecycle(t *testing.T) {
	c := startEnv(t)
	rec := createRecord(t, c, "web", 60)
	key := client.ObjectKey{Namespace: "shop", Name: "service-web"}
	waitForEndpoint(t, c, key, rec, "", "an empty DNSEndpoint owned by the record")

	publish(t, c, rec, "198.51.100.17")
	ep := waitForEndpoint(t, c, key, nil, "web.shop.fed.svc.example.com A 198.51.100.17 60\n", "the DNSEndpoint follows the record status")

	stepUnchangedRecordsNotRewritten(t, c, rec, ep)
	stepNoClusterKeepsRecords(t, c, rec, ep)
	stepDeletedWithRecord(t, c, rec, key)
	stepKubeFedEndpointAdopted(t, c)
	stepForeignEndpointLeftAlone(t, c)
}

// stepUnchangedRecordsNotRewritten: a change of the record that does not
// change the records (a label) writes nothing.
func stepUnchangedRecordsNotRewritten(t *testing.T, c client.Client, rec *feddnsv1a1.ServiceDNSRecord, ep *feddnsv1a1.DNSEndpoint) {
	ctx := t.Context()
	rv := ep.ResourceVersion
	rec.Labels = map[string]string{"touched": "yes"}
	if err := c.Update(ctx, rec); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if err := c.Get(ctx, client.ObjectKeyFromObject(ep), ep); err != nil {
		t.Fatal(err)
	}
	if ep.ResourceVersion != rv {
		t.Errorf("the DNSEndpoint was rewritten although its records did not change (resourceVersion %s -> %s)", rv, ep.ResourceVersion)
	}
}

// stepNoClusterKeepsRecords: with every cluster listed without a load
// balancer (no endpoints left anywhere), the DNSEndpoint keeps the records
// it last published; without a Domain the names are withdrawn, kept
// records included.
func stepNoClusterKeepsRecords(t *testing.T, c client.Client, rec *feddnsv1a1.ServiceDNSRecord, ep *feddnsv1a1.DNSEndpoint) {
	ctx := t.Context()
	key := client.ObjectKeyFromObject(ep)
	if err := c.Get(ctx, client.ObjectKeyFromObject(rec), rec); err != nil {
		t.Fatal(err)
	}
	rec.Status.DNS = []feddnsv1a1.ClusterDNS{{Cluster: "c1"}}
	if err := c.Status().Update(ctx, rec); err != nil {
		t.Fatal(err)
	}
	// Positive control: a record changed after that update is published by
	// the same controller, so the update above has been reconciled.
	publish(t, c, createRecord(t, c, "probe", 60), "198.51.100.18")
	waitForEndpoint(t, c, client.ObjectKey{Namespace: "shop", Name: "service-probe"}, nil,
		"probe.shop.fed.svc.example.com A 198.51.100.18 60\n", "the probe record is published")
	if err := c.Get(ctx, key, ep); err != nil {
		t.Fatal(err)
	}
	if got := render(ep.Spec.Endpoints); got != "web.shop.fed.svc.example.com A 198.51.100.17 60\n" {
		t.Errorf("with no cluster to publish, the DNSEndpoint has\n%s\nwant the last published records kept", got)
	}
	rec.Status.Domain = ""
	if err := c.Status().Update(ctx, rec); err != nil {
		t.Fatal(err)
	}
	waitForEndpoint(t, c, key, nil, "", "the names are withdrawn without a Domain")
}

// stepDeletedWithRecord: envtest runs no garbage collector; the controller
// itself deletes the DNSEndpoint (key) of a deleted record.
func stepDeletedWithRecord(t *testing.T, c client.Client, rec *feddnsv1a1.ServiceDNSRecord, key client.ObjectKey) {
	if err := c.Delete(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, waitTimeout, func(ctx context.Context) error {
		err := c.Get(ctx, key, &feddnsv1a1.DNSEndpoint{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("still there (%v)", err)
	}, "the DNSEndpoint of the deleted record is deleted")
}

// stepKubeFedEndpointAdopted: a DNSEndpoint without an owner under the
// record's name, as KubeFed v0.6 wrote it (its controller set no owner
// reference and rewrote the records of whatever it found under
// service-<record>), is taken over.
func stepKubeFedEndpointAdopted(t *testing.T, c client.Client) {
	kubefedEP := &feddnsv1a1.DNSEndpoint{ObjectMeta: metav1.ObjectMeta{Name: "service-api", Namespace: "shop"},
		Spec: feddnsv1a1.DNSEndpointSpec{Endpoints: []*feddnsv1a1.Endpoint{{DNSName: "api.shop.fed.svc.example.com", RecordType: "A",
			Targets: feddnsv1a1.Targets{"192.0.2.1"}, RecordTTL: 180}}}}
	if err := c.Create(t.Context(), kubefedEP); err != nil {
		t.Fatal(err)
	}
	api := createRecord(t, c, "api", 0)
	publish(t, c, api, "198.51.100.19")
	waitForEndpoint(t, c, client.ObjectKeyFromObject(kubefedEP), api,
		"api.shop.fed.svc.example.com A 198.51.100.19 180\n", "the DNSEndpoint KubeFed left is adopted and rewritten")
}

// stepForeignEndpointLeftAlone: a DNSEndpoint controlled by another object
// is neither taken over nor changed: the reconcile says so and what to do.
func stepForeignEndpointLeftAlone(t *testing.T, c client.Client) {
	ctx := t.Context()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "other", Namespace: "shop"}}
	if err := c.Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	foreign := &feddnsv1a1.DNSEndpoint{ObjectMeta: metav1.ObjectMeta{Name: "service-db", Namespace: "shop", OwnerReferences: []metav1.OwnerReference{{
		APIVersion: "v1", Kind: "ConfigMap", Name: cm.Name, UID: cm.UID, Controller: ptr.To(true)}}},
		Spec: feddnsv1a1.DNSEndpointSpec{Endpoints: []*feddnsv1a1.Endpoint{{DNSName: "db.example.com", RecordType: "A", Targets: feddnsv1a1.Targets{"192.0.2.2"}}}}}
	if err := c.Create(ctx, foreign); err != nil {
		t.Fatal(err)
	}
	createRecord(t, c, "db", 0)
	direct := &Reconciler{Client: c, Namespace: controlPlane}
	testenv.Eventually(t, waitTimeout, func(ctx context.Context) error {
		_, err := direct.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(foreign)})
		if err == nil || !strings.Contains(err.Error(), "controlled by ConfigMap other") {
			return fmt.Errorf("reconcile returned %v", err)
		}
		return nil
	}, "a reconcile of the record refuses the DNSEndpoint of another controller")
	got := &feddnsv1a1.DNSEndpoint{}
	if err := c.Get(ctx, client.ObjectKeyFromObject(foreign), got); err != nil {
		t.Fatalf("the foreign DNSEndpoint: %v", err)
	}
	if !metav1.IsControlledBy(got, cm) || len(got.OwnerReferences) != 1 || !strings.Contains(render(got.Spec.Endpoints), "192.0.2.2") {
		t.Errorf("the foreign DNSEndpoint was changed: owners %v, endpoints %s", got.OwnerReferences, render(got.Spec.Endpoints))
	}
}
