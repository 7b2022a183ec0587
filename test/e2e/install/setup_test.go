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

package install_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

const (
	// ns is the release namespace, the control plane's.
	ns = fedcorev1b1.DefaultKubeFedSystemNamespace
	// release is the Helm release name.
	release = "kubefed"
	// serviceAccount is the chart's ServiceAccount of the controller
	// manager (KubeFed's name).
	serviceAccount = "kubefed-controller"
	// leaseName is the leader election Lease of the controller manager.
	leaseName = "kubefed-controller-manager"
	// hostName is the host cluster's kubeconfig context.
	hostName = "host"
)

// chartValues are the --set values of the installation: no Deployment (its
// Pods cannot run on simulated nodes; the controller manager runs as local
// processes instead) and quick reactions to members becoming Ready. The
// leader election timings are the defaults (15s lease, 10s renew deadline,
// 5s retry period), which the failover tests measure.
var chartValues = []string{
	"controllermanager.enabled=false",
	"controllermanager.clusterAvailableDelay=1s",
	"controllermanager.clusterUnavailableDelay=1s",
	"controllermanager.clusterHealthCheckPeriod=1s",
}

// env is a local federation with the chart installed in its host and the
// members joined.
type env struct {
	fed    *framework.Federation
	binDir string
	// host is an admin client of the host (the tests' own view).
	host    client.Client
	members map[string]client.Client
	// kubeconfig is the controller manager's: the host, as the chart's
	// ServiceAccount.
	kubeconfig string
	// typeConfigs is the number of FederatedTypeConfigs the chart installed.
	typeConfigs int
	// controllers are the controller manager processes started so far.
	controllers []*controller
}

// setup brings up a host and two members, installs the chart into the host
// and writes the controller manager's kubeconfig. It neither joins the
// members nor starts a controller manager.
func setup(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("needs local clusters and the built binaries; skipped with -short")
	}
	start := time.Now()
	binDir := framework.DefaultBinDir()
	for _, tool := range []struct{ name, make string }{
		{"controller-manager", "build"}, {"kubefedctl", "build"}, {"helm", "tools"},
		{"kwokctl", "tools"}, {"kube-apiserver", "tools"},
	} {
		if _, err := os.Stat(filepath.Join(binDir, tool.name)); err != nil {
			t.Fatalf("%s: %v: run 'make %s' (or set KUBEFED_BIN_DIR to the directory holding it)", tool.name, err, tool.make)
		}
	}
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(2), Nodes: 1, BinDir: binDir})
	e := &env{fed: fed, binDir: binDir, members: map[string]client.Client{}}
	var err error
	if e.host, err = client.New(fed.Host.Config, client.Options{Scheme: app.Scheme()}); err != nil {
		t.Fatal(err)
	}
	for _, m := range fed.Members {
		if e.members[m.Name], err = client.New(m.Config, client.Options{Scheme: app.Scheme()}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("local federation up in %s", time.Since(start).Round(100*time.Millisecond))

	e.helmInstall(t)
	e.kubeconfig = e.writeControllerKubeconfig(t, time.Hour)
	return e
}

// run runs one of the binaries of binDir and returns its combined output;
// it fails the test when the command fails.
func (e *env) run(t testing.TB, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(e.binDir, name), args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// helmInstall installs the chart into the host and checks what it
// installed: the ServiceAccount, the KubeFedConfig, the FederatedTypeConfigs.
func (e *env) helmInstall(t *testing.T) {
	t.Helper()
	start := time.Now()
	helmHome := t.TempDir()
	helmEnv := []string{
		"HELM_CACHE_HOME=" + filepath.Join(helmHome, "cache"),
		"HELM_CONFIG_HOME=" + filepath.Join(helmHome, "config"),
		"HELM_DATA_HOME=" + filepath.Join(helmHome, "data"),
	}
	args := []string{"install", release, filepath.Join(e2eutil.RepoRoot(), "charts", "kubefed"),
		"--namespace", ns, "--create-namespace",
		"--kubeconfig", e.fed.Kubeconfig(), "--kube-context", hostName}
	for _, v := range chartValues {
		args = append(args, "--set", v)
	}
	e.run(t, helmEnv, "helm", args...)

	ctx := t.Context()
	if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: serviceAccount}, &corev1.ServiceAccount{}); err != nil {
		t.Fatalf("ServiceAccount %s/%s of the chart: %v", ns, serviceAccount, err)
	}
	cfg := &fedcorev1b1.KubeFedConfig{}
	if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: fedcorev1b1.KubeFedConfigName}, cfg); err != nil {
		t.Fatalf("KubeFedConfig of the chart: %v", err)
	}
	if hc := cfg.Spec.ClusterHealthCheck; hc == nil || hc.Period == nil || hc.Period.Duration != time.Second {
		t.Errorf("KubeFedConfig spec.clusterHealthCheck is %+v, want period 1s from the values", hc)
	}
	ftcs := &fedcorev1b1.FederatedTypeConfigList{}
	if err := e.host.List(ctx, ftcs, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	if len(ftcs.Items) < 10 {
		t.Fatalf("the chart installed %d FederatedTypeConfigs, want KubeFed's default set", len(ftcs.Items))
	}
	e.typeConfigs = len(ftcs.Items)
	t.Logf("chart installed (%d FederatedTypeConfigs) in %s", e.typeConfigs, time.Since(start).Round(100*time.Millisecond))
}

// writeControllerKubeconfig writes a kubeconfig of the host whose user is
// the chart's ServiceAccount, with a token from the TokenRequest API, and
// checks that the API server sees that identity.
func (e *env) writeControllerKubeconfig(t *testing.T, validity time.Duration) string {
	t.Helper()
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(e.fed.Host.Config)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, serviceAccount, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(validity.Seconds()))},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("requesting a token of ServiceAccount %s/%s: %v", ns, serviceAccount, err)
	}

	admin, err := clientcmd.LoadFromFile(e.fed.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	hostCtx, ok := admin.Contexts[hostName]
	if !ok {
		t.Fatalf("no context %q in %s", hostName, e.fed.Kubeconfig())
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[hostName] = admin.Clusters[hostCtx.Cluster]
	cfg.AuthInfos[serviceAccount] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	cfg.Contexts[serviceAccount] = &clientcmdapi.Context{Cluster: hostName, AuthInfo: serviceAccount, Namespace: ns}
	cfg.CurrentContext = serviceAccount
	path := filepath.Join(t.TempDir(), "controller.kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}

	restCfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatal(err)
	}
	saClient, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		t.Fatal(err)
	}
	review, err := saClient.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("asking the host who the controller kubeconfig's user is: %v", err)
	}
	want := "system:serviceaccount:" + ns + ":" + serviceAccount
	if got := review.Status.UserInfo.Username; got != want {
		t.Fatalf("the controller kubeconfig authenticates as %q, want %q", got, want)
	}
	return path
}

// join joins the members with bin/kubefedctl, as the host's admin.
func (e *env) join(t *testing.T) {
	t.Helper()
	for _, m := range e.fed.Members {
		out := e.run(t, nil, "kubefedctl", "join", m.Name, "--cluster-context", m.Context(),
			"--kubeconfig", e.fed.Kubeconfig(), "--host-cluster-context", hostName)
		if !strings.Contains(strings.ToLower(out), "joined") {
			t.Fatalf("kubefedctl join %s printed no confirmation:\n%s", m.Name, out)
		}
	}
}

// waitControlPlane waits until every KubeFedCluster is Ready and every
// FederatedTypeConfig's sync controller is Running: the controllers could
// write their status with the chart's permissions.
func (e *env) waitControlPlane(t testing.TB, timeout time.Duration) {
	t.Helper()
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		kfcs := &fedcorev1b1.KubeFedClusterList{}
		if err := e.host.List(ctx, kfcs, client.InNamespace(ns)); err != nil {
			return err
		}
		if len(kfcs.Items) != len(e.fed.Members) {
			return fmt.Errorf("%d KubeFedClusters, want %d", len(kfcs.Items), len(e.fed.Members))
		}
		var problems []string
		for _, c := range kfcs.Items {
			if !clusterReady(&c) {
				problems = append(problems, fmt.Sprintf("KubeFedCluster %s not Ready: %s", c.Name, toJSON(c.Status.Conditions)))
			}
		}
		ftcs := &fedcorev1b1.FederatedTypeConfigList{}
		if err := e.host.List(ctx, ftcs, client.InNamespace(ns)); err != nil {
			return err
		}
		for _, ftc := range ftcs.Items {
			if ftc.Status.PropagationController != fedcorev1b1.ControllerStatusRunning {
				problems = append(problems, fmt.Sprintf("FederatedTypeConfig %s: propagationController %q", ftc.Name, ftc.Status.PropagationController))
			}
		}
		if len(ftcs.Items) != e.typeConfigs {
			problems = append(problems, fmt.Sprintf("%d FederatedTypeConfigs, want %d", len(ftcs.Items), e.typeConfigs))
		}
		if len(problems) > 0 {
			if len(problems) > 4 {
				problems = append(problems[:4], fmt.Sprintf("and %d more", len(problems)-4))
			}
			return errors.New(strings.Join(problems, "; "))
		}
		return nil
	}, "every KubeFedCluster Ready and every FederatedTypeConfig Running")
}

func clusterReady(c *fedcorev1b1.KubeFedCluster) bool {
	for _, cond := range c.Status.Conditions {
		if cond.Type == fedcorev1b1.ClusterReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}

// leaseHolder returns the holderIdentity of the controller manager's Lease
// ("" when released or missing).
func (e *env) leaseHolder(ctx context.Context) (string, error) {
	lease := &coordinationv1.Lease{}
	err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: leaseName}, lease)
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return ptr.Deref(lease.Spec.HolderIdentity, ""), nil
}

// dumpOnFailure prints, when the test failed, the state of the control
// plane: KubeFedClusters, FederatedTypeConfigs, the Lease.
func (e *env) dumpOnFailure(t *testing.T) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var b bytes.Buffer
		kfcs := &fedcorev1b1.KubeFedClusterList{}
		if err := e.host.List(ctx, kfcs, client.InNamespace(ns)); err != nil {
			fmt.Fprintf(&b, "listing KubeFedClusters: %v\n", err)
		}
		for _, c := range kfcs.Items {
			fmt.Fprintf(&b, "KubeFedCluster %s: %s\n", c.Name, toJSON(c.Status.Conditions))
		}
		ftcs := &fedcorev1b1.FederatedTypeConfigList{}
		if err := e.host.List(ctx, ftcs, client.InNamespace(ns)); err != nil {
			fmt.Fprintf(&b, "listing FederatedTypeConfigs: %v\n", err)
		}
		for _, ftc := range ftcs.Items {
			fmt.Fprintf(&b, "FederatedTypeConfig %s: %s\n", ftc.Name, toJSON(ftc.Status))
		}
		lease := &coordinationv1.Lease{}
		if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: leaseName}, lease); err != nil {
			fmt.Fprintf(&b, "Lease %s: %v\n", leaseName, err)
		} else {
			fmt.Fprintf(&b, "Lease %s: %s\n", leaseName, toJSON(lease.Spec))
		}
		for _, kind := range []string{"FederatedNamespace", "FederatedDeployment"} {
			list := &unstructured.UnstructuredList{}
			list.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(kind + "List"))
			if err := e.host.List(ctx, list); err != nil {
				fmt.Fprintf(&b, "listing %s: %v\n", kind, err)
			}
			for _, u := range list.Items {
				fmt.Fprintf(&b, "%s %s/%s generation %d finalizers %v status %s\n", kind, u.GetNamespace(), u.GetName(),
					u.GetGeneration(), u.GetFinalizers(), toJSON(u.Object["status"]))
			}
		}
		for _, name := range slices.Sorted(maps.Keys(e.members)) {
			for _, obj := range []client.Object{&corev1.Namespace{}, &appsv1.Deployment{}} {
				key := types.NamespacedName{Name: appNS}
				if _, ok := obj.(*appsv1.Deployment); ok {
					key = types.NamespacedName{Namespace: appNS, Name: appName}
				}
				err := e.members[name].Get(ctx, key, obj)
				fmt.Fprintf(&b, "%T %s in %s: labels %v, error %v\n", obj, key, name, obj.GetLabels(), err)
			}
		}
		t.Logf("state of the control plane:\n%s", b.String())
	})
}
