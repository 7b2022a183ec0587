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
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Cluster runtimes kwokctl can start clusters with.
const (
	// RuntimeBinary runs the control plane as local processes (the default:
	// it needs nothing but the binaries in bin/).
	RuntimeBinary = "binary"
	// RuntimeKind runs each cluster in a kind node container; it needs a
	// Docker engine. Selected with KUBEFED_CLUSTER_RUNTIME=kind.
	RuntimeKind = "kind"
)

// Options configure a local federation.
type Options struct {
	// Name identifies the run on this machine; a random "kf-xxxxxx" when
	// empty. Cluster names are prefixed with it.
	Name string
	// Dir holds the run's kwok work dir, kubeconfig and logs; a directory
	// under Root() when empty.
	Dir string
	// BinDir holds kwokctl and the control-plane binaries: $KUBEFED_BIN_DIR,
	// or bin/ at the repository root, when empty.
	BinDir string
	// HostName is the host cluster's name; "host" when empty.
	HostName string
	// Members are the member clusters' names. Use MemberNames for the
	// conventional member1..memberN.
	Members []string
	// Nodes is the number of simulated nodes per cluster.
	Nodes int
	// PodsPerNode is how many Pods a simulated node can run; kwok's
	// default (110) when 0.
	PodsPerNode int
	// LightMembers starts the members without kube-scheduler, and with
	// only the service account token, namespace and garbage collector
	// controllers of kube-controller-manager: enough to join them and for
	// kinds that need no other controller (ConfigMaps, Secrets), at a
	// fraction of the CPU of a full member, for runs with many members.
	// Deployments get no ReplicaSets there.
	LightMembers bool
	// Runtime is RuntimeBinary or RuntimeKind; from KUBEFED_CLUSTER_RUNTIME
	// when empty, else RuntimeBinary.
	Runtime string
	// Persistent runs outlive the process that created them (the demo);
	// others are torn down by Prune once their process is gone.
	Persistent bool
	// Log receives progress lines; nil for none.
	Log io.Writer
	// Verbose also copies kwokctl's output to Log.
	Verbose bool
	// RealNode gives the host cluster a real node (containerd, runc, CNI,
	// kubelet, kube-proxy) instead of simulated ones, and makes every API
	// server of the federation reachable from its Pods (see Node). Needs
	// root on Linux, and hack/node-deps.sh's packages.
	RealNode bool
}

// MemberNames returns member1..memberN.
func MemberNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("member%d", i+1)
	}
	return out
}

// Federation is a host cluster and its member clusters on this machine.
type Federation struct {
	// Name identifies the run.
	Name string
	// Dir is the run's directory.
	Dir string
	// Host is the host cluster.
	Host *Cluster
	// Members are the member clusters, in the order of Options.Members.
	Members []*Cluster

	opts Options
	node *Node
}

// Node returns the host cluster's real node, or nil without Options.RealNode.
func (f *Federation) Node() *Node { return f.node }

// Kubeconfig returns the path of the kubeconfig holding every cluster as a
// context named after it.
func (f *Federation) Kubeconfig() string { return filepath.Join(f.Dir, "kubeconfig") }

// Clusters returns the host followed by the members.
func (f *Federation) Clusters() []*Cluster {
	return append([]*Cluster{f.Host}, f.Members...)
}

// Cluster returns the cluster with the given name, or nil.
func (f *Federation) Cluster(name string) *Cluster {
	for _, c := range f.Clusters() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (f *Federation) kwokWorkdir() string { return filepath.Join(f.Dir, "kwok") }

func (f *Federation) logf(format string, args ...any) {
	if f.opts.Log != nil {
		fmt.Fprintf(f.opts.Log, format+"\n", args...)
	}
}

func (o *Options) complete() error {
	if o.Name == "" {
		b := make([]byte, 3)
		_, _ = rand.Read(b)
		o.Name = "kf-" + hex.EncodeToString(b)
	}
	if o.Dir == "" {
		o.Dir = filepath.Join(Root(), o.Name)
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return err
	}
	o.Dir = dir
	if o.BinDir == "" {
		o.BinDir = DefaultBinDir()
	}
	if o.HostName == "" {
		o.HostName = "host"
	}
	if o.Runtime == "" {
		o.Runtime = os.Getenv("KUBEFED_CLUSTER_RUNTIME")
	}
	switch o.Runtime {
	case "", RuntimeBinary:
		o.Runtime = RuntimeBinary
		for _, b := range []string{"kwokctl", "kwok", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"} {
			if _, err := os.Stat(filepath.Join(o.BinDir, b)); err != nil {
				return fmt.Errorf("%s is missing in %s: run 'make tools' first", b, o.BinDir)
			}
		}
	case RuntimeKind:
		if _, err := exec.LookPath("docker"); err != nil {
			return errors.New("KUBEFED_CLUSTER_RUNTIME=kind needs a Docker engine, and docker is not on PATH")
		}
		if err := exec.Command("docker", "info").Run(); err != nil {
			return errors.New("KUBEFED_CLUSTER_RUNTIME=kind needs a running Docker engine: 'docker info' failed")
		}
	default:
		return fmt.Errorf("unknown cluster runtime %q: use %q or %q", o.Runtime, RuntimeBinary, RuntimeKind)
	}
	return nil
}

// DefaultBinDir returns $KUBEFED_BIN_DIR, or bin/ in the repository that
// contains the working directory.
func DefaultBinDir() string {
	if d := os.Getenv("KUBEFED_BIN_DIR"); d != "" {
		return d
	}
	if root := RepoRoot(); root != "" {
		return filepath.Join(root, "bin")
	}
	return "bin"
}

// RepoRoot returns the root of the kubefed repository that contains the
// working directory, or "" outside one.
func RepoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			strings.HasPrefix(string(data), "module github.com/kubefed/kubefed\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Up creates a local federation: the host first, then the members, one
// after the other (each takes a few seconds). On error, whatever was
// created is torn down again.
func Up(ctx context.Context, opts Options) (fed *Federation, err error) {
	if err := opts.complete(); err != nil {
		return nil, err
	}
	f := &Federation{Name: opts.Name, Dir: opts.Dir, opts: opts}
	if err := os.MkdirAll(f.kwokWorkdir(), 0o755); err != nil {
		return nil, err
	}
	err = withLock(func() error {
		if _, err := os.Stat(recordPath(f.Name)); err == nil {
			return fmt.Errorf("a local federation named %q already exists: use another name, or 'localfed down --name %s'", f.Name, f.Name)
		}
		pid := os.Getpid()
		if opts.Persistent {
			pid = 0
		}
		return writeRecord(&record{Name: f.Name, Dir: f.Dir, PID: pid, Persistent: opts.Persistent})
	})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			if f.node != nil {
				f.node.DumpLogs(os.Stderr, 40)
			}
			_ = f.Down(context.WithoutCancel(ctx))
		}
	}()
	if opts.RealNode {
		if err := f.prepareNode(ctx); err != nil {
			return nil, err
		}
	}
	for _, name := range append([]string{opts.HostName}, opts.Members...) {
		start := time.Now()
		c, err := f.createCluster(ctx, name)
		if err != nil {
			if c != nil {
				c.DumpLogs(os.Stderr, 40)
			}
			return nil, err
		}
		if f.Host == nil {
			f.Host = c
		} else {
			f.Members = append(f.Members, c)
		}
		f.logf("  cluster %-10s ready at %s (%s)", name, c.Endpoint(), time.Since(start).Round(100*time.Millisecond))
		if err := f.writeKubeconfig(); err != nil {
			return nil, err
		}
	}
	if opts.RealNode {
		start := time.Now()
		if err := f.startNode(ctx); err != nil {
			return nil, err
		}
		f.logf("  node    %-10s ready, Pods in %s, API servers at %s (%s)", f.node.Name, f.node.PodCIDR(), f.node.Gateway(), time.Since(start).Round(100*time.Millisecond))
	}
	return f, nil
}

// writeKubeconfig writes the merged kubeconfig, current context the host.
func (f *Federation) writeKubeconfig() error {
	out := clientcmdapi.NewConfig()
	for _, c := range f.Clusters() {
		if c == nil {
			continue
		}
		out.Clusters[c.Name] = c.kubecfg.Clusters[c.Name]
		out.AuthInfos[c.Name] = c.kubecfg.AuthInfos[c.Name]
		out.Contexts[c.Name] = c.kubecfg.Contexts[c.Name]
	}
	out.CurrentContext = f.opts.HostName
	return clientcmd.WriteToFile(*out, f.Kubeconfig())
}

// Open attaches to an existing local federation by name, for example the
// demo's from another process.
func Open(name string, binDir string) (*Federation, error) {
	r, err := readRecord(name)
	if err != nil {
		return nil, fmt.Errorf("no local federation named %q: %w", name, err)
	}
	opts := Options{Name: r.Name, Dir: r.Dir, BinDir: binDir, Persistent: r.Persistent}
	if err := opts.complete(); err != nil {
		return nil, err
	}
	f := &Federation{Name: r.Name, Dir: r.Dir, opts: opts}
	if s, err := readNodeState(f.Dir); err == nil {
		f.opts.RealNode = true
		f.node = &Node{Name: s.Name, Dir: nodeDir(f.Dir), runDir: f.Dir, fed: f, state: s}
	}
	kcfg, err := clientcmd.LoadFromFile(f.Kubeconfig())
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", f.Kubeconfig(), err)
	}
	f.opts.HostName = kcfg.CurrentContext
	for kwokName := range r.Clusters {
		name := strings.TrimPrefix(kwokName, r.Name+"-")
		c := &Cluster{Name: name, KwokName: kwokName, Ports: r.Clusters[kwokName], fed: f}
		if err := c.load(); err != nil {
			return nil, err
		}
		if name == kcfg.CurrentContext {
			f.Host = c
		} else {
			f.Members = append(f.Members, c)
		}
	}
	if f.Host == nil {
		return nil, fmt.Errorf("local federation %q has no host cluster %q", name, kcfg.CurrentContext)
	}
	slices.SortFunc(f.Members, func(a, b *Cluster) int { return strings.Compare(a.Name, b.Name) })
	return f, nil
}

// Down deletes every cluster of the federation, kills any process of it
// that survived, and removes its directory and registry record.
func (f *Federation) Down(ctx context.Context) error {
	var lock *os.File
	if f.node != nil {
		lock = f.node.lock
	}
	return teardown(ctx, f.opts.BinDir, f.Name, f.Dir, lock)
}

// teardown removes a run: its real node (nodeLock is the real-node lock
// when this process holds it), its clusters, its processes and directory.
func teardown(ctx context.Context, binDir, name, dir string, nodeLock *os.File) error {
	var errs []error
	if err := teardownNode(ctx, dir, nodeLock); err != nil {
		errs = append(errs, fmt.Errorf("removing the real node: %w", err))
	}
	workdir := filepath.Join(dir, "kwok")
	clusters, _ := os.ReadDir(filepath.Join(workdir, "clusters"))
	for _, c := range clusters {
		cmd := exec.CommandContext(ctx, filepath.Join(binDir, "kwokctl"), "delete", "cluster", "--name", c.Name())
		cmd.Env = append(os.Environ(), "KWOK_WORKDIR="+workdir)
		if out, err := cmd.CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("kwokctl delete cluster %s: %w: %s", c.Name(), err, out))
		}
	}
	// kwokctl stops what it recorded; anything else started from the run's
	// directory (a crashed create, say) is killed here.
	for _, pid := range ProcessesUnder(dir) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	if err := os.RemoveAll(dir); err != nil {
		errs = append(errs, err)
	}
	if err := withLock(func() error { return os.Remove(recordPath(name)) }); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ProcessesUnder returns the PIDs of the processes whose command line
// mentions dir: the control-plane processes of a run started from it.
func ProcessesUnder(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if strings.Contains(string(cmdline), dir+"/") {
			pids = append(pids, pid)
		}
	}
	return pids
}

// RunInfo describes a registered local federation.
type RunInfo struct {
	Name       string
	Dir        string
	PID        int
	Persistent bool
	Clusters   []string
	// Stale runs belong to a process that is gone (or, when persistent,
	// have lost their directory); Prune removes them.
	Stale bool
}

// List returns the registered local federations.
func List() ([]RunInfo, error) {
	var out []RunInfo
	err := withLock(func() error {
		records, err := readRecords()
		for _, r := range records {
			info := RunInfo{Name: r.Name, Dir: r.Dir, PID: r.PID, Persistent: r.Persistent, Stale: stale(r)}
			for c := range r.Clusters {
				info.Clusters = append(info.Clusters, c)
			}
			slices.Sort(info.Clusters)
			out = append(out, info)
		}
		return err
	})
	return out, err
}

func stale(r *record) bool {
	if r.Persistent {
		_, err := os.Stat(r.Dir)
		return err != nil
	}
	return !processAlive(r.PID)
}

// Prune tears down every stale local federation (whose owning process
// died without cleaning up) and returns their names.
func Prune(ctx context.Context, binDir string) ([]string, error) {
	runs, err := List()
	if err != nil {
		return nil, err
	}
	var pruned []string
	var errs []error
	for _, r := range runs {
		if !r.Stale {
			continue
		}
		if err := teardown(ctx, binDir, r.Name, r.Dir, nil); err != nil {
			errs = append(errs, fmt.Errorf("pruning %s: %w", r.Name, err))
			continue
		}
		pruned = append(pruned, r.Name)
	}
	return pruned, errors.Join(errs...)
}

// Remove tears down a registered run even when it cannot be opened (its
// kubeconfig is gone, say).
func Remove(ctx context.Context, binDir string, r RunInfo) error {
	return teardown(ctx, binDir, r.Name, r.Dir, nil)
}
