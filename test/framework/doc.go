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

// Package framework brings up local federations of real Kubernetes clusters
// for tests and for the demo: one host cluster and N member clusters, each a
// set of real control-plane processes (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler) plus kwok's controller, which
// simulates nodes and pod status, started by kwokctl's binary runtime from
// the binaries that `make tools` built into bin/.
//
// Every federation is a "run" with its own kwok work dir and its own
// kubeconfig, whose contexts are named after the clusters (host, member1,
// ...). Runs are recorded in a registry shared by all processes on the
// machine (see Root), which serves two purposes: ports are allocated
// explicitly and under a file lock, so clusters created concurrently by
// different test packages never race for a port (kwokctl's own choice does),
// and a run whose owning process died is found and torn down by Prune.
//
// Tests use New, which tears everything down in t.Cleanup and prints the
// control-plane logs when the test failed. The localfed command
// (test/framework/cmd/localfed) exposes the same operations on the command
// line.
//
// With Options.RealNode the host cluster gets a real node instead of
// simulated ones: containerd, runc and the CNI plugins of the system
// (hack/node-deps.sh), and the kubelet and kube-proxy of bin/, so that the
// Helm chart's Deployment runs from the kubefed image (hack/imagebuild) as
// it does for a user. It needs root on Linux; see node.go for its network
// and for what its teardown removes. The node's code is split by concern:
// node_linux.go starts it (preflight, lock, bridge, daemons),
// node_config_linux.go renders its daemons' configuration,
// node_network_linux.go and node_cgroup_linux.go own its bridge, iptables
// chains and cgroups, node_teardown_linux.go removes it and
// node_leftovers_linux.go checks that nothing is left; platform_other.go
// stands in for all of it outside Linux.
//
// Processes that tests run beside the clusters go through StartProcess (a
// log file, DieWithParent, Stop with a grace period): the DNS stack
// (StartDNS) and bin/controller-manager (StartControllerManager, or
// NewControllerManager in a test), the one launcher of the controller
// manager for every test package.
//
// For measurements, RequestCounts reads a cluster's apiserver_request_total
// (the requests its API server served, by resource and verb) and
// Processes the CPU time and memory of its control-plane processes.
package framework
