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

package federatedtypeconfig

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// writeStatus records whether the controller runs, and what it found out
// (the status fields its CRD drops, the members where it does not watch
// its copies), only when that changed.
func (r *Reconciler) writeStatus(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, reason, message string,
	pruned []string, memberWatchErrors map[string]error) error {
	orig := ftc.DeepCopy()
	ftc.Status.ObservedGeneration = ftc.Generation
	ftc.Status.PropagationController = fedcorev1b1.ControllerStatusNotRunning
	status := metav1.ConditionFalse
	if reason == fedcorev1b1.ReasonControllerRunning {
		ftc.Status.PropagationController = fedcorev1b1.ControllerStatusRunning
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&ftc.Status.Conditions, metav1.Condition{
		Type: fedcorev1b1.FederatedTypeConfigReady, Status: status, Reason: reason, Message: message, ObservedGeneration: ftc.Generation,
	})
	setStatusSchemaCondition(ftc, pruned)
	setMemberWatchesCondition(ftc, memberWatchErrors)
	if equalStatus(&orig.Status, &ftc.Status) {
		return nil
	}
	if err := r.Client.Status().Patch(ctx, ftc, client.MergeFrom(orig)); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("writing the status of FederatedTypeConfig %s: %w", ftc.Name, err)
	}
	return nil
}

func equalStatus(a, b *fedcorev1b1.FederatedTypeConfigStatus) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// setStatusSchemaCondition sets StatusSchemaComplete=False naming the
// status fields the type's CRD drops, or removes the condition when there
// are none.
func setStatusSchemaCondition(ftc *fedcorev1b1.FederatedTypeConfig, pruned []string) {
	if len(pruned) == 0 {
		meta.RemoveStatusCondition(&ftc.Status.Conditions, fedcorev1b1.FederatedTypeConfigStatusSchemaComplete)
		return
	}
	meta.SetStatusCondition(&ftc.Status.Conditions, metav1.Condition{
		Type: fedcorev1b1.FederatedTypeConfigStatusSchemaComplete, Status: metav1.ConditionFalse,
		Reason: fedcorev1b1.ReasonStatusFieldsPruned, ObservedGeneration: ftc.Generation,
		Message: fmt.Sprintf(
			"the CRD of %s drops %s (a CRD made by KubeFed's tooling): kubefed no longer writes them for this type; replace the CRD's schema with kubefed's (the chart's crds/ for default types) and restart the controller-manager",
			ftc.Spec.FederatedType.Kind, strings.Join(pruned, ", ")),
	})
}

// setMemberWatchesCondition sets MemberWatchesReady=False naming the members
// where the type's copies are not watched, or removes the condition when
// there are none.
func setMemberWatchesCondition(ftc *fedcorev1b1.FederatedTypeConfig, errs map[string]error) {
	if len(errs) == 0 {
		meta.RemoveStatusCondition(&ftc.Status.Conditions, fedcorev1b1.FederatedTypeConfigMemberWatchesReady)
		return
	}
	meta.SetStatusCondition(&ftc.Status.Conditions, metav1.Condition{
		Type: fedcorev1b1.FederatedTypeConfigMemberWatchesReady, Status: metav1.ConditionFalse,
		Reason: fedcorev1b1.ReasonMemberWatchFailed, ObservedGeneration: ftc.Generation,
		Message: memberWatchMessage(ftc, errs),
	})
}

// memberWatchMessage says, for each member, why the type's copies are not
// watched there and what to do. It holds no time, so that the status stays
// the same while the failure does.
func memberWatchMessage(ftc *fedcorev1b1.FederatedTypeConfig, errs map[string]error) string {
	target := &ftc.Spec.TargetType
	var parts []string
	for _, cluster := range slices.Sorted(maps.Keys(errs)) {
		err := errs[cluster]
		if meta.IsNoMatchError(err) {
			parts = append(parts, fmt.Sprintf("cluster %s does not serve %s %s: install the CRD %s there",
				cluster, target.Kind, target.GroupVersion(), target.GroupQualifiedName()))
			continue
		}
		parts = append(parts, fmt.Sprintf("cluster %s: %v", cluster, err))
	}
	return fmt.Sprintf("%s objects are not watched, and no copy is written, in %s; kubefed tries again by itself and writes the copies placed there once it can",
		target.Kind, strings.Join(parts, "; "))
}
