#!/usr/bin/env bash
# make demo / make demo-down: a local federation (host + 2 members) on this
# machine, state and kubeconfig in .demo/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${root}"
demo_dir="${root}/.demo"
kubeconfig="${demo_dir}/kubeconfig"
# One demo per checkout: the name is derived from the checkout's path.
name="demo-$(printf '%s' "${root}" | md5sum | cut -c1-6)"
localfed=(go run ./test/framework/cmd/localfed --bin-dir "${root}/bin")
kubectl=("${root}/bin/kubectl" --kubeconfig "${kubeconfig}")

up() {
  mkdir -p "${demo_dir}"
  "${localfed[@]}" up --name "${name}" --dir "${demo_dir}/clusters" --members 2 --nodes 2 \
    --reuse --kubeconfig "${kubeconfig}"
  echo
  for ctx in host member1 member2; do
    echo "--- nodes of ${ctx}"
    "${kubectl[@]}" --context "${ctx}" get nodes
  done
  cat <<MSG

The demo federation is running (it keeps running after this command).
  kubeconfig: ${kubeconfig}
  contexts:   host, member1, member2

Try:
  bin/kubectl --kubeconfig ${kubeconfig} --context member1 get nodes
  bin/kubectl --kubeconfig ${kubeconfig} --context host get namespaces

Remove it with: make demo-down
MSG
}

down() {
  "${localfed[@]}" down --name "${name}"
  rm -rf "${demo_dir}"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
