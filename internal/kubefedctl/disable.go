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
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// DisableOptions configure Disable.
type DisableOptions struct {
	// Name is the FederatedTypeConfig's name (deployments.apps), or a name
	// of the target type that enable accepts.
	Name string
	// HostConfig connects to the host cluster.
	HostConfig *rest.Config
	// KubeFedNamespace is the control plane's namespace.
	KubeFedNamespace string
	// DeleteCRD also deletes the FederatedTypeConfig and the federated
	// type's CRD.
	DeleteCRD bool
	// Force deletes the CRD even while federated objects of the type exist
	// (they are deleted with it).
	Force bool
	// DryRun says what would be done and changes nothing.
	DryRun bool
	// StopTimeout bounds the wait for the sync controller to stop.
	StopTimeout time.Duration
	// Out receives the progress lines.
	Out io.Writer
	// Verbosity above 0 prints more detail.
	Verbosity int
}

// Disable stops propagation of a type: it sets the FederatedTypeConfig's
// propagation to Disabled and waits until the sync controller reports it
// stopped. With DeleteCRD it then deletes the FederatedTypeConfig and the
// federated CRD, refusing while federated objects exist unless Force.
func Disable(ctx context.Context, opts DisableOptions) error {
	p := newPrinter(opts.Out, opts.Verbosity)
	ns := namespaceOrDefault(opts.KubeFedNamespace)
	if opts.StopTimeout == 0 {
		opts.StopTimeout = time.Minute
	}
	c, err := newClient(opts.HostConfig)
	if err != nil {
		return err
	}
	ftc, name, err := readTypeConfig(ctx, c, opts.HostConfig, ns, opts.Name)
	if err != nil {
		return err
	}
	key := typeConfigKey(ns, name)
	fedType := ftc.Spec.FederatedType
	crdName := fedType.PluralName + "." + fedType.Group
	if opts.DeleteCRD && !opts.Force {
		if err := checkNoFederatedObjects(ctx, c, fedType, crdName); err != nil {
			return err
		}
	}
	if opts.DryRun {
		printDisableDryRun(p, ftc, opts.DeleteCRD, key, crdName, name)
		return nil
	}
	if err := stopPropagation(ctx, c, p, ftc, key, opts.StopTimeout); err != nil {
		return err
	}
	if !opts.DeleteCRD {
		return nil
	}
	// The FederatedTypeConfig first: its controller forgets the type
	// before the CRD (and so the informer's API) disappears.
	if err := deleteTypeConfig(ctx, c, p, ftc, key, opts.StopTimeout); err != nil {
		return err
	}
	if opts.Force {
		// No sync controller runs any more to remove its finalizer: the
		// objects would keep the CRD terminating for ever.
		n, err := releaseFederatedObjects(ctx, c, fedType)
		if err != nil {
			return err
		}
		if n > 0 {
			p.line("Removed the sync controller's finalizer from %d %s objects; their member copies stay", n, fedType.Kind)
		}
	}
	return deleteCRD(ctx, c, p, crdName)
}

// typeConfigKey is how disable's messages name a FederatedTypeConfig.
func typeConfigKey(ns, name string) string {
	return fmt.Sprintf("%q", ns+"/"+name)
}

// readTypeConfig reads the FederatedTypeConfig that name designates (its
// own name, or a kind or short name of its target type) and returns it with
// its name.
func readTypeConfig(ctx context.Context, c client.Client, cfg *rest.Config, ns, name string) (*fedcorev1b1.FederatedTypeConfig, string, error) {
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, ftc)
	if apierrors.IsNotFound(err) && !strings.Contains(name, ".") {
		// A kind or short name (job, deploy): resolve it as enable does.
		if target, lerr := LookupAPIResource(cfg, name, ""); lerr == nil {
			name = target.QualifiedName()
			err = c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, ftc)
		}
	}
	key := typeConfigKey(ns, name)
	switch {
	case meta.IsNoMatchError(err):
		return nil, "", fmt.Errorf("the host cluster has no FederatedTypeConfig API: install the control plane, or check --host-cluster-context")
	case apierrors.IsNotFound(err):
		return nil, "", fmt.Errorf("FederatedTypeConfig %s does not exist: list the enabled types with 'kubectl -n %s get federatedtypeconfigs'", key, ns)
	case err != nil:
		return nil, "", fmt.Errorf("reading FederatedTypeConfig %s: %w", key, err)
	}
	return ftc, name, nil
}

// checkNoFederatedObjects refuses to delete the CRD of a federated type
// while objects of the type exist.
func checkNoFederatedObjects(ctx context.Context, c client.Client, fedType fedcorev1b1.APIResource, crdName string) error {
	names, err := federatedObjectNames(ctx, c, fedType)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return nil
	}
	shown := names
	if len(shown) > 5 {
		shown = append(slices.Clone(shown[:5]), "...")
	}
	return fmt.Errorf("cannot delete CRD %s while %d %s objects exist (%s): delete them first ('kubectl get %s -A'), run disable without --delete-crd, or pass --force to delete them with the CRD",
		crdName, len(names), fedType.Kind, strings.Join(shown, ", "), crdName)
}

// printDisableDryRun says what disable would do.
func printDisableDryRun(p *printer, ftc *fedcorev1b1.FederatedTypeConfig, deleteCRD bool, key, crdName, name string) {
	if ftc.GetPropagationEnabled() {
		p.line("Would disable propagation for FederatedTypeConfig %s", key)
	} else {
		p.line("Propagation already disabled for FederatedTypeConfig %s", key)
	}
	if deleteCRD {
		p.line("Would delete customresourcedefinition %q", crdName)
		p.line("Would delete federatedtypeconfig %s", key)
	}
	p.line("Dry run: nothing was changed. Run the command again without --dry-run to disable %s.", name)
}

// stopPropagation sets the FederatedTypeConfig's propagation to Disabled
// and waits until the sync controller reports it stopped.
func stopPropagation(ctx context.Context, c client.Client, p *printer, ftc *fedcorev1b1.FederatedTypeConfig, key string, timeout time.Duration) error {
	if ftc.GetPropagationEnabled() {
		ftc.Spec.Propagation = fedcorev1b1.PropagationDisabled
		if err := c.Update(ctx, ftc); err != nil {
			return fmt.Errorf("disabling propagation for FederatedTypeConfig %s: %w", key, err)
		}
		p.line("Disabled propagation for FederatedTypeConfig %s", key)
	} else {
		p.line("Propagation already disabled for FederatedTypeConfig %s", key)
	}
	p.line("Verifying propagation controller is stopped for FederatedTypeConfig %s", key)
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		if err := c.Get(ctx, client.ObjectKeyFromObject(ftc), ftc); err != nil {
			return false, nil
		}
		return ftc.Status.ObservedGeneration == ftc.Generation && ftc.Status.PropagationController == fedcorev1b1.ControllerStatusNotRunning, nil
	})
	if err != nil {
		return fmt.Errorf("the propagation controller for FederatedTypeConfig %s did not report stopped within %s (propagationController: %q): check that the controller manager runs, then disable again",
			key, timeout, ftc.Status.PropagationController)
	}
	p.line("Propagation controller for FederatedTypeConfig %s is stopped", key)
	return nil
}

// deleteTypeConfig deletes the FederatedTypeConfig and waits until it is
// gone.
func deleteTypeConfig(ctx context.Context, c client.Client, p *printer, ftc *fedcorev1b1.FederatedTypeConfig, key string, timeout time.Duration) error {
	if err := c.Delete(ctx, ftc); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("deleting FederatedTypeConfig %s: %w", key, err)
	}
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		err := c.Get(ctx, client.ObjectKeyFromObject(ftc), &fedcorev1b1.FederatedTypeConfig{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		return fmt.Errorf("FederatedTypeConfig %s is still there after %s (finalizers %v): check that the controller manager runs", key, timeout, ftc.Finalizers)
	}
	p.line("federatedtypeconfig %s deleted", key)
	return nil
}

// deleteCRD deletes the federated type's CRD and waits until it is gone.
func deleteCRD(ctx context.Context, c client.Client, p *printer, crdName string) error {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	crd.Name = crdName
	switch err := c.Delete(ctx, crd); {
	case apierrors.IsNotFound(err):
		p.line("customresourcedefinition %q does not exist", crdName)
		return nil
	case err != nil:
		return fmt.Errorf("deleting CRD %s: %w", crdName, err)
	}
	if err := waitCRDGone(ctx, c, crdName, p); err != nil {
		return err
	}
	p.line("customresourcedefinition %q deleted", crdName)
	return nil
}

// releaseFederatedObjects removes the sync controller's finalizer from
// every object of a federated type and returns how many it changed.
func releaseFederatedObjects(ctx context.Context, c client.Client, fedType fedcorev1b1.APIResource) (int, error) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(fedType.GroupVersionKind())
	list.SetKind(fedType.Kind + "List")
	if err := c.List(ctx, list); err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return 0, nil
		}
		return 0, fmt.Errorf("listing %s objects: %w", fedType.Kind, err)
	}
	n := 0
	for i := range list.Items {
		obj := &list.Items[i]
		if !controllerutil.RemoveFinalizer(obj, fedcorev1b1.SyncControllerFinalizer) {
			continue
		}
		if err := c.Update(ctx, obj); client.IgnoreNotFound(err) != nil {
			return n, fmt.Errorf("removing the finalizer %s from %s %s: %w", fedcorev1b1.SyncControllerFinalizer, fedType.Kind, objectKey(obj), err)
		}
		n++
	}
	return n, nil
}

// waitCRDGone waits, with a progress line, until a CRD that is being
// deleted is gone.
func waitCRDGone(ctx context.Context, c client.Client, name string, p *printer) error {
	gone := func(ctx context.Context) (bool, error) {
		err := c.Get(ctx, client.ObjectKey{Name: name}, &apiextensionsv1.CustomResourceDefinition{})
		return apierrors.IsNotFound(err), nil
	}
	if ok, _ := gone(ctx); ok {
		return nil
	}
	p.line("Waiting for CRD %s to be deleted...", name)
	if err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, 2*time.Minute, true, gone); err != nil {
		return fmt.Errorf("CRD %s is still being deleted after 2m: objects with finalizers may hold it ('kubectl get %s -A -o yaml')", name, name)
	}
	return nil
}

// federatedObjectNames returns the namespace/name of every object of a
// federated type, sorted; a type whose CRD is gone has none.
func federatedObjectNames(ctx context.Context, c client.Client, fedType fedcorev1b1.APIResource) ([]string, error) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(fedType.GroupVersionKind())
	list.SetKind(fedType.Kind + "List")
	err := c.List(ctx, list)
	if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing %s objects: %w", fedType.Kind, err)
	}
	var names []string
	for i := range list.Items {
		names = append(names, objectKey(&list.Items[i]))
	}
	slices.Sort(names)
	return names, nil
}

func jsonIndent(v any) ([]byte, error) {
	return json.MarshalIndent(v, "", "  ")
}
