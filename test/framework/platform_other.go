//go:build !linux

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
	"os"
	"syscall"
)

// Outside Linux a real node cannot run (it needs containerd, runc and
// cgroups) and a child process cannot be tied to its parent's life: these
// stand in for node_linux.go and proc_linux.go.

var errNodeLinux = errors.New("a real node needs Linux (containerd, runc, cgroups)")

// NodePreflight reports why a real node cannot run on this machine.
func NodePreflight(string) error { return errNodeLinux }

func (f *Federation) prepareNode(context.Context) error { return errNodeLinux }

func (f *Federation) startNode(context.Context) error { return errNodeLinux }

func teardownNode(context.Context, string, *os.File) error { return nil }

// ImportImage loads an OCI image tarball into the node's containerd.
func (n *Node) ImportImage(context.Context, string) error { return errNodeLinux }

// Leftovers lists what the node left on the machine.
func (n *Node) Leftovers(context.Context) []string { return nil }

// ContainerPID returns the process id of a container's main process.
func (n *Node) ContainerPID(context.Context, string) (int, error) { return 0, errNodeLinux }

// DieWithParent has no portable equivalent outside Linux: Prune and Stop
// clean up instead.
func DieWithParent() *syscall.SysProcAttr { return nil }
