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

package framework

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// teardownNode removes everything the real node of the run in dir created.
// The machine-wide parts (new iptables chains, the kernel settings) are
// cleaned only with the real-node lock: lock when this process holds it,
// else taken here, and left alone while another live run holds it.
func teardownNode(ctx context.Context, dir string, lock *os.File) error {
	if lock != nil {
		defer lock.Close()
	}
	s, err := readNodeState(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the real node's record: %w", err)
	}
	if lock == nil {
		// Prune: the lock is free when no live run holds a node.
		if lock, err = lockNode(ctx, 0); err == nil {
			defer lock.Close()
		} else {
			lock = nil
		}
	}
	var errs []error
	ndir := nodeDir(dir)
	// The kubelet first, so that it restarts nothing; then the containers,
	// found by their cgroups; then containerd and its shims.
	killUnder(ndir, "kubelet", "kube-proxy")
	if err := killCgroup(s.CgroupRoot); err != nil {
		errs = append(errs, err)
	}
	deleteTasks(ctx, ndir)
	killUnder(ndir)
	unmountUnder(ndir)
	removeCNICache(ndir, s.Run)
	// Directories containerd's shims make outside the node's directory
	// (their sockets' and runc's), when they were not there before.
	for i := len(machineDirs) - 1; i >= 0; i-- {
		if !slices.Contains(s.ExistingDirs, machineDirs[i]) {
			_ = os.Remove(machineDirs[i]) // only when empty: another containerd may use it
		}
	}
	if err := removeCgroup(s.CgroupRoot); err != nil {
		errs = append(errs, err)
	}
	// The Pods' veth ends go with their network namespaces; whatever is
	// still attached to the bridge goes with it.
	if out, err := exec.CommandContext(ctx, "ip", "-o", "link", "show", "master", s.Bridge).Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if f := strings.Fields(line); len(f) > 1 {
				_ = run(ctx, "ip", "link", "del", strings.SplitN(strings.TrimSuffix(f[1], ":"), "@", 2)[0])
			}
		}
	}
	if linkExists(s.Bridge) {
		if err := run(ctx, "ip", "link", "del", s.Bridge); err != nil {
			errs = append(errs, err)
		}
	}
	for _, rule := range forwardGuard(s.Bridge, s.Run) {
		for run(ctx, append([]string{"iptables", "-w", "-D", "FORWARD"}, rule...)...) == nil {
		}
	}
	if lock != nil {
		if err := removeNewChains(ctx, s.Chains); err != nil {
			errs = append(errs, err)
		}
		for k, v := range s.Sysctls {
			if err := os.WriteFile(filepath.Join("/proc/sys", k), []byte(v), 0o644); err != nil {
				errs = append(errs, fmt.Errorf("restoring %s: %w", k, err))
			}
		}
	}
	return errors.Join(errs...)
}

// machineDirs are made outside the node's directory wherever containerd's
// own directories are: by its shims (their sockets, runc's state) and by the
// CNI library (its cache), parents first.
var machineDirs = []string{"/run/containerd", "/run/containerd/s", "/run/containerd/runc", "/run/containerd/runc/k8s.io",
	"/var/lib/cni", cniCacheDir}

// deleteTasks has containerd, when it still runs, delete the node's tasks
// (their processes were killed): their shims then exit and remove their
// sockets, which are outside the node's directory. A shim whose containerd
// is gone is killed with it, and its socket removed here.
func deleteTasks(ctx context.Context, ndir string) {
	sock := containerdSocket(ndir)
	ctr := func(args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return exec.CommandContext(ctx, "ctr", append([]string{"--address", sock, "-n", "k8s.io"}, args...)...).CombinedOutput()
	}
	if out, err := ctr("tasks", "ls", "-q"); err == nil {
		for _, id := range strings.Fields(string(out)) {
			_, _ = ctr("tasks", "delete", "--force", id)
		}
	}
	// Whatever is left: the shims' sockets are named by a hash of
	// containerd's address, the namespace and the task's id.
	tasks, _ := os.ReadDir(filepath.Join(ndir, "containerd", "state", "io.containerd.runtime.v2.task", "k8s.io"))
	for _, t := range tasks {
		sum := sha256.Sum256([]byte(filepath.Join(sock, "k8s.io", t.Name())))
		_ = os.Remove(filepath.Join("/run/containerd/s", hex.EncodeToString(sum[:])))
	}
}

// killUnder kills the processes whose command line mentions dir (and, when
// names are given, whose executable is one of them), and waits until they
// are gone.
func killUnder(dir string, names ...string) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		var left []int
		for _, pid := range ProcessesUnder(dir) {
			if len(names) > 0 {
				comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
				if !slices.Contains(names, strings.TrimSpace(string(comm))) {
					continue
				}
			}
			_ = syscall.Kill(pid, syscall.SIGKILL)
			left = append(left, pid)
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mountsUnder returns the mount points at or below dir, deepest first.
func mountsUnder(dir string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

func unescapeMount(s string) string {
	r := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)
	return r.Replace(s)
}

// unmountUnder unmounts everything at or below dir: container root file
// systems, volumes, the Pods' network namespaces.
func unmountUnder(dir string) {
	for range 5 {
		mounts := mountsUnder(dir)
		if len(mounts) == 0 {
			return
		}
		for _, mp := range mounts {
			_ = syscall.Unmount(mp, syscall.MNT_DETACH)
		}
	}
}
