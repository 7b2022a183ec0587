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

package propagation

import (
	"errors"
	"io"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
)

// TestRolloutConditionsAgainstAPIServers follows the readiness conditions
// of a FederatedDeployment with spec.rollout through the phases of
// docs/rollout.md (host and three member API servers; the test writes the
// copies' status as a Deployment controller would). The expected values
// are kstatus's Compute on the stored federated object and the exit codes
// of kubefedctl status: InProgress (3) while the rollout runs or is paused,
// Failed (4) once it stopped, whatever stopped it, Current (0) once it is
// complete and every copy is available.
func TestRolloutConditionsAgainstAPIServers(t *testing.T) {
	e := newRolloutEnv(t, "apps", "Deployment", "types.kubefed.io_federateddeployments.yaml", []string{"member1", "member2", "member3"}, nil)
	mustCreate(t, e.host, e.r.fedObject(rolloutNamespace, "web", map[string]any{
		"template":  webTemplate("web:v1"),
		"placement": map[string]any{"clusters": e.placed(e.names...)},
		"rollout": map[string]any{
			"waves":            []any{map[string]any{"name": "canary", "clusters": e.placed("member1")}},
			"progressDeadline": "1h",
		},
	}))
	stepConditionsFirstRevision(t, e)
	stepConditionsPausedAndResumed(t, e)
	stepConditionsStopped(t, e)
}

// stepConditionsFirstRevision: the first revision, once every copy is
// available, is Current.
func stepConditionsFirstRevision(t *testing.T, e *rolloutEnv) {
	const name = "web"
	e.reconcile("finalizer", name)
	e.reconcile("first revision", name)
	for _, m := range e.names {
		e.setDeploymentStatus(m, name, true)
	}
	status, ks := e.reconcileUntil("first revision available", name, func(s *fedtypesv1b1.GenericFederatedStatus) bool {
		return s.GetCondition(fedtypesv1b1.ReadyConditionType).Status == corev1.ConditionTrue
	})
	expectReadiness(t, e, "first revision", name, status, ks, kstatus.CurrentStatus, kubefedctl.ExitReady, "", "")
}

// stepConditionsPausedAndResumed: a new version goes to the canary: in
// progress, naming the wave and the clusters still on revision 1. Paused:
// still in progress, saying how to resume; an idle reconcile writes
// nothing. Resumed: the canary's copy available, the remaining wave gets
// v2; once every copy is available the rollout is complete and Current.
func stepConditionsPausedAndResumed(t *testing.T, e *rolloutEnv) {
	const name = "web"
	e.setSpec(name, webTemplate("web:v2"), "template")
	_, status, ks := e.reconcile("wave canary", name)
	expectReadiness(t, e, "wave canary", name, status, ks, kstatus.InProgressStatus, kubefedctl.ExitNotReady,
		fedtypesv1b1.ReconcilingPropagating, "", "canary", "member2 (runs revision 1)", "member3 (runs revision 1)")

	e.setSpec(name, true, "rollout", "paused")
	_, status, ks = e.reconcile("paused", name)
	if !rolloutPhaseIs(fedtypesv1b1.RolloutPhasePaused, "canary")(status) {
		t.Fatalf("paused: status.rollout = %+v, want Paused at wave canary", status.Rollout)
	}
	expectReadiness(t, e, "paused", name, status, ks, kstatus.InProgressStatus, kubefedctl.ExitNotReady,
		fedtypesv1b1.ReconcilingRolloutPaused, "", "canary", "member2 (runs revision 1)", "kubefedctl rollout resume")
	expectIdle(t, e, "paused", name)

	e.setSpec(name, false, "rollout", "paused")
	e.reconcile("resumed", name)
	e.setDeploymentStatus("member1", name, true)
	e.reconcileUntil("wave remaining", name, rolloutPhaseIs(fedtypesv1b1.RolloutPhaseProgressing, fedtypesv1b1.RemainingWaveName))
	e.setDeploymentStatus("member2", name, true)
	e.setDeploymentStatus("member3", name, true)
	status, ks = e.reconcileUntil("complete", name, rolloutPhaseIs(fedtypesv1b1.RolloutPhaseComplete, ""))
	expectReadiness(t, e, "complete", name, status, ks, kstatus.CurrentStatus, kubefedctl.ExitReady, "", "")
}

// stepConditionsStopped: a version that never becomes available stops at
// the deadline: Failed, naming the wave and the cluster, and what to do. A
// copy that fails stops the rollout at once. So does a rollbackTo to a
// revision the history does not have.
func stepConditionsStopped(t *testing.T, e *rolloutEnv) {
	const name = "web"
	e.setSpec(name, webTemplate("web:v3"), "template")
	e.setSpec(name, "2s", "rollout", "progressDeadline")
	status, ks := e.reconcileUntil("deadline", name, rolloutPhaseIs(fedtypesv1b1.RolloutPhaseStalled, "canary"))
	expectReadiness(t, e, "deadline", name, status, ks, kstatus.FailedStatus, kubefedctl.ExitStalled,
		"", fedtypesv1b1.StalledRolloutProgressDeadlineExceeded, "canary", "member1 InProgress", "member2 (runs revision 2)",
		"kubefedctl rollout resume", "kubefedctl rollout undo", "revision 2")
	expectIdle(t, e, "deadline", name)

	e.setSpec(name, webTemplate("web:v4"), "template")
	e.setSpec(name, "1h", "rollout", "progressDeadline")
	e.reconcileUntil("wave canary of v4", name, func(*fedtypesv1b1.GenericFederatedStatus) bool {
		return e.deployment("member1", name).Spec.Template.Spec.Containers[0].Image == "web:v4"
	})
	e.setDeploymentStatus("member1", name, false)
	status, ks = e.reconcileUntil("copy failed", name, rolloutPhaseIs(fedtypesv1b1.RolloutPhaseStalled, "canary"))
	expectReadiness(t, e, "copy failed", name, status, ks, kstatus.FailedStatus, kubefedctl.ExitStalled,
		"", fedtypesv1b1.StalledRolloutClusterFailed, "canary", "member1 Failed", "kubefedctl rollout undo")

	e.setSpec(name, map[string]any{"revision": int64(99)}, "rollout", "rollbackTo")
	_, status, ks = e.reconcile("missing revision", name)
	expectReadiness(t, e, "missing revision", name, status, ks, kstatus.FailedStatus, kubefedctl.ExitStalled,
		"", fedtypesv1b1.StalledRolloutRevisionNotFound, "revision 99", "remove rollbackTo")
	expectIdle(t, e, "missing revision", name)
}

// expectReadiness checks the object's kstatus status, the exit code of
// kubefedctl status, the Reconciling and Stalled reasons ("" absent) and
// that the message of the one present (else Ready's) contains each of
// want.
func expectReadiness(t *testing.T, e *rolloutEnv, step, name string, status *fedtypesv1b1.GenericFederatedStatus, got, want kstatus.Status, exit int,
	reconciling, stalled fedtypesv1b1.AggregateReason, words ...string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: kstatus of the federated object %s, want %s (conditions %+v)", step, got, want, status.Conditions)
	}
	checkConditions(t, step, status, map[bool]corev1.ConditionStatus{true: corev1.ConditionTrue, false: corev1.ConditionFalse}[want == kstatus.CurrentStatus],
		reconciling, stalled)
	msg := status.GetCondition(fedtypesv1b1.ReadyConditionType).Message
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: message %q does not name %q", step, msg, w)
		}
	}
	err := kubefedctl.Status(t.Context(), kubefedctl.StatusOptions{Out: io.Discard, Ref: kubefedctl.FederatedObjectRef{
		TypeName: "federateddeployments", Namespace: rolloutNamespace, Name: name, HostConfig: e.hostCfg, KubeFedNamespace: testNamespace}})
	code := kubefedctl.ExitReady
	var coded interface{ ExitCode() int }
	switch {
	case errors.As(err, &coded):
		code = coded.ExitCode()
	case err != nil:
		t.Fatalf("%s: kubefedctl status: %v", step, err)
	}
	if code != exit {
		t.Errorf("%s: kubefedctl status exits %d (%v), want %d", step, code, err, exit)
	}
}

// expectIdle reconciles the object again and checks that the host was not
// written: nothing changed.
func expectIdle(t *testing.T, e *rolloutEnv, step, name string) {
	t.Helper()
	before, _, _ := e.reconcile(step+", before idle", name)
	after, _, _ := e.reconcile(step+", idle", name)
	expectNoWrite(t, step, before, after)
}
