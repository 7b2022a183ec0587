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
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// CRDType is a CRD-backed type the tests federate at run time: its target
// CRD in the host and every member, its Federated<Kind> CRD
// (types.kubefed.io/v1) in the host, and its FederatedTypeConfig.
type CRDType struct {
	// Target and Federated are the CRDs as created.
	Target, Federated *apiextensionsv1.CustomResourceDefinition
	// TypeConfig is the FederatedTypeConfig as created.
	TypeConfig *fedcorev1b1.FederatedTypeConfig
}

// OpenCRD returns a namespaced CRD of group/v1 with a status subresource
// whose spec and status take any fields.
func OpenCRD(group, kind, plural string) *apiextensionsv1.CustomResourceDefinition {
	open := apiextensionsv1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: ptr.To(true)}
	schema := &apiextensionsv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{"spec": open, "status": open}}
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: plural + "." + group},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: group,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Kind: kind, ListKind: kind + "List", Plural: plural, Singular: strings.ToLower(kind)},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema:       &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: schema},
				Subresources: &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}},
			}},
		},
	}
}

// FederateCRDType federates the kind of group/v1 (plural names its
// resource): it creates the OpenCRD of the kind in the host and in every
// member, the OpenCRD of Federated<Kind> in the host and the
// FederatedTypeConfig, waits until the CRDs are established and the
// type's sync controller runs, and deletes them when the test ends. A CRD
// that exists already (an earlier test made it) is used as it is.
func (e *Env) FederateCRDType(t testing.TB, group, kind, plural string) CRDType {
	t.Helper()
	return e.FederateCRDTypeWithHealth(t, group, kind, plural, nil)
}

// FederateCRDTypeWithHealth is FederateCRDType with the FederatedTypeConfig's
// health rules set to health.
func (e *Env) FederateCRDTypeWithHealth(t testing.TB, group, kind, plural string, health *fedcorev1b1.HealthRules) CRDType {
	t.Helper()
	ct := CRDType{Target: OpenCRD(group, kind, plural), Federated: OpenCRD("types.kubefed.io", "Federated"+kind, "federated"+plural)}
	CreateCRD(t, e.Host, "the host", ct.Target)
	CreateCRD(t, e.Host, "the host", ct.Federated)
	for _, m := range e.MemberNames {
		CreateCRD(t, e.Member(m), m, ct.Target)
	}
	ct.TypeConfig = &fedcorev1b1.FederatedTypeConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: ct.Target.Name},
		Spec: fedcorev1b1.FederatedTypeConfigSpec{
			TargetType:    fedcorev1b1.APIResource{Group: group, Version: "v1", Kind: kind, PluralName: plural, Scope: apiextensionsv1.NamespaceScoped},
			FederatedType: fedcorev1b1.APIResource{Group: "types.kubefed.io", Version: "v1", Kind: "Federated" + kind, PluralName: "federated" + plural, Scope: apiextensionsv1.NamespaceScoped},
			Propagation:   fedcorev1b1.PropagationEnabled,
			Health:        health,
		},
	}
	ftc := ct.TypeConfig
	if err := e.Host.Create(t.Context(), ftc); err != nil {
		t.Fatalf("creating FederatedTypeConfig %s: %v", ftc.Name, err)
	}
	t.Cleanup(func() { _ = e.Host.Delete(context.Background(), ftc) })
	Eventually(t, time.Minute, func(ctx context.Context) error {
		got := &fedcorev1b1.FederatedTypeConfig{}
		if err := e.Host.Get(ctx, client.ObjectKeyFromObject(ftc), got); err != nil {
			return err
		}
		if got.Status.PropagationController != fedcorev1b1.ControllerStatusRunning {
			return fmt.Errorf("propagationController %q: %v", got.Status.PropagationController, got.Status.Conditions)
		}
		return nil
	}, "FederatedTypeConfig %s running", ftc.Name)
	return ct
}

// CreateCRD creates a copy of crd with c (where names the cluster), waits
// until it is established and deletes it when the test ends; a CRD that
// exists already is waited for as it is.
func CreateCRD(t testing.TB, c client.Client, where string, crd *apiextensionsv1.CustomResourceDefinition) {
	t.Helper()
	x := crd.DeepCopy()
	if err := c.Create(t.Context(), x); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("creating CRD %s in %s: %v", x.Name, where, err)
	}
	t.Cleanup(func() { _ = c.Delete(context.Background(), x) })
	Eventually(t, time.Minute, func(ctx context.Context) error {
		got := &apiextensionsv1.CustomResourceDefinition{}
		if err := c.Get(ctx, client.ObjectKeyFromObject(x), got); err != nil {
			return err
		}
		for _, cond := range got.Status.Conditions {
			if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
				return nil
			}
		}
		return fmt.Errorf("not established: %v", got.Status.Conditions)
	}, "CRD %s established in %s", x.Name, where)
}
