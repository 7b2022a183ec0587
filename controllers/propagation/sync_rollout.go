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
	"reflect"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	fedrollout "github.com/kubefed/kubefed/internal/rollout"
)

// The sync controllers keep the revisions of rolled-out objects; their
// cache of ControllerRevisions holds only those (labelled with the
// federated object's UID, see cmd/controller-manager/app).
// +kubebuilder:rbac:groups=apps,resources=controllerrevisions,verbs=get;list;watch;create;delete

// rolloutScope is what one reconcile of an object with spec.rollout read
// and decided; see docs/rollout.md.
type rolloutScope struct {
	// strategy is spec.rollout.
	strategy *fedtypesv1b1.RolloutStrategy
	// history is the object's revisions, the one this reconcile created
	// included.
	history []*appsv1.ControllerRevision
	// contents holds the content of every revision in history, by number.
	contents map[int64]fedrollout.Content
	// specRevision is the revision of the spec's own content.
	specRevision int64
	// target is the revision the rollout goes to: specRevision, or the
	// rollbackTo revision.
	target int64
	// planned is the revision each placed cluster's copy must run (0: no
	// copy), from the planner.
	planned map[string]int64
	// revisions is the revision each cluster's copy runs: the stored one
	// (rule 10 applied), then planned once a write succeeded; set by
	// reconcileRollout, updated by reconcileMembers once the member
	// operations it waits for are done (never read by them: a detached
	// one may still run).
	revisions map[string]int64
	// state is the next status.rollout; nil when the stored one stays
	// (the rollout could not be planned).
	state *fedtypesv1b1.RolloutStatus
}

// keeps reports whether cluster's copy stays as it is: the plan gives it
// the revision it runs.
func (rs *rolloutScope) keeps(cluster string) bool {
	return rs.planned[cluster] == rs.revisions[cluster]
}

// specApplied reports whether every placed cluster runs the spec's own
// content: only then does the version record name the spec's hashes (a
// spec.rollout removed mid-rollout then writes every cluster again).
func (rs *rolloutScope) specApplied(selected []string) bool {
	if rs.target != rs.specRevision {
		return false
	}
	for _, c := range selected {
		if rs.revisions[c] != rs.target {
			return false
		}
	}
	return true
}

// content returns the template and overrides the copy in cluster is built
// from: the spec's, or under a rollout the planned revision's.
func (s *scope) content(cluster string) (map[string]any, []fedtypesv1b1.GenericOverrideItem, error) {
	if s.rollout != nil {
		if c, ok := s.rollout.contents[s.rollout.planned[cluster]]; ok {
			return c.Template, c.Overrides, nil
		}
	}
	template, _, err := fedtypesv1b1.GetTemplate(s.fedObj)
	if err != nil {
		return nil, nil, err
	}
	overrides, err := fedtypesv1b1.GetOverrides(s.fedObj)
	if err != nil {
		return nil, nil, err
	}
	return template, overrides, nil
}

// reconcileRollout plans the object's progressive rollout when it has
// spec.rollout: it records the spec's content as a revision, resolves the
// target, and decides which revision each placed cluster runs. Without
// spec.rollout it does nothing (every cluster gets the spec).
func (r *Reconciler) reconcileRollout(ctx context.Context, s *scope) (ctrl.Result, error) {
	strategy, err := fedtypesv1b1.GetRollout(s.fedObj)
	if err != nil {
		s.reason, s.message = fedtypesv1b1.ComputePlacementFailed, fmt.Sprintf("reading spec.rollout: %v: fix spec.rollout", err)
		s.stop = true
		return ctrl.Result{}, nil
	}
	if strategy == nil {
		return ctrl.Result{}, nil
	}
	rs := &rolloutScope{strategy: strategy, contents: map[int64]fedrollout.Content{}, revisions: map[string]int64{}}
	for _, c := range s.oldStatus.Clusters {
		rs.revisions[c.Name] = c.Revision
	}
	s.rollout = rs
	if err := r.recordRevision(ctx, s); err != nil {
		return ctrl.Result{}, err
	}
	rs.target = rs.specRevision
	if rb := strategy.RollbackTo; rb != nil {
		if _, ok := rs.contents[rb.Revision]; !ok {
			return ctrl.Result{}, r.revisionNotFound(ctx, s, rb.Revision)
		}
		rs.target = rb.Revision
		if err := r.placeByRevision(ctx, s, rs.target); err != nil || s.stop {
			return ctrl.Result{}, err
		}
	}

	labels := map[string]map[string]string{}
	for _, c := range s.clusters {
		labels[c.Name] = c.Labels
	}
	in := fedrollout.Input{Strategy: strategy, Generation: s.fedObj.GetGeneration(), Target: rs.target,
		State: s.oldStatus.Rollout, Now: s.started.UTC().Truncate(time.Second)}
	for _, name := range s.selected {
		c := fedrollout.Cluster{Name: name, Labels: labels[name], Revision: rs.revisions[name]}
		if stored := s.oldStatus.GetCluster(name); stored != nil {
			c.Readiness, c.ReadinessMessage = stored.Readiness, stored.ReadinessMessage
		}
		if c.Revision != 0 && c.Revision != rs.target && r.sameCopy(s, name, c.Revision, rs.target) {
			// Rule 10: the copy is the target's already; no write.
			c.Revision = rs.target
			rs.revisions[name] = rs.target
		}
		in.Clusters = append(in.Clusters, c)
	}
	plan, err := fedrollout.Plan(in)
	if err != nil {
		s.reason, s.message = fedtypesv1b1.ComputePlacementFailed, fmt.Sprintf("planning the rollout: %v: fix spec.rollout", err)
		s.stop = true
		return ctrl.Result{}, nil
	}
	rs.planned, rs.state = plan.Revisions, &plan.State
	if plan.RequeueAfter > 0 {
		s.requeue(plan.RequeueAfter)
	}
	return ctrl.Result{}, r.pruneRevisions(ctx, s)
}

// sameCopy reports whether the copy in cluster is the same under revision
// a as under revision b (rule 10).
func (r *Reconciler) sameCopy(s *scope, cluster string, a, b int64) bool {
	ca, okA := s.rollout.contents[a]
	cb, okB := s.rollout.contents[b]
	if !okA || !okB {
		return false
	}
	build := func(c fedrollout.Content) (*unstructured.Unstructured, error) {
		return r.buildDesired(s, cluster, c.Template, c.Overrides, nil)
	}
	da, errA := build(ca)
	db, errB := build(cb)
	return errA == nil && errB == nil && reflect.DeepEqual(da.Object, db.Object)
}

// recordRevision reads the object's revisions and records the spec's
// content as one when it is new (fedrollout.NextNumber); it sets history,
// contents and specRevision.
func (r *Reconciler) recordRevision(ctx context.Context, s *scope) error {
	rs := s.rollout
	content, err := fedrollout.ContentOf(s.fedObj)
	if err != nil {
		return fmt.Errorf("reading the content of %s: %w", s.describe(), err)
	}
	hash, err := fedrollout.Hash(content)
	if err != nil {
		return fmt.Errorf("hashing the content of %s: %w", s.describe(), err)
	}
	if err := r.readHistory(ctx, s, r.Client, hash); err != nil || rs.specRevision != 0 {
		return err
	}
	// A new content, or a cache that does not show the revision this
	// reconciler just created: the API server's history decides, so
	// that no two revisions get the same number.
	if err := r.readHistory(ctx, s, r.APIReader, hash); err != nil || rs.specRevision != 0 {
		return err
	}
	rev, err := fedrollout.NewRevision(s.fedObj, r.Namespace, content, fedrollout.NextNumber(rs.history))
	if err != nil {
		return err
	}
	switch err := r.Client.Create(ctx, rev); {
	case apierrors.IsAlreadyExists(err):
		// The cache had not shown it yet: read the stored number.
		if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(rev), rev); err != nil {
			return fmt.Errorf("reading revision %s/%s of %s: %w", rev.Namespace, rev.Name, s.describe(), err)
		}
		if rev.Labels[fedtypesv1b1.RevisionFederatedUIDLabel] != string(s.fedObj.GetUID()) {
			return fmt.Errorf("revision %s/%s of %s belongs to another object (an earlier one of the same name?): delete it", rev.Namespace, rev.Name, s.describe())
		}
	case err != nil:
		return fmt.Errorf("recording revision %d of %s: %w", rev.Revision, s.describe(), err)
	default:
		ctrl.LoggerFrom(ctx).V(1).Info("Recorded revision", "revision", rev.Revision, "name", rev.Name)
	}
	rs.history = append(rs.history, rev)
	rs.contents[rev.Revision] = content
	rs.specRevision = rev.Revision
	return nil
}

// readHistory reads the object's revisions through reader into the
// rollout scope, and the number of the one with the given hash.
func (r *Reconciler) readHistory(ctx context.Context, s *scope, reader client.Reader, hash string) error {
	rs := s.rollout
	list := &appsv1.ControllerRevisionList{}
	if err := reader.List(ctx, list, client.InNamespace(r.revisionNamespace(s)),
		client.MatchingLabels{fedtypesv1b1.RevisionFederatedUIDLabel: string(s.fedObj.GetUID())}); err != nil {
		return fmt.Errorf("listing the revisions of %s: %w", s.describe(), err)
	}
	rs.history, rs.contents, rs.specRevision = nil, map[int64]fedrollout.Content{}, 0
	for i := range list.Items {
		rev := &list.Items[i]
		c, err := fedrollout.RevisionContent(rev)
		if err != nil {
			return err
		}
		rs.history = append(rs.history, rev)
		rs.contents[rev.Revision] = c
		if rev.Labels[fedtypesv1b1.RevisionHashLabel] == hash {
			rs.specRevision = rev.Revision
		}
	}
	return nil
}

// revisionNamespace is where the object's revisions live: its own
// namespace, the control plane's for a cluster-scoped object.
func (r *Reconciler) revisionNamespace(s *scope) string {
	if ns := s.fedObj.GetNamespace(); ns != "" {
		return ns
	}
	return r.Namespace
}

// pruneRevisions deletes the oldest revisions beyond the history limit,
// keeping the current, update and rollbackTo revisions and every revision
// a cluster runs or is given.
func (r *Reconciler) pruneRevisions(ctx context.Context, s *scope) error {
	rs := s.rollout
	keep := map[int64]bool{rs.specRevision: true, rs.target: true}
	if rs.state != nil {
		keep[rs.state.CurrentRevision] = true
		keep[rs.state.UpdateRevision] = true
		keep[rs.state.PreviousRevision] = true
	}
	if rb := rs.strategy.RollbackTo; rb != nil {
		keep[rb.Revision] = true
	}
	for _, n := range rs.revisions {
		keep[n] = true
	}
	for _, n := range rs.planned {
		keep[n] = true
	}
	for _, rev := range fedrollout.Prune(rs.history, rs.strategy.HistoryLimit(), keep) {
		if err := r.Client.Delete(ctx, rev); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting revision %d (%s/%s) of %s: %w", rev.Revision, rev.Namespace, rev.Name, s.describe(), err)
		}
		ctrl.LoggerFrom(ctx).V(1).Info("Deleted old revision", "revision", rev.Revision, "name", rev.Name)
	}
	return nil
}

// revisionNumbers lists the numbers of a history, in order.
func revisionNumbers(history []*appsv1.ControllerRevision) string {
	var numbers []int64
	for _, rev := range history {
		numbers = append(numbers, rev.Revision)
	}
	slices.Sort(numbers)
	if len(numbers) == 0 {
		return "none"
	}
	return fmt.Sprint(numbers)
}
