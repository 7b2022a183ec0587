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
	"fmt"
	"io"
	"io/fs"
	"slices"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
)

// userName names the owner recorded in tar headers, so that a listing of a
// layer reads like the image's passwd.
func userName(id int) string {
	switch id {
	case 0:
		return "root"
	case NonrootUID:
		return "nonroot"
	case nobodyUID:
		return "nobody"
	}
	return ""
}

// tarEntries writes files as a tar stream, sorted by name, every entry with
// the same mtime and no access or change time, so that the same files give
// the same bytes on any machine.
func tarEntries(w io.Writer, files []file, mtime time.Time) error {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b file) int { return cmp.Compare(a.name, b.name) })
	tw := tar.NewWriter(w)
	for _, f := range files {
		h := &tar.Header{
			Name:    f.name,
			Mode:    int64(f.mode.Perm()),
			Uid:     f.uid,
			Gid:     f.gid,
			Uname:   userName(f.uid),
			Gname:   userName(f.gid),
			ModTime: mtime,
			// USTAR has no place for sub-second times or extended
			// records, so nothing in a header can vary by accident.
			Format: tar.FormatUSTAR,
		}
		if f.mode&fs.ModeSticky != 0 {
			h.Mode |= 0o1000
		}
		if f.dir {
			h.Typeflag = tar.TypeDir
			h.Name += "/"
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("writing tar entry %s: %w", f.name, err)
		}
		if !f.dir {
			if _, err := tw.Write(f.data); err != nil {
				return fmt.Errorf("writing tar entry %s: %w", f.name, err)
			}
		}
	}
	return tw.Close()
}

// newLayer makes an OCI layer of files. The gzip stream has an empty header
// (no name, no timestamp) and is made here rather than by
// go-containerregistry, so that its bytes depend only on the files and the
// compressor's version, pinned in go.mod. klauspost/compress at the default
// level compresses the binaries about as well as the standard library's best
// level, several times faster (and fast enough under the race detector).
func newLayer(files []file, mtime time.Time) (v1.Layer, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	if err := tarEntries(zw, files, mtime); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	blob := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(blob)), nil
	}, tarball.WithMediaType(types.OCILayer))
}
