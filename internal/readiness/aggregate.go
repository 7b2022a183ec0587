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

package readiness

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// Cluster is what Aggregate needs to know of one cluster.
type Cluster struct {
	// Name of the member cluster.
	Name string
	// Placed is true when the object is placed in the cluster; false for
	// a cluster the object left, whose copy is being removed.
	Placed bool
	// Propagated is false when this reconcile has no outcome for the
	// cluster (nothing was tried there yet).
	Propagated bool
	// Waiting is true when the cluster runs an older revision of an object
	// with spec.rollout and waits for its turn (its wave, its batch, a
	// resume): the object is not rolled out there yet. Object.Rollout's
	// message names it.
	Waiting bool
	// Propagation is the outcome, status.clusters[].status (empty: the copy
	// is up to date), and Detail its message.
	Propagation fedtypesv1b1.PropagationStatus
	Detail      string
	// Refused is true when the last write was refused in a way that will
	// not pass on its own (see Refused).
	Refused bool
	// Readiness is the copy's readiness (see Checker.Copy).
	Readiness Result
}

// Rollout is what Aggregate needs to know of an object's progressive
// rollout (spec.rollout, docs/rollout.md).
type Rollout struct {
	// Phase and Reason are status.rollout's.
	Phase  fedtypesv1b1.RolloutPhase
	Reason fedtypesv1b1.RolloutReason
	// Message says where the rollout is (its wave, the clusters not
	// updated yet) and, paused or stalled, what to do next; the
	// conditions quote it.
	Message string
}

// Object is what Aggregate needs to know of a federated object.
type Object struct {
	// Clusters are the clusters the object is placed in and those it is
	// being removed from, in any order.
	Clusters []Cluster
	// Reason and Message, when Reason is set, say why the object as a
	// whole could not be propagated (the Propagation condition's reason).
	Reason  fedtypesv1b1.AggregateReason
	Message string
	// Rollout is the object's rollout; nil without spec.rollout.
	Rollout *Rollout
}

// Conditions are the readiness conditions of a federated object. Reconciling
// and Stalled are nil when not True: they are left out of the status.
type Conditions struct {
	Ready                fedtypesv1b1.GenericCondition
	Reconciling, Stalled *fedtypesv1b1.GenericCondition
}

// maxNamed bounds the clusters a message names; the others are counted.
const maxNamed = 5

// stallingPropagation are the propagation outcomes that will not change
// without a change of the object or of the member: an override that fails,
// a copy that cannot be computed, an object kubefed must leave alone.
var stallingPropagation = []fedtypesv1b1.PropagationStatus{
	fedtypesv1b1.ApplyOverridesFailed, fedtypesv1b1.ComputeResourceFailed,
	fedtypesv1b1.AlreadyExists, fedtypesv1b1.ManagedLabelFalse,
}

// Stalls reports whether a cluster's propagation outcome keeps the object
// from becoming ready until something changes: see stallingPropagation,
// and creations and updates the member refused for good.
func (c Cluster) Stalls() bool {
	if slices.Contains(stallingPropagation, c.Propagation) {
		return true
	}
	return c.Refused && (c.Propagation == fedtypesv1b1.CreationFailed || c.Propagation == fedtypesv1b1.UpdateFailed)
}

// aggregation collects, part by part, what keeps an object from being
// ready.
type aggregation struct {
	stalled, propagating, inProgress []string
	// stalledReason is the Stalled reason: the cause the user fixes
	// first (see stallRank).
	stalledReason fedtypesv1b1.AggregateReason
	// paused is the message of a paused rollout.
	paused string
	placed int
}

// stallRank orders the Stalled reasons, the first to fix first: the
// placement, then a stopped rollout, then a write refused, then a failed
// copy.
func stallRank(reason fedtypesv1b1.AggregateReason) int {
	switch reason {
	case fedtypesv1b1.ComputePlacementFailed:
		return 0
	case fedtypesv1b1.StalledPropagationFailed:
		return 2
	case fedtypesv1b1.StalledMemberFailed:
		return 3
	}
	return 1 // A rollout's reason.
}

func (a *aggregation) stall(reason fedtypesv1b1.AggregateReason, msg string) {
	if a.stalledReason == "" || stallRank(reason) < stallRank(a.stalledReason) {
		a.stalledReason = reason
	}
	a.stalled = append(a.stalled, msg)
}

// rollout adds what a rollout that is not complete keeps from being ready,
// and reports whether its message names the clusters that wait for their
// turn.
func (a *aggregation) rollout(ro *Rollout) bool {
	if ro == nil {
		return false
	}
	switch ro.Phase {
	case fedtypesv1b1.RolloutPhaseStalled:
		a.stall(fedtypesv1b1.AggregateReason(ro.Reason), ro.Message)
	case fedtypesv1b1.RolloutPhasePaused:
		a.paused = ro.Message
	case fedtypesv1b1.RolloutPhaseProgressing:
		a.propagating = append(a.propagating, ro.Message)
	default:
		return false
	}
	return true
}

// Aggregate computes the Ready, Reconciling and Stalled conditions of a
// federated object (without times) from its clusters and its rollout, as
// the package doc says.
func Aggregate(o Object) Conditions {
	a := &aggregation{}
	switch o.Reason {
	case "":
	case fedtypesv1b1.ComputePlacementFailed:
		a.stall(o.Reason, cmp.Or(o.Message, string(o.Reason)))
	default:
		a.propagating = append(a.propagating, cmp.Or(o.Message, string(o.Reason)))
	}
	rolling := a.rollout(o.Rollout)
	clusters := slices.SortedFunc(slices.Values(o.Clusters), func(a, b Cluster) int { return cmp.Compare(a.Name, b.Name) })
	for _, c := range clusters {
		if c.Placed {
			a.placed++
		}
		switch {
		case !c.Placed:
			if c.Propagated && c.Propagation != fedtypesv1b1.ClusterPropagationOK {
				a.propagating = append(a.propagating, fmt.Sprintf("%s in %s (the object left it)", c.Propagation, c.Name))
			}
		case c.Waiting && rolling:
			// The rollout's message names it.
		case c.Waiting || !c.Propagated:
			a.propagating = append(a.propagating, "not propagated yet to "+c.Name)
		case c.Stalls():
			a.stall(fedtypesv1b1.StalledPropagationFailed, fmt.Sprintf("%s in %s: %s", c.Propagation, c.Name, c.Detail))
		case c.Propagation != fedtypesv1b1.ClusterPropagationOK:
			a.propagating = append(a.propagating, fmt.Sprintf("%s in %s", c.Propagation, c.Name))
		case c.Readiness.Status == fedtypesv1b1.ReadinessFailed:
			a.stall(fedtypesv1b1.StalledMemberFailed, fmt.Sprintf("Failed in %s: %s", c.Name, c.Readiness.Message))
		case c.Readiness.Status != fedtypesv1b1.ReadinessCurrent:
			a.inProgress = append(a.inProgress, fmt.Sprintf("%s in %s: %s", cmp.Or(c.Readiness.Status, fedtypesv1b1.ReadinessUnknown), c.Name, c.Readiness.Message))
		}
	}
	return a.conditions()
}

// conditions turns what was collected into the conditions: Stalled before
// Reconciling, as kstatus reads them.
func (a *aggregation) conditions() Conditions {
	var out Conditions
	switch {
	case len(a.stalled) > 0:
		msg := join(a.stalled)
		out.Stalled = &fedtypesv1b1.GenericCondition{Type: fedtypesv1b1.StalledConditionType, Status: corev1.ConditionTrue, Reason: a.stalledReason, Message: msg}
		out.Ready = fedtypesv1b1.GenericCondition{Type: fedtypesv1b1.ReadyConditionType, Status: corev1.ConditionFalse, Reason: fedtypesv1b1.ReadyReasonFailed, Message: msg}
	case a.paused != "" || len(a.propagating) > 0 || len(a.inProgress) > 0:
		reason := fedtypesv1b1.ReconcilingMemberInProgress
		var parts []string
		switch {
		case a.paused != "":
			reason, parts = fedtypesv1b1.ReconcilingRolloutPaused, []string{a.paused}
		case len(a.propagating) > 0:
			reason = fedtypesv1b1.ReconcilingPropagating
		}
		msg := join(append(append(parts, a.propagating...), a.inProgress...))
		out.Reconciling = &fedtypesv1b1.GenericCondition{Type: fedtypesv1b1.ReconcilingConditionType, Status: corev1.ConditionTrue, Reason: reason, Message: msg}
		out.Ready = fedtypesv1b1.GenericCondition{Type: fedtypesv1b1.ReadyConditionType, Status: corev1.ConditionFalse, Reason: fedtypesv1b1.ReadyReasonInProgress, Message: msg}
	default:
		msg := fmt.Sprintf("current in %d of %d placed clusters", a.placed, a.placed)
		if a.placed == 0 {
			msg = "placed in no cluster"
		}
		out.Ready = fedtypesv1b1.GenericCondition{Type: fedtypesv1b1.ReadyConditionType, Status: corev1.ConditionTrue, Reason: fedtypesv1b1.ReadyReasonCurrent, Message: msg}
	}
	return out
}

// join joins the first maxNamed parts with "; " and counts the others.
func join(parts []string) string {
	if len(parts) <= maxNamed {
		return strings.Join(parts, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(parts[:maxNamed], "; "), len(parts)-maxNamed)
}
