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
	"context"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

const (
	testRef     = "kubefed.test/kubefed/kubefed:v1.2.3-test"
	testVersion = "v1.2.3-test"
)

var (
	// testEpoch is a time no clock of the build machine could produce by
	// accident.
	testEpoch = time.Date(2024, 2, 29, 12, 34, 56, 0, time.UTC)
	// hostPlatform is the one platform the fast tests build.
	hostPlatform = "linux/" + runtime.GOARCH

	shared struct {
		once   sync.Once
		dir    string
		path   string
		digest string
		err    error
	}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func testOptions(t *testing.T, platforms ...string) Options {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return Options{
		RepoRoot:  root,
		Version:   testVersion,
		Platforms: platforms,
		Ref:       testRef,
		Epoch:     testEpoch,
		Log:       testLog{t},
	}
}

// testLog sends the build's progress to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// sharedKubefed builds the host-platform kubefed image once for every test
// that only reads it.
func sharedKubefed(t *testing.T) (path, digest string) {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "imagebuild-test-")
		if shared.err != nil {
			return
		}
		shared.path = filepath.Join(shared.dir, "kubefed.oci.tar")
		shared.digest, shared.err = Kubefed(context.Background(), testOptions(t, hostPlatform), shared.path)
	})
	if shared.err != nil {
		t.Fatalf("building the kubefed image: %v", shared.err)
	}
	return shared.path, shared.digest
}

func TestKubefedIsReproducible(t *testing.T) {
	first, digest1 := sharedKubefed(t)
	second := filepath.Join(t.TempDir(), "again.oci.tar")
	digest2, err := Kubefed(context.Background(), testOptions(t, hostPlatform), second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("digests: %s, %s", digest1, digest2)
	if !strings.HasPrefix(digest1, "sha256:") {
		t.Errorf("digest %q: want sha256:<hex>", digest1)
	}
	if digest1 != digest2 {
		t.Errorf("two builds of the same tree gave %s and %s", digest1, digest2)
	}
	a, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(second)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("the two tarballs differ (%d and %d bytes)", len(a), len(b))
	}
}

func TestKubefedImageContent(t *testing.T) {
	path, digest := sharedKubefed(t)
	entry, idx := readLayout(t, path)

	if got := entry.Digest.String(); got != digest {
		t.Errorf("index.json points at %s, Kubefed returned %s", got, digest)
	}
	if got := entry.Annotations["io.containerd.image.name"]; got != testRef {
		t.Errorf("io.containerd.image.name = %q, want %q", got, testRef)
	}
	if got := entry.Annotations["org.opencontainers.image.ref.name"]; got != testVersion {
		t.Errorf("org.opencontainers.image.ref.name = %q, want %q", got, testVersion)
	}
	imgs := platformImages(t, idx)
	img, ok := imgs[hostPlatform]
	if !ok || len(imgs) != 1 {
		t.Fatalf("index has platforms %v, want only %s", keys(imgs), hostPlatform)
	}

	checkKubefedConfig(t, img)
	files := imageFiles(t, img)
	checkKubefedFiles(t, files)
	checkKubefedctlVersion(t, files)
}

// checkKubefedConfig checks the image config of the host-platform kubefed
// image.
func checkKubefedConfig(t *testing.T, img v1.Image) {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Config
	if c.User != "65532:65532" {
		t.Errorf("User = %q, want 65532:65532", c.User)
	}
	if strings.Join(c.Entrypoint, " ") != "/controller-manager" {
		t.Errorf("Entrypoint = %q, want [/controller-manager]", c.Entrypoint)
	}
	if c.WorkingDir != "/" {
		t.Errorf("WorkingDir = %q, want /", c.WorkingDir)
	}
	if !slices.Contains(c.Env, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt") {
		t.Errorf("Env = %q, want SSL_CERT_FILE", c.Env)
	}
	if got := c.Labels["org.opencontainers.image.version"]; got != testVersion {
		t.Errorf("version label = %q, want %q", got, testVersion)
	}
	if got := c.Labels["org.opencontainers.image.source"]; got != "https://github.com/kubefed/kubefed" {
		t.Errorf("source label = %q", got)
	}
	if !cfg.Created.Time.Equal(testEpoch) {
		t.Errorf("created = %s, want %s", cfg.Created.Time, testEpoch)
	}
	if cfg.OS != "linux" || cfg.Architecture != runtime.GOARCH {
		t.Errorf("config platform = %s/%s, want %s", cfg.OS, cfg.Architecture, hostPlatform)
	}
}

// checkKubefedFiles checks the file tree of the host-platform kubefed image:
// timestamps, the two static binaries and the rootfs files.
func checkKubefedFiles(t *testing.T, files map[string]imageFile) {
	t.Helper()
	for name, f := range files {
		if !f.hdr.ModTime.Equal(testEpoch) {
			t.Errorf("%s: mtime %s, want %s", name, f.hdr.ModTime, testEpoch)
		}
	}
	for _, bin := range []string{"controller-manager", "kubefedctl"} {
		f, ok := files[bin]
		if !ok {
			t.Errorf("/%s is missing", bin)
			continue
		}
		if f.hdr.Typeflag != tar.TypeReg || f.hdr.Mode&0o111 != 0o111 {
			t.Errorf("/%s: type %c mode %o, want an executable file", bin, f.hdr.Typeflag, f.hdr.Mode)
		}
		e, err := elf.NewFile(bytes.NewReader(f.data))
		if err != nil {
			t.Errorf("/%s is no ELF binary: %v", bin, err)
			continue
		}
		if e.Machine != elfMachine[runtime.GOARCH] {
			t.Errorf("/%s: machine %s, want %s", bin, e.Machine, elfMachine[runtime.GOARCH])
		}
		// Static: no program interpreter (dynamic loader) requested.
		for _, p := range e.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("/%s asks for a dynamic loader; want a static binary", bin)
			}
		}
	}
	checkPasswdAndCAs(t, files["etc/passwd"].data, files["etc/ssl/certs/ca-certificates.crt"].data)
	if h := files["tmp"].hdr; h == nil || h.Typeflag != tar.TypeDir || h.Mode&0o7777 != 0o1777 {
		t.Errorf("/tmp: %+v, want a directory with mode 1777", h)
	}
	if !strings.Contains(string(files["etc/passwd"].data), "root:x:0:0:") {
		t.Errorf("/etc/passwd has no root:\n%s", files["etc/passwd"].data)
	}
	if !strings.Contains(string(files["etc/group"].data), "nonroot:x:65532:") {
		t.Errorf("/etc/group has no nonroot group 65532:\n%s", files["etc/group"].data)
	}
	if h := files["home/nonroot"].hdr; h == nil || h.Typeflag != tar.TypeDir || h.Uid != 65532 || h.Gid != 65532 {
		t.Errorf("/home/nonroot: %+v, want a directory owned by 65532:65532", h)
	}
}

// checkKubefedctlVersion runs the image's kubefedctl, which reports the
// version stamped by the build.
func checkKubefedctlVersion(t *testing.T, files map[string]imageFile) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return
	}
	bin := filepath.Join(t.TempDir(), "kubefedctl")
	if err := os.WriteFile(bin, files["kubefedctl"].data, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("kubefedctl version: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "version "+testVersion) {
		t.Errorf("kubefedctl version printed %q, want version %s", out, testVersion)
	}
}

// TestKubefedMultiPlatform builds the default platforms, as `make image`
// does.
func TestKubefedMultiPlatform(t *testing.T) {
	_, single := sharedKubefed(t)
	path := filepath.Join(t.TempDir(), "multi.oci.tar")
	o := testOptions(t)
	o.Platforms = nil
	digest, err := Kubefed(context.Background(), o, path)
	if err != nil {
		t.Fatal(err)
	}
	if digest == single {
		t.Errorf("the two-platform index has the digest of the one-platform index")
	}
	_, idx := readLayout(t, path)
	imgs := platformImages(t, idx)
	if len(imgs) != 2 || imgs["linux/amd64"] == nil || imgs["linux/arm64"] == nil {
		t.Fatalf("index has platforms %v, want linux/amd64 and linux/arm64", keys(imgs))
	}
	for plat, img := range imgs {
		arch := strings.TrimPrefix(plat, "linux/")
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Architecture != arch {
			t.Errorf("%s: config architecture %q", plat, cfg.Architecture)
		}
		files := imageFiles(t, img)
		e, err := elf.NewFile(bytes.NewReader(files["controller-manager"].data))
		if err != nil {
			t.Fatalf("%s: /controller-manager: %v", plat, err)
		}
		if e.Machine != elfMachine[arch] {
			t.Errorf("%s: /controller-manager is built for %s", plat, e.Machine)
		}
	}

	// The host platform's image is the same as in the one-platform build:
	// platforms are built independently of each other.
	_, singleIdx := readLayout(t, sharedPath(t))
	want, err := platformImages(t, singleIdx)[hostPlatform].Digest()
	if err != nil {
		t.Fatal(err)
	}
	got, err := imgs[hostPlatform].Digest()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("%s image: %s in the two-platform build, %s alone", hostPlatform, got, want)
	}
}

func TestPauseImage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pause.oci.tar")
	o := testOptions(t, hostPlatform)
	o.Ref = "kubefed.test/pause:" + testVersion
	if _, err := Pause(context.Background(), o, path); err != nil {
		t.Fatal(err)
	}
	_, idx := readLayout(t, path)
	img := platformImages(t, idx)[hostPlatform]
	if img == nil {
		t.Fatalf("no %s image in the pause index", hostPlatform)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.Config.Entrypoint, " ") != "/pause" || cfg.Config.User != "65535:65535" {
		t.Errorf("config: entrypoint %q user %q, want [/pause] 65535:65535", cfg.Config.Entrypoint, cfg.Config.User)
	}
	files := imageFiles(t, img)
	if len(files) != 1 || files["pause"].hdr == nil || files["pause"].hdr.Mode&0o111 != 0o111 {
		t.Errorf("files %v, want only an executable /pause", keys(files))
	}
}

func TestOptionsAreValidated(t *testing.T) {
	base := testOptions(t)
	for _, tc := range []struct {
		name   string
		modify func(*Options)
		want   string
	}{
		{"no ref", func(o *Options) { o.Ref = "" }, "Ref is empty"},
		{"ref without tag", func(o *Options) { o.Ref = "kubefed.test/kubefed" }, "needs a repository and a tag"},
		{"no repo root", func(o *Options) { o.RepoRoot = "" }, "RepoRoot is empty"},
		{"repo root without go.mod", func(o *Options) { o.RepoRoot = t.TempDir() }, "has no go.mod"},
		{"version with a space", func(o *Options) { o.Version = "v1 2" }, "cannot contain spaces"},
		{"windows", func(o *Options) { o.Platforms = []string{"windows/amd64"} }, "only linux"},
		{"platform twice", func(o *Options) { o.Platforms = []string{"linux/arm64", "linux/arm64"} }, "listed twice"},
		{"epoch before 1970", func(o *Options) { o.Epoch = time.Unix(-10, 0) }, "before 1970"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.modify(&o)
			out := filepath.Join(t.TempDir(), "x.tar")
			_, err := Kubefed(context.Background(), o, out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one that says %q", err, tc.want)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed build left %s behind", out)
			}
		})
	}
}

func TestWriteRootfsFiles(t *testing.T) {
	dir := t.TempDir()
	if err := WriteRootfsFiles(dir); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&os.ModeSticky == 0 || st.Mode().Perm() != 0o777 {
		t.Errorf("tmp mode %s, want drwxrwxrwt", st.Mode())
	}
	ca, err := os.ReadFile(filepath.Join(dir, "etc/ssl/certs/ca-certificates.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pw, err := os.ReadFile(filepath.Join(dir, "etc/passwd"))
	if err != nil {
		t.Fatal(err)
	}
	checkPasswdAndCAs(t, pw, ca)
}

// checkPasswdAndCAs checks the rootfs files an image and WriteRootfsFiles
// both carry: a nonroot user 65532 in /etc/passwd and a full CA bundle.
func checkPasswdAndCAs(t *testing.T, passwd, caBundle []byte) {
	t.Helper()
	if !strings.Contains(string(passwd), "nonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd has no nonroot user 65532:\n%s", passwd)
	}
	if n := countCerts(t, caBundle); n <= 100 {
		t.Errorf("the CA bundle holds %d certificates, want more than 100", n)
	}
}

var elfMachine = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

func sharedPath(t *testing.T) string {
	p, _ := sharedKubefed(t)
	return p
}
