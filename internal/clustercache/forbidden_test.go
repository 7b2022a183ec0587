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

package clustercache_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/clustercache/clustercachetest"
	"github.com/kubefed/kubefed/internal/metrics"
	"github.com/kubefed/kubefed/test/testenv"
)

// secretRules lets an identity do everything with Secrets and nothing with
// ConfigMaps.
var secretRules = []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"*"}}}

// configMapRule grants the ConfigMaps it lacks.
var configMapRule = rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch", "create", "update", "patch", "delete"}}

// TestForbiddenKind connects to a member (a real API server with RBAC) as
// an identity that may use Secrets but not ConfigMaps, with watches of
// both. The connection syncs and stays up past the sync timeout, the
// Secret watch reports the member's Secrets, the ConfigMap watch is
// reported forbidden (naming the cluster, the resource and the verbs),
// cached reads of ConfigMaps fail at once with that error; once the
// ClusterRole grants ConfigMaps, the watch starts by itself and reports
// the member's ConfigMaps.
func TestForbiddenKind(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	admin := testenv.StartEnvtest(t, testenv.EnvtestOptions{}).Config
	id, err := clustercachetest.NewIdentity(ctx, admin, memberNamespace, "kubefed-limited", secretRules)
	if err != nil {
		t.Fatal(err)
	}
	cluster, secret, err := id.Access(ctx, admin, fedcorev1b1.DefaultKubeFedSystemNamespace, "member1")
	if err != nil {
		t.Fatal(err)
	}

	const syncTimeout = 3 * time.Second
	cc := clustercache.New(clustercache.Options{CacheSyncTimeout: syncTimeout, MinBackoff: 200 * time.Millisecond, MaxBackoff: time.Second})
	conns := startCache(ctx, t, cc)
	seen := &events{seen: map[string]int{}}
	regs := &registrations{}
	for _, w := range []clustercache.WatchInput{
		{Name: "secrets", Kind: &corev1.Secret{}, EventHandler: seen.handle},
		{Name: "configmaps", Kind: &corev1.ConfigMap{}, EventHandler: seen.handle, RegistrationHandler: func(_ string, err error) { regs.add(err) }},
	} {
		if err := cc.Watch(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	synced := connectionsSynced()
	if err := cc.Connect(ctx, clustercache.ConnectInput{Cluster: cluster, Secret: secret}); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	// A cached read at once, while the access is being checked, waits for
	// the check and fails with its error.
	assertForbiddenRead(ctx, t, cc, false)

	testenv.Eventually(t, 30*time.Second, func(context.Context) error {
		return isForbidden(cc.WatchErrors("configmaps")["member1"])
	}, "the ConfigMap watch reported forbidden")
	if failed, _ := regs.counts(); failed == 0 {
		t.Error("the ConfigMap watch's RegistrationHandler was not told of the failure")
	}
	// The connection synced without the forbidden watch, and is up.
	testenv.Eventually(t, 2*syncTimeout, func(context.Context) error {
		if n := connectionsSynced(); n <= synced {
			return fmt.Errorf("%d connections synced, want more than %d", n, synced)
		}
		return nil
	}, "the connection synced")
	if conns.Has("member1", false) == nil {
		t.Fatalf("the connection was dropped (ReadyClusters %v)", cc.ReadyClusters())
	}
	mc, err := cc.GetClient(ctx, "member1")
	if err != nil {
		t.Fatal(err)
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: memberNamespace, Name: "allowed", Labels: managedLabel()}}
	if err := mc.Create(ctx, s); err != nil {
		t.Fatalf("creating a Secret as the limited identity: %v", err)
	}
	testenv.Eventually(t, 15*time.Second, func(context.Context) error { return seen.saw("member1/" + memberNamespace + "/allowed") }, "the Secret's event")
	assertForbiddenRead(ctx, t, cc, true)
	assertWatchStartsOnceGranted(ctx, t, cc, id, mc, regs, seen, conns)
}

// assertWatchStartsOnceGranted grants id the ConfigMaps: the ConfigMap
// watch starts without a new connection, its RegistrationHandler is told,
// and it reports a ConfigMap created with mc.
func assertWatchStartsOnceGranted(ctx context.Context, t *testing.T, cc *clustercache.ClusterCache, id *clustercachetest.Identity, mc client.Client,
	regs *registrations, seen *events, conns *clustercachetest.ConnectionLog) {
	t.Helper()
	if err := id.Grant(ctx, configMapRule); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 30*time.Second, func(context.Context) error {
		if errs := cc.WatchErrors("configmaps"); len(errs) != 0 {
			return fmt.Errorf("WatchErrors = %v", errs)
		}
		if _, started := regs.counts(); started != 1 {
			return errors.New("the RegistrationHandler was not told of the start")
		}
		return nil
	}, "the ConfigMap watch started once granted")
	if err := mc.Create(ctx, configMap("granted", true)); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 15*time.Second, func(context.Context) error { return seen.saw("member1/" + memberNamespace + "/granted") }, "the ConfigMap's event")
	if conns.Has("member1", false) == nil {
		t.Fatal("the connection was dropped")
	}
}

// assertForbiddenRead checks that a cached read of a forbidden kind fails
// with the watch's error, well before the read's deadline, and (allowedToo)
// that one of an allowed kind works.
func assertForbiddenRead(ctx context.Context, t *testing.T, cc *clustercache.ClusterCache, allowedToo bool) {
	t.Helper()
	reader, err := cc.GetReader(ctx, "member1")
	if err != nil {
		t.Fatal(err)
	}
	readCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err = reader.Get(readCtx, client.ObjectKey{Namespace: memberNamespace, Name: "any"}, &corev1.ConfigMap{})
	if err := isForbidden(err); err != nil {
		t.Errorf("cached Get of a ConfigMap: %v", err)
	}
	if err := isForbidden(reader.List(readCtx, &corev1.ConfigMapList{})); err != nil {
		t.Errorf("cached List of ConfigMaps: %v", err)
	}
	if !allowedToo {
		return
	}
	if err := reader.Get(readCtx, client.ObjectKey{Namespace: memberNamespace, Name: "allowed"}, &corev1.Secret{}); err != nil {
		t.Errorf("cached Get of the Secret: %v", err)
	}
}

// isForbidden returns nil when err is the ForbiddenError of ConfigMaps in
// member1 with both verbs denied, and says what it is otherwise.
func isForbidden(err error) error {
	var fe *clustercache.ForbiddenError
	if !errors.Is(err, clustercache.ErrWatchForbidden) || !errors.As(err, &fe) {
		return fmt.Errorf("error %v, want a ForbiddenError", err)
	}
	if fe.Cluster != "member1" || fe.Resource.String() != "configmaps" || !slices.Equal(fe.Verbs, []string{"list", "watch"}) || fe.Namespace != "" {
		return fmt.Errorf("ForbiddenError %+v, want configmaps in member1, list and watch", fe)
	}
	return nil
}

// connectionsSynced returns how many member connections have synced their
// watches in this process (the connection duration histogram's count).
func connectionsSynced() uint64 {
	m := &dto.Metric{}
	if err := metrics.ClusterClientConnectionDuration.Write(m); err != nil {
		panic(err)
	}
	return m.GetHistogram().GetSampleCount()
}

func managedLabel() map[string]string {
	return map[string]string{fedcorev1b1.ManagedByKubeFedLabelKey: fedcorev1b1.ManagedByKubeFedLabelValue}
}
