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
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// waitStatus runs kubefedctl status with args until it exits with code and
// prints want, and returns what it printed last; what says what is waited
// for.
func (e *chartEnv) waitStatus(t *testing.T, timeout time.Duration, what string, code int, want string, args ...string) string {
	t.Helper()
	var out string
	e2eutil.Eventually(t, timeout, func(context.Context) error {
		var got int
		out, got = e.kubefedctlErr(t, append([]string{"status"}, args...)...)
		if got != code || !strings.Contains(out, want) {
			return fmt.Errorf("exit %d:\n%s", got, out)
		}
		return nil
	}, "%s", what)
	return out
}

// testStatus shows a healthy workload, a cluster where the override
// fails and an Offline cluster.
func testStatus(t *testing.T, e *chartEnv) {
	ctx := t.Context()
	// Healthy: every row Propagated, the workload columns filled, exit 0.
	out := e.waitStatus(t, 90*time.Second, "status of the healthy FederatedDeployment exits 0 with 4/4 replicas ready", 0, "replicas 4/4 ready",
		"deployments", "web", "-n", fedAppNS)
	contains(t, out, "CLUSTER", "DESIRED", "member1", "member2", "Ready", "Propagated", "gen:", "Propagation=True", "2/2 clusters propagated")

	// A failed cluster: an override that cannot apply to member2.
	manifest := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedConfigMap", "metadata": {"name": "broken", "namespace": "` + fedAppNS + `"},
		"spec": {"template": {"data": {"k": "v"}}, "placement": {"clusterSelector": {}},
		"overrides": [{"clusterName": "member2", "clusterOverrides": [{"op": "remove", "path": "/data/missing/deeper"}]}]}}`
	kubefedctltest.MustCreate(t, e.host, manifest)
	out = e.waitStatus(t, time.Minute, "status of a FederatedConfigMap failing in member2 exits 2 naming ApplyOverridesFailed", 2, "ApplyOverridesFailed",
		"FederatedConfigMap", "broken", "-n", fedAppNS, "-o", "wide")
	contains(t, out, "member1  Ready", "NotPropagated", "is not propagated to member2 (ApplyOverridesFailed)")

	// An Offline cluster.
	member2 := e.fed.Cluster("member2")
	if err := member2.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = member2.Start(ctx)
	})
	out = e.waitStatus(t, 90*time.Second, "status of the FederatedDeployment with member2 stopped exits 2 naming ClusterNotReady", 2, "ClusterNotReady",
		"fdeploy", "web", "-n", fedAppNS)
	if !strings.Contains(out, "Offline") && !strings.Contains(out, "NotReady") {
		t.Errorf("member2's health is not shown as Offline or NotReady:\n%s", out)
	}
}

// testSelfJoinedHost joins the host into itself, as KubeFed's docs do, and
// places a FederatedWidget there: the controller writes the host's own
// Widgets with the joined ServiceAccount's rights, not the chart's.
func testSelfJoinedHost(t *testing.T, e *chartEnv) {
	e.kubefedctl(t, "join", "host", "--cluster-context", "host")
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		kfc := &fedcorev1b1.KubeFedCluster{}
		if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: "host"}, kfc); err != nil {
			return err
		}
		if h := kubefedctl.ClusterHealth(kfc); h != kubefedctl.HealthReady {
			return fmt.Errorf("KubeFedCluster host is %s", h)
		}
		return nil
	}, "the host joined into itself Ready")
	manifest := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedWidget", "metadata": {"name": "at-home", "namespace": "` + appNS + `"},
		"spec": {"template": {"spec": {"size": 9}}, "placement": {"clusters": [{"name": "host"}]}}}`
	kubefedctltest.MustCreate(t, e.host, manifest)
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		w := widget(t, e.host, "at-home")
		if w == nil {
			return fmt.Errorf("no Widget %s/at-home in the host", appNS)
		}
		if size, _, _ := unstructured.NestedInt64(w.Object, "spec", "size"); size != 9 {
			return fmt.Errorf("size %d", size)
		}
		return nil
	}, "the Widget of a FederatedWidget placed on the host itself")
	// The Widget can be there before the status is written: poll.
	e.waitStatus(t, time.Minute, "status of the FederatedWidget on the host exits 0 with the host's row", 0, "host     Ready   Propagated",
		"widgets", "at-home", "-n", appNS)
}
