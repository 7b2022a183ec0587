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

package healthrules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apiserver/pkg/cel/environment"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// Verdict is what the health rules say of one member copy.
type Verdict string

const (
	// VerdictNone means the rules say nothing of the copy (no rules, or
	// only failedWhen and it is false): kstatus's generic rules apply.
	VerdictNone Verdict = ""
	// VerdictReady means readyWhen is true and failedWhen is not.
	VerdictReady Verdict = "Ready"
	// VerdictNotReady means readyWhen is false and failedWhen is not
	// true: the copy is still on its way (kstatus InProgress).
	VerdictNotReady Verdict = "NotReady"
	// VerdictFailed means failedWhen is true: the copy will not become
	// ready without a change (kstatus Failed).
	VerdictFailed Verdict = "Failed"
)

// Field paths of the rules in a FederatedTypeConfig, as errors name them.
const (
	ReadyWhenField  = "spec.health.readyWhen"
	FailedWhenField = "spec.health.failedWhen"
)

// SelfVariable is the name the member copy is bound to in the expressions.
const SelfVariable = "self"

// EvalTimeout bounds one evaluation in wall-clock time, beside the cost
// limit (the per-call limit of CRD validation rules, about 0.1 s of work):
// a worker is never held longer by a rule.
const EvalTimeout = time.Second

// interruptCheckFrequency is how many comprehension iterations run between
// two checks of the evaluation's deadline.
const interruptCheckFrequency = 100

// Rules are compiled health rules, safe for concurrent use.
type Rules struct {
	readyWhen, failedWhen *rule
}

type rule struct {
	field, expr string
	prg         cel.Program
}

// Compile compiles health rules as admission and kubefedctl enable check
// them. A nil h has no rules: (nil, nil). The error names the field
// (spec.health.readyWhen or spec.health.failedWhen) and CEL's message.
func Compile(h *fedcorev1b1.HealthRules) (*Rules, error) {
	return compile(h, environment.NewExpressions)
}

// compile compiles with the named environment of the Kubernetes CEL
// environment set.
func compile(h *fedcorev1b1.HealthRules, envType environment.Type) (*Rules, error) {
	if h == nil {
		return nil, nil
	}
	if h.ReadyWhen == "" && h.FailedWhen == "" {
		return nil, errors.New("spec.health needs readyWhen, failedWhen or both: remove spec.health to use the generic readiness rules")
	}
	env, err := envFor(envType)
	if err != nil {
		return nil, err
	}
	r := &Rules{}
	if r.readyWhen, err = compileRule(env, ReadyWhenField, h.ReadyWhen); err != nil {
		return nil, err
	}
	if r.failedWhen, err = compileRule(env, FailedWhenField, h.FailedWhen); err != nil {
		return nil, err
	}
	return r, nil
}

// envs is the Kubernetes CEL environment set with self declared, built
// once: extending an environment costs more than compiling a rule.
var envs = sync.OnceValues(func() (*environment.EnvSet, error) {
	set, err := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()).Extend(environment.VersionedOptions{
		IntroducedVersion: version.MajorMinor(1, 0),
		EnvOptions:        []cel.EnvOption{cel.Variable(SelfVariable, cel.DynType)},
	})
	if err != nil {
		return nil, fmt.Errorf("building the CEL environment of health rules: %w", err)
	}
	return set, nil
})

// envFor returns the CEL environment of the given type with self declared.
func envFor(envType environment.Type) (*cel.Env, error) {
	set, err := envs()
	if err != nil {
		return nil, err
	}
	return set.Env(envType)
}

func compileRule(env *cel.Env, field, expr string) (*rule, error) {
	if expr == "" {
		return nil, nil
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, fmt.Errorf("%s is not a valid CEL expression returning a bool: %s", field, iss.Err())
	}
	// self is dyn, so most expressions are dyn too: their result is
	// checked when evaluated. Anything else must be a bool.
	if t := ast.OutputType(); !t.IsExactType(types.BoolType) && !t.IsExactType(types.DynType) {
		return nil, fmt.Errorf("%s must return a bool, but %q returns %s: compare it, e.g. self.status.phase == 'Ready'", field, expr, t)
	}
	prg, err := env.Program(ast, cel.InterruptCheckFrequency(interruptCheckFrequency))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return &rule{field: field, expr: expr, prg: prg}, nil
}

// Evaluate evaluates the rules on a member copy. A nil receiver says
// VerdictNone. failedWhen goes first: true is VerdictFailed. Then
// readyWhen, if set: true is VerdictReady, false VerdictNotReady. With
// neither, VerdictNone.
//
// A field the copy does not have ("no such key", e.g. status before the
// member's controller wrote it) makes an expression false rather than an
// error: such a copy is not ready and has not failed. Any other evaluation
// error (a value of an unexpected type, a result that is not a bool, the
// cost limit or EvalTimeout exceeded) is returned with VerdictNone; the
// error names the field.
func (r *Rules) Evaluate(obj *unstructured.Unstructured) (Verdict, error) {
	if r == nil || obj == nil {
		return VerdictNone, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), EvalTimeout)
	defer cancel()
	vars := map[string]any{SelfVariable: obj.Object}
	if r.failedWhen != nil {
		failed, err := r.failedWhen.eval(ctx, vars)
		if err != nil {
			return VerdictNone, err
		}
		if failed {
			return VerdictFailed, nil
		}
	}
	if r.readyWhen == nil {
		return VerdictNone, nil
	}
	ready, err := r.readyWhen.eval(ctx, vars)
	switch {
	case err != nil:
		return VerdictNone, err
	case ready:
		return VerdictReady, nil
	default:
		return VerdictNotReady, nil
	}
}

func (r *rule) eval(ctx context.Context, vars map[string]any) (bool, error) {
	out, _, err := r.prg.ContextEval(ctx, vars)
	if err != nil {
		if isMissingField(err) {
			return false, nil
		}
		return false, fmt.Errorf("evaluating %s: %w", r.field, err)
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("%s must return a bool, but returned %s %s", r.field, typeName(out), out)
	}
	return bool(b), nil
}

// isMissingField reports whether an evaluation error is the absence of a
// map key or field, which cel-go reports as "no such key".
func isMissingField(err error) bool {
	return strings.HasPrefix(err.Error(), "no such key")
}

func typeName(v ref.Val) string {
	if v == nil {
		return "nothing"
	}
	return v.Type().TypeName()
}
