#!/usr/bin/env bash
# make demo / make demo-down: a local federation on this machine: a host
# cluster and two members (real control planes with simulated nodes), the
# kubefed control plane installed in the host and running as a local
# process, both members joined, and sample objects propagated. State,
# kubeconfig and logs live in .demo/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${root}"
demo_dir="${root}/.demo"
kubeconfig="${demo_dir}/kubeconfig"
namespace="kube-federation-system"
pidfile="${demo_dir}/controller-manager.pid"
logfile="${demo_dir}/controller-manager.log"
# One demo per checkout: the name is derived from the checkout's path.
name="demo-$(printf '%s' "${root}" | md5sum | cut -c1-6)"
localfed=(go run ./test/framework/cmd/localfed --bin-dir "${root}/bin")
kubectl=("${root}/bin/kubectl" --kubeconfig "${kubeconfig}")
kubefedctl=("${root}/bin/kubefedctl" --kubeconfig "${kubeconfig}" --host-cluster-context host)

step() { printf '\n==> %s\n' "$*"; }

controller_running() {
  [[ -f "${pidfile}" ]] && kill -0 "$(cat "${pidfile}")" 2>/dev/null
}

up() {
  mkdir -p "${demo_dir}"
  step "Local clusters: host, member1, member2"
  "${localfed[@]}" up --name "${name}" --dir "${demo_dir}/clusters" --members 2 --nodes 2 \
    --reuse --kubeconfig "${kubeconfig}"

  step "Control plane: CRDs, namespace ${namespace}, FederatedTypeConfigs"
  "${kubectl[@]}" --context host apply --server-side --force-conflicts -f config/crd/bases/ >/dev/null
  "${kubectl[@]}" --context host wait --for condition=Established --timeout 60s crd --all >/dev/null
  "${kubectl[@]}" --context host create namespace "${namespace}" --dry-run=client -o yaml |
    "${kubectl[@]}" --context host apply -f - >/dev/null
  for f in config/federatedtypeconfigs/*.yaml; do
    [[ "$(basename "${f}")" == kustomization.yaml ]] && continue
    "${kubectl[@]}" --context host -n "${namespace}" apply --server-side -f "${f}" >/dev/null
  done
  echo "installed $(ls config/crd/bases | wc -l) CRDs and $(( $(ls config/federatedtypeconfigs | wc -l) - 1 )) FederatedTypeConfigs"

  step "Controller-manager (local process, log in ${logfile})"
  if controller_running; then
    echo "already running (pid $(cat "${pidfile}"))"
  else
    setsid nohup "${root}/bin/controller-manager" --kubeconfig "${kubeconfig}" \
      --kubefed-namespace "${namespace}" --metrics-bind-address 127.0.0.1:18080 \
      --health-probe-bind-address 127.0.0.1:18081 >"${logfile}" 2>&1 </dev/null &
    echo $! >"${pidfile}"
    echo "started (pid $!)"
  fi

  step "Joining member1 and member2"
  for m in member1 member2; do
    "${kubefedctl[@]}" join "${m}" --cluster-context "${m}" --error-on-existing=false | grep -i joined
  done
  "${kubectl[@]}" --context host -n "${namespace}" wait --for condition=Ready --timeout 60s kubefedcluster --all >/dev/null

  step "Sample objects (config/demo/demo.yaml)"
  "${kubectl[@]}" --context host apply -f config/demo/demo.yaml
  "${kubectl[@]}" --context host -n demo wait --for condition=Propagation --timeout 60s \
    federatednamespace/demo federateddeployment/web federatedconfigmap/web-config >/dev/null
  "${kubectl[@]}" --context host -n demo wait --for condition=Ready --timeout 90s federateddeployment/web >/dev/null

  step "Status in the host"
  "${kubectl[@]}" --context host -n "${namespace}" get kubefedclusters
  echo
  "${kubectl[@]}" --context host -n demo get federateddeployments,federatedconfigmaps
  for m in member1 member2; do
    step "Propagated objects in ${m}"
    "${kubectl[@]}" --context "${m}" -n demo get deployments,configmaps -l kubefed.io/managed=true
  done
  cat <<MSG

The demo federation is running (it keeps running after this command).
  kubeconfig: ${kubeconfig}   (contexts: host, member1, member2)
  controller: pid $(cat "${pidfile}"), log ${logfile}, metrics http://127.0.0.1:18080/metrics

Try:
  bin/kubectl --kubeconfig ${kubeconfig} --context host -n demo get federateddeployment web -o yaml
  bin/kubectl --kubeconfig ${kubeconfig} --context member2 -n demo get deployment web
  bin/kubectl --kubeconfig ${kubeconfig} --context member1 get nodes

Remove it with: make demo-down
MSG
}

down() {
  if controller_running; then
    kill "$(cat "${pidfile}")" && echo "Controller-manager stopped"
  fi
  "${localfed[@]}" down --name "${name}"
  rm -rf "${demo_dir}"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
