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

package federatedtypeconfig_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/testenv"
)

// testPushReconcilerGate switches the KubeFedConfig's PushReconciler gate
// off and on again: every type stops and starts within seconds, without a
// restart of the controller-manager.
func testPushReconcilerGate(t *testing.T, cfg *rest.Config, admin client.Client) {
	const namespace = "kf-gate"
	controlPlane(t, admin, cfg, namespace, "namespaces", "configmaps")
	for _, name := range []string{"namespaces", "configmaps"} {
		waitReady(t, admin, namespace, name, fedcorev1b1.ReasonControllerRunning, time.Minute)
	}
	setGate := func(mode fedcorev1b1.ConfigurationMode) {
		t.Helper()
		updateKubeFedConfig(t, admin, namespace, func(spec *fedcorev1b1.KubeFedConfigSpec) {
			spec.FeatureGates = []fedcorev1b1.FeatureGatesConfig{{Name: string(fedcorev1b1.PushReconcilerFeature), Configuration: mode}}
		})
	}
	t.Log("Disabling the PushReconciler gate.")
	setGate(fedcorev1b1.ConfigurationDisabled)
	for _, name := range []string{"namespaces", "configmaps"} {
		ftc := waitReady(t, admin, namespace, name, fedcorev1b1.ReasonPushReconcilerDisabled, 10*time.Second)
		if ftc.Status.PropagationController != fedcorev1b1.ControllerStatusNotRunning {
			t.Errorf("%s: propagationController %q with the gate disabled", name, ftc.Status.PropagationController)
		}
	}
	t.Log("Enabling it again.")
	setGate(fedcorev1b1.ConfigurationEnabled)
	for _, name := range []string{"namespaces", "configmaps"} {
		waitReady(t, admin, namespace, name, fedcorev1b1.ReasonControllerRunning, 10*time.Second)
	}
}

// testStartsOnce: a type's sync controller is started once, and restarted
// only when the settings it is built with change. The KubeFedConfig edited
// where the controllers do not look, FederatedTypeConfigs relabelled and
// their status edited (each of which has every type reconciled again)
// leave it running; a new number of workers restarts each type once.
func testStartsOnce(t *testing.T, cfg *rest.Config, admin client.Client) {
	ctx := t.Context()
	const namespace = "kf-once"
	types := []string{"namespaces", "configmaps"}
	starts.reset()
	controlPlane(t, admin, cfg, namespace, types...)
	for _, name := range types {
		waitReady(t, admin, namespace, name, fedcorev1b1.ReasonControllerRunning, time.Minute)
	}
	wantStarts := func(want int, why string) {
		t.Helper()
		// A restart would log its start within this time.
		time.Sleep(3 * time.Second)
		for _, name := range types {
			if got := starts.of(name); got != want {
				t.Errorf("%s: %d sync controller starts %s, want %d", name, got, why, want)
			}
		}
	}
	wantStarts(1, "at first")

	for i := range 3 {
		updateKubeFedConfig(t, admin, namespace, func(spec *fedcorev1b1.KubeFedConfigSpec) {
			spec.LeaderElect = &fedcorev1b1.LeaderElectConfig{LeaseDuration: &metav1.Duration{Duration: time.Duration(i+1) * time.Minute}}
		})
		// The namespaces type's changes, its status included, have every
		// type reconciled.
		ns := &fedcorev1b1.FederatedTypeConfig{}
		if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			if err := admin.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "namespaces"}, ns); err != nil {
				return err
			}
			ns.Labels = map[string]string{"edit": fmt.Sprint(i)}
			return admin.Update(ctx, ns)
		}); err != nil {
			t.Fatal(err)
		}
		meta.FindStatusCondition(ns.Status.Conditions, fedcorev1b1.FederatedTypeConfigReady).Message = "edited"
		if err := admin.Status().Update(ctx, ns); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 30*time.Second, func(ctx context.Context) error {
			if err := admin.Get(ctx, client.ObjectKeyFromObject(ns), ns); err != nil {
				return err
			}
			if msg := meta.FindStatusCondition(ns.Status.Conditions, fedcorev1b1.FederatedTypeConfigReady).Message; msg != "the sync controller is running" {
				return fmt.Errorf("Ready message %q", msg)
			}
			return nil
		}, "the namespaces type's status written again")
	}
	wantStarts(1, "after KubeFedConfig and FederatedTypeConfig edits")

	t.Log("Changing the number of workers.")
	updateKubeFedConfig(t, admin, namespace, func(spec *fedcorev1b1.KubeFedConfigSpec) {
		spec.SyncController = &fedcorev1b1.SyncControllerConfig{MaxConcurrentReconciles: ptr.To[int64](3)}
	})
	testenv.Eventually(t, time.Minute, func(context.Context) error {
		for _, name := range types {
			if got := starts.of(name); got < 2 {
				return fmt.Errorf("%s: %d starts", name, got)
			}
		}
		return nil
	}, "every type restarted")
	wantStarts(2, "after one change of the workers")
}

// updateKubeFedConfig changes the spec of the control plane's KubeFedConfig.
func updateKubeFedConfig(t *testing.T, admin client.Client, namespace string, change func(*fedcorev1b1.KubeFedConfigSpec)) {
	t.Helper()
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		kfc := &fedcorev1b1.KubeFedConfig{}
		if err := admin.Get(t.Context(), client.ObjectKey{Namespace: namespace, Name: fedcorev1b1.KubeFedConfigName}, kfc); err != nil {
			return err
		}
		change(&kfc.Spec)
		return admin.Update(t.Context(), kfc)
	}); err != nil {
		t.Fatal(err)
	}
}
