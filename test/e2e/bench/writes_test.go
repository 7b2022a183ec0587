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

package bench

import (
	"fmt"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/framework"
)

// Write budgets: the most writes kubefed may make, counted by the API
// servers (apiserver_request_total), per federated object. They are the
// measured counts, so that any growth fails TestWriteBudget.
//
// A new object costs each member 1 write (the apply of its copy) and the
// host 3 whatever the number of members, the design minimum: the
// finalizer patch, the PropagatedVersion create (with its status: the CRD
// has no status subresource) and one status patch; no event for a routine
// first propagation. An update costs the host the record's update and a
// status patch; a deletion a status patch, the record's deletion and the
// finalizer's removal. Each member gets one apply, or one delete.
const (
	// budgetHostPerCreate: host writes by kubefed per new FederatedConfigMap.
	budgetHostPerCreate = 3.0
	// budgetMemberPerCreate: writes to ConfigMaps per new object per member.
	budgetMemberPerCreate = 1.0
	// budgetHostPerUpdate: host writes by kubefed per template update.
	budgetHostPerUpdate = 2.0
	// budgetMemberPerUpdate: writes to ConfigMaps per update per member.
	budgetMemberPerUpdate = 1.0
	// budgetHostPerDelete: host writes by kubefed per deletion.
	budgetHostPerDelete = 3.0
	// budgetMemberPerDelete: writes to ConfigMaps per deletion per member.
	budgetMemberPerDelete = 1.0
	// budgetIdle: writes anywhere while nothing changes. Always 0.
	budgetIdle = 0.0
	// noBudget marks a phase whose counts are shown, not checked.
	noBudget = -1.0
)

// TestWriteBudget counts the writes kubefed makes to the host and to the
// members per federated object created, updated and deleted, and while
// idle, and fails when a count exceeds its budget. It is not a timing:
// the counts come from the API servers' metrics, and the load of the
// machine does not change them.
func TestWriteBudget(t *testing.T) {
	n := envInt(t, "KUBEFED_BUDGET_OBJECTS", 30)
	idleWindow := time.Duration(envInt(t, "KUBEFED_BUDGET_IDLE_SECONDS", 20)) * time.Second
	ctx := t.Context()
	fed, host, members := newFederation(t, ctx, framework.Options{Members: framework.MemberNames(2), LightMembers: true})
	startInProcess(t, ctx, fed, host, 100)
	ns := "budget"
	federatedNamespace(t, ctx, host, members, ns)
	waitQuiet(t, ctx, fed, 2*time.Second, time.Minute, "configmaps")
	r := &budgetRun{t: t, fed: fed, host: host, members: members, ns: ns}

	r.measure(&budgetPhase{name: "create", hostBudget: budgetHostPerCreate, mBudget: budgetMemberPerCreate, per: n},
		framework.RequestCounts{fcmRequest(framework.VerbCreate): float64(n)},
		func() {
			for i := range n {
				mustCreate(t, host, federated("FederatedConfigMap", ns, budgetName(i), map[string]any{"data": map[string]any{"key": "value"}}))
			}
		}, r.allCopies("value", n))

	r.measure(&budgetPhase{name: "update", hostBudget: budgetHostPerUpdate, mBudget: budgetMemberPerUpdate, per: n},
		framework.RequestCounts{fcmRequest(framework.VerbUpdate): float64(n)},
		func() {
			for i := range n {
				r.update(i, "updated")()
			}
		}, r.allCopies("updated", n))

	// The idle window is counted with the same snapshots and filters as
	// every phase. Right before it, a control phase changes one object:
	// the counts must show kubefed's writes for it in the host and in each
	// member, or a 0 while idle would prove nothing.
	r.controlBeforeIdle()

	r.measure(&budgetPhase{name: "idle", hostBudget: budgetIdle, mBudget: budgetIdle, per: 1}, nil,
		func() { time.Sleep(idleWindow) }, func() (bool, error) { return true, nil })

	r.measure(&budgetPhase{name: "delete", hostBudget: budgetHostPerDelete, mBudget: budgetMemberPerDelete, per: n},
		framework.RequestCounts{fcmRequest(framework.VerbDelete): float64(n)},
		func() {
			for i := range n {
				obj := federated("FederatedConfigMap", ns, budgetName(i), nil)
				if err := host.Delete(ctx, obj); err != nil {
					t.Fatal(err)
				}
			}
		}, func() (bool, error) {
			if _, total, err := countPropagated(ctx, host, "FederatedConfigMap", ns); err != nil || total != 0 {
				return false, err
			}
			return r.allCopies("", 0)()
		})

	t.Logf("writes by kubefed, %d FederatedConfigMaps on %d members (idle: %s):\n%s", n, len(fed.Members), idleWindow, r.report())
}

// fcmRequest is the key of a FederatedConfigMap request with verb.
func fcmRequest(verb string) framework.RequestKey {
	return framework.RequestKey{Group: fedtypesv1b1.GroupVersion.Group, Resource: "federatedconfigmaps", Verb: verb}
}

// budgetName is the name of the i-th FederatedConfigMap of TestWriteBudget.
func budgetName(i int) string { return fmt.Sprintf("cm-%d", i) }

// budgetPhase is one measured phase of TestWriteBudget: its budgets per
// object (noBudget: shown, not checked), the number of objects it changes
// and the writes by kubefed counted in the host and in each member.
type budgetPhase struct {
	name                string
	hostBudget, mBudget float64
	per                 int
	host                framework.RequestCounts
	members             map[string]framework.RequestCounts
}

// budgetRun is the federation TestWriteBudget measures and the phases
// measured so far.
type budgetRun struct {
	t       *testing.T
	fed     *framework.Federation
	host    client.Client
	members map[string]client.Client
	ns      string
	phases  []*budgetPhase
}

// measure runs act, waits until settled and the members are quiet, and
// records the writes by kubefed (own: the test's own requests, left out)
// in p.
func (r *budgetRun) measure(p *budgetPhase, own framework.RequestCounts, act func(), settled func() (bool, error)) {
	t, ctx := r.t, r.t.Context()
	before := takeSnapshot(t, ctx, r.fed)
	act()
	waitFor(t, 2*time.Minute, p.name+" settled", settled)
	waitQuiet(t, ctx, r.fed, 2*time.Second, 2*time.Minute, "configmaps")
	p.host, p.members = takeSnapshot(t, ctx, r.fed).sub(before).writesBy(r.fed, own, "configmaps")
	r.phases = append(r.phases, p)
}

// allCopies reports whether every member holds count copies with value
// want and the host counts them propagated.
func (r *budgetRun) allCopies(want string, count int) func() (bool, error) {
	return func() (bool, error) {
		ctx := r.t.Context()
		for _, c := range r.members {
			got, err := countCopies(ctx, c, r.ns, want)
			if err != nil || got != count {
				return false, err
			}
		}
		if count == 0 {
			return true, nil
		}
		ready, total, err := countPropagated(ctx, r.host, "FederatedConfigMap", r.ns)
		return ready == count && total == count, err
	}
}

// update returns a function that sets the template's data.key of the i-th
// FederatedConfigMap to value.
func (r *budgetRun) update(i int, value string) func() {
	return func() {
		t, ctx := r.t, r.t.Context()
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMap"))
		if err := r.host.Get(ctx, client.ObjectKey{Namespace: r.ns, Name: budgetName(i)}, obj); err != nil {
			t.Fatal(err)
		}
		if err := unstructured.SetNestedField(obj.Object, value, "spec", "template", "data", "key"); err != nil {
			t.Fatal(err)
		}
		if err := r.host.Update(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
}

// oneCopy reports whether every member's copy of the i-th
// FederatedConfigMap has data.key want.
func (r *budgetRun) oneCopy(i int, want string) func() (bool, error) {
	return func() (bool, error) {
		for _, c := range r.members {
			cm := &corev1.ConfigMap{}
			if err := c.Get(r.t.Context(), client.ObjectKey{Namespace: r.ns, Name: budgetName(i)}, cm); err != nil || cm.Data["key"] != want {
				return false, client.IgnoreNotFound(err)
			}
		}
		return true, nil
	}
}

// controlBeforeIdle updates one object and fails the test unless the
// counts show kubefed's writes for it in the host and in each member. Its
// counts are shown, not held to a budget: one object says little of the
// cost per object (the budgets are for n).
func (r *budgetRun) controlBeforeIdle() {
	t := r.t
	control := &budgetPhase{name: "control before idle (1 update)", hostBudget: noBudget, mBudget: noBudget, per: 1}
	r.measure(control, framework.RequestCounts{fcmRequest(framework.VerbUpdate): 1}, r.update(0, "control"), r.oneCopy(0, "control"))
	ok := framework.RequestKey.Succeeded
	if control.host.Filter(ok).Total() < 1 {
		t.Fatalf("%s: no host write by kubefed counted (%s): the idle window, counted the same way, could not show one either", control.name, control.host)
	}
	for _, m := range r.fed.Members {
		if control.members[m.Name].Filter(ok).Total() < 1 {
			t.Fatalf("%s: no write by kubefed counted in %s (%s): the idle window, counted the same way, could not show one either", control.name, m.Name, control.members[m.Name])
		}
	}
}

// report checks every phase against its budgets and returns the table of
// the counts.
func (r *budgetRun) report() string {
	t, fed, ok := r.t, r.fed, framework.RequestKey.Succeeded
	var table strings.Builder
	w := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "phase\thost writes/object\tbudget\tmember writes/object/member\tbudget\tfailed writes\thost writes\tmember writes\n")
	for _, p := range r.phases {
		per := float64(p.per)
		// Budgets count successful writes: a conflict that was retried is
		// the API server's answer to a race, not a write kubefed planned.
		host := p.host.Filter(ok).Total() / per
		failed := p.host.Total() - p.host.Filter(ok).Total()
		worst := 0.0
		var memberDetail []string
		for _, m := range fed.Members {
			worst = max(worst, p.members[m.Name].Filter(ok).Total()/per)
			failed += p.members[m.Name].Total() - p.members[m.Name].Filter(ok).Total()
			memberDetail = append(memberDetail, m.Name+": "+p.members[m.Name].String())
		}
		budget := func(b float64) string {
			if b == noBudget {
				return "-"
			}
			return fmt.Sprintf("%.2f", b)
		}
		fmt.Fprintf(w, "%s\t%.2f\t%s\t%.2f\t%s\t%g\t%s\t%s\n", p.name, host, budget(p.hostBudget), worst, budget(p.mBudget), failed,
			p.host, strings.Join(memberDetail, "; "))
		if p.hostBudget == noBudget {
			continue
		}
		if host > p.hostBudget {
			t.Errorf("%s: kubefed made %.2f host writes per object, over the budget of %.2f: %s", p.name, host, p.hostBudget, p.host)
		}
		if worst > p.mBudget {
			t.Errorf("%s: kubefed made %.2f member writes per object and member, over the budget of %.2f: %s", p.name, worst, p.mBudget, strings.Join(memberDetail, "; "))
		}
		if p.name == "idle" && failed > 0 {
			t.Errorf("idle: kubefed attempted %g writes: host %s; %s", failed, p.host, strings.Join(memberDetail, "; "))
		}
	}
	_ = w.Flush()
	return table.String()
}
