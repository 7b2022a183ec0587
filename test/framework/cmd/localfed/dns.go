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
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubefed/kubefed/test/framework"
)

// DefaultDNSServer is where 'localfed dns' serves and 'localfed lookup'
// asks unless told otherwise.
const DefaultDNSServer = "127.0.0.1:15353"

// dnsFlags are the flags of 'localfed dns'.
type dnsFlags struct {
	name, dir, zone, kubeconfig, server string
}

func newDNSCommand(binDir *string) *cobra.Command {
	var f dnsFlags
	cmd := &cobra.Command{
		Use:   "dns",
		Short: "Run, until interrupted, a load-balancer simulator for every member and a DNS stack (etcd, CoreDNS, external-dns) publishing the host's DNSEndpoints",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDNS(cmd.Context(), cmd.OutOrStdout(), *binDir, f)
		},
	}
	cmd.Flags().StringVar(&f.name, "name", "", "name of the local federation")
	cmd.Flags().StringVar(&f.dir, "dir", "", "directory for the DNS stack's data and logs (default: dns/ in the federation's directory)")
	cmd.Flags().StringVar(&f.zone, "zone", "example.test", "DNS zone to serve")
	cmd.Flags().StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig of the federation (context host is used; default: the federation's)")
	cmd.Flags().StringVar(&f.server, "server", DefaultDNSServer, "address CoreDNS listens on (loopback)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

// runDNS runs the load-balancer simulators of the federation's members and
// the DNS stack until ctx is done.
func runDNS(ctx context.Context, out io.Writer, binDir string, f dnsFlags) error {
	fed, err := framework.Open(f.name, binDir)
	if err != nil {
		return fmt.Errorf("opening local federation %s: %w (is it up?)", f.name, err)
	}
	if err := fed.RunLoadBalancers(ctx); err != nil {
		return err
	}
	for i, m := range fed.Members {
		fmt.Fprintf(out, "Load balancer simulator for %s: addresses from %s\n", m.Name, framework.LoadBalancerPool(i+1))
	}
	port, err := serverPort(f.server)
	if err != nil {
		return err
	}
	kubeconfig := cmp.Or(f.kubeconfig, fed.Kubeconfig())
	dir := cmp.Or(f.dir, filepath.Join(fed.Dir, "dns"))
	d, err := framework.StartDNS(ctx, framework.DNSOptions{BinDir: binDir, Dir: dir, Zone: f.zone,
		Kubeconfig: kubeconfig, Context: "host", Port: port})
	if err != nil {
		return err
	}
	defer d.Stop()
	fmt.Fprintf(out, "CoreDNS serves %s on %s (logs in %s)\n", f.zone, d.Addr, dir)
	<-ctx.Done()
	fmt.Fprintln(out, "Stopping")
	return nil
}

// serverPort returns the port of the --server address.
func serverPort(server string) (int, error) {
	_, port, err := net.SplitHostPort(server)
	if err != nil {
		return 0, fmt.Errorf("--server %q: %w", server, err)
	}
	var p int
	if _, err := fmt.Sscan(port, &p); err != nil {
		return 0, fmt.Errorf("--server %q: %w", server, err)
	}
	return p, nil
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
