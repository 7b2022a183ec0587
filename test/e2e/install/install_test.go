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
	"maps"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

const (
	// appNS is the namespace of the federated objects.
	appNS = "install-e2e"
	// appName names the FederatedDeployment.
	appName = "web"
	// leaseDuration and retryPeriod are the leader election defaults of
	// the KubeFedConfig (the chart sets none).
	leaseDuration = 15 * time.Second
	retryPeriod   = 5 * time.Second
	// maxRetryInterval is the longest wait between two attempts of a
	// standby: client-go waits retryPeriod plus a jitter of up to 1.2
	// times retryPeriod.
	maxRetryInterval = retryPeriod + retryPeriod*12/10
	// gracefulShutdown is the controller manager's default
	// --graceful-shutdown-timeout.
	gracefulShutdown = 30 * time.Second
)

// federatedObjects are a federated namespace on every member and a
// Deployment placed on both, with an override.
var federatedObjects = e2eutil.WebAppYAML(appNS, `  placement:
    clusters:
    - name: member1
    - name: member2
  overrides:
  - clusterName: member2
    clusterOverrides:
    - path: /spec/replicas
      value: 2
`)

// TestChartInstall installs the chart, runs two controller managers with the
// chart's ServiceAccount identity and checks, in order: propagation and
// readiness, the metrics and probes, failover after a SIGKILL of the leader,
// and the handover on a SIGTERM. The steps share one federation; a failed
// step ends the test.
func TestChartInstall(t *testing.T) {
	start := time.Now()
	e := setup(t)
	e.dumpOnFailure(t)
	// Runs after the controller managers stopped (cleanups run last-in
	// first-out); their logs are kept until the end of the test.
	t.Cleanup(func() {
		if !t.Failed() {
			e.checkNoForbidden(t)
		}
	})

	a := e.startController(t, "a")
	first := e.waitLeader(t, time.Minute)
	if first != a {
		t.Fatalf("controller manager %s leads, want a (the only one)", first.Name)
	}
	e.startController(t, "b")
	joined := time.Now()
	e.join(t)
	// Joined members are Ready within 15 s of the join.
	e2eutil.Eventually(t, 15*time.Second, func(ctx context.Context) error {
		for _, m := range e.fed.Members {
			c := &fedcorev1b1.KubeFedCluster{}
			if err := e.host.Get(ctx, types.NamespacedName{Namespace: ns, Name: m.Name}, c); err != nil {
				return err
			}
			if !c.Status.IsReady() {
				return fmt.Errorf("KubeFedCluster %s not Ready: %s", m.Name, toJSON(c.Status.Conditions))
			}
		}
		return nil
	}, "both joined members Ready within 15 s of the join")
	t.Logf("both members Ready %s after the joins started", time.Since(joined).Round(100*time.Millisecond))
	e.waitControlPlane(t, 2*time.Minute)
	t.Logf("control plane ready with the chart's identity %s after start", time.Since(start).Round(100*time.Millisecond))

	e2eutil.RunSteps(t, e, []e2eutil.Step[*env]{
		{Name: "propagation with the chart's identity", Run: testPropagation},
		{Name: "metrics and probes", Run: testMetrics},
		{Name: "failover after SIGKILL of the leader", Run: testFailoverOnKill},
		{Name: "handover on SIGTERM of the leader", Run: testHandoverOnTerm},
		{Name: "the host joined into itself is Ready within 15 s", Run: testSelfJoin},
	})
}

// testPropagation creates a federated namespace and Deployment and waits
// until both members run the Deployment and the host reports it
// propagated and Ready.
func testPropagation(t *testing.T, e *env) {
	ctx := t.Context()
	if err := e.host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: appNS}}); err != nil {
		t.Fatal(err)
	}
	objs := strings.Split(federatedObjects, "\n---\n")
	for _, doc := range objs {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatal(err)
		}
		if err := e.host.Create(ctx, u); err != nil {
			t.Fatalf("creating %s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
	// The objects were created back to back on purpose: an object read
	// before its FederatedNamespace reached the cache must be reconciled
	// again when the FederatedNamespace arrives.
	e.waitMemberNamespaces(t, time.Minute)
	start := time.Now()
	e.waitDeployment(t, "nginx:1.27", 2*time.Minute)
	t.Logf("FederatedDeployment propagated and Ready in %s", time.Since(start).Round(100*time.Millisecond))
	e.checkNoForbidden(t)
}

// waitMemberNamespaces waits until the federated namespace exists, managed,
// in both members.
func (e *env) waitMemberNamespaces(t testing.TB, timeout time.Duration) {
	t.Helper()
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		for _, name := range slices.Sorted(maps.Keys(e.members)) {
			n := &corev1.Namespace{}
			if err := e.members[name].Get(ctx, types.NamespacedName{Name: appNS}, n); err != nil {
				return fmt.Errorf("namespace in %s: %w", name, err)
			}
			if n.Labels[fedcorev1b1.ManagedByKubeFedLabelKey] != fedcorev1b1.ManagedByKubeFedLabelValue {
				return fmt.Errorf("namespace in %s has no %s label: %v", name, fedcorev1b1.ManagedByKubeFedLabelKey, n.Labels)
			}
		}
		return nil
	}, "namespace %s propagated to both members", appNS)
}

// waitDeployment waits until the FederatedDeployment is propagated to both
// members with image, its Propagation and Ready conditions True for its
// current generation, and each member's copy is managed, has image and
// its replicas.
func (e *env) waitDeployment(t testing.TB, image string, timeout time.Duration) {
	t.Helper()
	want := map[string]int32{"member1": 1, "member2": 2}
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		for _, name := range slices.Sorted(maps.Keys(want)) {
			d := &appsv1.Deployment{}
			if err := e.members[name].Get(ctx, types.NamespacedName{Namespace: appNS, Name: appName}, d); err != nil {
				return fmt.Errorf("Deployment in %s: %w", name, err)
			}
			if d.Labels[fedcorev1b1.ManagedByKubeFedLabelKey] != fedcorev1b1.ManagedByKubeFedLabelValue {
				return fmt.Errorf("Deployment in %s has no %s label: %v", name, fedcorev1b1.ManagedByKubeFedLabelKey, d.Labels)
			}
			if got := d.Spec.Template.Spec.Containers[0].Image; got != image {
				return fmt.Errorf("Deployment in %s has image %s, want %s", name, got, image)
			}
			if r := d.Spec.Replicas; r == nil || *r != want[name] {
				return fmt.Errorf("Deployment in %s has %v replicas, want %d", name, r, want[name])
			}
		}
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedDeployment"))
		if err := e.host.Get(ctx, types.NamespacedName{Namespace: appNS, Name: appName}, u); err != nil {
			return err
		}
		s, err := fedtypesv1b1.GetStatus(u)
		if err != nil || s == nil {
			return fmt.Errorf("no status yet (%v)", err)
		}
		if s.ObservedGeneration != u.GetGeneration() {
			return fmt.Errorf("status.observedGeneration %d, want %d", s.ObservedGeneration, u.GetGeneration())
		}
		for _, ct := range []fedtypesv1b1.ConditionType{fedtypesv1b1.PropagationConditionType, fedtypesv1b1.WorkloadReadyConditionType} {
			if c := s.GetCondition(ct); c == nil || c.Status != corev1.ConditionTrue {
				return fmt.Errorf("condition %s is %s, want True (status.clusters %s)", ct, toJSON(c), toJSON(s.Clusters))
			}
		}
		if len(s.Clusters) != len(want) {
			return fmt.Errorf("status.clusters is %s, want both members", toJSON(s.Clusters))
		}
		return nil
	}, "FederatedDeployment %s/%s propagated to both members with %s and Ready", appNS, appName, image)
}

// setImage changes the FederatedDeployment's template image.
func (e *env) setImage(t testing.TB, image string) {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedDeployment"))
	u.SetNamespace(appNS)
	u.SetName(appName)
	patch := fmt.Sprintf(`{"spec":{"template":{"spec":{"template":{"spec":{"containers":[{"name":"web","image":%q}]}}}}}}`, image)
	if err := e.host.Patch(t.Context(), u, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		t.Fatalf("setting the image of FederatedDeployment %s/%s: %v", appNS, appName, err)
	}
}

// checkNoForbidden fails the test when a controller manager was refused a
// request: the chart's RBAC lacks a rule the controllers need.
func (e *env) checkNoForbidden(t testing.TB) {
	t.Helper()
	for _, c := range e.controllers {
		if lines := c.Grep("forbidden"); len(lines) > 0 {
			if len(lines) > 20 {
				lines = append(lines[:20], fmt.Sprintf("... and %d more", len(lines)-20))
			}
			t.Errorf("controller manager %s was refused requests with the chart's RBAC (a rule is missing in charts/kubefed):\n%s", c.Name, strings.Join(lines, "\n"))
		}
	}
}

// testMetrics scrapes the leader after the propagation: the propagation
// latency, the member cluster states and the dispatch durations per
// cluster; and checks the probes of every process.
func testMetrics(t *testing.T, e *env) {
	leader := e.waitLeader(t, 10*time.Second)
	e2eutil.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		samples, err := leader.scrape(ctx)
		if err != nil {
			return err
		}
		var problems []string
		if n := sum(samples, "kubefed_propagation_latency_seconds_count", nil); n == 0 {
			problems = append(problems, "kubefed_propagation_latency_seconds_count is 0")
		}
		if n := sum(samples, "kubefedcluster_total", map[string]string{"state": "ready"}); n != 2 {
			problems = append(problems, fmt.Sprintf(`kubefedcluster_total{state="ready"} sums to %v, want 2`, n))
		}
		for _, m := range []string{"member1", "member2"} {
			if sum(samples, "kubefedcluster_total", map[string]string{"state": "ready", "cluster": m}) != 1 {
				problems = append(problems, fmt.Sprintf(`kubefedcluster_total{state="ready",cluster=%q} is not 1`, m))
			}
			if n := sum(samples, "kubefed_dispatch_operation_duration_seconds_count", map[string]string{"cluster": m}); n == 0 {
				problems = append(problems, fmt.Sprintf(`kubefed_dispatch_operation_duration_seconds_count{cluster=%q} is 0`, m))
			}
		}
		if len(problems) > 0 {
			return errors.New(strings.Join(problems, "; "))
		}
		return nil
	}, "propagation, cluster and dispatch metrics of the leader %s", leader.Name)

	for _, c := range e.controllers {
		if !c.Running() {
			continue
		}
		for _, path := range []string{"/healthz", "/readyz"} {
			e2eutil.Eventually(t, 30*time.Second, func(ctx context.Context) error {
				code, body, err := get(ctx, c.ProbeAddr, path)
				if err != nil {
					return err
				}
				if code != http.StatusOK {
					return fmt.Errorf("HTTP %d: %s", code, body)
				}
				return nil
			}, "%s of controller manager %s answers 200", path, c.Name)
		}
	}
}

// testFailoverOnKill kills the leader with SIGKILL: the standby takes the
// Lease over once it expired, and a change made afterwards propagates.
func testFailoverOnKill(t *testing.T, e *env) {
	leader := e.waitLeader(t, 10*time.Second)
	holder, err := e.leaseHolder(t.Context())
	if err != nil || holder == "" {
		t.Fatalf("Lease %s/%s has no holder (%v)", ns, leaseName, err)
	}
	killed := time.Now()
	leader.signal(t, syscall.SIGKILL)
	leader.WaitExit(t, 10*time.Second)

	// A standby counts the lease duration from when it saw the last
	// renewal, which is up to one retry interval after the renewal, and
	// takes over at its first retry after that: at most leaseDuration plus
	// two retry intervals after the kill.
	newHolder := e.waitHolderChange(t, holder, leaseDuration+2*maxRetryInterval+5*time.Second)
	failover := time.Since(killed)
	next := e.waitLeader(t, 10*time.Second)
	t.Logf("failover after SIGKILL: controller manager %s holds the Lease (%s) %s after %s was killed (lease duration %s, retry period %s, with jitter up to %s)",
		next.Name, newHolder, failover.Round(10*time.Millisecond), leader.Name, leaseDuration, retryPeriod, maxRetryInterval)

	changed := time.Now()
	e.setImage(t, "nginx:1.28")
	e.waitDeployment(t, "nginx:1.28", 2*time.Minute)
	t.Logf("a change made after the failover propagated in %s", time.Since(changed).Round(100*time.Millisecond))
}

// testHandoverOnTerm starts a new standby, then stops the leader with
// SIGTERM: it exits with status 0 within the graceful shutdown timeout and
// releases the Lease, so that the standby takes over at its next retry
// instead of after the lease expired.
func testHandoverOnTerm(t *testing.T, e *env) {
	leader := e.waitLeader(t, 10*time.Second)
	standby := e.startController(t, "c")
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		code, body, err := get(ctx, standby.ProbeAddr, "/readyz")
		if err != nil {
			return err
		}
		if code != http.StatusOK {
			return fmt.Errorf("HTTP %d: %s", code, body)
		}
		return nil
	}, "standby controller manager %s ready", standby.Name)
	holder, err := e.leaseHolder(t.Context())
	if err != nil || holder == "" {
		t.Fatalf("Lease %s/%s has no holder (%v)", ns, leaseName, err)
	}

	stopped := time.Now()
	leader.signal(t, syscall.SIGTERM)
	state := leader.WaitExit(t, gracefulShutdown+10*time.Second)
	exit := time.Since(stopped)
	if state.ExitCode() != 0 {
		t.Errorf("controller manager %s exited with %s after SIGTERM, want exit status 0", leader.Name, state)
	}
	// Released, not left to expire: the holder is empty as soon as the
	// process is gone (unless the standby was quicker).
	if h, err := e.leaseHolder(t.Context()); err != nil {
		t.Fatal(err)
	} else if h == holder {
		t.Errorf("controller manager %s exited without releasing the Lease: its holder is still %s", leader.Name, h)
	}
	// The standby takes over at its next retry, well before the lease
	// duration.
	newHolder := e.waitHolderChange(t, holder, maxRetryInterval+3*time.Second)
	handover := time.Since(stopped)
	if next := e.waitLeader(t, 10*time.Second); next != standby {
		t.Fatalf("controller manager %s leads, want the standby %s", next.Name, standby.Name)
	}
	t.Logf("handover on SIGTERM: %s exited (%s) %s after the signal; %s holds the Lease (%s) %s after the signal (retry period %s, with jitter up to %s)",
		leader.Name, state, exit.Round(10*time.Millisecond), standby.Name, newHolder, handover.Round(10*time.Millisecond), retryPeriod, maxRetryInterval)

	changed := time.Now()
	e.setImage(t, "nginx:1.29")
	e.waitDeployment(t, "nginx:1.29", 2*time.Minute)
	t.Logf("a change made after the handover propagated in %s", time.Since(changed).Round(100*time.Millisecond))
}

// waitHolderChange waits until the Lease names a holder other than old (an
// empty holder, a released Lease, does not count) and returns it.
func (e *env) waitHolderChange(t testing.TB, old string, timeout time.Duration) string {
	t.Helper()
	var holder string
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		var err error
		if holder, err = e.leaseHolder(ctx); err != nil {
			return err
		}
		if holder == "" || holder == old {
			return fmt.Errorf("the Lease holder is %q", holder)
		}
		return nil
	}, "Lease %s/%s taken over from %s", ns, leaseName, old)
	return holder
}

// waitLeader waits until exactly one running controller manager reports
// itself leader and the Lease has a holder, and returns that process.
func (e *env) waitLeader(t testing.TB, timeout time.Duration) *controller {
	t.Helper()
	var leader *controller
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		leader = nil
		var leaders []string
		for _, c := range e.controllers {
			if !c.Running() {
				continue
			}
			ok, err := c.isLeader(ctx)
			if err != nil {
				return fmt.Errorf("controller manager %s: %w", c.Name, err)
			}
			if ok {
				leader = c
				leaders = append(leaders, c.Name)
			}
		}
		if len(leaders) != 1 {
			return fmt.Errorf("controller managers reporting leadership: %v", leaders)
		}
		if holder, err := e.leaseHolder(ctx); err != nil || holder == "" {
			return fmt.Errorf("the Lease has no holder (%v)", err)
		}
		return nil
	}, "one controller manager leading")
	return leader
}

// testSelfJoin joins the host cluster into itself, as KubeFed users
// routinely did, with the controller running: its KubeFedCluster must be
// Ready within 15 s of the join. It is unjoined again afterwards.
func testSelfJoin(t *testing.T, e *env) {
	// The controllers of the earlier steps are gone with their subtests.
	e.startController(t, "d")
	e.waitLeader(t, time.Minute)
	start := time.Now()
	out := e2eutil.Kubefedctl(t, e.fed, "join", hostName, "--cluster-context", hostName)
	if !strings.Contains(strings.ToLower(out), "joined") {
		t.Fatalf("kubefedctl join %s printed no confirmation:\n%s", hostName, out)
	}
	e2eutil.Eventually(t, 15*time.Second, func(ctx context.Context) error {
		c := &fedcorev1b1.KubeFedCluster{}
		if err := e.host.Get(ctx, types.NamespacedName{Namespace: ns, Name: hostName}, c); err != nil {
			return err
		}
		if !c.Status.IsReady() {
			return fmt.Errorf("KubeFedCluster %s not Ready: %s", hostName, toJSON(c.Status.Conditions))
		}
		return nil
	}, "KubeFedCluster %s Ready within 15 s of the join", hostName)
	t.Logf("the host joined into itself was Ready %s after the join started", time.Since(start).Round(100*time.Millisecond))
	e2eutil.Kubefedctl(t, e.fed, "unjoin", hostName, "--cluster-context", hostName)
	e2eutil.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		err := e.host.Get(ctx, types.NamespacedName{Namespace: ns, Name: hostName}, &fedcorev1b1.KubeFedCluster{})
		if err == nil {
			return fmt.Errorf("KubeFedCluster %s still exists", hostName)
		}
		return client.IgnoreNotFound(err)
	}, "KubeFedCluster %s removed by unjoin", hostName)
}
