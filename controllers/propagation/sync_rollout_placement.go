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
	"maps"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// placeByRevision makes the placed clusters those of revision n's stored
// placement when n is not the spec's own revision (a rollbackTo target): a
// revision's content is its template, overrides and placement, and running
// it runs all three. The placement is resolved as the spec's is
// (reconcilePlacement: against the KubeFedClusters, bounded by the
// namespace's FederatedNamespace in a cluster-scoped control plane). So a
// cluster the revision does not place loses its copy (removals are not
// gated, docs/rollout.md), and a cluster it places gets the revision when
// its wave comes. When the placement cannot be resolved, the reconcile
// stops with the reason.
func (r *Reconciler) placeByRevision(ctx context.Context, s *scope, n int64) error {
	rs := s.rollout
	content, ok := rs.contents[n]
	if !ok || n == rs.specRevision {
		return nil
	}
	obj := s.fedObj.DeepCopy()
	if err := fedtypesv1b1.SetPlacement(obj, content.Placement); err != nil {
		return fmt.Errorf("reading the placement of revision %d of %s: %w", n, s.describe(), err)
	}
	placed := &scope{fedObj: obj, config: s.config, clusters: s.clusters}
	if _, err := r.reconcilePlacement(ctx, placed); err != nil {
		return err
	}
	if placed.stop {
		s.reason, s.stop = placed.reason, true
		s.message = fmt.Sprintf("the placement of revision %d (spec.rollout.rollbackTo): %s", n, placed.message)
		return nil
	}
	s.selected = placed.selected
	return nil
}

// revisionNotFound stops a rollout whose rollbackTo names a revision the
// history does not have: nothing is written anywhere until the spec
// changes. The placed clusters are those of the revision the rollout last
// went to (status.rollout.updateRevision), so that no copy is removed
// either.
func (r *Reconciler) revisionNotFound(ctx context.Context, s *scope, missing int64) error {
	rs := s.rollout
	state := s.oldStatus.Rollout.DeepCopy()
	if state == nil {
		state = &fedtypesv1b1.RolloutStatus{}
	}
	if err := r.placeByRevision(ctx, s, state.UpdateRevision); err != nil || s.stop {
		return err
	}
	state.ObservedGeneration = s.fedObj.GetGeneration()
	state.Phase, state.Reason = fedtypesv1b1.RolloutPhaseStalled, fedtypesv1b1.RolloutReasonRevisionNotFound
	state.Message = fmt.Sprintf("spec.rollout.rollbackTo names revision %d, which the history does not have (it keeps %s): name one of those, or remove rollbackTo",
		missing, revisionNumbers(rs.history))
	rs.state = state
	rs.planned = maps.Clone(rs.revisions)
	return r.pruneRevisions(ctx, s)
}
