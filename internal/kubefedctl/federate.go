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
	"io"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// FederateOptions configure Federate.
type FederateOptions struct {
	// TypeName designates the target type (as for enable).
	TypeName string
	// Name and Namespace name the object to federate.
	Name, Namespace string
	// HostConfig connects to the host cluster.
	HostConfig *rest.Config
	// KubeFedNamespace is the control plane's namespace.
	KubeFedNamespace string
	// Placement of the federated objects.
	Placement Placement
	// EnableType enables a type that is not enabled yet.
	EnableType bool
	// Contents, for a namespace, federates every federatable object in it.
	Contents bool
	// SkipAPIResources excludes types (name, plural, kind, short name,
	// group-qualified plural, or a whole group) from Contents.
	SkipAPIResources []string
	// Output, yaml, prints the federated objects instead of creating them.
	Output string
	// DryRun creates nothing (server-side dry run) and says what would be
	// created.
	DryRun bool
	// Out receives the progress lines or the objects.
	Out io.Writer
	// Verbosity above 0 prints more detail.
	Verbosity int
}

// controllerCreatedResources are never federated with --contents: the
// control plane of every cluster makes them.
var controllerCreatedResources = []string{"endpoints", "events", "events.events.k8s.io", "endpointslices.discovery.k8s.io",
	"propagatedversions.core.kubefed.io", "pods", "controllerrevisions.apps", "leases.coordination.k8s.io"}

// federateItem is one object to federate and the type it is federated as.
type federateItem struct {
	target  *unstructured.Unstructured
	ftc     *fedcorev1b1.FederatedTypeConfig
	enabled bool
}

// Federate creates the federated object of an object in the host (and with
// Contents, of every federatable object in a namespace), enabling types on
// the way with EnableType. The member copies that already exist are adopted
// by the sync controller, not recreated.
func Federate(ctx context.Context, opts FederateOptions) error {
	p := newPrinter(opts.Out, opts.Verbosity)
	opts.KubeFedNamespace = namespaceOrDefault(opts.KubeFedNamespace)
	if opts.EnableType && opts.Output != "" {
		return errors.New("--enable-type cannot be used with --output: enable the type first, or drop --output")
	}
	if opts.Output != "" && opts.Output != "yaml" {
		return fmt.Errorf("unknown output format %q: use yaml", opts.Output)
	}
	c, err := newClient(opts.HostConfig)
	if err != nil {
		return err
	}
	f := &federator{opts: opts, p: p, c: c, ftcs: map[string]*fedcorev1b1.FederatedTypeConfig{}}
	target, err := LookupAPIResource(opts.HostConfig, opts.TypeName, "")
	if err != nil {
		return err
	}
	if opts.Contents && !(target.Group == "" && target.Kind == "Namespace") {
		return fmt.Errorf("--contents applies to namespaces only, not to %s", target.QualifiedName())
	}
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(target.GroupVersionKind())
	key := client.ObjectKey{Name: opts.Name}
	if target.Namespaced {
		key.Namespace = opts.Namespace
	}
	if err := c.Get(ctx, key, obj); err != nil {
		return fmt.Errorf("reading %s %s in the host cluster: %w", target.Kind, key.String(), err)
	}
	items, err := f.itemsOf(ctx, target, []*unstructured.Unstructured{obj})
	if err != nil {
		return err
	}
	if opts.Contents {
		contained, err := f.contents(ctx, opts.Name)
		if err != nil {
			return err
		}
		items = append(items, contained...)
	}
	return f.federate(ctx, items)
}

type federator struct {
	opts FederateOptions
	p    *printer
	c    client.Client
	// ftcs caches the FederatedTypeConfigs by name; nil values are types
	// that are not enabled.
	ftcs map[string]*fedcorev1b1.FederatedTypeConfig
}

// typeConfig returns the FederatedTypeConfig of a target type, a generated
// one (enabled false) when the type is not enabled, or nil when it is not
// enabled and cannot be generated.
func (f *federator) typeConfig(ctx context.Context, r APIResource) (*fedcorev1b1.FederatedTypeConfig, bool, error) {
	name := r.QualifiedName()
	if ftc, ok := f.ftcs[name]; ok {
		return ftc, ftc.ResourceVersion != "", nil
	}
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	err := f.c.Get(ctx, client.ObjectKey{Namespace: f.opts.KubeFedNamespace, Name: name}, ftc)
	switch {
	case err == nil:
		f.ftcs[name] = ftc
		return ftc, true, nil
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
		gen := &fedcorev1b1.FederatedTypeConfig{}
		gen.Name = name
		gen.Spec.TargetType = fedcorev1b1.APIResource{Group: r.Group, Version: r.Version, Kind: r.Kind, PluralName: r.Plural, Scope: r.Scope()}
		gen.Spec.FederatedType = generatedFederatedType(r.GroupVersionKind(), r.Namespaced)
		f.ftcs[name] = gen
		return gen, false, nil
	default:
		return nil, false, fmt.Errorf("reading FederatedTypeConfig %s/%s: %w", f.opts.KubeFedNamespace, name, err)
	}
}

func (f *federator) itemsOf(ctx context.Context, r APIResource, objs []*unstructured.Unstructured) ([]federateItem, error) {
	ftc, enabled, err := f.typeConfig(ctx, r)
	if err != nil {
		return nil, err
	}
	if !enabled && !f.opts.EnableType && f.opts.Output == "" {
		return nil, fmt.Errorf("type %s is not enabled: run 'kubefedctl enable %s', or pass --enable-type", r.QualifiedName(), r.QualifiedName())
	}
	var out []federateItem
	for _, o := range objs {
		out = append(out, federateItem{target: o, ftc: ftc, enabled: enabled})
	}
	return out, nil
}

// contents returns the federatable objects of a namespace.
func (f *federator) contents(ctx context.Context, namespace string) ([]federateItem, error) {
	resources, err := discoverResources(f.opts.HostConfig, false)
	if err != nil {
		return nil, err
	}
	var out []federateItem
	var notEnabled []string
	for _, r := range resources {
		if !r.Namespaced || f.skipped(r) {
			continue
		}
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(r.GroupVersionKind())
		list.SetKind(r.Kind + "List")
		if err := f.c.List(ctx, list, client.InNamespace(namespace)); err != nil {
			if apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) || apierrors.IsForbidden(err) {
				f.p.v(1, "Skipped %s: %v", r.QualifiedName(), err)
				continue
			}
			return nil, fmt.Errorf("listing %s in namespace %s: %w", r.QualifiedName(), namespace, err)
		}
		var objs []*unstructured.Unstructured
		for i := range list.Items {
			o := &list.Items[i]
			if controllerMade(o) {
				f.p.v(1, "Skipped %s %s: made by a controller", r.Kind, objectKey(o))
				continue
			}
			objs = append(objs, o)
		}
		if len(objs) == 0 {
			continue
		}
		items, err := f.itemsOf(ctx, r, objs)
		if err != nil {
			notEnabled = append(notEnabled, r.QualifiedName())
			continue
		}
		out = append(out, items...)
	}
	if len(notEnabled) > 0 {
		slices.Sort(notEnabled)
		return nil, fmt.Errorf("namespace %s holds objects of types that are not enabled (%s): enable them with 'kubefedctl enable', pass --enable-type, or leave them out with --skip-api-resources %s",
			namespace, strings.Join(notEnabled, ", "), strings.Join(notEnabled, ","))
	}
	return out, nil
}

// skipped reports whether --contents leaves a type out.
func (f *federator) skipped(r APIResource) bool {
	if strings.HasPrefix(r.Kind, "Federated") && r.Group == fedtypesv1b1.GroupVersion.Group {
		return true
	}
	for _, name := range append(slices.Clone(controllerCreatedResources), f.opts.SkipAPIResources...) {
		if name != "" && (name == r.Group && r.Group != "" || r.matches(name)) {
			return true
		}
	}
	return false
}

// controllerMade reports whether an object was made by a controller (it
// has a controller owner) or by the control plane in every namespace: the
// members make their own.
func controllerMade(o *unstructured.Unstructured) bool {
	if metav1.GetControllerOfNoCopy(o) != nil {
		return true
	}
	gvk := o.GroupVersionKind()
	switch {
	case gvk.Group == "" && gvk.Kind == "ConfigMap" && o.GetName() == "kube-root-ca.crt":
		return true
	case gvk.Group == "" && gvk.Kind == "ServiceAccount" && o.GetName() == "default":
		return true
	case gvk.Group == "" && gvk.Kind == "Secret":
		t, _, _ := unstructured.NestedString(o.Object, "type")
		return t == string(corev1.SecretTypeServiceAccountToken)
	}
	return false
}

func (f *federator) federate(ctx context.Context, items []federateItem) error {
	var feds []*unstructured.Unstructured
	for _, it := range items {
		fed, err := FederatedObjectFrom(it.target, it.ftc.Spec.FederatedType, f.opts.Placement)
		if err != nil {
			return fmt.Errorf("federating %s %s: %w", it.target.GetKind(), objectKey(it.target), err)
		}
		feds = append(feds, fed)
	}
	if f.opts.Output != "" {
		return WriteObjectsYAML(f.opts.Out, feds)
	}
	enabled := map[string]bool{}
	for i, it := range items {
		if !it.enabled && !enabled[it.ftc.Name] {
			enabled[it.ftc.Name] = true
			if _, err := Enable(ctx, EnableOptions{
				TypeName: it.ftc.Name, HostConfig: f.opts.HostConfig, KubeFedNamespace: f.opts.KubeFedNamespace,
				DryRun: f.opts.DryRun, ControllerWait: DefaultControllerWait, Out: f.opts.Out, Verbosity: f.opts.Verbosity,
			}); err != nil {
				return fmt.Errorf("enabling type %s: %w", it.ftc.Name, err)
			}
		}
		if err := f.create(ctx, feds[i], it); err != nil {
			return err
		}
	}
	if f.opts.DryRun {
		f.p.line("Dry run: nothing was changed. Run the command again without --dry-run to federate.")
	}
	return nil
}

// create creates one federated object, retrying for a while when its CRD
// was just created and is not served yet.
func (f *federator) create(ctx context.Context, fed *unstructured.Unstructured, it federateItem) error {
	var opts []client.CreateOption
	suffix := ""
	if f.opts.DryRun {
		opts, suffix = append(opts, client.DryRunAll), " (dry run)"
	}
	kind := fed.GetKind()
	if f.opts.DryRun && !it.enabled {
		// The type's CRD does not exist yet: the API server cannot check it.
		f.p.line("Would create %s %q from %s (dry run)", kind, objectKey(fed), it.target.GetKind())
		return nil
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := f.c.Create(ctx, fed.DeepCopy(), opts...)
		switch {
		case err == nil:
			f.p.line("Successfully created %s %q from %s%s", kind, objectKey(fed), it.target.GetKind(), suffix)
			return nil
		case apierrors.IsAlreadyExists(err):
			f.p.line("%s %q already exists: left unchanged", kind, objectKey(fed))
			return nil
		case (apierrors.IsNotFound(err) || meta.IsNoMatchError(err)) && time.Now().Before(deadline) && !f.opts.DryRun:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			time.Sleep(500 * time.Millisecond)
		case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
			return fmt.Errorf("creating %s %q: the type is not served (%v): check 'kubectl get crd %s.%s'", kind, objectKey(fed), err,
				it.ftc.Spec.FederatedType.PluralName, it.ftc.Spec.FederatedType.Group)
		default:
			return fmt.Errorf("creating %s %q in the host cluster: %w", kind, objectKey(fed), err)
		}
	}
}
