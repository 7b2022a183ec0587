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

package kubefedctltest

import (
	"fmt"
	"strings"
)

// CRD describes a namespaced CustomResourceDefinition of one served and
// stored version, for tests that install a type of their own.
type CRD struct {
	Group, Version, Kind string
	// ShortNames are the kind's short names; none when empty.
	ShortNames []string
	// Schema is the YAML of the version's openAPIV3Schema, written from the
	// first column.
	Schema string
	// StatusSubresource serves the status subresource.
	StatusSubresource bool
}

// Manifest returns the CRD's manifest. Its singular name is the kind
// lower-cased, its plural that with an s, its list kind the kind with List.
func (c CRD) Manifest() string {
	singular := strings.ToLower(c.Kind)
	names := fmt.Sprintf("kind: %[1]s, plural: %[2]ss, singular: %[2]s, listKind: %[1]sList", c.Kind, singular)
	if len(c.ShortNames) > 0 {
		names += ", shortNames: [" + strings.Join(c.ShortNames, ", ") + "]"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: %[1]ss.%[2]s
spec:
  group: %[2]s
  names: {%[3]s}
  scope: Namespaced
  versions:
  - name: %[4]s
    served: true
    storage: true
    schema:
      openAPIV3Schema:
`, singular, c.Group, names, c.Version)
	for line := range strings.Lines(strings.Trim(c.Schema, "\n") + "\n") {
		b.WriteString(strings.Repeat(" ", 8) + line)
	}
	if c.StatusSubresource {
		b.WriteString("    subresources:\n      status: {}\n")
	}
	return b.String()
}
