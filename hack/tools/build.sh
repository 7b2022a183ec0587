#!/usr/bin/env bash
# Builds the pinned toolchain into bin/: the Kubernetes control plane, etcd,
# the kubelet and kube-proxy of the real test node, kwok, helm,
# controller-gen, and CoreDNS and external-dns for the multi-cluster DNS
# tests and demo. A tool is rebuilt only when its binary is
# missing or its pinned module version changed (recorded in bin/.versions/).
#
# Usage: hack/tools/build.sh BIN_DIR [TOOL...]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$(mkdir -p "$1" && cd "$1" && pwd)"
shift
stamps="${bin}/.versions"
mkdir -p "${stamps}"

# One build at a time per bin/: make targets that need a tool call this
# script, and several may run at once.
exec 9>"${stamps}/.lock"
flock 9

# tool name | module dir (relative to hack/tools) | package | pinned module
tools=(
  "kube-apiserver|.|k8s.io/kubernetes/cmd/kube-apiserver|k8s.io/kubernetes"
  "kube-controller-manager|.|k8s.io/kubernetes/cmd/kube-controller-manager|k8s.io/kubernetes"
  "kube-scheduler|.|k8s.io/kubernetes/cmd/kube-scheduler|k8s.io/kubernetes"
  "kubectl|.|k8s.io/kubernetes/cmd/kubectl|k8s.io/kubernetes"
  "kubelet|.|k8s.io/kubernetes/cmd/kubelet|k8s.io/kubernetes"
  "kube-proxy|.|k8s.io/kubernetes/cmd/kube-proxy|k8s.io/kubernetes"
  "etcd|.|github.com/kubefed/kubefed/hack/tools/etcd|go.etcd.io/etcd/server/v3"
  "helm|.|helm.sh/helm/v3/cmd/helm|helm.sh/helm/v3"
  "controller-gen|.|sigs.k8s.io/controller-tools/cmd/controller-gen|sigs.k8s.io/controller-tools"
  "kwok|kwok|sigs.k8s.io/kwok/cmd/kwok|sigs.k8s.io/kwok"
  "kwokctl|kwok|sigs.k8s.io/kwok/cmd/kwokctl|sigs.k8s.io/kwok"
  "coredns|coredns|github.com/kubefed/kubefed/hack/tools/coredns|github.com/coredns/coredns"
  "external-dns|external-dns|github.com/kubefed/kubefed/hack/tools/external-dns|sigs.k8s.io/external-dns"
)

want=("$@")
selected() {
  [[ ${#want[@]} -eq 0 ]] && return 0
  local t
  for t in "${want[@]}"; do [[ "$t" == "$1" ]] && return 0; done
  return 1
}

for entry in "${tools[@]}"; do
  IFS='|' read -r name dir pkg mod <<<"${entry}"
  selected "${name}" || continue
  version="$(cd "${root}/${dir}" && go list -m -f '{{.Version}}' "${mod}")"
  # A main of our own (coredns, external-dns) also changes with its
  # source: stamp a hash of it, so that an edited wrapper is rebuilt.
  if [[ "${pkg}" == github.com/kubefed/kubefed/hack/tools/* && "${name}" != etcd ]]; then
    version+="+$(cat "${root}/${pkg#github.com/kubefed/kubefed/hack/tools/}"/*.go | sha256sum | cut -c1-8)"
  fi
  stamp="${stamps}/${name}"
  if [[ -x "${bin}/${name}" && -f "${stamp}" && "$(cat "${stamp}")" == "${version}" ]]; then
    printf '  %-24s %-10s up to date\n' "${name}" "${version}"
    continue
  fi
  start=${SECONDS}
  printf '  %-24s %-10s building...\n' "${name}" "${version}"
  (
    cd "${root}/${dir}"
    # Release-style flags: static, stripped, with the version kubectl and
    # the API server report (kwokctl checks the apiserver's version).
    ldflags="-s -w"
    if [[ "${mod}" == "k8s.io/kubernetes" ]]; then
      for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
        ldflags+=" -X ${p}.gitVersion=${version} -X ${p}.gitMajor=1 -X ${p}.gitMinor=$(echo "${version}" | cut -d. -f2)"
        ldflags+=" -X ${p}.gitTreeState=clean -X ${p}.buildDate=1970-01-01T00:00:00Z"
      done
    fi
    CGO_ENABLED=0 go build -trimpath -ldflags "${ldflags}" -o "${bin}/.${name}.tmp" "${pkg}"
  )
  mv "${bin}/.${name}.tmp" "${bin}/${name}"
  echo "${version}" >"${stamp}"
  printf '  %-24s %-10s built in %ds\n' "${name}" "${version}" "$((SECONDS - start))"
done
