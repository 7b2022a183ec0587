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
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// memberWatchErrors returns, by member cluster, why the running sync
// controller of the named FederatedTypeConfig does not watch its copies
// there; none when it watches them everywhere or does not run.
func (r *Reconciler) memberWatchErrors(name string) map[string]error {
	r.mu.Lock()
	rc := r.running[name]
	r.mu.Unlock()
	if rc == nil || rc.memberWatchErrors == nil {
		return nil
	}
	return rc.memberWatchErrors()
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
