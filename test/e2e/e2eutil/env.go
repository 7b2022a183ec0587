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
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/framework"
)

// Namespace is the control-plane namespace of every Env.
const Namespace = fedcorev1b1.DefaultKubeFedSystemNamespace

// HostName is the host cluster's name in every Env.
const HostName = "host"

// Env is a local federation with the KubeFed control plane running
// in-process against its host, as the chart's ServiceAccount.
type Env struct {
	// Fed is the local federation: Fed.Members[i].Stop/Start stop and
	// start a member's control plane.
	Fed *framework.Federation
	// Host is a client of the host cluster with the controller manager's
	// scheme (core, scheduling and every Federated<Kind> type).
	Host client.Client
	// MemberNames are the members' KubeFedCluster names (member1, ...).
	MemberNames []string
	// TypeConfigs are the FederatedTypeConfigs installed in the host.
	TypeConfigs []*fedcorev1b1.FederatedTypeConfig

	members map[string]client.Client
	logs    *logBuffer

	mu      sync.Mutex
	stopCP  context.CancelFunc
	cpDone  chan struct{}
	cpError error
}

// Member returns a client of the named member cluster (member1, ...).
func (e *Env) Member(name string) client.Client {
	c, ok := e.members[name]
	if !ok {
		panic(fmt.Sprintf("no member cluster %q in this federation (members: %v)", name, e.MemberNames))
	}
	return c
}

// NewEnv returns an Env of a federation with nothing installed yet: clients
// of the host and the members with the controller manager's scheme, and
// the controller logs captured until the test ends. Setup builds on it;
// a suite that installs the control plane its own way (another scope,
// other values) starts from it.
func NewEnv(t testing.TB, fed *framework.Federation) *Env {
	t.Helper()
	e := &Env{Fed: fed, members: map[string]client.Client{}, logs: newLogBuffer()}
	captureLogs(t, e.logs)
	scheme := app.Scheme()
	var err error
	if e.Host, err = client.New(fed.Host.Config, client.Options{Scheme: scheme}); err != nil {
		t.Fatalf("host client: %v", err)
	}
	for _, m := range fed.Members {
		c, err := client.New(m.Config, client.Options{Scheme: scheme})
		if err != nil {
			t.Fatalf("client of %s: %v", m.Name, err)
		}
		e.members[m.Name] = c
		e.MemberNames = append(e.MemberNames, m.Name)
	}
	return e
}

// LogLines returns the most recent controller log lines (at most max)
// that contain one of filters (any line without filters).
func (e *Env) LogLines(max int, filters ...string) []string { return e.logs.lines(max, filters...) }

// Setup brings up a host and the given number of members, installs the
// Helm chart into the host as a user does, joins the members with
// kubefedctl, starts the control plane in this process as the chart's
// ServiceAccount (so that the chart's RBAC is what the tests exercise) and
// waits until the members are Ready and every FederatedTypeConfig's sync
// controller runs. Everything is torn down in t.Cleanup.
func Setup(t *testing.T, members int) *Env {
	t.Helper()
	start := time.Now()
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(members), Nodes: 1})
	e := NewEnv(t, fed)
	installChart(t, fed)
	checkServiceAccount(t, e.Host)
	e.TypeConfigs = installedTypeConfigs(t, e.Host)
	JoinMembers(t, fed, "")

	e.StartControlPlane(t)
	// Stop the control plane before the clusters are torn down (cleanups
	// run last-registered first).
	t.Cleanup(func() { e.StopControlPlane(t) })
	for _, name := range e.MemberNames {
		e.WaitClusterReady(t, name, corev1.ConditionTrue, time.Minute)
	}
	Eventually(t, time.Minute, func(ctx context.Context) error {
		list := &fedcorev1b1.FederatedTypeConfigList{}
		if err := e.Host.List(ctx, list, client.InNamespace(Namespace)); err != nil {
			return err
		}
		var notRunning []string
		for _, ftc := range list.Items {
			if ftc.Status.PropagationController != fedcorev1b1.ControllerStatusRunning {
				notRunning = append(notRunning, fmt.Sprintf("%s (%v)", ftc.Name, ftc.Status.Conditions))
			}
		}
		if len(list.Items) != len(e.TypeConfigs) || len(notRunning) > 0 {
			return fmt.Errorf("%d of %d FederatedTypeConfigs, sync controller not running for %v", len(list.Items), len(e.TypeConfigs), notRunning)
		}
		return nil
	}, "every FederatedTypeConfig reports propagationController: Running")
	t.Logf("KubeFed control plane with %d members ready in %s", members, time.Since(start).Round(100*time.Millisecond))
	return e
}

// JoinMembers joins every member of the federation to its host with
// kubefedctl's join (in this process), in the given scope (empty: the
// scope of the host's KubeFedConfig, as kubefedctl join reads it).
func JoinMembers(t testing.TB, fed *framework.Federation, scope apiextensionsv1.ResourceScope) {
	t.Helper()
	for _, m := range fed.Members {
		if _, err := kubefedctl.Join(t.Context(), kubefedctl.JoinOptions{
			ClusterName: m.Name, HostClusterName: fed.Host.Name, HostConfig: fed.Host.Config, ClusterConfig: m.Config,
			KubeFedNamespace: Namespace, Scope: scope, ErrorOnExisting: true,
			HostContext: fed.Host.Context(), ClusterContext: m.Context(), Out: io.Discard,
		}); err != nil {
			t.Fatalf("joining %s (scope %q): %v", m.Name, scope, err)
		}
	}
}

// StartControlPlane builds a new controller manager that runs as the
// chart's ServiceAccount and starts it in a goroutine. It fails the test
// when one is already running.
func (e *Env) StartControlPlane(t testing.TB) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopCP != nil {
		t.Fatal("the control plane is already running")
	}
	// The manager outlives the (sub)test that starts it: Setup's cleanup
	// stops it.
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	mgr, err := app.New(ctx, ChartIdentity(e.Fed.Host.Config), app.Options{
		Namespace: Namespace, MetricsBindAddress: "0", HealthProbeBindAddress: "0",
		// A restarted in-process control plane registers the same
		// controller names again.
		SkipControllerNameValidation: true,
	})
	if err != nil {
		cancel()
		t.Fatalf("building the controller manager: %v", err)
	}
	done := make(chan struct{})
	e.stopCP, e.cpDone, e.cpError = cancel, done, nil
	go func() {
		defer close(done)
		if err := mgr.Start(ctx); err != nil {
			e.mu.Lock()
			e.cpError = err
			e.mu.Unlock()
			ctrl.Log.Error(err, "Controller manager stopped with an error")
		}
	}()
	select {
	case <-mgr.Elected():
	case <-done:
		t.Fatalf("the controller manager stopped at once: %v", e.cpError)
	case <-time.After(30 * time.Second):
		t.Fatal("the controller manager did not start within 30s")
	}
}

// StopControlPlane stops the running controller manager and waits until
// it has stopped; it does nothing when none runs.
func (e *Env) StopControlPlane(t testing.TB) {
	t.Helper()
	e.mu.Lock()
	stop, done := e.stopCP, e.cpDone
	e.stopCP, e.cpDone = nil, nil
	e.mu.Unlock()
	if stop == nil {
		return
	}
	stop()
	// A shutdown that takes long is diagnosed with the goroutines of the
	// control plane as they were while it hung.
	var stacks string
	slow := time.AfterFunc(20*time.Second, func() { stacks = controlPlaneStacks() })
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Error("the controller manager did not stop within a minute")
	}
	slow.Stop()
	e.mu.Lock()
	err := e.cpError
	e.mu.Unlock()
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("controller manager: %v\ngoroutines of the control plane 20 s into the shutdown:\n%s", err, stacks)
	}
}

// controlPlaneStacks returns the stacks of the goroutines running kubefed
// code, controller-runtime controllers and their queues, and the
// informers of the caches (client-go's and controller-runtime's), which a
// shutdown waits for.
func controlPlaneStacks() string {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if (strings.Contains(g, "github.com/kubefed/kubefed/") && !strings.Contains(g, "test/e2e/")) || strings.Contains(g, "pkg/internal/controller") ||
			strings.Contains(g, "priorityqueue") || strings.Contains(g, "client-go/tools/cache") || strings.Contains(g, "controller-runtime/pkg/cache") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

// WaitClusterReady waits until the Ready condition of the member's
// KubeFedCluster has the given status.
func (e *Env) WaitClusterReady(t testing.TB, name string, status corev1.ConditionStatus, timeout time.Duration) {
	t.Helper()
	e.waitClusterReady(t, name, func(s corev1.ConditionStatus) bool { return s == status }, string(status), timeout)
}

// WaitClusterNotReady waits until the member's KubeFedCluster is not
// Ready (its Ready condition False or Unknown).
func (e *Env) WaitClusterNotReady(t testing.TB, name string, timeout time.Duration) {
	t.Helper()
	e.waitClusterReady(t, name, func(s corev1.ConditionStatus) bool { return s != corev1.ConditionTrue }, "not True", timeout)
}

func (e *Env) waitClusterReady(t testing.TB, name string, ok func(corev1.ConditionStatus) bool, status string, timeout time.Duration) {
	t.Helper()
	Eventually(t, timeout, func(ctx context.Context) error {
		kfc := &fedcorev1b1.KubeFedCluster{}
		if err := e.Host.Get(ctx, client.ObjectKey{Namespace: Namespace, Name: name}, kfc); err != nil {
			return err
		}
		for _, c := range kfc.Status.Conditions {
			if c.Type == fedcorev1b1.ClusterReady {
				if ok(c.Status) {
					return nil
				}
				return fmt.Errorf("Ready is %s (%s: %s)", c.Status, ptr.Deref(c.Reason, ""), ptr.Deref(c.Message, ""))
			}
		}
		return fmt.Errorf("no Ready condition yet: %+v", kfc.Status.Conditions)
	}, "KubeFedCluster %s Ready=%s", name, status)
}

// StopCluster stops the API server of a cluster of the federation (the
// host or a member) and returns the function that starts it again and
// fails the test when that fails. A cluster still stopped when the test
// ends is started then.
func StopCluster(t testing.TB, c *framework.Cluster) (start func()) {
	t.Helper()
	if err := c.Stop(t.Context()); err != nil {
		t.Fatalf("stopping %s: %v", c.Name, err)
	}
	started := false
	t.Cleanup(func() {
		if !started {
			_ = c.Start(context.Background())
		}
	})
	return func() {
		t.Helper()
		if err := c.Start(t.Context()); err != nil {
			t.Fatalf("starting %s: %v", c.Name, err)
		}
		started = true
	}
}
