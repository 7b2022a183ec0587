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
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
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
	ns = e2eutil.Namespace
	// serviceAccount is the chart's ServiceAccount of the controller
	// manager (KubeFed's name).
	serviceAccount = e2eutil.ServiceAccount
	// leaseName is the leader election Lease of the controller manager.
	leaseName = "kubefed-controller-manager"
	// hostName is the host cluster's kubeconfig context.
	hostName = e2eutil.HostName
)

// chartValues are the --set values of the installation
// (e2eutil.ProcessChartValues: no Deployment, the controller manager runs
// as local processes; quick reactions to members becoming Ready). The
// leader election timings are the defaults (15s lease, 10s renew deadline,
// 5s retry period), which the failover tests measure.
var chartValues = e2eutil.ProcessChartValues

// env is a local federation with the chart installed in its host and the
// members joined.
type env struct {
	fed *framework.Federation
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
	binDir := e2eutil.RequireBinaries(t, "controller-manager", "kubefedctl", "helm", "kwokctl", "kube-apiserver")
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(2), Nodes: 1, BinDir: binDir})
	e := &env{fed: fed, members: map[string]client.Client{}}
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
	e.kubeconfig = e2eutil.TokenKubeconfig(t, e.fed, time.Hour)
	return e
}

// helmInstall installs the chart into the host and checks what it
// installed: the ServiceAccount, the KubeFedConfig, the FederatedTypeConfigs.
func (e *env) helmInstall(t *testing.T) {
	t.Helper()
	start := time.Now()
	e2eutil.HelmInstall(t, e.fed, e2eutil.SetValues(chartValues...)...)

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

// join joins the members with bin/kubefedctl, as the host's admin.
func (e *env) join(t *testing.T) {
	t.Helper()
	for _, m := range e.fed.Members {
		out := e2eutil.Kubefedctl(t, e.fed, "join", m.Name, "--cluster-context", m.Context())
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
			if !c.Status.IsReady() {
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
// plane: KubeFedClusters, FederatedTypeConfigs, the Lease, the federated
// objects and their member copies.
func (e *env) dumpOnFailure(t *testing.T) {
	e2eutil.OnFailure(t, "state of the control plane", func(ctx context.Context, b io.Writer) {
		e2eutil.WriteControlPlane(ctx, b, e.host)
		lease := &coordinationv1.Lease{}
		if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: leaseName}, lease); err != nil {
			fmt.Fprintf(b, "Lease %s: %v\n", leaseName, err)
		} else {
			fmt.Fprintf(b, "Lease %s: %s\n", leaseName, toJSON(lease.Spec))
		}
		for _, kind := range []string{"FederatedNamespace", "FederatedDeployment"} {
			list := &unstructured.UnstructuredList{}
			list.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(kind + "List"))
			if err := e.host.List(ctx, list); err != nil {
				fmt.Fprintf(b, "listing %s: %v\n", kind, err)
			}
			for _, u := range list.Items {
				fmt.Fprintf(b, "%s %s/%s generation %d finalizers %v status %s\n", kind, u.GetNamespace(), u.GetName(),
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
				fmt.Fprintf(b, "%T %s in %s: labels %v, error %v\n", obj, key, name, obj.GetLabels(), err)
			}
		}
	})
}
