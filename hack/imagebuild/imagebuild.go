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

package imagebuild

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// DefaultPlatforms are the platforms built when Options.Platforms is empty.
var DefaultPlatforms = []string{"linux/amd64", "linux/arm64"}

// SourceURL is the project's source repository, recorded in the image
// labels.
const SourceURL = "https://github.com/kubefed/kubefed"

// Options say what to build and how to name it.
type Options struct {
	// RepoRoot is the module root to build from (the directory with go.mod).
	RepoRoot string
	// Version is stamped into the binaries via -ldflags -X and recorded in
	// the org.opencontainers.image.version label; empty means "dev".
	Version string
	// Platforms to build, "os/arch[/variant]"; empty means DefaultPlatforms.
	Platforms []string
	// Ref is the full image reference recorded in the tarball's index.json,
	// e.g. "registry.example/kubefed/kubefed:v0.11.0". It must carry a tag.
	Ref string
	// Revision, when set, is recorded in the
	// org.opencontainers.image.revision label (the commit built).
	Revision string
	// Epoch is the time of every layer file and of the config's "created";
	// the zero value means the Unix epoch.
	Epoch time.Time
	// Log receives progress and compiler output; nil discards it.
	Log io.Writer
}

func (o Options) log() io.Writer {
	if o.Log == nil {
		return io.Discard
	}
	return o.Log
}

// complete validates o and fills in the defaults.
func (o Options) complete() (Options, []v1.Platform, name.Tag, error) {
	if o.Version == "" {
		o.Version = "dev"
	}
	if strings.ContainsAny(o.Version, " \t\n'\"") {
		return o, nil, name.Tag{}, fmt.Errorf("version %q: it is passed to -ldflags -X, so it cannot contain spaces or quotes", o.Version)
	}
	if o.RepoRoot == "" {
		return o, nil, name.Tag{}, errors.New("Options.RepoRoot is empty: set it to the directory that holds go.mod")
	}
	root, err := filepath.Abs(o.RepoRoot)
	if err != nil {
		return o, nil, name.Tag{}, err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return o, nil, name.Tag{}, fmt.Errorf("repository root %s has no go.mod: %w", root, err)
	}
	o.RepoRoot = root
	if o.Ref == "" {
		return o, nil, name.Tag{}, errors.New("Options.Ref is empty: give the image reference, e.g. example.com/kubefed/kubefed:v0.11.0")
	}
	tag, err := name.NewTag(o.Ref, name.StrictValidation)
	if err != nil {
		return o, nil, name.Tag{}, fmt.Errorf("image reference %q: %w (it needs a repository and a tag)", o.Ref, err)
	}
	if o.Epoch.IsZero() {
		o.Epoch = time.Unix(0, 0)
	}
	if o.Epoch.Before(time.Unix(0, 0)) {
		return o, nil, name.Tag{}, fmt.Errorf("epoch %s is before 1970: tar headers cannot hold it", o.Epoch)
	}
	o.Epoch = o.Epoch.UTC().Truncate(time.Second)
	plats := o.Platforms
	if len(plats) == 0 {
		plats = DefaultPlatforms
	}
	var ps []v1.Platform
	seen := map[string]bool{}
	for _, s := range plats {
		p, err := v1.ParsePlatform(s)
		if err != nil {
			return o, nil, name.Tag{}, fmt.Errorf("platform %q: %w", s, err)
		}
		if p.OS != "linux" || p.Architecture == "" {
			return o, nil, name.Tag{}, fmt.Errorf("platform %q: only linux/<arch>[/<variant>] images are built", s)
		}
		if seen[platformString(*p)] {
			return o, nil, name.Tag{}, fmt.Errorf("platform %q is listed twice", s)
		}
		seen[platformString(*p)] = true
		ps = append(ps, *p)
	}
	return o, ps, tag, nil
}

// imageSpec describes one image: what to compile, which files to add, and
// its runtime config.
type imageSpec struct {
	title       string
	description string
	// pkgs are the main packages compiled into the image root, one binary
	// each, in their own layer.
	pkgs       []string
	baseFiles  func() ([]file, error)
	user       string
	entrypoint []string
	env        []string
}

// Kubefed builds the kubefed image (entrypoint /controller-manager, plus
// /kubefedctl) and writes it as an OCI image-layout tarball (index.json,
// oci-layout, blobs/) at out. It returns the digest ("sha256:...") of the
// image index, the digest a registry serves for the tag once pushed.
func Kubefed(ctx context.Context, o Options, out string) (string, error) {
	return build(ctx, o, out, imageSpec{
		title:       "kubefed",
		description: "KubeFed controller manager and kubefedctl",
		pkgs:        []string{"./cmd/controller-manager", "./cmd/kubefedctl"},
		baseFiles:   rootfsFiles,
		user:        fmt.Sprintf("%d:%d", NonrootUID, NonrootUID),
		entrypoint:  []string{"/controller-manager"},
		env: []string{
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"SSL_CERT_FILE=" + CABundlePath,
		},
	})
}

// PauseUID is the user the pause image runs as (Kubernetes' pause image
// uses the same).
const PauseUID = 65535

// Pause builds a minimal pod-sandbox ("pause") image, /pause built from
// hack/imagebuild/pause, and writes it like Kubefed does. Local clusters
// whose nodes cannot pull use it as their sandbox image.
func Pause(ctx context.Context, o Options, out string) (string, error) {
	return build(ctx, o, out, imageSpec{
		title:       "kubefed-pause",
		description: "Pod sandbox (pause) for local kubefed test clusters",
		pkgs:        []string{"./hack/imagebuild/pause"},
		baseFiles:   func() ([]file, error) { return nil, nil },
		user:        fmt.Sprintf("%d:%d", PauseUID, PauseUID),
		entrypoint:  []string{"/pause"},
		env:         []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
	})
}

func build(ctx context.Context, o Options, out string, spec imageSpec) (string, error) {
	o, plats, tag, err := o.complete()
	if err != nil {
		return "", err
	}
	base, err := spec.baseFiles()
	if err != nil {
		return "", err
	}
	var baseLayer v1.Layer
	if len(base) > 0 {
		if baseLayer, err = newLayer(base, o.Epoch); err != nil {
			return "", err
		}
	}
	tmp, err := os.MkdirTemp("", "imagebuild-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)

	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range plats {
		dir := filepath.Join(tmp, strings.ReplaceAll(platformString(p), "/", "-"))
		if err := goBuild(ctx, o, p, dir, spec.pkgs...); err != nil {
			return "", err
		}
		img, err := platformImage(o, p, spec, baseLayer, dir)
		if err != nil {
			return "", fmt.Errorf("assembling the %s image for %s: %w", spec.title, platformString(p), err)
		}
		desc := v1.Descriptor{Platform: &p}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: plainImage{img}, Descriptor: desc})
	}
	d, err := writeLayoutTar(idx, tag, out)
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", out, err)
	}
	fmt.Fprintf(o.log(), "Wrote %s (%s) to %s\n", tag.String(), d, out)
	return d, nil
}

// platformImage assembles one platform's image: the base files, then one
// layer per binary, then the config.
func platformImage(o Options, p v1.Platform, spec imageSpec, base v1.Layer, binDir string) (v1.Image, error) {
	labels := map[string]string{
		"org.opencontainers.image.title":       spec.title,
		"org.opencontainers.image.description": spec.description,
		"org.opencontainers.image.version":     o.Version,
		"org.opencontainers.image.source":      SourceURL,
		"org.opencontainers.image.url":         SourceURL,
		"org.opencontainers.image.licenses":    "Apache-2.0",
		"org.opencontainers.image.vendor":      "The KubeFed Authors",
		"org.opencontainers.image.created":     o.Epoch.Format(time.RFC3339),
	}
	if o.Revision != "" {
		labels["org.opencontainers.image.revision"] = o.Revision
	}
	created := v1.Time{Time: o.Epoch}
	img, err := mutate.ConfigFile(
		mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON),
		&v1.ConfigFile{
			Architecture: p.Architecture,
			OS:           p.OS,
			Variant:      p.Variant,
			Created:      created,
			RootFS:       v1.RootFS{Type: "layers"},
			Config: v1.Config{
				User:       spec.user,
				Entrypoint: spec.entrypoint,
				WorkingDir: "/",
				Env:        spec.env,
				Labels:     labels,
			},
		})
	if err != nil {
		return nil, err
	}
	var adds []mutate.Addendum
	if base != nil {
		adds = append(adds, mutate.Addendum{Layer: base, History: v1.History{
			Created: created, CreatedBy: "imagebuild: passwd, group, CA roots, /tmp, /home/nonroot"}})
	}
	for _, pkg := range spec.pkgs {
		bin := filepath.Base(pkg)
		data, err := os.ReadFile(filepath.Join(binDir, bin))
		if err != nil {
			return nil, err
		}
		l, err := newLayer([]file{{name: bin, mode: 0o755, data: data}}, o.Epoch)
		if err != nil {
			return nil, err
		}
		adds = append(adds, mutate.Addendum{Layer: l, History: v1.History{
			Created: created, CreatedBy: fmt.Sprintf("imagebuild: go build -trimpath %s (version %s)", pkg, o.Version)}})
	}
	return mutate.Append(img, adds...)
}

// plainImage keeps go-containerregistry from writing an "artifactType" (the
// config's media type) into the index entry of an image: OCI reserves that
// field for artifacts, and an image index built by other tools has none.
type plainImage struct{ v1.Image }

// ArtifactType returns "": the image is no artifact.
func (plainImage) ArtifactType() (string, error) { return "", nil }
