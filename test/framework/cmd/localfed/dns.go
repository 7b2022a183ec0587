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

package main

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubefed/kubefed/test/framework"
)

// DefaultDNSServer is where 'localfed dns' serves and 'localfed lookup'
// asks unless told otherwise.
const DefaultDNSServer = "127.0.0.1:15353"

func newDNSCommand(binDir *string) *cobra.Command {
	var name, dir, zone, kubeconfig, server string
	cmd := &cobra.Command{
		Use:   "dns",
		Short: "Run, until interrupted, a load-balancer simulator for every member and a DNS stack (etcd, CoreDNS, external-dns) publishing the host's DNSEndpoints",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			fed, err := framework.Open(name, *binDir)
			if err != nil {
				return fmt.Errorf("opening local federation %s: %w (is it up?)", name, err)
			}
			if err := fed.RunLoadBalancers(ctx); err != nil {
				return err
			}
			for i, m := range fed.Members {
				fmt.Fprintf(out, "Load balancer simulator for %s: addresses from %s\n", m.Name, framework.LoadBalancerPool(i+1))
			}
			_, port, err := net.SplitHostPort(server)
			if err != nil {
				return fmt.Errorf("--server %q: %w", server, err)
			}
			var p int
			if _, err := fmt.Sscan(port, &p); err != nil {
				return fmt.Errorf("--server %q: %w", server, err)
			}
			if kubeconfig == "" {
				kubeconfig = fed.Kubeconfig()
			}
			if dir == "" {
				dir = filepath.Join(fed.Dir, "dns")
			}
			d, err := framework.StartDNS(ctx, framework.DNSOptions{BinDir: *binDir, Dir: dir, Zone: zone,
				Kubeconfig: kubeconfig, Context: "host", Port: p})
			if err != nil {
				return err
			}
			defer d.Stop()
			fmt.Fprintf(out, "CoreDNS serves %s on %s (logs in %s)\n", zone, d.Addr, dir)
			<-ctx.Done()
			fmt.Fprintln(out, "Stopping")
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "name of the local federation")
	cmd.Flags().StringVar(&dir, "dir", "", "directory for the DNS stack's data and logs (default: dns/ in the federation's directory)")
	cmd.Flags().StringVar(&zone, "zone", "example.test", "DNS zone to serve")
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig of the federation (context host is used; default: the federation's)")
	cmd.Flags().StringVar(&server, "server", DefaultDNSServer, "address CoreDNS listens on (loopback)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func newLookupCommand() *cobra.Command {
	var server string
	cmd := &cobra.Command{
		Use:   "lookup NAME...",
		Short: "Resolve names with a DNS server (the demo's CoreDNS by default), like dig +short",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			var failed []string
			for _, name := range args {
				fqdn := strings.TrimSuffix(name, ".") + "."
				r := framework.Resolver(server)
				if cname, err := r.LookupCNAME(ctx, fqdn); err == nil && cname != fqdn {
					fmt.Fprintf(out, "%s\tCNAME\t%s\n", fqdn, cname)
				}
				addrs, err := framework.LookupHost(ctx, server, name)
				if err != nil {
					var dnsErr *net.DNSError
					if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
						fmt.Fprintf(out, "%s\tNXDOMAIN\n", fqdn)
					} else {
						fmt.Fprintf(out, "%s\terror: %v\n", fqdn, err)
					}
					failed = append(failed, name)
					continue
				}
				for _, a := range addrs {
					typ := "A"
					if strings.Contains(a, ":") {
						typ = "AAAA"
					}
					fmt.Fprintf(out, "%s\t%s\t%s\n", fqdn, typ, a)
				}
			}
			if len(failed) > 0 {
				return fmt.Errorf("%d of %d names did not resolve with %s: %s", len(failed), len(args), server, strings.Join(failed, ", "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&server, "server", DefaultDNSServer, "DNS server to ask, host:port")
	return cmd
}
