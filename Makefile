# kubefed: a multi-cluster federation control plane for Kubernetes.
#
# Every tool the targets need is built from pinned Go modules into bin/ by
# `make tools` (hack/tools); nothing is downloaded at run time.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

BIN_DIR ?= $(CURDIR)/bin
CONTROLLER_GEN ?= $(BIN_DIR)/controller-gen
HELM ?= $(BIN_DIR)/helm
KUBECTL ?= $(BIN_DIR)/kubectl

# Tests find the control-plane binaries here (envtest and test/framework).
export KUBEBUILDER_ASSETS := $(BIN_DIR)
export KUBEFED_BIN_DIR := $(BIN_DIR)

# One package at a time: the end-to-end suites each run several control
# planes and hundreds of Pods, and on two cores they time each other out.
GO_TEST_FLAGS ?= -count=1 -p 1 -timeout 40m
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/kubefed/kubefed/internal/version.Version=$(VERSION)

.DEFAULT_GOAL := help

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make \033[36m<target>\033[0m\n"} \
	  /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2 } \
	  /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: tools
tools: ## Build the pinned toolchain into bin/ (first run: about 10 minutes).
	@echo "Building tools into $(BIN_DIR) (only missing or re-pinned ones)"
	@hack/tools/build.sh $(BIN_DIR)

.PHONY: generate
generate: ## Generate deepcopy code for the API types.
	@hack/tools/build.sh $(BIN_DIR) controller-gen >/dev/null
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths="./api/..."

.PHONY: manifests
manifests: ## Generate CRDs (core, scheduling, default federated types), FTCs and RBAC.
	@hack/tools/build.sh $(BIN_DIR) controller-gen >/dev/null
	hack/manifests.sh $(CONTROLLER_GEN)

.PHONY: fmt
fmt: ## Run gofmt on the tree.
	gofmt -s -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: verify
verify: generate manifests ## Fail when generated files or formatting are stale.
	@test -z "$$(gofmt -s -l $$(git ls-files '*.go'))" || { gofmt -s -l $$(git ls-files '*.go'); echo "gofmt: run 'make fmt'"; exit 1; }
	@if [ -n "$$(git status --porcelain -- api config charts)" ]; then \
	  git status --porcelain -- api config charts; git --no-pager diff --stat -- api config charts; \
	  echo "Generated files are stale: run 'make generate manifests' and commit the result."; exit 1; fi

.PHONY: build
build: ## Build the project binaries (cmd/*) into bin/.
	go build -ldflags "$(LDFLAGS)" -o $(BIN_DIR)/ ./cmd/...

# The container image, built without a container engine (hack/imagebuild):
# an OCI image-layout tarball for every platform in IMAGE_PLATFORMS. The same
# commit gives the same digest (file times come from the commit, or from
# SOURCE_DATE_EPOCH when set).
IMAGE_REPO ?= ghcr.io/kubefed/kubefed
IMAGE_PLATFORMS ?= linux/amd64,linux/arm64
IMAGE_TAR ?= _output/kubefed-image.oci.tar

.PHONY: image
image: ## Build the kubefed image into _output/kubefed-image.oci.tar (no Docker needed; docs/install.md).
	@mkdir -p _output $(dir $(IMAGE_TAR))
	go run ./hack/imagebuild/cmd/imagebuild kubefed -version $(VERSION) -ref $(IMAGE_REPO):$(VERSION) \
	  -platforms $(IMAGE_PLATFORMS) -out $(IMAGE_TAR) -digest-file _output/kubefed-image.digest >/dev/null
	@echo "$(IMAGE_REPO):$(VERSION)@$$(cat _output/kubefed-image.digest) in $(IMAGE_TAR)"

##@ Test

# Unit and envtest packages run under the race detector; the end-to-end
# suites (local clusters, timing-bound waits) run without it.
RACE_PKGS ?= ./api/... ./cmd/... ./controllers/... ./internal/... ./hack/... ./test/chart/... ./test/integration/... ./test/testenv/...
E2E_PKGS ?= ./test/framework/... ./test/e2e/...

.PHONY: test
test: tools node-deps verify vet build ## Run every test: unit and integration (envtest) with -race, then e2e (local clusters; one needs root).
	KUBEFED_REQUIRE_CONTAINERD=1 go test $(GO_TEST_FLAGS) -race $(RACE_PKGS)
	go test $(GO_TEST_FLAGS) $(E2E_PKGS)
	@go run ./test/framework/cmd/localfed prune

# The real test node's system packages (containerd, runc, CNI plugins,
# iptables): installed when missing, which needs root. make test also makes
# the image's containerd test a failure, not a skip, where it cannot run.
.PHONY: node-deps
node-deps: ## Install the real test node's system packages when missing (root; hack/node-deps.sh).
	@hack/node-deps.sh

.PHONY: unit
unit: ## Run only the tests that need no API server (with -race).
	go test $(GO_TEST_FLAGS) -race -short $(RACE_PKGS)

.PHONY: e2e
e2e: tools node-deps build ## Run the end-to-end suites on local clusters (test/e2e/deploy needs root).
	go test $(GO_TEST_FLAGS) ./test/...
	@go run ./test/framework/cmd/localfed prune

.PHONY: bench
bench: tools build ## Run the benchmarks (an estimated 30 minutes; docs/performance.md). BENCH=Federation/bulk runs one scenario.
	go test -run '^$$' -bench '$(or $(BENCH),.)' -benchtime 1x -timeout 90m ./...
	@go run ./test/framework/cmd/localfed prune

##@ Demo

.PHONY: demo
demo: tools build ## Bring up a local federation (host + 2 members) in .demo/.
	@hack/demo.sh up

.PHONY: demo-down
demo-down: ## Remove the local demo federation.
	@hack/demo.sh down

.PHONY: clean
clean: demo-down ## Remove build output and stale local clusters (keeps tools).
	@go run ./test/framework/cmd/localfed prune
	rm -f $(addprefix $(BIN_DIR)/,$(notdir $(wildcard cmd/*)))
