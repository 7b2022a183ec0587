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
	"errors"
	"strings"
	"testing"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
)

// testOrphaning enables, shows and disables orphaning deletion.
func testOrphaning(t *testing.T, e *cmdEnv) {
	// Without -n, the context's namespace (here none: default), as kubectl.
	kubefedctltest.WantContains(t, e.mustRun(t, "orphaning-deletion", "status", "FederatedConfigMap", "cfg"), "Disabled")
	kubefedctltest.WantContains(t, e.mustRun(t, "orphaning-deletion", "enable", "federatedconfigmaps", "cfg", "-n", "default"), "Orphaning deletion enabled")
	fed := e.getFederated(t, "FederatedConfigMap", "cfg")
	if fed.GetAnnotations()[fedcorev1b1.OrphanManagedResourcesAnnotation] != "true" {
		t.Errorf("annotations = %v", fed.GetAnnotations())
	}
	// The target type names the federated type too.
	kubefedctltest.WantContains(t, e.mustRun(t, "orphaning-deletion", "status", "configmaps", "cfg", "-n", "default"), "Enabled")
	kubefedctltest.WantContains(t, e.mustRun(t, "orphaning-deletion", "disable", "FederatedConfigMap", "cfg", "-n", "default"), "Orphaning deletion disabled")
	// Without -n, the context's namespace (here none: default), as kubectl.
	kubefedctltest.WantContains(t, e.mustRun(t, "orphaning-deletion", "status", "FederatedConfigMap", "cfg"), "Disabled")
}

// testStatusWithoutController shows an object whose status no controller
// wrote: exit code 2.
func testStatusWithoutController(t *testing.T, e *cmdEnv) {
	out, err := e.run(t, "status", "configmaps", "cfg", "-n", "default")
	var np *kubefedctl.NotPropagatedError
	if !errors.As(err, &np) || np.ExitCode() != 2 {
		t.Fatalf("status of an object without status: error %v, want a NotPropagatedError", err)
	}
	kubefedctltest.WantContains(t, out, "CLUSTER", "FederatedConfigMap default/cfg: Propagation=Unknown")
}

// testDisable disables types: refused with objects for --delete-crd, unknown
// types, and no controller manager to report the stop.
func testDisable(t *testing.T, e *cmdEnv) {
	c := e.c
	_, err := e.run(t, "disable", "configmaps", "--delete-crd")
	if err == nil || !strings.Contains(err.Error(), "cannot delete CRD federatedconfigmaps.types.kubefed.io while 1 FederatedConfigMap objects exist (default/cfg)") {
		t.Errorf("disable --delete-crd with objects: %v", err)
	}
	_, err = e.run(t, "disable", "nosuchtype.example.com")
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("disable of a type that is not enabled: %v", err)
	}
	// Without a controller manager nothing reports the controller
	// stopped: disable says where to look.
	out, err := e.run(t, "disable", "widgets.example.com", "--timeout", "1s")
	kubefedctltest.WantContains(t, out, `Disabled propagation for FederatedTypeConfig "`+ns+`/widgets.example.com"`)
	if err == nil || !strings.Contains(err.Error(), "check that the controller manager runs") {
		t.Errorf("disable without a controller: %v", err)
	}
	ftc := getFTC(t, c, "widgets.example.com")
	if ftc.GetPropagationEnabled() {
		t.Error("propagation still enabled")
	}
	out = e.mustRun(t, "enable", "widgets.example.com", "--wait", "0")
	kubefedctltest.WantContains(t, out, "federatedtypeconfig.core.kubefed.io/widgets.example.com updated in namespace "+ns+": propagation enabled")
}
