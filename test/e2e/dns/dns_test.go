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

package dns

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

const appNS = "dns-e2e"

// app is a namespace, a Deployment and a LoadBalancer Service in every
// member, a Service without a selector (its endpoints are written by
// hand), and an Ingress with one host.
var app = e2eutil.WebAppYAML(appNS, `  placement:
    clusterSelector: {}
`) + federatedLBService("web", "app: web") + federatedLBService("manual", "") + `---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedIngress
metadata:
  name: shop
  namespace: dns-e2e
spec:
  template:
    spec:
      rules:
      - host: shop.example.test
        http:
          paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
  placement:
    clusterSelector: {}
`

// federatedLBService is a LoadBalancer FederatedService of port 80 in
// every member, with selector (a YAML map) as its pod selector, or none.
func federatedLBService(name, selector string) string {
	if selector != "" {
		selector = "\n      selector: {" + selector + "}"
	}
	return `---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedService
metadata:
  name: ` + name + `
  namespace: ` + appNS + `
spec:
  template:
    spec:
      type: LoadBalancer` + selector + `
      ports:
      - port: 80
        targetPort: 80
  placement:
    clusterSelector: {}
`
}

// dnsObjects are the Domain and the records that publish app: the web
// Service with a dnsPrefix, the Ingress, the Service without a selector,
// a record of a Service that exists nowhere (ghost) and one of a Domain
// that does not exist.
func dnsObjects() []client.Object {
	inApp := func(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name, Namespace: appNS} }
	return []client.Object{
		&feddnsv1a1.Domain{ObjectMeta: metav1.ObjectMeta{Name: "test-domain", Namespace: ns}, Domain: "example.test"},
		&feddnsv1a1.ServiceDNSRecord{ObjectMeta: inApp("web"), Spec: feddnsv1a1.ServiceDNSRecordSpec{DomainRef: "test-domain", RecordTTL: 5, DNSPrefix: "www"}},
		&feddnsv1a1.IngressDNSRecord{ObjectMeta: inApp("shop"), Spec: feddnsv1a1.IngressDNSRecordSpec{Hosts: []string{"shop.example.test"}, RecordTTL: 5}},
		&feddnsv1a1.ServiceDNSRecord{ObjectMeta: inApp("manual"), Spec: feddnsv1a1.ServiceDNSRecordSpec{DomainRef: "test-domain", RecordTTL: 5}},
		&feddnsv1a1.ServiceDNSRecord{ObjectMeta: inApp("ghost"), Spec: feddnsv1a1.ServiceDNSRecordSpec{DomainRef: "test-domain"}},
		&feddnsv1a1.ServiceDNSRecord{ObjectMeta: inApp("web-elsewhere"), Spec: feddnsv1a1.ServiceDNSRecordSpec{DomainRef: "no-such-domain"}},
	}
}

// Published names of the web Service.
const (
	global = "web.dns-e2e.test-domain.svc.example.test"
	eu     = "web.dns-e2e.test-domain.svc.eu.example.test"
	us     = "web.dns-e2e.test-domain.svc.us.example.test"
	euA    = "web.dns-e2e.test-domain.svc.eu-a.eu.example.test"
	euB    = "web.dns-e2e.test-domain.svc.eu-b.eu.example.test"
	usA    = "web.dns-e2e.test-domain.svc.us-a.us.example.test"
	www    = "www.example.test"
	shop   = "shop.example.test"
	// manual is the global name of the Service without a selector.
	manual = "manual.dns-e2e.test-domain.svc.example.test"
)

// TestMultiClusterDNS publishes a federated Service and Ingress in three
// members and checks the DNS answers of CoreDNS through member changes:
// names, regions, zones, the dnsPrefix CNAME and the Ingress host; a member
// scaled to zero; a member stopped and restarted; bad input; deletion. The
// record status is checked against KubeFed v0.6's: every Ready cluster
// with its region and zones, its load balancer only when its Service has
// endpoints (kubernetes-sigs/kubefed test/e2e/servicedns.go, and
// pkg/controller/servicedns/controller.go), Endpoints written by hand for a
// Service without a selector included.
func TestMultiClusterDNS(t *testing.T) {
	start := time.Now()
	e := setup(t)
	ctx := t.Context()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("host and member objects:\n%s", e.dump())
		}
	})
	if err := e.host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: appNS}}); err != nil {
		t.Fatal(err)
	}
	e.apply(t, app)
	for _, obj := range dnsObjects() {
		if err := e.host.Create(ctx, obj); err != nil {
			t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
		}
	}

	r := &dnsRun{e: e, svcIP: e.lbAddresses(t, &corev1.Service{}, "web"), ingIP: e.lbAddresses(t, &networkingv1.Ingress{}, "shop")}
	t.Logf("load balancers: Services %v, Ingresses %v", r.svcIP, r.ingIP)

	t.Run("names", func(t *testing.T) { stepNames(t, r) })
	t.Run("bad input", func(t *testing.T) { stepBadInput(t, r) })
	t.Run("member without ready endpoints", func(t *testing.T) { stepNoReadyEndpoints(t, r) })
	t.Run("Service without a selector, Endpoints written by hand", func(t *testing.T) { stepManualEndpoints(t, r) })
	t.Run("member stopped and restarted", func(t *testing.T) { stepMemberRestarted(t, r) })
	t.Run("no healthy cluster keeps the last answer", func(t *testing.T) { stepNoHealthyCluster(t, r) })
	t.Run("deletion", func(t *testing.T) { stepDeletion(t, r) })
	t.Logf("multi-cluster DNS end to end in %s", time.Since(start).Round(100*time.Millisecond))
}

// dnsRun is what the steps of TestMultiClusterDNS share: the environment
// and the load balancer addresses of the web Service and the shop Ingress
// by member.
type dnsRun struct {
	e            *env
	svcIP, ingIP map[string]string
}

// ips is the DNS answer made of the web Service's addresses in members.
func (r *dnsRun) ips(members ...string) string {
	var out []string
	for _, m := range members {
		out = append(out, r.svcIP[m])
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// stepNames checks the names, regions, zones, the dnsPrefix CNAME and the Ingress host, and that an idle federation writes nothing.
func stepNames(t *testing.T, r *dnsRun) {
	r.e.expect(t, 2*time.Minute, map[string]string{
		global: r.ips("member1", "member2", "member3"),
		eu:     r.ips("member1", "member2"),
		us:     r.ips("member3"),
		euA:    r.ips("member1"),
		euB:    r.ips("member2"),
		usA:    r.ips("member3"),
		www:    r.ips("member1", "member2", "member3"),
		shop: strings.Join(slices.Sorted(func(yield func(string) bool) {
			for _, ip := range r.ingIP {
				if !yield(ip) {
					return
				}
			}
		}), ","),
	})
	r.e.expectCNAME(t, www, global)
	r.e.expectCNAME(t, euB, euB) // an A record: its own canonical name
	r.e.expectNoWrites(t, 3*time.Second)
}

// stepBadInput checks the conditions and status of the records of a missing Service and a missing Domain.
func stepBadInput(t *testing.T, r *dnsRun) {
	r.e.expectCondition(t, "ghost", feddnsv1a1.ConditionReady, metav1.ConditionFalse, feddnsv1a1.ReasonServiceNotFound)
	// KubeFed's "no service and/or endpoint in member clusters": every
	// Ready cluster, with its location, without a load balancer.
	r.e.expectStatus(t, "ghost", map[string]string{"member1": "", "member2": "", "member3": ""})
	r.e.expectCondition(t, "web-elsewhere", feddnsv1a1.ConditionReady, metav1.ConditionFalse, feddnsv1a1.ReasonDomainNotFound)
	r.e.expectCondition(t, "web", feddnsv1a1.ConditionReady, metav1.ConditionTrue, feddnsv1a1.ReasonPublished)
}

// stepNoReadyEndpoints scales member2 to zero replicas and back.
func stepNoReadyEndpoints(t *testing.T, r *dnsRun) {
	// member2 runs no replica of web: its EndpointSlice empties.
	r.e.patchOverride(t, `[{"clusterName":"member2","clusterOverrides":[{"path":"/spec/replicas","value":0}]}]`)
	took := r.e.expect(t, time.Minute, map[string]string{
		global: r.ips("member1", "member3"),
		eu:     r.ips("member1"),
		euB:    r.ips("member1"), // zone fallback: CNAME to its region
	})
	t.Logf("MEASURED: member2 scaled to 0 -> its address left the DNS answer in %s", took.Round(10*time.Millisecond))
	// As in KubeFed, member2 stays listed, without its load balancer.
	r.e.expectStatus(t, "web", map[string]string{"member1": r.svcIP["member1"], "member2": "", "member3": r.svcIP["member3"]})
	r.e.patchOverride(t, `[]`)
	took = r.e.expect(t, time.Minute, map[string]string{global: r.ips("member1", "member2", "member3"), euB: r.ips("member2")})
	t.Logf("MEASURED: member2 scaled back to 1 -> its address returned in %s", took.Round(10*time.Millisecond))
}

// stepManualEndpoints publishes a Service without a selector once its Endpoints are written by hand in member1.
func stepManualEndpoints(t *testing.T, r *dnsRun) {
	ctx := t.Context()
	// The Service has no selector: no controller writes its endpoints.
	// In member1 they are written by hand (the Endpoints API, which
	// KubeFed read; kube-controller-manager mirrors them into an
	// EndpointSlice), without any kubefed label. member1 counts as
	// backed, the others are listed without a load balancer.
	manualIP := r.e.lbAddresses(t, &corev1.Service{}, "manual")
	// Positive control for the hand-written Endpoints: none is backed
	// before they exist.
	r.e.expectStatus(t, "manual", map[string]string{"member1": "", "member2": "", "member3": ""})
	//nolint:staticcheck // the Endpoints API is what a user writes by hand for a Service without a selector
	eps := &corev1.Endpoints{
		ObjectMeta: metav1.ObjectMeta{Namespace: appNS, Name: "manual"},
		Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "10.9.8.7"}}, //nolint:staticcheck
			Ports: []corev1.EndpointPort{{Port: 80}}}}, //nolint:staticcheck
	}
	if err := r.e.members["member1"].Create(ctx, eps); err != nil {
		t.Fatalf("writing the Endpoints of Service manual in member1: %v", err)
	}
	r.e.expectStatus(t, "manual", map[string]string{"member1": manualIP["member1"], "member2": "", "member3": ""})
	r.e.expect(t, time.Minute, map[string]string{manual: manualIP["member1"]})
}

// stepMemberRestarted stops member3 and starts it again.
func stepMemberRestarted(t *testing.T, r *dnsRun) {
	ctx := t.Context()
	m3 := r.e.fed.Cluster("member3")
	stopped := time.Now()
	if err := m3.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	var offlineAt time.Time
	e2eutil.EventuallyEvery(t, 100*time.Millisecond, time.Minute, func(ctx context.Context) error {
		if r.e.clusterReady(ctx, "member3") {
			return fmt.Errorf("member3 still Ready")
		}
		offlineAt = time.Now()
		return nil
	}, "member3 is reported not Ready")
	r.e.expect(t, time.Minute, map[string]string{
		global: r.ips("member1", "member2"),
		us:     r.ips("member1", "member2"), // region fallback: CNAME to the global name
		usA:    r.ips("member1", "member2"),
		shop:   strings.Join(slices.Sorted(slices.Values([]string{r.ingIP["member1"], r.ingIP["member2"]})), ","),
	})
	afterHealth := time.Since(offlineAt)
	t.Logf("MEASURED: member3 stopped -> not Ready after %s -> its address left the DNS answer %s later (%s in all)",
		offlineAt.Sub(stopped).Round(10*time.Millisecond), afterHealth.Round(10*time.Millisecond), time.Since(stopped).Round(10*time.Millisecond))
	if afterHealth > 5*time.Second+time.Second {
		t.Errorf("the DNS answer changed %s after the health controller reported member3 not Ready, want within 5 s", afterHealth)
	}
	started := time.Now()
	if err := m3.Start(ctx); err != nil {
		t.Fatal(err)
	}
	e2eutil.EventuallyEvery(t, 100*time.Millisecond, 2*time.Minute, func(ctx context.Context) error {
		if !r.e.clusterReady(ctx, "member3") {
			return fmt.Errorf("member3 not Ready yet")
		}
		return nil
	}, "member3 is Ready again")
	readyAt := time.Now()
	r.e.expect(t, time.Minute, map[string]string{global: r.ips("member1", "member2", "member3"), us: r.ips("member3")})
	t.Logf("MEASURED: member3 restarted -> Ready after %s -> its address returned %s later",
		readyAt.Sub(started).Round(10*time.Millisecond), time.Since(readyAt).Round(10*time.Millisecond))
}

// stepNoHealthyCluster scales every member to zero: the last published answer is kept.
func stepNoHealthyCluster(t *testing.T, r *dnsRun) {
	ctx := t.Context()
	// Every member's Deployment scaled to 0: no cluster is healthy.
	r.e.patchReplicas(t, 0)
	r.e.expectCondition(t, "web", feddnsv1a1.ConditionAvailable, metav1.ConditionFalse, feddnsv1a1.ReasonNoHealthyCluster)
	// The members lose their endpoints one after the other, so the
	// last published targets are those of whichever clusters were
	// healthy last: the DNSEndpoint keeps them (non-empty, made of the
	// members' addresses), DNS serves them, and they stay.
	sorted := func(answer string) string {
		parts := strings.Split(answer, ",")
		slices.Sort(parts)
		return strings.Join(parts, ",")
	}
	all := strings.Split(r.ips("member1", "member2", "member3"), ",")
	ep := &feddnsv1a1.DNSEndpoint{}
	if err := r.e.host.Get(ctx, client.ObjectKey{Namespace: appNS, Name: "service-web"}, ep); err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, endpoint := range ep.Spec.Endpoints {
		if endpoint.DNSName == global {
			kept = slices.Clone(endpoint.Targets)
		}
	}
	if len(kept) == 0 {
		t.Fatalf("DNSEndpoint service-web has no targets for %s with no healthy cluster, want the last published ones kept", global)
	}
	for _, ip := range kept {
		if !slices.Contains(all, ip) {
			t.Fatalf("DNSEndpoint service-web keeps %v for %s, want a subset of %v", kept, global, all)
		}
	}
	want := sorted(strings.Join(kept, ","))
	e2eutil.EventuallyEvery(t, 100*time.Millisecond, time.Minute, func(ctx context.Context) error {
		if got := sorted(r.e.lookup(ctx, global)); got != want {
			return fmt.Errorf("%s answers %q, want the kept targets %q", global, got, want)
		}
		return nil
	}, "the kept targets served")
	time.Sleep(3 * time.Second)
	if got := sorted(r.e.lookup(ctx, global)); got != want {
		t.Errorf("%s answers %q a few seconds later with no healthy cluster, want the kept targets %q", global, got, want)
	}
	r.e.patchReplicas(t, 1)
	r.e.expectCondition(t, "web", feddnsv1a1.ConditionAvailable, metav1.ConditionTrue, feddnsv1a1.ReasonHealthy)
}

// stepDeletion deletes the IngressDNSRecord, the Domain and the ServiceDNSRecord.
func stepDeletion(t *testing.T, r *dnsRun) {
	ctx := t.Context()
	if err := r.e.host.Delete(ctx, &feddnsv1a1.IngressDNSRecord{ObjectMeta: metav1.ObjectMeta{Namespace: appNS, Name: "shop"}}); err != nil {
		t.Fatal(err)
	}
	took := r.e.expect(t, time.Minute, map[string]string{shop: "NXDOMAIN"})
	t.Logf("MEASURED: IngressDNSRecord deleted -> its host stopped resolving in %s", took.Round(10*time.Millisecond))
	if err := r.e.host.Delete(ctx, &feddnsv1a1.Domain{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "test-domain"}}); err != nil {
		t.Fatal(err)
	}
	r.e.expectCondition(t, "web", feddnsv1a1.ConditionReady, metav1.ConditionFalse, feddnsv1a1.ReasonDomainNotFound)
	r.e.expect(t, time.Minute, map[string]string{global: "NXDOMAIN", www: "NXDOMAIN"})
	if err := r.e.host.Delete(ctx, &feddnsv1a1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Namespace: appNS, Name: "web"}}); err != nil {
		t.Fatal(err)
	}
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		err := r.e.host.Get(ctx, client.ObjectKey{Namespace: appNS, Name: "service-web"}, &feddnsv1a1.DNSEndpoint{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("DNSEndpoint service-web still exists (%v)", err)
	}, "the DNSEndpoint of a deleted ServiceDNSRecord is deleted")
}

func (e *env) clusterReady(ctx context.Context, name string) bool {
	kfc := &fedcorev1b1.KubeFedCluster{}
	if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, kfc); err != nil {
		return false
	}
	return kfc.Status.IsReady()
}

// patchOverride sets the FederatedDeployment's overrides.
func (e *env) patchOverride(t *testing.T, overrides string) {
	t.Helper()
	e.patchDeployment(t, fmt.Sprintf(`{"spec":{"overrides":%s}}`, overrides))
}

// patchReplicas sets the FederatedDeployment's template replicas.
func (e *env) patchReplicas(t *testing.T, n int) {
	t.Helper()
	e.patchDeployment(t, fmt.Sprintf(`{"spec":{"template":{"spec":{"replicas":%d}}}}`, n))
}

func (e *env) patchDeployment(t *testing.T, patch string) {
	t.Helper()
	fd := &unstructured.Unstructured{}
	fd.SetAPIVersion("types.kubefed.io/v1beta1")
	fd.SetKind("FederatedDeployment")
	fd.SetNamespace(appNS)
	fd.SetName("web")
	if err := e.host.Patch(t.Context(), fd, client.RawPatch("application/merge-patch+json", []byte(patch))); err != nil {
		t.Fatalf("patching FederatedDeployment web: %v", err)
	}
}

// dump returns the DNS objects of the host and the Services, EndpointSlices
// and Ingresses of the members.
func (e *env) dump() string {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var b strings.Builder
	for _, l := range []client.ObjectList{&feddnsv1a1.ServiceDNSRecordList{}, &feddnsv1a1.IngressDNSRecordList{}, &feddnsv1a1.DNSEndpointList{}, &feddnsv1a1.DomainList{}, &fedcorev1b1.KubeFedClusterList{}} {
		if err := e.host.List(ctx, l); err != nil {
			fmt.Fprintf(&b, "host: %T: %v\n", l, err)
			continue
		}
		fmt.Fprintf(&b, "host %T:\n%s\n", l, toYAML(l))
	}
	for name, c := range e.members {
		for _, l := range []client.ObjectList{&corev1.ServiceList{}, &discoveryv1.EndpointSliceList{}, &networkingv1.IngressList{}} {
			if err := c.List(ctx, l, client.InNamespace(appNS)); err != nil {
				fmt.Fprintf(&b, "%s: %T: %v\n", name, l, err)
				continue
			}
			fmt.Fprintf(&b, "%s %T:\n%s\n", name, l, toYAML(l))
		}
	}
	return b.String()
}

func toYAML(v any) string {
	out, err := yaml.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(out)
}
