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
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/federatedtypes"
	"github.com/kubefed/kubefed/internal/healthrules"
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
	// ReadyWhen and FailedWhen, when set, are the CEL health rules written
	// into the FederatedTypeConfig's spec.health (see
	// internal/healthrules). Empty leaves an existing type's rules as they
	// are.
	ReadyWhen, FailedWhen string
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
	health, err := healthRulesOf(opts)
	if err != nil {
		return nil, err
	}
	et, err := buildEnabledType(ctx, opts, p)
	if err != nil {
		return nil, err
	}
	et.TypeConfig.Spec.Health = health
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

// Flags of enable that set the health rules.
const (
	ReadyWhenFlag  = "ready-when"
	FailedWhenFlag = "failed-when"
)

// addHealthFlags adds --ready-when and --failed-when to enable's flags.
func addHealthFlags(cmd *cobra.Command, opts *EnableOptions) {
	f := cmd.Flags()
	f.StringVar(&opts.ReadyWhen, ReadyWhenFlag, "", "a CEL expression, true when a member copy of the type is ready (spec.health.readyWhen of the FederatedTypeConfig; the copy is self), e.g. \"self.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')\"")
	f.StringVar(&opts.FailedWhen, FailedWhenFlag, "", "a CEL expression, true when a member copy of the type has failed (spec.health.failedWhen of the FederatedTypeConfig; the copy is self)")
}

// healthRulesOf returns the health rules the flags give, compiled as the
// control plane's admission compiles them, so that an invalid expression
// is refused before anything is written; nil without either flag.
func healthRulesOf(opts EnableOptions) (*fedcorev1b1.HealthRules, error) {
	if opts.ReadyWhen == "" && opts.FailedWhen == "" {
		return nil, nil
	}
	for _, rule := range []struct {
		flag string
		h    fedcorev1b1.HealthRules
	}{
		{ReadyWhenFlag, fedcorev1b1.HealthRules{ReadyWhen: opts.ReadyWhen}},
		{FailedWhenFlag, fedcorev1b1.HealthRules{FailedWhen: opts.FailedWhen}},
	} {
		if rule.h == (fedcorev1b1.HealthRules{}) {
			continue
		}
		if _, err := healthrules.Compile(&rule.h); err != nil {
			return nil, fmt.Errorf("invalid --%s: %w. Nothing was changed: correct the expression (it sees the member copy as self and must return a bool) and run enable again", rule.flag, err)
		}
	}
	return &fedcorev1b1.HealthRules{ReadyWhen: opts.ReadyWhen, FailedWhen: opts.FailedWhen}, nil
}
