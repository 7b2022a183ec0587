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
	"fmt"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/controllers/kubefedcluster"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/clustercache/clustercachetest"
	"github.com/kubefed/kubefed/internal/metrics"
	"github.com/kubefed/kubefed/test/testenv"
)

// forbiddenNamespace is the namespace of the objects of the forbidden-type
// envtest.
const forbiddenNamespace = "apps"

// forbiddenEnv is a host running the cluster health controller and the
// sync controllers of ConfigMaps and Secrets, with two members joined with
// identities of their own: member2's may do everything, member1's may use
// Secrets but not ConfigMaps.
type forbiddenEnv struct {
	t       *testing.T
	host    client.Client
	members map[string]client.Client
	limited *clustercachetest.Identity
	cache   *clustercache.ClusterCache
	conns   *clustercachetest.ConnectionLog
}

// cacheSyncTimeout is the KubeFedConfig's: a member connection whose
// watches do not sync within it is dropped.
const forbiddenSyncTimeout = 3 * time.Second

func startForbiddenEnv(t *testing.T) *forbiddenEnv {
	t.Helper()
	scheme := testScheme()
	e := &forbiddenEnv{t: t, members: map[string]client.Client{}, conns: &clustercachetest.ConnectionLog{}}
	host, hostEnv := testenv.StartClientWith(t, testenv.EnvtestOptions{Scheme: scheme, CRDs: []string{"config/crd/bases"}})
	e.host = host
	ctx := t.Context()
	mustCreate(t, e.host, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNamespace}})
	mustCreate(t, e.host, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: forbiddenNamespace}})
	mustCreate(t, e.host, &fedcorev1b1.KubeFedConfig{ObjectMeta: metav1.ObjectMeta{Namespace: testNamespace, Name: fedcorev1b1.KubeFedConfigName},
		Spec: fedcorev1b1.KubeFedConfigSpec{Scope: "Cluster", ControllerDuration: &fedcorev1b1.DurationConfig{
			CacheSyncTimeout: &metav1.Duration{Duration: forbiddenSyncTimeout}}}})
	everything := []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}}
	for name, rules := range map[string][]rbacv1.PolicyRule{"member1": secretsOnly, "member2": everything} {
		member, env := testenv.StartClientWith(t, testenv.EnvtestOptions{Scheme: scheme})
		e.members[name] = member
		cfg := env.Config
		mustCreate(t, e.members[name], &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: forbiddenNamespace}})
		id, err := clustercachetest.NewIdentity(ctx, cfg, "kubefed-member", "kubefed-"+name, rules)
		if err != nil {
			t.Fatal(err)
		}
		if name == "member1" {
			e.limited = id
		}
		e.join(cfg, id, name)
	}
	fedNS := federatedNamespace(forbiddenNamespace)
	fedNS.Object["spec"] = map[string]any{"placement": map[string]any{"clusters": []any{
		map[string]any{"name": "member1"}, map[string]any{"name": "member2"}}}}
	mustCreate(t, e.host, fedNS)
	e.startControllers(hostEnv.Config)
	return e
}

// secretsOnly lets an identity do everything with Secrets and nothing with
// ConfigMaps.
var secretsOnly = []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"*"}}}

// join creates the KubeFedCluster and Secret of a member in the host, as
// kubefedctl join would, with a token of id.
func (e *forbiddenEnv) join(memberCfg *rest.Config, id *clustercachetest.Identity, name string) {
	e.t.Helper()
	kfc, secret, err := id.Access(e.t.Context(), memberCfg, testNamespace, name)
	if err != nil {
		e.t.Fatal(err)
	}
	mustCreate(e.t, e.host, secret)
	mustCreate(e.t, e.host, kfc)
}

// startControllers runs, in a manager of the host, the cluster cache, the
// cluster health controller and the sync controllers of ConfigMaps and
// Secrets.
func (e *forbiddenEnv) startControllers(hostCfg *rest.Config) {
	t := e.t
	mgr := testenv.NewManager(t, hostCfg, ctrl.Options{Scheme: e.host.Scheme(),
		Client: client.Options{Cache: &client.CacheOptions{Unstructured: true}}})
	e.cache = clustercache.New(clustercache.Options{Scheme: e.host.Scheme(), MinBackoff: 200 * time.Millisecond, MaxBackoff: 2 * time.Second})
	unsubscribe := e.cache.Subscribe(e.conns.Add)
	t.Cleanup(unsubscribe)
	if err := mgr.Add(e.cache); err != nil {
		t.Fatal(err)
	}
	if err := (&kubefedcluster.Reconciler{Client: mgr.GetClient(), ClusterCache: e.cache, Namespace: testNamespace}).SetupWithManager(mgr); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"ConfigMap", "Secret"} {
		ftc := typeConfig(t, "", kind)
		ftc.Namespace = testNamespace
		c, err := NewController(mgr, ControllerOptions{TypeConfig: ftc, Namespace: testNamespace, Members: e.cache, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if err := mgr.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	testenv.Run(t, "the manager", mgr.Start)
}

// createFederated creates a federated object of kind (FederatedConfigMap,
// FederatedSecret) with template, placed in both members.
func (e *forbiddenEnv) createFederated(kind, name string, template map[string]any) {
	e.t.Helper()
	obj := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{
		"template":  template,
		"placement": map[string]any{"clusters": []any{map[string]any{"name": "member1"}, map[string]any{"name": "member2"}}},
	}}}
	obj.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(kind))
	obj.SetNamespace(forbiddenNamespace)
	obj.SetName(name)
	mustCreate(e.t, e.host, obj)
}

// copyExists returns nil when the member holds obj's kind under name.
func (e *forbiddenEnv) copyExists(member, name string, obj client.Object) error {
	return e.members[member].Get(e.t.Context(), types.NamespacedName{Namespace: forbiddenNamespace, Name: name}, obj)
}

// propagatedTo returns nil and the FederatedConfigMap's status.clusters
// when member holds the ConfigMap name and the status says it propagated.
func (e *forbiddenEnv) propagatedTo(member, name string) (map[string]fedtypesv1b1.GenericClusterStatus, error) {
	if err := e.copyExists(member, name, &corev1.ConfigMap{}); err != nil {
		return nil, fmt.Errorf("ConfigMap in %s: %w", member, err)
	}
	st, _, err := e.clusterStatus("FederatedConfigMap", name)
	if err != nil {
		return nil, err
	}
	if c := st[member]; c.Name == "" || c.Status != fedtypesv1b1.ClusterPropagationOK {
		return nil, fmt.Errorf("%s: %+v", member, c)
	}
	return st, nil
}

// clusterStatus reads status.clusters of a federated object: the status and
// message by cluster, and the object's resourceVersion.
func (e *forbiddenEnv) clusterStatus(kind, name string) (map[string]fedtypesv1b1.GenericClusterStatus, string, error) {
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind(kind))
	if err := e.host.Get(e.t.Context(), types.NamespacedName{Namespace: forbiddenNamespace, Name: name}, obj); err != nil {
		return nil, "", err
	}
	status, err := fedtypesv1b1.GetStatus(obj)
	if err != nil {
		return nil, "", err
	}
	out := map[string]fedtypesv1b1.GenericClusterStatus{}
	for _, c := range status.Clusters {
		out[c.Name] = c
	}
	return out, obj.GetResourceVersion(), nil
}

// kubeFedClusterReady returns nil when the named KubeFedCluster is Ready.
func (e *forbiddenEnv) kubeFedClusterReady(name string) error {
	kfc := &fedcorev1b1.KubeFedCluster{}
	if err := e.host.Get(e.t.Context(), types.NamespacedName{Namespace: testNamespace, Name: name}, kfc); err != nil {
		return err
	}
	if !kfc.Status.IsReady() {
		return fmt.Errorf("KubeFedCluster %s is not Ready: %+v", name, kfc.Status.Conditions)
	}
	return nil
}

// forbiddenMessage returns nil when a cluster's status is the one a
// forbidden ConfigMap watch in member1 leads to: KubeFed's
// CachedRetrievalFailed, with a message naming the object, the cluster, the
// missing permission and what to do.
func forbiddenMessage(c fedtypesv1b1.GenericClusterStatus) error {
	if c.Status != fedtypesv1b1.CachedRetrievalFailed {
		return fmt.Errorf("member1: status %q (%s), want %s", c.Status, c.Message, fedtypesv1b1.CachedRetrievalFailed)
	}
	for _, part := range []string{"ConfigMap " + forbiddenNamespace + "/cfg", "cluster member1", "list and watch configmaps", "kubefedctl join"} {
		if !strings.Contains(c.Message, part) {
			return fmt.Errorf("member1: message %q does not say %q", c.Message, part)
		}
	}
	return nil
}

// connectionsSynced returns how many member connections synced their
// watches in this process (the connection duration histogram's count).
func connectionsSynced(t *testing.T) uint64 {
	t.Helper()
	m := &dto.Metric{}
	if err := metrics.ClusterClientConnectionDuration.Write(m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount()
}
