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
	"context"
	"fmt"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// checkAccess lists the host kinds the controller would watch, one object
// each, with the controller's identity: a type whose CRD is gone or that
// the identity may not read is reported at once, and its informer is never
// started to retry (and log) in the background.
func (s *supervisor) checkAccess(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, cfg *fedcorev1b1.KubeFedConfigSpec) *startFailure {
	kinds := []schema.GroupVersionKind{ftc.Spec.FederatedType.GroupVersionKind()}
	if ftc.Spec.TargetType.Namespaced() && !ftc.IsNamespace() {
		kinds = append(kinds, fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
	}
	var opts []client.ListOption
	if cfg.Scope == apiextensionsv1.NamespaceScoped {
		opts = append(opts, client.InNamespace(s.namespace))
	}
	opts = append(opts, client.Limit(1))
	for _, gvk := range kinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		listCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := s.mgr.GetAPIReader().List(listCtx, list, opts...)
		cancel()
		switch {
		case err == nil:
		case apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err):
			return &startFailure{fedcorev1b1.ReasonFederatedTypeAccessDenied, fmt.Sprintf(
				"the controller-manager may not list %s in the host (%s): grant its ServiceAccount get, list and watch on %s (see docs/install.md); the controller starts by itself once it may",
				gvk.Kind, apiMessage(err), resourceOf(s.mgr, gvk))}
		case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
			return &startFailure{fedcorev1b1.ReasonFederatedTypeCRDNotFound, fmt.Sprintf(
				"the host API server does not serve %s (%s): install its CRD; the controller starts by itself once it is there", gvk, apiMessage(err))}
		default:
			return &startFailure{fedcorev1b1.ReasonControllerStartFailed, fmt.Sprintf(
				"listing %s in the host: %s", gvk.Kind, apiMessage(err))}
		}
	}
	return nil
}

// resourceOf names the resource of a kind for an RBAC hint.
func resourceOf(mgr ctrl.Manager, gvk schema.GroupVersionKind) string {
	m, err := mgr.GetRESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return gvk.GroupKind().String()
	}
	return m.Resource.GroupResource().String()
}

// apiMessage is the message of an API error without its wrapping.
func apiMessage(err error) string {
	if status, ok := err.(apierrors.APIStatus); ok && status.Status().Message != "" {
		return status.Status().Message
	}
	return err.Error()
}
