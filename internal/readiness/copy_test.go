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

package readiness_test

import (
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/healthrules"
	"github.com/kubefed/kubefed/internal/readiness"
)

// apiVersions are the API versions of the kinds the tests read.
var apiVersions = map[string]string{
	"Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "Job": "batch/v1",
	"Pod": "v1", "PersistentVolumeClaim": "v1", "Service": "v1", "Namespace": "v1", "Widget": "example.com/v1",
}

// object decodes an object of the kind from the YAML of its other fields,
// as the API client decodes objects (integers as int64).
func object(t *testing.T, kind, fields string) *unstructured.Unstructured {
	t.Helper()
	apiVersion, ok := apiVersions[kind]
	if !ok {
		t.Fatalf("no API version for kind %s", kind)
	}
	manifest := "apiVersion: " + apiVersion + "\nkind: " + kind + "\n" + strings.TrimPrefix(fields, "\n")
	data, err := yaml.YAMLToJSON([]byte(manifest))
	if err != nil {
		t.Fatalf("parsing the manifest: %v", err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(data); err != nil {
		t.Fatalf("decoding the manifest: %v", err)
	}
	return u
}

// kstatusCase is an object of kind, given as the YAML of its other fields,
// and its readiness by kstatus's documented rule.
type kstatusCase struct {
	name   string
	kind   string
	fields string
	want   fedtypesv1b1.Readiness
}

var kstatusCases = []kstatusCase{
	{"Deployment available", "Deployment", `
metadata: {name: web, generation: 2}
spec: {replicas: 2}
status:
  observedGeneration: 2
  replicas: 2
  updatedReplicas: 2
  readyReplicas: 2
  availableReplicas: 2
  conditions:
  - {type: Available, status: "True"}
  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}
`, fedtypesv1b1.ReadinessCurrent},
	{"Deployment whose new generation is not observed", "Deployment", `
metadata: {name: web, generation: 3}
spec: {replicas: 2}
status: {observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2}
`, fedtypesv1b1.ReadinessInProgress},
	{"Deployment short of ready replicas", "Deployment", `
metadata: {name: web, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 2}
`, fedtypesv1b1.ReadinessInProgress},
	{"Deployment past its progress deadline", "Deployment", `
metadata: {name: web, generation: 1}
spec: {replicas: 2, progressDeadlineSeconds: 60}
status:
  observedGeneration: 1
  replicas: 2
  updatedReplicas: 2
  readyReplicas: 1
  availableReplicas: 1
  conditions:
  - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded}
`, fedtypesv1b1.ReadinessFailed},
	{"StatefulSet rolled out", "StatefulSet", `
metadata: {name: db, generation: 1}
spec: {replicas: 3}
status: {observedGeneration: 1, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: r1, updateRevision: r1}
`, fedtypesv1b1.ReadinessCurrent},
	{"StatefulSet rolling out", "StatefulSet", `
metadata: {name: db, generation: 2}
spec: {replicas: 3}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, currentReplicas: 2, updatedReplicas: 1, currentRevision: r1, updateRevision: r2}
`, fedtypesv1b1.ReadinessInProgress},
	{"DaemonSet on every node", "DaemonSet", `
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberReady: 3}
`, fedtypesv1b1.ReadinessCurrent},
	{"DaemonSet short of ready pods", "DaemonSet", `
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberReady: 2}
`, fedtypesv1b1.ReadinessInProgress},
	{"Job completed", "Job", `
metadata: {name: once, generation: 1}
spec: {completions: 1}
status: {startTime: "2026-01-01T00:00:00Z", succeeded: 1, conditions: [{type: Complete, status: "True"}]}
`, fedtypesv1b1.ReadinessCurrent},
	{"Job failed", "Job", `
metadata: {name: once, generation: 1}
status: {startTime: "2026-01-01T00:00:00Z", failed: 6, conditions: [{type: Failed, status: "True"}]}
`, fedtypesv1b1.ReadinessFailed},
	{"Job not started", "Job", `
metadata: {name: once, generation: 1}
status: {}
`, fedtypesv1b1.ReadinessInProgress},
	{"Pod running and ready", "Pod", `
metadata: {name: p}
status: {phase: Running, conditions: [{type: Ready, status: "True"}]}
`, fedtypesv1b1.ReadinessCurrent},
	{"Pod running, not ready", "Pod", `
metadata: {name: p}
status: {phase: Running, conditions: [{type: Ready, status: "False"}]}
`, fedtypesv1b1.ReadinessInProgress},
	{"Pod crash-looping", "Pod", `
metadata: {name: p}
status:
  phase: Running
  conditions: [{type: Ready, status: "False"}]
  containerStatuses: [{name: app, state: {waiting: {reason: CrashLoopBackOff}}}]
`, fedtypesv1b1.ReadinessFailed},
	{"Pod unschedulable for long", "Pod", `
metadata: {name: p, creationTimestamp: "2026-01-01T00:00:00Z"}
status: {phase: Pending, conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]}
`, fedtypesv1b1.ReadinessFailed},
	{"Pod that ran to a failure has completed", "Pod", `
metadata: {name: p}
status: {phase: Failed}
`, fedtypesv1b1.ReadinessCurrent},
	{"PVC bound", "PersistentVolumeClaim", `
metadata: {name: data}
status: {phase: Bound}
`, fedtypesv1b1.ReadinessCurrent},
	{"PVC pending", "PersistentVolumeClaim", `
metadata: {name: data}
status: {phase: Pending}
`, fedtypesv1b1.ReadinessInProgress},
	{"Service of type ClusterIP", "Service", `
metadata: {name: web}
spec: {type: ClusterIP, clusterIP: 10.0.0.1}
`, fedtypesv1b1.ReadinessCurrent},
	{"LoadBalancer Service without a cluster IP yet", "Service", `
metadata: {name: web}
spec: {type: LoadBalancer}
`, fedtypesv1b1.ReadinessInProgress},
	{"Namespace", "Namespace", `
metadata: {name: team}
status: {phase: Active}
`, fedtypesv1b1.ReadinessCurrent},
	{"Namespace being deleted", "Namespace", `
metadata: {name: team, deletionTimestamp: "2026-01-01T00:00:00Z"}
status: {phase: Terminating}
`, fedtypesv1b1.ReadinessTerminating},
	{"custom resource Ready", "Widget", `
metadata: {name: w, generation: 4}
status: {observedGeneration: 4, conditions: [{type: Ready, status: "True"}]}
`, fedtypesv1b1.ReadinessCurrent},
	{"custom resource not Ready", "Widget", `
metadata: {name: w, generation: 4}
status: {observedGeneration: 4, conditions: [{type: Ready, status: "False", reason: Waiting}]}
`, fedtypesv1b1.ReadinessInProgress},
	{"custom resource Stalled", "Widget", `
metadata: {name: w, generation: 4}
status: {observedGeneration: 4, conditions: [{type: Stalled, status: "True", reason: BadConfig, message: no such image}]}
`, fedtypesv1b1.ReadinessFailed},
	{"custom resource Reconciling", "Widget", `
metadata: {name: w, generation: 4}
status: {observedGeneration: 4, conditions: [{type: Reconciling, status: "True", reason: Rolling}]}
`, fedtypesv1b1.ReadinessInProgress},
	{"custom resource without conditions", "Widget", `
metadata: {name: w, generation: 1}
spec: {size: 1}
`, fedtypesv1b1.ReadinessCurrent},
}

// The expected statuses are kstatus's documented rules for each kind (the
// comments of its status package); the test checks kstatus agrees, so a
// change of kstatus's rules shows here, and that Copy reports them.
func TestCopyFollowsKstatusPerKind(t *testing.T) {
	for _, tt := range kstatusCases {
		t.Run(tt.name, func(t *testing.T) {
			obj := object(t, tt.kind, tt.fields)
			oracle, err := kstatus.Compute(obj)
			if err != nil {
				t.Fatalf("kstatus: %v", err)
			}
			if string(oracle.Status) != string(tt.want) {
				t.Fatalf("kstatus says %s (%s), the documented rule %s", oracle.Status, oracle.Message, tt.want)
			}
			got := readiness.Checker{TypeConfig: "widgets.example.com"}.Copy(obj)
			if got.Status != tt.want || got.Message != oracle.Message {
				t.Errorf("Copy = %s/%q, want %s/%q", got.Status, got.Message, tt.want, oracle.Message)
			}
		})
	}
}

func TestCopyWithHealthRules(t *testing.T) {
	rules, err := healthrules.Compile(&fedcorev1b1.HealthRules{
		ReadyWhen:  "self.status.phase == 'Running'",
		FailedWhen: "self.status.phase == 'Broken'",
	})
	if err != nil {
		t.Fatal(err)
	}
	typeError, err := healthrules.Compile(&fedcorev1b1.HealthRules{ReadyWhen: "self.status.count > 1"})
	if err != nil {
		t.Fatal(err)
	}
	withRules := readiness.Checker{TypeConfig: "widgets.example.com", Rules: rules}
	widget := func(status string) *unstructured.Unstructured {
		return object(t, "Widget", "metadata: {name: w, generation: 2}\n"+status)
	}
	tests := []struct {
		name        string
		checker     readiness.Checker
		obj         *unstructured.Unstructured
		want        fedtypesv1b1.Readiness
		wantMessage []string // substrings
	}{
		{"readyWhen true", withRules,
			widget("status: {phase: Running}"), fedtypesv1b1.ReadinessCurrent, []string{"readyWhen", "widgets.example.com"}},
		{"readyWhen false", withRules,
			widget("status: {phase: Starting}"), fedtypesv1b1.ReadinessInProgress, []string{"readyWhen is false"}},
		{"no status yet is not ready", withRules,
			widget(""), fedtypesv1b1.ReadinessInProgress, []string{"readyWhen is false"}},
		{"failedWhen true", withRules,
			widget("status: {phase: Broken}"), fedtypesv1b1.ReadinessFailed, []string{"failedWhen is true"}},
		{"rules override a Ready condition", withRules,
			widget("status: {phase: Starting, conditions: [{type: Ready, status: 'True'}]}"), fedtypesv1b1.ReadinessInProgress, nil},
		{"a status of an older generation is in progress", withRules,
			widget("status: {phase: Running, observedGeneration: 1}"), fedtypesv1b1.ReadinessInProgress, []string{"generation is 2"}},
		{"a copy being deleted is terminating", withRules,
			object(t, "Widget", "metadata: {name: w, deletionTimestamp: '2026-01-01T00:00:00Z'}\nstatus: {phase: Running}"),
			fedtypesv1b1.ReadinessTerminating, nil},
		{"an evaluation error is unknown, naming the type and the rule", readiness.Checker{TypeConfig: "widgets.example.com", Rules: typeError},
			widget("status: {count: many}"), fedtypesv1b1.ReadinessUnknown, []string{"widgets.example.com", healthrules.ReadyWhenField}},
		{"rules that did not compile", readiness.Checker{TypeConfig: "widgets.example.com", RulesErr: errors.New("spec.health.readyWhen is not a valid CEL expression")},
			widget("status: {phase: Running}"), fedtypesv1b1.ReadinessUnknown, []string{"widgets.example.com", "spec.health.readyWhen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.checker.Copy(tt.obj)
			if got.Status != tt.want {
				t.Errorf("Copy = %s (%s), want %s", got.Status, got.Message, tt.want)
			}
			for _, sub := range tt.wantMessage {
				if !strings.Contains(got.Message, sub) {
					t.Errorf("message %q does not say %q", got.Message, sub)
				}
			}
		})
	}
}

func TestRefused(t *testing.T) {
	gr := schema.GroupResource{Group: "apps", Resource: "deployments"}
	terminating := apierrors.NewForbidden(schema.GroupResource{Resource: "deployments"}, "web", errors.New("namespace ns is being terminated"))
	terminating.ErrStatus.Details.Causes = []metav1.StatusCause{{Type: corev1.NamespaceTerminatingCause}}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"invalid", apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "web", nil), true},
		{"denied by an admission webhook", apierrors.NewForbidden(gr, "web", errors.New(`admission webhook "policy.example.com" denied the request`)), true},
		{"bad request", apierrors.NewBadRequest("bad"), true},
		{"a namespace being deleted", terminating, false},
		{"conflict", apierrors.NewConflict(gr, "web", errors.New("changed")), false},
		{"timeout", apierrors.NewTimeoutError("slow", 1), false},
		{"server error", apierrors.NewInternalError(errors.New("etcd")), false},
		{"throttled", apierrors.NewTooManyRequests("later", 1), false},
		{"namespace not found yet", apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "ns"), false},
		{"not an API error", errors.New("connection refused"), false},
		{"no error", nil, false},
	}
	for _, tt := range tests {
		if got := readiness.Refused(tt.err); got != tt.want {
			t.Errorf("%s: Refused = %v, want %v", tt.name, got, tt.want)
		}
	}
}
