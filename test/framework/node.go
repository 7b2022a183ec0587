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
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// A real node runs Pods for real: containerd, runc and the CNI plugins of
// the system, and the kubelet and kube-proxy that `make tools` built at the
// pinned Kubernetes version. A federation has at most one, in its host
// cluster (Options.RealNode). Its Pods live on a bridge of their own, and
// reach the API servers of every cluster of the federation at the bridge's
// address (Federation.NodeGateway), where those API servers listen and for
// which their certificates are issued.
//
// Addresses come from 198.18.0.0/15, the range set aside for network tests
// (RFC 2544): Pods in 198.18.N.0/24, Services in 198.19.N.0/24, N chosen
// per run. Nothing is routed off the machine: IP forwarding is left as it
// is (and forwarding off the bridge is dropped when it is on), and the
// Service range is routed to the bridge.
//
// Everything a node creates is recorded in nodeState, in the run's
// directory, so that Down, and Prune after a crash, remove it: processes,
// mounts, network namespaces, the bridge, iptables rules and chains,
// cgroups, and the kernel settings the kubelet changes.

// nodeStateFile is where a run's node records what it created.
const nodeStateFile = "node.json"

// nodeState is what a real node created, as recorded in its directory.
type nodeState struct {
	// Run is the federation's name.
	Run string `json:"run"`
	// Name is the Node's name in the host cluster.
	Name string `json:"name"`
	// Subnet is N of the Pod range 198.18.N.0/24 and the Service range
	// 198.19.N.0/24.
	Subnet int `json:"subnet"`
	// Bridge is the Pods' bridge interface.
	Bridge string `json:"bridge"`
	// CgroupRoot is the kubelet's cgroup root, in every hierarchy.
	CgroupRoot string `json:"cgroupRoot"`
	// Sysctls are the kernel settings the kubelet may change, with their
	// values before it started.
	Sysctls map[string]string `json:"sysctls,omitempty"`
	// Chains are the user-defined iptables chains there were before the
	// node started, per table: every other one is the node's.
	Chains map[string][]string `json:"chains,omitempty"`
	// Rules are the iptables rules there were before the node started
	// ("TABLE -A CHAIN ..."), to check that none is left after it.
	Rules []string `json:"rules,omitempty"`
	// ExistingDirs are the directories of machineDirs that were there
	// before the node started.
	ExistingDirs []string `json:"existingDirs,omitempty"`
	// Ports are the kubelet's and kube-proxy's ports.
	KubeletPort, KubeletHealthzPort, ProxyMetricsPort, ProxyHealthzPort uint32
}

func (s *nodeState) gateway() net.IP { return net.IPv4(198, 18, byte(s.Subnet), 1).To4() }

func (s *nodeState) podCIDR() string { return fmt.Sprintf("198.18.%d.0/24", s.Subnet) }

func (s *nodeState) serviceCIDR() string { return fmt.Sprintf("198.19.%d.0/24", s.Subnet) }

// kubernetesServiceIP is the ClusterIP of the "kubernetes" Service: the
// first address of the Service range.
func (s *nodeState) kubernetesServiceIP() string { return fmt.Sprintf("198.19.%d.1", s.Subnet) }

func nodeDir(runDir string) string { return filepath.Join(runDir, "node") }

func readNodeState(runDir string) (*nodeState, error) {
	data, err := os.ReadFile(filepath.Join(nodeDir(runDir), nodeStateFile))
	if err != nil {
		return nil, err
	}
	s := &nodeState{}
	return s, json.Unmarshal(data, s)
}

func writeNodeState(runDir string, s *nodeState) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(nodeDir(runDir), nodeStateFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(nodeDir(runDir), nodeStateFile))
}

// Node is the real node of a federation's host cluster.
type Node struct {
	// Name is the Node's name in the host cluster.
	Name string
	// Dir holds the node's configuration, state and logs.
	Dir string

	fed    *Federation
	runDir string
	state  *nodeState
	lock   *os.File
}

// NodeOf returns the real node recorded in the directory of a run, for
// checking what it left behind (Leftovers) after its process died and
// Prune removed the run.
func NodeOf(runDir string) (*Node, error) {
	s, err := readNodeState(runDir)
	if err != nil {
		return nil, fmt.Errorf("run %s has no real node: %w", runDir, err)
	}
	return &Node{Name: s.Name, Dir: nodeDir(runDir), runDir: runDir, state: s}, nil
}

// Gateway returns the address of the node's bridge, where the Pods reach
// the API servers of the federation.
func (n *Node) Gateway() string { return n.state.gateway().String() }

// PodCIDR returns the range of the node's Pod addresses.
func (n *Node) PodCIDR() string { return n.state.podCIDR() }

// ServiceCIDR returns the host cluster's Service range.
func (n *Node) ServiceCIDR() string { return n.state.serviceCIDR() }

// LogDir returns the directory of the node's logs: containerd, kubelet and
// kube-proxy, and under pods/ the containers' own logs.
func (n *Node) LogDir() string { return filepath.Join(n.Dir, "logs") }

// PodLogDir returns the directory of the containers' logs (the kubelet's
// podLogsDir: <namespace>_<pod>_<uid>/<container>/<restart>.log).
func (n *Node) PodLogDir() string { return filepath.Join(n.Dir, "logs", "pods") }

// ContainerLogs returns the logs of every container of the Pods whose name
// starts with podPrefix in namespace, the last lines of each.
func (n *Node) ContainerLogs(namespace, podPrefix string, lines int) string {
	var b strings.Builder
	pods, _ := os.ReadDir(n.PodLogDir())
	for _, p := range pods {
		if !strings.HasPrefix(p.Name(), namespace+"_"+podPrefix) {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(n.PodLogDir(), p.Name(), "*", "*.log"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			fmt.Fprintf(&b, "=== %s\n%s\n", strings.TrimPrefix(f, n.PodLogDir()+"/"), lastLines(string(data), lines))
		}
	}
	return b.String()
}

// DumpLogs writes the last lines of the node's component logs.
func (n *Node) DumpLogs(w io.Writer, lines int) {
	for _, name := range []string{"containerd", "kubelet", "kube-proxy"} {
		data, err := os.ReadFile(filepath.Join(n.LogDir(), name+".log"))
		if err != nil {
			continue
		}
		fmt.Fprintf(w, "=== node %s: %s.log (last %d lines)\n%s\n", n.Name, name, lines, lastLines(string(data), lines))
	}
}

func lastLines(s string, n int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > n {
		all = all[len(all)-n:]
	}
	return strings.Join(all, "\n")
}
