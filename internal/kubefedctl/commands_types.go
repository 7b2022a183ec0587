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
	"cmp"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// hostConfig loads the host cluster's client configuration.
func (g *GlobalOptions) hostConfig() (*ClusterAccess, error) {
	host, err := LoadContext(g.Kubeconfig, g.HostClusterContext)
	if err != nil {
		return nil, fmt.Errorf("host cluster: %w", err)
	}
	return host, nil
}

// federatedObjectRef names the federated object of the arguments
// <resource type> <resource name> in the host cluster: in namespace, else
// in the host context's namespace.
func (g *GlobalOptions) federatedObjectRef(args []string, namespace string) (FederatedObjectRef, error) {
	host, err := g.hostConfig()
	if err != nil {
		return FederatedObjectRef{}, err
	}
	return FederatedObjectRef{TypeName: args[0], Name: args[1], Namespace: cmp.Or(namespace, host.Namespace),
		HostConfig: host.Config, KubeFedNamespace: g.KubeFedNamespace}, nil
}

// onFederatedObject completes c as a command on the arguments
// <resource type> <resource name>, with the -n flag of the object's
// namespace, that calls run with the object's reference.
func (g *GlobalOptions) onFederatedObject(c *cobra.Command, run func(cmd *cobra.Command, ref FederatedObjectRef) error) *cobra.Command {
	var namespace string
	c.Use += " <resource type> <resource name>"
	c.Args = cobra.ExactArgs(2)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ref, err := g.federatedObjectRef(args, namespace)
		if err != nil {
			return err
		}
		return run(cmd, ref)
	}
	c.Flags().StringVarP(&namespace, "namespace", "n", "", "the namespace of the federated resource (default: the host context's namespace, else default)")
	return c
}

func newEnableCommand(g *GlobalOptions) *cobra.Command {
	var (
		opts     EnableOptions
		filename string
	)
	cmd := &cobra.Command{
		Use:   "enable (NAME | -f FILENAME)",
		Short: "Enables propagation of a Kubernetes API type",
		Long: `Enables a Kubernetes API type (including a CRD) to be propagated to clusters
registered with a KubeFed control plane. NAME is the type's kind (Deployment),
plural (deployments), group-qualified plural (deployments.apps), short name
(deploy) or CRD name. A CRD for the federated type Federated<Kind> is created,
whose spec.template carries the type's own schema (from its CRD, or the API
server's OpenAPI v3 for built-in kinds), then a FederatedTypeConfig that starts
the type's sync controller. Enabling an enabled type changes nothing; an
existing federated CRD without the status fields the control plane writes
(made by KubeFed's kubefedctl) gets them.

Current context is assumed to be a Kubernetes cluster hosting the kubefed
control plane. Please use the --host-cluster-context flag otherwise.`,
		Example: `  # Enable federation of Deployments
  kubefedctl enable deployments.apps --host-cluster-context=cluster1

  # Enable federation of a CRD, in the default federated group
  kubefedctl enable widgets.example.com

  # Print the CRD and FederatedTypeConfig instead of creating them
  kubefedctl enable poddisruptionbudgets.policy -o yaml

  # Enable the type named in an EnableTypeDirective file (KubeFed's format)
  kubefedctl enable -f directive.yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if filename != "" && opts.Output == "" {
				if len(args) > 0 {
					return errors.New("give either NAME or -f FILENAME, not both")
				}
				return nil
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEnable(cmd, g, &opts, filename, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.FederatedGroup, "federated-group", "", "the name of the API group to use for the generated federated type (default types.kubefed.io)")
	f.StringVar(&opts.FederatedVersion, "federated-version", "", "the API version to use for the generated federated type (default v1beta1)")
	f.StringVar(&opts.TargetVersion, "version", "", "optional, the API version of the target type")
	f.StringVarP(&opts.Output, "output", "o", "", "if provided, the resources that would be created are printed instead, in this format: yaml or json")
	f.StringVarP(&filename, "filename", "f", "", "with --output, write the resources to this file; without, read an EnableTypeDirective from it")
	f.DurationVar(&opts.ControllerWait, "wait", DefaultControllerWait, "how long to wait for the type's sync controller to report Running (0: do not wait)")
	addHealthFlags(cmd, &opts)
	return cmd
}

// runEnable runs enable: it reads the type from NAME or from an
// EnableTypeDirective file, and with --output and --filename writes the
// manifests to the file.
func runEnable(cmd *cobra.Command, g *GlobalOptions, opts *EnableOptions, filename string, args []string) error {
	if filename != "" && opts.Output == "" {
		if err := ReadEnableTypeDirective(filename, opts); err != nil {
			return err
		}
	} else {
		opts.TypeName = args[0]
	}
	switch opts.Output {
	case "", "yaml", "json":
	default:
		return fmt.Errorf("invalid value for --output: %s: use yaml or json", opts.Output)
	}
	host, err := g.hostConfig()
	if err != nil {
		return err
	}
	opts.HostConfig, opts.KubeFedNamespace, opts.DryRun, opts.Verbosity = host.Config, g.KubeFedNamespace, g.DryRun, g.Verbosity
	opts.Out = cmd.OutOrStdout()
	var buf bytes.Buffer
	if filename != "" && opts.Output != "" {
		opts.Out = &buf
	}
	if _, err := Enable(cmd.Context(), *opts); err != nil {
		return err
	}
	if buf.Len() > 0 {
		if err := os.WriteFile(filename, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", filename, err)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "Wrote the CRD and FederatedTypeConfig of %s to %s\n", opts.TypeName, filename)
	}
	return nil
}

func newDisableCommand(g *GlobalOptions) *cobra.Command {
	var opts DisableOptions
	cmd := &cobra.Command{
		Use:   "disable NAME",
		Short: "Disables propagation of a Kubernetes API type",
		Long: `Disables propagation of a Kubernetes API type: sets the propagation of its
FederatedTypeConfig (NAME, e.g. deployments.apps) to Disabled and waits until
the sync controller reports it stopped. Federated objects and their member
copies stay; enable the type again to resume. With --delete-crd the
FederatedTypeConfig and the federated type's CRD are deleted too, which is
refused while federated objects of the type exist (--force deletes them with
the CRD; their member copies stay, unmanaged).

Current context is assumed to be a Kubernetes cluster hosting the kubefed
control plane. Please use the --host-cluster-context flag otherwise.`,
		Example: `  # Disable propagation of Deployments
  kubefedctl disable deployments.apps

  # Disable it and delete the federated type
  kubefedctl disable deployments.apps --delete-crd`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Force && !opts.DeleteCRD {
				return errors.New("--force applies to --delete-crd only")
			}
			host, err := g.hostConfig()
			if err != nil {
				return err
			}
			opts.Name, opts.HostConfig, opts.KubeFedNamespace, opts.DryRun = args[0], host.Config, g.KubeFedNamespace, g.DryRun
			opts.Out, opts.Verbosity = cmd.OutOrStdout(), g.Verbosity
			return Disable(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.DeleteCRD, "delete-crd", false, "also delete the FederatedTypeConfig and the federated type's CRD added by 'enable'")
	f.BoolVar(&opts.Force, "force", false, "with --delete-crd, delete the CRD even while federated objects of the type exist")
	f.DurationVar(&opts.StopTimeout, "timeout", time.Minute, "how long to wait for the sync controller to stop")
	return cmd
}

func newFederateCommand(g *GlobalOptions) *cobra.Command {
	var (
		opts      FederateOptions
		filename  string
		clusters  []string
		selectors []string
	)
	cmd := &cobra.Command{
		Use:   "federate TYPE-NAME RESOURCE-NAME",
		Short: "Federate creates a federated resource from a kubernetes resource",
		Long: `Federate creates a federated resource from a kubernetes resource. The target
resource must exist in the cluster hosting the federation control plane. Its
template is the resource without the fields the API server and the member
clusters own; its placement is every cluster (an empty cluster selector, as
KubeFed wrote it) unless --placement-clusters or --cluster-selector say
otherwise. Member copies that already exist are adopted, not recreated. With
--contents, a namespace's federatable resources are federated too. With
--filename the resources of a file are federated without any cluster and
printed as YAML.

Current context is assumed to be a Kubernetes cluster hosting the kubefed
control plane. Please use the --host-cluster-context flag otherwise.`,
		Example: `  # Federate resource named "my-cm" in namespace "my-ns" of kubernetes type "configmaps" (identified by short name "cm")
  kubefedctl federate cm "my-cm" -n "my-ns" --host-cluster-context=cluster1

  # Federate a namespace and everything in it, enabling types as needed
  kubefedctl federate namespace my-ns --contents --enable-type

  # Federate the resources of a file, without a cluster
  kubefedctl federate --filename app.yaml -o yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if filename != "" {
				if len(args) > 0 {
					return fmt.Errorf("flag '--filename' does not take any args. Got args: %v", args)
				}
				return nil
			}
			if len(args) != 2 {
				return errors.New("TYPE-NAME and RESOURCE-NAME are required")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			placement, err := parsePlacement(clusters, selectors)
			if err != nil {
				return err
			}
			return runFederate(cmd, g, &opts, filename, placement, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Namespace, "namespace", "n", "", "the namespace of the resource to federate (default: the host context's namespace, else default)")
	f.StringVarP(&opts.Output, "output", "o", "", "if provided, the resource that would be created is printed instead, in this format: yaml")
	f.BoolVarP(&opts.EnableType, "enable-type", "e", false, "enable federation of the resource's type first when it is not enabled")
	f.BoolVarP(&opts.Contents, "contents", "c", false, "applicable only to namespaces: also federate every resource in the namespace")
	f.StringVarP(&filename, "filename", "f", "", "federate the resources of this YAML file (- for standard input), without a cluster, and print them")
	f.StringSliceVarP(&opts.SkipAPIResources, "skip-api-resources", "s", nil, "comma separated types to skip with --contents: short name (deploy), kind (deployment), plural (deployments), group-qualified plural (deployments.apps) or a whole group (apps)")
	f.StringSliceVar(&clusters, "placement-clusters", nil, "comma separated names of the clusters to place the resource in (default: every cluster)")
	f.StringSliceVar(&selectors, "cluster-selector", nil, "comma separated key=value labels of the clusters to place the resource in")
	return cmd
}

// parsePlacement builds the placement of federate's flags: the named
// clusters, and the key=value labels of --cluster-selector.
func parsePlacement(clusters, selectors []string) (Placement, error) {
	placement := Placement{Clusters: clusters}
	if len(selectors) > 0 {
		placement.ClusterSelector = map[string]string{}
		for _, s := range selectors {
			k, v, ok := strings.Cut(s, "=")
			if !ok || k == "" {
				return Placement{}, fmt.Errorf("--cluster-selector %q is not key=value", s)
			}
			placement.ClusterSelector[k] = v
		}
	}
	return placement, nil
}

// runFederate runs federate: on the resources of a file with --filename,
// else on a resource of the host cluster.
func runFederate(cmd *cobra.Command, g *GlobalOptions, opts *FederateOptions, filename string, placement Placement, args []string) error {
	if filename != "" {
		if opts.Output != "" && opts.Output != "yaml" {
			return fmt.Errorf("invalid value for --output: %s: use yaml", opts.Output)
		}
		objs, err := FederateFile(filename, cmd.InOrStdin(), placement)
		if err != nil {
			return err
		}
		return WriteObjectsYAML(cmd.OutOrStdout(), objs)
	}
	host, err := g.hostConfig()
	if err != nil {
		return err
	}
	opts.TypeName, opts.Name, opts.Placement = args[0], args[1], placement
	opts.Namespace = cmp.Or(opts.Namespace, host.Namespace)
	opts.HostConfig, opts.KubeFedNamespace, opts.DryRun = host.Config, g.KubeFedNamespace, g.DryRun
	opts.Out, opts.Verbosity = cmd.OutOrStdout(), g.Verbosity
	return Federate(cmd.Context(), *opts)
}

func newOrphaningCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "orphaning-deletion",
		Short: "Manage orphaning delete policy",
		Long: `Manage orphaning delete policy: with orphaning enabled (the annotation
kubefed.io/orphan: "true"), deleting a federated resource leaves its member
copies in the member clusters (unmanaged) instead of deleting them.`,
	}
	sub := func(use, short, example string, run func(cmd *cobra.Command, ref FederatedObjectRef) error) *cobra.Command {
		return g.onFederatedObject(&cobra.Command{Use: use, Short: short, Example: example}, run)
	}
	setOrphaning := func(enabled bool) func(cmd *cobra.Command, ref FederatedObjectRef) error {
		return func(cmd *cobra.Command, ref FederatedObjectRef) error {
			return SetOrphaning(cmd.Context(), ref, enabled, g.DryRun, cmd.OutOrStdout())
		}
	}
	cmd.AddCommand(
		sub("enable", "Set the orphaning deletion of the federated resource",
			`  # Keep the member copies of the FederatedDeployment foo when it is deleted
  kubefedctl orphaning-deletion enable FederatedDeployment foo -n demo`,
			setOrphaning(true)),
		sub("disable", "Remove the orphaning deletion of the federated resource",
			`  # Delete the member copies of the FederatedDeployment foo with it again
  kubefedctl orphaning-deletion disable FederatedDeployment foo -n demo`,
			setOrphaning(false)),
		sub("status", "Get the orphaning deletion status of the federated resource (Enabled or Disabled)",
			`  # Check the orphaning mode of the FederatedDeployment foo
  kubefedctl orphaning-deletion status FederatedDeployment foo -n demo`,
			func(cmd *cobra.Command, ref FederatedObjectRef) error {
				return OrphaningStatus(cmd.Context(), ref, cmd.OutOrStdout())
			}),
	)
	return cmd
}

func newStatusCommand(g *GlobalOptions) *cobra.Command {
	var output string
	cmd := g.onFederatedObject(&cobra.Command{
		Use:   "status",
		Short: "Show a federated resource across its clusters",
		Long: `Status shows a federated resource in every cluster it is placed in: the
cluster's health, whether the current version was propagated there and why
not, the member copy's version, and for workloads the desired, ready and
available replicas, and the member copy's readiness (kstatus: Current,
InProgress, Failed, ...); then the aggregated line and the Ready line. The
type may be the federated type (FederatedDeployment, fdeploy) or its target
type (deployments).

Exit codes: 0 when every placed cluster has the current version and the
object is Ready, 2 when a placed cluster does not have the current version
(or the sync controller has not processed the current generation), 3 when it
is propagated but not Ready yet (a copy rolls out), 4 when it is Stalled (a
copy failed: it will not become ready without a change), 1 when the command
failed.`,
		Example: `  # The state of the FederatedDeployment web in namespace demo
  kubefedctl status deployments web -n demo

  # With the messages, or as YAML
  kubefedctl status FederatedDeployment web -n demo -o wide
  kubefedctl status fdeploy web -n demo -o yaml`,
	}, func(cmd *cobra.Command, ref FederatedObjectRef) error {
		return Status(cmd.Context(), StatusOptions{Ref: ref, Output: output, Out: cmd.OutOrStdout()})
	})
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: wide, yaml or json (default: a table)")
	return cmd
}
