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
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// Managed selects the member objects KubeFed manages (its managed label).
var Managed = client.MatchingLabels{fedcorev1b1.ManagedByKubeFedLabelKey: fedcorev1b1.ManagedByKubeFedLabelValue}

// FederatedStatus returns the status of a federated object (empty when it
// has none or it does not decode).
func FederatedStatus(u *unstructured.Unstructured) *fedtypesv1b1.GenericFederatedStatus {
	s, err := fedtypesv1b1.GetStatus(u)
	if err != nil || s == nil {
		return &fedtypesv1b1.GenericFederatedStatus{}
	}
	return s
}

// ClusterNames returns the sorted names of the status's clusters.
func ClusterNames(s *fedtypesv1b1.GenericFederatedStatus) []string {
	var out []string
	for _, c := range s.Clusters {
		out = append(out, c.Name)
	}
	slices.Sort(out)
	return out
}

// CheckPropagated says why the federated object is not (yet) propagated
// to exactly clusters, in its status: the current generation observed,
// Propagation True, one OK entry per cluster, the aggregated cluster
// counts.
func CheckPropagated(u *unstructured.Unstructured, clusters []string) error {
	s := FederatedStatus(u)
	if s.ObservedGeneration != u.GetGeneration() {
		return fmt.Errorf("status.observedGeneration is %d, want %d", s.ObservedGeneration, u.GetGeneration())
	}
	cond := s.GetCondition(fedtypesv1b1.PropagationConditionType)
	if cond == nil || cond.Status != corev1.ConditionTrue {
		return fmt.Errorf("Propagation condition is %s, want True (status.clusters %s)", ConditionString(cond), toJSON(s.Clusters))
	}
	want := slices.Sorted(slices.Values(clusters))
	if got := ClusterNames(s); !slices.Equal(got, want) {
		return fmt.Errorf("status.clusters names %v, want %v", got, want)
	}
	for _, c := range s.Clusters {
		if c.Status != fedtypesv1b1.ClusterPropagationOK {
			return fmt.Errorf("status.clusters[%s] is %s: %s", c.Name, c.Status, c.Message)
		}
	}
	if a := s.AggregatedStatus; a == nil || int(a.Clusters) != len(clusters) || int(a.ReadyClusters) != len(clusters) {
		return fmt.Errorf("status.aggregatedStatus is %s, want clusters and readyClusters %d", toJSON(a), len(clusters))
	}
	return nil
}

// ConditionString describes a condition of a federated status ("missing"
// for nil).
func ConditionString(c *fedtypesv1b1.GenericCondition) string {
	if c == nil {
		return "missing"
	}
	return fmt.Sprintf("%s (reason %q, message %q)", c.Status, c.Reason, c.Message)
}

func toJSON(v any) string {
	out, _ := json.Marshal(v)
	return string(out)
}

// CreateFederated creates n copies of the federated object fixture named
// <prefix>-NNN in ns, with four requests in flight. A copy that exists
// already (a create whose answer was lost) counts as created.
func (e *Env) CreateFederated(ctx context.Context, fixture *unstructured.Unstructured, ns, prefix string, n int) error {
	names := make(chan string)
	go func() {
		defer close(names)
		for i := range n {
			names <- fmt.Sprintf("%s-%03d", prefix, i)
		}
	}()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for w := range errs {
		wg.Go(func() {
			for name := range names {
				obj := fixture.DeepCopy()
				obj.SetNamespace(ns)
				obj.SetName(name)
				if err := e.Host.Create(ctx, obj); err != nil && !apierrors.IsAlreadyExists(err) && errs[w] == nil {
					errs[w] = fmt.Errorf("creating %s %s/%s: %w", obj.GetKind(), ns, name, err)
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// CountManagedConfigMaps returns the number of managed ConfigMaps in ns in
// each member.
func (e *Env) CountManagedConfigMaps(ctx context.Context, ns string) (map[string]int, error) {
	out := map[string]int{}
	for _, m := range e.MemberNames {
		n, err := e.CountManagedConfigMapsIn(ctx, ns, m)
		if err != nil {
			return nil, err
		}
		out[m] = n
	}
	return out, nil
}

// CountManagedConfigMapsIn returns the number of managed ConfigMaps in ns
// in the member.
func (e *Env) CountManagedConfigMapsIn(ctx context.Context, ns, member string) (int, error) {
	list := &corev1.ConfigMapList{}
	if err := e.Member(member).List(ctx, list, client.InNamespace(ns), Managed); err != nil {
		return 0, fmt.Errorf("listing ConfigMaps in %s: %w", member, err)
	}
	return len(list.Items), nil
}

// WaitConfigMapsPropagated waits until n FederatedConfigMaps in ns report
// propagation to every member (CheckPropagated) and each member holds
// exactly n managed ConfigMaps there. It checks every second: listing
// hundreds of objects costs the clusters something.
func (e *Env) WaitConfigMapsPropagated(t testing.TB, ns string, n int, timeout time.Duration) {
	t.Helper()
	EventuallyEvery(t, time.Second, timeout, func(ctx context.Context) error {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMapList"))
		if err := e.Host.List(ctx, list, client.InNamespace(ns)); err != nil {
			return err
		}
		var pending []string
		for i := range list.Items {
			if err := CheckPropagated(&list.Items[i], e.MemberNames); err != nil {
				pending = append(pending, fmt.Sprintf("%s: %v", list.Items[i].GetName(), err))
			}
		}
		if len(list.Items) != n || len(pending) > 0 {
			slices.Sort(pending)
			return fmt.Errorf("%d FederatedConfigMaps, want %d; %d not propagated, for example:\n  %s",
				len(list.Items), n, len(pending), strings.Join(pending[:min(len(pending), 5)], "\n  "))
		}
		counts, err := e.CountManagedConfigMaps(ctx, ns)
		if err != nil {
			return err
		}
		for c, got := range counts {
			if got != n {
				return fmt.Errorf("%d managed ConfigMaps in %s, want %d", got, c, n)
			}
		}
		return nil
	}, "%d FederatedConfigMaps in %s propagated to every member", n, ns)
}
