# syntax=docker/dockerfile:1
# The kubefed image: the controller manager (entrypoint) and kubefedctl, static
# binaries on distroless, running as the distroless nonroot user.
#
#   docker build --build-arg VERSION=v0.11.0 -t ghcr.io/kubefed/kubefed:v0.11.0 .
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
ENV CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH
RUN go build -trimpath -ldflags "-s -w -X github.com/kubefed/kubefed/internal/version.Version=${VERSION}" \
      -o /out/controller-manager ./cmd/controller-manager && \
    go build -trimpath -ldflags "-s -w -X github.com/kubefed/kubefed/internal/version.Version=${VERSION}" \
      -o /out/kubefedctl ./cmd/kubefedctl

FROM gcr.io/distroless/static:nonroot
COPY --from=builder /out/controller-manager /out/kubefedctl /
USER 65532:65532
ENTRYPOINT ["/controller-manager"]
