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

package healthrules_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/healthrules"
)

// object decodes a member copy the way the API server returns it (JSON:
// integers are int64).
func object(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	data, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}
	return u
}

func mustCompile(t *testing.T, h *fedcorev1b1.HealthRules) *healthrules.Rules {
	t.Helper()
	r, err := healthrules.Compile(h)
	if err != nil {
		t.Fatalf("Compile(%+v): %v", h, err)
	}
	return r
}

// cert-manager's Certificate: Ready condition, and
// status.failedIssuanceAttempts counting the failed issuances (cert-manager
// backs off after a failure; a rule may call repeated failures Failed).
var certificateRules = &fedcorev1b1.HealthRules{
	ReadyWhen:  "self.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True' && c.observedGeneration == self.metadata.generation)",
	FailedWhen: "has(self.status.failedIssuanceAttempts) && self.status.failedIssuanceAttempts >= 3",
}

const certificateSpec = `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
  namespace: default
  generation: 2
spec:
  secretName: web-tls
  dnsNames: [web.example.com]
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
`

// Crossplane's managed resources: Synced (the provider reconciled the
// external resource) and Ready (it is available); Synced=False with reason
// ReconcileError when the provider cannot reconcile it.
var crossplaneRules = &fedcorev1b1.HealthRules{
	ReadyWhen:  "['Synced', 'Ready'].all(t, self.status.conditions.exists(c, c.type == t && c.status == 'True'))",
	FailedWhen: "self.status.conditions.exists(c, c.type == 'Synced' && c.status == 'False' && c.reason == 'ReconcileError')",
}

const bucketSpec = `apiVersion: s3.aws.upbound.io/v1beta1
kind: Bucket
metadata:
  name: assets
  generation: 1
spec:
  forProvider: {region: eu-west-1}
`

func TestEvaluate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules *fedcorev1b1.HealthRules
		obj   string
		want  healthrules.Verdict
	}{
		{"certificate issued", certificateRules, certificateSpec + `status:
  conditions:
  - {type: Ready, status: "True", reason: Ready, observedGeneration: 2, message: Certificate is up to date and has not expired}
  notAfter: "2027-01-01T00:00:00Z"
`, healthrules.VerdictReady},
		{"certificate ready for an older generation", certificateRules, certificateSpec + `status:
  conditions:
  - {type: Ready, status: "True", reason: Ready, observedGeneration: 1}
`, healthrules.VerdictNotReady},
		{"certificate being issued", certificateRules, certificateSpec + `status:
  conditions:
  - {type: Ready, status: "False", reason: DoesNotExist, observedGeneration: 2}
  - {type: Issuing, status: "True", reason: DoesNotExist, observedGeneration: 2}
`, healthrules.VerdictNotReady},
		{"certificate whose issuance failed three times", certificateRules, certificateSpec + `status:
  failedIssuanceAttempts: 3
  lastFailureTime: "2026-12-01T00:00:00Z"
  conditions:
  - {type: Ready, status: "False", reason: DoesNotExist, observedGeneration: 2}
`, healthrules.VerdictFailed},
		{"certificate without status yet", certificateRules, certificateSpec, healthrules.VerdictNotReady},
		{"bucket synced and ready", crossplaneRules, bucketSpec + `status:
  atProvider: {arn: "arn:aws:s3:::assets"}
  conditions:
  - {type: Synced, status: "True", reason: ReconcileSuccess}
  - {type: Ready, status: "True", reason: Available}
`, healthrules.VerdictReady},
		{"bucket synced, being created", crossplaneRules, bucketSpec + `status:
  conditions:
  - {type: Synced, status: "True", reason: ReconcileSuccess}
  - {type: Ready, status: "False", reason: Creating}
`, healthrules.VerdictNotReady},
		{"bucket that the provider cannot reconcile", crossplaneRules, bucketSpec + `status:
  conditions:
  - {type: Synced, status: "False", reason: ReconcileError, message: "create failed: BucketAlreadyExists"}
  - {type: Ready, status: "True", reason: Available}
`, healthrules.VerdictFailed},
		{"bucket with an empty status", crossplaneRules, bucketSpec + "status: {}\n", healthrules.VerdictNotReady},
		{"failedWhen alone, false: generic rules apply", &fedcorev1b1.HealthRules{FailedWhen: crossplaneRules.FailedWhen}, bucketSpec + `status:
  conditions:
  - {type: Synced, status: "True", reason: ReconcileSuccess}
`, healthrules.VerdictNone},
		{"failedWhen alone, true", &fedcorev1b1.HealthRules{FailedWhen: crossplaneRules.FailedWhen}, bucketSpec + `status:
  conditions:
  - {type: Synced, status: "False", reason: ReconcileError}
`, healthrules.VerdictFailed},
		{"a phase field, with Kubernetes' library functions", &fedcorev1b1.HealthRules{
			ReadyWhen:  "self.status.phase == 'Healthy' && quantity(self.spec.storage).isGreaterThan(quantity('1Gi'))",
			FailedWhen: "self.status.phase.lowerAscii() == 'degraded'",
		}, `{apiVersion: example.com/v1, kind: Volume, metadata: {name: v}, spec: {storage: 10Gi}, status: {phase: Healthy}}`, healthrules.VerdictReady},
		{"a phase field, failed", &fedcorev1b1.HealthRules{
			ReadyWhen:  "self.status.phase == 'Healthy'",
			FailedWhen: "self.status.phase.lowerAscii() == 'degraded'",
		}, `{apiVersion: example.com/v1, kind: Volume, metadata: {name: v}, status: {phase: Degraded}}`, healthrules.VerdictFailed},
		{"namespace, a word CEL reserves, as a field; optional fields", &fedcorev1b1.HealthRules{
			ReadyWhen: "self.metadata.namespace == 'shop' && self.?status.phase.orValue('Pending') == 'Bound'",
		}, `{apiVersion: example.com/v1, kind: Claim, metadata: {name: c, namespace: shop}}`, healthrules.VerdictNotReady},
		{"a missing field on one side of || does not hide the other", &fedcorev1b1.HealthRules{
			ReadyWhen: "self.status.legacyReady || self.status.readyReplicas == self.spec.replicas",
		}, `{apiVersion: example.com/v1, kind: Pool, metadata: {name: p}, spec: {replicas: 3}, status: {readyReplicas: 3}}`, healthrules.VerdictReady},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mustCompile(t, tc.rules).Evaluate(object(t, tc.obj))
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if got != tc.want {
				t.Errorf("Evaluate = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEvaluateNoRules(t *testing.T) {
	var r *healthrules.Rules
	got, err := r.Evaluate(object(t, certificateSpec))
	if err != nil || got != healthrules.VerdictNone {
		t.Errorf("nil Rules: Evaluate = %q, %v; want VerdictNone", got, err)
	}
	r, err = healthrules.Compile(nil)
	if r != nil || err != nil {
		t.Errorf("Compile(nil) = %v, %v; want nil, nil", r, err)
	}
}

// ruleErrorCase is health rules that Compile or Evaluate must refuse, and
// the parts of the error that say why.
type ruleErrorCase struct {
	name  string
	rules *fedcorev1b1.HealthRules
	want  []string
}

// wantErrorContaining checks that err contains every part of want.
func wantErrorContaining(t *testing.T, err error, want []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

// TestEvaluateErrors: an expression that cannot be evaluated on a copy is
// an error naming the field, with no verdict.
func TestEvaluateErrors(t *testing.T) {
	obj := `{apiVersion: example.com/v1, kind: Pool, metadata: {name: p}, spec: {replicas: 3}, status: {phase: Running, readyReplicas: 3}}`
	for _, tc := range []ruleErrorCase{
		{"a dyn result that is not a bool", &fedcorev1b1.HealthRules{ReadyWhen: "self.status.phase"},
			[]string{"spec.health.readyWhen", "must return a bool", "Running"}},
		{"a comparison of a string with an int", &fedcorev1b1.HealthRules{FailedWhen: "self.status.phase > 2"},
			[]string{"spec.health.failedWhen", "no such overload"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mustCompile(t, tc.rules).Evaluate(object(t, obj))
			if err == nil {
				t.Fatalf("Evaluate = %q, want an error", got)
			}
			if got != healthrules.VerdictNone {
				t.Errorf("Evaluate = %q with the error, want VerdictNone", got)
			}
			wantErrorContaining(t, err, tc.want)
		})
	}
}

// TestCostLimit: a rule that does more work than a CRD validation rule may
// (the per-call cost limit, 1,000,000) stops with CEL's cost error instead
// of holding the worker. Searching a 100,000-character string costs 10,000
// (CEL charges 0.1 per character), so 100 searches reach the limit.
func TestCostLimit(t *testing.T) {
	list := func(n int) []any {
		items := make([]any, n)
		for i := range items {
			items[i] = int64(i)
		}
		return items
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Big", "metadata": map[string]any{"name": "b"},
		"spec": map[string]any{"items": list(200), "text": strings.Repeat("a", 100000)},
	}}
	r := mustCompile(t, &fedcorev1b1.HealthRules{ReadyWhen: "self.spec.items.all(i, !self.spec.text.contains('zz'))"})
	got, err := r.Evaluate(obj)
	if err == nil || !strings.Contains(err.Error(), "cost limit exceeded") || !strings.Contains(err.Error(), "spec.health.readyWhen") {
		t.Fatalf("Evaluate = %q, %v; want an error naming spec.health.readyWhen and the cost limit", got, err)
	}
	// The same rule with 50 searches stays under the limit and is true.
	obj.Object["spec"].(map[string]any)["items"] = list(50)
	if got, err := r.Evaluate(obj); err != nil || got != healthrules.VerdictReady {
		t.Errorf("50 searches: Evaluate = %q, %v; want Ready", got, err)
	}
}

// TestSlowRuleBounded: a rule whose work grows with the square of a list
// returns an error (the cost limit, or EvalTimeout on a slow machine)
// rather than running on.
func TestSlowRuleBounded(t *testing.T) {
	items := make([]any, 2000)
	for i := range items {
		items[i] = int64(i)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Big", "metadata": map[string]any{"name": "b"},
		"spec": map[string]any{"items": items},
	}}
	r := mustCompile(t, &fedcorev1b1.HealthRules{FailedWhen: "self.spec.items.exists(a, self.spec.items.exists(b, a + b < 0))"})
	got, err := r.Evaluate(obj)
	if err == nil || !strings.Contains(err.Error(), "spec.health.failedWhen") ||
		!(strings.Contains(err.Error(), "cost limit exceeded") || strings.Contains(err.Error(), "context deadline exceeded")) {
		t.Fatalf("Evaluate = %q, %v; want an error naming spec.health.failedWhen and the cost limit or the deadline", got, err)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []ruleErrorCase{
		{"a string", &fedcorev1b1.HealthRules{ReadyWhen: "'Ready'"},
			[]string{"spec.health.readyWhen", "must return a bool", "string"}},
		{"an int", &fedcorev1b1.HealthRules{FailedWhen: "size(self.status.conditions)"},
			[]string{"spec.health.failedWhen", "must return a bool", "int"}},
		{"a syntax error", &fedcorev1b1.HealthRules{ReadyWhen: "self.status.phase == 'Ready' &&"},
			[]string{"spec.health.readyWhen", "returning a bool", "Syntax error"}},
		{"an undeclared variable", &fedcorev1b1.HealthRules{ReadyWhen: "object.status.phase == 'Ready'"},
			[]string{"spec.health.readyWhen", "undeclared reference to 'object'"}},
		{"an unknown function", &fedcorev1b1.HealthRules{ReadyWhen: "self.status.phase.isReady()"},
			[]string{"spec.health.readyWhen", "undeclared reference to 'isReady'"}},
		{"the second rule invalid", &fedcorev1b1.HealthRules{ReadyWhen: "true", FailedWhen: "self.status.phase = 'Failed'"},
			[]string{"spec.health.failedWhen", "Syntax error"}},
		{"neither rule", &fedcorev1b1.HealthRules{},
			[]string{"readyWhen, failedWhen or both"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := healthrules.Compile(tc.rules)
			if err == nil {
				t.Fatalf("Compile = %v, want an error", r)
			}
			wantErrorContaining(t, err, tc.want)
		})
	}
}

// TestCompileVersions: Compile admits the functions of the compatibility
// version (the Kubernetes version of the CEL libraries, less one), and the
// Cache, which runs stored rules, also those of the newer version. The
// list includes() function came with Kubernetes 1.37's CEL library.
func TestCompileVersions(t *testing.T) {
	h := &fedcorev1b1.HealthRules{ReadyWhen: "['Ready', 'Available'].includes(self.status.phase)"}
	if _, err := healthrules.Compile(h); err == nil || !strings.Contains(err.Error(), "includes") {
		t.Errorf("Compile: error %v, want one naming includes", err)
	}
	r, err := healthrules.NewCache().Get(h)
	if err != nil {
		t.Fatalf("Cache.Get: %v", err)
	}
	got, err := r.Evaluate(object(t, `{apiVersion: example.com/v1, kind: X, metadata: {name: x}, status: {phase: Available}}`))
	if err != nil || got != healthrules.VerdictReady {
		t.Errorf("Evaluate = %q, %v; want Ready", got, err)
	}
}

func TestCache(t *testing.T) {
	c := healthrules.NewCache()
	if r, err := c.Get(nil); r != nil || err != nil {
		t.Errorf("Get(nil) = %v, %v; want nil, nil", r, err)
	}
	first, err := c.Get(&fedcorev1b1.HealthRules{ReadyWhen: crossplaneRules.ReadyWhen, FailedWhen: crossplaneRules.FailedWhen})
	if err != nil {
		t.Fatal(err)
	}
	// A copy of the same rules (another FederatedTypeConfig read) is the
	// same compiled rules.
	again, _ := c.Get(&fedcorev1b1.HealthRules{ReadyWhen: crossplaneRules.ReadyWhen, FailedWhen: crossplaneRules.FailedWhen})
	if again != first {
		t.Errorf("Get of the same expressions compiled them again")
	}
	// Swapping the expressions is other rules.
	swapped, err := c.Get(&fedcorev1b1.HealthRules{ReadyWhen: crossplaneRules.FailedWhen, FailedWhen: crossplaneRules.ReadyWhen})
	if err != nil || swapped == first {
		t.Errorf("Get of swapped expressions = the first rules (%v)", err)
	}
	// Compile errors are remembered too.
	bad := &fedcorev1b1.HealthRules{ReadyWhen: "'x'"}
	if _, err := c.Get(bad); err == nil || !strings.Contains(err.Error(), "must return a bool") {
		t.Errorf("Get(bad) error = %v", err)
	}
	if _, err := c.Get(bad); err == nil {
		t.Errorf("second Get(bad): no error")
	}
	if c.Len() != 3 {
		t.Errorf("Len = %d, want 3", c.Len())
	}

	// Concurrent users, and more distinct rules than the bound.
	var wg sync.WaitGroup
	obj := object(t, `{apiVersion: example.com/v1, kind: X, metadata: {name: x, generation: 7}}`)
	for w := range 8 {
		wg.Go(func() {
			for i := range healthrules.MaxCacheEntries/4 + 10 {
				n := w*1000 + i
				r, err := c.Get(&fedcorev1b1.HealthRules{ReadyWhen: fmt.Sprintf("self.metadata.generation == %d", n%10)})
				if err != nil {
					t.Error(err)
					return
				}
				got, err := r.Evaluate(obj)
				want := healthrules.VerdictNotReady
				if n%10 == 7 {
					want = healthrules.VerdictReady
				}
				if err != nil || got != want {
					t.Errorf("rule %d: Evaluate = %q, %v; want %q", n%10, got, err, want)
				}
				if _, err := c.Get(&fedcorev1b1.HealthRules{FailedWhen: fmt.Sprintf("self.metadata.name == 'n%d'", n)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n := c.Len(); n > healthrules.MaxCacheEntries {
		t.Errorf("Len = %d after %d distinct rules, want at most MaxCacheEntries (%d)", n, 8*(healthrules.MaxCacheEntries/4+10), healthrules.MaxCacheEntries)
	}
}

// FuzzRules: no expression makes Compile or Evaluate panic, and Evaluate
// gives a verdict or an error, never both.
func FuzzRules(f *testing.F) {
	for _, seed := range []string{
		certificateRules.ReadyWhen, certificateRules.FailedWhen, crossplaneRules.ReadyWhen,
		"self.status.phase", "'x'", "self.spec.items.all(i, i > 0)", "self.metadata.namespace == 'a'",
		"has(self.status) && self.status.readyReplicas >= self.spec.replicas", "self.?status.phase.orValue('') == 'x'",
	} {
		f.Add(seed, "")
		f.Add("", seed)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "X",
		"metadata": map[string]any{"name": "x", "namespace": "a", "generation": int64(2)},
		"spec":     map[string]any{"replicas": int64(3), "items": []any{int64(1), "two", 3.5, nil, true}},
		"status": map[string]any{"phase": "Ready", "readyReplicas": int64(3), "conditions": []any{
			map[string]any{"type": "Ready", "status": "True", "observedGeneration": int64(2)},
		}},
	}}
	f.Fuzz(func(t *testing.T, readyWhen, failedWhen string) {
		r, err := healthrules.Compile(&fedcorev1b1.HealthRules{ReadyWhen: readyWhen, FailedWhen: failedWhen})
		if err != nil {
			return
		}
		v, err := r.Evaluate(obj)
		if err != nil && v != healthrules.VerdictNone {
			t.Errorf("Evaluate = %q with error %v", v, err)
		}
		switch v {
		case healthrules.VerdictNone, healthrules.VerdictReady, healthrules.VerdictNotReady, healthrules.VerdictFailed:
		default:
			t.Errorf("Evaluate = unknown verdict %q", v)
		}
	})
}
