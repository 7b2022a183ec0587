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

package multiclusterdns

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	runtimeapi "k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
)

// TestSetupWithoutCRDs checks that a control plane whose API server lacks
// the multiclusterdns.kubefed.io CRDs (a chart upgrade does not install new
// CRDs) keeps running: the DNS controllers are not added, so no watch of a
// missing kind fails the manager.
func TestSetupWithoutCRDs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server; skipped with -short")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		assets = filepath.Join(root, "bin")
	}
	scheme := runtimeapi.NewScheme()
	for _, add := range []func(*runtimeapi.Scheme) error{clientgoscheme.AddToScheme, fedcorev1b1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	// The core CRDs only: KubeFedClusters are watched by the DNS controllers.
	env := &envtest.Environment{BinaryAssetsDirectory: assets, Scheme: scheme, ErrorIfCRDPathMissing: true,
		CRDDirectoryPaths: []string{filepath.Join(root, "config", "crd", "bases", "core.kubefed.io_kubefedclusters.yaml")}}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting the API server (KUBEBUILDER_ASSETS=%s; run make tools): %v", assets, err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"},
		// A watch of a missing kind fails the manager after this long.
		Controller: config.Controller{CacheSyncTimeout: 3 * time.Second, UsePriorityQueue: ptr.To(false)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := SetupWithManager(mgr, clustercache.New(clustercache.Options{Scheme: scheme}), "kube-federation-system"); err != nil {
		t.Fatalf("SetupWithManager without the CRDs: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	if err := mgr.Start(ctx); err != nil {
		t.Fatalf("the manager stopped with an error: %v", err)
	}
}
