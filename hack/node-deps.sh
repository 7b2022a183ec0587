#!/usr/bin/env bash
# Installs what a real test node needs from the system's packages:
# containerd, runc, the CNI plugins, iptables and conntrack (Debian's). The
# kubelet and kube-proxy are built by `make tools` at the pinned Kubernetes
# version. Does nothing when everything is there.
#
# Usage: hack/node-deps.sh
set -euo pipefail

missing=()
for cmd in containerd containerd-shim-runc-v2 runc ctr iptables iptables-save conntrack ip; do
  command -v "${cmd}" >/dev/null 2>&1 || missing+=("${cmd}")
done
for plugin in bridge host-local loopback; do
  [[ -x "/usr/lib/cni/${plugin}" ]] || missing+=("/usr/lib/cni/${plugin}")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "Installing the real test node's packages (missing: ${missing[*]})"
if [[ "$(id -u)" -ne 0 ]]; then
  echo "hack/node-deps.sh: installing packages needs root; as root run: hack/node-deps.sh" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "hack/node-deps.sh: no apt-get: install containerd, runc, the CNI plugins (in /usr/lib/cni), iptables and conntrack with this system's package manager" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  containerd runc containernetworking-plugins iptables conntrack iproute2
