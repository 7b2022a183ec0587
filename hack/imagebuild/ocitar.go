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
	"archive/tar"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotations of the index.json entry. containerd's importer (ctr images
// import, kind load image-archive) names the image after the first; OCI
// tools look the tag up by the second.
const (
	AnnotationContainerdName = "io.containerd.image.name"
	AnnotationRefName        = "org.opencontainers.image.ref.name"
)

// blob is one entry of blobs/sha256/.
type blob struct {
	digest v1.Hash
	size   int64
	open   func() (io.ReadCloser, error)
}

func bytesBlob(b []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// collectBlobs returns every blob idx references (its own manifest, the
// image manifests, configs and layers), each once.
func collectBlobs(idx v1.ImageIndex) (map[v1.Hash]blob, error) {
	blobs := map[v1.Hash]blob{}
	addRaw := func(raw []byte) {
		h, n, _ := v1.SHA256(bytes.NewReader(raw))
		blobs[h] = blob{digest: h, size: n, open: bytesBlob(raw)}
	}
	raw, err := idx.RawManifest()
	if err != nil {
		return nil, err
	}
	addRaw(raw)
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, m := range im.Manifests {
		img, err := idx.Image(m.Digest)
		if err != nil {
			return nil, err
		}
		raw, err := img.RawManifest()
		if err != nil {
			return nil, err
		}
		addRaw(raw)
		cfg, err := img.RawConfigFile()
		if err != nil {
			return nil, err
		}
		addRaw(cfg)
		layers, err := img.Layers()
		if err != nil {
			return nil, err
		}
		for _, l := range layers {
			d, err := l.Digest()
			if err != nil {
				return nil, err
			}
			n, err := l.Size()
			if err != nil {
				return nil, err
			}
			blobs[d] = blob{digest: d, size: n, open: l.Compressed}
		}
	}
	return blobs, nil
}

// writeLayoutTar writes idx as an OCI image layout in a tar file at out,
// index.json pointing at idx with tag's annotations, and returns idx's
// digest. The file is written next to out and renamed into place, so a
// failed build leaves no half-written image behind.
func writeLayoutTar(idx v1.ImageIndex, tag name.Tag, out string) (string, error) {
	d, err := idx.Digest()
	if err != nil {
		return "", err
	}
	size, err := idx.Size()
	if err != nil {
		return "", err
	}
	blobs, err := collectBlobs(idx)
	if err != nil {
		return "", err
	}
	top, err := json.Marshal(v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIImageIndex,
		Manifests: []v1.Descriptor{{
			MediaType: types.OCIImageIndex,
			Digest:    d,
			Size:      size,
			Annotations: map[string]string{
				AnnotationContainerdName: tag.String(),
				AnnotationRefName:        tag.TagStr(),
			},
		}},
	})
	if err != nil {
		return "", err
	}

	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".tmp-")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	defer f.Close()

	// The layout's own files carry the Unix epoch: they hold nothing that
	// depends on when the image was built.
	epoch := time.Unix(0, 0)
	tw := tar.NewWriter(f)
	dir := func(n string) error {
		return tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: epoch, Format: tar.FormatUSTAR})
	}
	put := func(n string, size int64, open func() (io.ReadCloser, error)) error {
		if err := tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o644, Size: size, ModTime: epoch, Format: tar.FormatUSTAR}); err != nil {
			return err
		}
		rc, err := open()
		if err != nil {
			return err
		}
		defer rc.Close()
		if _, err := io.Copy(tw, rc); err != nil {
			return fmt.Errorf("copying %s: %w", n, err)
		}
		return nil
	}
	// Sorted: blobs/, blobs/sha256/, blobs/sha256/<hex>..., index.json, oci-layout.
	if err := dir("blobs/"); err != nil {
		return "", err
	}
	if err := dir("blobs/sha256/"); err != nil {
		return "", err
	}
	hs := make([]v1.Hash, 0, len(blobs))
	for h := range blobs {
		hs = append(hs, h)
	}
	slices.SortFunc(hs, func(a, b v1.Hash) int { return cmp.Compare(a.String(), b.String()) })
	for _, h := range hs {
		b := blobs[h]
		if err := put("blobs/sha256/"+h.Hex, b.size, b.open); err != nil {
			return "", err
		}
	}
	if err := put("index.json", int64(len(top)), bytesBlob(top)); err != nil {
		return "", err
	}
	layout := []byte(`{"imageLayoutVersion":"1.0.0"}`)
	if err := put("oci-layout", int64(len(layout)), bytesBlob(layout)); err != nil {
		return "", err
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	if err := f.Chmod(0o644); err != nil {
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return "", err
	}
	return d.String(), nil
}
