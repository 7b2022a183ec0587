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
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/sets"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/placement"
	"github.com/kubefed/kubefed/internal/propagatedversion"
)

// scope holds what one reconcile of a federated object read and decided.
type scope struct {
	// fedObj is the federated object; set when the scope is created.
	fedObj *unstructured.Unstructured
	// oldStatus is fedObj's status as read; set when the scope is created.
	oldStatus *fedtypesv1b1.GenericFederatedStatus
	// config is the KubeFedConfig spec (defaults when there is none); set
	// when the scope is created.
	config fedcorev1b1.Settings
	// clusters are the joined clusters; set when the scope is created.
	clusters []placement.Cluster
	// ready are the connected members; set when the scope is created.
	ready sets.Set[string]
	// pv is the PropagatedVersion (or ClusterPropagatedVersion) record;
	// set when the scope is created, nil when there is none yet.
	pv client.Object
	// recorded is pv's status (empty when pv is nil); set when the scope is
	// created.
	recorded fedcorev1a1.PropagatedVersionStatus
	// createdRecord is true when this reconcile created pv: the object's
	// first propagation; set by recordVersions.
	createdRecord bool
	// templateVersion and overridesVersion hash the current spec; set when
	// the scope is created.
	templateVersion, overridesVersion string

	// selected are the clusters the object is placed in; set by
	// reconcilePlacement.
	selected []string
	// rollout is the object's progressive rollout; nil without
	// spec.rollout (every placed cluster gets the spec, as in KubeFed).
	// Set by reconcileRollout.
	rollout *rolloutScope
	// reason and message explain an aggregate failure (the object as a
	// whole could not be propagated); set by any phase.
	reason  fedtypesv1b1.AggregateReason
	message string
	// results hold the outcome per placed cluster, and per cluster whose
	// copy is being removed; set by reconcileMembers and
	// reconcileRemovals.
	results map[string]*clusterResult
	// versions are the member versions to record; set by
	// reconcileMembers.
	versions map[string]string
	// stop ends the phase list early (status is still written).
	stop bool
	// requeueAfter asks for another reconcile, for example while copies
	// are being deleted; set through requeue, from any goroutine.
	requeueAfter time.Duration
	// started is when this reconcile started.
	started time.Time
	// done lists, by event reason (CreateInCluster, UpdateInCluster,
	// DeleteInCluster), the clusters written to; at most one event is
	// recorded at the end of the reconcile rather than one per cluster;
	// set through applied, from any goroutine.
	done map[string][]string
	// mu guards requeueAfter and done: the member phases run one goroutine
	// per cluster, and each may ask for a requeue or record a write.
	mu sync.Mutex
}

// applied records a successful member write for the reconcile's events.
func (s *scope) applied(reason, cluster string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil {
		s.done = map[string][]string{}
	}
	s.done[reason] = append(s.done[reason], cluster)
}

// inputs identifies what the member operations of this reconcile compute
// their writes from: the federated object's generation and the hashes of
// its template and overrides.
func (s *scope) inputs() string {
	in := fmt.Sprintf("%d/%s/%s", s.fedObj.GetGeneration(), s.templateVersion, s.overridesVersion)
	if s.rollout != nil {
		// The plan, not the spec alone, decides what a cluster gets.
		in += fmt.Sprintf("/%d", s.rollout.target)
	}
	return in
}

// child returns the scope of one member operation: it shares what the
// reconcile never changes once read, the federated object included (member
// operations only read it), and has its own results and its own event and
// requeue records. An operation that outlives the reconcile keeps reading
// that object: the reconcile then goes on with a copy (see runMembers).
func (s *scope) child() *scope {
	return &scope{
		fedObj:           s.fedObj,
		oldStatus:        s.oldStatus,
		config:           s.config,
		clusters:         s.clusters,
		ready:            s.ready,
		recorded:         s.recorded,
		templateVersion:  s.templateVersion,
		overridesVersion: s.overridesVersion,
		rollout:          s.rollout,
		results:          map[string]*clusterResult{},
		versions:         map[string]string{},
		started:          s.started,
	}
}

// routine reports whether the reconcile's member writes follow from the
// user's own change: a new object, an edited spec or placement, a deletion.
// Such writes get no event (see recordEvents).
func (s *scope) routine() bool {
	return s.createdRecord || !s.fedObj.GetDeletionTimestamp().IsZero() ||
		s.oldStatus == nil || s.oldStatus.ObservedGeneration != s.fedObj.GetGeneration()
}

// outcome adds what a child scope's operation recorded (writes for events, a
// requeue) to its outcome.
func (s *scope) outcome(out memberOutcome) memberOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	for reason := range s.done {
		out.applied = append(out.applied, reason)
	}
	out.requeue = s.requeueAfter
	return out
}

// absorb takes a cluster's outcome into the scope.
func (s *scope) absorb(cluster string, out memberOutcome) {
	if out.res != nil {
		s.results[cluster] = out.res
	}
	if out.version != "" {
		s.versions[cluster] = out.version
	}
	for _, reason := range out.applied {
		s.applied(reason, cluster)
	}
	if out.requeue > 0 {
		s.requeue(out.requeue)
	}
}

// clusterResult is the outcome of propagation to one member cluster.
type clusterResult struct {
	status  fedtypesv1b1.PropagationStatus
	message string
	// member is the member object after the reconcile (nil if none).
	member *unstructured.Unstructured
	// refused is true when the member refused the write in a way that
	// will not pass on its own (readiness.Refused): the object is Stalled.
	refused bool
}

func (s *scope) describe() string {
	kind := s.fedObj.GetKind()
	if ns := s.fedObj.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s %s/%s", kind, ns, s.fedObj.GetName())
	}
	return fmt.Sprintf("%s %s", kind, s.fedObj.GetName())
}

func (s *scope) result() ctrl.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ctrl.Result{RequeueAfter: s.requeueAfter}
}

// retryable reports whether a cluster's outcome is worth retrying on a
// timer; the others wait for a change (of the object, of the member, of
// the cluster's readiness).
func (s *scope) retryable() bool {
	for _, res := range s.results {
		switch res.status {
		case fedtypesv1b1.ClusterPropagationOK, fedtypesv1b1.ClusterNotReady, fedtypesv1b1.ManagedLabelFalse,
			fedtypesv1b1.AlreadyExists, fedtypesv1b1.ApplyOverridesFailed, fedtypesv1b1.WaitingForRemoval,
			// The detached write's completion reconciles the object again.
			fedtypesv1b1.WaitingForCluster:
		default:
			return true
		}
	}
	return false
}

// requeue asks for another reconcile within d; the soonest request wins.
// Safe for concurrent use.
func (s *scope) requeue(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.requeueAfter == 0 || d < s.requeueAfter {
		s.requeueAfter = d
	}
}

func (s *scope) setResult(cluster string, status fedtypesv1b1.PropagationStatus, message string, member *unstructured.Unstructured) {
	s.results[cluster] = &clusterResult{status: status, message: message, member: member}
}

// newScope reads everything a reconcile needs.
func (r *Reconciler) newScope(ctx context.Context, fedObj *unstructured.Unstructured) (*scope, error) {
	s := &scope{
		fedObj:   fedObj,
		results:  map[string]*clusterResult{},
		versions: map[string]string{},
		ready:    sets.New(r.Members.ReadyClusters()...),
		started:  time.Now(),
	}
	var err error
	if s.oldStatus, err = fedtypesv1b1.GetStatus(fedObj); err != nil {
		s.oldStatus = &fedtypesv1b1.GenericFederatedStatus{}
	}

	if s.config, err = fedcorev1b1.ReadSettings(ctx, r.Client, r.Namespace); err != nil {
		return nil, err
	}

	clusters := &fedcorev1b1.KubeFedClusterList{}
	// Read once per reconcile: the cache's objects, not copies; only
	// names and labels are kept, and the labels are copied.
	if err := r.Client.List(ctx, clusters, client.InNamespace(r.Namespace), client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("listing KubeFedClusters in %s: %w", r.Namespace, err)
	}
	for _, c := range clusters.Items {
		s.clusters = append(s.clusters, placement.Cluster{Name: c.Name, Labels: maps.Clone(c.Labels)})
	}

	if s.templateVersion, err = propagatedversion.TemplateVersion(fedObj); err != nil {
		return nil, fmt.Errorf("hashing the template of %s: %w", s.describe(), err)
	}
	if s.overridesVersion, err = propagatedversion.OverridesVersion(fedObj); err != nil {
		return nil, fmt.Errorf("hashing the overrides of %s: %w", s.describe(), err)
	}

	s.pv = r.newVersionObject(fedObj)
	switch err := r.Client.Get(ctx, client.ObjectKeyFromObject(s.pv), s.pv); {
	case err == nil:
	case apierrors.IsNotFound(err):
		s.pv = nil
	default:
		return nil, fmt.Errorf("reading the propagated version of %s: %w", s.describe(), err)
	}
	// The cache may not show this reconciler's last write of the record
	// yet.
	if s.pv = r.memo.record(client.ObjectKeyFromObject(fedObj), s.pv); s.pv != nil {
		s.recorded = *versionStatus(s.pv)
	}
	return s, nil
}

// errClusterNotReady is returned for members that are not connected.
var errClusterNotReady = errors.New("cluster is not ready")
