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
	"context"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// members are the clusters every test object is placed in.
var members = []string{"member1", "member2"}

// object is a federated object under test and the kind of its member
// copies.
type object struct {
	e         *e2eutil.Env
	fedGVK    schema.GroupVersionKind
	targetGVK schema.GroupVersionKind
	key       client.ObjectKey
	// strict makes every observation check that the federated object is
	// Current by kstatus only when every copy is (used where kstatus knows
	// the copies' kind; a health rule decides for the others).
	strict bool
}

// observation is the federated object and then its member copies, read in
// that order, with kstatus's Compute of each.
type observation struct {
	fed    *unstructured.Unstructured
	status *status.Result
	// copies and copyStatus are nil for a cluster without a copy.
	copies     map[string]*unstructured.Unstructured
	copyStatus map[string]*status.Result
}

// observe reads the federated object, then its copies.
func (o *object) observe(ctx context.Context) (*observation, error) {
	obs := &observation{fed: &unstructured.Unstructured{}, copies: map[string]*unstructured.Unstructured{}, copyStatus: map[string]*status.Result{}}
	obs.fed.SetGroupVersionKind(o.fedGVK)
	if err := o.e.Host.Get(ctx, o.key, obs.fed); err != nil {
		return nil, err
	}
	res, err := status.Compute(obs.fed)
	if err != nil {
		return nil, fmt.Errorf("kstatus of %s %s: %w", o.fedGVK.Kind, o.key, err)
	}
	obs.status = res
	for _, m := range members {
		c := &unstructured.Unstructured{}
		c.SetGroupVersionKind(o.targetGVK)
		switch err := o.e.Member(m).Get(ctx, o.key, c); {
		case apierrors.IsNotFound(err):
			obs.copies[m], obs.copyStatus[m] = nil, nil
			continue
		case err != nil:
			return nil, fmt.Errorf("reading the copy in %s: %w", m, err)
		}
		res, err := status.Compute(c)
		if err != nil {
			return nil, fmt.Errorf("kstatus of the copy in %s: %w", m, err)
		}
		obs.copies[m], obs.copyStatus[m] = c, res
	}
	return obs, nil
}

func (obs *observation) String() string {
	parts := []string{fmt.Sprintf("federated: %s (%s)", obs.status.Status, obs.status.Message)}
	for _, m := range members {
		if r := obs.copyStatus[m]; r != nil {
			parts = append(parts, fmt.Sprintf("%s: %s (%s), reported %s", m, r.Status, r.Message, obs.reported(m)))
		} else {
			parts = append(parts, fmt.Sprintf("%s: no copy, reported %s", m, obs.reported(m)))
		}
	}
	for _, c := range e2eutil.FederatedStatus(obs.fed).Conditions {
		parts = append(parts, fmt.Sprintf("condition %s=%s %s: %s", c.Type, c.Status, c.Reason, c.Message))
	}
	return strings.Join(parts, "; ")
}

// reported is the readiness the federated object reports for the cluster.
func (obs *observation) reported(cluster string) fedtypesv1b1.Readiness {
	for _, c := range e2eutil.FederatedStatus(obs.fed).Clusters {
		if c.Name == cluster {
			return c.Readiness
		}
	}
	return ""
}

// condition returns the federated object's condition of the type, or nil.
func (obs *observation) condition(t fedtypesv1b1.ConditionType) *fedtypesv1b1.GenericCondition {
	return e2eutil.FederatedStatus(obs.fed).GetCondition(t)
}

// aggregate is what the copies' kstatus statuses make of the whole, by
// the rule a reader of kstatus applies to a set of objects: Failed if one
// is, else Current if all are, else InProgress.
func (obs *observation) aggregate() status.Status {
	all := status.CurrentStatus
	for _, m := range members {
		switch r := obs.copyStatus[m]; {
		case r == nil:
			all = status.InProgressStatus
		case r.Status == status.FailedStatus:
			return status.FailedStatus
		case r.Status != status.CurrentStatus:
			all = status.InProgressStatus
		}
	}
	return all
}

// wait polls until the federated object's kstatus is want and check (if
// any) passes, and returns that observation. With strict, every
// observation on the way must agree with its copies when it says Current;
// and the final one must agree with the copies' aggregate and report each
// copy's kstatus in status.clusters.
func (o *object) wait(t *testing.T, timeout time.Duration, want status.Status, check func(*observation) error, what string) *observation {
	t.Helper()
	var last *observation
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		obs, err := o.observe(ctx)
		if err != nil {
			return err
		}
		last = obs
		if o.strict {
			if err := obs.currentOnlyWhenCopiesAre(); err != nil {
				t.Errorf("%s", err)
			}
		}
		if obs.status.Status != want {
			return fmt.Errorf("kstatus %s, want %s: %s", obs.status.Status, want, obs)
		}
		if o.strict {
			if agg := obs.aggregate(); agg != want {
				return fmt.Errorf("the copies make %s: %s", agg, obs)
			}
			for _, m := range members {
				if r := obs.copyStatus[m]; r != nil && string(obs.reported(m)) != string(r.Status) {
					return fmt.Errorf("status.clusters reports %s for %s, kstatus of the copy says %s: %s", obs.reported(m), m, r.Status, obs)
				}
			}
		}
		if check != nil {
			if err := check(obs); err != nil {
				return fmt.Errorf("%w: %s", err, obs)
			}
		}
		return nil
	}, "%s %s: %s", o.fedGVK.Kind, o.key, what)
	return last
}

// currentOnlyWhenCopiesAre is the invariant of every observation: the
// federated object is never Current while a copy (read after it) is not.
func (obs *observation) currentOnlyWhenCopiesAre() error {
	if obs.status.Status != status.CurrentStatus {
		return nil
	}
	for _, m := range members {
		if r := obs.copyStatus[m]; r == nil || r.Status != status.CurrentStatus {
			why := ""
			if _, found, _ := unstructured.NestedInt64(obs.fed.Object, "status", "observedGeneration"); !found {
				why = " (it has no status.observedGeneration yet, and kstatus reads an object without one, and without conditions, as Current)"
			}
			return fmt.Errorf("the federated object is Current while its copy in %s is not%s: %s", m, why, obs)
		}
	}
	return nil
}

// mentions is a check that the condition of the type is True and its
// message names the cluster.
func mentions(t fedtypesv1b1.ConditionType, cluster string) func(*observation) error {
	return func(obs *observation) error {
		c := obs.condition(t)
		if c == nil || c.Status != "True" || !strings.Contains(c.Message, cluster) {
			return fmt.Errorf("condition %s is not True naming %s", t, cluster)
		}
		return nil
	}
}

// reports is a check that status.clusters reports the readiness for each
// cluster given.
func reports(want map[string]fedtypesv1b1.Readiness) func(*observation) error {
	return func(obs *observation) error {
		for _, m := range slices.Sorted(maps.Keys(want)) {
			if got := obs.reported(m); got != want[m] {
				return fmt.Errorf("status.clusters reports %q for %s, want %q", got, m, want[m])
			}
		}
		return nil
	}
}

// all passes when every check passes.
func all(checks ...func(*observation) error) func(*observation) error {
	return func(obs *observation) error {
		for _, c := range checks {
			if err := c(obs); err != nil {
				return err
			}
		}
		return nil
	}
}

// kubefedctlStatus runs kubefedctl status on the federated object (in this
// process, with the federation's kubeconfig) and returns its output and
// its exit code, as kubefedctl's main would give it.
func (o *object) kubefedctlStatus(t *testing.T) (string, int) {
	t.Helper()
	out, err := kubefedctltest.Run(t, o.e.Fed.Kubeconfig(), "--host-cluster-context", o.e.Fed.Host.Context(),
		"status", o.fedGVK.Kind, o.key.Name, "-n", o.key.Namespace)
	var coded interface{ ExitCode() int }
	switch {
	case err == nil:
		return out, 0
	case errors.As(err, &coded):
		return out + "\n" + err.Error(), coded.ExitCode()
	}
	return out + "\n" + err.Error(), 1
}

// wantStatusExit checks kubefedctl status's exit code and that its output
// has each of want.
func (o *object) wantStatusExit(t *testing.T, code int, want ...string) {
	t.Helper()
	out, got := o.kubefedctlStatus(t)
	if got != code {
		t.Errorf("kubefedctl status exited %d, want %d:\n%s", got, code, out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("kubefedctl status does not show %q:\n%s", w, out)
		}
	}
}

// kubectlWait runs bin/kubectl wait --for=condition=Ready on the federated
// object in the host with the timeout, and returns its output and error.
func (o *object) kubectlWait(ctx context.Context, timeout time.Duration) (string, error) {
	resource := strings.ToLower(o.fedGVK.Kind) + "s." + o.fedGVK.Group + "/" + o.key.Name
	return o.kubectl(ctx, "wait", "--for=condition=Ready", resource, "-n", o.key.Namespace, "--timeout", timeout.String())
}

// kubectl runs bin/kubectl with args against the host, and returns its
// output and error.
func (o *object) kubectl(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(e2eutil.BinDir(), "kubectl"),
		append([]string{"--kubeconfig", o.e.Fed.Kubeconfig(), "--context", o.e.Fed.Host.Context()}, args...)...)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
