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

package propagation_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// gadgetCRD is the target type of TestMemberCRDInstalledLater: a CRD no
// other test installs.
var gadgetCRD = kubefedctltest.CRD{Group: "late.example.com", Version: "v1", Kind: "Gadget", Schema: `
type: object
properties:
  spec:
    type: object
    properties:
      size: {type: integer}
`}.Manifest()

// TestMemberCRDInstalledLater enables a type whose CRD is installed in the
// host and member1 only, with the controller running as the chart's
// ServiceAccount. An object placed in both members gets its member1 copy,
// and the FederatedTypeConfig names member2 and the missing CRD. Once the
// CRD is installed in member2, the copy appears there without a restart of
// the controller, an edit of it is undone, and the FederatedTypeConfig's
// report clears (the member watch runs there).
func TestMemberCRDInstalledLater(t *testing.T) {
	e := e2eutil.Setup(t, 2)
	ctx := t.Context()
	for _, c := range []client.Client{e.Host, e.Member(member1)} {
		kubefedctltest.InstallCRD(t, c, gadgetCRD)
	}
	et, err := kubefedctl.Enable(ctx, kubefedctl.EnableOptions{
		TypeName: "gadgets.late.example.com", HostConfig: e.Fed.Host.Config, KubeFedNamespace: e2eutil.Namespace,
		ControllerWait: time.Minute, Out: io.Discard,
	})
	if err != nil {
		t.Fatalf("enabling gadgets.late.example.com: %v", err)
	}
	ft := fedType{ftc: et.TypeConfig}

	ns := newNamespace(t, e, "member-crd", bothMembers...)
	fedObj := &unstructured.Unstructured{}
	manifest := fmt.Sprintf(`{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedGadget", "metadata": {"name": "g1", "namespace": %q},
		"spec": {"template": {"spec": {"size": 3}}, "placement": {"clusters": [{"name": %q}, {"name": %q}]}}}`, ns, member1, member2)
	if err := yaml.Unmarshal([]byte(manifest), &fedObj.Object); err != nil {
		t.Fatal(err)
	}
	create(t, e, fedObj)

	// member1 gets its copy; member2, which does not serve the kind, is
	// named on the FederatedTypeConfig with the CRD to install.
	waitMember(t, e, ft, member1, fedObj, "any content", func(*unstructured.Unstructured) bool { return true })
	checkMemberWatchFailed(t, e, et.TypeConfig.Name)

	// Installed in member2, the copy follows without a restart, and the
	// report clears. The member watch is retried with a delay of at most
	// a minute; the object is reconciled once it started.
	kubefedctltest.InstallCRD(t, e.Member(member2), gadgetCRD)
	waitMemberWithin(t, e, ft, member2, fedObj, 2*time.Minute, "any content, after its CRD was installed there", func(*unstructured.Unstructured) bool { return true })
	ft.waitPropagated(t, e, fedObj, bothMembers...)
	// The member2 copy is kept in line like any other: an edit there is
	// undone.
	patchMember(t, e, member2, ft.mustMember(t, e, member2, fedObj), `[{"op": "replace", "path": "/spec/size", "value": 99}]`)
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		m, err := ft.member(ctx, e, member2, fedObj)
		if err != nil {
			return err
		}
		if m == nil {
			return fmt.Errorf("no copy in %s", member2)
		}
		if size, _, _ := unstructured.NestedInt64(m.Object, "spec", "size"); size != 3 {
			return fmt.Errorf("the %s copy has spec.size %d", member2, size)
		}
		return nil
	}, "%s: an edit of the %s copy undone (spec.size back to 3)", describe(fedObj), member2)
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		cond, err := memberWatchesCondition(ctx, e, et.TypeConfig.Name)
		if err != nil {
			return err
		}
		if cond != nil {
			return fmt.Errorf("condition %s is still %+v", fedcorev1b1.FederatedTypeConfigMemberWatchesReady, cond)
		}
		return nil
	}, "FederatedTypeConfig %s no longer reporting a failed member watch", et.TypeConfig.Name)
}

// checkMemberWatchFailed waits until FederatedTypeConfig ftcName reports
// the member watch that failed: member2, which does not serve the kind,
// named with the CRD to install; member1, which serves it, not named.
func checkMemberWatchFailed(t *testing.T, e *e2eutil.Env, ftcName string) {
	t.Helper()
	var message string
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		cond, err := memberWatchesCondition(ctx, e, ftcName)
		if err != nil {
			return err
		}
		if cond == nil || cond.Status != metav1.ConditionFalse || cond.Reason != fedcorev1b1.ReasonMemberWatchFailed {
			return fmt.Errorf("condition %s is %+v, want False with reason %s", fedcorev1b1.FederatedTypeConfigMemberWatchesReady, cond, fedcorev1b1.ReasonMemberWatchFailed)
		}
		message = cond.Message
		return nil
	}, "FederatedTypeConfig %s reporting the member watch that failed", ftcName)
	for _, want := range []string{"cluster member2 does not serve Gadget late.example.com/v1", "install the CRD gadgets.late.example.com there"} {
		if !strings.Contains(message, want) {
			t.Errorf("%s message %q does not contain %q", fedcorev1b1.FederatedTypeConfigMemberWatchesReady, message, want)
		}
	}
	if strings.Contains(message, member1) {
		t.Errorf("%s message %q names member1, which serves the kind", fedcorev1b1.FederatedTypeConfigMemberWatchesReady, message)
	}
}

// memberWatchesCondition returns the MemberWatchesReady condition of the
// named FederatedTypeConfig; nil when it has none.
func memberWatchesCondition(ctx context.Context, e *e2eutil.Env, name string) (*metav1.Condition, error) {
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	if err := e.Host.Get(ctx, client.ObjectKey{Namespace: e2eutil.Namespace, Name: name}, ftc); err != nil {
		return nil, err
	}
	return meta.FindStatusCondition(ftc.Status.Conditions, fedcorev1b1.FederatedTypeConfigMemberWatchesReady), nil
}
