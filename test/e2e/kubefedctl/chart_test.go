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

package kubefedctl_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

// chartServiceAccount is the chart's ServiceAccount of the controller
// manager.
const chartServiceAccount = "kubefed-controller"

// chartEnv is a local federation with the chart installed in the host, the
// members joined and the controller manager running as a process with the
// chart's ServiceAccount identity.
type chartEnv struct {
	fed        *framework.Federation
	binDir     string
	kubeconfig string
	host       client.Client
	members    map[string]client.Client
	// controller is the controller manager's process; its log excerpt is
	// printed when the test fails.
	controller *e2eutil.Process
}

// setupChart brings up a host and two members, installs the chart, starts
// the controller manager under the chart's ServiceAccount and joins the
// members. Everything is torn down at the end of the test; the controller
// log and the control plane's state are printed when it failed.
func setupChart(t *testing.T) *chartEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("needs local clusters and the built binaries; skipped with -short")
	}
	binDir := e2eutil.RequireBinaries(t, "controller-manager", "kubefedctl", "helm", "kwokctl", "kubectl")
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(2), Nodes: 1, BinDir: binDir})
	e := &chartEnv{fed: fed, binDir: binDir, members: map[string]client.Client{}}
	e.host = kubefedctltest.NewClient(t, fed.Host.Config)
	for _, m := range fed.Members {
		e.members[m.Name] = kubefedctltest.NewClient(t, m.Config)
	}
	e2eutil.Helm(t, "install", "kubefed", filepath.Join(e2eutil.RepoRoot(), "charts", "kubefed"), "--namespace", ns, "--create-namespace",
		"--kubeconfig", fed.Kubeconfig(), "--kube-context", "host",
		"--set", "controllermanager.enabled=false", "--set", "controllermanager.clusterAvailableDelay=1s",
		"--set", "controllermanager.clusterUnavailableDelay=1s", "--set", "controllermanager.clusterHealthCheckPeriod=1s")
	e.startController(t)
	for _, m := range fed.Members {
		e.kubefedctl(t, "join", m.Name, "--cluster-context", m.Context(), "--host-cluster-context", "host")
	}
	e.dumpOnFailure(t)
	e2eutil.Eventually(t, 2*time.Minute, func(ctx context.Context) error {
		kfcs := &fedcorev1b1.KubeFedClusterList{}
		if err := e.host.List(ctx, kfcs, client.InNamespace(ns)); err != nil {
			return err
		}
		for _, c := range kfcs.Items {
			if kubefedctl.ClusterHealth(&c) != kubefedctl.HealthReady {
				return fmt.Errorf("KubeFedCluster %s is %s", c.Name, kubefedctl.ClusterHealth(&c))
			}
		}
		ftcs := &fedcorev1b1.FederatedTypeConfigList{}
		if err := e.host.List(ctx, ftcs, client.InNamespace(ns)); err != nil {
			return err
		}
		for _, f := range ftcs.Items {
			if f.Status.PropagationController != fedcorev1b1.ControllerStatusRunning {
				return fmt.Errorf("FederatedTypeConfig %s: %v", f.Name, f.Status.Conditions)
			}
		}
		return nil
	}, "members Ready and every default type's sync controller running under the chart's identity")
	return e
}

// kubefedctl runs bin/kubefedctl as the host's admin and fails the test
// when it fails.
func (e *chartEnv) kubefedctl(t testing.TB, args ...string) string {
	t.Helper()
	out, code := e.kubefedctlErr(t, args...)
	if code != 0 {
		t.Fatalf("kubefedctl %s: exit code %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// kubefedctlErr runs bin/kubefedctl as the host's admin, for three minutes
// at most, and returns its combined output and exit code.
func (e *chartEnv) kubefedctlErr(t testing.TB, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	args = append([]string{"--kubeconfig", e.fed.Kubeconfig(), "--host-cluster-context", "host"}, args...)
	out, err := exec.CommandContext(ctx, filepath.Join(e.binDir, "kubefedctl"), args...).CombinedOutput()
	t.Logf("kubefedctl %s:\n%s(error: %v)", strings.Join(args, " "), out, err)
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return string(out), exitErr.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// startController writes a kubeconfig whose user is the chart's
// ServiceAccount (a token of it, as in a cluster) and starts
// bin/controller-manager with it.
func (e *chartEnv) startController(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(e.fed.Host.Config)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, chartServiceAccount, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(3600))},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("requesting a token of the chart's ServiceAccount: %v", err)
	}
	admin, err := clientcmd.LoadFromFile(e.fed.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["host"] = admin.Clusters[admin.Contexts["host"].Cluster]
	cfg.AuthInfos[chartServiceAccount] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	cfg.Contexts[chartServiceAccount] = &clientcmdapi.Context{Cluster: "host", AuthInfo: chartServiceAccount, Namespace: ns}
	cfg.CurrentContext = chartServiceAccount
	e.kubeconfig = filepath.Join(t.TempDir(), "controller.kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, e.kubeconfig); err != nil {
		t.Fatal(err)
	}
	e.controller = e2eutil.StartControllerManager(t, e2eutil.ProcessOptions{Kubeconfig: e.kubeconfig})
}

// dumpOnFailure prints the FederatedTypeConfigs and KubeFedClusters when
// the test failed (the controller manager's process prints its log).
func (e *chartEnv) dumpOnFailure(t *testing.T) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var b strings.Builder
		ftcs := &fedcorev1b1.FederatedTypeConfigList{}
		_ = e.host.List(ctx, ftcs, client.InNamespace(ns))
		for _, f := range ftcs.Items {
			fmt.Fprintf(&b, "FederatedTypeConfig %s: propagation %s, status %+v\n", f.Name, f.Spec.Propagation, f.Status)
		}
		kfcs := &fedcorev1b1.KubeFedClusterList{}
		_ = e.host.List(ctx, kfcs, client.InNamespace(ns))
		for _, c := range kfcs.Items {
			fmt.Fprintf(&b, "KubeFedCluster %s: %s\n", c.Name, kubefedctl.ClusterHealth(&c))
		}
		t.Logf("state of the control plane:\n%s", b.String())
	})
}
