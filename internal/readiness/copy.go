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
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/healthrules"
)

// Result is the readiness of one member copy: status.clusters[].readiness
// and readinessMessage.
type Result struct {
	Status  fedtypesv1b1.Readiness
	Message string
}

// Checker computes the readiness of the member copies of one federated
// type. The zero value applies kstatus's rules alone.
type Checker struct {
	// TypeConfig is the name of the FederatedTypeConfig, for messages.
	TypeConfig string
	// Rules are the type's compiled health rules; nil when it has none.
	Rules *healthrules.Rules
	// RulesErr, when set, is why the type's health rules could not be
	// compiled: every copy is then Unknown, since nothing can say whether
	// it is ready.
	RulesErr error
}

// Copy returns the readiness of a member copy as read from its cluster
// (with its status).
func (c Checker) Copy(obj *unstructured.Unstructured) Result {
	res, err := kstatus.Compute(obj)
	if err != nil {
		return Result{Status: fedtypesv1b1.ReadinessUnknown, Message: fmt.Sprintf("kstatus could not read the status: %v", err)}
	}
	out := Result{Status: fedtypesv1b1.Readiness(res.Status), Message: res.Message}
	if c.Rules == nil && c.RulesErr == nil {
		return out
	}
	// A copy being deleted is Terminating, and a copy whose controller
	// has not observed its spec yet is InProgress, whatever the rules
	// say of a status that describes an older spec.
	if out.Status == fedtypesv1b1.ReadinessTerminating {
		return out
	}
	if lag := generationLag(obj); lag != "" {
		return Result{Status: fedtypesv1b1.ReadinessInProgress, Message: lag}
	}
	if c.RulesErr != nil {
		return Result{Status: fedtypesv1b1.ReadinessUnknown, Message: c.ruleMessage(c.RulesErr)}
	}
	verdict, err := c.Rules.Evaluate(obj)
	if err != nil {
		return Result{Status: fedtypesv1b1.ReadinessUnknown, Message: c.ruleMessage(err)}
	}
	switch verdict {
	case healthrules.VerdictFailed:
		return Result{Status: fedtypesv1b1.ReadinessFailed, Message: fmt.Sprintf("%s is true (FederatedTypeConfig %s)", healthrules.FailedWhenField, c.TypeConfig)}
	case healthrules.VerdictReady:
		return Result{Status: fedtypesv1b1.ReadinessCurrent, Message: fmt.Sprintf("%s is true (FederatedTypeConfig %s)", healthrules.ReadyWhenField, c.TypeConfig)}
	case healthrules.VerdictNotReady:
		return Result{Status: fedtypesv1b1.ReadinessInProgress, Message: fmt.Sprintf("%s is false (FederatedTypeConfig %s)", healthrules.ReadyWhenField, c.TypeConfig)}
	}
	return out
}

func (c Checker) ruleMessage(err error) string {
	return fmt.Sprintf("the health rules of FederatedTypeConfig %s could not be evaluated: %v: fix spec.health", c.TypeConfig, err)
}

// generationLag says that the copy's status.observedGeneration is behind
// its metadata.generation ("" when not, or when it has no such field), in
// kstatus's words.
func generationLag(obj *unstructured.Unstructured) string {
	gen, found, err := unstructured.NestedInt64(obj.Object, "metadata", "generation")
	if !found || err != nil {
		return ""
	}
	observed, found, err := unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
	if !found || err != nil || observed == gen {
		return ""
	}
	return fmt.Sprintf("%s generation is %d, but latest observed generation is %d", obj.GetKind(), gen, observed)
}

// Refused reports whether a member's answer to a write means the write will
// not succeed until something changes outside kubefed: the object is
// invalid there, admission (a webhook, a policy, a quota) denied it, or
// kubefed's identity may not write it. Such a cluster makes the federated
// object Stalled (the write is still retried, and Stalled clears when it
// succeeds). A namespace being deleted refuses new objects only until it is
// gone, so that is not such an answer; nor are conflicts, timeouts,
// throttling or server errors.
func Refused(err error) bool {
	if err == nil || apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
		return false
	}
	return apierrors.IsInvalid(err) || apierrors.IsForbidden(err) || apierrors.IsBadRequest(err) ||
		apierrors.IsRequestEntityTooLargeError(err) || apierrors.IsMethodNotSupported(err)
}
