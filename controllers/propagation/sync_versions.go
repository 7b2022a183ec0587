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

package propagation

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	"github.com/kubefed/kubefed/internal/propagatedversion"
)

// recordVersions writes the PropagatedVersion record when what was applied
// changed.
func (r *Reconciler) recordVersions(ctx context.Context, s *scope) (ctrl.Result, error) {
	if r.skipsNamespaceObject(s) {
		return ctrl.Result{}, nil
	}
	// Clusters that were not reconciled this time (not ready) keep their
	// recorded version, so that they are compared again on their return.
	recorded := propagatedversion.ClusterVersionMap(&s.recorded)
	versions := map[string]string{}
	for _, c := range s.selected {
		if v, ok := s.versions[c]; ok {
			versions[c] = v
		} else if v, ok := recorded[c]; ok && !s.ready.Has(c) {
			versions[c] = v
		}
	}
	templateVersion, overridesVersion := s.templateVersion, s.overridesVersion
	if s.rollout != nil && !s.rollout.specApplied(s.selected) {
		// Some clusters run another revision than the spec's: the record
		// must not say the spec was applied everywhere, or removing
		// spec.rollout would leave them behind.
		templateVersion, overridesVersion = "", ""
	}
	want := fedcorev1a1Status(templateVersion, overridesVersion, versions)
	if s.pv != nil && statusEqual(&s.recorded, want) {
		return ctrl.Result{}, nil
	}
	if s.pv == nil {
		// One request: the record is created with its status (the CRD has
		// no status subresource).
		pv := r.newVersionObject(s.fedObj)
		if err := ctrl.SetControllerReference(s.fedObj, pv, r.Client.Scheme()); err != nil {
			return ctrl.Result{}, err
		}
		*versionStatus(pv) = *want
		err := r.Client.Create(ctx, pv)
		switch {
		case apierrors.IsAlreadyExists(err):
			if err := r.Client.Get(ctx, client.ObjectKeyFromObject(pv), pv); err != nil {
				return ctrl.Result{}, err
			}
		case err != nil:
			return ctrl.Result{}, fmt.Errorf("creating the propagated version of %s: %w", s.describe(), err)
		}
		s.pv = pv
		if err == nil {
			r.memo.wroteRecord(client.ObjectKeyFromObject(s.fedObj), "", pv)
			s.createdRecord = true
			if statusEqual(versionStatus(pv), want) {
				s.recorded = *want
				return ctrl.Result{}, nil
			}
			// A CRD with a status subresource (KubeFed's, or an older
			// chart's) dropped the status: write it through the subresource.
			return ctrl.Result{}, r.updateVersionStatus(ctx, s, want)
		}
	}
	*versionStatus(s.pv) = *want
	before := s.pv.GetResourceVersion()
	if err := r.Client.Update(ctx, s.pv); err != nil {
		return ctrl.Result{}, fmt.Errorf("recording the propagated version of %s: %w", s.describe(), err)
	}
	r.memo.wroteRecord(client.ObjectKeyFromObject(s.fedObj), before, s.pv)
	if !statusEqual(versionStatus(s.pv), want) {
		return ctrl.Result{}, r.updateVersionStatus(ctx, s, want)
	}
	s.recorded = *want
	return ctrl.Result{}, nil
}

// updateVersionStatus writes the record's status through the status
// subresource, for PropagatedVersion CRDs that still have one.
func (r *Reconciler) updateVersionStatus(ctx context.Context, s *scope, want *fedcorev1a1.PropagatedVersionStatus) error {
	*versionStatus(s.pv) = *want
	before := s.pv.GetResourceVersion()
	if err := r.Client.Status().Update(ctx, s.pv); err != nil {
		return fmt.Errorf("recording the propagated version of %s: %w", s.describe(), err)
	}
	r.memo.wroteRecord(client.ObjectKeyFromObject(s.fedObj), before, s.pv)
	s.recorded = *want
	return nil
}

func fedcorev1a1Status(template, overrides string, versions map[string]string) *fedcorev1a1.PropagatedVersionStatus {
	return &fedcorev1a1.PropagatedVersionStatus{
		TemplateVersion: template,
		OverrideVersion: overrides,
		ClusterVersions: propagatedversion.ClusterVersions(versions),
	}
}

func statusEqual(a, b *fedcorev1a1.PropagatedVersionStatus) bool {
	if a.TemplateVersion != b.TemplateVersion || a.OverrideVersion != b.OverrideVersion || len(a.ClusterVersions) != len(b.ClusterVersions) {
		return false
	}
	for i := range a.ClusterVersions {
		if a.ClusterVersions[i] != b.ClusterVersions[i] {
			return false
		}
	}
	return true
}

// newVersionObject returns an empty PropagatedVersion (or
// ClusterPropagatedVersion, for cluster-scoped federated types) named for
// fedObj.
func (r *Reconciler) newVersionObject(fedObj *unstructured.Unstructured) client.Object {
	name := fedcorev1a1.PropagatedVersionName(r.TypeConfig.Spec.TargetType.Kind, fedObj.GetName())
	if ns := fedObj.GetNamespace(); ns != "" {
		pv := &fedcorev1a1.PropagatedVersion{}
		pv.Name, pv.Namespace = name, ns
		return pv
	}
	pv := &fedcorev1a1.ClusterPropagatedVersion{}
	pv.Name = name
	return pv
}

func versionStatus(obj client.Object) *fedcorev1a1.PropagatedVersionStatus {
	switch pv := obj.(type) {
	case *fedcorev1a1.PropagatedVersion:
		return &pv.Status
	case *fedcorev1a1.ClusterPropagatedVersion:
		return &pv.Status
	}
	panic(fmt.Sprintf("unexpected propagated version type %T", obj))
}
