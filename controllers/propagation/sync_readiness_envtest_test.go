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
	const ns, cluster = rolloutNamespace, "member1"
	e := newRolloutEnv(t, "apps", "Deployment", "types.kubefed.io_federateddeployments.yaml", []string{cluster}, nil)
	ctx := t.Context()
	host, member, r := e.host, e.members[cluster], e.r
	fedObj := r.fedObject(ns, "web", map[string]any{
		"template": map[string]any{"spec": map[string]any{
			"replicas":                int64(2),
			"progressDeadlineSeconds": int64(60),
			"selector":                map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
				"spec":     map[string]any{"containers": []any{map[string]any{"name": "web", "image": "nginx"}}},
			},
		}},
		"placement": map[string]any{"clusters": e.placed(cluster)},
	})
	mustCreate(t, host, fedObj)

	// reconcile runs one reconcile and returns the stored object, its
	// status, and the kstatus statuses of it and of the member's copy.
	reconcile := func(step string) (*unstructured.Unstructured, *fedtypesv1b1.GenericFederatedStatus, kstatus.Status, *appsv1.Deployment) {
		t.Helper()
		got, status, res := e.reconcile(step, "web")
		return got, status, res, e.deployment(cluster, "web")
	}
	copyStatus := func(t *testing.T, dep *appsv1.Deployment) kstatus.Status {
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
	writeCopyStatus := func(dep *appsv1.Deployment, ready int32, progressing appsv1.DeploymentCondition) {
		t.Helper()
		dep.Status = appsv1.DeploymentStatus{ObservedGeneration: dep.Generation, Replicas: 2, UpdatedReplicas: 2,
			ReadyReplicas: ready, AvailableReplicas: ready, Conditions: []appsv1.DeploymentCondition{
				{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"}, progressing}}
		if err := member.Status().Update(ctx, dep); err != nil {
			t.Fatal(err)
		}
	}

	// First reconciles: the finalizer, the copy; no Deployment controller
	// wrote the copy's status.
	_, _, _, _ = reconcile("finalizer")
	_, status, got, dep := reconcile("copy created")
	if dep == nil {
		t.Fatal("no copy in the member")
	}
	if want := copyStatus(t, dep); want != kstatus.InProgressStatus || got != want {
		t.Fatalf("new copy: kstatus of the federated object %s, of the copy %s; want both InProgress", got, want)
	}
	checkConditions(t, "new copy", status, corev1.ConditionFalse, fedtypesv1b1.ReconcilingMemberInProgress, "")
	if c := status.GetCluster(cluster); c == nil || c.Readiness != fedtypesv1b1.ReadinessInProgress {
		t.Errorf("new copy: status.clusters = %+v, want %s InProgress", status.Clusters, cluster)
	}

	// The copy becomes available.
	writeCopyStatus(dep, 2, appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"})
	stored, status, got, dep := reconcile("copy available")
	if want := copyStatus(t, dep); want != kstatus.CurrentStatus || got != want {
		t.Fatalf("available copy: kstatus of the federated object %s, of the copy %s; want both Current", got, want)
	}
	checkConditions(t, "available copy", status, corev1.ConditionTrue, "", "")

	// Nothing changed: nothing is written.
	again, _, _, _ := reconcile("idle")
	if again.GetResourceVersion() != stored.GetResourceVersion() {
		t.Errorf("an idle reconcile wrote the federated object (resourceVersion %s -> %s)", stored.GetResourceVersion(), again.GetResourceVersion())
	}

	// The copy passes its progress deadline.
	writeCopyStatus(dep, 1, appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"})
	current, status, got, dep := reconcile("deadline exceeded")
	if want := copyStatus(t, dep); want != kstatus.FailedStatus || got != want {
		t.Fatalf("copy past its deadline: kstatus of the federated object %s, of the copy %s; want both Failed", got, want)
	}
	checkConditions(t, "copy past its deadline", status, corev1.ConditionFalse, "", fedtypesv1b1.StalledMemberFailed)

	// The member refuses the next generation (replicas < 0 is invalid
	// there; the federated template is free-form).
	if err := unstructured.SetNestedField(current.Object, int64(-1), "spec", "template", "spec", "replicas"); err != nil {
		t.Fatal(err)
	}
	if err := host.Update(ctx, current); err != nil {
		t.Fatal(err)
	}
	_, status, got, _ = reconcile("refused")
	if got != kstatus.FailedStatus {
		t.Errorf("refused copy: kstatus of the federated object %s, want Failed", got)
	}
	checkConditions(t, "refused copy", status, corev1.ConditionFalse, "", fedtypesv1b1.StalledPropagationFailed)
	if c := status.GetCondition(fedtypesv1b1.StalledConditionType); c == nil || !strings.Contains(c.Message, "UpdateFailed in "+cluster) {
		t.Errorf("refused copy: Stalled = %+v, want it to name UpdateFailed in %s", c, cluster)
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
