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

	fcm := func(verb string) framework.RequestKey {
		return framework.RequestKey{Group: fedtypesv1b1.GroupVersion.Group, Resource: "federatedconfigmaps", Verb: verb}
	}
	name := func(i int) string { return fmt.Sprintf("cm-%d", i) }
	type phase struct {
		name                string
		hostBudget, mBudget float64
		per                 int
		host                framework.RequestCounts
		members             map[string]framework.RequestCounts
	}
	var phases []*phase
	measure := func(p *phase, own framework.RequestCounts, act func(), settled func() (bool, error)) {
		before := takeSnapshot(t, ctx, fed)
		act()
		waitFor(t, 2*time.Minute, p.name+" settled", settled)
		waitQuiet(t, ctx, fed, 2*time.Second, 2*time.Minute, "configmaps")
		p.host, p.members = takeSnapshot(t, ctx, fed).sub(before).writesBy(fed, own, "configmaps")
		phases = append(phases, p)
	}
	allCopies := func(want string, count int) func() (bool, error) {
		return func() (bool, error) {
			for _, c := range members {
				got, err := countCopies(ctx, c, ns, want)
				if err != nil || got != count {
					return false, err
				}
			}
			if count == 0 {
				return true, nil
			}
			ready, total, err := countPropagated(ctx, host, "FederatedConfigMap", ns)
			return ready == count && total == count, err
		}
	}

	measure(&phase{name: "create", hostBudget: budgetHostPerCreate, mBudget: budgetMemberPerCreate, per: n},
		framework.RequestCounts{fcm(framework.VerbCreate): float64(n)},
		func() {
			for i := range n {
				mustCreate(t, host, federated("FederatedConfigMap", ns, name(i), map[string]any{"data": map[string]any{"key": "value"}}))
			}
		}, allCopies("value", n))

	measure(&phase{name: "update", hostBudget: budgetHostPerUpdate, mBudget: budgetMemberPerUpdate, per: n},
		framework.RequestCounts{fcm(framework.VerbUpdate): float64(n)},
		func() {
			for i := range n {
				obj := &unstructured.Unstructured{}
				obj.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMap"))
				if err := host.Get(ctx, client.ObjectKey{Namespace: ns, Name: name(i)}, obj); err != nil {
					t.Fatal(err)
				}
				if err := unstructured.SetNestedField(obj.Object, "updated", "spec", "template", "data", "key"); err != nil {
					t.Fatal(err)
				}
				if err := host.Update(ctx, obj); err != nil {
					t.Fatal(err)
				}
			}
		}, allCopies("updated", n))

	// The idle window is counted with the same snapshots and filters as
	// every phase. Right before it, a control phase changes one object:
	// the counts must show kubefed's writes for it in the host and in each
	// member, or a 0 while idle would prove nothing.
	update := func(i int, value string) func() {
		return func() {
			obj := &unstructured.Unstructured{}
			obj.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMap"))
			if err := host.Get(ctx, client.ObjectKey{Namespace: ns, Name: name(i)}, obj); err != nil {
				t.Fatal(err)
			}
			if err := unstructured.SetNestedField(obj.Object, value, "spec", "template", "data", "key"); err != nil {
				t.Fatal(err)
			}
			if err := host.Update(ctx, obj); err != nil {
				t.Fatal(err)
			}
		}
	}
	oneCopy := func(i int, want string) func() (bool, error) {
		return func() (bool, error) {
			for _, c := range members {
				cm := &corev1.ConfigMap{}
				if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name(i)}, cm); err != nil || cm.Data["key"] != want {
					return false, client.IgnoreNotFound(err)
				}
			}
			return true, nil
		}
	}
	// Its counts are shown, not held to a budget: one object says little
	// of the cost per object (the budgets are for n).
	control := &phase{name: "control before idle (1 update)", hostBudget: noBudget, mBudget: noBudget, per: 1}
	measure(control, framework.RequestCounts{fcm(framework.VerbUpdate): 1}, update(0, "control"), oneCopy(0, "control"))
	ok := framework.RequestKey.Succeeded
	if control.host.Filter(ok).Total() < 1 {
		t.Fatalf("%s: no host write by kubefed counted (%s): the idle window, counted the same way, could not show one either", control.name, control.host)
	}
	for _, m := range fed.Members {
		if control.members[m.Name].Filter(ok).Total() < 1 {
			t.Fatalf("%s: no write by kubefed counted in %s (%s): the idle window, counted the same way, could not show one either", control.name, m.Name, control.members[m.Name])
		}
	}

	measure(&phase{name: "idle", hostBudget: budgetIdle, mBudget: budgetIdle, per: 1}, nil,
		func() { time.Sleep(idleWindow) }, func() (bool, error) { return true, nil })

	measure(&phase{name: "delete", hostBudget: budgetHostPerDelete, mBudget: budgetMemberPerDelete, per: n},
		framework.RequestCounts{fcm(framework.VerbDelete): float64(n)},
		func() {
			for i := range n {
				obj := federated("FederatedConfigMap", ns, name(i), nil)
				if err := host.Delete(ctx, obj); err != nil {
					t.Fatal(err)
				}
			}
		}, func() (bool, error) {
			if _, total, err := countPropagated(ctx, host, "FederatedConfigMap", ns); err != nil || total != 0 {
				return false, err
			}
			return allCopies("", 0)()
		})

	var table strings.Builder
	w := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "phase\thost writes/object\tbudget\tmember writes/object/member\tbudget\tfailed writes\thost writes\tmember writes\n")
	for _, p := range phases {
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
	t.Logf("writes by kubefed, %d FederatedConfigMaps on %d members (idle: %s):\n%s", n, len(fed.Members), idleWindow, table.String())
}
