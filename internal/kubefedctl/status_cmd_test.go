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

package kubefedctl_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
)

// thingCRD is a federated type whose status takes any fields, so that the
// test writes the status a sync controller would.
var thingCRD = kubefedctltest.CRD{
	Group: "types.kubefed.io", Version: "v1beta1", Kind: "FederatedThing", StatusSubresource: true,
	Schema: `
type: object
properties:
  spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
  status: {type: object, x-kubernetes-preserve-unknown-fields: true}
`,
}.Manifest()

// TestStatusReadiness runs kubefedctl status on federated objects whose
// status says propagated everywhere, with the readiness conditions and
// per-cluster readiness in each state kstatus knows, and checks the
// READINESS column, the Ready line and the documented exit codes: 0 only
// when Ready=True, 3 while a copy rolls out (or no Ready condition was
// written), 4 when Stalled, and 2 (not propagated) before readiness.
func TestStatusReadiness(t *testing.T) {
	host := kubefedctltest.StartHost(t)
	e := &cmdEnv{c: host.Client, kubeconfig: host.Kubeconfig}
	kubefedctltest.InstallCRD(t, e.c, thingCRD)
	for _, name := range []string{"member1", "member2"} {
		kfc := &fedcorev1b1.KubeFedCluster{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec:       fedcorev1b1.KubeFedClusterSpec{APIEndpoint: "https://" + name + ".example:6443", SecretRef: fedcorev1b1.LocalSecretReference{Name: name}},
		}
		if err := e.c.Create(t.Context(), kfc); err != nil {
			t.Fatal(err)
		}
		kfc.Status.Conditions = []fedcorev1b1.ClusterCondition{{Type: fedcorev1b1.ClusterReady, Status: "True", LastProbeTime: metav1.Now()}}
		if err := e.c.Status().Update(t.Context(), kfc); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range statusReadinessCases {
		t.Run(tc.name, func(t *testing.T) { testStatusReadiness(t, e, tc) })
	}
}

// readinessCond is a condition of a FederatedThing's status.
type readinessCond struct{ typ, status, reason, message string }

// readinessCluster is a row of a FederatedThing's status.clusters.
type readinessCluster struct{ name, status, readiness, message string }

// statusReadinessCase is the status a FederatedThing is given, and what
// kubefedctl status says of it.
type statusReadinessCase struct {
	name       string
	conditions []readinessCond
	clusters   []readinessCluster
	wantCode   int
	want       []string
	wantErr    string
}

var statusReadinessCases = []statusReadinessCase{{
	name: "ready",
	conditions: []readinessCond{
		{"Propagation", "True", "", ""},
		{"Ready", "True", "Current", "ready in 2 of 2 clusters"},
	},
	clusters: []readinessCluster{{"member1", "", "Current", "Deployment is available. Replicas: 2"}, {"member2", "", "Current", "Deployment is available. Replicas: 2"}},
	wantCode: 0,
	want:     []string{"READINESS", "Current", "Ready=True (Current)"},
}, {
	name: "rolling out in member2",
	conditions: []readinessCond{
		{"Propagation", "True", "", ""},
		{"Ready", "False", "InProgress", "not ready in member2"},
		{"Reconciling", "True", "MemberInProgress", "InProgress in member2: Available: 0/2"},
	},
	clusters: []readinessCluster{{"member1", "", "Current", ""}, {"member2", "", "InProgress", "Available: 0/2"}},
	wantCode: kubefedctl.ExitNotReady,
	want: []string{"InProgress", "Available: 0/2",
		"Ready=False (InProgress), Reconciling=True (MemberInProgress): InProgress in member2: Available: 0/2"},
	wantErr: "FederatedThing default/thing-.* is not ready \\(member2: InProgress\\): MemberInProgress: InProgress in member2: Available: 0/2$",
}, {
	name: "failed in member2",
	conditions: []readinessCond{
		{"Propagation", "True", "", ""},
		{"Ready", "False", "Failed", "failed in member2"},
		{"Stalled", "True", "MemberFailed", "Failed in member2: Progress deadline exceeded"},
	},
	clusters: []readinessCluster{{"member1", "", "Current", ""}, {"member2", "", "Failed", "Progress deadline exceeded"}},
	wantCode: kubefedctl.ExitStalled,
	want: []string{"Failed",
		"Ready=False (Failed), Stalled=True (MemberFailed): Failed in member2: Progress deadline exceeded"},
	wantErr: "is stalled: it will not become ready without a change \\(member2: Failed\\): MemberFailed: Failed in member2: Progress deadline exceeded; fix the member copies",
}, {
	// The conditions of a rollout stopped in its canary wave, as
	// docs/rollout.md gives them.
	name: "rollout stalled in its first wave",
	conditions: []readinessCond{
		{"Propagation", "True", "", ""},
		{"Ready", "False", "Failed", "failed in member1"},
		{"Stalled", "True", "ClusterFailed", "wave canary (1/3): member1 Failed: Progress deadline exceeded"},
	},
	clusters: []readinessCluster{{"member1", "", "Failed", "Progress deadline exceeded"}, {"member2", "", "Current", ""}},
	wantCode: kubefedctl.ExitStalled,
	want:     []string{"Failed", "Stalled=True (ClusterFailed): wave canary (1/3): member1 Failed"},
	wantErr:  "is stalled: .*ClusterFailed: wave canary .*; the rollout stopped: 'kubefedctl rollout status' shows where",
}, {
	name:       "propagated by a controller that writes no Ready condition",
	conditions: []readinessCond{{"Propagation", "True", "", ""}},
	clusters:   []readinessCluster{{"member1", "", "", ""}, {"member2", "", "", ""}},
	wantCode:   kubefedctl.ExitNotReady,
	want:       []string{"Ready=Unknown: no Ready condition yet"},
	wantErr:    "is not ready: no Ready condition yet: check that the controller manager runs",
}, {
	name: "not propagated to member2 comes first",
	conditions: []readinessCond{
		{"Propagation", "False", "CheckClusters", "not propagated to 1 of 2 clusters"},
		{"Ready", "False", "Failed", ""},
		{"Stalled", "True", "PropagationFailed", "member2: ApplyOverridesFailed"},
	},
	clusters: []readinessCluster{{"member1", "", "Current", ""}, {"member2", "ApplyOverridesFailed", "NotFound", ""}},
	wantCode: kubefedctl.ExitNotPropagated,
	want:     []string{"NotPropagated", "NotFound", "Ready=False (Failed), Stalled=True (PropagationFailed)"},
	wantErr:  "is not propagated to member2 \\(ApplyOverridesFailed\\)",
}}

// testStatusReadiness creates a FederatedThing with the status of tc and
// checks what kubefedctl status -o wide and -o json say of it.
func testStatusReadiness(t *testing.T, e *cmdEnv, tc statusReadinessCase) {
	obj := createThing(t, e, tc.conditions, tc.clusters)
	out, err := e.run(t, "status", "FederatedThing", obj.GetName(), "-n", "default", "-o", "wide")
	if got := exitCode(err); got != tc.wantCode {
		t.Errorf("exit code %d (error %v), want %d", got, err, tc.wantCode)
	}
	kubefedctltest.WantContains(t, out, tc.want...)
	if tc.wantErr != "" && (err == nil || !regexp.MustCompile(tc.wantErr).MatchString(err.Error())) {
		t.Errorf("error %v, want one matching %q", err, tc.wantErr)
	}

	// -o json carries the same, per cluster.
	out, _ = e.run(t, "status", "FederatedThing", obj.GetName(), "-n", "default", "-o", "json")
	var report kubefedctl.StatusReport
	if err := json.NewDecoder(strings.NewReader(out[strings.Index(out, "{"):])).Decode(&report); err != nil {
		t.Fatalf("decoding -o json: %v", err)
	}
	if len(report.Clusters) != len(tc.clusters) {
		t.Fatalf("-o json has %d clusters, want %d", len(report.Clusters), len(tc.clusters))
	}
	for i, want := range tc.clusters {
		if got := report.Clusters[i]; got.Readiness != want.readiness || got.ReadinessMessage != want.message {
			t.Errorf("-o json cluster %s: readiness %q (%q), want %q (%q)", got.Cluster, got.Readiness, got.ReadinessMessage, want.readiness, want.message)
		}
	}
}

// createThing creates a FederatedThing in default and writes its status,
// propagated at its generation, with conditions and clusters.
func createThing(t *testing.T, e *cmdEnv, conditions []readinessCond, clusters []readinessCluster) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion("types.kubefed.io/v1beta1")
	obj.SetKind("FederatedThing")
	obj.SetNamespace("default")
	obj.SetGenerateName("thing-")
	_ = unstructured.SetNestedMap(obj.Object, map[string]any{"template": map[string]any{}}, "spec")
	if err := e.c.Create(t.Context(), obj); err != nil {
		t.Fatal(err)
	}
	var conds, rows []any
	for _, x := range conditions {
		conds = append(conds, map[string]any{"type": x.typ, "status": x.status, "reason": x.reason, "message": x.message})
	}
	for _, x := range clusters {
		rows = append(rows, map[string]any{"name": x.name, "status": x.status, "readiness": x.readiness, "readinessMessage": x.message})
	}
	obj.Object["status"] = map[string]any{"observedGeneration": obj.GetGeneration(), "conditions": conds, "clusters": rows}
	if err := e.c.Status().Update(t.Context(), obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

// exitCode is the exit code kubefedctl's main gives err.
func exitCode(err error) int {
	var coded interface{ ExitCode() int }
	switch {
	case err == nil:
		return 0
	case errors.As(err, &coded):
		return coded.ExitCode()
	}
	return 1
}
