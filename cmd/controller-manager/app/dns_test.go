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

package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	runtimeapi "k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/test/testenv"
)

// TestDNSSetupWithoutCRDs checks that a control plane whose API server lacks
// the multiclusterdns.kubefed.io CRDs (a chart upgrade does not install new
// CRDs) keeps running: the DNS controllers are not added, so no watch of a
// missing kind fails the manager.
func TestDNSSetupWithoutCRDs(t *testing.T) {
	// The core CRDs only: KubeFedClusters are watched by the DNS controllers.
	_, cfg, scheme := startDNSAPIServer(t, "core.kubefed.io_kubefedclusters.yaml")
	runDNSManager(t, cfg, scheme, "without the CRDs")
}

// TestDNSSetupWithoutAccess checks that an identity that may not list or watch
// the multiclusterdns.kubefed.io kinds leaves DNS off and the manager
// running, and that the chart's generated ClusterRole passes the same
// check, so that DNS is on under the chart's ServiceAccount.
func TestDNSSetupWithoutAccess(t *testing.T) {
	env, cfg, scheme := startDNSAPIServer(t, "core.kubefed.io_kubefedclusters.yaml",
		"multiclusterdns.kubefed.io_dnsendpoints.yaml", "multiclusterdns.kubefed.io_domains.yaml",
		"multiclusterdns.kubefed.io_ingressdnsrecords.yaml", "multiclusterdns.kubefed.io_servicednsrecords.yaml")
	admin, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	// An identity that may read KubeFedClusters but nothing of
	// multiclusterdns.kubefed.io.
	restricted := userWithRole(t, ctx, env, cfg, admin, "dns-restricted", []rbacv1.PolicyRule{
		{APIGroups: []string{"core.kubefed.io"}, Resources: []string{"*"}, Verbs: []string{"*"}},
	})
	c, err := client.New(restricted, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	resources := []string{"domains", "servicednsrecords", "ingressdnsrecords", "dnsendpoints"}
	if got := deniedDNSResources(c, "", resources); !slices.Equal(got, resources) {
		t.Errorf("denied to the restricted identity: %v, want %v", got, resources)
	}
	runDNSManager(t, restricted, scheme, "without access to the DNS kinds")

	// The chart's ClusterRole, as controller-gen generates it.
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "charts", "kubefed", "files", "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	role := &rbacv1.ClusterRole{}
	if err := yaml.Unmarshal(raw, role); err != nil {
		t.Fatal(err)
	}
	chart := userWithRole(t, ctx, env, cfg, admin, "dns-chart", role.Rules)
	if c, err = client.New(chart, client.Options{Scheme: scheme}); err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{"", "kube-federation-system"} {
		if got := deniedDNSResources(c, ns, resources); len(got) > 0 {
			t.Errorf("the chart's ClusterRole may not list or watch %v in namespace %q: multi-cluster DNS would be off", got, ns)
		}
	}
}

// userWithRole adds a user bound to a ClusterRole of rules and returns its
// configuration.
func userWithRole(t *testing.T, ctx context.Context, env *envtest.Environment, cfg *rest.Config, admin client.Client, name string, rules []rbacv1.PolicyRule) *rest.Config {
	t.Helper()
	user, err := env.AddUser(envtest.User{Name: name}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}); err != nil {
		t.Fatal(err)
	}
	if err := admin.Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}},
	}); err != nil {
		t.Fatal(err)
	}
	return user.Config()
}

// startDNSAPIServer starts an API server (envtest) with the named CRDs of
// config/crd/bases; it is stopped when the test ends. It returns the
// environment, an admin configuration and a scheme with the core and
// kubefed core kinds.
func startDNSAPIServer(t *testing.T, crds ...string) (*envtest.Environment, *rest.Config, *runtimeapi.Scheme) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an API server; skipped with -short (make unit)")
	}
	scheme := runtimeapi.NewScheme()
	for _, add := range []func(*runtimeapi.Scheme) error{clientgoscheme.AddToScheme, fedcorev1b1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	var paths []string
	for _, crd := range crds {
		paths = append(paths, "config/crd/bases/"+crd)
	}
	env := testenv.StartEnvtest(t, testenv.EnvtestOptions{Scheme: scheme, CRDs: paths})
	return env, env.Config, scheme
}

// runDNSManager sets up the DNS controllers in a manager with cfg's identity
// and runs it for 8 s: it fails the test when the manager stops with an
// error before (a watch that never starts stops it after 3 s).
func runDNSManager(t *testing.T, cfg *rest.Config, scheme *runtimeapi.Scheme, what string) {
	t.Helper()
	mgr := testenv.NewManager(t, cfg, ctrl.Options{Scheme: scheme,
		Controller: config.Controller{CacheSyncTimeout: 3 * time.Second, UsePriorityQueue: ptr.To(false)}})
	if err := addDNSControllers(mgr, clustercache.New(clustercache.Options{Scheme: scheme}), "kube-federation-system", ""); err != nil {
		t.Fatalf("addDNSControllers %s: %v", what, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Second)
	defer cancel()
	if err := mgr.Start(ctx); err != nil {
		t.Fatalf("the manager %s stopped with an error: %v", what, err)
	}
}
