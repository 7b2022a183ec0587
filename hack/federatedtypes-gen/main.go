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

// Command federatedtypes-gen writes the CRDs and FederatedTypeConfigs of the
// default federated types (internal/federatedtypes.DefaultTargetTypes):
//
//	go run ./hack/federatedtypes-gen --crd-dir config/crd/bases --ftc-dir config/federatedtypeconfigs
//
// CRDs are named like controller-gen's (types.kubefed.io_federated<plural>.yaml),
// FederatedTypeConfigs after themselves (deployments.apps.yaml). Files it
// wrote before for types no longer in the default set are removed; other
// files are left alone. Running it twice changes nothing.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubefed/kubefed/internal/federatedtypes"
)

func main() {
	crdDir := flag.String("crd-dir", "config/crd/bases", "directory to write the Federated<Kind> CRDs to")
	ftcDir := flag.String("ftc-dir", "config/federatedtypeconfigs", "directory to write the FederatedTypeConfigs to")
	flag.Parse()

	if err := run(*crdDir, *ftcDir); err != nil {
		fmt.Fprintf(os.Stderr, "federatedtypes-gen: %v\n", err)
		os.Exit(1)
	}
}

func run(crdDir, ftcDir string) error {
	crds := map[string][]byte{}
	ftcs := map[string][]byte{}
	for _, t := range federatedtypes.DefaultTargetTypes() {
		crd, err := federatedtypes.MarshalYAML(federatedtypes.CRD(t))
		if err != nil {
			return fmt.Errorf("%s: %w", t.CRDName(), err)
		}
		crds["types.kubefed.io_"+t.FederatedPluralName()+".yaml"] = crd
		ftc, err := federatedtypes.MarshalYAML(federatedtypes.FederatedTypeConfig(t))
		if err != nil {
			return fmt.Errorf("FederatedTypeConfig %s: %w", t.FederatedTypeConfigName(), err)
		}
		ftcs[t.FederatedTypeConfigName()+".yaml"] = ftc
	}
	if err := writeAll(crdDir, crds); err != nil {
		return err
	}
	ftcs["kustomization.yaml"] = kustomization(ftcs)
	return writeAll(ftcDir, ftcs)
}

// kustomization lists the FederatedTypeConfig files, sorted, so that
// "kubectl apply -k config/federatedtypeconfigs -n <namespace>" installs
// them all.
func kustomization(files map[string][]byte) []byte {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("resources:\n")
	for _, name := range names {
		b.WriteString("- " + name + "\n")
	}
	return []byte(b.String())
}

// writeAll writes files into dir, rewriting only those whose content
// changed, and removes generated files that are no longer produced.
func writeAll(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	existing, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return err
	}
	for _, path := range existing {
		if _, keep := files[filepath.Base(path)]; keep {
			continue
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(string(content), federatedtypes.GeneratedHeader) {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	for name, body := range files {
		content := append([]byte(federatedtypes.GeneratedHeader), body...)
		path := filepath.Join(dir, name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
			continue
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
