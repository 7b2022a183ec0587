#!/usr/bin/env bash
# Regenerates every manifest derived from the code:
#   config/crd/bases           core and scheduling CRDs (controller-gen) and the
#                              default Federated<Kind> CRDs (internal/federatedtypes)
#   config/federatedtypeconfigs  the default FederatedTypeConfigs
#   config/rbac/role.yaml      the controllers' +kubebuilder:rbac markers
#   charts/kubefed/crds        a copy of config/crd/bases for Helm
#   charts/kubefed/files       copies of the FTCs and the role, which the
#                              chart's templates render
# Output is deterministic: running it twice changes nothing.
set -euo pipefail

controller_gen="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${root}"

rm -rf config/crd/bases
mkdir -p config/crd/bases config/rbac config/federatedtypeconfigs
"${controller_gen}" crd paths="./api/..." output:crd:artifacts:config=config/crd/bases
"${controller_gen}" rbac:roleName=kubefed-role paths="./controllers/..." paths="./cmd/controller-manager/app/..." \
  output:rbac:artifacts:config=config/rbac
go run ./hack/federatedtypes-gen --crd-dir config/crd/bases --ftc-dir config/federatedtypeconfigs

rm -rf charts/kubefed/crds
mkdir -p charts/kubefed/crds
cp config/crd/bases/*.yaml charts/kubefed/crds/

rm -rf charts/kubefed/files
mkdir -p charts/kubefed/files/federatedtypeconfigs charts/kubefed/files/rbac
cp config/federatedtypeconfigs/*.yaml charts/kubefed/files/federatedtypeconfigs/
cp config/rbac/role.yaml charts/kubefed/files/rbac/role.yaml
