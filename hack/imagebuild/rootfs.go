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
	"bytes"
	"encoding/pem"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The image's users, the same IDs as the distroless images: the controller
// manager runs as nonroot.
const (
	// NonrootUID is the uid (and gid) the kubefed image runs as.
	NonrootUID = 65532
	// nobodyUID is the conventional overflow user, listed for tools that
	// expect it.
	nobodyUID = 65534
)

// CABundlePath is where the image keeps its CA roots; SSL_CERT_FILE points
// at it.
const CABundlePath = "/etc/ssl/certs/ca-certificates.crt"

// file is one entry of an image layer: a regular file or, with dir set, a
// directory. Names are relative to the image root ("etc/passwd").
type file struct {
	name     string
	mode     fs.FileMode // permission bits plus fs.ModeSticky; no type bits
	uid, gid int
	dir      bool
	data     []byte
}

const (
	passwd = "root:x:0:0:root:/root:/sbin/nologin\n" +
		"nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n" +
		"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
	group = "root:x:0:\n" +
		"nobody:x:65534:\n" +
		"nonroot:x:65532:\n"
)

// rootfsFiles returns the files of the kubefed image other than the
// binaries: users and groups, the CA roots, /tmp and the home directories.
func rootfsFiles() ([]file, error) {
	ca, err := caBundle()
	if err != nil {
		return nil, err
	}
	return []file{
		{name: "etc", dir: true, mode: 0o755},
		{name: "etc/group", mode: 0o644, data: []byte(group)},
		{name: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "etc/ssl", dir: true, mode: 0o755},
		{name: "etc/ssl/certs", dir: true, mode: 0o755},
		{name: CABundlePath[1:], mode: 0o644, data: ca},
		{name: "home", dir: true, mode: 0o755},
		{name: "home/nonroot", dir: true, mode: 0o700, uid: NonrootUID, gid: NonrootUID},
		{name: "root", dir: true, mode: 0o700},
		{name: "tmp", dir: true, mode: 0o777 | fs.ModeSticky},
	}, nil
}

// caBundle returns the PEM bundle of the NSS roots pinned by
// golang.org/x/crypto/x509roots/fallback (its version in go.mod decides the
// content, not the build machine). Roots that NSS trusts only with extra
// constraints (for example a distrust-after date) are left out: a PEM file
// cannot carry the constraint, and trusting such a root without it would be
// wider than NSS itself.
func caBundle() ([]byte, error) {
	var buf bytes.Buffer
	n := 0
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			continue
		}
		if err := pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate}); err != nil {
			return nil, fmt.Errorf("encoding a CA root: %w", err)
		}
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("the pinned x509roots bundle has no unconstrained roots: check the golang.org/x/crypto/x509roots/fallback version in go.mod")
	}
	return buf.Bytes(), nil
}

// WriteRootfsFiles writes the kubefed image's files other than the binaries
// (passwd, group, CA roots, /tmp, /root, /home/nonroot) under dir, with the
// image's modes. Ownership is set only when running as root (as in a
// Dockerfile's builder stage); otherwise the files belong to the caller.
func WriteRootfsFiles(dir string) error {
	files, err := rootfsFiles()
	if err != nil {
		return err
	}
	chown := os.Geteuid() == 0
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.name))
		if f.dir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		} else if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return err
		}
		// Chmod after creation: the umask does not apply, and the sticky
		// bit of /tmp survives.
		if err := os.Chmod(p, f.mode); err != nil {
			return err
		}
		if chown {
			if err := os.Lchown(p, f.uid, f.gid); err != nil {
				return err
			}
		}
	}
	return nil
}
