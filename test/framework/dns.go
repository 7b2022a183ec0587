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

package framework

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/tools/clientcmd"
)

// DNSOptions configure a local DNS stack (StartDNS).
type DNSOptions struct {
	// BinDir holds etcd, coredns and external-dns; DefaultBinDir() when
	// empty.
	BinDir string
	// Dir holds the stack's etcd data, Corefile and logs.
	Dir string
	// Zone is the DNS zone served, e.g. example.test.
	Zone string
	// Kubeconfig and Context name the host cluster whose DNSEndpoints
	// external-dns publishes.
	Kubeconfig, Context string
	// Port is CoreDNS's port on 127.0.0.1; a free one when zero.
	Port int
}

// DNS is a running local DNS stack: an etcd, a CoreDNS serving the zone
// from it (etcd plugin, SkyDNS layout under /skydns) on a loopback port,
// and external-dns reading multiclusterdns.kubefed.io/v1alpha1 DNSEndpoints
// from the host and writing them into the etcd (coredns provider).
type DNS struct {
	// Addr is CoreDNS's address, 127.0.0.1:port.
	Addr string
	// Dir holds the stack's files; <component>.log are the logs.
	Dir string

	mu    sync.Mutex
	procs []*Process
}

// StartDNS starts the stack and waits until CoreDNS answers. Stop it with
// Stop; its processes also die with the process that started them (on
// Linux).
func StartDNS(ctx context.Context, opts DNSOptions) (d *DNS, err error) {
	if err := opts.complete(); err != nil {
		return nil, err
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	if opts.Port != 0 {
		ports[2] = opts.Port
	}
	client, peer, dnsPort := ports[0], ports[1], ports[2]
	d = &DNS{Addr: fmt.Sprintf("127.0.0.1:%d", dnsPort), Dir: opts.Dir}
	defer func() {
		if err != nil {
			d.Stop()
		}
	}()
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", client)
	if err := d.startEtcd(opts, etcdURL, fmt.Sprintf("http://127.0.0.1:%d", peer)); err != nil {
		return nil, err
	}
	if err := d.startCoreDNS(opts, dnsPort, etcdURL); err != nil {
		return nil, err
	}
	if err := d.startExternalDNS(opts, etcdURL); err != nil {
		return nil, err
	}
	if err := d.waitServing(ctx, opts.Zone); err != nil {
		return nil, err
	}
	return d, nil
}

// complete fills in the defaults, checks the required options and the
// binaries, and creates the stack's directory.
func (opts *DNSOptions) complete() error {
	if opts.BinDir == "" {
		opts.BinDir = DefaultBinDir()
	}
	if opts.Zone == "" || opts.Dir == "" || opts.Kubeconfig == "" {
		return errors.New("StartDNS: Zone, Dir and Kubeconfig are required")
	}
	for _, b := range []string{"etcd", "coredns", "external-dns"} {
		if _, err := os.Stat(filepath.Join(opts.BinDir, b)); err != nil {
			return fmt.Errorf("%s: %w: run 'make tools'", b, err)
		}
	}
	return os.MkdirAll(opts.Dir, 0o755)
}

// startEtcd starts the stack's etcd, a single member serving etcdURL.
func (d *DNS) startEtcd(opts DNSOptions, etcdURL, peerURL string) error {
	return d.start(opts.BinDir, "etcd", nil,
		"--name", "dns", "--data-dir", filepath.Join(opts.Dir, "etcd"),
		"--listen-client-urls", etcdURL, "--advertise-client-urls", etcdURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "dns="+peerURL, "--log-level", "warn")
}

// startCoreDNS starts CoreDNS serving the zone from the etcd on port.
func (d *DNS) startCoreDNS(opts DNSOptions, port int, etcdURL string) error {
	corefile := fmt.Sprintf(`%s:%d {
    bind 127.0.0.1
    etcd {
        path /skydns
        endpoint %s
    }
    errors
    log
}
`, opts.Zone, port, etcdURL)
	if err := os.WriteFile(filepath.Join(opts.Dir, "Corefile"), []byte(corefile), 0o644); err != nil {
		return err
	}
	return d.start(opts.BinDir, "coredns", nil, "-conf", filepath.Join(opts.Dir, "Corefile"))
}

// startExternalDNS starts external-dns publishing the host's DNSEndpoints
// of the zone into the etcd.
func (d *DNS) startExternalDNS(opts DNSOptions, etcdURL string) error {
	kubeconfig := opts.Kubeconfig
	if opts.Context != "" {
		// external-dns has no context flag: write a kubeconfig whose
		// current context is the host.
		kc, err := currentContextKubeconfig(opts.Kubeconfig, opts.Context, filepath.Join(opts.Dir, "external-dns.kubeconfig"))
		if err != nil {
			return err
		}
		kubeconfig = kc
	}
	return d.start(opts.BinDir, "external-dns", []string{"ETCD_URLS=" + etcdURL},
		"--source=crd", "--crd-source-apiversion=multiclusterdns.kubefed.io/v1alpha1", "--crd-source-kind=DNSEndpoint",
		"--provider=coredns", "--registry=txt", "--txt-owner-id=kubefed-local", "--domain-filter="+opts.Zone,
		"--policy=sync", "--events", "--interval=30s", "--min-event-sync-interval=500ms",
		"--kubeconfig="+kubeconfig, "--log-level=info")
}

// waitServing waits up to 30 seconds until CoreDNS answers for the zone
// (REFUSED or NXDOMAIN, once it serves).
func (d *DNS) waitServing(ctx context.Context, zone string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, lerr := d.LookupHost(ctx, "ready-probe."+zone)
		var dnsErr *net.DNSError
		if lerr == nil || (errors.As(lerr, &dnsErr) && dnsErr.IsNotFound) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("CoreDNS on %s did not answer within 30s (%v); its log:\n%s", d.Addr, lerr, d.Logs("coredns", 30))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// start starts one component, logging to <Dir>/<name>.log.
func (d *DNS) start(binDir, name string, env []string, args ...string) error {
	p, err := StartProcess(ProcessOptions{
		Path: filepath.Join(binDir, name), Args: args, Env: env,
		LogPath: filepath.Join(d.Dir, name+".log"),
	})
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.procs = append(d.procs, p)
	d.mu.Unlock()
	return nil
}

// Stop stops the stack's processes, the last started first, and waits for
// them.
func (d *DNS) Stop() {
	d.mu.Lock()
	procs := slices.Clone(d.procs)
	d.procs = nil
	d.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].Stop(10 * time.Second)
	}
}

// Logs returns the last lines of one component's log (etcd, coredns,
// external-dns).
func (d *DNS) Logs(component string, lines int) string {
	b, err := os.ReadFile(filepath.Join(d.Dir, component+".log"))
	if err != nil {
		return err.Error()
	}
	return lastLines(string(b), lines)
}

// Resolver returns a resolver that asks only this stack's CoreDNS.
func (d *DNS) Resolver() *net.Resolver { return Resolver(d.Addr) }

// LookupHost resolves name (following CNAMEs) with this stack's CoreDNS and
// returns the addresses, sorted.
func (d *DNS) LookupHost(ctx context.Context, name string) ([]string, error) {
	return LookupHost(ctx, d.Addr, name)
}

// Resolver returns a resolver that sends every query to the DNS server at
// addr (host:port), over UDP, with no search domains and no cache.
func Resolver(addr string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var dialer net.Dialer
		return dialer.DialContext(ctx, network, addr)
	}}
}

// LookupHost resolves name with the DNS server at addr and returns the
// addresses, sorted.
func LookupHost(ctx context.Context, addr, name string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := Resolver(addr).LookupHost(ctx, strings.TrimSuffix(name, ".")+".")
	slices.Sort(addrs)
	return addrs, err
}

// freePorts returns n distinct local ports that are free now.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var out []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

// currentContextKubeconfig writes a copy of kubeconfig whose current
// context is context.
func currentContextKubeconfig(kubeconfig, context, path string) (string, error) {
	cfg, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		return "", err
	}
	if _, ok := cfg.Contexts[context]; !ok {
		return "", fmt.Errorf("no context %q in %s", context, kubeconfig)
	}
	cfg.CurrentContext = context
	return path, clientcmd.WriteToFile(*cfg, path)
}
