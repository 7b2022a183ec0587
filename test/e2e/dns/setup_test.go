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
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	manager "github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

const (
	// ns is the control-plane namespace and Helm release namespace.
	ns = e2eutil.Namespace
	// serviceAccount is the chart's ServiceAccount of the controller manager.
	serviceAccount = e2eutil.ServiceAccount
	hostName       = e2eutil.HostName
	// zone is the DNS zone of the test's Domain.
	zone = "example.test"
)

// location is where the test puts each member: node labels that the
// health controller copies into the KubeFedCluster status.
var location = map[string]struct{ region, zone string }{
	"member1": {"eu", "eu-a"},
	"member2": {"eu", "eu-b"},
	"member3": {"us", "us-a"},
}

// env is the federation, the control plane and the DNS stack of the test.
type env struct {
	fed     *framework.Federation
	host    client.Client
	members map[string]client.Client
	dns     *framework.DNS
	// cm is the controller manager process.
	cm *e2eutil.Process
}

func setup(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("needs local clusters and the built binaries; skipped with -short")
	}
	binDir := e2eutil.RequireBinaries(t, "controller-manager", "helm", "kwokctl", "coredns", "external-dns", "etcd")
	start := time.Now()
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(3), Nodes: 1, BinDir: binDir})
	e := &env{fed: fed, members: map[string]client.Client{}}
	scheme := manager.Scheme()
	if err := feddnsv1a1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	var err error
	if e.host, err = client.New(fed.Host.Config, client.Options{Scheme: scheme}); err != nil {
		t.Fatal(err)
	}
	for _, m := range fed.Members {
		if e.members[m.Name], err = client.New(m.Config, client.Options{Scheme: scheme}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := t.Context()
	// The load-balancer simulators run until the test ends.
	lbCtx, stopLB := context.WithCancel(context.WithoutCancel(ctx))
	t.Cleanup(stopLB)
	if err := fed.RunLoadBalancers(lbCtx); err != nil {
		t.Fatal(err)
	}
	e.labelNodes(t)
	// The chart without its Deployment (the controller manager runs as a
	// local process) and with quick member health checks.
	e2eutil.HelmInstall(t, fed, e2eutil.SetValues(e2eutil.ProcessChartValues...)...)
	e.startController(t)
	e2eutil.JoinMembers(t, fed, "")
	e2eutil.Eventually(t, 2*time.Minute, func(ctx context.Context) error {
		for name, loc := range location {
			c := &fedcorev1b1.KubeFedCluster{}
			if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, c); err != nil {
				return err
			}
			if !c.Status.IsReady() || ptr.Deref(c.Status.Region, "") != loc.region || !slices.Contains(c.Status.Zones, loc.zone) {
				return fmt.Errorf("KubeFedCluster %s: ready %t, region %q, zones %v", name, c.Status.IsReady(), ptr.Deref(c.Status.Region, ""), c.Status.Zones)
			}
		}
		return nil
	}, "every member Ready with its region and zone")

	dnsDir := filepath.Join(t.TempDir(), "dns")
	e.dns, err = framework.StartDNS(ctx, framework.DNSOptions{BinDir: binDir, Dir: dnsDir, Zone: zone,
		Kubeconfig: fed.Kubeconfig(), Context: hostName})
	if err != nil {
		t.Fatalf("starting the DNS stack: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, c := range []string{"external-dns", "coredns", "etcd"} {
				t.Logf("%s log (last lines):\n%s", c, e.dns.Logs(c, 40))
			}
		}
		e.dns.Stop()
	})
	t.Logf("federation, control plane and DNS (CoreDNS on %s) ready in %s", e.dns.Addr, time.Since(start).Round(100*time.Millisecond))
	return e
}

// labelNodes gives each member's nodes its region and zone.
func (e *env) labelNodes(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	for name, loc := range location {
		nodes := &corev1.NodeList{}
		if err := e.members[name].List(ctx, nodes); err != nil {
			t.Fatal(err)
		}
		for i := range nodes.Items {
			n := &nodes.Items[i]
			patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%q,%q:%q}}}`, corev1.LabelTopologyRegion, loc.region, corev1.LabelTopologyZone, loc.zone)
			if err := e.members[name].Patch(ctx, n, client.RawPatch("application/merge-patch+json", []byte(patch))); err != nil {
				t.Fatalf("labelling node %s of %s: %v", n.Name, name, err)
			}
		}
	}
}

// startController runs bin/controller-manager with the chart's identity (a
// TokenRequest token, so that every RBAC rule the DNS controllers lack
// shows up as a refused request) until the end of the test, and prints its
// log when the test failed.
func (e *env) startController(t *testing.T) {
	t.Helper()
	// Registered first, so that it runs after the process has stopped:
	// refusals of the host to the chart's identity (a member's 403 while it
	// restarts is not about the chart).
	t.Cleanup(func() {
		if e.cm == nil {
			return
		}
		if lines := e.cm.Grep("forbidden", "system:serviceaccount:"+ns+":"+serviceAccount); len(lines) > 0 {
			t.Errorf("the controller manager was refused requests with the chart's RBAC (a rule is missing):\n%s", strings.Join(lines[:min(len(lines), 10)], "\n"))
		}
	})
	e.cm = e2eutil.StartControllerManager(t, e2eutil.ProcessOptions{Kubeconfig: e2eutil.TokenKubeconfig(t, e.fed, time.Hour), Graceful: true})
}

// apply creates the objects of a multi-document YAML in the host.
func (e *env) apply(t *testing.T, docs string) {
	t.Helper()
	for _, doc := range strings.Split(docs, "\n---\n") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatal(err)
		}
		if err := e.host.Create(t.Context(), u); err != nil {
			t.Fatalf("creating %s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
}

// lookup resolves name with the test's CoreDNS: the sorted addresses, or
// "NXDOMAIN".
func (e *env) lookup(ctx context.Context, name string) string {
	addrs, err := e.dns.LookupHost(ctx, name)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return "NXDOMAIN"
		}
		return "error: " + err.Error()
	}
	return strings.Join(addrs, ",")
}
