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

package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// RepoRoot returns the root of the repository (the module's directory),
// found from this file's location so that tests run from any working
// directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// AssetsDir returns where the test API server's binaries (kube-apiserver
// and etcd) are: $KUBEBUILDER_ASSETS, else the repository's bin/, where
// `make tools` puts them.
func AssetsDir() string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	return filepath.Join(RepoRoot(), "bin")
}

// EnvtestOptions says what a test API server is started with.
type EnvtestOptions struct {
	// Scheme is the scheme the CRDs are installed with; nil means
	// client-go's.
	Scheme *k8sruntime.Scheme
	// CRDs are CRD files or directories of them, relative to the
	// repository's root ("config/crd/bases" or a file in it); each must
	// exist. None, and no CRDObjects: an API server without CRDs.
	CRDs []string
	// CRDObjects are CRDs built in memory (as a generator makes them),
	// installed with CRDs.
	CRDObjects []*apiextensionsv1.CustomResourceDefinition
	// AssetsDir is where kube-apiserver and etcd are; empty means
	// AssetsDir().
	AssetsDir string
}

// NewEnvtest returns the environment StartEnvtest starts, for a TestMain
// that starts and stops it itself. The error says which binary is missing
// and what to do.
func NewEnvtest(opts EnvtestOptions) (*envtest.Environment, error) {
	assets := opts.AssetsDir
	if assets == "" {
		assets = AssetsDir()
	}
	for _, binary := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(assets, binary)); err != nil {
			return nil, fmt.Errorf("%s not found in %s ($KUBEBUILDER_ASSETS, else bin/): run 'make tools'", binary, assets)
		}
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets, Scheme: opts.Scheme, CRDs: opts.CRDObjects}
	for _, crd := range opts.CRDs {
		env.CRDDirectoryPaths = append(env.CRDDirectoryPaths, filepath.Join(RepoRoot(), crd))
	}
	env.ErrorIfCRDPathMissing = len(env.CRDDirectoryPaths) > 0
	return env, nil
}

// StartEnvtest starts a test API server (envtest) with opts' CRDs
// installed and stops it when the test ends; it fails the test, saying
// what to do, when it cannot start one. The environment's Config is an
// administrator's configuration; AddUser adds other identities.
func StartEnvtest(t testing.TB, opts EnvtestOptions) *envtest.Environment {
	t.Helper()
	env, err := NewEnvtest(opts)
	if err != nil {
		t.Fatalf("starting a test API server: %v", err)
	}
	if _, err := env.Start(); err != nil {
		t.Fatalf("starting a test API server (binaries from %s; run 'make tools'): %v", env.BinaryAssetsDirectory, err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping the test API server: %v", err)
		}
	})
	return env
}
