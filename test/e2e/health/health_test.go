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
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

// Settings of TestHealth: short, so that the test is quick.
const (
	period           = 2 * time.Second
	timeout          = time.Second
	failureThreshold = 3
	// margin covers the poll interval of the test and the time to write
	// and read the status.
	margin = 3 * time.Second
)

// TestHealth registers two members and a third KubeFedCluster that reaches
// member2 through a proxy slower than the probe timeout, then stops and
// starts member1 and breaks and repairs its Secret, checking the timing of
// every transition, that member2 stays Ready throughout with (almost) no
// status writes, and that the connections follow health.
func TestHealth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &fedcorev1b1.ClusterHealthCheckConfig{
		Period:           &metav1.Duration{Duration: period},
		Timeout:          &metav1.Duration{Duration: timeout},
		FailureThreshold: ptrTo[int64](failureThreshold),
		SuccessThreshold: ptrTo[int64](1),
	})
	ctx := t.Context()
	m1, m2 := e.fed.Members[0], e.fed.Members[1]
	labelNode(t, m1, "zone-a", "region-1")

	start := time.Now()
	e.register(t, m1, "member1", "")
	e.register(t, m2, "member2", "")
	e.register(t, m2, "slow", slowProxy(t, m2.Endpoint(), 3*timeout))
	for _, name := range []string{"member1", "member2"} {
		e.waitCondition(t, name, fedcorev1b1.ClusterReady, corev1.ConditionTrue, 15*time.Second-time.Since(start))
	}
	t.Logf("members Ready %s after registration", time.Since(start).Round(100*time.Millisecond))
	e.waitCondition(t, "slow", fedcorev1b1.ClusterOffline, corev1.ConditionTrue, 15*time.Second)

	t.Run("status of a Ready member", func(t *testing.T) {
		testenv.Eventually(t, 10*time.Second, func(context.Context) error {
			kfc, err := e.cluster(ctx, "member1")
			if err != nil {
				return err
			}
			if !strings.HasPrefix(kfc.Status.KubernetesVersion, "v1.") || !slices.Equal(kfc.Status.Zones, []string{"zone-a"}) ||
				kfc.Status.Region == nil || *kfc.Status.Region != "region-1" {
				return fmt.Errorf("status %+v", kfc.Status)
			}
			return nil
		}, "version, zones and region of member1")
		if got := e.cache.ReadyClusters(); !slices.Equal(got, []string{"member1", "member2"}) {
			t.Fatalf("ReadyClusters = %v, want member1 and member2", got)
		}
		if v := gauge(t, "kubefedcluster_total", "member2", "ready"); v != 1 {
			t.Errorf("kubefedcluster_total{cluster=member2,state=ready} = %v, want 1", v)
		}
		if v := gauge(t, "kubefedcluster_total", "slow", "offline"); v != 1 {
			t.Errorf("kubefedcluster_total{cluster=slow,state=offline} = %v, want 1", v)
		}
	})

	// From here on member2 must stay Ready, and its status must not be
	// rewritten on every probe.
	watchStart := time.Now()
	mon := e.monitor(t, "member2", "member1")

	t.Run("a stopped member goes Offline, the others stay Ready", func(t *testing.T) {
		must(t, m1.Stop(ctx))
		bound := period*failureThreshold + timeout + margin
		took := e.waitCondition(t, "member1", fedcorev1b1.ClusterOffline, corev1.ConditionTrue, bound)
		t.Logf("member1 Offline %s after it stopped (bound %s)", took.Round(100*time.Millisecond), bound)
		if status, _, _ := e.condition(ctx, "member1", fedcorev1b1.ClusterReady); status != corev1.ConditionUnknown {
			t.Errorf("Ready of an Offline cluster = %q, want Unknown", status)
		}
		testenv.Eventually(t, 5*time.Second, func(context.Context) error { return e.conns.Has("member1", false) }, "disconnected")
		if _, err := e.cache.GetClient(ctx, "member1"); !errors.Is(err, clustercache.ErrClusterNotConnected) {
			t.Errorf("GetClient of an Offline cluster: %v, want ErrClusterNotConnected", err)
		}
	})

	t.Run("a started member is Ready again", func(t *testing.T) {
		must(t, m1.Start(ctx))
		took := e.waitCondition(t, "member1", fedcorev1b1.ClusterReady, corev1.ConditionTrue, period+timeout+margin)
		t.Logf("member1 Ready %s after it started", took.Round(100*time.Millisecond))
		testenv.Eventually(t, 5*time.Second, func(context.Context) error {
			_, err := e.cache.GetClient(ctx, "member1")
			return err
		}, "connected")
	})

	t.Run("a deleted Secret makes only its cluster ConfigMalformed", func(t *testing.T) {
		must(t, e.host.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "member1-secret"}}))
		e.waitCondition(t, "member1", fedcorev1b1.ClusterConfigMalformed, corev1.ConditionTrue, 10*time.Second)
		_, msg, err := e.condition(ctx, "member1", fedcorev1b1.ClusterConfigMalformed)
		must(t, err)
		if !strings.Contains(msg, "Secret "+ns+"/member1-secret not found") {
			t.Errorf("ConfigMalformed message %q does not name the Secret", msg)
		}
		if _, err := e.cache.GetClient(ctx, "member1"); !errors.Is(err, clustercache.ErrClusterNotConnected) {
			t.Errorf("GetClient of a ConfigMalformed cluster: %v, want ErrClusterNotConnected", err)
		}
		c2, err := e.cache.GetClient(ctx, "member2")
		must(t, err)
		if err := c2.List(ctx, &corev1.NamespaceList{}); err != nil {
			t.Errorf("member2's connection stopped serving: %v", err)
		}
	})

	t.Run("a rotated token makes the cluster Ready and connected again", func(t *testing.T) {
		token := memberToken(t, m1, "token-b")
		// Revoke the old token: only a rebuilt connection works from now on.
		mc, err := client.New(m1.Config, client.Options{Scheme: scheme})
		must(t, err)
		must(t, mc.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: memberNS, Name: memberTokenOne}}))
		must(t, e.host.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "member1-secret"},
			Data:       map[string][]byte{fedcorev1b1.ClusterSecretTokenKey: []byte(token)},
		}))
		e.waitCondition(t, "member1", fedcorev1b1.ClusterReady, corev1.ConditionTrue, 10*time.Second)
		if status, _, _ := e.condition(ctx, "member1", fedcorev1b1.ClusterConfigMalformed); status != "" {
			t.Errorf("ConfigMalformed is still present (%q) on a Ready cluster", status)
		}
		testenv.Eventually(t, 10*time.Second, func(context.Context) error {
			c, err := e.cache.GetClient(ctx, "member1")
			if err != nil {
				return err
			}
			return c.List(ctx, &corev1.NamespaceList{})
		}, "member1 served with the rotated token")
	})

	t.Run("a healthy member's status is not rewritten every period", func(t *testing.T) {
		if rest := 60*time.Second - time.Since(watchStart); rest > 0 {
			time.Sleep(rest)
		}
		writes, notReady := mon.finish(t)
		t.Logf("member2: %d writes in %s with period %s", writes, time.Since(watchStart).Round(time.Second), period)
		if writes > 2 {
			t.Errorf("member2's KubeFedCluster was written %d times in %s; want at most a few", writes, time.Since(watchStart).Round(time.Second))
		}
		if len(notReady) > 0 {
			t.Errorf("member2 was not Ready while member1 was stopped or broken:\n%s", strings.Join(notReady, "\n"))
		}
	})

	t.Run("a deleted KubeFedCluster is forgotten", func(t *testing.T) {
		must(t, e.host.Delete(ctx, &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "member1"}}))
		testenv.Eventually(t, 10*time.Second, func(context.Context) error {
			if slices.Contains(e.cache.ReadyClusters(), "member1") {
				return fmt.Errorf("still connected")
			}
			if gauge(t, "kubefedcluster_total", "member1", "ready") >= 0 {
				return fmt.Errorf("metric series still present")
			}
			return nil
		}, "member1 disconnected and its metrics dropped")
	})
}

// TestHealthDefaults checks the default settings (no KubeFedConfig):
// period 10s, failureThreshold 3, timeout 3s.
func TestHealthDefaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	m1, m2 := e.fed.Members[0], e.fed.Members[1]
	start := time.Now()
	e.register(t, m1, "d-member1", "")
	e.register(t, m2, "d-member2", "")
	for _, name := range []string{"d-member1", "d-member2"} {
		e.waitCondition(t, name, fedcorev1b1.ClusterReady, corev1.ConditionTrue, 15*time.Second-time.Since(start))
	}
	mon := e.monitor(t, "d-member2", "d-member1")
	must(t, m1.Stop(ctx))
	bound := 10*time.Second*3 + 3*time.Second + margin
	took := e.waitCondition(t, "d-member1", fedcorev1b1.ClusterOffline, corev1.ConditionTrue, bound)
	t.Logf("d-member1 Offline %s after it stopped (bound %s)", took.Round(100*time.Millisecond), bound)
	must(t, m1.Start(ctx))
	e.waitCondition(t, "d-member1", fedcorev1b1.ClusterReady, corev1.ConditionTrue, 10*time.Second+3*time.Second+margin)
	if _, notReady := mon.finish(t); len(notReady) > 0 {
		t.Errorf("d-member2 was not Ready while d-member1 was stopped:\n%s", strings.Join(notReady, "\n"))
	}
}

// labelNode puts zone and region labels on the member's nodes.
func labelNode(t *testing.T, member *framework.Cluster, zone, region string) {
	t.Helper()
	c, err := client.New(member.Config, client.Options{Scheme: scheme})
	must(t, err)
	nodes := &corev1.NodeList{}
	must(t, c.List(t.Context(), nodes))
	if len(nodes.Items) == 0 {
		t.Fatalf("member %s has no nodes", member.Name)
	}
	for i := range nodes.Items {
		n := &nodes.Items[i]
		patch := client.MergeFrom(n.DeepCopy())
		if n.Labels == nil {
			n.Labels = map[string]string{}
		}
		n.Labels[corev1.LabelTopologyZone] = zone
		n.Labels[corev1.LabelTopologyRegion] = region
		must(t, c.Patch(t.Context(), n, patch))
	}
}

// gauge returns the value of a gauge series with the given cluster and
// state labels, or -1 when the series does not exist.
func gauge(t *testing.T, name, cluster, state string) float64 {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	must(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if label(m, "cluster") == cluster && label(m, "state") == state {
				return m.GetGauge().GetValue()
			}
		}
	}
	return -1
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func ptrTo[T any](v T) *T { return &v }
