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
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// The real node's network on this machine: the Pods' bridge, the FORWARD
// rules that keep their traffic on it, the iptables chains kube-proxy and
// the kubelet add, and the CNI library's cache of the Pods' networks.

// bridgeName is the Pods' bridge of a run: at most 15 characters.
func bridgeName(run string) string {
	name := "kfbr-" + strings.TrimPrefix(run, "kf-")
	if len(name) > 15 {
		name = name[:15]
	}
	return name
}

// forwardGuard are the FORWARD rules that keep the Pods' traffic on the
// bridge, whatever the machine's IP forwarding setting.
func forwardGuard(bridge, run string) [][]string {
	comment := []string{"-m", "comment", "--comment", "kubefed real node " + run}
	return [][]string{
		append([]string{"-i", bridge, "!", "-o", bridge}, append(comment, "-j", "DROP")...),
		append([]string{"-o", bridge, "!", "-i", bridge}, append(comment, "-j", "DROP")...),
	}
}

func addressInUse(prefix string) bool {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if strings.HasPrefix(a.String(), prefix) {
			return true
		}
	}
	return false
}

func linkExists(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}

// iptablesChains returns the user-defined chains of every IPv4 table, by
// table, and the rules of every chain ("-A CHAIN ..." lines).
func iptablesChains(ctx context.Context) (chains map[string][]string, rules []string, err error) {
	out, err := exec.CommandContext(ctx, "iptables-save").Output()
	if err != nil {
		return nil, nil, fmt.Errorf("iptables-save: %w", err)
	}
	chains = map[string][]string{}
	table := ""
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "*"):
			table = line[1:]
		case strings.HasPrefix(line, ":"):
			// ":NAME POLICY [counters]": built-in chains have a policy.
			if f := strings.Fields(line[1:]); len(f) > 1 && f[1] == "-" {
				chains[table] = append(chains[table], f[0])
			}
		case strings.HasPrefix(line, "-A "):
			rules = append(rules, table+" "+line)
		}
	}
	return chains, rules, nil
}

// removeNewChains removes the iptables chains that were not there before
// the node started (kube-proxy's and the kubelet's), and the rules of the
// chains that were there that jump to them.
func removeNewChains(ctx context.Context, before map[string][]string) error {
	now, _, err := iptablesChains(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for table, chains := range now {
		var added []string
		for _, c := range chains {
			if !slices.Contains(before[table], c) {
				added = append(added, c)
			}
		}
		if len(added) == 0 {
			continue
		}
		// Rules in the old chains that jump to a new one.
		out, err := exec.CommandContext(ctx, "iptables-save", "-t", table).Output()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 || f[0] != "-A" || slices.Contains(added, f[1]) {
				continue
			}
			for i := range len(f) - 1 {
				if (f[i] == "-j" || f[i] == "-g") && slices.Contains(added, f[i+1]) {
					args := append([]string{"iptables", "-w", "-t", table, "-D"}, f[1:]...)
					if err := runShellWords(ctx, args); err != nil {
						errs = append(errs, err)
					}
					break
				}
			}
		}
		for _, c := range added {
			_ = run(ctx, "iptables", "-w", "-t", table, "-F", c)
		}
		for _, c := range added {
			if err := run(ctx, "iptables", "-w", "-t", table, "-X", c); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// runShellWords runs an iptables-save rule line split into words, with the
// quotes iptables-save puts around comments removed.
func runShellWords(ctx context.Context, args []string) error {
	var words []string
	var quoted []string
	for _, a := range args {
		switch {
		case quoted != nil:
			quoted = append(quoted, a)
			if strings.HasSuffix(a, `"`) {
				words = append(words, strings.Trim(strings.Join(quoted, " "), `"`))
				quoted = nil
			}
		case strings.HasPrefix(a, `"`) && !(len(a) > 1 && strings.HasSuffix(a, `"`)):
			quoted = []string{a}
		default:
			words = append(words, strings.Trim(a, `"`))
		}
	}
	return run(ctx, words...)
}

// cniCacheDir is where the CNI library keeps the results of the networks it
// set up, by network name and sandbox.
const cniCacheDir = "/var/lib/cni/results"

// cniNetwork names the node's CNI network, after the run.
func cniNetwork(run string) string { return "kubefed-" + run }

// cniCacheEntries returns the CNI library's cached results of the node's
// Pods: its network's, and the loopback ones of its sandboxes.
func cniCacheEntries(ndir, run string) []string {
	var out []string
	entries, _ := os.ReadDir(cniCacheDir)
	sandboxes, _ := os.ReadDir(filepath.Join(ndir, "containerd", "root", "io.containerd.grpc.v1.cri", "sandboxes"))
	for _, e := range entries {
		mine := strings.HasPrefix(e.Name(), cniNetwork(run)+"-")
		for _, sb := range sandboxes {
			mine = mine || strings.HasPrefix(e.Name(), "cni-loopback-"+sb.Name()+"-")
		}
		if mine {
			out = append(out, filepath.Join(cniCacheDir, e.Name()))
		}
	}
	return out
}

func removeCNICache(ndir, run string) {
	for _, p := range cniCacheEntries(ndir, run) {
		_ = os.Remove(p)
	}
}
