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
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// Readers of the OCI layout tarballs the tests build.

// readLayout unpacks an OCI layout tarball and returns its index.json entry
// and the image index it points at.
func readLayout(t *testing.T, tarPath string) (v1.Descriptor, v1.ImageIndex) {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Open(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for h, b := range readTar(t, f) {
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	top, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("reading the OCI layout: %v", err)
	}
	im, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 {
		t.Fatalf("index.json has %d entries, want 1 (the image index)", len(im.Manifests))
	}
	idx, err := top.ImageIndex(im.Manifests[0].Digest)
	if err != nil {
		t.Fatalf("reading the image index: %v", err)
	}
	return im.Manifests[0], idx
}

// platformImages returns the images of idx by "os/arch".
func platformImages(t *testing.T, idx v1.ImageIndex) map[string]v1.Image {
	t.Helper()
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	imgs := map[string]v1.Image{}
	for _, m := range im.Manifests {
		if m.Platform == nil {
			t.Fatalf("index entry %s has no platform", m.Digest)
		}
		img, err := idx.Image(m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		imgs[m.Platform.OS+"/"+m.Platform.Architecture] = img
	}
	return imgs
}

type imageFile struct {
	hdr  *tar.Header
	data []byte
}

// imageFiles flattens img's layers into its file tree, keyed by path
// without the leading slash.
func imageFiles(t *testing.T, img v1.Image) map[string]imageFile {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]imageFile{}
	for h, b := range readTar(t, rc) {
		files[strings.TrimSuffix(h.Name, "/")] = imageFile{hdr: h, data: b}
	}
	return files
}

// readTar yields every entry of a tar stream with its content; a read
// error fails the test.
func readTar(t *testing.T, r io.Reader) iter.Seq2[*tar.Header, []byte] {
	return func(yield func(*tar.Header, []byte) bool) {
		tr := tar.NewReader(r)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if !yield(h, b) {
				return
			}
		}
	}
}

// countCerts parses a PEM bundle with crypto/x509 and returns how many
// certificates it holds; anything else in it fails the test.
func countCerts(t *testing.T, b []byte) int {
	t.Helper()
	n := 0
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			t.Errorf("PEM block of type %q in the CA bundle", blk.Type)
			continue
		}
		if _, err := x509.ParseCertificate(blk.Bytes); err != nil {
			t.Errorf("certificate %d of the CA bundle: %v", n+1, err)
			continue
		}
		n++
	}
	if len(bytes.TrimSpace(b)) != 0 {
		t.Errorf("the CA bundle ends with %d bytes that are no PEM", len(b))
	}
	return n
}

func keys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
