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
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
)

func lb(addrs ...string) corev1.LoadBalancerStatus {
	var st corev1.LoadBalancerStatus
	for _, a := range addrs {
		if strings.ContainsAny(a, "abcdefghijklmnopqrstuvwxyz") && !strings.Contains(a, ":") {
			st.Ingress = append(st.Ingress, corev1.LoadBalancerIngress{Hostname: a})
		} else {
			st.Ingress = append(st.Ingress, corev1.LoadBalancerIngress{IP: a})
		}
	}
	return st
}

// render prints endpoints one per line: "name TYPE target,target ttl".
func render(eps []*feddnsv1a1.Endpoint) string {
	var b strings.Builder
	for _, ep := range eps {
		fmt.Fprintf(&b, "%s %s %s %d\n", ep.DNSName, ep.RecordType, strings.Join(ep.Targets, ","), ep.RecordTTL)
	}
	return b.String()
}

func TestServiceEndpoints(t *testing.T) {
	rec := func(spec feddnsv1a1.ServiceDNSRecordSpec, dns ...feddnsv1a1.ClusterDNS) *feddnsv1a1.ServiceDNSRecord {
		spec.DomainRef = "fed"
		return &feddnsv1a1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"}, Spec: spec,
			Status: feddnsv1a1.ServiceDNSRecordStatus{DNS: dns}}
	}
	c1 := feddnsv1a1.ClusterDNS{Cluster: "c1", LoadBalancer: lb("10.0.0.1"), Region: "eu", Zones: []string{"eu-a"}}
	c2 := feddnsv1a1.ClusterDNS{Cluster: "c2", LoadBalancer: lb("10.0.0.2"), Region: "eu", Zones: []string{"eu-b"}}
	c3 := feddnsv1a1.ClusterDNS{Cluster: "c3", LoadBalancer: lb("lb.us.example.net"), Region: "us", Zones: []string{"us-a"}}
	tests := []struct {
		name   string
		rec    *feddnsv1a1.ServiceDNSRecord
		domain string
		known  []Location
		want   string
	}{{
		name: "global, region and zone names; hostnames are CNAMEs where no address is",
		rec:  rec(feddnsv1a1.ServiceDNSRecordSpec{}, c1, c2, c3), domain: "example.com",
		want: `web.shop.fed.svc.eu-a.eu.example.com A 10.0.0.1 180
web.shop.fed.svc.eu-b.eu.example.com A 10.0.0.2 180
web.shop.fed.svc.eu.example.com A 10.0.0.1,10.0.0.2 180
web.shop.fed.svc.example.com A 10.0.0.1,10.0.0.2 180
web.shop.fed.svc.us-a.us.example.com CNAME lb.us.example.net 180
web.shop.fed.svc.us.example.com CNAME lb.us.example.net 180
`,
	}, {
		name: "a known region or zone without a healthy cluster falls back one level up",
		rec:  rec(feddnsv1a1.ServiceDNSRecordSpec{RecordTTL: 30}, c1), domain: "example.com",
		known: []Location{{Region: "eu", Zones: []string{"eu-a", "eu-b"}}, {Region: "us", Zones: []string{"us-a"}}, {}},
		want: `web.shop.fed.svc.eu-a.eu.example.com A 10.0.0.1 30
web.shop.fed.svc.eu-b.eu.example.com CNAME web.shop.fed.svc.eu.example.com 30
web.shop.fed.svc.eu.example.com A 10.0.0.1 30
web.shop.fed.svc.example.com A 10.0.0.1 30
web.shop.fed.svc.us-a.us.example.com CNAME web.shop.fed.svc.us.example.com 30
web.shop.fed.svc.us.example.com CNAME web.shop.fed.svc.example.com 30
`,
	}, {
		name:   "dnsPrefix and externalName",
		rec:    rec(feddnsv1a1.ServiceDNSRecordSpec{DNSPrefix: "www", ExternalName: "store"}, feddnsv1a1.ClusterDNS{Cluster: "c1", LoadBalancer: lb("10.0.0.1", "fd00::1")}),
		domain: "example.com",
		want: `store.shop.fed.svc.example.com A 10.0.0.1 180
store.shop.fed.svc.example.com AAAA fd00::1 180
www.example.com CNAME store.shop.fed.svc.example.com 180
`,
	}, {
		name: "no domain: nothing", rec: rec(feddnsv1a1.ServiceDNSRecordSpec{}, c1), domain: "", want: "",
	}, {
		name: "nothing ever published: nothing, not even fallbacks", rec: rec(feddnsv1a1.ServiceDNSRecordSpec{}), domain: "example.com",
		known: []Location{{Region: "eu", Zones: []string{"eu-a"}}}, want: "",
	}, {
		name:   "duplicate addresses are merged and sorted",
		rec:    rec(feddnsv1a1.ServiceDNSRecordSpec{}, feddnsv1a1.ClusterDNS{Cluster: "b", LoadBalancer: lb("10.0.0.9", "10.0.0.1")}, feddnsv1a1.ClusterDNS{Cluster: "a", LoadBalancer: lb("10.0.0.1")}),
		domain: "example.com",
		want:   "web.shop.fed.svc.example.com A 10.0.0.1,10.0.0.9 180\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(ServiceEndpoints(tt.rec, tt.domain, tt.known)); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			// Deterministic: the same input gives the same records.
			if a, b := render(ServiceEndpoints(tt.rec, tt.domain, tt.known)), render(ServiceEndpoints(tt.rec, tt.domain, tt.known)); a != b {
				t.Errorf("not deterministic:\n%s\n%s", a, b)
			}
		})
	}
}

func TestIngressEndpoints(t *testing.T) {
	rec := &feddnsv1a1.IngressDNSRecord{
		Spec: feddnsv1a1.IngressDNSRecordSpec{Hosts: []string{"shop.example.com", "api.example.com"}, RecordTTL: 60},
		Status: feddnsv1a1.IngressDNSRecordStatus{DNS: []feddnsv1a1.ClusterIngressDNS{
			{Cluster: "c2", LoadBalancer: lb("10.0.0.2")}, {Cluster: "c1", LoadBalancer: lb("10.0.0.1")},
		}},
	}
	want := "api.example.com A 10.0.0.1,10.0.0.2 60\nshop.example.com A 10.0.0.1,10.0.0.2 60\n"
	if got := render(IngressEndpoints(rec)); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	rec.Status.DNS = nil
	if got := render(IngressEndpoints(rec)); got != "" {
		t.Errorf("no cluster: got\n%s\nwant nothing", got)
	}
}
