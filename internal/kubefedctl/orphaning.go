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
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// Values printed by orphaning-deletion status, as KubeFed printed them.
const (
	OrphaningEnabled  = "Enabled"
	OrphaningDisabled = "Disabled"
)

// FederatedObjectRef names a federated object on the command line.
type FederatedObjectRef struct {
	// TypeName is the federated type (FederatedDeployment,
	// federateddeployments, fdeploy, ...) or its target type (deployments),
	// which is mapped to its federated type through its
	// FederatedTypeConfig.
	TypeName string
	// Name and Namespace of the object.
	Name, Namespace string
	// HostConfig connects to the host cluster.
	HostConfig *rest.Config
	// KubeFedNamespace is the control plane's namespace.
	KubeFedNamespace string
}

// resolvedObject is a federated object read from the host.
type resolvedObject struct {
	obj *unstructured.Unstructured
	// ftc is the object's FederatedTypeConfig; nil when the type has none.
	ftc *fedcorev1b1.FederatedTypeConfig
	// warning says why the type may not be a federated type.
	warning string
}

// readFederatedObject connects to the host cluster and reads the federated
// object ref names; the client is returned for the writes and reads that
// follow.
func readFederatedObject(ctx context.Context, ref FederatedObjectRef) (client.Client, *resolvedObject, error) {
	c, err := newClient(ref.HostConfig)
	if err != nil {
		return nil, nil, err
	}
	ro, err := getFederatedObject(ctx, c, ref)
	if err != nil {
		return nil, nil, err
	}
	return c, ro, nil
}

// getFederatedObject resolves the type and reads the object.
func getFederatedObject(ctx context.Context, c client.Client, ref FederatedObjectRef) (*resolvedObject, error) {
	r, err := LookupAPIResource(ref.HostConfig, ref.TypeName, "")
	if err != nil {
		return nil, err
	}
	ns := namespaceOrDefault(ref.KubeFedNamespace)
	var list fedcorev1b1.FederatedTypeConfigList
	if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return nil, fmt.Errorf("listing FederatedTypeConfigs in %s: %w", ns, err)
	}
	out := &resolvedObject{}
	for i := range list.Items {
		ftc := &list.Items[i]
		fed, target := ftc.Spec.FederatedType, ftc.Spec.TargetType
		switch {
		case fed.Group == r.Group && fed.PluralName == r.Plural:
			out.ftc = ftc
		case target.Group == r.Group && target.PluralName == r.Plural:
			// A target type: use its federated type.
			out.ftc = ftc
			r = APIResource{Group: fed.Group, Version: fed.Version, Kind: fed.Kind, Plural: fed.PluralName, Namespaced: fed.Namespaced()}
		}
		if out.ftc != nil {
			break
		}
	}
	if out.ftc == nil {
		out.warning = fmt.Sprintf("Warning: %s/%s might not be a federated resource (no FederatedTypeConfig in %s names it)", r.QualifiedName(), r.Version, ns)
	}
	out.obj = &unstructured.Unstructured{}
	out.obj.SetGroupVersionKind(r.GroupVersionKind())
	key := client.ObjectKey{Name: ref.Name}
	if r.Namespaced {
		key.Namespace = ref.Namespace
	}
	if err := c.Get(ctx, key, out.obj); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("%s %q not found in the host cluster: check the name and -n/--namespace", r.Kind, key.String())
		}
		return nil, fmt.Errorf("reading %s %q in the host cluster: %w", r.Kind, key.String(), err)
	}
	return out, nil
}

// IsOrphaningEnabled reports whether a federated object's member objects
// stay when it is deleted (the kubefed.io/orphan annotation is "true").
func IsOrphaningEnabled(obj client.Object) bool {
	return obj.GetAnnotations()[fedcorev1b1.OrphanManagedResourcesAnnotation] == fedcorev1b1.OrphanManagedResourcesAll
}

// SetOrphaning enables (on) or disables orphaning deletion of a federated
// object and returns the object's kind and key.
func SetOrphaning(ctx context.Context, ref FederatedObjectRef, on, dryRun bool, out io.Writer) error {
	p := newPrinter(out, 0)
	c, ro, err := readFederatedObject(ctx, ref)
	if err != nil {
		return err
	}
	if ro.warning != "" {
		p.line("%s", ro.warning)
	}
	what := fmt.Sprintf("%s %q", ro.obj.GetKind(), objectKey(ro.obj))
	if IsOrphaningEnabled(ro.obj) == on {
		p.line("Orphaning deletion is already %s for %s: nothing changed.", strings.ToLower(orphaningState(on)), what)
		return nil
	}
	var value any
	if on {
		value = fedcorev1b1.OrphanManagedResourcesAll
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]any{fedcorev1b1.OrphanManagedResourcesAnnotation: value}}})
	if err != nil {
		return err
	}
	var opts []client.PatchOption
	suffix := ""
	if dryRun {
		opts, suffix = append(opts, client.DryRunAll), " (dry run)"
	}
	if err := c.Patch(ctx, ro.obj, client.RawPatch(types.MergePatchType, patch), opts...); err != nil {
		return fmt.Errorf("setting annotation %s on %s: %w", fedcorev1b1.OrphanManagedResourcesAnnotation, what, err)
	}
	if on {
		p.line("Orphaning deletion enabled for %s: its member objects stay when it is deleted%s", what, suffix)
	} else {
		p.line("Orphaning deletion disabled for %s: its member objects are deleted with it%s", what, suffix)
	}
	return nil
}

func orphaningState(on bool) string {
	if on {
		return OrphaningEnabled
	}
	return OrphaningDisabled
}

// OrphaningStatus prints Enabled or Disabled for a federated object.
func OrphaningStatus(ctx context.Context, ref FederatedObjectRef, out io.Writer) error {
	_, ro, err := readFederatedObject(ctx, ref)
	if err != nil {
		return err
	}
	if ro.warning != "" {
		fmt.Fprintln(out, ro.warning)
	}
	_, err = fmt.Fprintln(out, orphaningState(IsOrphaningEnabled(ro.obj)))
	return err
}
