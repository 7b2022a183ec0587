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
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubefed/kubefed/hack/imagebuild"
)

// The real node's life: preflight, the machine's real-node lock, the
// preparation before the clusters (addresses, bridge) and the start of its
// daemons after them. Their configuration is in node_config_linux.go, the
// cleanup in node_teardown_linux.go and node_leftovers_linux.go.

// Where the system's node software is: Debian's containerd, runc,
// containernetworking-plugins and iptables (hack/node-deps.sh installs them).
const (
	cniBinDir = "/usr/lib/cni"
	cgroupFS  = "/sys/fs/cgroup"
)

// pauseRef names the Pods' sandbox image, built locally (no registry is
// needed: containerd finds it loaded).
const pauseRef = "localhost/kubefed/pause:local"

// nodeSysctls are the kernel settings the kubelet sets to its liking at
// start (its "kernel tunables"); they are put back at teardown.
var nodeSysctls = []string{
	"vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops",
	"kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes",
}

// NodePreflight reports why a real node cannot run on this machine, or nil.
func NodePreflight(binDir string) error {
	var missing []string
	if os.Geteuid() != 0 {
		return errors.New("a real node needs root (it runs containerd and the kubelet): run the tests as root")
	}
	if _, err := os.Stat(filepath.Join(cgroupFS, "memory", "cgroup.procs")); err != nil {
		if _, err2 := os.Stat(filepath.Join(cgroupFS, "cgroup.controllers")); err2 != nil {
			return fmt.Errorf("a real node needs cgroups, and %s has neither the memory controller nor cgroup v2", cgroupFS)
		}
	}
	for _, b := range []string{"containerd", "containerd-shim-runc-v2", "runc", "ctr", "iptables", "iptables-save", "ip"} {
		if _, err := exec.LookPath(b); err != nil {
			missing = append(missing, b)
		}
	}
	for _, p := range []string{"bridge", "host-local", "loopback"} {
		if _, err := os.Stat(filepath.Join(cniBinDir, p)); err != nil {
			missing = append(missing, filepath.Join(cniBinDir, p))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("a real node needs %s: run hack/node-deps.sh as root to install them", strings.Join(missing, ", "))
	}
	for _, b := range []string{"kubelet", "kube-proxy"} {
		if _, err := os.Stat(filepath.Join(binDir, b)); err != nil {
			return fmt.Errorf("%s is missing in %s: run 'make tools' first", b, binDir)
		}
	}
	return nil
}

// lockNode takes the machine's real-node lock: kube-proxy's iptables chains
// and the kubelet's kernel settings are the machine's, so one real node
// runs at a time. It waits up to timeout for another run's node.
func lockNode(ctx context.Context, timeout time.Duration) (*os.File, error) {
	if err := os.MkdirAll(Root(), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(Root(), "node.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			_ = f.Close()
			return nil, fmt.Errorf("another local federation on this machine runs a real node (lock %s): wait for it, or 'localfed prune' if its process is gone: %w", f.Name(), err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// prepareNode reserves the node's addresses and ports, records them, and
// creates the Pods' bridge. It runs before the clusters are created: their
// API servers are configured for the bridge's address.
func (f *Federation) prepareNode(ctx context.Context) error {
	if err := NodePreflight(f.opts.BinDir); err != nil {
		return err
	}
	lock, err := lockNode(ctx, 10*time.Minute)
	if err != nil {
		return err
	}
	n := &Node{Name: f.Name + "-node", Dir: nodeDir(f.Dir), runDir: f.Dir, fed: f, lock: lock}
	f.node = n
	if err := os.MkdirAll(filepath.Join(n.Dir, "logs", "pods"), 0o755); err != nil {
		return err
	}
	s := &nodeState{Run: f.Name, Name: n.Name, Bridge: bridgeName(f.Name), CgroupRoot: "/kubefed-" + f.Name}
	if err := withLock(func() error { return reserveNodeAddresses(s) }); err != nil {
		return err
	}
	if err := recordMachineState(ctx, s); err != nil {
		return err
	}
	n.state = s
	// Recorded before anything is created, so that a teardown after a
	// failure here knows what to look for.
	if err := writeNodeState(f.Dir, s); err != nil {
		return err
	}
	return createBridge(ctx, s)
}

// reserveNodeAddresses picks the node's subnet, one that no other run
// recorded and no interface of this machine uses, and reserves the
// kubelet's and kube-proxy's ports. It runs under the registry's lock.
func reserveNodeAddresses(s *nodeState) error {
	used := map[int]bool{}
	records, err := readRecords()
	if err != nil {
		return err
	}
	for _, r := range records {
		if other, err := readNodeState(r.Dir); err == nil {
			used[other.Subnet] = true
		}
	}
	for i := 1; i < 255; i++ {
		if !used[i] && !addressInUse(fmt.Sprintf("198.18.%d.", i)) {
			s.Subnet = i
			break
		}
	}
	if s.Subnet == 0 {
		return errors.New("no free real-node subnet in 198.18.0.0/16: run 'localfed prune'")
	}
	ports, err := reserveExtraPorts(s.Run, "node", 4)
	if err != nil {
		return err
	}
	s.KubeletPort, s.KubeletHealthzPort, s.ProxyMetricsPort, s.ProxyHealthzPort = ports[0], ports[1], ports[2], ports[3]
	return nil
}

// recordMachineState records what the node may change on the machine as it
// is before the node starts: the kernel settings, the iptables chains and
// rules, and which of machineDirs exist.
func recordMachineState(ctx context.Context, s *nodeState) error {
	s.Sysctls = map[string]string{}
	for _, k := range nodeSysctls {
		if v, err := os.ReadFile(filepath.Join("/proc/sys", k)); err == nil {
			s.Sysctls[k] = strings.TrimSpace(string(v))
		}
	}
	var err error
	if s.Chains, s.Rules, err = iptablesChains(ctx); err != nil {
		return err
	}
	for _, d := range machineDirs {
		if _, err := os.Stat(d); err == nil {
			s.ExistingDirs = append(s.ExistingDirs, d)
		}
	}
	return nil
}

// createBridge creates the Pods' bridge with the gateway's address, routes
// the Service range to it and guards FORWARD against traffic leaving it.
func createBridge(ctx context.Context, s *nodeState) error {
	gw := s.gateway().String()
	for _, args := range [][]string{
		{"ip", "link", "add", "name", s.Bridge, "type", "bridge"},
		{"ip", "addr", "add", gw + "/24", "dev", s.Bridge},
		{"ip", "link", "set", s.Bridge, "up"},
		// Connections from this machine to Service addresses are routed to
		// the bridge (kube-proxy rewrites those it knows): none leaves it.
		{"ip", "route", "add", s.serviceCIDR(), "dev", s.Bridge},
	} {
		if err := run(ctx, args...); err != nil {
			return err
		}
	}
	for _, rule := range forwardGuard(s.Bridge, s.Run) {
		if err := run(ctx, append([]string{"iptables", "-w", "-I", "FORWARD"}, rule...)...); err != nil {
			return err
		}
	}
	return nil
}

// startNode starts containerd, the kubelet and kube-proxy against the host
// cluster, loads the pause image and waits until the Node is Ready.
func (f *Federation) startNode(ctx context.Context) error {
	n := f.node
	pauseImage := filepath.Join(n.Dir, "pause.oci.tar")
	if _, err := imagebuild.Pause(ctx, imagebuild.Options{
		RepoRoot: RepoRoot(), Version: "local", Ref: pauseRef,
		Platforms: []string{"linux/" + runtime.GOARCH},
	}, pauseImage); err != nil {
		return fmt.Errorf("building the pause image of node %s: %w", n.Name, err)
	}
	if err := n.startContainerd(ctx, pauseImage); err != nil {
		return err
	}
	// The kubelet and kube-proxy talk to the host as its administrator.
	hostKubeconfig := filepath.Join(f.kwokWorkdir(), "clusters", f.Host.KwokName, "kubeconfig.yaml")
	if err := n.startKubelet(f.opts.BinDir, hostKubeconfig); err != nil {
		return err
	}
	if err := n.startKubeProxy(f.opts.BinDir, hostKubeconfig); err != nil {
		return err
	}
	return n.waitReady(ctx, f.Host)
}

// startContainerd writes containerd's and the CNI network's configuration,
// starts containerd, waits until it answers and loads the pause image.
func (n *Node) startContainerd(ctx context.Context, pauseImage string) error {
	for _, d := range []string{"containerd", "cni/net.d", "cni/ipam", "kubelet", "certs"} {
		if err := os.MkdirAll(filepath.Join(n.Dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := writeFile(filepath.Join(n.Dir, "containerd.toml"), n.containerdConfig()); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(n.Dir, "cni", "net.d", "10-kubefed.conflist"), n.cniConfig()); err != nil {
		return err
	}
	if err := n.startProcess("containerd", "containerd", "--config", filepath.Join(n.Dir, "containerd.toml")); err != nil {
		return err
	}
	if err := waitFor(ctx, time.Minute, func() error {
		return run(ctx, "ctr", "--address", containerdSocket(n.Dir), "version")
	}); err != nil {
		return fmt.Errorf("containerd of node %s did not answer: %w", n.Name, err)
	}
	return n.ImportImage(ctx, pauseImage)
}

// startKubelet creates the node's cgroup root and starts the kubelet,
// registered in the host cluster as the node.
func (n *Node) startKubelet(binDir, hostKubeconfig string) error {
	if err := os.MkdirAll(filepath.Join(cgroupFS, "unified"), 0o755); err != nil && !os.IsExist(err) {
		return err
	}
	if err := createCgroup(n.state.CgroupRoot); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(n.Dir, "kubelet.yaml"), n.kubeletConfig()); err != nil {
		return err
	}
	return n.startProcess("kubelet", filepath.Join(binDir, "kubelet"),
		"--config", filepath.Join(n.Dir, "kubelet.yaml"),
		"--kubeconfig", hostKubeconfig,
		"--root-dir", filepath.Join(n.Dir, "kubelet"),
		"--cert-dir", filepath.Join(n.Dir, "certs"),
		"--hostname-override", n.Name,
		"--node-ip", n.state.gateway().String(),
		"--node-labels", "kubefed.io/real-node=true",
		"--v", "1")
}

// startKubeProxy starts kube-proxy for the host cluster's Services.
func (n *Node) startKubeProxy(binDir, hostKubeconfig string) error {
	if err := writeFile(filepath.Join(n.Dir, "kube-proxy.yaml"), n.kubeProxyConfig(hostKubeconfig)); err != nil {
		return err
	}
	return n.startProcess("kube-proxy", filepath.Join(binDir, "kube-proxy"),
		"--config", filepath.Join(n.Dir, "kube-proxy.yaml"), "--v", "1")
}

// waitReady waits up to two minutes until the host cluster reports the
// node Ready.
func (n *Node) waitReady(ctx context.Context, host *Cluster) error {
	cs, err := host.Clientset()
	if err != nil {
		return err
	}
	return waitFor(ctx, 2*time.Minute, func() error {
		node, err := cs.CoreV1().Nodes().Get(ctx, n.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range node.Status.Conditions {
			if c.Type == corev1.NodeReady {
				if c.Status == corev1.ConditionTrue {
					return nil
				}
				return fmt.Errorf("node %s is not Ready: %s: %s", n.Name, c.Reason, c.Message)
			}
		}
		return fmt.Errorf("node %s has no Ready condition yet", n.Name)
	})
}

// ImportImage loads an OCI image tarball (as `make image` writes) into the
// node's containerd, where the kubelet finds it without pulling.
func (n *Node) ImportImage(ctx context.Context, tarball string) error {
	sock := containerdSocket(n.Dir)
	if err := run(ctx, "ctr", "--address", sock, "-n", "k8s.io", "images", "import", "--no-unpack", tarball); err != nil {
		return fmt.Errorf("loading image %s into node %s: %w", tarball, n.Name, err)
	}
	return nil
}

// ContainerPID returns the process id, on this machine, of a container's
// main process; containerID is a Pod status's ("containerd://ID" or ID).
func (n *Node) ContainerPID(ctx context.Context, containerID string) (int, error) {
	id := strings.TrimPrefix(containerID, "containerd://")
	out, err := exec.CommandContext(ctx, "ctr", "--address", containerdSocket(n.Dir), "-n", "k8s.io", "tasks", "ls").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("listing the tasks of node %s: %w: %s", n.Name, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == id {
			return strconv.Atoi(f[1])
		}
	}
	return 0, fmt.Errorf("container %s runs no task on node %s", id, n.Name)
}

// startProcess starts one of the node's daemons in its own process group,
// logging to logs/<name>.log. Teardown finds it by the node directory in
// its command line.
func (n *Node) startProcess(name, path string, args ...string) error {
	logf, err := os.OpenFile(filepath.Join(n.LogDir(), name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s of node %s: %w", name, n.Name, err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

func run(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o644) }

func waitFor(ctx context.Context, timeout time.Duration, fn func() error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		err := fn()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("after %s: %w", timeout, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
