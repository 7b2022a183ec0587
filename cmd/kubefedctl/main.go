// Command kubefedctl joins member clusters to a KubeFed host cluster and
// manages federated types. The commands live in internal/kubefedctl.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
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
	err := kubefedctl.NewCommand().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
