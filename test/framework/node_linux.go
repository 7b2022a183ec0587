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
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubefed/kubefed/hack/imagebuild"
)

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
	err = withLock(func() error {
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
		ports, err := reserveExtraPorts(f.Name, "node", 4)
		if err != nil {
			return err
		}
		s.KubeletPort, s.KubeletHealthzPort, s.ProxyMetricsPort, s.ProxyHealthzPort = ports[0], ports[1], ports[2], ports[3]
		return nil
	})
	if err != nil {
		return err
	}
	s.Sysctls = map[string]string{}
	for _, k := range nodeSysctls {
		if v, err := os.ReadFile(filepath.Join("/proc/sys", k)); err == nil {
			s.Sysctls[k] = strings.TrimSpace(string(v))
		}
	}
	if s.Chains, s.Rules, err = iptablesChains(ctx); err != nil {
		return err
	}
	for _, d := range machineDirs {
		if _, err := os.Stat(d); err == nil {
			s.ExistingDirs = append(s.ExistingDirs, d)
		}
	}
	n.state = s
	// Recorded before anything is created, so that a teardown after a
	// failure here knows what to look for.
	if err := writeNodeState(f.Dir, s); err != nil {
		return err
	}
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
	for _, rule := range forwardGuard(s.Bridge, f.Name) {
		if err := run(ctx, append([]string{"iptables", "-w", "-I", "FORWARD"}, rule...)...); err != nil {
			return err
		}
	}
	return nil
}

// bridgeName is the Pods' bridge of a run: at most 15 characters.
func bridgeName(run string) string {
	name := "kfbr-" + strings.TrimPrefix(run, "kf-")
	if len(name) > 15 {
		name = name[:15]
	}
	return name
}

// forwardGuard are the FORWARD rules that keep the Pods' traffic on the
// bridge, whatever the machine's IP forwarding setting.
func forwardGuard(bridge, run string) [][]string {
	comment := []string{"-m", "comment", "--comment", "kubefed real node " + run}
	return [][]string{
		append([]string{"-i", bridge, "!", "-o", bridge}, append(comment, "-j", "DROP")...),
		append([]string{"-o", bridge, "!", "-i", bridge}, append(comment, "-j", "DROP")...),
	}
}

func addressInUse(prefix string) bool {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if strings.HasPrefix(a.String(), prefix) {
			return true
		}
	}
	return false
}

// startNode starts containerd, the kubelet and kube-proxy against the host
// cluster, loads the pause image and waits until the Node is Ready.
func (f *Federation) startNode(ctx context.Context) error {
	n, s := f.node, f.node.state
	pauseImage := filepath.Join(n.Dir, "pause.oci.tar")
	if _, err := imagebuild.Pause(ctx, imagebuild.Options{
		RepoRoot: RepoRoot(), Version: "local", Ref: pauseRef,
		Platforms: []string{"linux/" + runtime.GOARCH},
	}, pauseImage); err != nil {
		return fmt.Errorf("building the pause image of node %s: %w", n.Name, err)
	}
	sock := filepath.Join(n.Dir, "containerd.sock")
	for _, d := range []string{"containerd", "cni/net.d", "cni/ipam", "kubelet", "certs"} {
		if err := os.MkdirAll(filepath.Join(n.Dir, d), 0o755); err != nil {
			return err
		}
	}
	containerdConfig := fmt.Sprintf(`version = 2
root = %[1]q
state = %[2]q
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = %[3]q

[ttrpc]
  address = %[4]q

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %[5]q
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = %[9]q
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %[6]q
    conf_dir = %[7]q

[plugins."io.containerd.internal.v1.opt"]
  path = %[8]q
`, filepath.Join(n.Dir, "containerd", "root"), filepath.Join(n.Dir, "containerd", "state"), sock, sock+".ttrpc",
		pauseRef, cniBinDir, filepath.Join(n.Dir, "cni", "net.d"), filepath.Join(n.Dir, "containerd", "opt"),
		filepath.Join(n.Dir, "runc"))
	if err := writeFile(filepath.Join(n.Dir, "containerd.toml"), containerdConfig); err != nil {
		return err
	}
	// The bridge exists with its address; the plugin only attaches the
	// Pods (no gateway set-up, no IP forwarding, no masquerading).
	cni := fmt.Sprintf(`{
  "cniVersion": "0.4.0",
  "name": %q,
  "plugins": [{
    "type": "bridge",
    "bridge": %q,
    "isGateway": false,
    "ipMasq": false,
    "hairpinMode": true,
    "ipam": {
      "type": "host-local",
      "ranges": [[{"subnet": %q, "gateway": %q}]],
      "routes": [{"dst": "0.0.0.0/0", "gw": %q}],
      "dataDir": %q
    }
  }]
}
`, cniNetwork(s.Run), s.Bridge, s.podCIDR(), s.gateway(), s.gateway(), filepath.Join(n.Dir, "cni", "ipam"))
	if err := writeFile(filepath.Join(n.Dir, "cni", "net.d", "10-kubefed.conflist"), cni); err != nil {
		return err
	}
	if err := n.startProcess("containerd", "containerd", "--config", filepath.Join(n.Dir, "containerd.toml")); err != nil {
		return err
	}
	if err := waitFor(ctx, time.Minute, func() error {
		return run(ctx, "ctr", "--address", sock, "version")
	}); err != nil {
		return fmt.Errorf("containerd of node %s did not answer: %w", n.Name, err)
	}
	if err := n.ImportImage(ctx, pauseImage); err != nil {
		return err
	}

	// The kubelet and kube-proxy talk to the host as its administrator.
	hostKubeconfig := filepath.Join(f.kwokWorkdir(), "clusters", f.Host.KwokName, "kubeconfig.yaml")
	if err := os.MkdirAll(filepath.Join(cgroupFS, "unified"), 0o755); err != nil && !os.IsExist(err) {
		return err
	}
	if err := createCgroup(s.CgroupRoot); err != nil {
		return err
	}
	kubelet := fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: %[1]s
port: %[2]d
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: %[3]d
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization:
  mode: AlwaysAllow
cgroupDriver: cgroupfs
cgroupRoot: %[4]s
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://%[5]s
imageServiceEndpoint: unix://%[5]s
podLogsDir: %[6]s
resolvConf: /etc/resolv.conf
maxPods: 30
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 100Mi
  nodefs.available: "1%%"
  nodefs.inodesFree: "1%%"
  imagefs.available: "1%%"
nodeStatusUpdateFrequency: 4s
syncFrequency: 10s
`, s.gateway(), s.KubeletPort, s.KubeletHealthzPort, s.CgroupRoot, sock, n.PodLogDir())
	if err := writeFile(filepath.Join(n.Dir, "kubelet.yaml"), kubelet); err != nil {
		return err
	}
	if err := n.startProcess("kubelet", filepath.Join(f.opts.BinDir, "kubelet"),
		"--config", filepath.Join(n.Dir, "kubelet.yaml"),
		"--kubeconfig", hostKubeconfig,
		"--root-dir", filepath.Join(n.Dir, "kubelet"),
		"--cert-dir", filepath.Join(n.Dir, "certs"),
		"--hostname-override", n.Name,
		"--node-ip", s.gateway().String(),
		"--node-labels", "kubefed.io/real-node=true",
		"--v", "1"); err != nil {
		return err
	}
	proxy := fmt.Sprintf(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: %[1]s
hostnameOverride: %[2]s
bindAddress: %[3]s
healthzBindAddress: 127.0.0.1:%[4]d
metricsBindAddress: 127.0.0.1:%[5]d
mode: iptables
clusterCIDR: %[6]s
nodePortAddresses: [%[3]s/32]
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
iptables:
  syncPeriod: 10s
  minSyncPeriod: 0s
`, hostKubeconfig, n.Name, s.gateway(), s.ProxyHealthzPort, s.ProxyMetricsPort, s.podCIDR())
	if err := writeFile(filepath.Join(n.Dir, "kube-proxy.yaml"), proxy); err != nil {
		return err
	}
	if err := n.startProcess("kube-proxy", filepath.Join(f.opts.BinDir, "kube-proxy"),
		"--config", filepath.Join(n.Dir, "kube-proxy.yaml"), "--v", "1"); err != nil {
		return err
	}
	cs, err := f.Host.Clientset()
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
	sock := filepath.Join(n.Dir, "containerd.sock")
	if err := run(ctx, "ctr", "--address", sock, "-n", "k8s.io", "images", "import", "--no-unpack", tarball); err != nil {
		return fmt.Errorf("loading image %s into node %s: %w", tarball, n.Name, err)
	}
	return nil
}

// ContainerPID returns the process id, on this machine, of a container's
// main process; containerID is a Pod status's ("containerd://ID" or ID).
func (n *Node) ContainerPID(ctx context.Context, containerID string) (int, error) {
	id := strings.TrimPrefix(containerID, "containerd://")
	out, err := exec.CommandContext(ctx, "ctr", "--address", filepath.Join(n.Dir, "containerd.sock"), "-n", "k8s.io", "tasks", "ls").CombinedOutput()
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

// teardownNode removes everything the real node of the run in dir created.
// The machine-wide parts (new iptables chains, the kernel settings) are
// cleaned only with the real-node lock: lock when this process holds it,
// else taken here, and left alone while another live run holds it.
func teardownNode(ctx context.Context, dir string, lock *os.File) error {
	if lock != nil {
		defer lock.Close()
	}
	s, err := readNodeState(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the real node's record: %w", err)
	}
	if lock == nil {
		// Prune: the lock is free when no live run holds a node.
		if lock, err = lockNode(ctx, 0); err == nil {
			defer lock.Close()
		} else {
			lock = nil
		}
	}
	var errs []error
	ndir := nodeDir(dir)
	// The kubelet first, so that it restarts nothing; then the containers,
	// found by their cgroups; then containerd and its shims.
	killUnder(ndir, "kubelet", "kube-proxy")
	if err := killCgroup(s.CgroupRoot); err != nil {
		errs = append(errs, err)
	}
	deleteTasks(ctx, ndir)
	killUnder(ndir)
	unmountUnder(ndir)
	removeCNICache(ndir, s.Run)
	// Directories containerd's shims make outside the node's directory
	// (their sockets' and runc's), when they were not there before.
	for i := len(machineDirs) - 1; i >= 0; i-- {
		if !slices.Contains(s.ExistingDirs, machineDirs[i]) {
			_ = os.Remove(machineDirs[i]) // only when empty: another containerd may use it
		}
	}
	if err := removeCgroup(s.CgroupRoot); err != nil {
		errs = append(errs, err)
	}
	// The Pods' veth ends go with their network namespaces; whatever is
	// still attached to the bridge goes with it.
	if out, err := exec.CommandContext(ctx, "ip", "-o", "link", "show", "master", s.Bridge).Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if f := strings.Fields(line); len(f) > 1 {
				_ = run(ctx, "ip", "link", "del", strings.SplitN(strings.TrimSuffix(f[1], ":"), "@", 2)[0])
			}
		}
	}
	if linkExists(s.Bridge) {
		if err := run(ctx, "ip", "link", "del", s.Bridge); err != nil {
			errs = append(errs, err)
		}
	}
	for _, rule := range forwardGuard(s.Bridge, s.Run) {
		for run(ctx, append([]string{"iptables", "-w", "-D", "FORWARD"}, rule...)...) == nil {
		}
	}
	if lock != nil {
		if err := removeNewChains(ctx, s.Chains); err != nil {
			errs = append(errs, err)
		}
		for k, v := range s.Sysctls {
			if err := os.WriteFile(filepath.Join("/proc/sys", k), []byte(v), 0o644); err != nil {
				errs = append(errs, fmt.Errorf("restoring %s: %w", k, err))
			}
		}
	}
	return errors.Join(errs...)
}

// machineDirs are made outside the node's directory wherever containerd's
// own directories are: by its shims (their sockets, runc's state) and by the
// CNI library (its cache), parents first.
var machineDirs = []string{"/run/containerd", "/run/containerd/s", "/run/containerd/runc", "/run/containerd/runc/k8s.io",
	"/var/lib/cni", cniCacheDir}

// cniCacheDir is where the CNI library keeps the results of the networks it
// set up, by network name and sandbox.
const cniCacheDir = "/var/lib/cni/results"

// cniNetwork names the node's CNI network, after the run.
func cniNetwork(run string) string { return "kubefed-" + run }

// cniCacheEntries returns the CNI library's cached results of the node's
// Pods: its network's, and the loopback ones of its sandboxes.
func cniCacheEntries(ndir, run string) []string {
	var out []string
	entries, _ := os.ReadDir(cniCacheDir)
	sandboxes, _ := os.ReadDir(filepath.Join(ndir, "containerd", "root", "io.containerd.grpc.v1.cri", "sandboxes"))
	for _, e := range entries {
		mine := strings.HasPrefix(e.Name(), cniNetwork(run)+"-")
		for _, sb := range sandboxes {
			mine = mine || strings.HasPrefix(e.Name(), "cni-loopback-"+sb.Name()+"-")
		}
		if mine {
			out = append(out, filepath.Join(cniCacheDir, e.Name()))
		}
	}
	return out
}

func removeCNICache(ndir, run string) {
	for _, p := range cniCacheEntries(ndir, run) {
		_ = os.Remove(p)
	}
}

// deleteTasks has containerd, when it still runs, delete the node's tasks
// (their processes were killed): their shims then exit and remove their
// sockets, which are outside the node's directory. A shim whose containerd
// is gone is killed with it, and its socket removed here.
func deleteTasks(ctx context.Context, ndir string) {
	sock := filepath.Join(ndir, "containerd.sock")
	ctr := func(args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return exec.CommandContext(ctx, "ctr", append([]string{"--address", sock, "-n", "k8s.io"}, args...)...).CombinedOutput()
	}
	if out, err := ctr("tasks", "ls", "-q"); err == nil {
		for _, id := range strings.Fields(string(out)) {
			_, _ = ctr("tasks", "delete", "--force", id)
		}
	}
	// Whatever is left: the shims' sockets are named by a hash of
	// containerd's address, the namespace and the task's id.
	tasks, _ := os.ReadDir(filepath.Join(ndir, "containerd", "state", "io.containerd.runtime.v2.task", "k8s.io"))
	for _, t := range tasks {
		sum := sha256.Sum256([]byte(filepath.Join(sock, "k8s.io", t.Name())))
		_ = os.Remove(filepath.Join("/run/containerd/s", hex.EncodeToString(sum[:])))
	}
}

// killUnder kills the processes whose command line mentions dir (and, when
// names are given, whose executable is one of them), and waits until they
// are gone.
func killUnder(dir string, names ...string) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		var left []int
		for _, pid := range ProcessesUnder(dir) {
			if len(names) > 0 {
				comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
				if !slices.Contains(names, strings.TrimSpace(string(comm))) {
					continue
				}
			}
			_ = syscall.Kill(pid, syscall.SIGKILL)
			left = append(left, pid)
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cgroupHierarchies returns the mounted cgroup hierarchies: every v1
// controller's and the unified one.
func cgroupHierarchies() []string {
	entries, _ := os.ReadDir(cgroupFS)
	var out []string
	if _, err := os.Stat(filepath.Join(cgroupFS, "cgroup.controllers")); err == nil {
		return []string{cgroupFS}
	}
	for _, e := range entries {
		p := filepath.Join(cgroupFS, e.Name())
		if _, err := os.Stat(filepath.Join(p, "cgroup.procs")); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// createCgroup creates the kubelet's cgroup root in every hierarchy; a new
// cpuset gets its parent's CPUs and memory nodes.
func createCgroup(root string) error {
	for _, h := range cgroupHierarchies() {
		p := filepath.Join(h, root)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return fmt.Errorf("creating cgroup %s: %w", p, err)
		}
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			if v, err := os.ReadFile(filepath.Join(h, f)); err == nil {
				_ = os.WriteFile(filepath.Join(p, f), v, 0o644)
			}
		}
	}
	return nil
}

// killCgroup kills every process in the cgroup root's subtree, until none
// is left.
func killCgroup(root string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		pids := cgroupProcs(root)
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %v of cgroup %s did not exit", pids, root)
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func cgroupProcs(root string) []int {
	seen := map[int]bool{}
	for _, h := range cgroupHierarchies() {
		_ = filepath.WalkDir(filepath.Join(h, root), func(path string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			data, _ := os.ReadFile(filepath.Join(path, "cgroup.procs"))
			for _, l := range strings.Fields(string(data)) {
				if pid, err := strconv.Atoi(l); err == nil {
					seen[pid] = true
				}
			}
			return nil
		})
	}
	out := make([]int, 0, len(seen))
	for pid := range seen {
		out = append(out, pid)
	}
	slices.Sort(out)
	return out
}

// removeCgroup removes the cgroup root's subtree, deepest first.
func removeCgroup(root string) error {
	var errs []error
	for _, h := range cgroupHierarchies() {
		var dirs []string
		_ = filepath.WalkDir(filepath.Join(h, root), func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			var err error
			for try := 0; try < 50; try++ {
				if err = syscall.Rmdir(dirs[i]); err == nil || errors.Is(err, syscall.ENOENT) {
					err = nil
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("removing cgroup %s: %w", dirs[i], err))
			}
		}
	}
	return errors.Join(errs...)
}

// mountsUnder returns the mount points at or below dir, deepest first.
func mountsUnder(dir string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

func unescapeMount(s string) string {
	r := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)
	return r.Replace(s)
}

// unmountUnder unmounts everything at or below dir: container root file
// systems, volumes, the Pods' network namespaces.
func unmountUnder(dir string) {
	for range 5 {
		mounts := mountsUnder(dir)
		if len(mounts) == 0 {
			return
		}
		for _, mp := range mounts {
			_ = syscall.Unmount(mp, syscall.MNT_DETACH)
		}
	}
}

func linkExists(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}

// iptablesChains returns the user-defined chains of every IPv4 table, by
// table, and the rules of every chain ("-A CHAIN ..." lines).
func iptablesChains(ctx context.Context) (chains map[string][]string, rules []string, err error) {
	out, err := exec.CommandContext(ctx, "iptables-save").Output()
	if err != nil {
		return nil, nil, fmt.Errorf("iptables-save: %w", err)
	}
	chains = map[string][]string{}
	table := ""
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "*"):
			table = line[1:]
		case strings.HasPrefix(line, ":"):
			// ":NAME POLICY [counters]": built-in chains have a policy.
			if f := strings.Fields(line[1:]); len(f) > 1 && f[1] == "-" {
				chains[table] = append(chains[table], f[0])
			}
		case strings.HasPrefix(line, "-A "):
			rules = append(rules, table+" "+line)
		}
	}
	return chains, rules, nil
}

// removeNewChains removes the iptables chains that were not there before
// the node started (kube-proxy's and the kubelet's), and the rules of the
// chains that were there that jump to them.
func removeNewChains(ctx context.Context, before map[string][]string) error {
	now, _, err := iptablesChains(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for table, chains := range now {
		var added []string
		for _, c := range chains {
			if !slices.Contains(before[table], c) {
				added = append(added, c)
			}
		}
		if len(added) == 0 {
			continue
		}
		// Rules in the old chains that jump to a new one.
		out, err := exec.CommandContext(ctx, "iptables-save", "-t", table).Output()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 || f[0] != "-A" || slices.Contains(added, f[1]) {
				continue
			}
			for i := range len(f) - 1 {
				if (f[i] == "-j" || f[i] == "-g") && slices.Contains(added, f[i+1]) {
					args := append([]string{"iptables", "-w", "-t", table, "-D"}, f[1:]...)
					if err := runShellWords(ctx, args); err != nil {
						errs = append(errs, err)
					}
					break
				}
			}
		}
		for _, c := range added {
			_ = run(ctx, "iptables", "-w", "-t", table, "-F", c)
		}
		for _, c := range added {
			if err := run(ctx, "iptables", "-w", "-t", table, "-X", c); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// runShellWords runs an iptables-save rule line split into words, with the
// quotes iptables-save puts around comments removed.
func runShellWords(ctx context.Context, args []string) error {
	var words []string
	var quoted []string
	for _, a := range args {
		switch {
		case quoted != nil:
			quoted = append(quoted, a)
			if strings.HasSuffix(a, `"`) {
				words = append(words, strings.Trim(strings.Join(quoted, " "), `"`))
				quoted = nil
			}
		case strings.HasPrefix(a, `"`) && !(len(a) > 1 && strings.HasSuffix(a, `"`)):
			quoted = []string{a}
		default:
			words = append(words, strings.Trim(a, `"`))
		}
	}
	return run(ctx, words...)
}

// Leftovers lists what the node left on the machine after its federation
// was torn down: processes, mounts, the bridge and its addresses, cgroups,
// iptables chains and rules that were not there before it, changed kernel
// settings. Empty after a clean teardown.
func (n *Node) Leftovers(ctx context.Context) []string {
	return nodeLeftovers(ctx, n.runDir, n.state)
}

func nodeLeftovers(ctx context.Context, dir string, s *nodeState) []string {
	var out []string
	if pids := ProcessesUnder(dir); len(pids) > 0 {
		out = append(out, fmt.Sprintf("processes %v", pids))
	}
	if pids := cgroupProcs(s.CgroupRoot); len(pids) > 0 {
		out = append(out, fmt.Sprintf("processes %v in cgroup %s", pids, s.CgroupRoot))
	}
	for _, h := range cgroupHierarchies() {
		if _, err := os.Stat(filepath.Join(h, s.CgroupRoot)); err == nil {
			out = append(out, "cgroup "+filepath.Join(h, s.CgroupRoot))
		}
	}
	if m := mountsUnder(dir); len(m) > 0 {
		out = append(out, fmt.Sprintf("mounts %v", m))
	}
	if linkExists(s.Bridge) {
		out = append(out, "interface "+s.Bridge)
	}
	if links, err := net.Interfaces(); err == nil {
		for _, l := range links {
			if addrs, _ := l.Addrs(); slices.ContainsFunc(addrs, func(a net.Addr) bool {
				return strings.HasPrefix(a.String(), fmt.Sprintf("198.18.%d.", s.Subnet))
			}) {
				out = append(out, "address on "+l.Name)
			}
		}
	}
	if now, rules, err := iptablesChains(ctx); err == nil {
		for table, chains := range now {
			for _, c := range chains {
				if !slices.Contains(s.Chains[table], c) {
					out = append(out, fmt.Sprintf("iptables chain %s/%s", table, c))
				}
			}
		}
		for _, r := range rules {
			if !slices.Contains(s.Rules, r) {
				out = append(out, "iptables rule "+r)
			}
		}
	}
	if c := cniCacheEntries(nodeDir(dir), s.Run); len(c) > 0 {
		out = append(out, fmt.Sprintf("CNI results %v", c))
	}
	for _, d := range machineDirs {
		if _, err := os.Stat(d); err == nil && !slices.Contains(s.ExistingDirs, d) {
			out = append(out, "directory "+d)
		}
	}
	for k, v := range s.Sysctls {
		if now, err := os.ReadFile(filepath.Join("/proc/sys", k)); err == nil && strings.TrimSpace(string(now)) != v {
			out = append(out, fmt.Sprintf("sysctl %s=%s (was %s)", k, strings.TrimSpace(string(now)), v))
		}
	}
	return out
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
