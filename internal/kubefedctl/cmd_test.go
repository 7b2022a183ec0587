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

package kubefedctl_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
)

// ns is the control plane's namespace, where enable writes
// FederatedTypeConfigs.
const ns = fedcorev1b1.DefaultKubeFedSystemNamespace

// cmdEnv is the host the command tests share: a test API server with the
// control plane's CRDs and namespace, and no controller manager (the e2e
// suite covers what needs one).
type cmdEnv struct {
	c          client.Client
	kubeconfig string
}

func (e *cmdEnv) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return kubefedctltest.Run(t, e.kubeconfig, args...)
}

func (e *cmdEnv) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	return kubefedctltest.MustRun(t, e.kubeconfig, args...)
}

// getFederated reads the federated object (types.kubefed.io/v1beta1) of
// kind name in default.
func (e *cmdEnv) getFederated(t *testing.T, kind, name string) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion("types.kubefed.io/v1beta1")
	obj.SetKind(kind)
	if err := e.c.Get(t.Context(), client.ObjectKey{Namespace: "default", Name: name}, obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

// TestTypeCommands runs enable, disable, federate, orphaning-deletion and
// status against one test API server, in order: a step works with what the
// steps before it enabled and created (the Widget CRD, the ConfigMap cfg).
// The steps are in enable_cmd_test.go, federate_cmd_test.go and
// object_cmd_test.go.
func TestTypeCommands(t *testing.T) {
	host := kubefedctltest.StartHost(t)
	e := &cmdEnv{c: host.Client, kubeconfig: host.Kubeconfig}
	kubefedctltest.InstallCRD(t, e.c, kubefedctltest.WidgetCRD)
	for _, step := range []struct {
		name string
		run  func(t *testing.T, e *cmdEnv)
	}{
		{"enable a CRD: its schema validates templates", testEnableCRD},
		{"enable again changes nothing", testEnableAgain},
		{"enable built-in kinds from the API server's OpenAPI", testEnableBuiltin},
		{"enable -o yaml changes nothing", testEnableOutput},
		{"enable upgrades a KubeFed-made federated CRD", testEnableUpgrade},
		{"enable in another federated group grants the controller access", testEnableFederatedGroup},
		{"enable in another group without the right to grant it says what to create", testEnableWithoutRBAC},
		{"enable --ready-when/--failed-when set the health rules", testEnableHealthRules},
		{"federate", testFederate},
		{"federate --contents -o yaml with skipped types", testFederateContents},
		{"federate --filename needs no cluster", testFederateFile},
		{"orphaning-deletion", testOrphaning},
		{"status before the controller wrote any", testStatusWithoutController},
		{"disable", testDisable},
	} {
		t.Run(step.name, func(t *testing.T) { step.run(t, e) })
	}
}
