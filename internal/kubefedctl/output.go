package kubefedctl

import (
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// printer writes the progress of a command: one line per step, and more
// detail at higher verbosity. Everything goes to the command's writer so
// that the commands can run in-process (tests, the demo) and be captured.
type printer struct {
	out       io.Writer
	verbosity int
}

func newPrinter(out io.Writer, verbosity int) *printer {
	if out == nil {
		out = io.Discard
	}
	return &printer{out: out, verbosity: verbosity}
}

// step prints one line of progress about a cluster.
func (p *printer) step(cluster, format string, args ...any) {
	fmt.Fprintf(p.out, "%s: %s\n", cluster, fmt.Sprintf(format, args...))
}

// line prints one line.
func (p *printer) line(format string, args ...any) {
	fmt.Fprintf(p.out, format+"\n", args...)
}

// v prints one line when the verbosity is at least level.
func (p *printer) v(level int, format string, args ...any) {
	if p.verbosity >= level {
		fmt.Fprintf(p.out, format+"\n", args...)
	}
}

// objectRef names an object the way kubectl prints it: Kind namespace/name.
func objectRef(kind string, obj client.Object) string {
	if obj.GetNamespace() == "" {
		return kind + " " + obj.GetName()
	}
	return kind + " " + obj.GetNamespace() + "/" + obj.GetName()
}

// deleteCommand returns the kubectl command that deletes an object, for the
// messages that ask the user to finish a cleanup by hand.
func deleteCommand(kubeContext, kind string, obj client.Object) string {
	var b strings.Builder
	b.WriteString("kubectl")
	if kubeContext != "" {
		b.WriteString(" --context " + kubeContext)
	}
	if obj.GetNamespace() != "" {
		b.WriteString(" -n " + obj.GetNamespace())
	}
	b.WriteString(" delete " + strings.ToLower(kind) + " " + obj.GetName())
	return b.String()
}
