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

package kubefedctl

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/duration"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/rollout"
)

// RolloutUndoOptions configure RolloutUndo.
type RolloutUndoOptions struct {
	Ref FederatedObjectRef
	// ToRevision is the number of the revision to go back to; 0 means
	// status.rollout.previousRevision, or currentRevision while a rollout
	// is in progress, paused or stalled.
	ToRevision int64
	// ResourceVersion, when set, is the resourceVersion the object must
	// still have (the one a caller showed a person before asking); empty:
	// the one undo reads. The write is refused when the object changed.
	ResourceVersion string
	DryRun          bool
	Out             io.Writer
}

// RolloutUndo writes the content of an earlier revision (template,
// overrides and placement, from its ControllerRevision) back into the spec
// of a federated object, as kubectl rollout undo does for a Deployment: the
// controller then rolls it out in waves like any new version. The write
// carries the resourceVersion read (optimistic lock), so a change made in
// between is not overwritten. A spec.rollout.rollbackTo pin is removed, as
// the spec itself now holds the revision.
func RolloutUndo(ctx context.Context, opts RolloutUndoOptions) error {
	p := newPrinter(opts.Out, 0)
	o, err := readRolloutObject(ctx, opts.Ref, "undo")
	if err != nil {
		return err
	}
	c, obj, what, strategy := o.c, o.obj, o.what, o.strategy
	number, content, err := undoRevision(ctx, o, opts)
	if err != nil {
		return err
	}
	same, err := holdsContent(obj, content)
	if err != nil {
		return err
	}
	if same && strategy.RollbackTo == nil {
		p.line("%s already holds the content of revision %d: nothing changed.", what, number)
		return nil
	}
	if err := setContent(obj, content); err != nil {
		return err
	}
	unstructured.RemoveNestedField(obj.Object, fedtypesv1b1.SpecField, fedtypesv1b1.RolloutField, "rollbackTo")
	var updateOpts []client.UpdateOption
	if opts.DryRun {
		updateOpts = append(updateOpts, client.DryRunAll)
	}
	// obj carries the resourceVersion read (or the caller's): the API
	// server refuses the update when the object changed since.
	if opts.ResourceVersion != "" {
		obj.SetResourceVersion(opts.ResourceVersion)
	}
	if err := c.Update(ctx, obj, updateOpts...); err != nil {
		if apierrors.IsConflict(err) {
			return staleError(what, cmp.Or(opts.ResourceVersion, obj.GetResourceVersion()))
		}
		return fmt.Errorf("writing revision %d back into the spec of %s in the host cluster: %w", number, what, err)
	}
	msg := fmt.Sprintf("%s rolled back to revision %d: its template, overrides and placement are in the spec again, and roll out wave by wave", what, number)
	if strategy.RollbackTo != nil {
		msg += fmt.Sprintf("; spec.rollout.rollbackTo (revision %d) was removed", strategy.RollbackTo.Revision)
	}
	p.line("%s%s", msg, dryRunSuffix(opts.DryRun))
	return nil
}

// undoRevision returns the number and content of the revision undo goes
// back to: opts.ToRevision, else the default one.
func undoRevision(ctx context.Context, o *rolloutObject, opts RolloutUndoOptions) (int64, rollout.Content, error) {
	status, err := statusOf(o.obj)
	if err != nil {
		return 0, rollout.Content{}, err
	}
	history, err := listRevisions(ctx, o.c, o.obj, namespaceOrDefault(opts.Ref.KubeFedNamespace))
	if err != nil {
		return 0, rollout.Content{}, err
	}
	number := opts.ToRevision
	if number == 0 {
		if number, err = defaultUndoRevision(o.what, status); err != nil {
			return 0, rollout.Content{}, err
		}
	}
	i := slices.IndexFunc(history, func(r *appsv1.ControllerRevision) bool { return r.Revision == number })
	if i < 0 {
		return 0, rollout.Content{}, fmt.Errorf("%s has no revision %d: the revisions kept are %s; name one with --to-revision (see 'kubefedctl rollout history')", o.what, number, revisionNumbers(history))
	}
	content, err := rollout.RevisionContent(history[i])
	return number, content, err
}

// holdsContent reports whether the spec of obj holds content already (its
// template, overrides and placement hash alike).
func holdsContent(obj *unstructured.Unstructured, content rollout.Content) (bool, error) {
	current, err := rollout.ContentOf(obj)
	if err != nil {
		return false, err
	}
	want, err := rollout.Hash(content)
	if err != nil {
		return false, err
	}
	have, err := rollout.Hash(current)
	return want == have, err
}

// defaultUndoRevision is the revision undo goes back to by default: the
// current revision while a rollout has not completed (the last one every
// wave ran), else the previous one.
func defaultUndoRevision(what string, status *fedtypesv1b1.GenericFederatedStatus) (int64, error) {
	if status == nil || status.Rollout == nil {
		return 0, fmt.Errorf("%s has no status.rollout yet, so no revision to go back to: name one with --to-revision (see 'kubefedctl rollout history')", what)
	}
	s := status.Rollout
	if s.Phase != fedtypesv1b1.RolloutPhaseComplete && s.UpdateRevision != s.CurrentRevision && s.CurrentRevision != 0 {
		return s.CurrentRevision, nil
	}
	if s.PreviousRevision == 0 {
		return 0, fmt.Errorf("%s has no previous revision (status.rollout.previousRevision is unset: no rollout after the first completed yet); name one with --to-revision (see 'kubefedctl rollout history')", what)
	}
	return s.PreviousRevision, nil
}

func staleError(what, resourceVersion string) error {
	return fmt.Errorf("%s changed since resourceVersion %s was read: nothing was written; look at it again ('kubefedctl rollout history', 'kubefedctl rollout status') and run the undo again", what, resourceVersion)
}

// setContent writes a revision's content into the spec of obj; a part the
// revision does not have is removed.
func setContent(obj *unstructured.Unstructured, content rollout.Content) error {
	if err := fedtypesv1b1.SetTemplate(obj, content.Template); err != nil {
		return err
	}
	if err := fedtypesv1b1.SetOverrides(obj, content.Overrides); err != nil {
		return err
	}
	return fedtypesv1b1.SetPlacement(obj, content.Placement)
}

// listRevisions returns the ControllerRevisions of a federated object (by
// its UID label), in the object's namespace or, for a cluster-scoped
// object, in the control plane's, by number.
func listRevisions(ctx context.Context, c client.Client, obj *unstructured.Unstructured, kubefedNS string) ([]*appsv1.ControllerRevision, error) {
	ns := cmp.Or(obj.GetNamespace(), kubefedNS)
	var list appsv1.ControllerRevisionList
	if err := c.List(ctx, &list, client.InNamespace(ns), client.MatchingLabels{fedtypesv1b1.RevisionFederatedUIDLabel: string(obj.GetUID())}); err != nil {
		return nil, fmt.Errorf("listing the ControllerRevisions of %s in namespace %s of the host cluster: %w", objectRef(obj.GetKind(), obj), ns, err)
	}
	out := make([]*appsv1.ControllerRevision, 0, len(list.Items))
	for i := range list.Items {
		out = append(out, &list.Items[i])
	}
	slices.SortFunc(out, func(a, b *appsv1.ControllerRevision) int { return cmp.Compare(a.Revision, b.Revision) })
	return out, nil
}

func revisionNumbers(history []*appsv1.ControllerRevision) string {
	if len(history) == 0 {
		return "none (the controller has not recorded any)"
	}
	var numbers []string
	for _, r := range history {
		numbers = append(numbers, fmt.Sprint(r.Revision))
	}
	return strings.Join(numbers, ", ")
}

// RolloutHistoryOptions configure RolloutHistory.
type RolloutHistoryOptions struct {
	Ref FederatedObjectRef
	Out io.Writer
	// Now is the time ages are computed from (default: the clock).
	Now time.Time
}

// RolloutHistory prints the revisions of a federated object: number,
// hash, age, what the rollout status says of it and which clusters run it.
func RolloutHistory(ctx context.Context, opts RolloutHistoryOptions) error {
	o, err := readRolloutObject(ctx, opts.Ref, "history")
	if err != nil {
		return err
	}
	status, err := statusOf(o.obj)
	if err != nil {
		return err
	}
	history, err := listRevisions(ctx, o.c, o.obj, namespaceOrDefault(opts.Ref.KubeFedNamespace))
	if err != nil {
		return err
	}
	if o.warning != "" {
		fmt.Fprintln(opts.Out, o.warning)
	}
	if len(history) == 0 {
		fmt.Fprintf(opts.Out, "%s has no revisions yet: the controller records them once it processes spec.rollout\n", o.what)
		return nil
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	roles := map[int64][]string{}
	if s := status.Rollout; s != nil {
		roles[s.CurrentRevision] = append(roles[s.CurrentRevision], "current")
		if s.UpdateRevision != s.CurrentRevision {
			roles[s.UpdateRevision] = append(roles[s.UpdateRevision], "update")
		}
		roles[s.PreviousRevision] = append(roles[s.PreviousRevision], "previous")
	}
	running := map[int64][]string{}
	for _, cs := range status.Clusters {
		running[cs.Revision] = append(running[cs.Revision], cs.Name)
	}
	w := tabwriter.NewWriter(opts.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "REVISION\tHASH\tAGE\tROLE\tCLUSTERS")
	for _, r := range history {
		clusters := running[r.Revision]
		slices.Sort(clusters)
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", r.Revision, dash(r.Labels[fedtypesv1b1.RevisionHashLabel]),
			duration.HumanDuration(now.Sub(r.CreationTimestamp.Time)), dash(strings.Join(roles[r.Revision], ",")), dash(strings.Join(clusters, ",")))
	}
	return w.Flush()
}
