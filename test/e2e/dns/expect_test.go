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
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// The expectations of the DNS tests: answers of CoreDNS and the status the
// host's DNS objects reach.

// expect polls CoreDNS until every name answers as wanted and returns how
// long that took.
func (e *env) expect(t *testing.T, timeout time.Duration, want map[string]string) time.Duration {
	t.Helper()
	start := time.Now()
	e2eutil.EventuallyEvery(t, 100*time.Millisecond, timeout, func(ctx context.Context) error {
		var wrong []string
		for _, name := range slices.Sorted(func(yield func(string) bool) {
			for k := range want {
				if !yield(k) {
					return
				}
			}
		}) {
			if got := e.lookup(ctx, name); got != want[name] {
				wrong = append(wrong, fmt.Sprintf("%s answers %q, want %q", name, got, want[name]))
			}
		}
		if len(wrong) > 0 {
			return fmt.Errorf("%s", strings.Join(wrong, "; "))
		}
		return nil
	}, "DNS answers")
	return time.Since(start)
}

// expectNoWrites checks that an idle federation writes neither the record
// status nor the DNSEndpoint: their resourceVersions stay the same.
func (e *env) expectNoWrites(t *testing.T, d time.Duration) {
	t.Helper()
	ctx := t.Context()
	objs := []client.Object{&feddnsv1a1.ServiceDNSRecord{}, &feddnsv1a1.DNSEndpoint{}, &feddnsv1a1.IngressDNSRecord{}, &feddnsv1a1.DNSEndpoint{}}
	keys := []string{"web", "service-web", "shop", "ingress-shop"}
	versions := func() []string {
		var out []string
		for i, o := range objs {
			if err := e.host.Get(ctx, client.ObjectKey{Namespace: appNS, Name: keys[i]}, o); err != nil {
				t.Fatalf("reading %s: %v", keys[i], err)
			}
			out = append(out, o.GetResourceVersion())
		}
		return out
	}
	before := versions()
	time.Sleep(d)
	if after := versions(); !slices.Equal(before, after) {
		t.Errorf("idle for %s, the DNS objects %v were written: resourceVersions %v -> %v", d, keys, before, after)
	}
}

// expectCNAME checks the canonical name CoreDNS gives for name.
func (e *env) expectCNAME(t *testing.T, name, want string) {
	t.Helper()
	e2eutil.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		got, err := e.dns.Resolver().LookupCNAME(ctx, name+".")
		if err != nil {
			return err
		}
		if strings.TrimSuffix(got, ".") != want {
			return fmt.Errorf("canonical name of %s is %s, want %s", name, got, want)
		}
		return nil
	}, "CNAME of %s", name)
}

func (e *env) expectCondition(t *testing.T, record, typ string, status metav1.ConditionStatus, reason string) {
	t.Helper()
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		rec := &feddnsv1a1.ServiceDNSRecord{}
		if err := e.host.Get(ctx, client.ObjectKey{Namespace: appNS, Name: record}, rec); err != nil {
			return err
		}
		c := meta.FindStatusCondition(rec.Status.Conditions, typ)
		if c == nil || c.Status != status || c.Reason != reason {
			return fmt.Errorf("condition %s is %+v", typ, c)
		}
		t.Logf("ServiceDNSRecord %s: %s=%s %s: %s", record, typ, c.Status, c.Reason, c.Message)
		return nil
	}, "ServiceDNSRecord %s has %s=%s (%s)", record, typ, status, reason)
}

// expectStatus waits until the ServiceDNSRecord's status.dns lists exactly
// the given members, in name order, each with its region and zone and with
// the given load balancer address ("" for none): KubeFed v0.6's status for
// the same members.
func (e *env) expectStatus(t *testing.T, record string, lbs map[string]string) {
	t.Helper()
	var want []feddnsv1a1.ClusterDNS
	for _, m := range slices.Sorted(maps.Keys(lbs)) {
		c := feddnsv1a1.ClusterDNS{Cluster: m, Region: location[m].region, Zones: []string{location[m].zone}}
		if lbs[m] != "" {
			c.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: lbs[m]}}
		}
		want = append(want, c)
	}
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		rec := &feddnsv1a1.ServiceDNSRecord{}
		if err := e.host.Get(ctx, client.ObjectKey{Namespace: appNS, Name: record}, rec); err != nil {
			return err
		}
		if rec.Status.Domain != zone || !apiequality.Semantic.DeepEqual(rec.Status.DNS, want) {
			return fmt.Errorf("status domain %q, dns:\n%s\nwant domain %q, dns:\n%s", rec.Status.Domain, toYAML(rec.Status.DNS), zone, toYAML(want))
		}
		return nil
	}, "ServiceDNSRecord %s lists every Ready cluster as KubeFed did", record)
}

// lbAddresses waits until the Service or Ingress obj named name in appNS
// has a load balancer address in every member and returns the first
// address in each member.
func (e *env) lbAddresses(t *testing.T, obj client.Object, name string) map[string]string {
	t.Helper()
	kind := strings.TrimPrefix(fmt.Sprintf("%T", obj), "*v1.")
	out := map[string]string{}
	e2eutil.Eventually(t, 2*time.Minute, func(ctx context.Context) error {
		for member, c := range e.members {
			if err := c.Get(ctx, client.ObjectKey{Namespace: appNS, Name: name}, obj); err != nil {
				return fmt.Errorf("%s: %w", member, err)
			}
			var ips []string
			switch o := obj.(type) {
			case *corev1.Service:
				for _, in := range o.Status.LoadBalancer.Ingress {
					ips = append(ips, in.IP)
				}
			case *networkingv1.Ingress:
				for _, in := range o.Status.LoadBalancer.Ingress {
					ips = append(ips, in.IP)
				}
			}
			if len(ips) == 0 {
				return fmt.Errorf("%s: %s %s has no load balancer address yet", member, kind, name)
			}
			out[member] = ips[0]
		}
		return nil
	}, "%s %s has a load balancer address in every member", kind, name)
	return out
}
