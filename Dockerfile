# syntax=docker/dockerfile:1
# The kubefed image: the controller manager (entrypoint) and kubefedctl, static
# binaries on an empty base, running as the nonroot user 65532.
#
#   docker build --build-arg VERSION=v0.11.0 -t ghcr.io/kubefed/kubefed:v0.11.0 .
#
# `make image` builds the same file tree and config without Docker
# (hack/imagebuild); this file is for those who build with Docker. Both write
# passwd/group, the CA roots (pinned in go.mod), /tmp and /home/nonroot with
# `imagebuild rootfs-files`, so the two images hold the same files.
#
# Multi-platform builds cross-compile on the build host (BUILDPLATFORM).

FROM --platform=$BUILDPLATFORM golang:1.26 AS builder
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
WORKDIR /src
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Runs on the build platform: before the cross-compilation environment below.
RUN go run ./hack/imagebuild/cmd/imagebuild rootfs-files /rootfs
ENV CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH
RUN go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/kubefed/kubefed/internal/version.Version=${VERSION}" \
      -o /rootfs/ ./cmd/controller-manager ./cmd/kubefedctl

FROM scratch
ARG VERSION=dev
COPY --from=builder /rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL org.opencontainers.image.title="kubefed" \
      org.opencontainers.image.description="KubeFed controller manager and kubefedctl" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/kubefed/kubefed" \
      org.opencontainers.image.url="https://github.com/kubefed/kubefed" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="The KubeFed Authors"
USER 65532:65532
WORKDIR /
ENTRYPOINT ["/controller-manager"]
