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
	"cmp"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

func newJoinCommand(g *GlobalOptions) *cobra.Command {
	var (
		clusterContext  string
		hostClusterName string
		secretName      string
		errorOnExisting bool
		tokenTimeout    time.Duration
	)
	cmd := &cobra.Command{
		Use:   "join CLUSTER",
		Short: "Register a cluster with a KubeFed control plane",
		Long: `Join registers a cluster with the KubeFed control plane of the host cluster.

In the joining cluster it creates the control-plane namespace, a ServiceAccount
<cluster>-<host> with a token Secret, and RBAC for the control plane's scope (read
from the KubeFedConfig "kubefed" in the host). In the host it creates a Secret
holding the token and the KubeFedCluster. Everything is checked before anything is
written; a join that fails later deletes again what it created.`,
		Example: `  # Join the cluster of context member1 to the host of the current context.
  kubefedctl join member1

  # Name the contexts explicitly, and see first what would be done.
  kubefedctl join cluster2 --cluster-context kind-cluster2 --host-cluster-context kind-host --dry-run

  # Join the host cluster to its own control plane.
  kubefedctl join host --cluster-context host --host-cluster-context host`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			host, hostName, err := g.hostAccess(hostClusterName)
			if err != nil {
				return err
			}
			member, err := LoadContext(g.Kubeconfig, cmp.Or(clusterContext, args[0]))
			if err != nil {
				return fmt.Errorf("member cluster %s: %w (name its context with --cluster-context)", args[0], err)
			}
			_, err = Join(cmd.Context(), JoinOptions{
				ClusterName:      args[0],
				HostClusterName:  hostName,
				HostConfig:       host.Config,
				ClusterConfig:    member.Config,
				KubeFedNamespace: g.KubeFedNamespace,
				SecretName:       secretName,
				ErrorOnExisting:  errorOnExisting,
				DryRun:           g.DryRun,
				TokenTimeout:     tokenTimeout,
				HostContext:      host.Context,
				ClusterContext:   member.Context,
				Out:              cmd.OutOrStdout(),
				Verbosity:        g.Verbosity,
			})
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&clusterContext, "cluster-context", "", "kubeconfig context of the joining cluster (default: the cluster name)")
	f.StringVar(&hostClusterName, "host-cluster-name", "", "name of the host cluster, used in the joining cluster's ServiceAccount name (default: the host cluster context)")
	f.StringVar(&secretName, "secret-name", "", "name of the host Secret holding the cluster's token (default: generated, <cluster>-xxxxx)")
	f.BoolVar(&errorOnExisting, "error-on-existing", true, "fail, before changing anything, when an object join would create already exists; with false, existing objects are updated")
	f.DurationVar(&tokenTimeout, "token-timeout", DefaultTokenTimeout, "how long to wait for the joining cluster to issue the ServiceAccount's token")
	return cmd
}

func newUnjoinCommand(g *GlobalOptions) *cobra.Command {
	var (
		clusterContext  string
		hostClusterName string
		force           bool
	)
	cmd := &cobra.Command{
		Use:   "unjoin CLUSTER",
		Short: "Remove the registration of a cluster from a KubeFed control plane",
		Long: `Unjoin removes what join created: first in the member cluster (RBAC, token Secret,
ServiceAccount, and the namespace unless the member is the host itself or other hosts
use it), then in the host (the token Secret and the KubeFedCluster).

With --force the host side is removed even when the member cannot be reached or
cleaned; unjoin then prints what may remain in the member and how to remove it.`,
		Example: `  # Unjoin the cluster of context member1 from the host of the current context.
  kubefedctl unjoin member1

  # The member is gone for good: remove its registration from the host anyway.
  kubefedctl unjoin member1 --force`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			host, hostName, err := g.hostAccess(hostClusterName)
			if err != nil {
				return err
			}
			memberContext := cmp.Or(clusterContext, args[0])
			opts := UnjoinOptions{
				ClusterName:      args[0],
				HostClusterName:  hostName,
				HostConfig:       host.Config,
				KubeFedNamespace: g.KubeFedNamespace,
				Force:            force,
				DryRun:           g.DryRun,
				HostContext:      host.Context,
				ClusterContext:   memberContext,
				Out:              cmd.OutOrStdout(),
				Verbosity:        g.Verbosity,
			}
			member, err := LoadContext(g.Kubeconfig, memberContext)
			switch {
			case err != nil && !force:
				return fmt.Errorf("member cluster %s: %w (name its context with --cluster-context, or use --force to clean only the host)", args[0], err)
			case err != nil:
				cmd.PrintErrf("Warning: member cluster %s: %v; only the host side will be cleaned\n", args[0], err)
			default:
				opts.ClusterConfig = member.Config
			}
			return Unjoin(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&clusterContext, "cluster-context", "", "kubeconfig context of the member cluster (default: the cluster name)")
	f.StringVar(&hostClusterName, "host-cluster-name", "", "name of the host cluster as join used it (default: the host cluster context)")
	f.BoolVar(&force, "force", false, "remove the host side even when the member cluster cannot be reached or cleaned")
	return cmd
}
