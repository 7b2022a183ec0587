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

	"github.com/spf13/cobra"
)

func newRolloutCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollout",
		Short: "Manage the progressive rollout of a federated resource",
		Long: `Manage the progressive rollout of a federated resource with spec.rollout: a new
version goes to its clusters wave by wave, each wave gated by the readiness of
the copies already updated (docs/rollout.md). The type may be the federated
type (FederatedDeployment, fdeploy) or its target type (deployments).`,
	}
	r := &rolloutCommands{g: g}
	cmd.AddCommand(r.status(), r.pause(), r.resume(), r.undo(), r.history())
	return cmd
}

// rolloutCommands builds the subcommands of kubefedctl rollout, which all
// name one federated object.
type rolloutCommands struct {
	g *GlobalOptions
}

// control runs a pause or resume with the global options.
func (r *rolloutCommands) control(run func(ctx context.Context, opts RolloutControlOptions) error) func(cmd *cobra.Command, ref FederatedObjectRef) error {
	return func(cmd *cobra.Command, ref FederatedObjectRef) error {
		return run(cmd.Context(), RolloutControlOptions{Ref: ref, DryRun: r.g.DryRun, Out: cmd.OutOrStdout()})
	}
}

func (r *rolloutCommands) status() *cobra.Command {
	var status RolloutStatusOptions
	statusCmd := r.g.onFederatedObject(&cobra.Command{
		Use:   "status",
		Short: "Show the rollout of a federated resource",
		Long: `Status shows the rollout of a federated resource: each cluster's revision and
readiness, then the phase (Progressing, Paused, Stalled or Complete) with its
reason, the wave in progress (name, and index of the total, the implicit wave
"remaining" included), the message, and the current, update and previous
revisions. With --watch it waits, printing each change, until the rollout is
Complete or Stalled.

Exit codes: 0 when the rollout is Complete at the object's generation, 2 when
the controller has not processed the current generation (or wrote no rollout
status yet), 3 while it progresses, 4 when it is Stalled (it needs a change:
resume, undo or a fix), 5 when it is paused, 1 when the command failed.`,
		Example: `  # Where the rollout of the FederatedDeployment web in namespace demo is
  kubefedctl rollout status deployments web -n demo

  # Wait for it to complete or stall, at most 30 minutes
  kubefedctl rollout status fdeploy web -n demo --watch --timeout 30m`,
	}, func(cmd *cobra.Command, ref FederatedObjectRef) error {
		status.Ref, status.Out = ref, cmd.OutOrStdout()
		return RolloutStatus(cmd.Context(), status)
	})
	statusCmd.Flags().StringVarP(&status.Output, "output", "o", "", "output format: wide, yaml or json (default: a table)")
	statusCmd.Flags().BoolVarP(&status.Watch, "watch", "w", false, "wait until the rollout is Complete or Stalled, printing each change")
	statusCmd.Flags().DurationVar(&status.Timeout, "timeout", 0, "with --watch, how long to wait (0: no limit)")
	return statusCmd
}

func (r *rolloutCommands) pause() *cobra.Command {
	return r.g.onFederatedObject(&cobra.Command{
		Use:   "pause",
		Short: "Hold the rollout of a federated resource where it is",
		Long: `Pause sets spec.rollout.paused: no further cluster gets the new revision; the
copies already updated stay. A complete rollout is not held: a later change
waits at its first wave.`,
		Example: `  kubefedctl rollout pause deployments web -n demo`,
	}, r.control(RolloutPause))
}

func (r *rolloutCommands) resume() *cobra.Command {
	return r.g.onFederatedObject(&cobra.Command{
		Use:   "resume",
		Short: "Continue a paused or stalled rollout",
		Long: `Resume clears spec.rollout.paused; the wave in progress starts over (a fresh
deadline and soak). On a Stalled rollout it writes paused: true and then
paused: false, two new generations, and the controller retries the stalled
wave: fix what stopped it first.`,
		Example: `  kubefedctl rollout resume deployments web -n demo`,
	}, r.control(RolloutResume))
}

func (r *rolloutCommands) undo() *cobra.Command {
	var undo RolloutUndoOptions
	undoCmd := r.g.onFederatedObject(&cobra.Command{
		Use:   "undo",
		Short: "Go back to an earlier revision of a federated resource",
		Long: `Undo writes the content of an earlier revision (template, overrides and
placement, kept in a ControllerRevision) back into the spec, as 'kubectl rollout
undo' does for a Deployment; the revision then rolls out wave by wave, and only
the clusters that had been updated are written. By default it goes back to
status.rollout.previousRevision, or to currentRevision while a rollout is in
progress, paused or stalled. The write is refused when the object changed
after undo read it. A spec.rollout.rollbackTo pin is removed.`,
		Example: `  # Go back from a stalled rollout to the revision every wave ran
  kubefedctl rollout undo deployments web -n demo

  # Go back to revision 3
  kubefedctl rollout undo deployments web -n demo --to-revision 3`,
	}, func(cmd *cobra.Command, ref FederatedObjectRef) error {
		undo.Ref, undo.DryRun, undo.Out = ref, r.g.DryRun, cmd.OutOrStdout()
		return RolloutUndo(cmd.Context(), undo)
	})
	undoCmd.Flags().Int64Var(&undo.ToRevision, "to-revision", 0, "the revision to go back to (default: the previous revision, or the current one while a rollout has not completed)")
	return undoCmd
}

func (r *rolloutCommands) history() *cobra.Command {
	return r.g.onFederatedObject(&cobra.Command{
		Use:     "history",
		Short:   "List the revisions of a federated resource",
		Long:    `History lists the revisions kept of a federated resource: number, content hash, age, whether it is the current, update or previous revision, and the clusters that run it.`,
		Example: `  kubefedctl rollout history deployments web -n demo`,
	}, func(cmd *cobra.Command, ref FederatedObjectRef) error {
		return RolloutHistory(cmd.Context(), RolloutHistoryOptions{Ref: ref, Out: cmd.OutOrStdout()})
	})
}
