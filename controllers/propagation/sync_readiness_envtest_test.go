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
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// TestReadinessAgainstAPIServers reconciles a FederatedDeployment without
// spec.rollout with a host and a member API server (rolloutEnv's; no
// Deployment controller runs in the member: the test writes the copy's
// status as one would) and checks the status the host stores, with
// kstatus's Compute on the federated object and on the copy as the oracle:
// InProgress while the copy rolls out, Current once it is available, no
// write while nothing changes, Failed when the copy passed its progress
// deadline, Failed naming the member when the member refuses the copy.
func TestReadinessAgainstAPIServers(t *testing.T) {
	e := newRolloutEnv(t, "apps", "Deployment", "types.kubefed.io_federateddeployments.yaml", []string{"member1"}, nil)
	mustCreate(t, e.host, e.r.fedObject(rolloutNamespace, "web", map[string]any{
		"template": map[string]any{"spec": map[string]any{
			"replicas":                int64(2),
			"progressDeadlineSeconds": int64(60),
			"selector":                map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
				"spec":     map[string]any{"containers": []any{map[string]any{"name": "web", "image": "nginx"}}},
			},
		}},
		"placement": map[string]any{"clusters": e.placed("member1")},
	}))
	r := readinessEnv{e}
	dep := r.stepNewCopyInProgress()
	dep = r.stepAvailableCopyCurrent(dep)
	current := r.stepCopyPastDeadline(dep)
	r.stepRefusedCopy(current)
}

// readinessEnv is the FederatedDeployment web of
// TestReadinessAgainstAPIServers, placed in member1, in its rolloutEnv.
type readinessEnv struct{ *rolloutEnv }

// reconcile runs one reconcile and returns the stored object, its status,
// and the kstatus statuses of it and of the member's copy.
func (r readinessEnv) reconcile(step string) (*unstructured.Unstructured, *fedtypesv1b1.GenericFederatedStatus, kstatus.Status, *appsv1.Deployment) {
	r.t.Helper()
	got, status, res := r.rolloutEnv.reconcile(step, "web")
	return got, status, res, r.deployment("member1", "web")
}

// copyStatus is kstatus's Compute of a copy.
func copyStatus(t *testing.T, dep *appsv1.Deployment) kstatus.Status {
	t.Helper()
	obj, err := k8sruntime.DefaultUnstructuredConverter.ToUnstructured(dep)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: obj}
	u.SetGroupVersionKind(appsv1.SchemeGroupVersion.WithKind("Deployment"))
	res, err := kstatus.Compute(u)
	if err != nil {
		t.Fatal(err)
	}
	return res.Status
}

// expectBothStatus checks that got, the kstatus of the federated object,
// and that of its copy dep are both want.
func expectBothStatus(t *testing.T, step string, got kstatus.Status, dep *appsv1.Deployment, want kstatus.Status) {
	t.Helper()
	if copied := copyStatus(t, dep); copied != want || got != copied {
		t.Fatalf("%s: kstatus of the federated object %s, of the copy %s; want both %s", step, got, copied, want)
	}
}

// writeCopyStatus writes the status of the copy in member1 with ready of
// its 2 replicas ready and available, and progressing.
func (r readinessEnv) writeCopyStatus(dep *appsv1.Deployment, ready int32, progressing appsv1.DeploymentCondition) {
	r.t.Helper()
	dep.Status = appsv1.DeploymentStatus{ObservedGeneration: dep.Generation, Replicas: 2, UpdatedReplicas: 2,
		ReadyReplicas: ready, AvailableReplicas: ready, Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"}, progressing}}
	if err := r.members["member1"].Status().Update(r.t.Context(), dep); err != nil {
		r.t.Fatal(err)
	}
}

// stepNewCopyInProgress: the first reconciles write the finalizer and the
// copy; no Deployment controller wrote the copy's status, so both are
// InProgress. It returns the copy.
func (r readinessEnv) stepNewCopyInProgress() *appsv1.Deployment {
	t := r.t
	_, _, _, _ = r.reconcile("finalizer")
	_, status, got, dep := r.reconcile("copy created")
	if dep == nil {
		t.Fatal("no copy in the member")
	}
	expectBothStatus(t, "new copy", got, dep, kstatus.InProgressStatus)
	checkConditions(t, "new copy", status, corev1.ConditionFalse, fedtypesv1b1.ReconcilingMemberInProgress, "")
	if c := status.GetCluster("member1"); c == nil || c.Readiness != fedtypesv1b1.ReadinessInProgress {
		t.Errorf("new copy: status.clusters = %+v, want %s InProgress", status.Clusters, "member1")
	}
	return dep
}

// stepAvailableCopyCurrent: the copy becomes available: both Current; then
// nothing changed, and nothing is written. It returns the copy.
func (r readinessEnv) stepAvailableCopyCurrent(dep *appsv1.Deployment) *appsv1.Deployment {
	t := r.t
	r.writeCopyStatus(dep, 2, appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"})
	stored, status, got, dep := r.reconcile("copy available")
	expectBothStatus(t, "available copy", got, dep, kstatus.CurrentStatus)
	checkConditions(t, "available copy", status, corev1.ConditionTrue, "", "")
	again, _, _, _ := r.reconcile("idle")
	expectNoWrite(t, "idle", stored, again)
	return dep
}

// stepCopyPastDeadline: the copy passes its progress deadline: both
// Failed. It returns the object as stored.
func (r readinessEnv) stepCopyPastDeadline(dep *appsv1.Deployment) *unstructured.Unstructured {
	t := r.t
	r.writeCopyStatus(dep, 1, appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"})
	current, status, got, dep := r.reconcile("deadline exceeded")
	expectBothStatus(t, "copy past its deadline", got, dep, kstatus.FailedStatus)
	checkConditions(t, "copy past its deadline", status, corev1.ConditionFalse, "", fedtypesv1b1.StalledMemberFailed)
	return current
}

// stepRefusedCopy: the member refuses the next generation (replicas < 0
// is invalid there; the federated template is free-form): Failed, naming
// the member.
func (r readinessEnv) stepRefusedCopy(current *unstructured.Unstructured) {
	t := r.t
	if err := unstructured.SetNestedField(current.Object, int64(-1), "spec", "template", "spec", "replicas"); err != nil {
		t.Fatal(err)
	}
	if err := r.host.Update(t.Context(), current); err != nil {
		t.Fatal(err)
	}
	_, status, got, _ := r.reconcile("refused")
	if got != kstatus.FailedStatus {
		t.Errorf("refused copy: kstatus of the federated object %s, want Failed", got)
	}
	checkConditions(t, "refused copy", status, corev1.ConditionFalse, "", fedtypesv1b1.StalledPropagationFailed)
	if c := status.GetCondition(fedtypesv1b1.StalledConditionType); c == nil || !strings.Contains(c.Message, "UpdateFailed in member1") {
		t.Errorf("refused copy: Stalled = %+v, want it to name UpdateFailed in %s", c, "member1")
	}
}

// checkConditions checks the readiness conditions of a stored status:
// Ready's status, and Reconciling's and Stalled's reasons ("" absent).
func checkConditions(t *testing.T, step string, s *fedtypesv1b1.GenericFederatedStatus, ready corev1.ConditionStatus, reconciling, stalled fedtypesv1b1.AggregateReason) {
	t.Helper()
	if c := s.GetCondition(fedtypesv1b1.ReadyConditionType); c == nil || c.Status != ready {
		t.Errorf("%s: Ready = %+v, want %s", step, c, ready)
	}
	for typ, reason := range map[fedtypesv1b1.ConditionType]fedtypesv1b1.AggregateReason{
		fedtypesv1b1.ReconcilingConditionType: reconciling, fedtypesv1b1.StalledConditionType: stalled,
	} {
		c := s.GetCondition(typ)
		switch {
		case reason == "" && c != nil:
			t.Errorf("%s: %s = %+v, want it absent", step, typ, c)
		case reason != "" && (c == nil || c.Status != corev1.ConditionTrue || c.Reason != reason):
			t.Errorf("%s: %s = %+v, want True/%s", step, typ, c, reason)
		}
	}
}
