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
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// DumpOnFailure registers a cleanup that, when the test failed, prints
// the federated objects, the PropagatedVersions and the managed member
// objects that match one of filters (a namespace, or a part of a name),
// the KubeFedClusters, and the controller log lines that mention a filter
// (or the last lines, without filters). Call it right after creating what
// the test is about, so that it runs before that is cleaned up.
func (e *Env) DumpOnFailure(t testing.TB, filters ...string) {
	t.Helper()
	filters = slices.DeleteFunc(slices.Clone(filters), func(f string) bool { return f == "" })
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		t.Logf("state of the federation for %v:\n%s", filters, e.Dump(filters...))
	})
}

// Dump returns the state DumpOnFailure prints.
func (e *Env) Dump(filters ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var b strings.Builder
	match := func(obj client.Object) bool {
		if len(filters) == 0 {
			return true
		}
		return slices.Contains(filters, obj.GetNamespace()) || containsAny(obj.GetName(), filters)
	}
	section := func(title string) { fmt.Fprintf(&b, "\n===== %s =====\n", title) }

	section("KubeFedClusters")
	kfcs := &fedcorev1b1.KubeFedClusterList{}
	if err := e.Host.List(ctx, kfcs, client.InNamespace(Namespace)); err != nil {
		fmt.Fprintf(&b, "listing: %v\n", err)
	}
	for _, c := range kfcs.Items {
		fmt.Fprintf(&b, "%s: %s\n", c.Name, toYAML(c.Status.Conditions))
	}

	for _, ftc := range e.TypeConfigs {
		fedGVK := ftc.Spec.FederatedType.GroupVersionKind()
		writeList(ctx, &b, e.Host, "host", fedGVK, nil, match)
	}
	writeList(ctx, &b, e.Host, "host", schema.GroupVersionKind{Group: "core.kubefed.io", Version: "v1alpha1", Kind: "ClusterPropagatedVersion"}, nil, match)
	writeList(ctx, &b, e.Host, "host", schema.GroupVersionKind{Group: "core.kubefed.io", Version: "v1alpha1", Kind: "PropagatedVersion"}, nil, match)

	managed := client.MatchingLabels{fedcorev1b1.ManagedByKubeFedLabelKey: fedcorev1b1.ManagedByKubeFedLabelValue}
	for _, name := range e.MemberNames {
		for _, ftc := range e.TypeConfigs {
			writeList(ctx, &b, e.members[name], name, ftc.Spec.TargetType.GroupVersionKind(), managed, match)
		}
	}

	section("controller logs")
	lines := e.logs.lines(400, filters...)
	if len(lines) == 0 {
		lines = e.logs.lines(100)
	}
	b.WriteString(strings.Join(lines, "\n"))
	b.WriteString("\n")
	return b.String()
}

// OnFailure registers a cleanup that, when the test failed, logs what
// write writes under the title, with 20 seconds to read it.
func OnFailure(t testing.TB, title string, write func(ctx context.Context, w io.Writer)) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var b strings.Builder
		write(ctx, &b)
		t.Logf("%s:\n%s", title, b.String())
	})
}

// WriteControlPlane writes the conditions of the KubeFedClusters and the
// status of the FederatedTypeConfigs in Namespace of the host, one line
// each.
func WriteControlPlane(ctx context.Context, w io.Writer, host client.Client) {
	kfcs := &fedcorev1b1.KubeFedClusterList{}
	if err := host.List(ctx, kfcs, client.InNamespace(Namespace)); err != nil {
		fmt.Fprintf(w, "listing KubeFedClusters: %v\n", err)
	}
	for _, c := range kfcs.Items {
		fmt.Fprintf(w, "KubeFedCluster %s: %s\n", c.Name, toJSON(c.Status.Conditions))
	}
	ftcs := &fedcorev1b1.FederatedTypeConfigList{}
	if err := host.List(ctx, ftcs, client.InNamespace(Namespace)); err != nil {
		fmt.Fprintf(w, "listing FederatedTypeConfigs: %v\n", err)
	}
	for _, ftc := range ftcs.Items {
		fmt.Fprintf(w, "FederatedTypeConfig %s: %s\n", ftc.Name, toJSON(ftc.Status))
	}
}

// writeList prints the objects of one kind in one cluster that match.
func writeList(ctx context.Context, b *strings.Builder, c client.Client, cluster string, gvk schema.GroupVersionKind, opts client.ListOption, match func(client.Object) bool) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	var listOpts []client.ListOption
	if opts != nil {
		listOpts = append(listOpts, opts)
	}
	if err := c.List(ctx, list, listOpts...); err != nil {
		fmt.Fprintf(b, "\n===== %s in %s: listing failed: %v\n", gvk.Kind, cluster, err)
		return
	}
	for i := range list.Items {
		obj := &list.Items[i]
		if !match(obj) {
			continue
		}
		obj.SetManagedFields(nil)
		fmt.Fprintf(b, "\n----- %s %s in %s\n%s", gvk.Kind, client.ObjectKeyFromObject(obj), cluster, toYAML(obj.Object))
	}
}

func toYAML(v any) string {
	out, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v\n", v)
	}
	return string(out)
}
