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

package kubefedctl

import (
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
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
	return kindRef(kind, obj.GetNamespace(), obj.GetName())
}

// kindRef names the object namespace/name of kind as "Kind namespace/name",
// or "Kind name" when the namespace is empty (a cluster-scoped object).
func kindRef(kind, namespace, name string) string {
	if namespace == "" {
		return kind + " " + name
	}
	return kind + " " + namespace + "/" + name
}

// checkReportOutput refuses an output format that status and rollout
// status do not print.
func checkReportOutput(output string) error {
	switch output {
	case "", "wide", "yaml", "json":
		return nil
	}
	return fmt.Errorf("unknown output format %q: use wide, yaml or json", output)
}

// printStructured prints a report as YAML or JSON when output names one of
// them, and says whether it did; any other output is a table the caller
// prints.
func printStructured(out io.Writer, report any, output string) (bool, error) {
	var data []byte
	var err error
	switch output {
	case "yaml":
		data, err = yaml.Marshal(report)
	case "json":
		if data, err = jsonIndent(report); err == nil {
			data = append(data, '\n')
		}
	default:
		return false, nil
	}
	if err != nil {
		return true, err
	}
	_, err = out.Write(data)
	return true, err
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
