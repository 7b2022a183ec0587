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
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// Suffix returns a short random suffix for unique names.
func Suffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Cluster returns a client of the named cluster: the host (HostName) or a
// member.
func (e *Env) Cluster(name string) client.Client {
	if name == HostName {
		return e.Host
	}
	return e.Member(name)
}

// HostNamespace creates a namespace <prefix>-<random> (only) in the host
// and deletes it when the test ends: its federated objects go with it,
// and its FederatedNamespace, if any, takes the member namespaces along.
func (e *Env) HostNamespace(t testing.TB, prefix string) string {
	t.Helper()
	ns := prefix + "-" + Suffix()
	if err := e.Host.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatalf("creating namespace %s in the host: %v", ns, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 30*time.Second)
		defer cancel()
		// Gone or already being deleted (a Conflict: the namespace is
		// terminating) is what the cleanup wants.
		err := e.Host.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			t.Errorf("deleting namespace %s in the host: %v", ns, err)
		}
	})
	return ns
}

// NewFederatedNamespace returns the FederatedNamespace of ns (not created).
func NewFederatedNamespace(ns string) *unstructured.Unstructured {
	fedNS := &unstructured.Unstructured{}
	fedNS.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedNamespace"))
	fedNS.SetNamespace(ns)
	fedNS.SetName(ns)
	return fedNS
}

// FederatedNamespace creates a HostNamespace and its FederatedNamespace
// placed in clusters (members, or the host when it is joined), waits until
// the namespace exists in each of them and returns its name.
func (e *Env) FederatedNamespace(t testing.TB, prefix string, clusters ...string) string {
	t.Helper()
	ns := e.HostNamespace(t, prefix)
	fedNS := NewFederatedNamespace(ns)
	if err := fedtypesv1b1.SetPlacementClusterNames(fedNS, clusters); err != nil {
		t.Fatal(err)
	}
	if err := e.Host.Create(t.Context(), fedNS); err != nil {
		t.Fatalf("creating FederatedNamespace %s/%s: %v", ns, ns, err)
	}
	Eventually(t, time.Minute, func(ctx context.Context) error {
		var missing []string
		for _, c := range clusters {
			if err := e.Cluster(c).Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{}); err != nil {
				missing = append(missing, fmt.Sprintf("%s (%v)", c, err))
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("not in %s", strings.Join(missing, ", "))
		}
		return nil
	}, "namespace %s propagated to %v", ns, clusters)
	return ns
}
