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

package scheduling

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
)

// capacity returns, per cluster, the replicas it was seen able to run
// (clusters that kept Pods unschedulable past the window, and observations
// still within the TTL), whether any cluster reports unavailable replicas
// (worth checking again soon), and why the capacity of some clusters could
// not be checked: their Pods could not be read, or the part of the target
// that says where to look (its status, a member's remote status, its Pod
// selector) could not. The members are read in parallel, each within the
// member read timeout, so that a slow or broken member neither delays the others nor
// holds the worker for long.
func (r *Reconciler) capacity(ctx context.Context, rsp *fedschedv1a1.ReplicaSchedulingPreference, target *unstructured.Unstructured, current map[string]int64) (map[string]int64, bool, map[string]string) {
	now := r.now()
	capacity := r.observedCapacity(rsp, now)
	// A part of the target that cannot be read leaves the capacity of the
	// clusters it concerns unknown: each is named in readErrors, so that
	// the status says so instead of planning as if no limit applied.
	toRead, readErrors := behindClusters(target, current)
	if len(toRead) == 0 {
		return capacity, false, orNil(readErrors)
	}
	selector, err := podSelector(target)
	if err != nil {
		for _, cluster := range toRead {
			readErrors[cluster] = fmt.Sprintf("the Pods of %s in cluster %s cannot be selected (%v): the capacity of cluster %s is not checked; give the template a spec.selector",
				describe(target), cluster, err, cluster)
		}
		return capacity, true, readErrors
	}
	timeout := cmp.Or(r.MemberReadTimeout, DefaultMemberReadTimeout)
	for i, res := range r.readPodCounts(ctx, toRead, rsp.Namespace, selector, now, timeout) {
		cluster := toRead[i]
		switch {
		case res.err != nil:
			readErrors[cluster] = readErrorMessage(cluster, rsp.Namespace, timeout, res.err)
		case res.stuck > 0:
			capacity[cluster] = res.scheduled
		}
	}
	return capacity, true, orNil(readErrors)
}

// observedCapacity returns the capacities the status recorded within the
// capacity TTL.
func (r *Reconciler) observedCapacity(rsp *fedschedv1a1.ReplicaSchedulingPreference, now time.Time) map[string]int64 {
	ttl := cmp.Or(r.CapacityTTL, DefaultCapacityTTL)
	capacity := map[string]int64{}
	for _, c := range rsp.Status.Clusters {
		if c.Capacity != nil && c.CapacityObservedTime != nil && now.Sub(c.CapacityObservedTime.Time) < ttl {
			capacity[c.Name] = *c.Capacity
		}
	}
	return capacity
}

// behindClusters returns the clusters whose copy of the target has fewer
// available replicas than it runs (their Pods are worth reading), and the
// clusters whose status in the target cannot be read, with why.
func behindClusters(target *unstructured.Unstructured, current map[string]int64) ([]string, map[string]string) {
	readErrors := map[string]string{}
	status, err := fedtypesv1b1.GetStatus(target)
	if err != nil {
		for _, cluster := range slices.Sorted(maps.Keys(current)) {
			readErrors[cluster] = fmt.Sprintf("reading the status of %s: %v: the capacity of cluster %s is not checked until the status is valid again (kubefed's sync controller rewrites it)",
				describe(target), err, cluster)
		}
		return nil, readErrors
	}
	if status == nil {
		return nil, readErrors
	}
	var toRead []string
	for _, cs := range status.Clusters {
		if cs.RemoteStatus == nil {
			continue
		}
		var remote struct {
			AvailableReplicas int64 `json:"availableReplicas"`
		}
		if err := json.Unmarshal(cs.RemoteStatus.Raw, &remote); err != nil {
			readErrors[cs.Name] = fmt.Sprintf("reading the status of cluster %s in %s: %v: the capacity of cluster %s is not checked until the status is valid again (kubefed's sync controller rewrites it)",
				cs.Name, describe(target), err, cs.Name)
			continue
		}
		if remote.AvailableReplicas < current[cs.Name] {
			toRead = append(toRead, cs.Name)
		}
	}
	return toRead, readErrors
}

// podCount is what readPodCounts learns from one member.
type podCount struct {
	stuck, scheduled int64
	err              error
}

// readPodCounts counts the target's unschedulable and scheduled Pods in
// each cluster, in parallel, each member within timeout, so that a slow or
// broken member neither delays the others nor holds the worker for long.
// One goroutine per member; each writes only its own slot.
func (r *Reconciler) readPodCounts(ctx context.Context, clusters []string, namespace string, selector labels.Selector, now time.Time, timeout time.Duration) []podCount {
	window := cmp.Or(r.UnschedulableWindow, DefaultUnschedulableWindow)
	results := make([]podCount, len(clusters))
	var wg sync.WaitGroup
	for i, cluster := range clusters {
		wg.Go(func() {
			readCtx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			stuck, scheduled, err := r.unschedulablePods(readCtx, cluster, namespace, selector, now, window)
			results[i] = podCount{stuck: stuck, scheduled: scheduled, err: err}
		})
	}
	wg.Wait()
	return results
}

// orNil returns m, or nil when it is empty.
func orNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// describe names a federated object for messages:
// "FederatedDeployment ns/web".
func describe(u *unstructured.Unstructured) string {
	return fmt.Sprintf("%s %s/%s", u.GetKind(), u.GetNamespace(), u.GetName())
}

// readErrorMessage says why a member's Pods could not be read and what to
// do about it.
func readErrorMessage(cluster, namespace string, timeout time.Duration, err error) string {
	switch {
	case errors.Is(err, clustercache.ErrClusterNotConnected):
		return fmt.Sprintf("cluster %s is not connected: its capacity is checked again when it is Ready", cluster)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("listing Pods in namespace %s of cluster %s took longer than %s: check the cluster's API server", namespace, cluster, timeout)
	}
	return fmt.Sprintf("listing Pods in namespace %s of cluster %s: %v: check that the cluster's KubeFed identity may list Pods there", namespace, cluster, err)
}

// unschedulablePods counts, in a member, the workload's Pods Pending as
// Unschedulable for longer than window, and its Pods that were scheduled.
func (r *Reconciler) unschedulablePods(ctx context.Context, cluster, namespace string, selector labels.Selector, now time.Time, window time.Duration) (stuck, scheduled int64, err error) {
	c, err := r.Members.GetClient(ctx, cluster)
	if err != nil {
		return 0, 0, err
	}
	pods := &corev1.PodList{}
	if err := c.List(ctx, pods, client.InNamespace(namespace), client.MatchingLabelsSelector{Selector: selector}); err != nil {
		if ctx.Err() != nil {
			return 0, 0, fmt.Errorf("%w: %w", ctx.Err(), err)
		}
		return 0, 0, err
	}
	for _, p := range pods.Items {
		if !p.DeletionTimestamp.IsZero() {
			continue
		}
		if p.Spec.NodeName != "" {
			scheduled++
			continue
		}
		for _, cond := range p.Status.Conditions {
			if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse &&
				cond.Reason == corev1.PodReasonUnschedulable && now.Sub(cond.LastTransitionTime.Time) >= window {
				stuck++
			}
		}
	}
	return stuck, scheduled, nil
}

// podSelector returns the workload's Pod selector from its template.
func podSelector(target *unstructured.Unstructured) (labels.Selector, error) {
	raw, found, err := unstructured.NestedMap(target.Object, "spec", "template", "spec", "selector")
	if err != nil || !found {
		return nil, fmt.Errorf("the template has no spec.selector")
	}
	data, _ := json.Marshal(raw)
	sel := &metav1.LabelSelector{}
	if err := json.Unmarshal(data, sel); err != nil {
		return nil, err
	}
	return metav1.LabelSelectorAsSelector(sel)
}
