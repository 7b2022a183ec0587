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
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Port range the framework allocates from. It sits below the kernel's
// ephemeral range (32768 and up), so outgoing connections never take the
// port of a stopped cluster, and away from kwokctl's own countdown from
// 32767.
const (
	portRangeStart = 20000
	portRangeEnd   = 30000
)

// Root returns the directory that holds the registry of local federations
// shared by every process on this machine: $KUBEFED_LOCALFED_ROOT, or
// kubefed-localfed in the system temporary directory.
func Root() string {
	if r := os.Getenv("KUBEFED_LOCALFED_ROOT"); r != "" {
		return r
	}
	return filepath.Join(os.TempDir(), "kubefed-localfed")
}

// Ports are the ports of one cluster's components, all on 127.0.0.1.
type Ports struct {
	APIServer         uint32 `json:"apiServer"`
	Etcd              uint32 `json:"etcd"`
	EtcdPeer          uint32 `json:"etcdPeer"`
	KwokController    uint32 `json:"kwokController"`
	ControllerManager uint32 `json:"controllerManager"`
	Scheduler         uint32 `json:"scheduler"`
}

func (p Ports) all() []uint32 {
	return []uint32{p.APIServer, p.Etcd, p.EtcdPeer, p.KwokController, p.ControllerManager, p.Scheduler}
}

// record is what the registry keeps about one run.
type record struct {
	Name string `json:"name"`
	// Dir is the run's directory (kwok work dir, kubeconfig, logs).
	Dir string `json:"dir"`
	// PID is the process that owns the run; when it is gone the run is
	// stale, unless Persistent.
	PID int `json:"pid"`
	// Persistent runs (the demo) outlive the process that created them;
	// they are stale only when their directory is gone.
	Persistent bool `json:"persistent"`
	// Clusters maps kwok cluster names to their reserved ports.
	Clusters map[string]Ports `json:"clusters"`
	// Extra are further ports of the run (its real node's), by owner.
	Extra map[string][]uint32 `json:"extra,omitempty"`
}

func runsDir() string { return filepath.Join(Root(), "runs") }

func recordPath(name string) string { return filepath.Join(runsDir(), name+".json") }

// withLock runs fn while holding the registry's exclusive file lock.
func withLock(fn func() error) error {
	if err := os.MkdirAll(runsDir(), 0o755); err != nil {
		return fmt.Errorf("creating the local federation registry: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(Root(), "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("opening the registry lock: %w", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("locking the registry: %w", err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck
	return fn()
}

func readRecords() ([]*record, error) {
	entries, err := os.ReadDir(runsDir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var out []*record
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(runsDir(), e.Name()))
		if err != nil {
			return nil, err
		}
		r := &record{}
		if err := json.Unmarshal(data, r); err != nil {
			// A torn record cannot own ports; drop it.
			_ = os.Remove(filepath.Join(runsDir(), e.Name()))
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func readRecord(name string) (*record, error) {
	data, err := os.ReadFile(recordPath(name))
	if err != nil {
		return nil, err
	}
	r := &record{}
	return r, json.Unmarshal(data, r)
}

func writeRecord(r *record) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp := recordPath(r.Name) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, recordPath(r.Name))
}

// reservePorts allocates the ports of a new cluster of run, records them
// and returns them. Must be called under withLock.
func reservePorts(run, cluster string) (Ports, error) {
	own, pick, err := portPicker(run)
	if err != nil {
		return Ports{}, err
	}
	var p Ports
	for _, dst := range []*uint32{&p.APIServer, &p.Etcd, &p.EtcdPeer, &p.KwokController, &p.ControllerManager, &p.Scheduler} {
		if *dst, err = pick(); err != nil {
			return Ports{}, err
		}
	}
	if own.Clusters == nil {
		own.Clusters = map[string]Ports{}
	}
	own.Clusters[cluster] = p
	return p, writeRecord(own)
}

// reserveExtraPorts allocates n more ports of run for owner, records them
// and returns them. Must be called under withLock.
func reserveExtraPorts(run, owner string, n int) ([]uint32, error) {
	own, pick, err := portPicker(run)
	if err != nil {
		return nil, err
	}
	out := make([]uint32, n)
	for i := range out {
		if out[i], err = pick(); err != nil {
			return nil, err
		}
	}
	if own.Extra == nil {
		own.Extra = map[string][]uint32{}
	}
	own.Extra[owner] = out
	return out, writeRecord(own)
}

// portPicker returns run's record and a function that picks a port no run
// has reserved and nothing listens on.
func portPicker(run string) (*record, func() (uint32, error), error) {
	records, err := readRecords()
	if err != nil {
		return nil, nil, err
	}
	used := map[uint32]bool{}
	var own *record
	for _, r := range records {
		if r.Name == run {
			own = r
		}
		for _, p := range r.Clusters {
			for _, port := range p.all() {
				used[port] = true
			}
		}
		for _, ports := range r.Extra {
			for _, port := range ports {
				used[port] = true
			}
		}
	}
	if own == nil {
		return nil, nil, fmt.Errorf("run %q is not registered", run)
	}
	next := uint32(portRangeStart)
	pick := func() (uint32, error) {
		for ; next < portRangeEnd; next++ {
			if used[next] || !portFree(next) {
				continue
			}
			used[next] = true
			return next, nil
		}
		return 0, fmt.Errorf("no free port left in %d-%d: run 'localfed prune' to remove stale federations", portRangeStart, portRangeEnd)
	}
	return own, pick, nil
}

func portFree(port uint32) bool {
	for _, host := range []string{"127.0.0.1", ""} {
		l, err := net.Listen("tcp", fmt.Sprintf("%s:%d", host, port))
		if err != nil {
			return false
		}
		_ = l.Close()
	}
	return true
}

// processAlive reports whether pid names a live process.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
