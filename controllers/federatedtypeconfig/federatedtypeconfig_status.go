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
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/conditions"
)

// setStatus computes the status of ftc: whether its controller runs (the
// Ready reason and message), and what the controller found out (the status
// fields its CRD drops, the members where it does not watch its copies).
func setStatus(ftc *fedcorev1b1.FederatedTypeConfig, reason, message string, pruned []string, memberWatchErrors map[string]error) {
	ftc.Status.ObservedGeneration = ftc.Generation
	running := reason == fedcorev1b1.ReasonControllerRunning
	ftc.Status.PropagationController = fedcorev1b1.ControllerStatusNotRunning
	if running {
		ftc.Status.PropagationController = fedcorev1b1.ControllerStatusRunning
	}
	conditions.Set(&ftc.Status.Conditions, ftc.Generation, metav1.Condition{
		Type: fedcorev1b1.FederatedTypeConfigReady, Status: conditions.StatusFor(running), Reason: reason, Message: message,
	})
	var prunedMessage string
	if len(pruned) > 0 {
		prunedMessage = fmt.Sprintf(
			"the CRD of %s drops %s (a CRD made by KubeFed's tooling): kubefed no longer writes them for this type; replace the CRD's schema with kubefed's (the chart's crds/ for default types) and restart the controller-manager",
			ftc.Spec.FederatedType.Kind, strings.Join(pruned, ", "))
	}
	// StatusSchemaComplete and MemberWatchesReady are only shown while they
	// are False.
	conditions.SetProblem(&ftc.Status.Conditions, ftc.Generation, fedcorev1b1.FederatedTypeConfigStatusSchemaComplete, fedcorev1b1.ReasonStatusFieldsPruned, prunedMessage)
	setMemberWatchesCondition(ftc, memberWatchErrors)
}

// setMemberWatchesCondition sets MemberWatchesReady=False naming the members
// where the type's copies are not watched, or removes the condition when
// there are none.
func setMemberWatchesCondition(ftc *fedcorev1b1.FederatedTypeConfig, errs map[string]error) {
	var message string
	if len(errs) > 0 {
		message = memberWatchMessage(ftc, errs)
	}
	conditions.SetProblem(&ftc.Status.Conditions, ftc.Generation, fedcorev1b1.FederatedTypeConfigMemberWatchesReady, fedcorev1b1.ReasonMemberWatchFailed, message)
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
		// A forbidden kind's error names the cluster and says to grant
		// access; the sentence below says that kubefed tries again.
		if forbidden := (*clustercache.ForbiddenError)(nil); errors.As(err, &forbidden) {
			parts = append(parts, forbidden.Problem())
			continue
		}
		parts = append(parts, fmt.Sprintf("cluster %s: %v", cluster, err))
	}
	return fmt.Sprintf("%s objects are not watched, and no copy is written, in %s; kubefed tries again by itself and writes the copies placed there once it can",
		target.Kind, strings.Join(parts, "; "))
}
