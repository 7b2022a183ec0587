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
	"fmt"
	"io"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// The health rules of the Gadgets: a status phase no kstatus rule knows.
const (
	gadgetReadyWhen  = "self.status.phase == 'Running'"
	gadgetFailedWhen = "self.status.phase == 'Broken'"
)

// testHealthRules federates a custom resource, Gadget, whose
// FederatedTypeConfig says with CEL when a copy is ready (status.phase
// Running) and failed (Broken). Nothing runs Gadgets in the members: the
// test writes their status there, and the federated object follows, both
// outcomes and back.
func testHealthRules(t *testing.T, e *e2eutil.Env) {
	e.FederateCRDTypeWithHealth(t, gadgetGroup, "Gadget", "gadgets",
		&fedcorev1b1.HealthRules{ReadyWhen: gadgetReadyWhen, FailedWhen: gadgetFailedWhen})

	ns := e.FederatedNamespace(t, "health", members...)
	e.DumpOnFailure(t, ns)
	targetGVK := schema.GroupVersionKind{Group: gadgetGroup, Version: "v1", Kind: "Gadget"}
	o := &object{e: e, key: client.ObjectKey{Namespace: ns, Name: "gizmo"},
		fedGVK: schema.GroupVersionKind{Group: "types.kubefed.io", Version: "v1", Kind: "FederatedGadget"}, targetGVK: targetGVK}
	dumpGadgetsOnFailure(t, e, ns, targetGVK)
	fed := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "types.kubefed.io/v1", "kind": "FederatedGadget",
		"metadata": map[string]any{"namespace": ns, "name": "gizmo"},
		"spec":     map[string]any{"template": map[string]any{"spec": map[string]any{"size": int64(3)}}},
	}}
	_ = fedtypesv1b1.SetPlacementClusterNames(fed, members)
	if err := e.Host.Create(t.Context(), fed); err != nil {
		t.Fatalf("creating FederatedGadget %s/gizmo: %v", ns, err)
	}

	t.Log("No status in the members yet: readyWhen is false, InProgress.")
	o.wait(t, time.Minute, status.InProgressStatus, all(copiesExist,
		reports(map[string]fedtypesv1b1.Readiness{"member1": "InProgress", "member2": "InProgress"})), "InProgress with both copies without status")

	// Each step writes status.phase of one copy, as the Gadget's own
	// controller in that member would, and waits for the verdict.
	for _, step := range []struct {
		member, phase string
		want          status.Status
		check         func(*observation) error
		what          string
	}{
		{"member1", "Running", status.InProgressStatus, all(mentions(fedtypesv1b1.ReconcilingConditionType, "member2"),
			reports(map[string]fedtypesv1b1.Readiness{"member1": "Current", "member2": "InProgress"})), "InProgress for member2 only"},
		{"member2", "Running", status.CurrentStatus,
			reports(map[string]fedtypesv1b1.Readiness{"member1": "Current", "member2": "Current"}), "Current with both copies Running"},
		{"member2", "Broken", status.FailedStatus, all(mentions(fedtypesv1b1.StalledConditionType, "member2"),
			reports(map[string]fedtypesv1b1.Readiness{"member1": "Current", "member2": "Failed"})), "Failed naming member2 (failedWhen is true)"},
		{"member2", "Running", status.CurrentStatus,
			reports(map[string]fedtypesv1b1.Readiness{"member1": "Current", "member2": "Current"}), "Current again"},
	} {
		t.Logf("%s %s: %s.", step.member, step.phase, step.what)
		setPhase(t, e, step.member, o, step.phase)
		o.wait(t, time.Minute, step.want, step.check, step.what)
	}
}

// gadgetGroup is the API group of the Gadgets.
const gadgetGroup = "readiness.e2e.kubefed.io"

// dumpGadgetsOnFailure prints the Gadgets of namespace ns in the members
// when the test fails.
func dumpGadgetsOnFailure(t *testing.T, e *e2eutil.Env, ns string, targetGVK schema.GroupVersionKind) {
	e2eutil.OnFailure(t, "Gadgets in the members", func(ctx context.Context, w io.Writer) {
		for _, m := range members {
			list := &unstructured.UnstructuredList{}
			list.SetGroupVersionKind(targetGVK.GroupVersion().WithKind("GadgetList"))
			if err := e.Member(m).List(ctx, list, client.InNamespace(ns)); err != nil {
				fmt.Fprintf(w, "%s: %v\n", m, err)
				continue
			}
			data, _ := yaml.Marshal(list.Items)
			fmt.Fprintf(w, "%s:\n%s\n", m, data)
		}
	})
}

// copiesExist is a check that every member has a copy.
func copiesExist(obs *observation) error {
	for _, m := range members {
		if obs.copies[m] == nil {
			return fmt.Errorf("no copy in %s", m)
		}
	}
	return nil
}

// setPhase writes status.phase of the copy in the member, as the Gadget's
// own controller there would.
func setPhase(t *testing.T, e *e2eutil.Env, member string, o *object, phase string) {
	t.Helper()
	c := &unstructured.Unstructured{}
	c.SetGroupVersionKind(o.targetGVK)
	c.SetNamespace(o.key.Namespace)
	c.SetName(o.key.Name)
	patch := client.RawPatch(types.MergePatchType, []byte(`{"status":{"phase":"`+phase+`"}}`))
	if err := e.Member(member).Status().Patch(t.Context(), c, patch); err != nil {
		t.Fatalf("setting status.phase of the Gadget in %s: %v", member, err)
	}
}
