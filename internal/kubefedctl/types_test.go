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

package kubefedctl

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/federatedtypes"
)

// apiServer starts a test API server with the control plane's CRDs and
// namespace and returns its config and a kubeconfig file for it.
func apiServer(t *testing.T) (*rest.Config, client.Client, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an API server; skipped with -short")
	}
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		assets = filepath.Join("..", "..", "bin")
	}
	// The control plane's own CRDs only: the federated types are what the
	// commands under test create.
	crds, err := filepath.Glob(filepath.Join("..", "..", "config", "crd", "bases", "core.kubefed.io_*.yaml"))
	if err != nil || len(crds) == 0 {
		t.Fatalf("no core CRDs in config/crd/bases (run make manifests): %v", err)
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets, CRDDirectoryPaths: crds, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting the test API server (run make tools, or use -short): %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping the test API server: %v", err)
		}
	})
	c, err := newClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fedcorev1b1.DefaultKubeFedSystemNamespace}}); err != nil {
		t.Fatal(err)
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["host"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["host"] = &clientcmdapi.Context{Cluster: "host", AuthInfo: "admin"}
	kc.CurrentContext = "host"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return cfg, c, path
}

// run runs kubefedctl with args against the kubeconfig.
func run(t *testing.T, kubeconfig string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := NewCommand()
	cmd.SetArgs(append([]string{"--kubeconfig", kubeconfig}, args...))
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	err := cmd.ExecuteContext(t.Context())
	t.Logf("kubefedctl %s:\n%s(error: %v)", strings.Join(args, " "), out.String(), err)
	return out.String(), err
}

func mustRun(t *testing.T, kubeconfig string, args ...string) string {
	t.Helper()
	out, err := run(t, kubeconfig, args...)
	if err != nil {
		t.Fatalf("kubefedctl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func wantContains(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("missing %q in:\n%s", p, s)
		}
	}
}

// widgetCRD is a CRD with a nested schema, like a user's.
const widgetCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList, shortNames: [wdg]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1}
              style:
                type: object
                properties:
                  color: {type: string, enum: [red, blue]}
                  layers:
                    type: array
                    items: {type: object, properties: {name: {type: string}}, required: [name]}
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
`

func installCRD(t *testing.T, c client.Client, manifest string) {
	t.Helper()
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict([]byte(manifest), crd); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(t.Context(), crd); err != nil {
		t.Fatal(err)
	}
	if err := waitEstablished(t.Context(), c, crd.Name, newPrinter(nil, 0)); err != nil {
		t.Fatal(err)
	}
}

func createUnstructured(t *testing.T, c client.Client, manifest string) error {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatal(err)
	}
	return c.Create(t.Context(), u)
}

// TestTypeCommands runs enable, disable, federate, orphaning-deletion and
// status against a real API server (no controller manager: the e2e suite
// covers what needs one).
func TestTypeCommands(t *testing.T) {
	_, c, kubeconfig := apiServer(t)
	ctx := t.Context()
	ns := fedcorev1b1.DefaultKubeFedSystemNamespace
	installCRD(t, c, widgetCRD)

	t.Run("enable a CRD: its schema validates templates", func(t *testing.T) {
		out := mustRun(t, kubeconfig, "enable", "widgets.example.com", "--wait", "0")
		wantContains(t, out, "customresourcedefinition.apiextensions.k8s.io/federatedwidgets.types.kubefed.io created",
			"federatedtypeconfig.core.kubefed.io/widgets.example.com created in namespace "+ns)
		ftc := &fedcorev1b1.FederatedTypeConfig{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "widgets.example.com"}, ftc); err != nil {
			t.Fatal(err)
		}
		if ftc.Spec.FederatedType.Kind != "FederatedWidget" || ftc.Spec.TargetType.Group != "example.com" || !ftc.GetPropagationEnabled() {
			t.Errorf("FederatedTypeConfig spec = %+v", ftc.Spec)
		}
		valid := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedWidget", "metadata": {"name": "ok", "namespace": "default"},
			"spec": {"template": {"spec": {"size": 2, "style": {"color": "red", "layers": [{"name": "a"}]}}}, "placement": {"clusters": [{"name": "member1"}]}}}`
		if err := createUnstructured(t, c, valid); err != nil {
			t.Fatalf("a valid FederatedWidget was refused: %v", err)
		}
		for _, tc := range []struct{ template, want string }{
			{`{"spec": {"size": 0}}`, "spec.template.spec.size"},
			{`{"spec": {"size": 1, "style": {"color": "green"}}}`, "spec.template.spec.style.color"},
			{`{"spec": {"size": 1, "style": {"layers": [{}]}}}`, "spec.template.spec.style.layers[0].name"},
			{`{"spec": {}}`, "spec.template.spec.size"},
		} {
			bad := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedWidget", "metadata": {"name": "bad", "namespace": "default"},
				"spec": {"template": ` + tc.template + `}}`
			err := createUnstructured(t, c, bad)
			if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("template %s: error %v, want Invalid naming %s", tc.template, err, tc.want)
			}
		}
		// The placement's CEL validation is the default types'.
		badPlacement := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedWidget", "metadata": {"name": "bad", "namespace": "default"},
			"spec": {"template": {"spec": {"size": 1}}, "placement": {"clusters": [{"name": "Not_A_Cluster"}]}}}`
		if err := createUnstructured(t, c, badPlacement); err == nil || !strings.Contains(err.Error(), "is not a valid cluster name") {
			t.Errorf("an invalid placement: error %v, want the CEL message", err)
		}
	})

	t.Run("enable again changes nothing", func(t *testing.T) {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := c.Get(ctx, client.ObjectKey{Name: "federatedwidgets.types.kubefed.io"}, crd); err != nil {
			t.Fatal(err)
		}
		out := mustRun(t, kubeconfig, "enable", "Widget", "--wait", "0")
		wantContains(t, out, "Type widgets.example.com is already enabled: nothing changed.")
		after := &apiextensionsv1.CustomResourceDefinition{}
		if err := c.Get(ctx, client.ObjectKey{Name: crd.Name}, after); err != nil {
			t.Fatal(err)
		}
		if after.ResourceVersion != crd.ResourceVersion {
			t.Error("enable of an enabled type rewrote its CRD")
		}
	})

	t.Run("enable built-in kinds from the API server's OpenAPI", func(t *testing.T) {
		for _, name := range []string{"poddisruptionbudgets.policy", "networkpolicy", "deployments.apps"} {
			out := mustRun(t, kubeconfig, "enable", name, "--wait", "0")
			wantContains(t, out, "created")
		}
		bad := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedPodDisruptionBudget", "metadata": {"name": "bad", "namespace": "default"},
			"spec": {"template": {"spec": {"selector": "app=web"}}}}`
		if err := createUnstructured(t, c, bad); !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.template.spec.selector") {
			t.Errorf("a PodDisruptionBudget template with a string selector: error %v, want Invalid", err)
		}
		good := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedPodDisruptionBudget", "metadata": {"name": "web", "namespace": "default"},
			"spec": {"template": {"metadata": {"labels": {"a": "b"}}, "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}}}}}}`
		if err := createUnstructured(t, c, good); err != nil {
			t.Errorf("a valid FederatedPodDisruptionBudget was refused: %v", err)
		}
		badDeploy := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedDeployment", "metadata": {"name": "bad", "namespace": "default"},
			"spec": {"template": {"spec": {"replicas": "three", "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}}}`
		if err := createUnstructured(t, c, badDeploy); !apierrors.IsInvalid(err) {
			t.Errorf("a Deployment template with string replicas: error %v, want Invalid", err)
		}
	})

	t.Run("enable -o yaml changes nothing", func(t *testing.T) {
		out := mustRun(t, kubeconfig, "enable", "secrets", "-o", "yaml")
		wantContains(t, out, "kind: CustomResourceDefinition", "name: federatedsecrets.types.kubefed.io", "kind: FederatedTypeConfig", "name: secrets")
		if err := c.Get(ctx, client.ObjectKey{Name: "federatedsecrets.types.kubefed.io"}, &apiextensionsv1.CustomResourceDefinition{}); !apierrors.IsNotFound(err) {
			t.Errorf("enable -o yaml created the CRD (get: %v)", err)
		}
		file := filepath.Join(t.TempDir(), "secrets.yaml")
		mustRun(t, kubeconfig, "enable", "secrets", "-o", "yaml", "-f", file)
		data, err := os.ReadFile(file)
		if err != nil || !strings.Contains(string(data), "kind: FederatedTypeConfig") {
			t.Errorf("enable -o yaml -f wrote %q (%v)", data, err)
		}
		// KubeFed's EnableTypeDirective file.
		directive := filepath.Join(t.TempDir(), "directive.yaml")
		if err := os.WriteFile(directive, []byte("apiVersion: core.kubefed.io/v1beta1\nkind: EnableTypeDirective\nmetadata:\n  name: secrets\nspec:\n  federatedVersion: v1beta1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		wantContains(t, mustRun(t, kubeconfig, "--dry-run", "enable", "-f", directive), "federatedtypeconfig.core.kubefed.io/secrets created in namespace "+ns+" (dry run)")
		mustRun(t, kubeconfig, "--dry-run", "enable", "secrets")
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "secrets"}, &fedcorev1b1.FederatedTypeConfig{}); !apierrors.IsNotFound(err) {
			t.Errorf("enable --dry-run created the FederatedTypeConfig (get: %v)", err)
		}
	})

	t.Run("enable upgrades a KubeFed-made federated CRD", func(t *testing.T) {
		target, _ := federatedtypes.LookupDefault("", "ConfigMap")
		old := federatedtypes.CRD(target)
		status := old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"]
		delete(status.Properties, "aggregatedStatus")
		delete(status.Properties["clusters"].Items.Schema.Properties, "message")
		old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"] = status
		if err := c.Create(ctx, old); err != nil {
			t.Fatal(err)
		}
		out := mustRun(t, kubeconfig, "enable", "configmaps", "--wait", "0")
		wantContains(t, out, "customresourcedefinition.apiextensions.k8s.io/federatedconfigmaps.types.kubefed.io updated: status schema upgraded")
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := c.Get(ctx, client.ObjectKey{Name: old.Name}, crd); err != nil {
			t.Fatal(err)
		}
		if !federatedtypes.StatusSchemaCurrent(crd) {
			t.Error("the status schema was not upgraded")
		}
	})

	t.Run("enable in another federated group grants the controller access", func(t *testing.T) {
		_, err := run(t, kubeconfig, "enable", "widgets.example.com", "--federated-group", "federated.example.com", "--wait", "0")
		if err == nil || !strings.Contains(err.Error(), "changing it to federatedwidgets.federated.example.com/v1beta1 is not supported: run 'kubefedctl disable widgets.example.com --delete-crd' first") {
			t.Errorf("changing the federated group of an enabled type: %v", err)
		}
		gadgets := strings.NewReplacer("widgets", "gadgets", "Widget", "Gadget", "widget", "gadget", "wdg", "gdg").Replace(widgetCRD)
		installCRD(t, c, gadgets)
		out := mustRun(t, kubeconfig, "enable", "gadgets.example.com", "--federated-group", "federated.example.com", "--wait", "0")
		wantContains(t, out, "customresourcedefinition.apiextensions.k8s.io/federatedgadgets.federated.example.com created",
			"clusterrole.rbac.authorization.k8s.io/kubefed-role:federated:federated.example.com created")
		role := &rbacv1.ClusterRole{}
		if err := c.Get(ctx, client.ObjectKey{Name: AggregatedRoleName("federated.example.com")}, role); err != nil {
			t.Fatal(err)
		}
		if role.Labels[AggregateToControllerLabel] != "true" || len(role.Rules) == 0 || role.Rules[0].APIGroups[0] != "federated.example.com" {
			t.Errorf("ClusterRole %s = labels %v rules %v", role.Name, role.Labels, role.Rules)
		}
	})

	t.Run("enable in another group without the right to grant it says what to create", func(t *testing.T) {
		// A user who may do everything but write RBAC.
		limited := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "no-rbac-writes"}, Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"", "apiextensions.k8s.io", "core.kubefed.io", "types.kubefed.io", "federated.example.org"}, Resources: []string{"*"}, Verbs: []string{"*"}},
			{APIGroups: []string{"rbac.authorization.k8s.io"}, Resources: []string{"*"}, Verbs: []string{"get", "list"}},
			{NonResourceURLs: []string{"*"}, Verbs: []string{"get"}},
		}}
		binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "no-rbac-writes"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: limited.Name},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "operator"}}}
		for _, obj := range []client.Object{limited, binding} {
			if err := c.Create(ctx, obj); err != nil {
				t.Fatal(err)
			}
		}
		kc, err := clientcmd.LoadFromFile(kubeconfig)
		if err != nil {
			t.Fatal(err)
		}
		kc.AuthInfos["admin"].Impersonate = "operator"
		asOperator := filepath.Join(t.TempDir(), "operator.kubeconfig")
		if err := clientcmd.WriteToFile(*kc, asOperator); err != nil {
			t.Fatal(err)
		}
		things := strings.NewReplacer("widgets", "things", "Widget", "Thing", "widget", "thing", "wdg", "thg").Replace(widgetCRD)
		installCRD(t, c, things)
		_, err = run(t, asOperator, "enable", "things.example.com", "--federated-group", "federated.example.org", "--wait", "0")
		if err == nil {
			t.Fatal("enable created the ClusterRole without the right to")
		}
		wantContains(t, err.Error(), "granting the controller access to the federated group federated.example.org",
			"Nothing was created. Create this ClusterRole as a cluster admin", "name: kubefed-role:federated:federated.example.org", AggregateToControllerLabel+`: "true"`)
		if err := c.Get(ctx, client.ObjectKey{Name: "federatedthings.federated.example.org"}, &apiextensionsv1.CustomResourceDefinition{}); !apierrors.IsNotFound(err) {
			t.Errorf("the federated CRD was created although enable failed (get: %v)", err)
		}
	})

	t.Run("federate", func(t *testing.T) {
		if err := c.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "default", Labels: map[string]string{"app": "web"}},
			Data: map[string]string{"k": "v"}}); err != nil {
			t.Fatal(err)
		}
		out, err := run(t, kubeconfig, "federate", "secret", "s", "-n", "default")
		if err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("federating a missing Secret: %v", err)
		}
		if err := c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "default"}, StringData: map[string]string{"a": "b"}}); err != nil {
			t.Fatal(err)
		}
		_, err = run(t, kubeconfig, "federate", "secret", "s", "-n", "default")
		if err == nil || !strings.Contains(err.Error(), "type secrets is not enabled: run 'kubefedctl enable secrets', or pass --enable-type") {
			t.Errorf("federating a Secret of a type not enabled: %v", err)
		}
		out = mustRun(t, kubeconfig, "federate", "cm", "cfg", "-n", "default", "-o", "yaml")
		wantContains(t, out, "kind: FederatedConfigMap", "clusterSelector:", "matchLabels: {}", "app: web", "k: v")
		if strings.Contains(out, "resourceVersion") || strings.Contains(out, "uid:") {
			t.Errorf("the template keeps server-owned metadata:\n%s", out)
		}
		out = mustRun(t, kubeconfig, "federate", "configmaps", "cfg", "-n", "default", "--placement-clusters", "member1,member2")
		wantContains(t, out, `Successfully created FederatedConfigMap "default/cfg" from ConfigMap`)
		fed := &unstructured.Unstructured{}
		fed.SetAPIVersion("types.kubefed.io/v1beta1")
		fed.SetKind("FederatedConfigMap")
		if err := c.Get(ctx, client.ObjectKey{Namespace: "default", Name: "cfg"}, fed); err != nil {
			t.Fatal(err)
		}
		if v, _, _ := unstructured.NestedString(fed.Object, "spec", "template", "data", "k"); v != "v" {
			t.Errorf("template data k = %q", v)
		}
		clusters, _, _ := unstructured.NestedSlice(fed.Object, "spec", "placement", "clusters")
		if len(clusters) != 2 {
			t.Errorf("placement clusters = %v", clusters)
		}
		out = mustRun(t, kubeconfig, "federate", "configmaps", "cfg", "-n", "default")
		wantContains(t, out, `FederatedConfigMap "default/cfg" already exists`)
		out = mustRun(t, kubeconfig, "federate", "secret", "s", "-n", "default", "--enable-type", "--dry-run")
		wantContains(t, out, "(dry run)", "Dry run: nothing was changed")
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "secrets"}, &fedcorev1b1.FederatedTypeConfig{}); !apierrors.IsNotFound(err) {
			t.Errorf("federate --dry-run --enable-type enabled secrets (get: %v)", err)
		}
	})

	t.Run("federate --contents -o yaml with skipped types", func(t *testing.T) {
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}); err != nil {
			t.Fatal(err)
		}
		for _, obj := range []client.Object{
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: "shop"}},
			&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "creds", Namespace: "shop"}},
			&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "shop"}},
		} {
			if err := c.Create(ctx, obj); err != nil {
				t.Fatal(err)
			}
		}
		out := mustRun(t, kubeconfig, "federate", "namespace", "shop", "--contents", "--skip-api-resources", "configmaps,apps", "-o", "yaml")
		wantContains(t, out, "kind: FederatedNamespace", "kind: FederatedSecret", "name: creds")
		for _, unwanted := range []string{"FederatedConfigMap", "FederatedServiceAccount"} {
			if strings.Contains(out, unwanted) {
				t.Errorf("federate --contents printed a %s (skipped or made by the cluster):\n%s", unwanted, out)
			}
		}
		mustRun(t, kubeconfig, "enable", "namespaces", "--wait", "0")
		_, err := run(t, kubeconfig, "federate", "namespace", "shop", "--contents", "-s", "configmaps")
		if err == nil || !strings.Contains(err.Error(), "namespace shop holds objects of types that are not enabled (secrets)") {
			t.Errorf("federate --contents with a type not enabled: %v", err)
		}
	})

	t.Run("federate --filename needs no cluster", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "app.yaml")
		manifest := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: demo\n  uid: 123\nspec:\n  replicas: 2\n---\n" +
			"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n"
		if err := os.WriteFile(file, []byte(manifest), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := NewCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetArgs([]string{"--kubeconfig", filepath.Join(t.TempDir(), "missing"), "federate", "--filename", file, "-o", "yaml"})
		if err := cmd.ExecuteContext(ctx); err != nil {
			t.Fatal(err)
		}
		wantContains(t, out.String(), "kind: FederatedDeployment", "namespace: demo", "replicas: 2", "kind: FederatedNamespace")
		if strings.Contains(out.String(), "uid") {
			t.Errorf("uid kept:\n%s", out.String())
		}
		// KubeFed's "--filename -" reads standard input.
		stdin := NewCommand()
		var fromStdin bytes.Buffer
		stdin.SetOut(&fromStdin)
		stdin.SetIn(strings.NewReader(manifest))
		stdin.SetArgs([]string{"federate", "-f", "-"})
		if err := stdin.ExecuteContext(ctx); err != nil {
			t.Fatal(err)
		}
		if fromStdin.String() != out.String() {
			t.Errorf("federate -f - printed\n%s\nwant\n%s", fromStdin.String(), out.String())
		}
	})

	t.Run("orphaning-deletion", func(t *testing.T) {
		// Without -n, the context's namespace (here none: default), as kubectl.
		wantContains(t, mustRun(t, kubeconfig, "orphaning-deletion", "status", "FederatedConfigMap", "cfg"), "Disabled")
		wantContains(t, mustRun(t, kubeconfig, "orphaning-deletion", "enable", "federatedconfigmaps", "cfg", "-n", "default"), "Orphaning deletion enabled")
		fed := &unstructured.Unstructured{}
		fed.SetAPIVersion("types.kubefed.io/v1beta1")
		fed.SetKind("FederatedConfigMap")
		if err := c.Get(ctx, client.ObjectKey{Namespace: "default", Name: "cfg"}, fed); err != nil {
			t.Fatal(err)
		}
		if fed.GetAnnotations()[fedcorev1b1.OrphanManagedResourcesAnnotation] != "true" {
			t.Errorf("annotations = %v", fed.GetAnnotations())
		}
		// The target type names the federated type too.
		wantContains(t, mustRun(t, kubeconfig, "orphaning-deletion", "status", "configmaps", "cfg", "-n", "default"), "Enabled")
		wantContains(t, mustRun(t, kubeconfig, "orphaning-deletion", "disable", "FederatedConfigMap", "cfg", "-n", "default"), "Orphaning deletion disabled")
		// Without -n, the context's namespace (here none: default), as kubectl.
		wantContains(t, mustRun(t, kubeconfig, "orphaning-deletion", "status", "FederatedConfigMap", "cfg"), "Disabled")
	})

	t.Run("status before the controller wrote any", func(t *testing.T) {
		out, err := run(t, kubeconfig, "status", "configmaps", "cfg", "-n", "default")
		var np *NotPropagatedError
		if !errors.As(err, &np) || np.ExitCode() != 2 {
			t.Fatalf("status of an object without status: error %v, want a NotPropagatedError", err)
		}
		wantContains(t, out, "CLUSTER", "FederatedConfigMap default/cfg: Propagation=Unknown")
	})

	t.Run("disable", func(t *testing.T) {
		_, err := run(t, kubeconfig, "disable", "configmaps", "--delete-crd")
		if err == nil || !strings.Contains(err.Error(), "cannot delete CRD federatedconfigmaps.types.kubefed.io while 1 FederatedConfigMap objects exist (default/cfg)") {
			t.Errorf("disable --delete-crd with objects: %v", err)
		}
		_, err = run(t, kubeconfig, "disable", "nosuchtype.example.com")
		if err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("disable of a type that is not enabled: %v", err)
		}
		// Without a controller manager nothing reports the controller
		// stopped: disable says where to look.
		out, err := run(t, kubeconfig, "disable", "widgets.example.com", "--timeout", "1s")
		wantContains(t, out, `Disabled propagation for FederatedTypeConfig "`+ns+`/widgets.example.com"`)
		if err == nil || !strings.Contains(err.Error(), "check that the controller manager runs") {
			t.Errorf("disable without a controller: %v", err)
		}
		ftc := &fedcorev1b1.FederatedTypeConfig{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "widgets.example.com"}, ftc); err != nil {
			t.Fatal(err)
		}
		if ftc.GetPropagationEnabled() {
			t.Error("propagation still enabled")
		}
		out = mustRun(t, kubeconfig, "enable", "widgets.example.com", "--wait", "0")
		wantContains(t, out, "federatedtypeconfig.core.kubefed.io/widgets.example.com updated in namespace "+ns+": propagation enabled")
	})
}
