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

package bench

import (
	"context"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/test/framework"
)

// pollInterval is how often the harness polls: coarse enough that its own
// reads stay a small part of the API servers' load. Latencies are timed
// with watches instead.
const pollInterval = 250 * time.Millisecond

// The controller-manager's logs, when it runs in this process, would drown
// the results.
func init() { ctrl.SetLogger(zap.New(zap.WriteTo(io.Discard))) }

// envInt returns the integer in the environment variable name, or def.
func envInt(tb testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		tb.Fatalf("%s=%q: want a non-negative integer", name, v)
	}
	return n
}

// snapshot holds the request counts of every running cluster of a
// federation, by cluster name.
type snapshot map[string]framework.RequestCounts

func takeSnapshot(tb testing.TB, ctx context.Context, fed *framework.Federation) snapshot {
	tb.Helper()
	out := snapshot{}
	for _, c := range fed.Clusters() {
		counts, err := c.RequestCounts(ctx)
		if err != nil && !c.Ready(ctx) {
			continue // a stopped member: nothing to count there
		}
		if err != nil {
			tb.Fatalf("reading the request counts of %s: %v", c.Name, err)
		}
		out[c.Name] = counts
	}
	return out
}

// sub returns the requests made between before and s, by cluster.
func (s snapshot) sub(before snapshot) snapshot {
	out := snapshot{}
	for name, counts := range s {
		if _, ok := before[name]; !ok {
			continue // it was stopped at the start
		}
		out[name] = counts.Sub(before[name])
	}
	return out
}

// writesBy splits the writes of a diff into kubefed's on the host (minus
// the caller's own, see framework.IsKubefedHostRequest) and kubefed's on
// each member: writes to the federated target resources there, their
// status subresource excepted.
func (s snapshot) writesBy(fed *framework.Federation, own framework.RequestCounts, targets ...string) (host framework.RequestCounts, members map[string]framework.RequestCounts) {
	host = s[fed.Host.Name].Writes().Filter(framework.IsKubefedHostRequest).ExcludeOwn(own)
	members = map[string]framework.RequestCounts{}
	for _, m := range fed.Members {
		// The status of member objects is their controllers' (a
		// Deployment's is kube-controller-manager's), never kubefed's.
		members[m.Name] = s[m.Name].Writes().Filter(framework.ForResources(targets...)).
			Filter(func(k framework.RequestKey) bool { return k.Subresource != "status" })
	}
	return host, members
}

// waitQuiet waits until kubefed wrote nothing to the host or to the target
// resources of any member for a whole window: the work of the last step,
// status echoes and re-reconciles included, is done.
func waitQuiet(tb testing.TB, ctx context.Context, fed *framework.Federation, window, timeout time.Duration, targets ...string) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	prev := takeSnapshot(tb, ctx, fed)
	for {
		time.Sleep(window)
		cur := takeSnapshot(tb, ctx, fed)
		host, members := cur.sub(prev).writesBy(fed, nil, targets...)
		total := host.Total()
		for _, m := range members {
			total += m.Total()
		}
		if total == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("kubefed still writing after %s: host %s; members %v", timeout, host, members)
		}
		prev = cur
	}
}

// startInProcess runs the controller-manager in this process with the
// given client rate limit (host and members; -1 for none) until the test
// ends, and waits until the members are Ready and every FTC runs.
func startInProcess(tb testing.TB, ctx context.Context, fed *framework.Federation, host client.Client, qps float32) {
	tb.Helper()
	cfg := rest.CopyConfig(fed.Host.Config)
	cfg.QPS, cfg.Burst = qps, 200
	cpCtx, stop := context.WithCancel(ctx)
	mgr, err := app.New(cpCtx, cfg, app.Options{Namespace: namespace, MetricsBindAddress: "0", HealthProbeBindAddress: "0",
		MemberQPS: qps, MemberBurst: 200, SkipControllerNameValidation: true})
	if err != nil {
		stop()
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = mgr.Start(cpCtx) }()
	tb.Cleanup(func() { stop(); <-done })
	waitFor(tb, 2*time.Minute, "members Ready and FTCs running", func() (bool, error) {
		return controlPlaneReady(ctx, host, len(fed.Members))
	})
}

// federatedNamespace creates a namespace on the host and its
// FederatedNamespace placed on every member, and waits until every member
// has it.
func federatedNamespace(tb testing.TB, ctx context.Context, host client.Client, members map[string]client.Client, ns string) {
	tb.Helper()
	mustCreate(tb, host, &corev1.Namespace{ObjectMeta: objectMeta("", ns)})
	mustCreate(tb, host, federated("FederatedNamespace", ns, ns, nil))
	waitFor(tb, time.Minute, "namespace "+ns+" propagated", func() (bool, error) {
		for _, c := range members {
			if err := c.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{}); err != nil {
				return false, client.IgnoreNotFound(err)
			}
		}
		return true, nil
	})
}

// countPropagated returns how many federated objects of the kind in ns
// report Propagation=True, and how many there are.
func countPropagated(ctx context.Context, host client.Client, kind, ns string) (ready, total int, err error) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(kind + "List"))
	if err := host.List(ctx, list, client.InNamespace(ns)); err != nil {
		return 0, 0, err
	}
	for i := range list.Items {
		st, _ := fedtypesv1b1.GetStatus(&list.Items[i])
		if st == nil {
			continue
		}
		if c := st.GetCondition(fedtypesv1b1.PropagationConditionType); c != nil && c.Status == corev1.ConditionTrue &&
			st.ObservedGeneration == list.Items[i].GetGeneration() {
			ready++
		}
	}
	return ready, len(list.Items), nil
}

// countCopies returns how many ConfigMaps managed by kubefed in ns of a
// member hold want under "key" ("" for any value).
func countCopies(ctx context.Context, c client.Client, ns, want string) (int, error) {
	list := &corev1.ConfigMapList{}
	if err := c.List(ctx, list, client.InNamespace(ns), client.MatchingLabels{managedLabel: "true"}); err != nil {
		return 0, err
	}
	n := 0
	for _, cm := range list.Items {
		if want == "" || cm.Data["key"] == want {
			n++
		}
	}
	return n, nil
}

const managedLabel = fedcorev1b1.ManagedByKubeFedLabelKey

func objectMeta(ns, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name}
}
