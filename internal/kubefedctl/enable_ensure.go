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

package kubefedctl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/federatedtypes"
)

// ensureCRD creates the federated CRD, or upgrades the status schema of an
// existing one that lacks the fields the sync controller writes.
func (e *enabler) ensureCRD(ctx context.Context) error {
	want := e.et.CRD
	existing := &apiextensionsv1.CustomResourceDefinition{}
	err := e.c.Get(ctx, client.ObjectKey{Name: want.Name}, existing)
	if err == nil && existing.DeletionTimestamp != nil && !e.opts.DryRun {
		// A disable --delete-crd just before: create it anew once gone.
		if err := waitCRDGone(ctx, e.c, want.Name, e.p); err != nil {
			return err
		}
		err = e.c.Get(ctx, client.ObjectKey{Name: want.Name}, existing)
	}
	switch {
	case apierrors.IsNotFound(err):
		if err := e.c.Create(ctx, want.DeepCopy(), e.createOpts()...); err != nil {
			return fmt.Errorf("creating CRD %s in the host cluster: %w", want.Name, err)
		}
		e.p.line("customresourcedefinition.apiextensions.k8s.io/%s created%s", want.Name, e.suffix())
		e.changed = true
	case err != nil:
		return fmt.Errorf("reading CRD %s in the host cluster: %w", want.Name, err)
	default:
		if err := e.checkCRDOwner(ctx, existing); err != nil {
			return err
		}
		if !federatedtypes.UpgradeStatusSchema(existing) {
			e.p.v(1, "customresourcedefinition.apiextensions.k8s.io/%s unchanged", want.Name)
			break
		}
		if err := e.c.Update(ctx, existing, e.updateOpts()...); err != nil {
			return fmt.Errorf("upgrading the status schema of CRD %s in the host cluster: %w", want.Name, err)
		}
		e.p.line("customresourcedefinition.apiextensions.k8s.io/%s updated: status schema upgraded (status.aggregatedStatus, observedGeneration, clusters[].message, readiness and revision, rollout; spec.rollout; the READY column)%s", want.Name, e.suffix())
		e.changed = true
	}
	if e.opts.DryRun {
		return nil
	}
	return waitEstablished(ctx, e.c, want.Name, e.p)
}

// checkCRDOwner refuses a CRD that another FederatedTypeConfig uses for a
// different target type (two kinds with the same plural).
func (e *enabler) checkCRDOwner(ctx context.Context, crd *apiextensionsv1.CustomResourceDefinition) error {
	var list fedcorev1b1.FederatedTypeConfigList
	if err := e.c.List(ctx, &list, client.InNamespace(e.opts.KubeFedNamespace)); err != nil {
		return fmt.Errorf("listing FederatedTypeConfigs in %s: %w", e.opts.KubeFedNamespace, err)
	}
	for _, ftc := range list.Items {
		if ftc.Name == e.et.TypeConfig.Name {
			continue
		}
		if ftc.Spec.FederatedType.PluralName+"."+ftc.Spec.FederatedType.Group == crd.Name {
			return fmt.Errorf("cannot enable %s: FederatedTypeConfig %s already uses the federated type CRD %s; if the two types differ, enable %s with --federated-group <another group>",
				e.et.TypeConfig.Name, ftc.Name, crd.Name, e.et.TypeConfig.Name)
		}
	}
	return nil
}

// waitEstablished waits until the API server serves a CRD.
func waitEstablished(ctx context.Context, c client.Client, name string, p *printer) error {
	established := func(ctx context.Context) (bool, error) {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := c.Get(ctx, client.ObjectKey{Name: name}, crd); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		for _, cond := range crd.Status.Conditions {
			if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	}
	if ok, _ := established(ctx); ok {
		return nil
	}
	p.line("Waiting for CRD %s to be established...", name)
	if err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, established); err != nil {
		return fmt.Errorf("CRD %s was not established within a minute: check its status with 'kubectl get crd %s -o yaml'", name, name)
	}
	return nil
}

// AggregatedRoleName is the name of the ClusterRole that enable creates to
// grant the controller access to a federated group other than
// types.kubefed.io.
func AggregatedRoleName(group string) string {
	return "kubefed-role:federated:" + group
}

// ensureRBAC grants the controller access to a federated group other than
// types.kubefed.io, through a ClusterRole that the chart's aggregated role
// picks up; without the rights to create it, it says what to create.
func (e *enabler) ensureRBAC(ctx context.Context) error {
	group := e.et.TypeConfig.Spec.FederatedType.Group
	if group == fedtypesv1b1.GroupVersion.Group {
		return nil
	}
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: AggregatedRoleName(group), Labels: map[string]string{AggregateToControllerLabel: "true"}},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{group}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch", "update", "patch"}},
			{APIGroups: []string{group}, Resources: []string{"*/status"}, Verbs: []string{"get", "update", "patch"}},
			{APIGroups: []string{group}, Resources: []string{"*/finalizers"}, Verbs: []string{"update"}},
		},
	}
	existing := &rbacv1.ClusterRole{}
	err := e.c.Get(ctx, client.ObjectKeyFromObject(role), existing)
	switch {
	case err == nil && equality.Semantic.DeepEqual(existing.Rules, role.Rules) && existing.Labels[AggregateToControllerLabel] == "true":
		e.p.v(1, "clusterrole.rbac.authorization.k8s.io/%s unchanged", role.Name)
		return nil
	case err == nil:
		existing.Rules = role.Rules
		if existing.Labels == nil {
			existing.Labels = map[string]string{}
		}
		existing.Labels[AggregateToControllerLabel] = "true"
		err = e.c.Update(ctx, existing, e.updateOpts()...)
	case apierrors.IsNotFound(err):
		err = e.c.Create(ctx, role, e.createOpts()...)
	}
	if err != nil {
		data, _ := yaml.Marshal(role)
		return fmt.Errorf("granting the controller access to the federated group %s: %w. Nothing was created. Create this ClusterRole as a cluster admin (the chart's aggregated ClusterRole picks it up by its label), then run enable again:\n%s", group, err, data)
	}
	e.p.line("clusterrole.rbac.authorization.k8s.io/%s created: the controller manager may now serve the federated group %s (label %s=true aggregates it into the chart's ClusterRole)%s",
		role.Name, group, AggregateToControllerLabel, e.suffix())
	e.changed = true
	return nil
}

// ensureTypeConfig creates the FederatedTypeConfig, or enables propagation
// of an existing one.
func (e *enabler) ensureTypeConfig(ctx context.Context, existing *fedcorev1b1.FederatedTypeConfig) error {
	ftc := e.et.TypeConfig
	ns := e.opts.KubeFedNamespace
	if existing == nil {
		if err := e.c.Create(ctx, ftc.DeepCopy(), e.createOpts()...); err != nil {
			return fmt.Errorf("creating FederatedTypeConfig %s/%s in the host cluster: %w", ns, ftc.Name, err)
		}
		e.p.line("federatedtypeconfig.core.kubefed.io/%s created in namespace %s%s", ftc.Name, ns, e.suffix())
		e.changed = true
		return nil
	}
	var changes []string
	if !existing.GetPropagationEnabled() {
		existing.Spec.Propagation = fedcorev1b1.PropagationEnabled
		changes = append(changes, "propagation enabled")
	}
	// Health rules change only when a flag gives them: enable without
	// --ready-when and --failed-when keeps the rules an earlier enable or
	// an edit wrote.
	if h := ftc.Spec.Health; h != nil && (existing.Spec.Health == nil || *existing.Spec.Health != *h) {
		existing.Spec.Health = h.DeepCopy()
		changes = append(changes, "health rules set")
	}
	if len(changes) == 0 {
		e.p.v(1, "federatedtypeconfig.core.kubefed.io/%s unchanged", ftc.Name)
		return nil
	}
	what := strings.Join(changes, ", ")
	if err := e.c.Update(ctx, existing, e.updateOpts()...); err != nil {
		return fmt.Errorf("updating FederatedTypeConfig %s/%s (%s): %w", ns, ftc.Name, what, err)
	}
	e.p.line("federatedtypeconfig.core.kubefed.io/%s updated in namespace %s: %s%s", ftc.Name, ns, what, e.suffix())
	e.changed = true
	return nil
}

// waitRunning waits until the FederatedTypeConfig reports its sync
// controller Running; a controller that does not report it in time is a
// warning with the place to look, not a failure (the controller manager may
// be down, the type is enabled all the same).
func (e *enabler) waitRunning(ctx context.Context) error {
	if e.opts.ControllerWait <= 0 {
		return nil
	}
	ns, name := e.opts.KubeFedNamespace, e.et.TypeConfig.Name
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	running := func(ctx context.Context) (bool, error) {
		if err := e.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, ftc); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return ftc.Status.PropagationController == fedcorev1b1.ControllerStatusRunning && ftc.Status.ObservedGeneration == ftc.Generation, nil
	}
	if ok, _ := running(ctx); !ok {
		e.p.line("Waiting for the sync controller of %s to start...", name)
		err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, e.opts.ControllerWait, true, running)
		if errors.Is(err, context.Canceled) {
			return err
		}
		if err != nil {
			reason := "no Ready condition yet"
			for _, c := range ftc.Status.Conditions {
				if c.Type == fedcorev1b1.FederatedTypeConfigReady {
					reason = fmt.Sprintf("Ready=%s %s: %s", c.Status, c.Reason, c.Message)
				}
			}
			e.p.line("Warning: the sync controller of %s did not report Running within %s (%s): check that the controller manager runs, and 'kubectl -n %s get federatedtypeconfig %s -o yaml'",
				name, e.opts.ControllerWait, reason, ns, name)
			return nil
		}
	}
	e.p.line("Sync controller of %s is running.", name)
	return nil
}
