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

package scheduling

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	"github.com/kubefed/kubefed/internal/planner"
)

// scope is what one reconcile of a preference read and decided. Each field
// says which step sets it; a field is zero until then.
type scope struct {
	// rsp is the preference, whose status the phases fill in; orig is it as
	// read, to patch the status against. Set by newScope.
	rsp, orig *fedschedv1a1.ReplicaSchedulingPreference
	// config is the KubeFedConfig's spec (zero, so defaults, when there is
	// none). Set by newScope.
	config fedcorev1b1.Settings

	// target is the federated workload. Set by readTarget.
	target *unstructured.Unstructured
	// current is the replicas the target is planned with now, per placed
	// cluster. Set by readTarget.
	current map[string]int64

	// candidates are the connected clusters the target may be placed in,
	// sorted; offline are the joined clusters that are not connected,
	// sorted. Set by selectClusters.
	candidates, offline []string

	// capacity is, per cluster, the replicas it was seen able to run. Set
	// by readCapacity.
	capacity map[string]int64
	// readErrors says, per cluster, why its Pods could not be read. Set by
	// readCapacity.
	readErrors map[string]string

	// plan is the computed plan. Set by computePlan.
	plan planner.Plan
	// planned is true once plan is set: the status then records it.
	planned bool
	// changed is true when applyPlan wrote a new plan into the target.
	changed bool

	// condition is the Scheduled condition to record. Set by the phase that
	// stops the reconcile, or by applyPlan.
	condition metav1.Condition
	// stop ends the phases: the condition says why.
	stop bool
	// requeueAfter, when positive, plans again after that long.
	requeueAfter time.Duration
}

// newScope reads what every phase needs besides the target.
func (r *Reconciler) newScope(ctx context.Context, rsp *fedschedv1a1.ReplicaSchedulingPreference) (*scope, error) {
	s := &scope{rsp: rsp, orig: rsp.DeepCopy()}
	var err error
	if s.config, err = fedcorev1b1.ReadSettings(ctx, r.Client, r.Namespace); err != nil {
		return nil, err
	}
	return s, nil
}

// fail stops the reconcile with Scheduled=False.
func (s *scope) fail(reason, format string, args ...any) {
	s.condition = metav1.Condition{Status: metav1.ConditionFalse, Reason: reason, Message: fmt.Sprintf(format, args...)}
	s.stop = true
}

// describeTarget names the target for messages: "FederatedDeployment ns/web".
func (s *scope) describeTarget() string {
	return fmt.Sprintf("%s %s/%s", s.rsp.Spec.TargetKind, s.rsp.Namespace, s.rsp.Name)
}
