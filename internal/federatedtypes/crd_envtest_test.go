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

package federatedtypes

import (
	"encoding/json"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed/kubefed/test/testenv"
)

// A federated object the sync controller has not written a status for yet
// must not look rolled out: kstatus (kubectl wait, Flux, Helm 4) reads an
// object without status.observedGeneration and without conditions as
// Current. The generated CRD's defaults make the API server serve it with
// observedGeneration 0, which kstatus reads as InProgress; the first status
// the controller writes decides from then on.
func TestNewFederatedObjectIsInProgressUntilItsFirstStatus(t *testing.T) {
	t.Parallel()
	c, crd := startWithCRD(t, "", "ConfigMap")
	ctx := t.Context()

	obj := newObject(crd)
	obj.SetName("settings")
	obj.Object["spec"] = map[string]any{"template": map[string]any{"data": map[string]any{"a": "b"}}}
	if err := c.Create(ctx, obj); err != nil {
		t.Fatalf("creating %s: %v", obj.GetKind(), err)
	}
	got := &unstructured.Unstructured{}
	got.SetGroupVersionKind(obj.GroupVersionKind())
	if err := c.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	res, err := status.Compute(got)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != status.InProgressStatus {
		t.Fatalf("kstatus of a new %s without a status written = %s (%s), want InProgress; stored status: %v",
			got.GetKind(), res.Status, res.Message, got.Object["status"])
	}

	// The controller's first status (observedGeneration = generation,
	// Ready=True) makes it Current: the defaults do not stick.
	patch, _ := json.Marshal(map[string]any{"status": map[string]any{
		"observedGeneration": got.GetGeneration(),
		"conditions": []any{map[string]any{
			"type": "Ready", "status": "True", "reason": "Current",
			"lastUpdateTime": time.Now().UTC().Format(time.RFC3339), "lastTransitionTime": time.Now().UTC().Format(time.RFC3339),
		}},
	}})
	if err := c.Status().Patch(ctx, got, client.RawPatch("application/merge-patch+json", patch)); err != nil {
		t.Fatalf("writing the status: %v", err)
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	if res, err = status.Compute(got); err != nil || res.Status != status.CurrentStatus {
		t.Fatalf("kstatus after the first status = %v (%v), want Current", res, err)
	}
}

// startWithCRD starts a test API server with the CRD of the federated type
// of group/kind, as CRD generates it, and returns an administrator's client
// of it and the CRD. A -short run skips the test.
func startWithCRD(t *testing.T, group, kind string) (client.Client, *apiextensionsv1.CustomResourceDefinition) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a test API server")
	}
	crd := CRD(mustLookup(t, group, kind))
	c, _ := testenv.StartClientWith(t, testenv.EnvtestOptions{CRDObjects: []*apiextensionsv1.CustomResourceDefinition{crd}})
	return c, crd
}

// newObject returns an object of crd's kind, without a name, in namespace
// default.
func newObject(crd *apiextensionsv1.CustomResourceDefinition) *unstructured.Unstructured {
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion(crd.Spec.Group + "/" + crd.Spec.Versions[0].Name)
	obj.SetKind(crd.Spec.Names.Kind)
	obj.SetNamespace("default")
	return obj
}
