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
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

// progressDeadline is the Deployment's progressDeadlineSeconds: how long
// a member's rollout may make no progress before the Deployment, and with
// it the federated object, is Failed.
const progressDeadline = 20 * time.Second

// testDeploymentRollout follows a FederatedDeployment through a rollout,
// a new generation, an image that never becomes ready in member2 and its
// fix, with kstatus's Compute on the federated object checked against its
// Compute on both members' Deployments at every observation, and kubectl
// wait --for=condition=Ready returning only once both members are ready.
func testDeploymentRollout(t *testing.T, e *e2eutil.Env) {
	ns := e.FederatedNamespace(t, "readiness", members...)
	e.DumpOnFailure(t, ns)
	o := &object{e: e, strict: true, key: client.ObjectKey{Namespace: ns, Name: "web"},
		fedGVK:    fedtypesv1b1.GroupVersion.WithKind("FederatedDeployment"),
		targetGVK: appsv1.SchemeGroupVersion.WithKind("Deployment")}
	if err := e.Host.Create(t.Context(), federatedDeployment(ns, "web", "nginx:1.27")); err != nil {
		t.Fatalf("creating FederatedDeployment %s/web: %v", ns, err)
	}

	t.Log("Created: Current once both members' Deployments are.")
	o.wait(t, 2*time.Minute, status.CurrentStatus, reports(map[string]fedtypesv1b1.Readiness{"member1": "Current", "member2": "Current"}), "Current with both copies Current")
	o.wantStatusExit(t, kubefedctl.ExitReady, "READINESS", "Ready=True (Current)")

	t.Log("A new generation: InProgress until both members run it.")
	gen := o.update(t, func(u *unstructured.Unstructured) {
		setImage(t, u, "nginx:1.28")
	})
	obs, err := o.observe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if obs.fed.GetGeneration() == gen && obs.status.Status != status.InProgressStatus {
		t.Errorf("right after the update to generation %d: kstatus %s, want InProgress: %s", gen, obs.status.Status, obs)
	}
	o.wait(t, 2*time.Minute, status.CurrentStatus, all(generation(gen), copiesRun("nginx:1.28", members...)), "Current at the new generation, both copies running nginx:1.28")

	stepNeverReady(t, o)
	stepKubectlWaitAfterFix(t, o)
	checkReadyColumn(t, o)
}

// stepNeverReady gives member2 an image that never becomes ready: the
// federated object is InProgress, then Failed after the progress deadline,
// naming member2.
func stepNeverReady(t *testing.T, o *object) {
	t.Log("member2 gets an image that never becomes ready: InProgress, then Failed after the progress deadline, naming member2.")
	start := time.Now()
	gen := o.update(t, func(u *unstructured.Unstructured) {
		if err := fedtypesv1b1.SetOverrides(u, []fedtypesv1b1.GenericOverrideItem{{ClusterName: "member2", ClusterOverrides: []fedtypesv1b1.ClusterOverride{
			{Path: "/spec/template/spec/containers/0/image", Value: &apiextensionsv1.JSON{Raw: []byte(`"` + framework.NeverReadyImage + `"`)}},
		}}}); err != nil {
			t.Fatal(err)
		}
	})
	o.wait(t, progressDeadline, status.InProgressStatus, all(generation(gen), copiesRun(framework.NeverReadyImage, "member2"),
		mentions(fedtypesv1b1.ReconcilingConditionType, "member2"),
		reports(map[string]fedtypesv1b1.Readiness{"member1": "Current", "member2": "InProgress"})),
		"InProgress within the progress deadline, Reconciling naming member2")
	o.wantStatusExit(t, kubefedctl.ExitNotReady, "InProgress", "Ready=False (InProgress), Reconciling=True")
	o.wait(t, progressDeadline+time.Minute, status.FailedStatus, all(generation(gen),
		mentions(fedtypesv1b1.StalledConditionType, "member2"),
		reports(map[string]fedtypesv1b1.Readiness{"member1": "Current", "member2": "Failed"})),
		"Failed (Stalled naming member2) after the progress deadline")
	o.wantStatusExit(t, kubefedctl.ExitStalled, "Failed", "Ready=False (Failed), Stalled=True", "is stalled")
	if took := time.Since(start); took < progressDeadline {
		t.Errorf("Failed %s after the update, before the Deployment's progress deadline of %s", took.Round(time.Second), progressDeadline)
	}
}

// stepKubectlWaitAfterFix checks that kubectl wait --for=condition=Ready
// does not return while member2 is not ready, and that a wait running while
// the override is removed returns only once both copies are Current.
func stepKubectlWaitAfterFix(t *testing.T, o *object) {
	t.Log("kubectl wait --for=condition=Ready does not return while member2 is not ready.")
	if out, err := o.kubectlWait(t.Context(), 5*time.Second); err == nil || !strings.Contains(out, "timed out") {
		t.Errorf("kubectl wait with member2 not ready: %v, want a time-out:\n%s", err, out)
	}
	// A longer wait runs while the override is removed; when it returns,
	// both copies must be Current.
	type waited struct {
		out string
		err error
		obs *observation
	}
	done := make(chan waited, 1)
	go func() {
		out, err := o.kubectlWait(t.Context(), 2*time.Minute)
		obs, oerr := o.observe(t.Context())
		if err == nil {
			err = oerr
		}
		done <- waited{out, err, obs}
	}()

	t.Log("The override removed: Current, both copies running nginx:1.28.")
	gen := o.update(t, func(u *unstructured.Unstructured) {
		if err := fedtypesv1b1.SetOverrides(u, nil); err != nil {
			t.Fatal(err)
		}
	})
	o.wait(t, 2*time.Minute, status.CurrentStatus, all(generation(gen), copiesRun("nginx:1.28", members...)), "Current again with both copies running nginx:1.28")
	o.wantStatusExit(t, kubefedctl.ExitReady, "Ready=True (Current)")

	w := <-done
	if w.err != nil {
		t.Fatalf("kubectl wait after the fix: %v\n%s", w.err, w.out)
	}
	for _, m := range members {
		if r := w.obs.copyStatus[m]; r == nil || r.Status != status.CurrentStatus {
			t.Errorf("kubectl wait returned while the copy in %s was not Current: %s", m, w.obs)
		}
	}
}

// checkReadyColumn checks that kubectl get shows the Ready condition in a
// column of its own.
func checkReadyColumn(t *testing.T, o *object) {
	out, err := o.kubectl(t.Context(), "get", "federateddeployments.types.kubefed.io", o.key.Name, "-n", o.key.Namespace)
	if lines := strings.Split(out, "\n"); err != nil || len(lines) != 2 || !strings.HasPrefix(strings.Join(strings.Fields(lines[0]), " "), "NAME READY") ||
		!strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "web True") {
		t.Errorf("kubectl get: %v, want a READY column saying True:\n%s", err, out)
	}
}

// federatedDeployment is a FederatedDeployment of 2 replicas of image on
// both members, with a short progress deadline.
func federatedDeployment(ns, name, image string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": fedtypesv1b1.GroupVersion.String(),
		"kind":       "FederatedDeployment",
		"metadata":   map[string]any{"namespace": ns, "name": name},
		"spec": map[string]any{
			"template": map[string]any{"spec": map[string]any{
				"replicas":                int64(2),
				"progressDeadlineSeconds": int64(progressDeadline / time.Second),
				"selector":                map[string]any{"matchLabels": map[string]any{"app": name}},
				"template": map[string]any{
					"metadata": map[string]any{"labels": map[string]any{"app": name}},
					"spec":     map[string]any{"containers": []any{map[string]any{"name": "web", "image": image}}},
				},
			}},
		},
	}}
	_ = fedtypesv1b1.SetPlacementClusterNames(u, members)
	return u
}

// setImage sets the image of the template's container.
func setImage(t *testing.T, u *unstructured.Unstructured, image string) {
	t.Helper()
	path := []string{"spec", "template", "spec", "template", "spec", "containers"}
	containers, _, _ := unstructured.NestedSlice(u.Object, path...)
	if len(containers) != 1 {
		t.Fatalf("the template has %d containers, want 1", len(containers))
	}
	containers[0].(map[string]any)["image"] = image
	if err := unstructured.SetNestedSlice(u.Object, containers, path...); err != nil {
		t.Fatal(err)
	}
}

// update changes the federated object with change (retried on conflicts)
// and returns its new generation.
func (o *object) update(t *testing.T, change func(*unstructured.Unstructured)) int64 {
	t.Helper()
	fedObj := &unstructured.Unstructured{}
	fedObj.SetGroupVersionKind(o.fedGVK)
	fedObj.SetNamespace(o.key.Namespace)
	fedObj.SetName(o.key.Name)
	return o.e.UpdateFederated(t, fedObj, change).GetGeneration()
}

// generation is a check that the federated object is at generation gen.
func generation(gen int64) func(*observation) error {
	return func(obs *observation) error {
		if g := obs.fed.GetGeneration(); g != gen {
			return fmt.Errorf("at generation %d, want %d", g, gen)
		}
		return nil
	}
}

// copiesRun is a check that the copies in clusters have the image.
func copiesRun(image string, clusters ...string) func(*observation) error {
	return func(obs *observation) error {
		for _, m := range clusters {
			c := obs.copies[m]
			if c == nil {
				return fmt.Errorf("no copy in %s", m)
			}
			containers, _, _ := unstructured.NestedSlice(c.Object, "spec", "template", "spec", "containers")
			if len(containers) == 0 || containers[0].(map[string]any)["image"] != image {
				return fmt.Errorf("the copy in %s does not run %s", m, image)
			}
		}
		return nil
	}
}
