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

package faults_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

var members = []string{"member1", "member2"}

// TestFaults runs the fault suite on one federation, one fault at a time.
func TestFaults(t *testing.T) {
	e := e2eutil.Setup(t, 2)
	t.Run("broken type next to healthy ones", func(t *testing.T) { testBrokenType(t, e) })
	t.Run("SIGKILL mid-rollout", func(t *testing.T) { testKillMidRollout(t, e) })
	t.Run("host API server restarted", func(t *testing.T) { testHostRestart(t, e) })
	t.Run("member stopped mid-rollout", func(t *testing.T) { testMemberStopped(t, e) })
	t.Run("slow member", func(t *testing.T) { testSlowMember(t, e) })
}

// testMemberStopped stops member2 while 300 FederatedConfigMaps are being
// propagated (the moment half of the 600 copies exist, as the members'
// watches report them; the test fails when fewer than 20% or more than 80%
// existed when member2 stopped): member1 gets every copy as if nothing
// happened, and member2 catches up within availableDelay + 15 s of being
// Ready again.
func testMemberStopped(t *testing.T, e *e2eutil.Env) {
	ctx := t.Context()
	ns := federatedNamespace(t, e, "member-stopped")
	const n = 300
	copies := watchCopies(t, e, ns)
	half := copies.onTotal(int(midTrigger*2*n), func(map[string]int) {})
	created := make(chan error, 1)
	start := time.Now()
	go func() { created <- createConfigMaps(context.WithoutCancel(ctx), e, ns, "rollout", n) }()
	var atStop map[string]int
	select {
	case atStop = <-half:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s of %d copies within 2m0s: the rollout did not get halfway", copies, 2*n)
	}
	m2 := e.Fed.Cluster("member2")
	startM2 := e2eutil.StopCluster(t, m2)
	// member2's count is the last its watch reported before it stopped.
	after, err := e.CountManagedConfigMapsIn(ctx, ns, "member1")
	if err != nil {
		t.Fatal(err)
	}
	checkMidRollout(t, "stopping member2", atStop, map[string]int{"member1": after, "member2": copies.current()["member2"]}, 2*n)
	if err := <-created; err != nil {
		t.Fatal(err)
	}
	e2eutil.EventuallyEvery(t, time.Second, 2*time.Minute, func(ctx context.Context) error {
		list := &corev1.ConfigMapList{}
		if err := e.Member("member1").List(ctx, list, client.InNamespace(ns), e2eutil.Managed); err != nil {
			return err
		}
		if len(list.Items) != n {
			return fmt.Errorf("%d copies in member1", len(list.Items))
		}
		return nil
	}, "every copy in member1 while member2 is stopped")
	t.Logf("member1 got all %d copies %s after the start, with member2 stopped.", n, time.Since(start).Round(100*time.Millisecond))

	startM2()
	e.WaitClusterReady(t, "member2", corev1.ConditionTrue, 2*time.Minute)
	ready := time.Now()
	// The test KubeFedConfig's availableDelay is 1 s.
	e.WaitConfigMapsPropagated(t, ns, n, 16*time.Second)
	t.Logf("member2 converged %s after it was Ready again.", time.Since(ready).Round(100*time.Millisecond))
}

// testHostRestart stops the host's control plane (API server and etcd)
// under a running controller-manager and starts it again: without a
// restart of its own, the controller-manager propagates what was created
// before and after.
func testHostRestart(t *testing.T, e *e2eutil.Env) {
	ctx := t.Context()
	ns := federatedNamespace(t, e, "host-restart")
	const n = 50
	if err := createConfigMaps(ctx, e, ns, "before", n); err != nil {
		t.Fatal(err)
	}
	e.WaitConfigMapsPropagated(t, ns, n, 2*time.Minute)

	stopped := time.Now()
	startHost := e2eutil.StopCluster(t, e.Fed.Host)
	time.Sleep(5 * time.Second)
	startHost()
	t.Logf("Host control plane stopped for %s.", time.Since(stopped).Round(100*time.Millisecond))

	// Creating works as soon as the API server answers again.
	e2eutil.Eventually(t, 2*time.Minute, func(ctx context.Context) error {
		return e.Host.List(ctx, &corev1.NamespaceList{}, client.Limit(1))
	}, "the host API server answering again")
	back := time.Now()
	if err := createConfigMaps(ctx, e, ns, "after", n); err != nil {
		t.Fatal(err)
	}
	e.WaitConfigMapsPropagated(t, ns, 2*n, 3*time.Minute)
	t.Logf("%d FederatedConfigMaps created after the host returned propagated in %s, with no restart of the controller-manager.",
		n, time.Since(back).Round(100*time.Millisecond))
}

// testBrokenType deletes the Federated<Kind> CRD of a running type: its
// FederatedTypeConfig says so, and 200 FederatedConfigMaps created at the
// same time propagate as if nothing had happened.
func testBrokenType(t *testing.T, e *e2eutil.Env) {
	ctx := t.Context()
	federated := enableGizmos(t, e)
	ns := federatedNamespace(t, e, "broken-type")

	start := time.Now()
	if err := e.Host.Delete(ctx, federated); err != nil {
		t.Fatalf("deleting CRD %s: %v", federated.Name, err)
	}
	const n = 200
	created := make(chan error, 1)
	go func() { created <- createConfigMaps(context.WithoutCancel(ctx), e, ns, "healthy", n) }()

	e2eutil.Eventually(t, 90*time.Second, func(ctx context.Context) error {
		ftc := &fedcorev1b1.FederatedTypeConfig{}
		if err := e.Host.Get(ctx, client.ObjectKey{Namespace: e2eutil.Namespace, Name: "gizmos.example.kubefed.io"}, ftc); err != nil {
			return err
		}
		cond := meta.FindStatusCondition(ftc.Status.Conditions, fedcorev1b1.FederatedTypeConfigReady)
		if cond == nil || cond.Reason != fedcorev1b1.ReasonFederatedTypeCRDNotFound || ftc.Status.PropagationController != fedcorev1b1.ControllerStatusNotRunning {
			return fmt.Errorf("propagationController %q, Ready %+v", ftc.Status.PropagationController, cond)
		}
		return nil
	}, "the broken type reported on its FederatedTypeConfig")
	reported := time.Since(start)
	if err := <-created; err != nil {
		t.Fatal(err)
	}
	e.WaitConfigMapsPropagated(t, ns, n, 2*time.Minute)
	t.Logf("Broken type reported after %s; %d FederatedConfigMaps of a healthy type propagated to %d members in %s.",
		reported.Round(100*time.Millisecond), n, len(members), time.Since(start).Round(100*time.Millisecond))
}

// testKillMidRollout runs the controller-manager binary, kills it with
// SIGKILL while 500 FederatedConfigMaps are being propagated (the moment
// half of the 1,000 copies exist, as the members' watches report them),
// and starts it again: every object converges, with exactly one copy in
// each member. The test fails when fewer than 20% or more than 80% of the
// copies existed at the kill: that would not be mid-rollout.
func testKillMidRollout(t *testing.T, e *e2eutil.Env) {
	ctx := t.Context()
	ns := federatedNamespace(t, e, "sigkill")
	e.StopControlPlane(t)
	t.Cleanup(func() {
		// Leave the federation as Setup made it for its own cleanup.
		e.StartControlPlane(t)
	})

	first := startController(t, e, "a")
	const n = 500
	copies := watchCopies(t, e, ns)
	killed := copies.onTotal(int(midTrigger*2*n), func(map[string]int) { _ = first.Signal(syscall.SIGKILL) })
	created := make(chan error, 1)
	go func() { created <- createConfigMaps(context.WithoutCancel(ctx), e, ns, "rollout", n) }()
	var atKill map[string]int
	select {
	case atKill = <-killed:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s of %d copies within 2m0s: the rollout did not get halfway (controller log:\n%s)", copies, 2*n, first.LogTail(20))
	}
	first.WaitExit(t, 30*time.Second)
	after, err := e.CountManagedConfigMaps(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	checkMidRollout(t, "SIGKILL of the controller-manager", atKill, after, 2*n)
	if err := <-created; err != nil {
		t.Fatal(err)
	}

	restarted := time.Now()
	second := startController(t, e, "b")
	e.WaitConfigMapsPropagated(t, ns, n, 3*time.Minute)
	t.Logf("After the restart every one of %d objects converged in %s.", n, time.Since(restarted).Round(100*time.Millisecond))
	second.Stop(t)
}

// enableGizmos federates a Gizmo CRD (example.kubefed.io): the CRD in the
// host and the members, its FederatedGizmo CRD in the host and its
// FederatedTypeConfig; it waits until its sync controller runs and returns
// the FederatedGizmo CRD.
func enableGizmos(t *testing.T, e *e2eutil.Env) *apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	return e.FederateCRDType(t, "example.kubefed.io", "Gizmo", "gizmos").Federated
}

// federatedNamespace creates a namespace in the host with a
// FederatedNamespace on both members (e2eutil's FederatedNamespace), and
// dumps the federation's state for it when the test fails.
func federatedNamespace(t *testing.T, e *e2eutil.Env, prefix string) string {
	t.Helper()
	ns := e.FederatedNamespace(t, prefix, members...)
	e.DumpOnFailure(t, ns)
	return ns
}

// createConfigMaps creates n FederatedConfigMaps placed on both members,
// with 4 writers.
func createConfigMaps(ctx context.Context, e *e2eutil.Env, ns, prefix string, n int) error {
	return e.CreateFederated(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedConfigMap",
		"spec": map[string]any{
			"template":  map[string]any{"data": map[string]any{"greeting": "hello"}},
			"placement": map[string]any{"clusters": []any{map[string]any{"name": "member1"}, map[string]any{"name": "member2"}}},
		},
	}}, ns, prefix, n)
}

// startController starts bin/controller-manager against the host as the
// chart's ServiceAccount (a kubeconfig that impersonates it). It is killed
// at the end of the test when still running, and its log is printed when
// the test failed.
func startController(t *testing.T, e *e2eutil.Env, name string) *e2eutil.Process {
	t.Helper()
	return e2eutil.StartControllerManager(t, e2eutil.ProcessOptions{Name: name, Kubeconfig: e2eutil.ChartKubeconfig(t, e.Fed)})
}
