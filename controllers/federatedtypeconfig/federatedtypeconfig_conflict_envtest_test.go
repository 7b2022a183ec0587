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

package federatedtypeconfig

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/testenv"
)

// TestStatusWriteConflict: a status computed from a FederatedTypeConfig
// that changed since it was read is refused by the real API server (the
// optimistic lock); writeStatus reports the conflict without an error and
// leaves the stored status alone, and the same status computed from a
// fresh read is written.
func TestStatusWriteConflict(t *testing.T) {
	c, _ := testenv.StartClientWith(t, testenv.EnvtestOptions{CRDs: []string{"config/crd/bases"}},
		clientgoscheme.AddToScheme, fedcorev1b1.AddToScheme)
	ctx := t.Context()
	const ns = "kube-federation-system"
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	ftc := CreateDefaultTypeConfig(t, c, "configmaps", ns)
	stale := ftc.DeepCopy()
	// Another writer changes the FederatedTypeConfig after the read.
	ftc.Labels = map[string]string{"changed-by": "another-writer"}
	if err := c.Update(ctx, ftc); err != nil {
		t.Fatal(err)
	}

	r := &Reconciler{Client: c, Namespace: ns}
	conflict, err := r.writeStatus(ctx, stale, fedcorev1b1.ReasonControllerRunning, "the sync controller is running", nil, nil)
	if err != nil || !conflict {
		t.Fatalf("writeStatus from a stale read: conflict %v, error %v; want a conflict and no error", conflict, err)
	}
	stored := &fedcorev1b1.FederatedTypeConfig{}
	if err := c.Get(ctx, client.ObjectKeyFromObject(ftc), stored); err != nil {
		t.Fatal(err)
	}
	if cond := meta.FindStatusCondition(stored.Status.Conditions, fedcorev1b1.FederatedTypeConfigReady); cond != nil {
		t.Errorf("a refused status write left %+v", cond)
	}

	conflict, err = r.writeStatus(ctx, stored, fedcorev1b1.ReasonControllerRunning, "the sync controller is running", nil, nil)
	if err != nil || conflict {
		t.Fatalf("writeStatus from a fresh read: conflict %v, error %v", conflict, err)
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(ftc), stored); err != nil {
		t.Fatal(err)
	}
	if cond := meta.FindStatusCondition(stored.Status.Conditions, fedcorev1b1.FederatedTypeConfigReady); cond == nil || cond.Status != metav1.ConditionTrue || cond.Reason != fedcorev1b1.ReasonControllerRunning {
		t.Errorf("Ready condition %+v after the write, want True %s", cond, fedcorev1b1.ReasonControllerRunning)
	}
}
