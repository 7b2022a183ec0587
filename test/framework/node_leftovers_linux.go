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
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Leftovers lists what the node left on the machine after its federation
// was torn down: processes, mounts, the bridge and its addresses, cgroups,
// iptables chains and rules that were not there before it, changed kernel
// settings. Empty after a clean teardown.
func (n *Node) Leftovers(ctx context.Context) []string {
	return nodeLeftovers(ctx, n.runDir, n.state)
}

func nodeLeftovers(ctx context.Context, dir string, s *nodeState) []string {
	var out []string
	if pids := ProcessesUnder(dir); len(pids) > 0 {
		out = append(out, fmt.Sprintf("processes %v", pids))
	}
	if pids := cgroupProcs(s.CgroupRoot); len(pids) > 0 {
		out = append(out, fmt.Sprintf("processes %v in cgroup %s", pids, s.CgroupRoot))
	}
	for _, h := range cgroupHierarchies() {
		if _, err := os.Stat(filepath.Join(h, s.CgroupRoot)); err == nil {
			out = append(out, "cgroup "+filepath.Join(h, s.CgroupRoot))
		}
	}
	if m := mountsUnder(dir); len(m) > 0 {
		out = append(out, fmt.Sprintf("mounts %v", m))
	}
	if linkExists(s.Bridge) {
		out = append(out, "interface "+s.Bridge)
	}
	if links, err := net.Interfaces(); err == nil {
		for _, l := range links {
			if addrs, _ := l.Addrs(); slices.ContainsFunc(addrs, func(a net.Addr) bool {
				return strings.HasPrefix(a.String(), fmt.Sprintf("198.18.%d.", s.Subnet))
			}) {
				out = append(out, "address on "+l.Name)
			}
		}
	}
	if now, rules, err := iptablesChains(ctx); err == nil {
		for table, chains := range now {
			for _, c := range chains {
				if !slices.Contains(s.Chains[table], c) {
					out = append(out, fmt.Sprintf("iptables chain %s/%s", table, c))
				}
			}
		}
		for _, r := range rules {
			if !slices.Contains(s.Rules, r) {
				out = append(out, "iptables rule "+r)
			}
		}
	}
	if c := cniCacheEntries(nodeDir(dir), s.Run); len(c) > 0 {
		out = append(out, fmt.Sprintf("CNI results %v", c))
	}
	for _, d := range machineDirs {
		if _, err := os.Stat(d); err == nil && !slices.Contains(s.ExistingDirs, d) {
			out = append(out, "directory "+d)
		}
	}
	for k, v := range s.Sysctls {
		if now, err := os.ReadFile(filepath.Join("/proc/sys", k)); err == nil && strings.TrimSpace(string(now)) != v {
			out = append(out, fmt.Sprintf("sysctl %s=%s (was %s)", k, strings.TrimSpace(string(now)), v))
		}
	}
	return out
}
