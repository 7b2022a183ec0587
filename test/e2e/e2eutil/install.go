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

package e2eutil

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// RepoRoot returns the root of the repository this package is in.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// installCRDs installs every CRD of config/crd/bases into the host and
// waits until they are served.
func installCRDs(t testing.TB, host *rest.Config) {
	t.Helper()
	dir := filepath.Join(RepoRoot(), "config", "crd", "bases")
	crds, err := envtest.InstallCRDs(host, envtest.CRDInstallOptions{
		Paths: []string{dir}, ErrorIfPathMissing: true, MaxTime: time.Minute,
	})
	if err != nil {
		t.Fatalf("installing the CRDs of %s: %v", dir, err)
	}
	if len(crds) < 20 {
		t.Fatalf("only %d CRDs in %s: run 'make manifests'", len(crds), dir)
	}
}

// installTypeConfigs creates the default FederatedTypeConfigs of
// config/federatedtypeconfigs in the control-plane namespace.
func installTypeConfigs(t testing.TB, host client.Client) []*fedcorev1b1.FederatedTypeConfig {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(RepoRoot(), "config", "federatedtypeconfigs", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []*fedcorev1b1.FederatedTypeConfig
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			ftc := &fedcorev1b1.FederatedTypeConfig{}
			if err := dec.Decode(ftc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if ftc.Name == "" {
				continue
			}
			ftc.Namespace = Namespace
			if err := host.Create(t.Context(), ftc); err != nil {
				t.Fatalf("creating FederatedTypeConfig %s from %s: %v", ftc.Name, f, err)
			}
			out = append(out, ftc)
		}
	}
	if len(out) == 0 {
		t.Fatal("no FederatedTypeConfigs in config/federatedtypeconfigs")
	}
	return out
}

// TypeConfig returns the installed FederatedTypeConfig whose target kind
// is kind (Deployment, ...), or nil.
func (e *Env) TypeConfig(kind string) *fedcorev1b1.FederatedTypeConfig {
	for _, ftc := range e.TypeConfigs {
		if strings.EqualFold(ftc.Spec.TargetType.Kind, kind) {
			return ftc
		}
	}
	return nil
}
