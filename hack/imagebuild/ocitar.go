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
	"maps"
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
	// addRaw adds the documents that raws return, in memory.
	addRaw := func(raws ...func() ([]byte, error)) error {
		for _, r := range raws {
			raw, err := r()
			if err != nil {
				return err
			}
			h, n, _ := v1.SHA256(bytes.NewReader(raw))
			blobs[h] = blob{digest: h, size: n, open: bytesBlob(raw)}
		}
		return nil
	}
	if err := addRaw(idx.RawManifest); err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, m := range im.Manifests {
		img, err := idx.Image(m.Digest)
		if err != nil {
			return nil, err
		}
		if err := addRaw(img.RawManifest, img.RawConfigFile); err != nil {
			return nil, err
		}
		layers, err := img.Layers()
		if err != nil {
			return nil, err
		}
		for _, l := range layers {
			b, err := layerBlob(l)
			if err != nil {
				return nil, err
			}
			blobs[b.digest] = b
		}
	}
	return blobs, nil
}

// layerBlob is a layer's compressed blob, read when it is written.
func layerBlob(l v1.Layer) (blob, error) {
	d, err := l.Digest()
	if err != nil {
		return blob{}, err
	}
	n, err := l.Size()
	if err != nil {
		return blob{}, err
	}
	return blob{digest: d, size: n, open: l.Compressed}, nil
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
	if err := writeFileAtomically(out, func(w io.Writer) error { return writeLayout(w, blobs, top) }); err != nil {
		return "", err
	}
	return d.String(), nil
}

// writeFileAtomically writes a file at out, mode 0644, with write: into a
// temporary file next to it, renamed into place once complete.
func writeFileAtomically(out string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), out)
}

// layoutEpoch is the time of the layout's own files: they hold nothing that
// depends on when the image was built.
var layoutEpoch = time.Unix(0, 0)

// writeLayout writes the tar of an OCI image layout: the blobs, index.json
// (top) and oci-layout, in sorted order (blobs/, blobs/sha256/,
// blobs/sha256/<hex>..., index.json, oci-layout).
func writeLayout(w io.Writer, blobs map[v1.Hash]blob, top []byte) error {
	tw := tar.NewWriter(w)
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: layoutEpoch, Format: tar.FormatUSTAR}); err != nil {
			return err
		}
	}
	hs := slices.SortedFunc(maps.Keys(blobs), func(a, b v1.Hash) int { return cmp.Compare(a.String(), b.String()) })
	for _, h := range hs {
		b := blobs[h]
		if err := putFile(tw, "blobs/sha256/"+h.Hex, b.size, b.open); err != nil {
			return err
		}
	}
	if err := putFile(tw, "index.json", int64(len(top)), bytesBlob(top)); err != nil {
		return err
	}
	layout := []byte(`{"imageLayoutVersion":"1.0.0"}`)
	if err := putFile(tw, "oci-layout", int64(len(layout)), bytesBlob(layout)); err != nil {
		return err
	}
	return tw.Close()
}

// putFile writes one regular file of the layout, its content from open.
func putFile(tw *tar.Writer, n string, size int64, open func() (io.ReadCloser, error)) error {
	if err := tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o644, Size: size, ModTime: layoutEpoch, Format: tar.FormatUSTAR}); err != nil {
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
