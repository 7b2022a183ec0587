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
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/federatedtypes"
)

// AggregateToControllerLabel, set to "true" on a ClusterRole, adds the
// role's rules to the chart's aggregated ClusterRole of the controller
// manager. enable --federated-group uses it to grant the controller access
// to a federated group other than types.kubefed.io.
const AggregateToControllerLabel = "kubefed.io/aggregate-to-controller"

// DefaultControllerWait is how long enable waits for the sync controller
// of a newly enabled type to report that it runs.
const DefaultControllerWait = 30 * time.Second

// EnableOptions configure Enable.
type EnableOptions struct {
	// TypeName designates the target type: kind, plural, singular or short
	// name, optionally group-qualified, or a CRD name.
	TypeName string
	// TargetVersion selects a version of the target type other than the
	// preferred one.
	TargetVersion string
	// FederatedGroup and FederatedVersion name the federated type's group
	// and version; types.kubefed.io and v1beta1 when empty.
	FederatedGroup, FederatedVersion string
	// HostConfig connects to the host cluster.
	HostConfig *rest.Config
	// KubeFedNamespace is the control plane's namespace.
	KubeFedNamespace string
	// Output, yaml or json, prints the CRD and FederatedTypeConfig instead
	// of creating them.
	Output string
	// DryRun checks everything with the API server (server-side dry run)
	// and changes nothing.
	DryRun bool
	// ControllerWait bounds the wait for the type's sync controller to run;
	// zero does not wait.
	ControllerWait time.Duration
	// Out receives the progress lines (or the manifests with Output).
	Out io.Writer
	// Verbosity above 0 prints more detail.
	Verbosity int
}

// EnableTypeDirective is KubeFed's file format for enable -f: the target
// type's name and the federated type's settings.
type EnableTypeDirective struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              struct {
		TargetVersion    string `json:"targetVersion,omitempty"`
		FederatedGroup   string `json:"federatedGroup,omitempty"`
		FederatedVersion string `json:"federatedVersion,omitempty"`
	} `json:"spec,omitempty"`
}

// ReadEnableTypeDirective reads an EnableTypeDirective file into opts.
func ReadEnableTypeDirective(path string, opts *EnableOptions) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	var d EnableTypeDirective
	if err := yaml.UnmarshalStrict(data, &d); err != nil {
		return fmt.Errorf("%s is not an EnableTypeDirective (metadata.name: the type, spec: targetVersion, federatedGroup, federatedVersion): %w", path, err)
	}
	if d.Name == "" {
		return fmt.Errorf("%s: metadata.name must name the type to enable", path)
	}
	opts.TypeName = d.Name
	opts.TargetVersion = d.Spec.TargetVersion
	opts.FederatedGroup = d.Spec.FederatedGroup
	opts.FederatedVersion = d.Spec.FederatedVersion
	return nil
}

// EnabledType is what Enable built for a type.
type EnabledType struct {
	// Target is the resolved target type.
	Target APIResource
	// CRD is the federated type's CustomResourceDefinition.
	CRD *apiextensionsv1.CustomResourceDefinition
	// TypeConfig is the FederatedTypeConfig, in the control-plane
	// namespace.
	TypeConfig *fedcorev1b1.FederatedTypeConfig
}

// buildEnabledType resolves the type and builds its federated CRD (with the
// target's schema as the template's) and FederatedTypeConfig, without
// changing anything.
func buildEnabledType(ctx context.Context, opts EnableOptions, p *printer) (*EnabledType, error) {
	target, err := LookupAPIResource(opts.HostConfig, opts.TypeName, opts.TargetVersion)
	if err != nil {
		return nil, err
	}
	p.v(1, "Found type %s (%s)", target.QualifiedName(), target.GroupVersionKind())
	t := targetTypeOf(target)
	t.FederatedGroup, t.FederatedVersion = opts.FederatedGroup, opts.FederatedVersion
	if t.FederatedGroupName() == fedtypesv1b1.GroupVersion.Group && t.FederatedVersionName() != fedtypesv1b1.GroupVersion.Version {
		return nil, fmt.Errorf("the control plane serves %s in version %s only: drop --federated-version, or use it with --federated-group",
			fedtypesv1b1.GroupVersion.Group, fedtypesv1b1.GroupVersion.Version)
	}
	schema, source, err := templateSchema(ctx, opts.HostConfig, target)
	if err != nil {
		return nil, err
	}
	p.v(1, "Template schema of %s from %s", target.QualifiedName(), source)
	t.TemplateSchema = schema
	if !t.HasReplicas && schema != nil {
		if spec, ok := schema.Properties["spec"]; ok {
			_, t.HasReplicas = spec.Properties["replicas"]
		}
	}
	ftc := federatedtypes.FederatedTypeConfig(t)
	ftc.Namespace = namespaceOrDefault(opts.KubeFedNamespace)
	return &EnabledType{Target: target, CRD: federatedtypes.CRD(t), TypeConfig: ftc}, nil
}

// templateSchema returns the target's own schema for spec.template: the
// schema of its CRD in the host, or the API server's OpenAPI v3 schema of a
// built-in kind.
func templateSchema(ctx context.Context, cfg *rest.Config, target APIResource) (*apiextensionsv1.JSONSchemaProps, string, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, "", err
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	err = c.Get(ctx, client.ObjectKey{Name: target.Plural + "." + target.Group}, crd)
	switch {
	case err == nil:
		for _, v := range crd.Spec.Versions {
			if v.Name == target.Version && v.Schema != nil {
				return federatedtypes.TemplateSchemaFromCRD(v.Schema.OpenAPIV3Schema), "CRD " + crd.Name, nil
			}
		}
		return nil, "", fmt.Errorf("CRD %s has no schema for version %s: give the version a schema, or enable another one with --version", crd.Name, target.Version)
	case !apierrors.IsNotFound(err) && target.Group != "":
		return nil, "", fmt.Errorf("reading CRD %s.%s in the host cluster: %w", target.Plural, target.Group, err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, "", err
	}
	path := "/openapi/v3/apis/" + target.Group + "/" + target.Version
	if target.Group == "" {
		path = "/openapi/v3/api/" + target.Version
	}
	doc, err := dc.RESTClient().Get().AbsPath(path).SetHeader("Accept", "application/json").Do(ctx).Raw()
	if err != nil {
		return nil, "", fmt.Errorf("reading the OpenAPI v3 schema of %s from the host cluster (%s): %w", target.QualifiedName(), path, err)
	}
	schema, err := federatedtypes.TemplateSchemaFromOpenAPI(doc, target.Group, target.Version, target.Kind)
	if err != nil {
		return nil, "", err
	}
	return schema, "the API server's OpenAPI v3 (" + path + ")", nil
}

func namespaceOrDefault(ns string) string {
	if ns == "" {
		return fedcorev1b1.DefaultKubeFedSystemNamespace
	}
	return ns
}

// Enable makes a type federatable: it creates (or upgrades) the federated
// type's CRD, grants the controller access to a federated group other than
// types.kubefed.io, creates (or re-enables) the FederatedTypeConfig and
// waits until the type's sync controller runs. Enabling an enabled type
// changes nothing.
func Enable(ctx context.Context, opts EnableOptions) (*EnabledType, error) {
	p := newPrinter(opts.Out, opts.Verbosity)
	opts.KubeFedNamespace = namespaceOrDefault(opts.KubeFedNamespace)
	et, err := buildEnabledType(ctx, opts, p)
	if err != nil {
		return nil, err
	}
	if opts.Output != "" {
		return et, writeManifests(opts.Out, opts.Output, et.TypeConfig, et.CRD)
	}
	c, err := newClient(opts.HostConfig)
	if err != nil {
		return nil, err
	}
	e := &enabler{opts: opts, p: p, c: c, et: et}
	return et, e.run(ctx)
}

type enabler struct {
	opts    EnableOptions
	p       *printer
	c       client.Client
	et      *EnabledType
	changed bool
}

func (e *enabler) createOpts() []client.CreateOption {
	if e.opts.DryRun {
		return []client.CreateOption{client.DryRunAll}
	}
	return nil
}

func (e *enabler) updateOpts() []client.UpdateOption {
	if e.opts.DryRun {
		return []client.UpdateOption{client.DryRunAll}
	}
	return nil
}

func (e *enabler) suffix() string {
	if e.opts.DryRun {
		return " (dry run)"
	}
	return ""
}

func (e *enabler) run(ctx context.Context) error {
	ns := e.opts.KubeFedNamespace
	ftcName := e.et.TypeConfig.Name
	if err := e.c.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{}); err != nil {
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("the KubeFed namespace %s does not exist in the host cluster: install the control plane (helm install kubefed ... --namespace %s), or name its namespace with --kubefed-namespace", ns, ns)
		}
		return fmt.Errorf("reading namespace %s in the host cluster: %w", ns, err)
	}
	existing := &fedcorev1b1.FederatedTypeConfig{}
	err := e.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: ftcName}, existing)
	switch {
	case apierrors.IsNotFound(err):
		existing = nil
	case err != nil:
		return fmt.Errorf("reading FederatedTypeConfig %s/%s in the host cluster: %w", ns, ftcName, err)
	default:
		if got, want := existing.Spec.FederatedType, e.et.TypeConfig.Spec.FederatedType; got.Group != want.Group || got.Version != want.Version || got.PluralName != want.PluralName {
			return fmt.Errorf("type %s is already enabled with federated type %s.%s/%s; changing it to %s.%s/%s is not supported: run 'kubefedctl disable %s --delete-crd' first",
				ftcName, got.PluralName, got.Group, got.Version, want.PluralName, want.Group, want.Version, ftcName)
		}
	}
	// RBAC first: without it the type could not be served, and nothing
	// else is written.
	if err := e.ensureRBAC(ctx); err != nil {
		return err
	}
	if err := e.ensureCRD(ctx); err != nil {
		return err
	}
	if err := e.ensureTypeConfig(ctx, existing); err != nil {
		return err
	}
	switch {
	case e.opts.DryRun:
		e.p.line("Dry run: nothing was changed. Run the command again without --dry-run to enable %s.", ftcName)
		return nil
	case !e.changed:
		e.p.line("Type %s is already enabled: nothing changed.", ftcName)
	}
	return e.waitRunning(ctx)
}

// ensureCRD creates the federated CRD, or upgrades the status schema of an
// existing one that lacks the fields the sync controller writes.
func (e *enabler) ensureCRD(ctx context.Context) error {
	want := e.et.CRD
	existing := &apiextensionsv1.CustomResourceDefinition{}
	err := e.c.Get(ctx, client.ObjectKey{Name: want.Name}, existing)
	if err == nil && existing.DeletionTimestamp != nil && !e.opts.DryRun {
		// A disable --delete-crd just before: create it anew once gone.
		if err := waitCRDGone(ctx, e.c, want.Name, e.p); err != nil {
			return err
		}
		err = e.c.Get(ctx, client.ObjectKey{Name: want.Name}, existing)
	}
	switch {
	case apierrors.IsNotFound(err):
		if err := e.c.Create(ctx, want.DeepCopy(), e.createOpts()...); err != nil {
			return fmt.Errorf("creating CRD %s in the host cluster: %w", want.Name, err)
		}
		e.p.line("customresourcedefinition.apiextensions.k8s.io/%s created%s", want.Name, e.suffix())
		e.changed = true
	case err != nil:
		return fmt.Errorf("reading CRD %s in the host cluster: %w", want.Name, err)
	default:
		if err := e.checkCRDOwner(ctx, existing); err != nil {
			return err
		}
		if !federatedtypes.UpgradeStatusSchema(existing) {
			e.p.v(1, "customresourcedefinition.apiextensions.k8s.io/%s unchanged", want.Name)
			break
		}
		if err := e.c.Update(ctx, existing, e.updateOpts()...); err != nil {
			return fmt.Errorf("upgrading the status schema of CRD %s in the host cluster: %w", want.Name, err)
		}
		e.p.line("customresourcedefinition.apiextensions.k8s.io/%s updated: status schema upgraded (status.aggregatedStatus, status.clusters[].message)%s", want.Name, e.suffix())
		e.changed = true
	}
	if e.opts.DryRun {
		return nil
	}
	return waitEstablished(ctx, e.c, want.Name, e.p)
}

// checkCRDOwner refuses a CRD that another FederatedTypeConfig uses for a
// different target type (two kinds with the same plural).
func (e *enabler) checkCRDOwner(ctx context.Context, crd *apiextensionsv1.CustomResourceDefinition) error {
	var list fedcorev1b1.FederatedTypeConfigList
	if err := e.c.List(ctx, &list, client.InNamespace(e.opts.KubeFedNamespace)); err != nil {
		return fmt.Errorf("listing FederatedTypeConfigs in %s: %w", e.opts.KubeFedNamespace, err)
	}
	for _, ftc := range list.Items {
		if ftc.Name == e.et.TypeConfig.Name {
			continue
		}
		if ftc.Spec.FederatedType.PluralName+"."+ftc.Spec.FederatedType.Group == crd.Name {
			return fmt.Errorf("cannot enable %s: FederatedTypeConfig %s already uses the federated type CRD %s; if the two types differ, enable %s with --federated-group <another group>",
				e.et.TypeConfig.Name, ftc.Name, crd.Name, e.et.TypeConfig.Name)
		}
	}
	return nil
}

// waitEstablished waits until the API server serves a CRD.
func waitEstablished(ctx context.Context, c client.Client, name string, p *printer) error {
	established := func(ctx context.Context) (bool, error) {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := c.Get(ctx, client.ObjectKey{Name: name}, crd); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		for _, cond := range crd.Status.Conditions {
			if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	}
	if ok, _ := established(ctx); ok {
		return nil
	}
	p.line("Waiting for CRD %s to be established...", name)
	if err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, established); err != nil {
		return fmt.Errorf("CRD %s was not established within a minute: check its status with 'kubectl get crd %s -o yaml'", name, name)
	}
	return nil
}

// AggregatedRoleName is the name of the ClusterRole that enable creates to
// grant the controller access to a federated group other than
// types.kubefed.io.
func AggregatedRoleName(group string) string {
	return "kubefed-role:federated:" + group
}

// ensureRBAC grants the controller access to a federated group other than
// types.kubefed.io, through a ClusterRole that the chart's aggregated role
// picks up; without the rights to create it, it says what to create.
func (e *enabler) ensureRBAC(ctx context.Context) error {
	group := e.et.TypeConfig.Spec.FederatedType.Group
	if group == fedtypesv1b1.GroupVersion.Group {
		return nil
	}
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: AggregatedRoleName(group), Labels: map[string]string{AggregateToControllerLabel: "true"}},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{group}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch", "update", "patch"}},
			{APIGroups: []string{group}, Resources: []string{"*/status"}, Verbs: []string{"get", "update", "patch"}},
			{APIGroups: []string{group}, Resources: []string{"*/finalizers"}, Verbs: []string{"update"}},
		},
	}
	existing := &rbacv1.ClusterRole{}
	err := e.c.Get(ctx, client.ObjectKeyFromObject(role), existing)
	switch {
	case err == nil && equality.Semantic.DeepEqual(existing.Rules, role.Rules) && existing.Labels[AggregateToControllerLabel] == "true":
		e.p.v(1, "clusterrole.rbac.authorization.k8s.io/%s unchanged", role.Name)
		return nil
	case err == nil:
		existing.Rules = role.Rules
		if existing.Labels == nil {
			existing.Labels = map[string]string{}
		}
		existing.Labels[AggregateToControllerLabel] = "true"
		err = e.c.Update(ctx, existing, e.updateOpts()...)
	case apierrors.IsNotFound(err):
		err = e.c.Create(ctx, role, e.createOpts()...)
	}
	if err != nil {
		data, _ := yaml.Marshal(role)
		return fmt.Errorf("granting the controller access to the federated group %s: %w. Nothing was created. Create this ClusterRole as a cluster admin (the chart's aggregated ClusterRole picks it up by its label), then run enable again:\n%s", group, err, data)
	}
	e.p.line("clusterrole.rbac.authorization.k8s.io/%s created: the controller manager may now serve the federated group %s (label %s=true aggregates it into the chart's ClusterRole)%s",
		role.Name, group, AggregateToControllerLabel, e.suffix())
	e.changed = true
	return nil
}

// ensureTypeConfig creates the FederatedTypeConfig, or enables propagation
// of an existing one.
func (e *enabler) ensureTypeConfig(ctx context.Context, existing *fedcorev1b1.FederatedTypeConfig) error {
	ftc := e.et.TypeConfig
	ns := e.opts.KubeFedNamespace
	if existing == nil {
		if err := e.c.Create(ctx, ftc.DeepCopy(), e.createOpts()...); err != nil {
			return fmt.Errorf("creating FederatedTypeConfig %s/%s in the host cluster: %w", ns, ftc.Name, err)
		}
		e.p.line("federatedtypeconfig.core.kubefed.io/%s created in namespace %s%s", ftc.Name, ns, e.suffix())
		e.changed = true
		return nil
	}
	if existing.GetPropagationEnabled() {
		e.p.v(1, "federatedtypeconfig.core.kubefed.io/%s unchanged", ftc.Name)
		return nil
	}
	existing.Spec.Propagation = fedcorev1b1.PropagationEnabled
	if err := e.c.Update(ctx, existing, e.updateOpts()...); err != nil {
		return fmt.Errorf("enabling propagation of FederatedTypeConfig %s/%s: %w", ns, ftc.Name, err)
	}
	e.p.line("federatedtypeconfig.core.kubefed.io/%s updated in namespace %s: propagation enabled%s", ftc.Name, ns, e.suffix())
	e.changed = true
	return nil
}

// waitRunning waits until the FederatedTypeConfig reports its sync
// controller Running; a controller that does not report it in time is a
// warning with the place to look, not a failure (the controller manager may
// be down, the type is enabled all the same).
func (e *enabler) waitRunning(ctx context.Context) error {
	if e.opts.ControllerWait <= 0 {
		return nil
	}
	ns, name := e.opts.KubeFedNamespace, e.et.TypeConfig.Name
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	running := func(ctx context.Context) (bool, error) {
		if err := e.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, ftc); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return ftc.Status.PropagationController == fedcorev1b1.ControllerStatusRunning && ftc.Status.ObservedGeneration == ftc.Generation, nil
	}
	if ok, _ := running(ctx); !ok {
		e.p.line("Waiting for the sync controller of %s to start...", name)
		err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, e.opts.ControllerWait, true, running)
		if errors.Is(err, context.Canceled) {
			return err
		}
		if err != nil {
			reason := "no Ready condition yet"
			for _, c := range ftc.Status.Conditions {
				if c.Type == fedcorev1b1.FederatedTypeConfigReady {
					reason = fmt.Sprintf("Ready=%s %s: %s", c.Status, c.Reason, c.Message)
				}
			}
			e.p.line("Warning: the sync controller of %s did not report Running within %s (%s): check that the controller manager runs, and 'kubectl -n %s get federatedtypeconfig %s -o yaml'",
				name, e.opts.ControllerWait, reason, ns, name)
			return nil
		}
	}
	e.p.line("Sync controller of %s is running.", name)
	return nil
}

// writeManifests writes objects as YAML documents or a JSON list.
func writeManifests(out io.Writer, format string, objs ...any) error {
	switch format {
	case "yaml":
		for _, obj := range objs {
			data, err := federatedtypes.MarshalYAML(obj)
			if err != nil {
				return err
			}
			if _, err := out.Write(data); err != nil {
				return err
			}
		}
		return nil
	case "json":
		for _, obj := range objs {
			data, err := jsonIndent(obj)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintln(out, string(data)); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("unknown output format %q: use yaml or json", format)
	}
}
