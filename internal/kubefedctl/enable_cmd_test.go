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

package kubefedctl_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/federatedtypes"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
)

// testEnableCRD enables a CRD: the federated CRD's template takes its
// schema, and the placement keeps the default types' CEL validation.
func testEnableCRD(t *testing.T, e *cmdEnv) {
	c := e.c
	out := e.mustRun(t, "enable", "widgets.example.com", "--wait", "0")
	kubefedctltest.WantContains(t, out, "customresourcedefinition.apiextensions.k8s.io/federatedwidgets.types.kubefed.io created",
		"federatedtypeconfig.core.kubefed.io/widgets.example.com created in namespace "+ns)
	ftc := getFTC(t, c, "widgets.example.com")
	if ftc.Spec.FederatedType.Kind != "FederatedWidget" || ftc.Spec.TargetType.Group != "example.com" || !ftc.GetPropagationEnabled() {
		t.Errorf("FederatedTypeConfig spec = %+v", ftc.Spec)
	}
	valid := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedWidget", "metadata": {"name": "ok", "namespace": "default"},
		"spec": {"template": {"spec": {"size": 2, "style": {"color": "red", "layers": [{"name": "a"}]}}}, "placement": {"clusters": [{"name": "member1"}]}}}`
	if err := kubefedctltest.Create(t, c, valid); err != nil {
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
		err := kubefedctltest.Create(t, c, bad)
		if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("template %s: error %v, want Invalid naming %s", tc.template, err, tc.want)
		}
	}
	// The placement's CEL validation is the default types'.
	badPlacement := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedWidget", "metadata": {"name": "bad", "namespace": "default"},
		"spec": {"template": {"spec": {"size": 1}}, "placement": {"clusters": [{"name": "Not_A_Cluster"}]}}}`
	if err := kubefedctltest.Create(t, c, badPlacement); err == nil || !strings.Contains(err.Error(), "is not a valid cluster name") {
		t.Errorf("an invalid placement: error %v, want the CEL message", err)
	}
}

// getFTC reads the FederatedTypeConfig name in the control plane's
// namespace.
func getFTC(t *testing.T, c client.Client, name string) *fedcorev1b1.FederatedTypeConfig {
	t.Helper()
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	if err := c.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: name}, ftc); err != nil {
		t.Fatal(err)
	}
	return ftc
}

// getCRD reads the CustomResourceDefinition name.
func getCRD(t *testing.T, c client.Client, name string) *apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := c.Get(t.Context(), client.ObjectKey{Name: name}, crd); err != nil {
		t.Fatalf("reading CustomResourceDefinition %s: %v", name, err)
	}
	return crd
}

// testEnableAgain enables an enabled type again: nothing is written.
func testEnableAgain(t *testing.T, e *cmdEnv) {
	c := e.c
	crd := getCRD(t, c, "federatedwidgets.types.kubefed.io")
	out := e.mustRun(t, "enable", "Widget", "--wait", "0")
	kubefedctltest.WantContains(t, out, "Type widgets.example.com is already enabled: nothing changed.")
	if after := getCRD(t, c, crd.Name); after.ResourceVersion != crd.ResourceVersion {
		t.Error("enable of an enabled type rewrote its CRD")
	}
}

// testEnableBuiltin enables built-in kinds, whose schema comes from the API
// server's OpenAPI.
func testEnableBuiltin(t *testing.T, e *cmdEnv) {
	c := e.c
	for _, name := range []string{"poddisruptionbudgets.policy", "networkpolicy", "deployments.apps"} {
		out := e.mustRun(t, "enable", name, "--wait", "0")
		kubefedctltest.WantContains(t, out, "created")
	}
	bad := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedPodDisruptionBudget", "metadata": {"name": "bad", "namespace": "default"},
		"spec": {"template": {"spec": {"selector": "app=web"}}}}`
	if err := kubefedctltest.Create(t, c, bad); !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.template.spec.selector") {
		t.Errorf("a PodDisruptionBudget template with a string selector: error %v, want Invalid", err)
	}
	good := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedPodDisruptionBudget", "metadata": {"name": "web", "namespace": "default"},
		"spec": {"template": {"metadata": {"labels": {"a": "b"}}, "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}}}}}}`
	if err := kubefedctltest.Create(t, c, good); err != nil {
		t.Errorf("a valid FederatedPodDisruptionBudget was refused: %v", err)
	}
	badDeploy := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedDeployment", "metadata": {"name": "bad", "namespace": "default"},
		"spec": {"template": {"spec": {"replicas": "three", "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}}}`
	if err := kubefedctltest.Create(t, c, badDeploy); !apierrors.IsInvalid(err) {
		t.Errorf("a Deployment template with string replicas: error %v, want Invalid", err)
	}
}

// testEnableOutput prints the manifests (-o yaml, -f) and runs --dry-run:
// nothing is created.
func testEnableOutput(t *testing.T, e *cmdEnv) {
	c := e.c
	ctx := t.Context()
	out := e.mustRun(t, "enable", "secrets", "-o", "yaml")
	kubefedctltest.WantContains(t, out, "kind: CustomResourceDefinition", "name: federatedsecrets.types.kubefed.io", "kind: FederatedTypeConfig", "name: secrets")
	if err := c.Get(ctx, client.ObjectKey{Name: "federatedsecrets.types.kubefed.io"}, &apiextensionsv1.CustomResourceDefinition{}); !apierrors.IsNotFound(err) {
		t.Errorf("enable -o yaml created the CRD (get: %v)", err)
	}
	file := filepath.Join(t.TempDir(), "secrets.yaml")
	e.mustRun(t, "enable", "secrets", "-o", "yaml", "-f", file)
	data, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(data), "kind: FederatedTypeConfig") {
		t.Errorf("enable -o yaml -f wrote %q (%v)", data, err)
	}
	// KubeFed's EnableTypeDirective file.
	directive := filepath.Join(t.TempDir(), "directive.yaml")
	if err := os.WriteFile(directive, []byte("apiVersion: core.kubefed.io/v1beta1\nkind: EnableTypeDirective\nmetadata:\n  name: secrets\nspec:\n  federatedVersion: v1beta1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	kubefedctltest.WantContains(t, e.mustRun(t, "--dry-run", "enable", "-f", directive), "federatedtypeconfig.core.kubefed.io/secrets created in namespace "+ns+" (dry run)")
	e.mustRun(t, "--dry-run", "enable", "secrets")
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "secrets"}, &fedcorev1b1.FederatedTypeConfig{}); !apierrors.IsNotFound(err) {
		t.Errorf("enable --dry-run created the FederatedTypeConfig (get: %v)", err)
	}
}

// testEnableUpgrade enables a type whose federated CRD KubeFed made: its
// status schema is upgraded.
func testEnableUpgrade(t *testing.T, e *cmdEnv) {
	c := e.c
	ctx := t.Context()
	target, _ := federatedtypes.LookupDefault("", "ConfigMap")
	old := federatedtypes.CRD(target)
	status := old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"]
	delete(status.Properties, "aggregatedStatus")
	delete(status.Properties["clusters"].Items.Schema.Properties, "message")
	old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"] = status
	// KubeFed's CRDs have no spec.rollout and no printer columns.
	spec := old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
	delete(spec.Properties, "rollout")
	old.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"] = spec
	old.Spec.Versions[0].AdditionalPrinterColumns = nil
	if err := c.Create(ctx, old); err != nil {
		t.Fatal(err)
	}
	out := e.mustRun(t, "enable", "configmaps", "--wait", "0")
	kubefedctltest.WantContains(t, out, "customresourcedefinition.apiextensions.k8s.io/federatedconfigmaps.types.kubefed.io updated: status schema upgraded", "spec.rollout; the READY column")
	crd := getCRD(t, c, old.Name)
	if !federatedtypes.StatusSchemaCurrent(crd) {
		t.Error("the status schema was not upgraded")
	}
	v := crd.Spec.Versions[0]
	if _, ok := v.Schema.OpenAPIV3Schema.Properties["spec"].Properties["rollout"]; !ok {
		t.Error("spec.rollout was not added to the schema")
	}
	if !slices.ContainsFunc(v.AdditionalPrinterColumns, func(c apiextensionsv1.CustomResourceColumnDefinition) bool { return c.Name == "Ready" }) {
		t.Errorf("no Ready printer column after the upgrade: %+v", v.AdditionalPrinterColumns)
	}
}

// testEnableFederatedGroup enables a type into another federated group: the
// controller is granted access through an aggregated ClusterRole.
func testEnableFederatedGroup(t *testing.T, e *cmdEnv) {
	c := e.c
	ctx := t.Context()
	_, err := e.run(t, "enable", "widgets.example.com", "--federated-group", "federated.example.com", "--wait", "0")
	if err == nil || !strings.Contains(err.Error(), "changing it to federatedwidgets.federated.example.com/v1beta1 is not supported: run 'kubefedctl disable widgets.example.com --delete-crd' first") {
		t.Errorf("changing the federated group of an enabled type: %v", err)
	}
	kubefedctltest.InstallCRD(t, c, kubefedctltest.ExampleCRD("Gadget", "gdg"))
	out := e.mustRun(t, "enable", "gadgets.example.com", "--federated-group", "federated.example.com", "--wait", "0")
	kubefedctltest.WantContains(t, out, "customresourcedefinition.apiextensions.k8s.io/federatedgadgets.federated.example.com created",
		"clusterrole.rbac.authorization.k8s.io/kubefed-role:federated:federated.example.com created")
	role := &rbacv1.ClusterRole{}
	if err := c.Get(ctx, client.ObjectKey{Name: kubefedctl.AggregatedRoleName("federated.example.com")}, role); err != nil {
		t.Fatal(err)
	}
	if role.Labels[kubefedctl.AggregateToControllerLabel] != "true" || len(role.Rules) == 0 || role.Rules[0].APIGroups[0] != "federated.example.com" {
		t.Errorf("ClusterRole %s = labels %v rules %v", role.Name, role.Labels, role.Rules)
	}
}

// testEnableWithoutRBAC enables into another group as a user who may not
// write RBAC: nothing is created, and the error names the ClusterRole to
// create.
func testEnableWithoutRBAC(t *testing.T, e *cmdEnv) {
	c := e.c
	ctx := t.Context()
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
	kc, err := clientcmd.LoadFromFile(e.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	kc.AuthInfos["admin"].Impersonate = "operator"
	asOperator := filepath.Join(t.TempDir(), "operator.kubeconfig")
	if err := clientcmd.WriteToFile(*kc, asOperator); err != nil {
		t.Fatal(err)
	}
	kubefedctltest.InstallCRD(t, c, kubefedctltest.ExampleCRD("Thing", "thg"))
	_, err = kubefedctltest.Run(t, asOperator, "enable", "things.example.com", "--federated-group", "federated.example.org", "--wait", "0")
	if err == nil {
		t.Fatal("enable created the ClusterRole without the right to")
	}
	kubefedctltest.WantContains(t, err.Error(), "granting the controller access to the federated group federated.example.org",
		"Nothing was created. Create this ClusterRole as a cluster admin", "name: kubefed-role:federated:federated.example.org", kubefedctl.AggregateToControllerLabel+`: "true"`)
	if err := c.Get(ctx, client.ObjectKey{Name: "federatedthings.federated.example.org"}, &apiextensionsv1.CustomResourceDefinition{}); !apierrors.IsNotFound(err) {
		t.Errorf("the federated CRD was created although enable failed (get: %v)", err)
	}
}

// The health rules the tests set: a Ready and a Synced condition.
const (
	readyWhen  = "self.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')"
	failedWhen = "self.status.conditions.exists(c, c.type == 'Synced' && c.status == 'False')"
)

// testEnableHealthRules sets a type's health rules with --ready-when and
// --failed-when: invalid expressions are refused before anything is
// written, valid ones land in spec.health of a new or an enabled type, and
// the API server refuses a health without rules.
func testEnableHealthRules(t *testing.T, e *cmdEnv) {
	healthRulesOfNewType(t, e)
	ftc := healthRulesOfEnabledType(t, e)

	// -o yaml prints them.
	out := e.mustRun(t, "enable", "secrets", "-o", "yaml", "--ready-when", "has(self.data)")
	kubefedctltest.WantContains(t, out, "health:", "readyWhen: has(self.data)")

	// The schema: health needs a rule, and a rule is not empty.
	for _, tc := range []struct {
		health *fedcorev1b1.HealthRules
		want   string
	}{
		{&fedcorev1b1.HealthRules{}, "health needs readyWhen, failedWhen or both: remove health to use the generic readiness rules"},
		{&fedcorev1b1.HealthRules{ReadyWhen: strings.Repeat("x", 4097)}, "spec.health.readyWhen: Too long: may not be more than 4096 bytes"},
	} {
		bad := ftc.DeepCopy()
		bad.Spec.Health = tc.health
		if err := e.c.Update(t.Context(), bad); !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("spec.health %+v: error %v, want Invalid with %q", tc.health, err, tc.want)
		}
	}
}

// healthRulesOfNewType enables a type with --ready-when and --failed-when:
// an invalid expression is refused before anything is written.
func healthRulesOfNewType(t *testing.T, e *cmdEnv) {
	kubefedctltest.InstallCRD(t, e.c, kubefedctltest.ExampleCRD("Sprocket", "spr"))
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--ready-when", "self.status.phase == 'Ready' &&"}, []string{"invalid --ready-when: spec.health.readyWhen is not a valid CEL expression returning a bool", "Syntax error", "Nothing was changed"}},
		{[]string{"--failed-when", "size(self.status.conditions)"}, []string{"invalid --failed-when: spec.health.failedWhen must return a bool", "returns int"}},
		{[]string{"--ready-when", "object.status.ready"}, []string{"invalid --ready-when", "undeclared reference to 'object'"}},
		{[]string{"--ready-when", readyWhen, "--failed-when", "self.status.phase"}, nil},
	} {
		args := append([]string{"enable", "sprockets.example.com", "--wait", "0"}, tc.args...)
		out, err := e.run(t, args...)
		if tc.want == nil {
			// A dyn expression compiles: whether it is a bool is
			// known only on a copy.
			if err != nil {
				t.Fatalf("enable %v: %v", tc.args, err)
			}
			kubefedctltest.WantContains(t, out, "federatedtypeconfig.core.kubefed.io/sprockets.example.com created")
			continue
		}
		if err == nil {
			t.Fatalf("enable %v succeeded: %s", tc.args, out)
		}
		kubefedctltest.WantContains(t, err.Error(), tc.want...)
		if err := e.c.Get(t.Context(), client.ObjectKey{Name: "federatedsprockets.types.kubefed.io"}, &apiextensionsv1.CustomResourceDefinition{}); !apierrors.IsNotFound(err) {
			t.Errorf("enable %v failed but created the federated CRD (get: %v)", tc.args, err)
		}
	}
	if h := getFTC(t, e.c, "sprockets.example.com").Spec.Health; h == nil || h.ReadyWhen != readyWhen || h.FailedWhen != "self.status.phase" {
		t.Errorf("created FederatedTypeConfig spec.health = %+v", h)
	}
}

// healthRulesOfEnabledType: an enabled type gets the rules on enable
// again, and keeps them on an enable without the flags. It returns the
// type's FederatedTypeConfig.
func healthRulesOfEnabledType(t *testing.T, e *cmdEnv) *fedcorev1b1.FederatedTypeConfig {
	out := e.mustRun(t, "enable", "widgets.example.com", "--wait", "0", "--ready-when", readyWhen, "--failed-when", failedWhen)
	kubefedctltest.WantContains(t, out, "federatedtypeconfig.core.kubefed.io/widgets.example.com updated in namespace "+ns+": health rules set")
	want := fedcorev1b1.HealthRules{ReadyWhen: readyWhen, FailedWhen: failedWhen}
	if ftc := getFTC(t, e.c, "widgets.example.com"); ftc.Spec.Health == nil || *ftc.Spec.Health != want {
		t.Errorf("widgets spec.health = %+v, want %+v", ftc.Spec.Health, want)
	}
	kubefedctltest.WantContains(t, e.mustRun(t, "enable", "widgets.example.com", "--wait", "0", "--ready-when", readyWhen, "--failed-when", failedWhen),
		"Type widgets.example.com is already enabled: nothing changed.")
	kubefedctltest.WantContains(t, e.mustRun(t, "enable", "widgets.example.com", "--wait", "0"), "Type widgets.example.com is already enabled: nothing changed.")
	ftc := getFTC(t, e.c, "widgets.example.com")
	if ftc.Spec.Health == nil || *ftc.Spec.Health != want {
		t.Errorf("after enable without flags: widgets spec.health = %+v, want %+v", ftc.Spec.Health, want)
	}
	return ftc
}
