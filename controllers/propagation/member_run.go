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

package propagation

import (
	"context"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// memberRun is what runMembers yields.
type memberRun struct {
	// outcomes hold the outcome per cluster whose operation completed.
	outcomes map[string]memberOutcome
	// pending lists the clusters whose operation goes on in the
	// background (false) or waits for a free slot there (true).
	pending map[string]bool
}

// runMembers runs op for every cluster in parallel and waits for them,
// except for clusters that answer much more slowly than the others (see
// memberOps): once every other cluster is done, the operations still
// running there go on in the background, whether the cluster was slow when
// they started or turned slow while they ran. inputs identifies what op
// computes from; the outcome of a detached operation is taken by the next
// reconcile of the same inputs. A cluster whose earlier detached operation
// still runs gets no new one: writes to a copy never overtake each other.
//
// Every operation runs on a child scope that shares the federated object;
// when one is detached, the reconcile goes on with a copy of the object
// (its status write changes it), and the operation keeps the one it read.
func (r *Reconciler) runMembers(ctx context.Context, s *scope, clusters []string, inputs string,
	op func(ctx context.Context, s *scope, cluster string) memberOutcome) memberRun {
	run := memberRun{outcomes: map[string]memberOutcome{}, pending: map[string]bool{}}
	obj := client.ObjectKeyFromObject(s.fedObj)
	slow := r.Members.SlowClusters()
	running := map[string]*memberOp{}
	finished := make(chan memberOpKey, len(clusters))
	sem := make(chan struct{}, memberFanOut)
	for _, cluster := range clusters {
		k := memberOpKey{object: obj, cluster: cluster}
		state, out := r.ops.claim(k, inputs)
		switch {
		case state == claimBusy || state == claimQueued:
			run.pending[cluster] = state == claimQueued
			continue
		case state == claimDone:
			run.outcomes[cluster] = out
			continue
		case slow.Has(cluster) && s.ready.Has(cluster) && r.ops.full(cluster, obj):
			run.pending[cluster] = true
			continue
		}
		child := s.child()
		running[cluster] = r.ops.start(k, inputs, finished, func() memberOutcome {
			sem <- struct{}{}
			defer func() { <-sem }()
			// In flight on the member from its first read to its last
			// write: operations stuck there make it slow (see memberOps).
			defer r.Members.OperationStarted(cluster)()
			return child.outcome(op(ctx, child, cluster))
		})
	}
	r.awaitMembers(obj, running, finished, slow, s.ready, run)
	if len(running) > 0 {
		// The detached operations keep reading the object as it was.
		s.fedObj = s.fedObj.DeepCopy()
	}
	return run
}

// slowCheckInterval is how often a reconcile that waits for its member
// operations looks whether a cluster it waits for turned slow.
const slowCheckInterval = 100 * time.Millisecond

// awaitMembers collects the outcomes of the running operations into run as
// they finish, until every operation still running is on a ready cluster
// that answers slowly (slow, refreshed while it waits); those are detached
// and left in running, as pending in run.
func (r *Reconciler) awaitMembers(obj types.NamespacedName, running map[string]*memberOp, finished <-chan memberOpKey,
	slow, ready sets.Set[string], run memberRun) {
	onlySlowLeft := func() bool {
		for cluster := range running {
			if !slow.Has(cluster) || !ready.Has(cluster) {
				return false
			}
		}
		return true
	}
	var tick *time.Ticker
	for len(running) > 0 && !onlySlowLeft() {
		if tick == nil {
			tick = time.NewTicker(slowCheckInterval)
			defer tick.Stop()
		}
		select {
		case k := <-finished:
			if o, ok := running[k.cluster]; ok {
				out, _ := r.ops.collect(k, o)
				run.outcomes[k.cluster] = out
				delete(running, k.cluster)
			}
		case <-tick.C:
			slow = r.Members.SlowClusters()
		}
	}
	for cluster, o := range running {
		if out, ok := r.ops.collect(memberOpKey{object: obj, cluster: cluster}, o); ok {
			run.outcomes[cluster] = out
			delete(running, cluster)
		} else {
			run.pending[cluster] = false
		}
	}
}

// absorbRun takes the outcomes of a run into the scope, and reports the
// clusters whose operation is pending as WaitingForCluster.
func (r *Reconciler) absorbRun(s *scope, run memberRun) {
	for cluster, out := range run.outcomes {
		s.absorb(cluster, out)
	}
	for cluster, queued := range run.pending {
		s.setResult(cluster, fedtypesv1b1.WaitingForCluster, waitingMessage(cluster, r.Members.WriteLatency(cluster), queued), nil)
	}
}

// Member operations of one reconcile: how many run at once, and how long
// one may take.
const (
	memberFanOut           = 16
	memberOperationTimeout = 30 * time.Second
)

// forEach runs fn for every cluster, at most memberFanOut at once.
func (r *Reconciler) forEach(ctx context.Context, clusters []string, fn func(context.Context, string)) {
	if len(clusters) == 1 {
		fn(ctx, clusters[0])
		return
	}
	sem := make(chan struct{}, memberFanOut)
	var wg sync.WaitGroup
	for _, c := range clusters {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(ctx, c)
		}()
	}
	wg.Wait()
}

// dispatched reports one member write: to the member's mean write
// latency, shared by every type (see memberOps), and to the metrics.
func (r *Reconciler) dispatched(cluster, op string, d time.Duration, err error) {
	r.Members.ObserveWrite(cluster, d)
	if r.Metrics != nil {
		r.Metrics.Dispatched(cluster, op, d, err)
	}
}

// getCached returns the member object from the member's cache of labelled
// objects (kubefed.io/managed "true" or "false"), or nil when there is none.
func (r *Reconciler) getCached(ctx context.Context, cluster string, key types.NamespacedName) (*unstructured.Unstructured, error) {
	reader, err := r.Members.GetReader(ctx, cluster)
	if err != nil {
		return nil, fmt.Errorf("reading the cache of cluster %s: %w", cluster, err)
	}
	obj := r.newTarget()
	// A cache read waits for the member's informer to sync; a member that
	// never answers must not hold a worker.
	readCtx, cancel := context.WithTimeout(ctx, memberOperationTimeout)
	defer cancel()
	if err := reader.Get(readCtx, key, obj); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading %s from the cache of cluster %s: %w", describeKey(r.targetGVK().Kind, key), cluster, err)
	}
	return obj, nil
}

func (r *Reconciler) newTarget() *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(r.targetGVK())
	return u
}

// memberKey is the member object's name and namespace: the federated
// object's, except for namespaces, whose FederatedNamespace lives in the
// namespace it federates.
func (r *Reconciler) memberKey(fedObj *unstructured.Unstructured) types.NamespacedName {
	if !r.TypeConfig.Spec.TargetType.Namespaced() {
		return types.NamespacedName{Name: fedObj.GetName()}
	}
	return types.NamespacedName{Namespace: fedObj.GetNamespace(), Name: fedObj.GetName()}
}
