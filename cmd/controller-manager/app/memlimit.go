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

package app

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
)

// MemoryLimitFraction is the share of the container's memory limit the Go
// heap is kept under; the rest is for stacks, the runtime and buffers.
const MemoryLimitFraction = 0.85

// SetMemoryLimit gives the Go runtime a soft memory limit derived from
// the container's (the cgroup's memory.max, or cgroup v1's
// memory.limit_in_bytes), unless GOMEMLIMIT sets one. Without it the Go
// runtime ignores the container limit: the heap may grow to twice its live
// size, and the start-up lists of a large federation then get the process
// OOM-killed where collecting sooner would have kept it under the limit.
// It returns the limit set, 0 when none was.
func SetMemoryLimit(cgroupRoot string) int64 {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		return 0
	}
	limit := cgroupMemoryLimit(cgroupRoot)
	if limit <= 0 {
		return 0
	}
	soft := int64(float64(limit) * MemoryLimitFraction)
	debug.SetMemoryLimit(soft)
	return soft
}

// cgroupMemoryLimit reads the memory limit of the process's cgroup under
// root ("/sys/fs/cgroup" in a container); 0 when there is none.
func cgroupMemoryLimit(root string) int64 {
	for _, f := range []string{"memory.max", filepath.Join("memory", "memory.limit_in_bytes")} {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(data))
		if s == "max" {
			return 0
		}
		v, err := strconv.ParseInt(s, 10, 64)
		// cgroup v1 reports "no limit" as a number near the largest int64.
		if err != nil || v <= 0 || v >= 1<<62 {
			return 0
		}
		return v
	}
	return 0
}
