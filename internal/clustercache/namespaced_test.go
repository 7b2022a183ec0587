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
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/clustercache/clustercachetest"
	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

// TestNamespacedMember connects to a member whose KubeFed identity holds a
// Role in one namespace only, as a Namespaced join grants. Restricted to
// that namespace, the cache serves and watches it, and a watch of a
// cluster-scoped kind is refused without taking the connection down; left
// unrestricted, the same identity may not list ConfigMaps cluster-wide: the
// watch is reported forbidden and the connection stays up without it.
func TestNamespacedMember(t *testing.T) {
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(1), Nodes: 1})
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	member := fed.Members[0]
	cluster, secret := namespacedAccess(ctx, t, member)
	const syncTimeout = 3 * time.Second

	t.Run("restricted to its namespace", func(t *testing.T) {
		cc := clustercache.New(clustercache.Options{CacheSyncTimeout: syncTimeout, MinBackoff: time.Minute, Namespaces: []string{memberNamespace}})
		conns := startCache(ctx, t, cc)
		seen := &events{seen: map[string]int{}}
		for _, w := range []clustercache.WatchInput{
			{Name: "configmaps", Kind: &corev1.ConfigMap{}, EventHandler: seen.handle},
			{Name: "namespaces", Kind: &corev1.Namespace{}, EventHandler: seen.handle},
		} {
			if err := cc.Watch(ctx, w); err != nil {
				t.Fatalf("Watch %s: %v", w.Name, err)
			}
		}
		if err := cc.Connect(ctx, clustercache.ConnectInput{Cluster: cluster, Secret: secret}); err != nil {
			t.Fatalf("Connect: %v", err)
		}
		c, err := cc.GetClient(ctx, member.Name)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Create(ctx, configMap("ns-managed", true)); err != nil {
			t.Fatalf("creating a ConfigMap in %s/%s with the member identity: %v", member.Name, memberNamespace, err)
		}
		testenv.Eventually(t, 15*time.Second, func(context.Context) error { return seen.saw(member.Name + "/" + memberNamespace + "/ns-managed") }, "event of the ConfigMap")
		cachedRead(ctx, t, cc, member.Name, "ns-managed", 15*time.Second)
		// Past the sync timeout, the connection is still there: the
		// refused Namespace watch did not count.
		time.Sleep(2 * syncTimeout)
		if conns.Has(member.Name, false) == nil {
			t.Fatalf("the connection to %s was dropped although its only watches are in its namespace (ReadyClusters %v)", member.Name, cc.ReadyClusters())
		}
		if got := cc.ReadyClusters(); len(got) != 1 {
			t.Fatalf("ReadyClusters = %v, want %s", got, member.Name)
		}
	})

	t.Run("unrestricted, the same identity may not watch cluster-wide", func(t *testing.T) {
		cc := clustercache.New(clustercache.Options{CacheSyncTimeout: syncTimeout, MinBackoff: time.Minute})
		conns := startCache(ctx, t, cc)
		seen := &events{seen: map[string]int{}}
		if err := cc.Watch(ctx, clustercache.WatchInput{Name: "configmaps", Kind: &corev1.ConfigMap{}, EventHandler: seen.handle}); err != nil {
			t.Fatal(err)
		}
		synced := connectionsSynced()
		if err := cc.Connect(ctx, clustercache.ConnectInput{Cluster: cluster, Secret: secret}); err != nil {
			t.Fatalf("Connect: %v", err)
		}
		// The watch is reported forbidden, and the connection syncs
		// without it instead of being dropped.
		testenv.Eventually(t, 4*syncTimeout, func(context.Context) error {
			if err := cc.WatchErrors("configmaps")[member.Name]; !errors.Is(err, clustercache.ErrWatchForbidden) {
				return fmt.Errorf("WatchErrors[%s] = %v, want ErrWatchForbidden", member.Name, err)
			}
			if n := connectionsSynced(); n <= synced {
				return fmt.Errorf("%d connections synced, want more than %d", n, synced)
			}
			return nil
		}, "the watch reported forbidden and the connection synced")
		if conns.Has(member.Name, false) == nil {
			t.Fatalf("the connection to %s was dropped", member.Name)
		}
	})
}

// startCache runs cc until the test ends (or ctx does) and records its
// connection events.
func startCache(ctx context.Context, t *testing.T, cc *clustercache.ClusterCache) *clustercachetest.ConnectionLog {
	t.Helper()
	testenv.Run(t, "the cluster cache", func(testCtx context.Context) error {
		cacheCtx, stop := context.WithCancel(ctx)
		defer stop()
		context.AfterFunc(testCtx, stop)
		return cc.Start(cacheCtx)
	})
	conns := &clustercachetest.ConnectionLog{}
	t.Cleanup(cc.Subscribe(conns.Add))
	return conns
}

// namespacedAccess creates, in a member, a service account with a Role on
// everything in memberNamespace and nothing else, and returns the
// KubeFedCluster and Secret that reach the member with its token.
func namespacedAccess(ctx context.Context, t *testing.T, member *framework.Cluster) (*fedcorev1b1.KubeFedCluster, *corev1.Secret) {
	t.Helper()
	cs := clientset(t, member)
	const sa, secretName = "kubefed-namespaced", "kubefed-namespaced-token"
	createServiceAccount(ctx, t, cs, sa)
	_, err := cs.RbacV1().Roles(memberNamespace).Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: sa},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}},
	}, metav1.CreateOptions{})
	mustExist(t, err)
	_, err = cs.RbacV1().RoleBindings(memberNamespace).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: sa},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: sa},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: memberNamespace, Name: sa}},
	}, metav1.CreateOptions{})
	mustExist(t, err)
	return accessWithToken(member, tokenOf(ctx, t, cs, sa, secretName))
}
