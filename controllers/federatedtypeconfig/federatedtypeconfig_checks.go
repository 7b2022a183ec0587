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
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// startable says whether the type's sync controller can run, and if not
// why (as a condition reason and message): the decisions that only a
// change of the FederatedTypeConfig, the KubeFedConfig or the host's CRDs
// turn.
func (r *Reconciler) startable(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, settings fedcorev1b1.Settings) (string, string) {
	if !ftc.GetPropagationEnabled() {
		return fedcorev1b1.ReasonPropagationDisabled, "spec.propagation is Disabled"
	}
	if !settings.FeatureGateEnabled(fedcorev1b1.PushReconcilerFeature) {
		return fedcorev1b1.ReasonPushReconcilerDisabled, fmt.Sprintf(
			"the %s feature gate is Disabled in KubeFedConfig %s/%s: no type is propagated until it is Enabled",
			fedcorev1b1.PushReconcilerFeature, r.Namespace, fedcorev1b1.KubeFedConfigName)
	}
	if settings.Scope == apiextensionsv1.NamespaceScoped && !ftc.Spec.TargetType.Namespaced() && !ftc.IsNamespace() {
		return fedcorev1b1.ReasonClusterScopedTypeNotSupported, fmt.Sprintf(
			"%s is cluster-scoped and the control plane is Namespaced (KubeFedConfig %s/%s): only namespaced types are propagated",
			ftc.Spec.TargetType.Kind, r.Namespace, fedcorev1b1.KubeFedConfigName)
	}
	gvk := ftc.Spec.FederatedType.GroupVersionKind()
	if _, err := r.RESTMapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
		return fedcorev1b1.ReasonFederatedTypeCRDNotFound, fmt.Sprintf(
			"the host API server does not serve %s (%v): install the CRD of %s; the controller starts by itself once it is there",
			gvk, err, gvk.Kind)
	}
	if ftc.Spec.TargetType.Namespaced() && !ftc.IsNamespace() && settings.Scope != apiextensionsv1.NamespaceScoped {
		ns := &fedcorev1b1.FederatedTypeConfig{}
		if err := r.Client.Get(ctx, types.NamespacedName{Namespace: ftc.Namespace, Name: fedcorev1b1.NamespaceFederatedTypeConfigName}, ns); err != nil {
			return fedcorev1b1.ReasonNamespacesTypeMissing, fmt.Sprintf(
				"namespaced types need the %q FederatedTypeConfig in %s (%v): create it (config/federatedtypeconfigs in the chart has it)",
				fedcorev1b1.NamespaceFederatedTypeConfigName, ftc.Namespace, apiMessage(err))
		}
	}
	return fedcorev1b1.ReasonControllerRunning, "the sync controller is running"
}

// checkAccess lists the host kinds the controller would watch, one object
// each, with the controller's identity: a type whose CRD is gone or that
// the identity may not read is reported at once (as a condition reason and
// message; reason "" when every list succeeded), and its informer is never
// started to retry (and log) in the background.
func (r *Reconciler) checkAccess(ctx context.Context, ftc *fedcorev1b1.FederatedTypeConfig, settings fedcorev1b1.Settings) (string, string) {
	kinds := []schema.GroupVersionKind{ftc.Spec.FederatedType.GroupVersionKind()}
	if ftc.Spec.TargetType.Namespaced() && !ftc.IsNamespace() {
		kinds = append(kinds, fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
	}
	var opts []client.ListOption
	if settings.Scope == apiextensionsv1.NamespaceScoped {
		opts = append(opts, client.InNamespace(r.Namespace))
	}
	opts = append(opts, client.Limit(1))
	for _, gvk := range kinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		listCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := r.APIReader.List(listCtx, list, opts...)
		cancel()
		switch {
		case err == nil:
		case apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err):
			return fedcorev1b1.ReasonFederatedTypeAccessDenied, fmt.Sprintf(
				"the controller-manager may not list %s in the host (%s): grant its ServiceAccount get, list and watch on %s (see docs/install.md); the controller starts by itself once it may",
				gvk.Kind, apiMessage(err), r.resourceOf(gvk))
		case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
			return fedcorev1b1.ReasonFederatedTypeCRDNotFound, fmt.Sprintf(
				"the host API server does not serve %s (%s): install its CRD; the controller starts by itself once it is there", gvk, apiMessage(err))
		default:
			return fedcorev1b1.ReasonControllerStartFailed, fmt.Sprintf(
				"listing %s in the host: %s", gvk.Kind, apiMessage(err))
		}
	}
	return "", ""
}

// resourceOf names the resource of a kind for an RBAC hint.
func (r *Reconciler) resourceOf(gvk schema.GroupVersionKind) string {
	m, err := r.RESTMapper.RESTMapping(gvk.GroupKind(), gvk.Version)
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
