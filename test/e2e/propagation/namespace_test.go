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
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// testNamespaceRules checks that a namespaced object goes nowhere while
// its namespace has no FederatedNamespace, and only where the
// FederatedNamespace is placed once it has one.
func testNamespaceRules(t *testing.T, e *e2eutil.Env) {
	ctx := t.Context()
	ft := typeOf(t, e, "FederatedConfigMap")
	ns := e.HostNamespace(t, "ns-rules")
	e.DumpOnFailure(t, ns)

	early := namedFixture(t, "configmap.yaml", ns, "early")
	create(t, e, early)
	u := waitNotPropagated(t, e, early, fedtypesv1b1.NamespaceNotFederated)
	cond := e2eutil.FederatedStatus(u).GetCondition(fedtypesv1b1.PropagationConditionType)
	if !strings.Contains(cond.Message, "FederatedNamespace") {
		t.Errorf("%s: the NamespaceNotFederated message %q does not say a FederatedNamespace is missing", describe(early), cond.Message)
	}
	if s := e2eutil.FederatedStatus(u); len(s.Clusters) > 0 {
		t.Errorf("%s: status.clusters is %s, want none while the namespace is not federated", describe(early), toJSON(s.Clusters))
	}
	checkWentNowhere(t, e, ns, early)
	if err := nothingIn(ctx, e, ft, ns, early, bothMembers...); err != nil {
		t.Errorf("%s while its namespace is not federated: %v", describe(early), err)
	}

	t.Log("With a FederatedNamespace on member1 only, objects go to member1 only.")
	fedNS := e2eutil.NewFederatedNamespace(ns)
	_ = fedtypesv1b1.SetPlacementClusterNames(fedNS, []string{member1})
	create(t, e, fedNS)
	typeOf(t, e, "FederatedNamespace").waitPropagated(t, e, fedNS, member1)

	// Placed on both, lands in member1 only.
	later := namedFixture(t, "configmap.yaml", ns, "later")
	create(t, e, later)
	ft.waitPropagated(t, e, later, member1)
	if err := nothingIn(ctx, e, ft, ns, later, member2); err != nil {
		t.Error(err)
	}

	// The object created before the FederatedNamespace follows it without
	// being touched.
	ft.waitPropagated(t, e, early, member1)
	if err := nothingIn(ctx, e, ft, ns, early, member2); err != nil {
		t.Error(err)
	}
}

// checkWentNowhere checks that nothing of namespace ns, which has no
// FederatedNamespace, reaches the members while early waits there: the
// watches of namespaces and ConfigMaps in both members first report a
// federated namespace and a ConfigMap in it (the control), then must show
// nothing of ns for a window.
func checkWentNowhere(t *testing.T, e *e2eutil.Env, ns string, early *unstructured.Unstructured) {
	t.Helper()
	ctlNS, ctlCM := "ns-rules-control-"+e2eutil.Suffix(), "control"
	var sources []e2eutil.WatchSource
	for _, c := range bothMembers {
		sources = append(sources,
			memberSource(t, e, c, &corev1.NamespaceList{}),
			memberSource(t, e, c, &corev1.ConfigMapList{}))
	}
	res := e2eutil.NegativeCheck{
		What:    fmt.Sprintf("%s went nowhere while its namespace is not federated", describe(early)),
		Sources: sources,
		Control: func(ctx context.Context) error {
			return createControlObjects(ctx, t, e, ctlNS, e2eutil.NewFederatedNamespace(ctlNS), namedFixture(t, "configmap.yaml", ctlNS, ctlCM))
		},
		ControlSeen: func(_ string, ev watch.Event) bool {
			o := e2eutil.EventObject(ev)
			if ev.Type != watch.Added || o == nil {
				return false
			}
			if _, isNS := o.(*corev1.Namespace); isNS {
				return o.GetName() == ctlNS
			}
			return o.GetNamespace() == ctlNS && o.GetName() == ctlCM
		},
		Window: 3 * time.Second,
		Forbidden: func(source string, ev watch.Event) string {
			o := e2eutil.EventObject(ev)
			if o == nil {
				return ""
			}
			if _, isNS := o.(*corev1.Namespace); isNS && o.GetName() == ns || o.GetNamespace() == ns {
				return fmt.Sprintf("%s: %s", source, e2eutil.DescribeEvent(ev))
			}
			return ""
		},
	}.Run(t)
	t.Logf("The member watches reported the control namespace and ConfigMap within %s, then watched for %s.",
		res.ControlLatency.Round(time.Millisecond), res.Window.Round(time.Millisecond))
}

// nothingIn says what exists of namespace ns or of fedObj's copy in the
// clusters, when anything does.
func nothingIn(ctx context.Context, e *e2eutil.Env, ft fedType, ns string, fedObj client.Object, clusters ...string) error {
	for _, c := range clusters {
		n := &corev1.Namespace{}
		if err := e.Member(c).Get(ctx, client.ObjectKey{Name: ns}, n); err == nil {
			return fmt.Errorf("namespace %s exists in %s", ns, c)
		}
		m, err := ft.member(ctx, e, c, fedObj)
		if err != nil {
			return err
		}
		if m != nil {
			return fmt.Errorf("a copy of %s exists in %s", describe(fedObj), c)
		}
	}
	return nil
}
