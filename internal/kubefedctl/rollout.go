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
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// The exit codes of kubefedctl rollout status. They follow kubefedctl
// status: 2 while the controller has not processed the current generation,
// 4 when only a change gets the rollout going again. A script that waits
// for a rollout loops while the code is 2 or 3 and stops on 4 (and on 5,
// unless someone is expected to resume it).
const (
	// ExitRolloutComplete (0): every wave runs the update revision, at the
	// object's current generation.
	ExitRolloutComplete = 0
	// ExitRolloutNotObserved (2): there is no status.rollout yet, or it
	// is of an older generation than the object's.
	ExitRolloutNotObserved = 2
	// ExitRolloutProgressing (3): a wave is being updated or soaks.
	ExitRolloutProgressing = 3
	// ExitRolloutStalled (4): a wave failed; no further cluster is
	// written until the spec changes (rollout resume, rollout undo, a fix).
	ExitRolloutStalled = 4
	// ExitRolloutPaused (5): spec.rollout.paused holds the rollout.
	ExitRolloutPaused = 5
)

// RolloutReport is what kubefedctl rollout status shows of a federated
// object.
type RolloutReport struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	// Generation is the object's; ObservedGeneration the one status.rollout
	// was computed for.
	Generation         int64 `json:"generation"`
	ObservedGeneration int64 `json:"observedGeneration"`
	// Paused is spec.rollout.paused.
	Paused bool `json:"paused,omitempty"`
	// Phase, Reason and Message are status.rollout's; Phase is empty before
	// the controller wrote status.rollout.
	Phase   string `json:"phase,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Wave is the index of the wave in progress (0-based) and WaveName its
	// name; Waves is the number of waves, the implicit "remaining" one
	// included.
	Wave     int32  `json:"wave"`
	WaveName string `json:"waveName,omitempty"`
	Waves    int    `json:"waves"`
	// CurrentRevision, UpdateRevision and PreviousRevision are
	// status.rollout's.
	CurrentRevision  int64 `json:"currentRevision,omitempty"`
	UpdateRevision   int64 `json:"updateRevision,omitempty"`
	PreviousRevision int64 `json:"previousRevision,omitempty"`
	// WaveStartTime and SoakStartTime are status.rollout's, RFC 3339.
	WaveStartTime string `json:"waveStartTime,omitempty"`
	SoakStartTime string `json:"soakStartTime,omitempty"`
	// Clusters has one row per cluster of status.clusters.
	Clusters []RolloutClusterRow `json:"clusters"`
}

// RolloutClusterRow is the revision one cluster runs, and its readiness.
type RolloutClusterRow struct {
	Cluster string `json:"cluster"`
	// Revision is status.clusters[].revision: 0 when there is no copy.
	Revision int64 `json:"revision"`
	// Readiness is the kstatus status of the copy; ReadinessMessage says
	// why.
	Readiness        string `json:"readiness,omitempty"`
	ReadinessMessage string `json:"readinessMessage,omitempty"`
}

// RolloutNotCompleteError is returned by RolloutStatus when the rollout is
// not Complete at the object's generation; kubefedctl exits with ExitCode.
type RolloutNotCompleteError struct {
	Object string
	// Code is one of the ExitRollout* codes other than 0.
	Code int
	// Detail says where the rollout is and what to do.
	Detail string
}

func (e *RolloutNotCompleteError) Error() string {
	return fmt.Sprintf("the rollout of %s %s", e.Object, e.Detail)
}

// ExitCode is the exit code of kubefedctl rollout status.
func (e *RolloutNotCompleteError) ExitCode() int { return e.Code }

// RolloutStatusOptions configure RolloutStatus.
type RolloutStatusOptions struct {
	Ref FederatedObjectRef
	// Output is "" (a table), wide (with messages), yaml or json.
	Output string
	// Watch makes RolloutStatus wait until the rollout is Complete or
	// Stalled, printing each change, at most Timeout (0: no limit).
	Watch   bool
	Timeout time.Duration
	// Interval is how often a watch reads the object again (default 2s).
	Interval time.Duration
	Out      io.Writer
}

// RolloutStatus prints the rollout of a federated object with
// spec.rollout: its phase, the wave in progress, the revisions and the
// revision and readiness of each cluster. It returns a
// *RolloutNotCompleteError unless the rollout is Complete.
func RolloutStatus(ctx context.Context, opts RolloutStatusOptions) error {
	if err := checkReportOutput(opts.Output); err != nil {
		return err
	}
	if opts.Watch && (opts.Output == "yaml" || opts.Output == "json") {
		return fmt.Errorf("--watch prints a table: leave out -o %s", opts.Output)
	}
	c, ro, err := readFederatedObject(ctx, opts.Ref)
	if err != nil {
		return err
	}
	if ro.warning != "" && opts.Output != "yaml" && opts.Output != "json" {
		fmt.Fprintln(opts.Out, ro.warning)
	}
	report, err := buildRolloutReport(ro.obj)
	if err != nil {
		return err
	}
	if err := printRolloutReport(opts.Out, report, opts.Output); err != nil {
		return err
	}
	if !opts.Watch {
		return report.completionError()
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	interval := opts.Interval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	last := report.summary()
	for {
		err := report.completionError()
		var nc *RolloutNotCompleteError
		if err == nil || (errors.As(err, &nc) && nc.Code == ExitRolloutStalled) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up waiting after %s)", err, opts.Timeout)
		case <-time.After(interval):
		}
		obj := ro.obj.DeepCopy()
		if err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			if ctx.Err() != nil {
				continue
			}
			return fmt.Errorf("reading %s %s again: %w", obj.GetKind(), objectKey(obj), err)
		}
		if report, err = buildRolloutReport(obj); err != nil {
			return err
		}
		if s := report.summary(); s != last {
			fmt.Fprintln(opts.Out, s)
			last = s
		}
	}
}

// buildRolloutReport reads spec.rollout and the status of a federated
// object; an object without spec.rollout is refused.
func buildRolloutReport(obj *unstructured.Unstructured) (*RolloutReport, error) {
	strategy, err := rolloutStrategy(obj, "status")
	if err != nil {
		return nil, err
	}
	status, err := statusOf(obj)
	if err != nil {
		return nil, err
	}
	r := &RolloutReport{Kind: obj.GetKind(), Name: obj.GetName(), Namespace: obj.GetNamespace(),
		Generation: obj.GetGeneration(), Paused: strategy.Paused, Waves: len(strategy.Waves) + 1}
	if s := status.Rollout; s != nil {
		r.ObservedGeneration = s.ObservedGeneration
		r.Phase, r.Reason, r.Message = string(s.Phase), string(s.Reason), s.Message
		r.Wave, r.WaveName = s.CurrentWave, s.CurrentWaveName
		r.CurrentRevision, r.UpdateRevision, r.PreviousRevision = s.CurrentRevision, s.UpdateRevision, s.PreviousRevision
		if s.WaveStartTime != nil {
			r.WaveStartTime = s.WaveStartTime.UTC().Format(time.RFC3339)
		}
		if s.SoakStartTime != nil {
			r.SoakStartTime = s.SoakStartTime.UTC().Format(time.RFC3339)
		}
	}
	for _, cs := range status.Clusters {
		r.Clusters = append(r.Clusters, RolloutClusterRow{Cluster: cs.Name, Revision: cs.Revision,
			Readiness: string(cs.Readiness), ReadinessMessage: cs.ReadinessMessage})
	}
	slices.SortFunc(r.Clusters, func(a, b RolloutClusterRow) int { return strings.Compare(a.Cluster, b.Cluster) })
	return r, nil
}

// rolloutStrategy returns spec.rollout, or an error that says the command
// applies to objects rolled out in waves only.
func rolloutStrategy(obj *unstructured.Unstructured, command string) (*fedtypesv1b1.RolloutStrategy, error) {
	strategy, err := fedtypesv1b1.GetRollout(obj)
	if err != nil {
		return nil, err
	}
	if strategy == nil {
		return nil, fmt.Errorf("%s %s has no spec.rollout: 'kubefedctl rollout %s' applies to objects rolled out in waves, and this one reaches every placed cluster at once (use 'kubefedctl status' for it, or add spec.rollout: see docs/rollout.md)",
			obj.GetKind(), objectKey(obj), command)
	}
	return strategy, nil
}

// rolloutObject is a federated object with spec.rollout, read for one of
// the rollout commands.
type rolloutObject struct {
	c   client.Client
	obj *unstructured.Unstructured
	// warning says why the type may not be a federated type.
	warning string
	// what names the object: Kind namespace/name.
	what     string
	strategy *fedtypesv1b1.RolloutStrategy
}

// readRolloutObject reads the federated object ref names for 'kubefedctl
// rollout command'; an object without spec.rollout is refused.
func readRolloutObject(ctx context.Context, ref FederatedObjectRef, command string) (*rolloutObject, error) {
	c, ro, err := readFederatedObject(ctx, ref)
	if err != nil {
		return nil, err
	}
	strategy, err := rolloutStrategy(ro.obj, command)
	if err != nil {
		return nil, err
	}
	return &rolloutObject{c: c, obj: ro.obj, warning: ro.warning, what: objectRef(ro.obj.GetKind(), ro.obj), strategy: strategy}, nil
}

func printRolloutReport(out io.Writer, r *RolloutReport, output string) error {
	if printed, err := printStructured(out, r, output); printed || err != nil {
		return err
	}
	wide := output == "wide"
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	header := "CLUSTER\tREVISION\tUPDATED\tREADINESS"
	if wide {
		header += "\tMESSAGE"
	}
	fmt.Fprintln(w, header)
	for _, row := range r.Clusters {
		revision, updated := "-", "-"
		if row.Revision != 0 {
			revision = fmt.Sprint(row.Revision)
		}
		if r.UpdateRevision != 0 && row.Revision != 0 {
			updated = fmt.Sprint(row.Revision == r.UpdateRevision)
		}
		line := strings.Join([]string{row.Cluster, revision, updated, dash(row.Readiness)}, "\t")
		if wide {
			line += "\t" + dash(row.ReadinessMessage)
		}
		fmt.Fprintln(w, line)
	}
	w.Flush()
	fmt.Fprintln(out, r.summary())
	if r.Phase != "" {
		fmt.Fprintf(out, "Revisions: current %s, update %s, previous %s\n", revNum(r.CurrentRevision), revNum(r.UpdateRevision), revNum(r.PreviousRevision))
	}
	return nil
}

// summary is the rollout's line, e.g. "FederatedDeployment demo/web:
// Progressing (WaveInProgress), wave canary (1/3): member1 InProgress".
func (r *RolloutReport) summary() string {
	line := r.ref() + ": "
	if r.Phase == "" {
		line += "no rollout status yet"
		if r.Paused {
			line += ", paused"
		}
		return line
	}
	line += r.Phase
	if r.Reason != "" {
		line += " (" + r.Reason + ")"
	}
	// The controller's messages name the wave already: say it once.
	if wave := fmt.Sprintf("%s (%d/%d)", r.WaveName, r.Wave+1, r.Waves); r.Phase != string(fedtypesv1b1.RolloutPhaseComplete) && !strings.Contains(r.Message, wave) {
		line += ", wave " + wave
	}
	if r.Paused && r.Phase != string(fedtypesv1b1.RolloutPhasePaused) {
		line += ", paused"
	}
	if r.ObservedGeneration != r.Generation {
		line += fmt.Sprintf(", status is of generation %d (object at %d)", r.ObservedGeneration, r.Generation)
	}
	if r.Message != "" {
		line += ": " + r.Message
	}
	return line
}

// completionError returns a *RolloutNotCompleteError unless the rollout is
// Complete at the object's generation.
func (r *RolloutReport) completionError() error {
	e := &RolloutNotCompleteError{Object: r.ref()}
	switch {
	case r.Phase == "":
		e.Code, e.Detail = ExitRolloutNotObserved, "has no status yet: check that the controller manager runs and supports spec.rollout"
	case r.ObservedGeneration != r.Generation:
		e.Code = ExitRolloutNotObserved
		e.Detail = fmt.Sprintf("is not processed yet: status.rollout is of generation %d, the object is at %d; wait, or check that the controller manager runs", r.ObservedGeneration, r.Generation)
	case r.Phase == string(fedtypesv1b1.RolloutPhaseComplete):
		return nil
	case r.Phase == string(fedtypesv1b1.RolloutPhaseStalled):
		e.Code = ExitRolloutStalled
		e.Detail = fmt.Sprintf("is stalled at wave %s (%s): %s; fix the clusters named, then 'kubefedctl rollout resume' to retry the wave, or 'kubefedctl rollout undo' to go back to revision %s",
			r.WaveName, r.Reason, r.Message, revNum(r.CurrentRevision))
	case r.Phase == string(fedtypesv1b1.RolloutPhasePaused):
		e.Code = ExitRolloutPaused
		e.Detail = fmt.Sprintf("is paused at wave %s: 'kubefedctl rollout resume' continues it", r.WaveName)
	default:
		e.Code = ExitRolloutProgressing
		e.Detail = fmt.Sprintf("is in progress at wave %s (%d/%d): %s", r.WaveName, r.Wave+1, r.Waves, r.Message)
	}
	return e
}

// ref names the object as "Kind namespace/name".
func (r *RolloutReport) ref() string {
	return kindRef(r.Kind, r.Namespace, r.Name)
}

func revNum(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
