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

package health_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

// Settings of TestHealth: short, so that the test is quick. They are set
// as a user sets them, through the chart's values.
const (
	period           = 2 * time.Second
	timeout          = time.Second
	failureThreshold = 3
	// margin covers the poll interval of the test and the time to write
	// and read the status.
	margin = 3 * time.Second
)

// TestHealth installs the chart with short health checks, joins two
// members with kubefedctl and registers a third KubeFedCluster that reaches
// member2 through a proxy slower than the probe timeout, then stops and
// starts member1 and breaks and repairs its Secret, checking the timing of
// every transition, that member2 stays Ready throughout with (almost) no
// status writes, and that the control plane's member connections follow
// health. The control plane runs as the chart's ServiceAccount.
func TestHealth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, framework.MemberNames(2),
		"controllermanager.clusterHealthCheckPeriod="+period.String(),
		"controllermanager.clusterHealthCheckTimeout="+timeout.String(),
		fmt.Sprintf("controllermanager.clusterHealthCheckFailureThreshold=%d", failureThreshold),
		"controllermanager.clusterHealthCheckSuccessThreshold=1",
		// The sync controllers react to a member's return at once.
		"controllermanager.clusterAvailableDelay=1s",
		"controllermanager.clusterUnavailableDelay=1s")
	checkHealthConfig(t, e, period, timeout, failureThreshold, 1)
	ctx := t.Context()
	m1, m2 := e.Fed.Members[0], e.Fed.Members[1]
	labelNode(t, e.Member("member1"), "zone-a", "region-1")

	start := time.Now()
	e.join(t)
	e.registerBy(t, "slow", "member2", slowProxy(t, m2.Endpoint(), 3*timeout))
	for _, name := range []string{"member1", "member2"} {
		e.waitCondition(t, name, fedcorev1b1.ClusterReady, corev1.ConditionTrue, 15*time.Second-time.Since(start))
	}
	t.Logf("members Ready %s after joining", time.Since(start).Round(100*time.Millisecond))
	e.waitCondition(t, "slow", fedcorev1b1.ClusterOffline, corev1.ConditionTrue, 15*time.Second)
	member1Secret := e.secretName(t, "member1")
	// Objects propagated later show that a member connection serves.
	fedNS := e.FederatedNamespace(t, "health", "member1", "member2")
	h := &healthRun{e: e, ctx: ctx, m1: m1, member1Secret: member1Secret, fedNS: fedNS}

	t.Run("status of a Ready member", func(t *testing.T) { testReadyMemberStatus(t, h) })

	// From here on member2 must stay Ready, and its status must not be
	// rewritten on every probe.
	h.watchStart = time.Now()
	h.mon = e.monitor(t, "member2", "member1")

	t.Run("a stopped member goes Offline, the others stay Ready", func(t *testing.T) { testStoppedMember(t, h) })
	t.Run("a started member is Ready again", func(t *testing.T) { testStartedMember(t, h) })
	t.Run("a deleted Secret makes only its cluster ConfigMalformed", func(t *testing.T) { testDeletedSecret(t, h) })
	t.Run("a rotated token makes the cluster Ready and connected again", func(t *testing.T) { testRotatedToken(t, h) })
	t.Run("a healthy member's status is not rewritten every period", func(t *testing.T) { testNoRewrites(t, h) })
	t.Run("a deleted KubeFedCluster is forgotten", func(t *testing.T) { testDeletedCluster(t, h) })
}

// healthRun is what the steps of TestHealth share.
type healthRun struct {
	e   *env
	ctx context.Context
	m1  *framework.Cluster
	// member1Secret is the host Secret of member1's KubeFedCluster.
	member1Secret string
	// fedNS is a federated namespace on both members.
	fedNS string
	// watchStart is when mon started watching member2.
	watchStart time.Time
	mon        *readyMonitor
}

// testReadyMemberStatus checks the version, zones and region of a Ready
// member, the connected clusters and the cluster metrics.
func testReadyMemberStatus(t *testing.T, h *healthRun) {
	e2eutil.Eventually(t, 10*time.Second, func(context.Context) error {
		kfc, err := h.e.cluster(h.ctx, "member1")
		if err != nil {
			return err
		}
		if !strings.HasPrefix(kfc.Status.KubernetesVersion, "v1.") || !slices.Equal(kfc.Status.Zones, []string{"zone-a"}) ||
			kfc.Status.Region == nil || *kfc.Status.Region != "region-1" {
			return fmt.Errorf("status %+v", kfc.Status)
		}
		return nil
	}, "version, zones and region of member1")
	if got := connected(t, "member1", "member2", "slow"); !slices.Equal(got, []string{"member1", "member2"}) {
		t.Fatalf("connected clusters = %v, want member1 and member2", got)
	}
	if v := gauge(t, "kubefedcluster_total", map[string]string{"cluster": "member2", "state": "ready"}); v != 1 {
		t.Errorf("kubefedcluster_total{cluster=member2,state=ready} = %v, want 1", v)
	}
	if v := gauge(t, "kubefedcluster_total", map[string]string{"cluster": "slow", "state": "offline"}); v != 1 {
		t.Errorf("kubefedcluster_total{cluster=slow,state=offline} = %v, want 1", v)
	}
}

// testStoppedMember stops member1: it goes Offline within the bound, its
// Ready is Unknown and it is disconnected.
func testStoppedMember(t *testing.T, h *healthRun) {
	must(t, h.m1.Stop(h.ctx))
	bound := period*failureThreshold + timeout + margin
	took := h.e.waitCondition(t, "member1", fedcorev1b1.ClusterOffline, corev1.ConditionTrue, bound)
	t.Logf("member1 Offline %s after it stopped (bound %s)", took.Round(100*time.Millisecond), bound)
	if status, _, _ := h.e.condition(h.ctx, "member1", fedcorev1b1.ClusterReady); status != corev1.ConditionUnknown {
		t.Errorf("Ready of an Offline cluster = %q, want Unknown", status)
	}
	waitConnected(t, "member1", false, 5*time.Second)
}

// testStartedMember starts member1 again: it is Ready and connected.
func testStartedMember(t *testing.T, h *healthRun) {
	must(t, h.m1.Start(h.ctx))
	took := h.e.waitCondition(t, "member1", fedcorev1b1.ClusterReady, corev1.ConditionTrue, period+timeout+margin)
	t.Logf("member1 Ready %s after it started", took.Round(100*time.Millisecond))
	waitConnected(t, "member1", true, 5*time.Second)
}

// testDeletedSecret deletes member1's Secret: only member1 is
// ConfigMalformed and disconnected; member2's connection still serves.
func testDeletedSecret(t *testing.T, h *healthRun) {
	must(t, h.e.Host.Delete(h.ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: h.member1Secret}}))
	h.e.waitCondition(t, "member1", fedcorev1b1.ClusterConfigMalformed, corev1.ConditionTrue, 10*time.Second)
	_, msg, err := h.e.condition(h.ctx, "member1", fedcorev1b1.ClusterConfigMalformed)
	must(t, err)
	if !strings.Contains(msg, "Secret "+ns+"/"+h.member1Secret+" not found") {
		t.Errorf("ConfigMalformed message %q does not name the Secret", msg)
	}
	if got := connected(t, "member1"); len(got) > 0 {
		t.Errorf("a ConfigMalformed cluster is still connected")
	}
	if got := connected(t, "member2"); len(got) == 0 {
		t.Errorf("member2 was disconnected with member1")
	}
	// member2's connection still serves: the control plane writes
	// through it.
	h.e.federatedConfigMap(t, h.fedNS, "to-member2", "member2", 30*time.Second)
}

// testRotatedToken gives member1 a new token and revokes the old one:
// member1 is Ready and connected again.
func testRotatedToken(t *testing.T, h *healthRun) {
	token := h.e.newMemberToken(t, "member1", h.e.joinedServiceAccount("member1")+"-rotated")
	// Revoke the token join made: only a rebuilt connection works
	// from now on.
	must(t, h.e.Member("member1").Delete(h.ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{
		Namespace: ns, Name: kubefedctl.TokenSecretName("member1", h.e.Fed.Host.Name)}}))
	must(t, h.e.Host.Create(h.ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: h.member1Secret},
		Data:       map[string][]byte{fedcorev1b1.ClusterSecretTokenKey: []byte(token)},
	}))
	h.e.waitCondition(t, "member1", fedcorev1b1.ClusterReady, corev1.ConditionTrue, 10*time.Second)
	if status, _, _ := h.e.condition(h.ctx, "member1", fedcorev1b1.ClusterConfigMalformed); status != "" {
		t.Errorf("ConfigMalformed is still present (%q) on a Ready cluster", status)
	}
	waitConnected(t, "member1", true, 10*time.Second)
	h.e.federatedConfigMap(t, h.fedNS, "to-member1", "member1", 30*time.Second)
}

// testNoRewrites checks that member2 stayed Ready and its status was written
// at most a few times.
func testNoRewrites(t *testing.T, h *healthRun) {
	if rest := 60*time.Second - time.Since(h.watchStart); rest > 0 {
		time.Sleep(rest)
	}
	writes, notReady := h.mon.finish(t)
	t.Logf("member2: %d writes in %s with period %s", writes, time.Since(h.watchStart).Round(time.Second), period)
	if writes > 2 {
		t.Errorf("member2's KubeFedCluster was written %d times in %s; want at most a few", writes, time.Since(h.watchStart).Round(time.Second))
	}
	if len(notReady) > 0 {
		t.Errorf("member2 was not Ready while member1 was stopped or broken:\n%s", strings.Join(notReady, "\n"))
	}
}

// testDeletedCluster deletes member1's KubeFedCluster: it is disconnected
// and its metrics dropped.
func testDeletedCluster(t *testing.T, h *healthRun) {
	must(t, h.e.Host.Delete(h.ctx, &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "member1"}}))
	e2eutil.Eventually(t, 10*time.Second, func(context.Context) error {
		if got := connected(t, "member1"); len(got) > 0 {
			return fmt.Errorf("still connected")
		}
		if gauge(t, "kubefedcluster_total", map[string]string{"cluster": "member1", "state": "ready"}) >= 0 {
			return fmt.Errorf("metric series still present")
		}
		return nil
	}, "member1 disconnected and its metrics dropped")
}

// TestHealthDefaults checks the chart's default settings, which are
// KubeFed's (values.yaml and the KubeFedConfig API): period 10s,
// failureThreshold 3, successThreshold 1, timeout 3s.
func TestHealthDefaults(t *testing.T) {
	t.Parallel()
	// Names of their own: the control planes of both tests publish their
	// metrics in this process.
	e := newEnv(t, []string{"d-member1", "d-member2"})
	checkHealthConfig(t, e, 10*time.Second, 3*time.Second, 3, 1)
	m1 := e.Fed.Members[0]
	start := time.Now()
	e.join(t)
	for _, name := range []string{"d-member1", "d-member2"} {
		e.waitCondition(t, name, fedcorev1b1.ClusterReady, corev1.ConditionTrue, 15*time.Second-time.Since(start))
	}
	mon := e.monitor(t, "d-member2", "d-member1")
	startM1 := e2eutil.StopCluster(t, m1)
	bound := 10*time.Second*3 + 3*time.Second + margin
	took := e.waitCondition(t, "d-member1", fedcorev1b1.ClusterOffline, corev1.ConditionTrue, bound)
	t.Logf("d-member1 Offline %s after it stopped (bound %s)", took.Round(100*time.Millisecond), bound)
	startM1()
	e.waitCondition(t, "d-member1", fedcorev1b1.ClusterReady, corev1.ConditionTrue, 10*time.Second+3*time.Second+margin)
	if _, notReady := mon.finish(t); len(notReady) > 0 {
		t.Errorf("d-member2 was not Ready while d-member1 was stopped:\n%s", strings.Join(notReady, "\n"))
	}
}

// labelNode puts zone and region labels on the member's nodes.
func labelNode(t *testing.T, member client.Client, zone, region string) {
	t.Helper()
	nodes := &corev1.NodeList{}
	must(t, member.List(t.Context(), nodes))
	if len(nodes.Items) == 0 {
		t.Fatal("the member has no nodes")
	}
	for i := range nodes.Items {
		n := &nodes.Items[i]
		patch := client.MergeFrom(n.DeepCopy())
		if n.Labels == nil {
			n.Labels = map[string]string{}
		}
		n.Labels[corev1.LabelTopologyZone] = zone
		n.Labels[corev1.LabelTopologyRegion] = region
		must(t, member.Patch(t.Context(), n, patch))
	}
}

// checkHealthConfig fails the test unless the host's KubeFedConfig holds
// the given health check settings.
func checkHealthConfig(t *testing.T, e *env, period, timeout time.Duration, failureThreshold, successThreshold int64) {
	t.Helper()
	cfg := &fedcorev1b1.KubeFedConfig{}
	must(t, e.Host.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: fedcorev1b1.KubeFedConfigName}, cfg))
	hc := cfg.Spec.ClusterHealthCheck
	want := fmt.Sprintf("period %s, timeout %s, failureThreshold %d, successThreshold %d", period, timeout, failureThreshold, successThreshold)
	if hc == nil || hc.Period == nil || hc.Timeout == nil || hc.FailureThreshold == nil || hc.SuccessThreshold == nil {
		t.Fatalf("KubeFedConfig clusterHealthCheck is %+v, want %s", hc, want)
	}
	got := fmt.Sprintf("period %s, timeout %s, failureThreshold %d, successThreshold %d", hc.Period.Duration, hc.Timeout.Duration, *hc.FailureThreshold, *hc.SuccessThreshold)
	if got != want {
		t.Fatalf("KubeFedConfig clusterHealthCheck: %s, want %s", got, want)
	}
}

// waitConnected waits until the control plane has (want) or has not a
// connection to cluster.
func waitConnected(t *testing.T, cluster string, want bool, within time.Duration) {
	t.Helper()
	what := cluster + " connected"
	if !want {
		what = cluster + " disconnected"
	}
	e2eutil.Eventually(t, within, func(context.Context) error {
		got := connected(t, cluster)
		switch {
		case want && len(got) == 0:
			return fmt.Errorf("not connected")
		case !want && len(got) > 0:
			return fmt.Errorf("still connected")
		}
		return nil
	}, "%s", what)
}
