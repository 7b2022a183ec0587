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

package propagation

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/kubefed/kubefed/test/testenv"
)

// TestForbiddenTypeInOneMember: member1's RBAC forbids the kubefed
// identity ConfigMaps and allows Secrets. Both members' connections sync
// and stay up, member1's KubeFedCluster stays Ready, Secrets reach both
// members, the ConfigMap reaches member2, and the FederatedConfigMap
// reports for member1 the missing permission and what to do; reconciling
// it again writes nothing. Once the ClusterRole grants ConfigMaps, the
// ConfigMap reaches member1 without a restart.
func TestForbiddenTypeInOneMember(t *testing.T) {
	synced := connectionsSynced(t)
	e := startForbiddenEnv(t)
	e.createFederated("FederatedConfigMap", "cfg", map[string]any{"data": map[string]any{"k": "v"}})
	e.createFederated("FederatedSecret", "sec", map[string]any{"data": map[string]any{"k": "dg=="}})

	testenv.Eventually(t, time.Minute, func(context.Context) error {
		for _, m := range []string{"member1", "member2"} {
			if err := e.copyExists(m, "sec", &corev1.Secret{}); err != nil {
				return fmt.Errorf("Secret in %s: %w", m, err)
			}
		}
		st, err := e.propagatedTo("member2", "cfg")
		if err != nil {
			return err
		}
		return forbiddenMessage(st["member1"])
	}, "Secrets in both members, the ConfigMap in member2, member1 reported forbidden")
	if err := e.copyExists("member1", "cfg", &corev1.ConfigMap{}); !apierrors.IsNotFound(err) {
		t.Errorf("ConfigMap in member1 while forbidden: %v, want NotFound", err)
	}
	// Both connections synced their watches (member1's without the
	// forbidden one) and neither was dropped; member1 is still Ready.
	testenv.Eventually(t, 2*forbiddenSyncTimeout, func(context.Context) error {
		if n := connectionsSynced(t); n < synced+2 {
			return fmt.Errorf("%d member connections synced, want %d", n-synced, 2)
		}
		return nil
	}, "both member connections synced")
	if err := e.kubeFedClusterReady("member1"); err != nil {
		t.Error(err)
	}
	if got := e.cache.ReadyClusters(); !slices.Equal(got, []string{"member1", "member2"}) {
		t.Errorf("connected members %v, want member1 and member2", got)
	}
	e.assertIdle()

	if err := e.limited.Grant(t.Context(), rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"},
		Verbs: []string{"get", "list", "watch", "create", "update", "patch", "delete"}}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, time.Minute, func(context.Context) error {
		_, err := e.propagatedTo("member1", "cfg")
		return err
	}, "the ConfigMap in member1 once granted")
	if err := e.conns.Has("member1", false); err == nil {
		t.Error("member1's connection was dropped")
	}
}

// assertIdle reconciles the FederatedConfigMap, unchanged, a few times with
// a reconciler of its own on the same members: nothing is written.
func (e *forbiddenEnv) assertIdle() {
	t := e.t
	_, before, err := e.clusterStatus("FederatedConfigMap", "cfg")
	if err != nil {
		t.Fatal(err)
	}
	r := reconcilerFor(t, "", "ConfigMap")
	r.Client, r.APIReader, r.Members = e.host, e.host, e.cache
	for range 3 {
		start := time.Now()
		if _, err := r.Reconcile(t.Context(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: forbiddenNamespace, Name: "cfg"}}); err != nil {
			t.Fatalf("reconcile: %v", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("a reconcile took %s: the read of the forbidden kind waited", d)
		}
	}
	st, after, err := e.clusterStatus("FederatedConfigMap", "cfg")
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("the reconciles of the unchanged FederatedConfigMap wrote it (resourceVersion %s -> %s)", before, after)
	}
	if err := forbiddenMessage(st["member1"]); err != nil {
		t.Error(err)
	}
}
