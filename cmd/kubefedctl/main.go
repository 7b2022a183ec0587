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

// Command kubefedctl joins member clusters to a KubeFed host cluster and
// manages federated types. The commands live in internal/kubefedctl. Named
// kubectl-kubefed (a copy or a link), it is a kubectl plugin: kubectl
// kubefed ... runs it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/kubefed/kubefed/internal/kubefedctl"
)

func main() {
	// kubefedctl reports through its own output; controller-runtime's client
	// would otherwise warn on stderr that no logger was set.
	ctrllog.SetLogger(logr.Discard())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	root := kubefedctl.NewCommand()
	if strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe") == kubefedctl.KubectlPluginName {
		kubefedctl.SetKubectlPlugin(root)
	}
	err := root.ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		var coded interface{ ExitCode() int }
		if errors.As(err, &coded) {
			os.Exit(coded.ExitCode())
		}
		os.Exit(1)
	}
}
