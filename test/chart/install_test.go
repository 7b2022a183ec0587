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

package chart_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed/kubefed/test/testenv"
)

// cluster is a test API server reachable through a kubeconfig file (for
// helm and kubectl) and a client (for the assertions).
type cluster struct {
	kubeconfig string
	client     client.Client
}

// TestInstall installs, upgrades and uninstalls the chart on a real API
// server, then takes over a KubeFed v0.10-shaped release in place with
// `helm upgrade`, following docs/install.md. The two run one after the
// other: they share the cluster-scoped names (kubefed-role, the CRDs).
func TestInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("installs on an API server (envtest); skipped in -short mode")
	}
	t.Parallel()
	c := startCluster(t)
	t.Run("InstallUpgradeUninstall", func(t *testing.T) { testInstallUpgradeUninstall(t, c) })
	t.Run("UpgradeFromKubeFed", func(t *testing.T) { testUpgradeFromKubeFed(t, c) })
}

// testInstallUpgradeUninstall installs the chart with default values,
// upgrades it with changed values and uninstalls it.
func testInstallUpgradeUninstall(t *testing.T, c *cluster) {
	ctx := t.Context()
	mustHelm(t, "install", releaseName, chartDir(), "--namespace", releaseNamespace, "--create-namespace",
		"--kubeconfig", c.kubeconfig, "--wait=false")

	crds := shippedCRDNames(t)
	for _, name := range crds {
		c.mustGet(t, &apiextensionsv1.CustomResourceDefinition{}, "", name)
	}
	if got := c.ftcNames(t); !slices.Equal(got, shippedFTCNames(t)) {
		t.Errorf("FederatedTypeConfigs in %s = %v, want %v", releaseNamespace, got, shippedFTCNames(t))
	}
	cfg := c.kubeFedConfig(t)
	if got := nestedString(t, cfg, "spec", "scope"); got != "Cluster" {
		t.Errorf("KubeFedConfig scope = %q, want Cluster", got)
	}
	// The chart writes only the scope; the CRD's defaults fill in the rest.
	if got := nestedString(t, cfg, "spec", "controllerDuration", "availableDelay"); got != "20s" {
		t.Errorf("KubeFedConfig availableDelay = %q, want the default 20s", got)
	}
	for _, obj := range c.chartObjects() {
		c.mustGet(t, obj.obj, obj.namespace, obj.name)
	}
	if got := c.deploymentReplicas(t); got != 2 {
		t.Errorf("Deployment replicas = %d, want 2", got)
	}
	c.checkAccess(t)

	mustHelm(t, "upgrade", releaseName, chartDir(), "--namespace", releaseNamespace, "--kubeconfig", c.kubeconfig, "--wait=false",
		"--set", "controllermanager.clusterAvailableDelay=45s", "--set", "controllermanager.controller.replicaCount=3")
	if got := nestedString(t, c.kubeFedConfig(t), "spec", "controllerDuration", "availableDelay"); got != "45s" {
		t.Errorf("after upgrade: KubeFedConfig availableDelay = %q, want 45s", got)
	}
	if got := c.deploymentReplicas(t); got != 3 {
		t.Errorf("after upgrade: Deployment replicas = %d, want 3", got)
	}

	// The scope is immutable: the upgrade is refused before anything changes.
	res := runHelm(t, "upgrade", releaseName, chartDir(), "--namespace", releaseNamespace, "--kubeconfig", c.kubeconfig,
		"--wait=false", "--reuse-values", "--set", "global.scope=Namespaced")
	if res.err == nil || !strings.Contains(res.stderr, "global.scope cannot change from Cluster to Namespaced") {
		t.Errorf("helm upgrade --set global.scope=Namespaced: err %v, want the immutable scope refused:\n%s", res.err, res.stderr)
	}
	for _, obj := range c.chartObjects() {
		c.mustGet(t, obj.obj, obj.namespace, obj.name)
	}
	if got := c.deploymentReplicas(t); got != 3 {
		t.Errorf("after the refused upgrade: Deployment replicas = %d, want 3", got)
	}

	mustHelm(t, "uninstall", releaseName, "--namespace", releaseNamespace, "--kubeconfig", c.kubeconfig)
	for _, obj := range c.chartObjects() {
		c.waitGone(ctx, t, obj.obj, obj.namespace, obj.name)
	}
	c.waitGone(ctx, t, kubeFedConfigObject(), releaseNamespace, "kubefed")
	for _, name := range crds {
		c.mustGet(t, &apiextensionsv1.CustomResourceDefinition{}, "", name)
	}
}

// testUpgradeFromKubeFed installs a KubeFed v0.10-shaped release
// (testdata/kubefed-v0.10) and replaces it in place with the chart, the
// migration docs/install.md describes: apply the CRDs, delete KubeFed's
// webhook configurations, helm upgrade.
func testUpgradeFromKubeFed(t *testing.T, c *cluster) {
	ctx := t.Context()
	// KubeFed's CRDs stand in for the old ones: same groups and kinds.
	c.kubectl(t, "apply", "--server-side", "--force-conflicts", "-f", filepath.Join(chartDir(), "crds"))
	mustHelm(t, "install", releaseName, filepath.Join("testdata", "kubefed-v0.10"), "--namespace", releaseNamespace,
		"--create-namespace", "--kubeconfig", c.kubeconfig, "--wait=false")

	if got := nestedString(t, c.kubeFedConfig(t), "spec", "leaderElect", "resourceLock"); got != "configmaps" {
		t.Fatalf("KubeFed's KubeFedConfig resourceLock = %q, want configmaps", got)
	}

	// docs/install.md: apply the new CRDs, remove KubeFed's webhooks, upgrade.
	c.kubectl(t, "apply", "--server-side", "--force-conflicts", "-f", filepath.Join(chartDir(), "crds"))
	c.kubectl(t, "delete", "validatingwebhookconfiguration", "validations.core.kubefed.io", "--ignore-not-found")
	c.kubectl(t, "delete", "mutatingwebhookconfiguration", "mutation.core.kubefed.io", "--ignore-not-found")
	mustHelm(t, "upgrade", releaseName, chartDir(), "--namespace", releaseNamespace, "--kubeconfig", c.kubeconfig, "--wait=false")

	deploy := &unstructured.Unstructured{}
	deploy.SetGroupVersionKind(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"})
	c.mustGet(t, deploy, releaseNamespace, "kubefed-controller-manager")
	selector, _, _ := unstructured.NestedStringMap(deploy.Object, "spec", "selector", "matchLabels")
	if len(selector) != 1 || selector["kubefed-control-plane"] != "controller-manager" {
		t.Errorf("Deployment selector = %v, want KubeFed's", selector)
	}
	containers, _, _ := unstructured.NestedSlice(deploy.Object, "spec", "template", "spec", "containers")
	if image := containers[0].(map[string]any)["image"]; image != "ghcr.io/kubefed/kubefed:v0.11.0" {
		t.Errorf("Deployment image = %v, want the chart's", image)
	}
	cfg := c.kubeFedConfig(t)
	// KubeFed's chart wrote every setting; the fields the chart leaves out
	// return to the CRD defaults.
	if got := nestedString(t, cfg, "spec", "leaderElect", "resourceLock"); got != "leases" {
		t.Errorf("KubeFedConfig resourceLock = %q, want the default leases", got)
	}
	if got := nestedString(t, cfg, "spec", "controllerDuration", "availableDelay"); got != "20s" {
		t.Errorf("KubeFedConfig availableDelay = %q, want 20s", got)
	}
	if got := c.ftcNames(t); !slices.Equal(got, shippedFTCNames(t)) {
		t.Errorf("FederatedTypeConfigs = %v, want %v", got, shippedFTCNames(t))
	}
	role := &unstructured.Unstructured{}
	role.SetGroupVersionKind(schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"})
	c.mustGet(t, role, "", "kubefed-role")
	checkNoWildcards(t, role)
	for _, obj := range c.chartObjects() {
		c.mustGet(t, obj.obj, obj.namespace, obj.name)
	}

	mustHelm(t, "uninstall", releaseName, "--namespace", releaseNamespace, "--kubeconfig", c.kubeconfig)
	for _, obj := range c.chartObjects() {
		c.waitGone(ctx, t, obj.obj, obj.namespace, obj.name)
	}
}

// checkAccess asks the API server's authorizer what the controller's
// ServiceAccount may do: what the controllers need, and not more.
func (c *cluster) checkAccess(t *testing.T) {
	t.Helper()
	user := "system:serviceaccount:" + releaseNamespace + ":kubefed-controller"
	for _, tc := range []struct {
		attrs authorizationv1.ResourceAttributes
		want  bool
	}{
		{authorizationv1.ResourceAttributes{Group: "types.kubefed.io", Resource: "federateddeployments", Verb: "watch", Namespace: "apps"}, true},
		{authorizationv1.ResourceAttributes{Group: "types.kubefed.io", Resource: "federateddeployments", Subresource: "status", Verb: "patch", Namespace: "apps"}, true},
		// A type enabled at run time is served without a chart upgrade.
		{authorizationv1.ResourceAttributes{Group: "types.kubefed.io", Resource: "federatedpoddisruptionbudgets", Verb: "watch", Namespace: "apps"}, true},
		{authorizationv1.ResourceAttributes{Group: "types.kubefed.io", Resource: "federatedwidgets", Subresource: "status", Verb: "update", Namespace: "apps"}, true},
		// Other groups only through the aggregated ClusterRole.
		{authorizationv1.ResourceAttributes{Group: "federated.example.com", Resource: "federatedwidgets", Verb: "watch", Namespace: "apps"}, false},
		{authorizationv1.ResourceAttributes{Group: "core.kubefed.io", Resource: "propagatedversions", Verb: "create", Namespace: "apps"}, true},
		{authorizationv1.ResourceAttributes{Group: "coordination.k8s.io", Resource: "leases", Verb: "update", Namespace: releaseNamespace}, true},
		{authorizationv1.ResourceAttributes{Group: "types.kubefed.io", Resource: "federateddeployments", Verb: "delete", Namespace: "apps"}, false},
		{authorizationv1.ResourceAttributes{Group: "coordination.k8s.io", Resource: "leases", Verb: "update", Namespace: "default"}, false},
		{authorizationv1.ResourceAttributes{Resource: "secrets", Verb: "get", Namespace: "default"}, false},
		{authorizationv1.ResourceAttributes{Group: "apps", Resource: "deployments", Verb: "create", Namespace: "apps"}, false},
	} {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User:               user,
			Groups:             []string{"system:serviceaccounts", "system:serviceaccounts:" + releaseNamespace, "system:authenticated"},
			ResourceAttributes: &tc.attrs,
		}}
		if err := c.client.Create(t.Context(), sar); err != nil {
			t.Fatalf("creating a SubjectAccessReview: %v", err)
		}
		if sar.Status.Allowed != tc.want {
			t.Errorf("%s may %s %s/%s.%s in %q: %v, want %v (%s)", user, tc.attrs.Verb, tc.attrs.Resource, tc.attrs.Subresource,
				tc.attrs.Group, tc.attrs.Namespace, sar.Status.Allowed, tc.want, sar.Status.Reason)
		}
	}
}

// startCluster starts an API server for the test and writes a kubeconfig
// for it.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	// The pinned binaries: testenv.AssetsDir.
	c, cfg := testenv.StartClient(t, clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(kubeconfigFor(cfg), path); err != nil {
		t.Fatal(err)
	}
	return &cluster{kubeconfig: path, client: c}
}

// kubeconfigFor builds a kubeconfig with the client certificate of cfg.
func kubeconfigFor(cfg *rest.Config) clientcmdapi.Config {
	server := cfg.Host
	if !strings.Contains(server, "://") {
		server = "https://" + server
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["envtest"] = &clientcmdapi.AuthInfo{
		ClientCertificateData: cfg.CertData,
		ClientKeyData:         cfg.KeyData,
		Token:                 cfg.BearerToken,
	}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "envtest"}
	kc.CurrentContext = "envtest"
	return *kc
}

// kubectl runs kubectl on the cluster and fails the test when it fails.
func (c *cluster) kubectl(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), tool(t, "kubectl"), append([]string{"--kubeconfig", c.kubeconfig}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// namedObject is an object the chart installs, by kind, namespace and name.
type namedObject struct {
	obj             client.Object
	namespace, name string
}

// chartObjects are the objects of a default Cluster-scope install, besides
// the CRDs, FTCs and the KubeFedConfig.
func (c *cluster) chartObjects() []namedObject {
	obj := func(group, version, kind, namespace, name string) namedObject {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(schema.GroupVersionKind{Group: group, Version: version, Kind: kind})
		return namedObject{obj: u, namespace: namespace, name: name}
	}
	return []namedObject{
		obj("", "v1", "ServiceAccount", releaseNamespace, "kubefed-controller"),
		obj("", "v1", "Service", releaseNamespace, "kubefed-controller-manager-metrics-service"),
		obj("apps", "v1", "Deployment", releaseNamespace, "kubefed-controller-manager"),
		obj("policy", "v1", "PodDisruptionBudget", releaseNamespace, "kubefed-controller-manager"),
		obj("rbac.authorization.k8s.io", "v1", "ClusterRole", "", "kubefed-role"),
		obj("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "", "kubefed-rolebinding"),
		obj("rbac.authorization.k8s.io", "v1", "ClusterRole", "", aggregatedRoleName),
		obj("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "", aggregatedRoleName),
		obj("rbac.authorization.k8s.io", "v1", "Role", releaseNamespace, "kubefed-config-role"),
		obj("rbac.authorization.k8s.io", "v1", "RoleBinding", releaseNamespace, "kubefed-config-rolebinding"),
	}
}

// mustGet reads an object, failing the test when it cannot.
func (c *cluster) mustGet(t *testing.T, obj client.Object, namespace, name string) {
	t.Helper()
	if err := c.client.Get(t.Context(), client.ObjectKey{Namespace: namespace, Name: name}, obj); err != nil {
		t.Errorf("getting %T %s/%s: %v", obj, namespace, name, err)
	}
}

// waitGone waits until an object is deleted.
func (c *cluster) waitGone(ctx context.Context, t *testing.T, obj client.Object, namespace, name string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		err := c.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, obj)
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, client.IgnoreNotFound(err)
	})
	if err != nil {
		t.Errorf("%s %s/%s still exists after helm uninstall: %v", obj.GetObjectKind().GroupVersionKind().Kind, namespace, name, err)
	}
}

// kubeFedConfigObject is an empty KubeFedConfig to read into.
func kubeFedConfigObject() *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(schema.GroupVersionKind{Group: "core.kubefed.io", Version: "v1beta1", Kind: "KubeFedConfig"})
	return u
}

// kubeFedConfig reads the release's KubeFedConfig.
func (c *cluster) kubeFedConfig(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	cfg := kubeFedConfigObject()
	if err := c.client.Get(t.Context(), client.ObjectKey{Namespace: releaseNamespace, Name: "kubefed"}, cfg); err != nil {
		t.Fatalf("getting KubeFedConfig %s/kubefed: %v", releaseNamespace, err)
	}
	return cfg
}

// ftcNames lists the FederatedTypeConfigs in the release namespace, sorted.
func (c *cluster) ftcNames(t *testing.T) []string {
	t.Helper()
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(schema.GroupVersionKind{Group: "core.kubefed.io", Version: "v1beta1", Kind: "FederatedTypeConfigList"})
	if err := c.client.List(t.Context(), list, client.InNamespace(releaseNamespace)); err != nil {
		t.Fatalf("listing FederatedTypeConfigs: %v", err)
	}
	var names []string
	for _, item := range list.Items {
		names = append(names, item.GetName())
	}
	slices.Sort(names)
	return names
}

// deploymentReplicas reads the controller Deployment's spec.replicas.
func (c *cluster) deploymentReplicas(t *testing.T) int64 {
	t.Helper()
	deploy := &unstructured.Unstructured{}
	deploy.SetGroupVersionKind(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"})
	if err := c.client.Get(t.Context(), client.ObjectKey{Namespace: releaseNamespace, Name: "kubefed-controller-manager"}, deploy); err != nil {
		t.Fatalf("getting the Deployment: %v", err)
	}
	return nestedInt(t, deploy, "spec", "replicas")
}

// shippedCRDNames returns the names of the CRDs in the chart's crds/.
func shippedCRDNames(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(chartDir(), "crds", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, obj := range parseDocuments(t, string(data)) {
			names = append(names, obj.GetName())
		}
	}
	if len(names) == 0 {
		t.Fatal("the chart ships no CRDs: run make manifests")
	}
	return names
}
