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
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	manager "github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

const (
	// ns is the control-plane namespace and Helm release namespace.
	ns = fedcorev1b1.DefaultKubeFedSystemNamespace
	// serviceAccount is the chart's ServiceAccount of the controller manager.
	serviceAccount = "kubefed-controller"
	hostName       = "host"
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
	binDir  string
	host    client.Client
	members map[string]client.Client
	dns     *framework.DNS
	// cmLog is the controller manager's log file.
	cmLog string
}

func setup(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("needs local clusters and the built binaries; skipped with -short")
	}
	binDir := framework.DefaultBinDir()
	for _, tool := range []struct{ name, make string }{
		{"controller-manager", "build"}, {"helm", "tools"}, {"kwokctl", "tools"},
		{"coredns", "tools"}, {"external-dns", "tools"}, {"etcd", "tools"},
	} {
		if _, err := os.Stat(filepath.Join(binDir, tool.name)); err != nil {
			t.Fatalf("%s: %v: run 'make %s' (or set KUBEFED_BIN_DIR)", tool.name, err, tool.make)
		}
	}
	start := time.Now()
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(3), Nodes: 1, BinDir: binDir})
	e := &env{fed: fed, binDir: binDir, members: map[string]client.Client{}}
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
	e.helmInstall(t)
	e.startController(t, e.writeControllerKubeconfig(t))
	for _, m := range fed.Members {
		if _, err := kubefedctl.Join(ctx, kubefedctl.JoinOptions{
			ClusterName: m.Name, HostClusterName: hostName, HostConfig: fed.Host.Config, ClusterConfig: m.Config,
			KubeFedNamespace: ns, ErrorOnExisting: true, HostContext: hostName, ClusterContext: m.Name, Out: io.Discard,
		}); err != nil {
			t.Fatalf("joining %s: %v", m.Name, err)
		}
	}
	e2eutil.Eventually(t, 2*time.Minute, func(ctx context.Context) error {
		for name, loc := range location {
			c := &fedcorev1b1.KubeFedCluster{}
			if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, c); err != nil {
				return err
			}
			if !clusterReady(c) || ptr.Deref(c.Status.Region, "") != loc.region || !slices.Contains(c.Status.Zones, loc.zone) {
				return fmt.Errorf("KubeFedCluster %s: ready %t, region %q, zones %v", name, clusterReady(c), ptr.Deref(c.Status.Region, ""), c.Status.Zones)
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

func (e *env) run(t testing.TB, env []string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(e.binDir, name), args...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// helmInstall installs the chart without its Deployment (the controller
// manager runs as a local process) and with quick member health checks.
func (e *env) helmInstall(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	e.run(t, []string{"HELM_CACHE_HOME=" + filepath.Join(home, "cache"), "HELM_CONFIG_HOME=" + filepath.Join(home, "config"),
		"HELM_DATA_HOME=" + filepath.Join(home, "data")},
		"helm", "install", "kubefed", filepath.Join(e2eutil.RepoRoot(), "charts", "kubefed"),
		"--namespace", ns, "--create-namespace", "--kubeconfig", e.fed.Kubeconfig(), "--kube-context", hostName,
		"--set", "controllermanager.enabled=false",
		"--set", "controllermanager.clusterAvailableDelay=1s",
		"--set", "controllermanager.clusterUnavailableDelay=1s",
		"--set", "controllermanager.clusterHealthCheckPeriod=1s")
}

// writeControllerKubeconfig writes a kubeconfig of the host whose user is
// the chart's ServiceAccount (a TokenRequest token), so that every RBAC
// rule the DNS controllers lack shows up as a refused request.
func (e *env) writeControllerKubeconfig(t *testing.T) string {
	t.Helper()
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(e.fed.Host.Config)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, serviceAccount, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(3600))},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("requesting a token of ServiceAccount %s/%s: %v", ns, serviceAccount, err)
	}
	admin, err := clientcmd.LoadFromFile(e.fed.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[hostName] = admin.Clusters[admin.Contexts[hostName].Cluster]
	cfg.AuthInfos[serviceAccount] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	cfg.Contexts[serviceAccount] = &clientcmdapi.Context{Cluster: hostName, AuthInfo: serviceAccount, Namespace: ns}
	cfg.CurrentContext = serviceAccount
	path := filepath.Join(t.TempDir(), "controller.kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// startController runs bin/controller-manager with the chart's identity
// until the end of the test, and prints its log when the test failed.
func (e *env) startController(t *testing.T, kubeconfig string) {
	t.Helper()
	e.cmLog = filepath.Join(t.TempDir(), "controller-manager.log")
	logFile, err := os.Create(e.cmLog)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(e.binDir, "controller-manager"),
		"--kubeconfig", kubeconfig, "--kubefed-namespace", ns,
		"--metrics-bind-address", "0", "--health-probe-bind-address", "0")
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "KUBECONFIG=") || strings.HasPrefix(kv, "KUBEFED_NAMESPACE=")
	})
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = framework.DieWithParent()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the controller manager: %v", err)
	}
	var once sync.Once
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logFile.Close(); close(exited) }()
	t.Cleanup(func() {
		once.Do(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		})
		if t.Failed() {
			t.Logf("controller manager log (last lines):\n%s", tail(e.cmLog, 80))
		}
		// Refusals of the host to the chart's identity; a member's 403
		// while it restarts is not about the chart.
		if lines := grepFile(e.cmLog, "forbidden", "system:serviceaccount:"+ns+":"+serviceAccount); len(lines) > 0 {
			t.Errorf("the controller manager was refused requests with the chart's RBAC (a rule is missing):\n%s", strings.Join(lines[:min(len(lines), 10)], "\n"))
		}
	})
}

func clusterReady(c *fedcorev1b1.KubeFedCluster) bool {
	for _, cond := range c.Status.Conditions {
		if cond.Type == fedcorev1b1.ClusterReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
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

func tail(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// grepFile returns the lines of a file that contain every one of subs
// (case-insensitive).
func grepFile(path string, subs ...string) []string {
	b, _ := os.ReadFile(path)
	var out []string
	for _, l := range bytes.Split(b, []byte("\n")) {
		lower := bytes.ToLower(l)
		all := true
		for _, s := range subs {
			all = all && bytes.Contains(lower, []byte(strings.ToLower(s)))
		}
		if all {
			out = append(out, string(l))
		}
	}
	return out
}
