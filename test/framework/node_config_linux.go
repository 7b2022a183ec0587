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
	"fmt"
	"path/filepath"
)

// The configuration files of the real node's daemons, rendered from the
// node's directory and its recorded state (nodeState). Each daemon keeps
// its state under the node's directory, so that teardown finds it there.

// containerdSocket is the node's containerd address: its gRPC socket.
func containerdSocket(nodeDir string) string { return filepath.Join(nodeDir, "containerd.sock") }

// containerdConfig is containerd's config.toml: the CRI plugin with the
// local pause image, runc under the node's directory, and the CNI
// configuration of cniConfig.
func (n *Node) containerdConfig() string {
	sock := containerdSocket(n.Dir)
	return fmt.Sprintf(`version = 2
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
}

// cniConfig is the node's CNI network. The bridge exists with its address;
// the plugin only attaches the Pods (no gateway set-up, no IP forwarding,
// no masquerading).
func (n *Node) cniConfig() string {
	s := n.state
	return fmt.Sprintf(`{
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
}

// kubeletConfig is the kubelet's KubeletConfiguration: it serves on the
// bridge's address, runs its Pods under the node's cgroup root and talks to
// the node's containerd.
func (n *Node) kubeletConfig() string {
	s, sock := n.state, containerdSocket(n.Dir)
	return fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
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
}

// kubeProxyConfig is kube-proxy's KubeProxyConfiguration, in iptables mode,
// for the host cluster named by hostKubeconfig.
func (n *Node) kubeProxyConfig(hostKubeconfig string) string {
	s := n.state
	return fmt.Sprintf(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
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
}
