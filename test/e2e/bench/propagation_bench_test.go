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
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/internal/manager"
	"github.com/kubefed/kubefed/test/framework"
)

const (
	namespace = fedcorev1b1.DefaultKubeFedSystemNamespace
	objects   = 1000
	workers   = 16
)

// BenchmarkPropagation brings up a host and three members and reports:
//
//   - raw-s: 1,000 ConfigMaps created in each member by raw client-go (16
//     workers per cluster, no client-side rate limit): the ceiling;
//   - fed-s: 1,000 FederatedConfigMaps created in the host until all 3,000
//     member copies exist, with the controller-manager's default settings;
//   - fed/raw: the ratio of the two (the target is at most 2);
//   - idle-writes/min: member and host writes by kubefed over 30 s of quiet;
//   - update-ms: one template update until every member has it;
//   - drift-ms: a member-side edit until kubefed has undone it.
//
// It runs twice: with the controller-manager's default client rate limits
// (100 requests per second, burst 200, to the host and to each member),
// and without client-side limits, which shows what the API servers
// themselves allow.
func BenchmarkPropagation(b *testing.B) {
	for _, tc := range []struct {
		name string
		qps  float32
	}{
		{name: "defaults", qps: 100},
		{name: "unthrottled", qps: -1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				runPropagation(b, tc.qps)
			}
		})
	}
}

func runPropagation(b *testing.B, qps float32) {
	ctx := b.Context()
	fed := framework.New(b, framework.Options{Members: framework.MemberNames(3), Nodes: 1})
	scheme := manager.Scheme()
	host := mustClient(b, fed.Host.Config)
	members := map[string]client.Client{}
	for _, m := range fed.Members {
		members[m.Name] = mustClient(b, m.Config)
	}

	// The ceiling: raw creates in every member, all members at once.
	rawNS := "raw"
	for _, c := range members {
		mustCreate(b, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: rawNS}})
	}
	start := time.Now()
	var wg gosync.WaitGroup
	for name, c := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parallel(objects, workers, func(i int) error {
				return c.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: rawNS, Name: fmt.Sprintf("cm-%d", i)},
					Data: map[string]string{"key": "value"}})
			}, func(err error) { b.Errorf("raw create in %s: %v", name, err) })
		}()
	}
	wg.Wait()
	raw := time.Since(start)

	// The control plane, as the controller-manager runs it by default.
	installControlPlane(b, ctx, fed, host)
	cfg := rest.CopyConfig(fed.Host.Config)
	cfg.QPS, cfg.Burst = qps, 200
	cpCtx, stop := context.WithCancel(ctx)
	mgr, err := manager.New(cpCtx, cfg, manager.Options{Namespace: namespace, MetricsBindAddress: "0", HealthProbeBindAddress: "0",
		MemberQPS: qps, MemberBurst: 200, SkipControllerNameValidation: true})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = mgr.Start(cpCtx) }()
	b.Cleanup(func() { stop(); <-done })
	waitFor(b, 2*time.Minute, "members Ready and FTCs running", func() (bool, error) {
		return controlPlaneReady(ctx, host, len(members))
	})

	fedNS := "fed"
	mustCreate(b, host, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fedNS}})
	mustCreate(b, host, federated("FederatedNamespace", fedNS, fedNS, nil))
	waitFor(b, time.Minute, "namespace propagated", func() (bool, error) {
		for _, c := range members {
			if err := c.Get(ctx, client.ObjectKey{Name: fedNS}, &corev1.Namespace{}); err != nil {
				return false, client.IgnoreNotFound(err)
			}
		}
		return true, nil
	})

	start = time.Now()
	parallel(objects, workers, func(i int) error {
		return host.Create(ctx, federated("FederatedConfigMap", fedNS, fmt.Sprintf("cm-%d", i), map[string]any{"data": map[string]any{"key": "value"}}))
	}, func(err error) { b.Errorf("host create: %v", err) })
	waitFor(b, 10*time.Minute, "every member copy", func() (bool, error) {
		for _, c := range members {
			list := &corev1.ConfigMapList{}
			if err := c.List(ctx, list, client.InNamespace(fedNS), client.MatchingLabels{fedcorev1b1.ManagedByKubeFedLabelKey: "true"}); err != nil {
				return false, err
			}
			if len(list.Items) < objects {
				return false, nil
			}
		}
		return true, nil
	})
	fedTime := time.Since(start)

	// Wait until every status is written, then measure 30 s of quiet.
	waitFor(b, 5*time.Minute, "every object reporting Propagation True", func() (bool, error) {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMapList"))
		if err := host.List(ctx, list, client.InNamespace(fedNS)); err != nil {
			return false, err
		}
		for i := range list.Items {
			st, _ := fedtypesv1b1.GetStatus(&list.Items[i])
			c := st.GetCondition(fedtypesv1b1.PropagationConditionType)
			if c == nil || c.Status != corev1.ConditionTrue {
				return false, nil
			}
		}
		return len(list.Items) == objects, nil
	})
	before := dispatchCount(b)
	time.Sleep(30 * time.Second)
	idle := (dispatchCount(b) - before) * 2

	// One update, until every member has it.
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMap"))
	if err := host.Get(ctx, client.ObjectKey{Namespace: fedNS, Name: "cm-0"}, obj); err != nil {
		b.Fatal(err)
	}
	if err := unstructured.SetNestedField(obj.Object, "updated", "spec", "template", "data", "key"); err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	if err := host.Update(ctx, obj); err != nil {
		b.Fatal(err)
	}
	waitFor(b, time.Minute, "the update in every member", func() (bool, error) {
		return allMembers(ctx, members, fedNS, "cm-0", "updated")
	})
	update := time.Since(start)

	// A member-side edit, until it is undone.
	edited := &corev1.ConfigMap{}
	m1 := members["member1"]
	if err := m1.Get(ctx, client.ObjectKey{Namespace: fedNS, Name: "cm-1"}, edited); err != nil {
		b.Fatal(err)
	}
	edited.Data["key"] = "drifted"
	start = time.Now()
	if err := m1.Update(ctx, edited); err != nil {
		b.Fatal(err)
	}
	waitFor(b, time.Minute, "the drift undone", func() (bool, error) {
		cm := &corev1.ConfigMap{}
		if err := m1.Get(ctx, client.ObjectKey{Namespace: fedNS, Name: "cm-1"}, cm); err != nil {
			return false, err
		}
		return cm.Data["key"] == "value", nil
	})
	drift := time.Since(start)

	b.ReportMetric(raw.Seconds(), "raw-s")
	b.ReportMetric(fedTime.Seconds(), "fed-s")
	b.ReportMetric(fedTime.Seconds()/raw.Seconds(), "fed/raw")
	b.ReportMetric(float64(idle), "idle-writes/min")
	b.ReportMetric(float64(update.Microseconds())/1000, "update-ms")
	b.ReportMetric(float64(drift.Microseconds())/1000, "drift-ms")
	_ = scheme
}

func mustClient(b testing.TB, cfg *rest.Config) client.Client {
	c, err := client.New(cfg, client.Options{Scheme: manager.Scheme()})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func mustCreate(b testing.TB, c client.Client, obj client.Object) {
	if err := c.Create(b.Context(), obj); err != nil && !apierrors.IsAlreadyExists(err) {
		b.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
	}
}

func federated(kind, ns, name string, template map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{
		"placement": map[string]any{"clusterSelector": map[string]any{}},
	}}}
	if template != nil {
		u.Object["spec"].(map[string]any)["template"] = template
	}
	u.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(kind))
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// parallel runs fn(0..n-1) on the given number of workers.
func parallel(n, workers int, fn func(int) error, onErr func(error)) {
	next := make(chan int)
	var wg gosync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					onErr(err)
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

func waitFor(b testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("timed out after %s waiting for %s (last error: %v)", timeout, what, err)
		}
		time.Sleep(pollInterval)
	}
}

func allMembers(ctx context.Context, members map[string]client.Client, ns, name, want string) (bool, error) {
	for _, c := range members {
		cm := &corev1.ConfigMap{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cm); err != nil {
			return false, err
		}
		if cm.Data["key"] != want {
			return false, nil
		}
	}
	return true, nil
}

// installControlPlane installs the CRDs and FTCs, the namespace, and joins
// the members.
func installControlPlane(b testing.TB, ctx context.Context, fed *framework.Federation, host client.Client) {
	root := repoRoot(b)
	apply := func(dir string, ns string) {
		files, _ := filepath.Glob(filepath.Join(root, dir, "*.yaml"))
		for _, f := range files {
			if strings.HasSuffix(f, "kustomization.yaml") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal(data, &u.Object); err != nil {
				b.Fatalf("%s: %v", f, err)
			}
			if ns != "" {
				u.SetNamespace(ns)
			}
			mustCreate(b, host, u)
		}
	}
	apply("config/crd/bases", "")
	waitFor(b, time.Minute, "CRDs established", func() (bool, error) {
		list := &apiextensionsv1.CustomResourceDefinitionList{}
		if err := host.List(ctx, list); err != nil {
			return false, err
		}
		for _, crd := range list.Items {
			established := false
			for _, c := range crd.Status.Conditions {
				established = established || (c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue)
			}
			if !established {
				return false, nil
			}
		}
		return len(list.Items) > 0, nil
	})
	mustCreate(b, host, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})
	apply("config/federatedtypeconfigs", namespace)
	for _, m := range fed.Members {
		if _, err := kubefedctl.Join(ctx, kubefedctl.JoinOptions{ClusterName: m.Name, HostClusterName: "host",
			HostConfig: fed.Host.Config, ClusterConfig: m.Config, KubeFedNamespace: namespace, ErrorOnExisting: true, Out: io.Discard}); err != nil {
			b.Fatalf("joining %s: %v", m.Name, err)
		}
	}
}

func controlPlaneReady(ctx context.Context, host client.Client, members int) (bool, error) {
	clusters := &fedcorev1b1.KubeFedClusterList{}
	if err := host.List(ctx, clusters, client.InNamespace(namespace)); err != nil {
		return false, err
	}
	ready := 0
	for _, c := range clusters.Items {
		for _, cond := range c.Status.Conditions {
			if cond.Type == fedcorev1b1.ClusterReady && cond.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	ftcs := &fedcorev1b1.FederatedTypeConfigList{}
	if err := host.List(ctx, ftcs, client.InNamespace(namespace)); err != nil {
		return false, err
	}
	for _, f := range ftcs.Items {
		if f.Status.PropagationController != fedcorev1b1.ControllerStatusRunning {
			return false, nil
		}
	}
	return ready == members && len(ftcs.Items) > 0, nil
}

func dispatchCount(b testing.TB) float64 {
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	total := 0.0
	for _, f := range families {
		if f.GetName() == "kubefed_dispatch_operation_duration_seconds" {
			for _, m := range f.GetMetric() {
				total += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return total
}

func repoRoot(b testing.TB) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "PROJECT")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			b.Fatal("repository root not found")
		}
		dir = parent
	}
}
