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
	"encoding/json"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// RolloutControlOptions configure RolloutPause and RolloutResume.
type RolloutControlOptions struct {
	Ref    FederatedObjectRef
	DryRun bool
	Out    io.Writer
}

// RolloutPause sets spec.rollout.paused of a federated object: no further
// cluster gets the new revision until it is resumed.
func RolloutPause(ctx context.Context, opts RolloutControlOptions) error {
	p := newPrinter(opts.Out, 0)
	o, err := readRolloutObject(ctx, opts.Ref, "pause")
	if err != nil {
		return err
	}
	if o.strategy.Paused {
		p.line("%s is already paused: nothing changed.", o.what)
		return nil
	}
	if err := patchPaused(ctx, o.c, o.obj, true, opts.DryRun); err != nil {
		return err
	}
	p.line("%s paused: no further cluster gets the new revision until 'kubefedctl rollout resume'%s", o.what, dryRunSuffix(opts.DryRun))
	return nil
}

// RolloutResume clears spec.rollout.paused of a federated object. On a
// Stalled rollout it writes paused: true and then paused: false, two new
// generations, so that the controller retries the wave with a fresh
// deadline (docs/rollout.md, rule 7).
func RolloutResume(ctx context.Context, opts RolloutControlOptions) error {
	p := newPrinter(opts.Out, 0)
	o, err := readRolloutObject(ctx, opts.Ref, "resume")
	if err != nil {
		return err
	}
	status, err := statusOf(o.obj)
	if err != nil {
		return err
	}
	stalled := status.Rollout != nil && status.Rollout.Phase == fedtypesv1b1.RolloutPhaseStalled
	switch {
	case stalled:
		if !o.strategy.Paused {
			if err := patchPaused(ctx, o.c, o.obj, true, opts.DryRun); err != nil {
				return err
			}
		}
		if err := patchPaused(ctx, o.c, o.obj, false, opts.DryRun); err != nil {
			return err
		}
		p.line("%s resumed: the stalled wave %s is retried with a fresh deadline%s", o.what, status.Rollout.CurrentWaveName, dryRunSuffix(opts.DryRun))
	case o.strategy.Paused:
		if err := patchPaused(ctx, o.c, o.obj, false, opts.DryRun); err != nil {
			return err
		}
		p.line("%s resumed%s", o.what, dryRunSuffix(opts.DryRun))
	default:
		p.line("%s is not paused: nothing changed.", o.what)
	}
	return nil
}

// patchPaused writes spec.rollout.paused with a merge patch.
func patchPaused(ctx context.Context, c client.Client, obj *unstructured.Unstructured, paused, dryRun bool) error {
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"rollout": map[string]any{"paused": paused}}})
	if err != nil {
		return err
	}
	var opts []client.PatchOption
	if dryRun {
		opts = append(opts, client.DryRunAll)
	}
	if err := c.Patch(ctx, obj, client.RawPatch(types.MergePatchType, patch), opts...); err != nil {
		return fmt.Errorf("setting spec.rollout.paused to %t on %s in the host cluster: %w", paused, objectRef(obj.GetKind(), obj), err)
	}
	return nil
}

func dryRunSuffix(dryRun bool) string {
	if dryRun {
		return " (dry run)"
	}
	return ""
}
