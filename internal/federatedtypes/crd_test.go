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

package federatedtypes

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	"sigs.k8s.io/yaml"
)

// validateCRD runs the API server's own static CRD validation, which checks
// that the schema is structural, that defaults are pruned and valid, and that
// every CEL rule compiles and fits the cost budget.
func validateCRD(t *testing.T, crd *apiextensionsv1.CustomResourceDefinition) {
	t.Helper()
	crd = crd.DeepCopy()
	crd.Status.StoredVersions = []string{crd.Spec.Versions[0].Name}
	var internal apiextensions.CustomResourceDefinition
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(crd, &internal, nil); err != nil {
		t.Fatalf("converting %s: %v", crd.Name, err)
	}
	if errs := validation.ValidateCustomResourceDefinition(context.Background(), &internal); len(errs) > 0 {
		for _, err := range errs {
			t.Errorf("%s: %v", crd.Name, err)
		}
	}
}

func TestDefaultCRDsAreValid(t *testing.T) {
	t.Parallel()
	for _, tt := range DefaultTargetTypes() {
		t.Run(tt.CRDName(), func(t *testing.T) {
			t.Parallel()
			validateCRD(t, CRD(tt))
		})
	}
}

// TestGeneratedCRDsAreValid validates every CRD in config/crd/bases, the
// controller-gen ones included, with the API server's validation.
func TestGeneratedCRDsAreValid(t *testing.T) {
	t.Parallel()
	paths := crdBaseFiles(t)
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := yaml.UnmarshalStrict(data, crd); err != nil {
				t.Fatalf("decoding %s: %v", path, err)
			}
			validateCRD(t, crd)
		})
	}
}

func TestDefaultTargetTypes(t *testing.T) {
	t.Parallel()
	types := DefaultTargetTypes()
	if len(types) != 16 {
		t.Errorf("got %d default types, want 16", len(types))
	}
	var names, shortNames []string
	for _, tt := range types {
		names = append(names, tt.FederatedTypeConfigName())
		shortNames = append(shortNames, tt.FederatedShortNames()...)
	}
	if !slices.IsSorted(names) {
		t.Errorf("default types are not sorted by FederatedTypeConfig name: %v", names)
	}
	for _, want := range []string{"namespaces", "configmaps", "secrets", "services", "serviceaccounts",
		"deployments.apps", "replicasets.apps", "daemonsets.apps", "statefulsets.apps", "jobs.batch",
		"cronjobs.batch", "ingresses.networking.k8s.io", "clusterroles.rbac.authorization.k8s.io",
		"clusterrolebindings.rbac.authorization.k8s.io", "roles.rbac.authorization.k8s.io",
		"rolebindings.rbac.authorization.k8s.io"} {
		if !slices.Contains(names, want) {
			t.Errorf("default types lack %s", want)
		}
	}
	sorted := slices.Clone(shortNames)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(shortNames) {
		t.Errorf("short names are not unique: %v", shortNames)
	}
}

// crdShapeCase is a case of TestCRDShape: the target type group/kind and
// what its federated type's CRD must be.
type crdShapeCase struct {
	group, kind   string
	wantName      string
	wantScope     apiextensionsv1.ResourceScope
	wantShort     string
	wantRetain    bool
	wantColumnSet []string
}

var crdShapeCases = []crdShapeCase{
	{
		group: "apps", kind: "Deployment",
		wantName:      "federateddeployments.types.kubefed.io",
		wantScope:     apiextensionsv1.NamespaceScoped,
		wantShort:     "fdeploy",
		wantRetain:    true,
		wantColumnSet: []string{"Ready", "Propagation", "Reason", "Clusters", "Ready-Replicas", "Desired", "Available", "Age"},
	},
	{
		group: "", kind: "Namespace",
		wantName:      "federatednamespaces.types.kubefed.io",
		wantScope:     apiextensionsv1.NamespaceScoped,
		wantShort:     "fns",
		wantColumnSet: []string{"Ready", "Propagation", "Reason", "Clusters", "Age"},
	},
	{
		group: "rbac.authorization.k8s.io", kind: "ClusterRole",
		wantName:      "federatedclusterroles.types.kubefed.io",
		wantScope:     apiextensionsv1.ClusterScoped,
		wantShort:     "fcr",
		wantColumnSet: []string{"Ready", "Propagation", "Reason", "Clusters", "Age"},
	},
	{
		group: "batch", kind: "Job",
		wantName:      "federatedjobs.types.kubefed.io",
		wantScope:     apiextensionsv1.NamespaceScoped,
		wantShort:     "fjob",
		wantColumnSet: []string{"Ready", "Propagation", "Reason", "Clusters", "Active", "Succeeded", "Failed", "Age"},
	},
	{
		group: "apps", kind: "DaemonSet",
		wantName:      "federateddaemonsets.types.kubefed.io",
		wantScope:     apiextensionsv1.NamespaceScoped,
		wantShort:     "fds",
		wantColumnSet: []string{"Ready", "Propagation", "Reason", "Clusters", "Ready-Replicas", "Desired", "Available", "Age"},
	},
}

func TestCRDShape(t *testing.T) {
	t.Parallel()
	for _, tc := range crdShapeCases {
		t.Run(tc.wantName, func(t *testing.T) {
			t.Parallel()
			checkCRDShape(t, tc)
		})
	}
}

// checkCRDShape checks the CRD of tc's target type against tc.
func checkCRDShape(t *testing.T, tc crdShapeCase) {
	crd := CRD(mustLookup(t, tc.group, tc.kind))
	if crd.Name != tc.wantName {
		t.Errorf("name = %s, want %s", crd.Name, tc.wantName)
	}
	if crd.Spec.Scope != tc.wantScope {
		t.Errorf("scope = %s, want %s", crd.Spec.Scope, tc.wantScope)
	}
	if !slices.Contains(crd.Spec.Names.ShortNames, tc.wantShort) {
		t.Errorf("short names = %v, want %s", crd.Spec.Names.ShortNames, tc.wantShort)
	}
	if !slices.Contains(crd.Spec.Names.Categories, "federated") {
		t.Errorf("categories = %v, want federated", crd.Spec.Names.Categories)
	}
	version := crd.Spec.Versions[0]
	if version.Subresources == nil || version.Subresources.Status == nil {
		t.Error("status subresource missing")
	}
	spec := version.Schema.OpenAPIV3Schema.Properties["spec"]
	if _, ok := spec.Properties["retainReplicas"]; ok != tc.wantRetain {
		t.Errorf("retainReplicas present = %v, want %v", ok, tc.wantRetain)
	}
	if tmpl := spec.Properties["template"]; tmpl.XPreserveUnknownFields == nil || !*tmpl.XPreserveUnknownFields {
		t.Error("spec.template does not preserve unknown fields")
	}
	var columns []string
	for _, c := range version.AdditionalPrinterColumns {
		columns = append(columns, c.Name)
	}
	if !slices.Equal(columns, tc.wantColumnSet) {
		t.Errorf("printer columns = %v, want %v", columns, tc.wantColumnSet)
	}
}

func TestFederatedTypeConfig(t *testing.T) {
	t.Parallel()
	ftc := FederatedTypeConfig(mustLookup(t, "networking.k8s.io", "Ingress"))
	if ftc.Name != "ingresses.networking.k8s.io" {
		t.Errorf("name = %s", ftc.Name)
	}
	if got := ftc.Spec.TargetType.GroupQualifiedName(); got != ftc.Name {
		t.Errorf("target type qualified name %s does not match name %s", got, ftc.Name)
	}
	if ftc.Spec.FederatedType.Kind != "FederatedIngress" || ftc.Spec.FederatedType.PluralName != "federatedingresses" ||
		ftc.Spec.FederatedType.Group != "types.kubefed.io" || ftc.Spec.FederatedType.Version != "v1beta1" {
		t.Errorf("federated type = %+v", ftc.Spec.FederatedType)
	}
	if ftc.Spec.StatusCollection != nil {
		t.Errorf("status collection set for Ingress: %v", *ftc.Spec.StatusCollection)
	}
	deploy := FederatedTypeConfig(mustLookup(t, "apps", "Deployment"))
	if !deploy.GetStatusEnabled() {
		t.Error("status collection not enabled for Deployment")
	}
	ns := FederatedTypeConfig(mustLookup(t, "", "Namespace"))
	if ns.Name != "namespaces" || ns.Spec.TargetType.Scope != apiextensionsv1.ClusterScoped ||
		ns.Spec.FederatedType.Scope != apiextensionsv1.NamespaceScoped || !ns.GetFederatedNamespaced() {
		t.Errorf("namespaces FederatedTypeConfig = %+v", ns.Spec)
	}
}

func TestMarshalYAMLIsStable(t *testing.T) {
	t.Parallel()
	target := mustLookup(t, "apps", "Deployment")
	first, err := MarshalYAML(CRD(target))
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, err := MarshalYAML(CRD(target))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatal("two renderings of the same CRD differ")
		}
	}
	text := string(first)
	for _, unwanted := range []string{"creationTimestamp: null", "storedVersions", "acceptedNames"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("rendered CRD contains %s", unwanted)
		}
	}
	if !strings.HasPrefix(text, "---\napiVersion: apiextensions.k8s.io/v1\n") {
		t.Errorf("rendered CRD starts with %q", text[:40])
	}
}

func mustLookup(t *testing.T, group, kind string) TargetType {
	t.Helper()
	target, ok := LookupDefault(group, kind)
	if !ok {
		t.Fatalf("no default type %s/%s", group, kind)
	}
	return target
}

// crdBaseFiles returns the CRD manifests in config/crd/bases, failing the
// test when there are none.
func crdBaseFiles(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "config", "crd", "bases", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("config/crd/bases is empty: run make manifests")
	}
	return paths
}

// TestCRDKustomization checks that config/crd/kustomization.yaml lists
// exactly the CRDs in config/crd/bases.
func TestCRDKustomization(t *testing.T) {
	t.Parallel()
	paths := crdBaseFiles(t)
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "crd", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range paths {
		want = append(want, "bases/"+filepath.Base(p))
	}
	got := slices.Clone(k.Resources)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("config/crd/kustomization.yaml lists %v, want %v", got, want)
	}
}

// TestOverrideOpHasNoDefault checks that spec.overrides[].clusterOverrides[].op
// is declared as KubeFed v0.10's federated CRDs declare it: a string without a
// default, so that an override stored without op is served without op (and
// hashes as KubeFed hashed it). Unknown ops are refused by a CEL rule that
// accepts exactly what KubeFed's pattern ^(add|remove|replace)?$ accepts.
func TestOverrideOpHasNoDefault(t *testing.T) {
	t.Parallel()
	for _, tt := range DefaultTargetTypes() {
		crd := CRD(tt)
		spec := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
		overrides, ok := spec.Properties["overrides"]
		if !ok {
			t.Fatalf("%s: no spec.overrides", crd.Name)
		}
		item := overrides.Items.Schema.Properties["clusterOverrides"].Items.Schema
		op, ok := item.Properties["op"]
		if !ok {
			t.Fatalf("%s: no op in clusterOverrides", crd.Name)
		}
		if op.Default != nil {
			t.Errorf("%s: op has default %s; KubeFed's CRDs have none", crd.Name, op.Default.Raw)
		}
		if op.Type != "string" {
			t.Errorf("%s: op type = %q, want string", crd.Name, op.Type)
		}
		if slices.Contains(item.Required, "op") {
			t.Errorf("%s: op is required; KubeFed accepts an override without op", crd.Name)
		}
		if len(op.XValidations) != 1 || op.XValidations[0].Rule != `self in ['', 'add', 'remove', 'replace']` {
			t.Errorf("%s: op validations = %+v, want the rule accepting '', add, remove, replace", crd.Name, op.XValidations)
		}
	}
}
