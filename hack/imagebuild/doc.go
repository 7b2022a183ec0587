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

// Package imagebuild builds the kubefed container image (and a minimal pause
// image for local clusters) without a container engine.
//
// The binaries are cross-compiled with the Go toolchain, every other file of
// the image (passwd, group, the CA roots, /tmp, the nonroot home) is generated
// here, and go-containerregistry assembles the layers, config and manifests.
// The result is an OCI image-layout tarball (oci-layout, index.json, blobs/)
// that containerd imports (`ctr images import`), kind loads (`kind load
// image-archive`) and registry tools push.
//
// Builds are reproducible: every tar entry has a fixed mtime, owner and mode,
// entries are sorted, gzip carries no timestamp, the CA roots come from a
// pinned Go module instead of the build machine, and the Go builds use
// -trimpath and -buildvcs=false. The same commit built twice with the same
// toolchain gives the same index digest.
//
// The Dockerfile produces the same file tree for Docker users: its builder
// stage writes the generated files with `imagebuild rootfs-files`.
package imagebuild
