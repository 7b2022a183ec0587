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
	ns := hostNamespace(t, e, "ns-rules")
	e.DumpOnFailure(t, ns)

	early := loadFixture(t, "configmap.yaml")
	early.SetNamespace(ns)
	early.SetName("early")
	create(t, e, early)
	u := waitNotPropagated(t, e, early, fedtypesv1b1.NamespaceNotFederated)
	cond := status(u).GetCondition(fedtypesv1b1.PropagationConditionType)
	if !strings.Contains(cond.Message, "FederatedNamespace") {
		t.Errorf("%s: the NamespaceNotFederated message %q does not say a FederatedNamespace is missing", describe(early), cond.Message)
	}
	if s := status(u); len(s.Clusters) > 0 {
		t.Errorf("%s: status.clusters is %s, want none while the namespace is not federated", describe(early), toJSON(s.Clusters))
	}
	consistently(t, 3*time.Second, func(ctx context.Context) error {
		return nothingIn(ctx, e, ft, ns, early, bothMembers...)
	}, "%s while its namespace is not federated", describe(early))

	t.Log("With a FederatedNamespace on member1 only, objects go to member1 only.")
	fedNS := &unstructured.Unstructured{}
	fedNS.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
	fedNS.SetNamespace(ns)
	fedNS.SetName(ns)
	_ = fedtypesv1b1.SetPlacementClusterNames(fedNS, []string{member1})
	create(t, e, fedNS)
	typeOf(t, e, "FederatedNamespace").waitPropagated(t, e, fedNS, member1)

	// Placed on both, lands in member1 only.
	later := loadFixture(t, "configmap.yaml")
	later.SetNamespace(ns)
	later.SetName("later")
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
