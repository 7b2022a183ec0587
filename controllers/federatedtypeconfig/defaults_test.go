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

package federatedtypeconfig

import (
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/testenv"
)

// CreateDefaultTypeConfig creates in namespace the FederatedTypeConfig of
// the default type name (config/federatedtypeconfigs/<name>.yaml, as
// 'make manifests' writes it) and returns it as created. It is exported
// for the tests of package federatedtypeconfig_test.
func CreateDefaultTypeConfig(t testing.TB, c client.Client, name, namespace string) *fedcorev1b1.FederatedTypeConfig {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "federatedtypeconfigs", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	if err := yaml.Unmarshal(data, ftc); err != nil {
		t.Fatal(err)
	}
	ftc.Namespace = namespace
	if err := c.Create(t.Context(), ftc); err != nil {
		t.Fatalf("creating FederatedTypeConfig %s: %v", name, err)
	}
	return ftc
}
