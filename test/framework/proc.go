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
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat: 100
// on every Linux architecture Go supports.
const clockTicks = 100

// ProcessStats is what /proc tells about one process.
type ProcessStats struct {
	// PID is the process id.
	PID int
	// Name is the executable's name (/proc/<pid>/comm).
	Name string
	// CPU is the user plus system time the process used so far.
	CPU time.Duration
	// RSS is the resident set size in bytes.
	RSS int64
}

// ReadProcessStats reads the CPU time and resident memory of a process.
func ReadProcessStats(pid int) (ProcessStats, error) {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return ProcessStats{}, err
	}
	return parseProcStat(pid, string(stat))
}

// parseProcStat parses /proc/<pid>/stat. The name (field 2) is in
// parentheses and may hold spaces, so fields are counted from its end.
func parseProcStat(pid int, stat string) (ProcessStats, error) {
	open, end := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	if open < 0 || end < open {
		return ProcessStats{}, fmt.Errorf("unexpected /proc/%d/stat: %q", pid, stat)
	}
	// Fields after the name start at field 3 (state); utime is field 14,
	// stime 15, rss (in pages) 24.
	rest := strings.Fields(stat[end+1:])
	if len(rest) < 22 {
		return ProcessStats{}, fmt.Errorf("unexpected /proc/%d/stat: %q", pid, stat)
	}
	field := func(n int) (int64, error) { return strconv.ParseInt(rest[n-3], 10, 64) }
	utime, err := field(14)
	if err != nil {
		return ProcessStats{}, err
	}
	stime, err := field(15)
	if err != nil {
		return ProcessStats{}, err
	}
	rss, err := field(24)
	if err != nil {
		return ProcessStats{}, err
	}
	return ProcessStats{
		PID:  pid,
		Name: stat[open+1 : end],
		CPU:  time.Duration(utime+stime) * time.Second / clockTicks,
		RSS:  rss * int64(os.Getpagesize()),
	}, nil
}

// Processes returns the stats of the cluster's control-plane processes
// (etcd, kube-apiserver, ...), keyed by executable name.
func (c *Cluster) Processes() map[string]ProcessStats {
	out := map[string]ProcessStats{}
	for _, pid := range ProcessesUnder(filepath.Join(c.fed.kwokWorkdir(), "clusters", c.KwokName)) {
		st, err := ReadProcessStats(pid)
		if err != nil {
			continue // it exited meanwhile
		}
		if prev, ok := out[st.Name]; ok {
			st.CPU += prev.CPU
			st.RSS += prev.RSS
		}
		out[st.Name] = st
	}
	return out
}

// CPU returns the CPU time the cluster's control-plane processes used so
// far, in all.
func (c *Cluster) CPU() time.Duration {
	var total time.Duration
	for _, st := range c.Processes() {
		total += st.CPU
	}
	return total
}
