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
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestContainerdImportsAndRuns imports the image tarballs into a private
// containerd, the way kind and node bootstrap scripts load images, and runs
// them. It needs root, containerd, ctr and runc; without them it is skipped,
// unless KUBEFED_REQUIRE_CONTAINERD=1 (set where CI installs containerd) makes
// their absence a failure.
func TestContainerdImportsAndRuns(t *testing.T) {
	requireContainerd(t)
	kubefedTar, _ := sharedKubefed(t)
	pauseTar := filepath.Join(t.TempDir(), "pause.oci.tar")
	po := testOptions(t, hostPlatform)
	po.Ref = "kubefed.test/pause:" + testVersion
	if _, err := Pause(context.Background(), po, pauseTar); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := startContainerd(ctx, t)

	for _, tarball := range []string{kubefedTar, pauseTar} {
		c.ctr(ctx, t, "images", "import", tarball)
	}
	refs := strings.Fields(c.ctr(ctx, t, "images", "ls", "-q"))
	for _, ref := range []string{testRef, po.Ref} {
		if !slices.Contains(refs, ref) {
			t.Fatalf("ctr images ls lists %q, want %s among them", refs, ref)
		}
	}

	// kubefedctl runs as the image's user and prints the stamped version.
	out := c.ctr(ctx, t, "run", "--rm", "--fifo-dir", c.fifoDir, "--runc-root", c.runcRoot,
		testRef, "kubefedctl-version", "/kubefedctl", "version")
	if !strings.Contains(out, "version "+testVersion) {
		t.Errorf("kubefedctl version in the container printed %q, want version %s", out, testVersion)
	}

	// The pause container runs until it is sent SIGTERM, then exits 0.
	run := exec.CommandContext(ctx, "ctr", append(c.global(), "run", "--rm", "--fifo-dir", c.fifoDir,
		"--runc-root", c.runcRoot, po.Ref, "pause")...)
	var runOut bytes.Buffer
	run.Stdout, run.Stderr = &runOut, &runOut
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "the pause task to run", func() bool {
		return strings.Contains(c.ctrQuiet(ctx, "tasks", "ls"), "RUNNING")
	})
	c.ctr(ctx, t, "tasks", "kill", "--signal", "SIGTERM", "pause")
	if err := run.Wait(); err != nil {
		t.Errorf("the pause container did not exit 0 on SIGTERM: %v\n%s", err, runOut.String())
	}
}

// requireContainerd skips the test, or fails it under
// KUBEFED_REQUIRE_CONTAINERD=1, when this machine cannot run containerd.
func requireContainerd(t *testing.T) {
	t.Helper()
	var missing []string
	for _, bin := range []string{"containerd", "ctr", "runc"} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin+" is not on PATH")
		}
	}
	if os.Geteuid() != 0 {
		missing = append(missing, "the test does not run as root")
	}
	if len(missing) == 0 {
		return
	}
	reason := "cannot run a private containerd: " + strings.Join(missing, "; ")
	if os.Getenv("KUBEFED_REQUIRE_CONTAINERD") == "1" {
		t.Fatal(reason + " (KUBEFED_REQUIRE_CONTAINERD=1 requires this test to run)")
	}
	t.Skip(reason + " (set KUBEFED_REQUIRE_CONTAINERD=1 to make this a failure)")
}

// containerd is a private containerd: its own root, state and socket under
// dir, so that it never sees (or disturbs) a containerd of the machine.
type containerd struct {
	dir, root, sock, fifoDir, runcRoot string
}

func (c *containerd) global() []string { return []string{"--address", c.sock, "--namespace", "k8s.io"} }

func (c *containerd) ctr(ctx context.Context, t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, "ctr", append(c.global(), args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ctr %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (c *containerd) ctrQuiet(ctx context.Context, args ...string) string {
	out, _ := exec.CommandContext(ctx, "ctr", append(c.global(), args...)...).CombinedOutput()
	return string(out)
}

func startContainerd(ctx context.Context, t *testing.T) *containerd {
	t.Helper()
	// Short: the socket path must fit in a sockaddr_un.
	dir, err := os.MkdirTemp("", "ctrd-")
	if err != nil {
		t.Fatal(err)
	}
	c := &containerd{
		dir:      dir,
		root:     filepath.Join(dir, "root"),
		sock:     filepath.Join(dir, "containerd.sock"),
		fifoDir:  filepath.Join(dir, "fifo"),
		runcRoot: filepath.Join(dir, "runc"),
	}
	config := fmt.Sprintf(`version = 2
root = %q
state = %q
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = %q
`, c.root, filepath.Join(dir, "state"), c.sock)
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "containerd.log"))
	if err != nil {
		t.Fatal(err)
	}
	// containerd 1.6 puts shim sockets under /run/containerd/s whatever its
	// state directory; remove what it creates there if nothing was before.
	_, err = os.Stat(shimSocketRoot)
	shimRootWasThere := err == nil
	// Not bound to ctx: the cleanup below stops it, after the test.
	cmd := exec.Command("containerd", "--config", filepath.Join(dir, "config.toml"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logFile.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logFile.Name()); err == nil {
				t.Logf("containerd log:\n%s", lastLines(string(b), 40))
			}
		}
		unmountUnder(t, dir)
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("removing containerd's directory: %v", err)
		}
		if !shimRootWasThere {
			// Only empty directories go: a shim still running keeps its socket.
			_ = os.Remove(filepath.Join(shimSocketRoot, "s"))
			_ = os.Remove(shimSocketRoot)
		}
	})
	waitFor(ctx, t, "containerd to serve "+c.sock, func() bool {
		return exec.CommandContext(ctx, "ctr", "--address", c.sock, "version").Run() == nil
	})
	return c
}

// shimSocketRoot is where containerd 1.6 shims put their sockets.
const shimSocketRoot = "/run/containerd"

// unmountUnder detaches every mount below dir (snapshots a killed containerd
// left mounted), deepest first.
func unmountUnder(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Logf("listing mounts: %v", err)
		return
	}
	defer f.Close()
	var mounts []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], dir+"/") {
			mounts = append(mounts, fields[4])
		}
	}
	slices.SortFunc(mounts, func(a, b string) int { return len(b) - len(a) })
	for _, m := range mounts {
		if err := syscall.Unmount(m, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", m, err)
		}
	}
}

func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
