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
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	"github.com/kubefed/kubefed/test/testenv"
)

const controlPlaneNamespace = "kube-federation-system"

// TestMemberReadErrorInStatus plans a workload on a real API server whose
// two "members" are clients of that API server: member a as an
// administrator, member b as an identity that may not list Pods. The Pods
// of b cannot be read: the preference's status says so for b (and the
// condition names it), one Warning event is recorded, the replicas are
// still planned across both, and the preference is planned again later.
func TestMemberReadErrorInStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server (envtest); skipped in -short mode")
	}
	host, memberB := startHostAndMemberWithoutPods(t)
	ctx := t.Context()
	createNamespacesAndClusters(ctx, t, host)
	fedDeploy := webDeployment(t)
	createUnavailableInBoth(ctx, t, host, fedDeploy)
	rsp := &fedschedv1a1.ReplicaSchedulingPreference{ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "web"}}
	rsp.Spec = fedschedv1a1.ReplicaSchedulingPreferenceSpec{
		TargetKind: fedschedv1a1.TargetKindFederatedDeployment, TotalReplicas: 4,
		Clusters: map[string]fedschedv1a1.ClusterPreferences{fedschedv1a1.AllClusters: {Weight: 1}},
	}
	if err := host.Create(ctx, rsp); err != nil {
		t.Fatalf("creating ReplicaSchedulingPreference apps/web: %v", err)
	}

	recorder := events.NewFakeRecorder(10)
	r := &Reconciler{Client: host, Members: members{"a": host, "b": memberB}, Namespace: controlPlaneNamespace, Recorder: recorder}
	req := ctrl.Request{NamespacedName: client.ObjectKeyFromObject(rsp)}
	res, err := r.Reconcile(ctx, req)
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if res.RequeueAfter <= 0 {
		t.Errorf("Reconcile returned %+v: a preference whose member could not be read must be planned again", res)
	}

	if err := host.Get(ctx, req.NamespacedName, rsp); err != nil {
		t.Fatal(err)
	}
	checkMemberBUnread(t, rsp)
	if got := drain(recorder); len(got) != 1 || !strings.HasPrefix(got[0], "Warning "+fedschedv1a1.MemberReadFailedEventReason) {
		t.Errorf("events = %q, want one Warning %s", got, fedschedv1a1.MemberReadFailedEventReason)
	}

	// The same failure again records no second event.
	if _, err := r.Reconcile(ctx, req); err != nil {
		t.Fatalf("second Reconcile: %v", err)
	}
	if got := drain(recorder); len(got) != 0 {
		t.Errorf("events of the second Reconcile = %q, want none (the error did not change)", got)
	}

	checkNoSelectorInStatus(ctx, t, r, fedDeploy, rsp.Spec)
}

// startHostAndMemberWithoutPods starts the API server and returns its
// administrator's client (host, and member a) and the client of member b,
// an identity that may not list Pods.
func startHostAndMemberWithoutPods(t *testing.T) (client.Client, client.Client) {
	t.Helper()
	host, env := testenv.StartClientWith(t, testenv.EnvtestOptions{CRDs: []string{"config/crd/bases"}},
		clientgoscheme.AddToScheme, fedcorev1b1.AddToScheme, fedschedv1a1.AddToScheme)
	noPods := rest.CopyConfig(env.Config)
	noPods.Impersonate = rest.ImpersonationConfig{UserName: "kubefed-member-without-pod-access"}
	memberB, err := client.New(noPods, client.Options{Scheme: host.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return host, memberB
}

// createNamespacesAndClusters creates the control plane's namespace, the
// namespace apps, and KubeFedClusters a and b.
func createNamespacesAndClusters(ctx context.Context, t *testing.T, host client.Client) {
	t.Helper()
	for _, ns := range []string{controlPlaneNamespace, "apps"} {
		if err := host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"a", "b"} {
		kfc := &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: controlPlaneNamespace, Name: name}}
		kfc.Spec.APIEndpoint = "https://" + name + ".example.com"
		kfc.Spec.SecretRef.Name = name + "-secret"
		if err := host.Create(ctx, kfc); err != nil {
			t.Fatalf("creating KubeFedCluster %s: %v", name, err)
		}
	}
}

// webDeployment is FederatedDeployment apps/web, placed in a and b with 2
// replicas each.
func webDeployment(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	fedDeploy := &unstructured.Unstructured{}
	if err := utiljson.Unmarshal([]byte(`{
		"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedDeployment",
		"metadata": {"namespace": "apps", "name": "web"},
		"spec": {
			"template": {"spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
				"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}},
			"placement": {"clusters": [{"name": "a"}, {"name": "b"}]},
			"overrides": [
				{"clusterName": "a", "clusterOverrides": [{"path": "/spec/replicas", "value": 2}]},
				{"clusterName": "b", "clusterOverrides": [{"path": "/spec/replicas", "value": 2}]}]}}`), &fedDeploy.Object); err != nil {
		t.Fatal(err)
	}
	return fedDeploy
}

// checkMemberBUnread checks the status of a preference whose member b's
// Pods could not be read: b's message and the condition say so, a has no
// message, and the replicas are planned across both.
func checkMemberBUnread(t *testing.T, rsp *fedschedv1a1.ReplicaSchedulingPreference) {
	t.Helper()
	byName := map[string]fedschedv1a1.ClusterReplicas{}
	for _, c := range rsp.Status.Clusters {
		byName[c.Name] = c
	}
	if msg := byName["b"].Message; !strings.Contains(msg, "cluster b") || !strings.Contains(msg, "forbidden") || !strings.Contains(msg, "may list Pods") {
		t.Errorf("status.clusters[b].message = %q, want the forbidden Pod list in cluster b and what to check", msg)
	}
	if msg := byName["a"].Message; msg != "" {
		t.Errorf("status.clusters[a].message = %q, want none: its Pods were read", msg)
	}
	if byName["a"].Replicas != 2 || byName["b"].Replicas != 2 {
		t.Errorf("status.clusters = %+v, want 2 replicas planned in each cluster", rsp.Status.Clusters)
	}
	cond := meta.FindStatusCondition(rsp.Status.Conditions, fedschedv1a1.ScheduledCondition)
	if cond == nil || cond.Status != metav1.ConditionTrue || !strings.Contains(cond.Message, "could not read the capacity of b") {
		t.Errorf("Scheduled condition = %+v, want True naming cluster b's unread Pods", cond)
	}
}

// checkNoSelectorInStatus plans a copy of fedDeploy whose template has no
// Pod selector: its capacity cannot be checked in either cluster, and the
// status says so (before, the check was skipped silently).
func checkNoSelectorInStatus(ctx context.Context, t *testing.T, r *Reconciler, fedDeploy *unstructured.Unstructured, spec fedschedv1a1.ReplicaSchedulingPreferenceSpec) {
	t.Helper()
	host := r.Client
	noSelector := fedDeploy.DeepCopy()
	noSelector.SetName("no-selector")
	noSelector.SetResourceVersion("")
	unstructured.RemoveNestedField(noSelector.Object, "spec", "template", "spec", "selector")
	unstructured.RemoveNestedField(noSelector.Object, "status")
	createUnavailableInBoth(ctx, t, host, noSelector)
	rsp2 := &fedschedv1a1.ReplicaSchedulingPreference{ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "no-selector"}, Spec: spec}
	if err := host.Create(ctx, rsp2); err != nil {
		t.Fatalf("creating ReplicaSchedulingPreference apps/no-selector: %v", err)
	}
	req2 := ctrl.Request{NamespacedName: client.ObjectKeyFromObject(rsp2)}
	if _, err := r.Reconcile(ctx, req2); err != nil {
		t.Fatalf("Reconcile of apps/no-selector: %v", err)
	}
	if err := host.Get(ctx, req2.NamespacedName, rsp2); err != nil {
		t.Fatal(err)
	}
	for _, c := range rsp2.Status.Clusters {
		if !strings.Contains(c.Message, "cannot be selected") || !strings.Contains(c.Message, "cluster "+c.Name) {
			t.Errorf("status.clusters[%s].message = %q, want the missing Pod selector named for that cluster", c.Name, c.Message)
		}
	}
	if len(rsp2.Status.Clusters) != 2 {
		t.Errorf("status.clusters = %+v, want both clusters", rsp2.Status.Clusters)
	}
}

// createUnavailableInBoth creates the FederatedDeployment fedDeploy and
// writes a status in which both members, a and b, report 2 replicas and
// none available, so that the capacity check reads their Pods.
func createUnavailableInBoth(ctx context.Context, t *testing.T, host client.Client, fedDeploy *unstructured.Unstructured) {
	t.Helper()
	key := client.ObjectKeyFromObject(fedDeploy)
	if err := host.Create(ctx, fedDeploy); err != nil {
		t.Fatalf("creating FederatedDeployment %s: %v", key, err)
	}
	fedDeploy.Object["status"] = map[string]any{"clusters": []any{
		map[string]any{"name": "a", "remoteStatus": map[string]any{"replicas": int64(2), "availableReplicas": int64(0)}},
		map[string]any{"name": "b", "remoteStatus": map[string]any{"replicas": int64(2), "availableReplicas": int64(0)}},
	}}
	if err := host.Status().Update(ctx, fedDeploy); err != nil {
		t.Fatalf("writing the status of FederatedDeployment %s: %v", key, err)
	}
}

func drain(r *events.FakeRecorder) []string {
	var out []string
	for {
		select {
		case e := <-r.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}
