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
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/version"
)

// GlobalOptions are the flags every command takes, named as in kubectl and
// KubeFed's kubefedctl.
type GlobalOptions struct {
	// Kubeconfig is the kubeconfig file; kubectl's files when empty.
	Kubeconfig string
	// HostClusterContext is the context of the host cluster; the current
	// context when empty.
	HostClusterContext string
	// KubeFedNamespace is the control plane's namespace.
	KubeFedNamespace string
	// DryRun makes commands print what they would do and change nothing.
	DryRun bool
	// Verbosity above 0 prints more detail.
	Verbosity int
}

// NewCommand returns the kubefedctl root command.
func NewCommand() *cobra.Command {
	g := &GlobalOptions{}
	root := &cobra.Command{
		Use:           "kubefedctl",
		Short:         "kubefedctl controls a KubeFed control plane",
		Long:          "kubefedctl controls a KubeFed control plane: it joins member clusters to a host cluster and manages federated types.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	flags := root.PersistentFlags()
	flags.StringVar(&g.Kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	flags.StringVar(&g.HostClusterContext, "host-cluster-context", "", "kubeconfig context of the host cluster (default: the current context)")
	flags.StringVar(&g.KubeFedNamespace, "kubefed-namespace", fedcorev1b1.DefaultKubeFedSystemNamespace, "namespace of the KubeFed control plane, in the host and in member clusters")
	flags.BoolVar(&g.DryRun, "dry-run", false, "print what would be done and change nothing")
	flags.IntVarP(&g.Verbosity, "v", "v", 0, "verbosity: 1 prints more detail")
	root.AddCommand(newVersionCommand(), newJoinCommand(g), newUnjoinCommand(g),
		newEnableCommand(g), newDisableCommand(g), newFederateCommand(g), newOrphaningCommand(g), newStatusCommand(g), newRolloutCommand(g))
	return root
}

// KubectlPluginName is the name under which kubectl runs kubefedctl as a
// plugin ("kubectl kubefed ..."): a kubefedctl binary, or a link to it,
// named kubectl-kubefed on the PATH.
const KubectlPluginName = "kubectl-kubefed"

// SetKubectlPlugin makes the help, usage and completion of root read
// "kubectl kubefed" instead of "kubefedctl", for the binary run as a
// kubectl plugin.
func SetKubectlPlugin(root *cobra.Command) {
	root.Use = "kubefed"
	if root.Annotations == nil {
		root.Annotations = map[string]string{}
	}
	root.Annotations[cobra.CommandDisplayNameAnnotation] = "kubectl kubefed"
}

// hostAccess loads the host cluster's context and the host's name: the
// --host-cluster-name flag, else the context's name.
func (g *GlobalOptions) hostAccess(hostClusterName string) (*ClusterAccess, string, error) {
	host, err := LoadContext(g.Kubeconfig, g.HostClusterContext)
	if err != nil {
		return nil, "", fmt.Errorf("host cluster: %w", err)
	}
	if hostClusterName == "" {
		hostClusterName = host.Context
		if strings.ContainsAny(hostClusterName, ":/") {
			return nil, "", fmt.Errorf("the host cluster context %q contains ':' or '/', which a ServiceAccount name cannot: name the host with --host-cluster-name", hostClusterName)
		}
	}
	return host, hostClusterName, nil
}

func newVersionCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubefedctl",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := version.Get()
			switch output {
			case "":
				fmt.Fprintf(cmd.OutOrStdout(), "kubefedctl %s\n", info)
			case "json":
				data, err := json.MarshalIndent(info, "", "  ")
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), string(data))
			default:
				return fmt.Errorf("unknown output format %q: use json or leave it empty", output)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: json (default: one line)")
	return cmd
}
