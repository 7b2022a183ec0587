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

package propagation_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// Helpers for the tests that work with many objects at once.

// dispatchCount returns the number of member operations the sync
// controllers of this process have sent.
func dispatchCount(t testing.TB) uint64 {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	var n uint64
	for _, f := range families {
		if f.GetName() != "kubefed_dispatch_operation_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			n += m.GetHistogram().GetSampleCount()
		}
	}
	return n
}

// waitQuiet waits until nothing is being torn down (namespaces of earlier
// tests) and the sync controllers have sent nothing for a few seconds.
func waitQuiet(t testing.TB, e *e2eutil.Env) {
	t.Helper()
	const still = 5 * time.Second
	last, since := dispatchCount(t), time.Now()
	e2eutil.Eventually(t, 2*time.Minute, func(ctx context.Context) error {
		for _, c := range append([]string{e2eutil.HostName}, bothMembers...) {
			cl := e.Host
			if c != e2eutil.HostName {
				cl = e.Member(c)
			}
			list := &corev1.NamespaceList{}
			if err := cl.List(ctx, list); err != nil {
				return err
			}
			for _, ns := range list.Items {
				if ns.DeletionTimestamp != nil {
					return fmt.Errorf("namespace %s is terminating in %s", ns.Name, c)
				}
			}
		}
		if n := dispatchCount(t); n != last {
			last, since = n, time.Now()
		}
		if time.Since(since) < still {
			return fmt.Errorf("member operations sent %s ago", time.Since(since).Round(time.Second))
		}
		return nil
	}, "a quiet federation")
}

// snapshot records the resourceVersion of every federated object,
// (Cluster)PropagatedVersion and managed member object of the federation.
func snapshot(t testing.TB, e *e2eutil.Env) map[string]string {
	t.Helper()
	ctx := t.Context()
	out := map[string]string{}
	record := func(c client.Client, cluster, kind string, listKind func() *unstructured.UnstructuredList, opts ...client.ListOption) {
		list := listKind()
		if err := c.List(ctx, list, opts...); err != nil {
			t.Fatalf("listing %s in %s: %v", kind, cluster, err)
		}
		for _, o := range list.Items {
			out[fmt.Sprintf("%s %s %s", cluster, kind, client.ObjectKeyFromObject(&o))] = o.GetResourceVersion()
		}
	}
	listOf := func(gvkList string, group, version string) func() *unstructured.UnstructuredList {
		return func() *unstructured.UnstructuredList {
			l := &unstructured.UnstructuredList{}
			l.SetAPIVersion(strings.TrimPrefix(group+"/"+version, "/"))
			l.SetKind(gvkList)
			return l
		}
	}
	for _, ftc := range e.TypeConfigs {
		fed, target := ftc.Spec.FederatedType, ftc.Spec.TargetType
		record(e.Host, e2eutil.HostName, fed.Kind, listOf(fed.Kind+"List", fed.Group, fed.Version))
		for _, c := range bothMembers {
			record(e.Member(c), c, target.Kind, listOf(target.Kind+"List", target.Group, target.Version), e2eutil.Managed)
		}
	}
	record(e.Host, e2eutil.HostName, "PropagatedVersion", listOf("PropagatedVersionList", "core.kubefed.io", "v1alpha1"))
	record(e.Host, e2eutil.HostName, "ClusterPropagatedVersion", listOf("ClusterPropagatedVersionList", "core.kubefed.io", "v1alpha1"))
	return out
}

// diffSnapshots lists what changed between two snapshots.
func diffSnapshots(before, after map[string]string) []string {
	var out []string
	for k, v := range before {
		switch w, ok := after[k]; {
		case !ok:
			out = append(out, k+": deleted")
		case w != v:
			out = append(out, fmt.Sprintf("%s: resourceVersion %s -> %s", k, v, w))
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			out = append(out, k+": created")
		}
	}
	slices.Sort(out)
	return out
}
