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

package api

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	runtimeapi "k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	"github.com/kubefed/kubefed/test/testenv"
)

var (
	// k8sClient talks to the test API server; set by TestMain.
	k8sClient client.Client
	// restConfig is the test API server's configuration; set by TestMain.
	restConfig *rest.Config
	// scheme knows the built-in and KubeFed Go types.
	scheme = runtimeapi.NewScheme()
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("skipping API integration tests in short mode")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	for _, add := range []func(*runtimeapi.Scheme) error{
		clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme,
		fedcorev1b1.AddToScheme, fedcorev1a1.AddToScheme, fedschedv1a1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			fmt.Fprintf(os.Stderr, "building scheme: %v\n", err)
			return 1
		}
	}

	env, err := testenv.NewEnvtest(testenv.EnvtestOptions{Scheme: scheme, CRDs: []string{"config/crd/bases"}})
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v, or use go test -short to skip the API server tests\n", err)
		return 1
	}
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: starting the test API server: %v\n", err)
		return 1
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stopping the test API server: %v\n", err)
		}
	}()
	restConfig = cfg
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: building a client: %v\n", err)
		return 1
	}
	return m.Run()
}

// testContext returns a context that ends with the test.
func testContext(t *testing.T) context.Context {
	t.Helper()
	return t.Context()
}
