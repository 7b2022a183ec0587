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

// Command localfed manages local federations of real clusters for
// development and the demo: a host cluster and member clusters started by
// kwokctl from the binaries in bin/.
//
//	localfed up --name demo --dir .demo/clusters --members 2
//	localfed status
//	localfed stop|start --name demo member1
//	localfed down --name demo
//	localfed prune                      (also removes a crashed run's real node)
//	localfed dns --name demo            (load-balancer simulators + CoreDNS)
//	localfed lookup web.demo.example.test
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubefed/kubefed/test/framework"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCommand().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func newRootCommand() *cobra.Command {
	var binDir string
	root := &cobra.Command{
		Use:           "localfed",
		Short:         "Manage local federations of real clusters (host + members) on this machine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&binDir, "bin-dir", framework.DefaultBinDir(), "directory holding kwokctl and the control-plane binaries")
	root.AddCommand(newUpCommand(&binDir), newDownCommand(&binDir), newStatusCommand(),
		newPruneCommand(&binDir), newStopStartCommand(&binDir, "stop"), newStopStartCommand(&binDir, "start"),
		newDNSCommand(&binDir), newLookupCommand())
	return root
}

func newUpCommand(binDir *string) *cobra.Command {
	var (
		opts       framework.Options
		members    int
		kubeconfig string
		reuse      bool
	)
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create a host and member clusters, or, with --reuse, make an existing federation of that name serve again",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			opts.BinDir = *binDir
			opts.Members = framework.MemberNames(members)
			opts.Log = out
			// The clusters outlive this command by design; only 'down'
			// removes them.
			opts.Persistent = true
			start := time.Now()
			if _, err := framework.Prune(ctx, *binDir); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "Warning: pruning stale federations: %v\n", err)
			}
			var fed *framework.Federation
			if reuse && opts.Name != "" {
				if existing, err := framework.Open(opts.Name, *binDir); err == nil {
					fmt.Fprintf(out, "Local federation %s exists; checking its clusters\n", opts.Name)
					if err := restart(ctx, out, existing); err != nil {
						return err
					}
					fed = existing
				}
			}
			if fed == nil {
				fmt.Fprintf(out, "Creating local federation %s (host + %d members)\n", cmp.Or(opts.Name, "(random name)"), members)
				var err error
				if fed, err = framework.Up(ctx, opts); err != nil {
					return err
				}
			}
			if kubeconfig != "" {
				data, err := os.ReadFile(fed.Kubeconfig())
				if err != nil {
					return err
				}
				if err := os.WriteFile(kubeconfig, data, 0o600); err != nil {
					return err
				}
			}
			fmt.Fprintf(out, "Local federation %s ready in %s\n", fed.Name, time.Since(start).Round(100*time.Millisecond))
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "name of the federation (random when empty)")
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "directory for the clusters' state (default: under the registry root)")
	cmd.Flags().IntVar(&members, "members", 2, "number of member clusters")
	cmd.Flags().IntVar(&opts.Nodes, "nodes", 2, "simulated nodes per cluster")
	cmd.Flags().BoolVar(&opts.RealNode, "real-node", false, "give the host a real node (containerd, kubelet, kube-proxy; root, and hack/node-deps.sh's packages) instead of simulated ones")
	cmd.Flags().BoolVar(&reuse, "reuse", false, "if a federation of this name exists, start its stopped clusters instead of failing")
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "also write the federation's kubeconfig to this path")
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "show kwokctl's output")
	return cmd
}

// restart starts the clusters of an existing federation that do not serve
// (after a reboot, say) and waits until all are ready.
func restart(ctx context.Context, out io.Writer, fed *framework.Federation) error {
	for _, c := range fed.Clusters() {
		if c.Ready(ctx) {
			fmt.Fprintf(out, "  cluster %-10s ready at %s\n", c.Name, c.Endpoint())
			continue
		}
		fmt.Fprintf(out, "  cluster %-10s not serving; starting it\n", c.Name)
		if err := c.Start(ctx); err != nil {
			return fmt.Errorf("%w (run 'make demo-down' and try again to recreate it)", err)
		}
	}
	return nil
}

func newDownCommand(binDir *string) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Delete a local federation: its clusters, processes and state",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return errors.New("--name is required (see 'localfed status')")
			}
			runs, err := framework.List()
			if err != nil {
				return err
			}
			for _, r := range runs {
				if r.Name == name {
					fed, err := framework.Open(name, *binDir)
					if err != nil {
						// A broken run is still removed: prune-style teardown.
						return framework.Remove(cmd.Context(), *binDir, r)
					}
					if err := fed.Down(cmd.Context()); err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "Local federation %s deleted\n", name)
					return nil
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "No local federation named %s\n", name)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "name of the federation")
	return cmd
}

func newStatusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "List the local federations on this machine",
		RunE: func(cmd *cobra.Command, _ []string) error {
			runs, err := framework.List()
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tSTATE\tOWNER\tCLUSTERS\tDIR")
			for _, r := range runs {
				state, owner := "running", fmt.Sprint(r.PID)
				if r.Stale {
					state = "stale"
				}
				if r.Persistent {
					owner = "persistent"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.Name, state, owner, strings.Join(r.Clusters, ","), r.Dir)
			}
			return w.Flush()
		},
	}
}

func newPruneCommand(binDir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "prune",
		Short: "Tear down the federations whose owning process is gone (crashed or interrupted test runs)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			pruned, err := framework.Prune(cmd.Context(), *binDir)
			for _, name := range pruned {
				fmt.Fprintf(cmd.OutOrStdout(), "Pruned stale local federation %s\n", name)
			}
			return err
		},
	}
}

func newStopStartCommand(binDir *string, verb string) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   verb + " CLUSTER...",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " clusters of a local federation (etcd data is kept)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fed, err := framework.Open(name, *binDir)
			if err != nil {
				return err
			}
			for _, a := range args {
				c := fed.Cluster(a)
				if c == nil {
					return fmt.Errorf("federation %s has no cluster %q", name, a)
				}
				if verb == "stop" {
					err = c.Stop(cmd.Context())
				} else {
					err = c.Start(cmd.Context())
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Cluster %s %s\n", a, map[string]string{"stop": "stopped", "start": "started"}[verb])
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "name of the federation")
	return cmd
}
