// Command kubefedctl joins member clusters to a KubeFed host cluster and
// manages federated types. The commands live in internal/kubefedctl.
package main

import (
	"fmt"
	"os"

	"github.com/kubefed/kubefed/internal/kubefedctl"
)

func main() {
	if err := kubefedctl.NewCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
