#!/usr/bin/env bash
# make demo / make demo-down: a local federation on this machine: a host
# cluster and two members (real control planes with simulated nodes), the
# kubefed Helm chart installed in the host, the controller manager running
# as a local process with the chart's ServiceAccount identity (the chart's
# Deployment is left out: its Pods cannot run on simulated nodes), both
# members joined, and sample objects propagated; then multi-cluster DNS: a
# load-balancer simulator for the members, external-dns and CoreDNS
# (bin/coredns on 127.0.0.1:15353) publishing one federated Service under one
# name that resolves to both members' addresses. State, kubeconfigs and logs
# live in .demo/. Both commands can be repeated: `make demo` on a running
# demo brings it up to date, `make demo-down` on none does nothing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${root}"
demo_dir="${root}/.demo"
kubeconfig="${demo_dir}/kubeconfig"
controller_kubeconfig="${demo_dir}/controller.kubeconfig"
namespace="kube-federation-system"
release="kubefed"
# The chart's ServiceAccount of the controller manager.
service_account="kubefed-controller"
# How long the controller manager's token is valid; `make demo` on a demo
# whose controller manager stopped writes a new one.
token_duration="24h"
metrics_addr="127.0.0.1:18080"
probe_addr="127.0.0.1:18081"
pidfile="${demo_dir}/controller-manager.pid"
logfile="${demo_dir}/controller-manager.log"
# Load-balancer simulators and the DNS stack (etcd, CoreDNS, external-dns)
# run in one local process, 'localfed dns'.
dns_server="127.0.0.1:15353"
dns_pidfile="${demo_dir}/dns.pid"
dns_logfile="${demo_dir}/dns.log"
dns_name="web.demo.kubefed.svc.example.test"
# One demo per checkout: the name is derived from the checkout's path.
name="demo-$(printf '%s' "${root}" | md5sum | cut -c1-6)"
localfed=(go run ./test/framework/cmd/localfed --bin-dir "${root}/bin")
kubectl=("${root}/bin/kubectl" --kubeconfig "${kubeconfig}")
kubefedctl=("${root}/bin/kubefedctl" --kubeconfig "${kubeconfig}" --host-cluster-context host)
# Helm keeps its caches and settings in .demo/ rather than in $HOME.
helm=(env HELM_CACHE_HOME="${demo_dir}/helm/cache" HELM_CONFIG_HOME="${demo_dir}/helm/config"
  HELM_DATA_HOME="${demo_dir}/helm/data" "${root}/bin/helm" --kubeconfig "${kubeconfig}" --kube-context host)

step() { printf '\n==> %s\n' "$*"; }

dns_running() {
  [[ -f "${dns_pidfile}" ]] && kill -0 "$(cat "${dns_pidfile}")" 2>/dev/null
}

controller_running() {
  [[ -f "${pidfile}" ]] && kill -0 "$(cat "${pidfile}")" 2>/dev/null
}

# write_controller_kubeconfig writes a kubeconfig of the host whose user is
# the chart's ServiceAccount, with a token from the TokenRequest API.
write_controller_kubeconfig() {
  local token
  token="$("${kubectl[@]}" --context host -n "${namespace}" create token "${service_account}" --duration "${token_duration}")"
  "${kubectl[@]}" --context host config view --minify --flatten >"${controller_kubeconfig}.tmp"
  local kc=("${root}/bin/kubectl" --kubeconfig "${controller_kubeconfig}.tmp")
  "${kc[@]}" config set-credentials "${service_account}" --token "${token}" >/dev/null
  "${kc[@]}" config set-context host --user "${service_account}" --namespace "${namespace}" >/dev/null
  chmod 600 "${controller_kubeconfig}.tmp"
  mv "${controller_kubeconfig}.tmp" "${controller_kubeconfig}"
}

# stop_controller stops the controller manager with SIGTERM, so that it
# releases its leader Lease, and waits until it has exited.
stop_controller() {
  local pid
  pid="$(cat "${pidfile}")"
  kill "${pid}" 2>/dev/null || return 0
  for _ in $(seq 1 40); do
    kill -0 "${pid}" 2>/dev/null || { echo "Controller-manager stopped"; return 0; }
    sleep 1
  done
  echo "Controller-manager (pid ${pid}) did not stop within 40s; killing it" >&2
  kill -9 "${pid}" 2>/dev/null || true
}

up() {
  mkdir -p "${demo_dir}"
  step "Local clusters: host, member1, member2"
  "${localfed[@]}" up --name "${name}" --dir "${demo_dir}/clusters" --members 2 --nodes 2 \
    --reuse --kubeconfig "${kubeconfig}"

  step "Control plane: Helm chart charts/kubefed, release ${release} in ${namespace}"
  # Without the Deployment: the controller manager runs as a local process.
  "${helm[@]}" upgrade --install "${release}" charts/kubefed --namespace "${namespace}" --create-namespace \
    --set controllermanager.enabled=false >"${demo_dir}/helm.log" 2>&1 ||
    { cat "${demo_dir}/helm.log" >&2
      echo "(objects left by a demo that did not use the chart cannot be taken over: make demo-down first)" >&2
      exit 1; }
  "${helm[@]}" --namespace "${namespace}" list --filter "^${release}\$"
  echo "$("${kubectl[@]}" --context host -n "${namespace}" get federatedtypeconfigs --no-headers | wc -l) FederatedTypeConfigs"

  step "Controller-manager (local process as ServiceAccount ${namespace}/${service_account}, log in ${logfile})"
  if controller_running; then
    echo "already running (pid $(cat "${pidfile}"))"
  else
    for addr in "${metrics_addr}" "${probe_addr}"; do
      if (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null; then
        echo "${addr} is in use by another process; the controller manager needs it (make demo-down, or stop that process)" >&2
        exit 1
      fi
    done
    write_controller_kubeconfig
    setsid nohup "${root}/bin/controller-manager" --kubeconfig "${controller_kubeconfig}" \
      --kubefed-namespace "${namespace}" --leader-elect --metrics-bind-address "${metrics_addr}" \
      --health-probe-bind-address "${probe_addr}" >"${logfile}" 2>&1 </dev/null &
    echo $! >"${pidfile}"
    echo "started (pid $!, kubeconfig ${controller_kubeconfig}, token valid ${token_duration})"
  fi
  ready=""
  for _ in $(seq 1 60); do
    if ! controller_running; then
      echo "the controller manager exited; the end of its log:" >&2
      tail -n 30 "${logfile}" >&2
      exit 1
    fi
    curl -fsS "http://${probe_addr}/readyz" >/dev/null 2>&1 && { ready=1; break; }
    sleep 1
  done
  [[ -n "${ready}" ]] || { echo "the controller manager is not ready after 60s; see ${logfile}" >&2; exit 1; }

  step "Joining member1 and member2"
  for m in member1 member2; do
    "${kubefedctl[@]}" join "${m}" --cluster-context "${m}" --error-on-existing=false | grep -i joined
  done
  "${kubectl[@]}" --context host -n "${namespace}" wait --for condition=Ready --timeout 60s kubefedcluster --all >/dev/null

  step "Load-balancer simulator and DNS (localfed dns: etcd, CoreDNS on ${dns_server}, external-dns; log in ${dns_logfile})"
  # Regions and zones, as a cloud would label its nodes.
  "${kubectl[@]}" --context member1 label nodes --all --overwrite topology.kubernetes.io/region=eu topology.kubernetes.io/zone=eu-1 >/dev/null
  "${kubectl[@]}" --context member2 label nodes --all --overwrite topology.kubernetes.io/region=us topology.kubernetes.io/zone=us-1 >/dev/null
  if dns_running; then
    echo "already running (pid $(cat "${dns_pidfile}"))"
  else
    if (exec 3<>"/dev/tcp/${dns_server%:*}/${dns_server#*:}") 2>/dev/null; then
      echo "${dns_server} is in use by another process; the demo's DNS needs it (make demo-down, or stop that process)" >&2
      exit 1
    fi
    go build -o "${demo_dir}/localfed" ./test/framework/cmd/localfed
    setsid nohup "${demo_dir}/localfed" --bin-dir "${root}/bin" dns --name "${name}" --dir "${demo_dir}/dns" \
      --server "${dns_server}" --zone example.test --kubeconfig "${kubeconfig}" >"${dns_logfile}" 2>&1 </dev/null &
    echo $! >"${dns_pidfile}"
    for _ in $(seq 1 60); do
      grep -q "CoreDNS serves" "${dns_logfile}" 2>/dev/null && break
      dns_running || { echo "localfed dns exited; its log:" >&2; tail -n 30 "${dns_logfile}" >&2; exit 1; }
      sleep 1
    done
    cat "${dns_logfile}"
  fi

  step "Sample objects (config/demo/demo.yaml)"
  "${kubectl[@]}" --context host apply -f config/demo/demo.yaml
  "${kubectl[@]}" --context host -n demo wait --for condition=Propagation --timeout 60s \
    federatednamespace/demo federateddeployment/web federatedconfigmap/web-config >/dev/null
  "${kubectl[@]}" --context host -n demo wait --for condition=Ready --timeout 90s federateddeployment/web >/dev/null
  "${kubectl[@]}" --context host -n demo wait --for condition=Ready --timeout 60s servicednsrecord/web >/dev/null

  step "Status in the host"
  "${kubectl[@]}" --context host -n "${namespace}" get kubefedclusters
  echo
  "${kubectl[@]}" --context host -n demo get federateddeployments,federatedconfigmaps
  for m in member1 member2; do
    step "Propagated objects in ${m}"
    "${kubectl[@]}" --context "${m}" -n demo get deployments,configmaps,services -l kubefed.io/managed=true
  done

  step "Multi-cluster DNS: ${dns_name} (CoreDNS on ${dns_server})"
  "${kubectl[@]}" --context host -n demo get servicednsrecords,dnsendpoints
  echo
  # external-dns publishes within a second or two of the DNSEndpoint.
  for _ in $(seq 1 30); do
    [[ "$("${demo_dir}/localfed" lookup --server "${dns_server}" "${dns_name}" 2>/dev/null | wc -l)" -ge 2 ]] && break
    sleep 1
  done
  "${demo_dir}/localfed" lookup --server "${dns_server}" "${dns_name}" web.example.test
  cat <<MSG

The demo federation is running (it keeps running after this command).
  kubeconfig: ${kubeconfig}   (contexts: host, member1, member2)
  controller: pid $(cat "${pidfile}"), log ${logfile}, metrics http://${metrics_addr}/metrics
              identity: ServiceAccount ${namespace}/${service_account} (kubeconfig ${controller_kubeconfig})

Try:
  bin/kubectl --kubeconfig ${kubeconfig} --context host -n demo get federateddeployment web -o yaml
  bin/kubectl --kubeconfig ${kubeconfig} --context member2 -n demo get deployment web
  bin/kubectl --kubeconfig ${kubeconfig} --context member1 get nodes
  go run ./test/framework/cmd/localfed lookup ${dns_name}
  go run ./test/framework/cmd/localfed lookup web.demo.kubefed.svc.eu.example.test   (member1's region)
  bin/kubectl --kubeconfig ${kubeconfig} --context member2 -n demo scale deployment web --replicas 0
                                           (member2's address leaves the answer; the control plane
                                            restores the replicas on its next sync)

Remove it with: make demo-down
MSG
}

down() {
  if dns_running; then
    kill "$(cat "${dns_pidfile}")" 2>/dev/null || true
    for _ in $(seq 1 20); do dns_running || break; sleep 1; done
  fi
  if controller_running; then
    stop_controller
  fi
  "${localfed[@]}" down --name "${name}"
  rm -rf "${demo_dir}"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
