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

package e2eutil

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

// ServiceAccount is the chart's ServiceAccount of the controller manager,
// in Namespace: the identity the control plane of every Env runs as.
const ServiceAccount = "kubefed-controller"

// RepoRoot returns the root of the repository: testenv.RepoRoot.
func RepoRoot() string { return testenv.RepoRoot() }

// Helm runs the pinned helm binary with a helm home of its own and fails
// the test when helm fails.
func Helm(t testing.TB, args ...string) string {
	t.Helper()
	home := t.TempDir()
	cmd := exec.CommandContext(t.Context(), filepath.Join(BinDir(), "helm"), args...)
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"), "HELM_DATA_HOME="+filepath.Join(home, "data"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// Kubefedctl runs bin/kubefedctl with the federation's kubeconfig and its
// host as the host cluster (--kubeconfig, --host-cluster-context after
// args) and returns its combined output; it fails the test when kubefedctl
// fails or takes more than three minutes.
func Kubefedctl(t testing.TB, fed *framework.Federation, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	args = append(args, "--kubeconfig", fed.Kubeconfig(), "--host-cluster-context", fed.Host.Context())
	out, err := exec.CommandContext(ctx, filepath.Join(BinDir(), "kubefedctl"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("kubefedctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// ProcessChartValues are the --set values of an installation whose
// controller manager runs as local processes (StartControllerManager): no
// Deployment (its Pods cannot run on simulated nodes) and quick reactions
// to members becoming Ready or not.
var ProcessChartValues = []string{
	"controllermanager.enabled=false",
	"controllermanager.clusterAvailableDelay=1s",
	"controllermanager.clusterUnavailableDelay=1s",
	"controllermanager.clusterHealthCheckPeriod=1s",
}

// HelmInstall installs the Helm chart into the host as a user does:
// release kubefed in Namespace (created), with further helm arguments
// (SetValues, --wait=false, ...).
func HelmInstall(t testing.TB, fed *framework.Federation, args ...string) {
	t.Helper()
	Helm(t, append([]string{"install", "kubefed", filepath.Join(RepoRoot(), "charts", "kubefed"),
		"--namespace", Namespace, "--create-namespace", "--kubeconfig", fed.Kubeconfig(), "--kube-context", fed.Host.Context()},
		args...)...)
}

// SetValues returns the helm arguments that set the given values
// (--set name=value each).
func SetValues(values ...string) []string {
	var args []string
	for _, v := range values {
		args = append(args, "--set", v)
	}
	return args
}

// InstallChart installs the Helm chart into the host as a user does, with
// the controller Deployment scaled to 0 (the control plane runs in the test
// process or as a local process, as the chart's ServiceAccount) and the
// given extra values (helm --set name=value).
func InstallChart(t testing.TB, fed *framework.Federation, values ...string) {
	t.Helper()
	HelmInstall(t, fed, append(SetValues(append([]string{"controllermanager.controller.replicaCount=0"}, values...)...), "--wait=false")...)
}

// installChart installs the chart for an Env, with member health checks
// tuned so that a member's loss and return are noticed within about two
// seconds.
func installChart(t testing.TB, fed *framework.Federation) {
	t.Helper()
	InstallChart(t, fed,
		"controllermanager.clusterAvailableDelay=1s",
		"controllermanager.clusterUnavailableDelay=1s",
		"controllermanager.clusterHealthCheckPeriod=1s",
		"controllermanager.clusterHealthCheckTimeout=1s",
		"controllermanager.clusterHealthCheckFailureThreshold=2",
		"controllermanager.clusterHealthCheckSuccessThreshold=1")
}

// installedTypeConfigs waits until the chart's FederatedTypeConfigs and
// KubeFedConfig are in the host and returns the FederatedTypeConfigs.
func installedTypeConfigs(t testing.TB, host client.Client) []*fedcorev1b1.FederatedTypeConfig {
	t.Helper()
	var out []*fedcorev1b1.FederatedTypeConfig
	Eventually(t, time.Minute, func(ctx context.Context) error {
		if err := host.Get(ctx, client.ObjectKey{Namespace: Namespace, Name: fedcorev1b1.KubeFedConfigName}, &fedcorev1b1.KubeFedConfig{}); err != nil {
			return err
		}
		list := &fedcorev1b1.FederatedTypeConfigList{}
		if err := host.List(ctx, list, client.InNamespace(Namespace)); err != nil {
			return err
		}
		if len(list.Items) == 0 {
			return fmt.Errorf("no FederatedTypeConfigs in namespace %s", Namespace)
		}
		out = out[:0]
		for i := range list.Items {
			out = append(out, &list.Items[i])
		}
		return nil
	}, "the chart's KubeFedConfig and FederatedTypeConfigs in namespace %s", Namespace)
	return out
}

// ChartIdentity returns a copy of the host's administrator configuration
// that impersonates the chart's ServiceAccount, with the groups the API
// server gives a ServiceAccount token: every request of a control plane
// built from it is authorised by the chart's RBAC alone.
func ChartIdentity(host *rest.Config) *rest.Config {
	cfg := rest.CopyConfig(host)
	cfg.Impersonate = rest.ImpersonationConfig{
		UserName: "system:serviceaccount:" + Namespace + ":" + ServiceAccount,
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + Namespace, "system:authenticated"},
	}
	return cfg
}

// checkServiceAccount fails the test when the chart did not create its
// ServiceAccount: impersonating a missing one would still be authorised
// by the bindings and hide a broken chart.
func checkServiceAccount(t testing.TB, host client.Client) {
	t.Helper()
	if err := host.Get(t.Context(), client.ObjectKey{Namespace: Namespace, Name: ServiceAccount}, &corev1.ServiceAccount{}); err != nil {
		t.Fatalf("ServiceAccount %s/%s of the chart: %v", Namespace, ServiceAccount, err)
	}
}

// TypeConfig returns the installed FederatedTypeConfig whose target kind
// is kind (Deployment, ...), or nil.
func (e *Env) TypeConfig(kind string) *fedcorev1b1.FederatedTypeConfig {
	for _, ftc := range e.TypeConfigs {
		if strings.EqualFold(ftc.Spec.TargetType.Kind, kind) {
			return ftc
		}
	}
	return nil
}

// ChartKubeconfig writes a copy of the federation's kubeconfig whose host
// context impersonates the chart's ServiceAccount (as ChartIdentity does)
// and returns its path: a controller-manager process started with it runs
// with the chart's RBAC alone. The members' contexts are unchanged.
func ChartKubeconfig(t testing.TB, fed *framework.Federation) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(fed.Kubeconfig())
	if err != nil {
		t.Fatalf("reading the federation's kubeconfig: %v", err)
	}
	hostCtx, ok := cfg.Contexts[fed.Host.Context()]
	if !ok {
		t.Fatalf("the federation's kubeconfig has no context %q", fed.Host.Context())
	}
	user, ok := cfg.AuthInfos[hostCtx.AuthInfo]
	if !ok {
		t.Fatalf("the federation's kubeconfig has no user %q", hostCtx.AuthInfo)
	}
	impersonated := ChartIdentity(&rest.Config{})
	chartUser := user.DeepCopy()
	chartUser.Impersonate = impersonated.Impersonate.UserName
	chartUser.ImpersonateGroups = impersonated.Impersonate.Groups
	cfg.AuthInfos["kubefed-controller"] = chartUser
	hostCtx = hostCtx.DeepCopy()
	hostCtx.AuthInfo = "kubefed-controller"
	cfg.Contexts[fed.Host.Context()] = hostCtx
	cfg.CurrentContext = fed.Host.Context()
	path := filepath.Join(t.TempDir(), "kubeconfig-kubefed-controller")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
	return path
}
