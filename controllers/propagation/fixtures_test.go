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
	"slices"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/federatedtypes"
)

// testNamespace is the control-plane namespace of the test reconcilers.
const testNamespace = "kube-federation-system"

// The start of the reconcile the tests compute status for, and its RFC 3339
// form as written in condition times.
var (
	testStarted = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	testNow     = "2026-03-01T12:00:00Z"
	earlier     = "2026-02-01T08:00:00Z"
	earlier2    = "2026-02-02T09:00:00Z"
)

// testScheme returns the scheme of the test API clients: client-go's kinds,
// CustomResourceDefinitions and KubeFed's core kinds.
func testScheme() *k8sruntime.Scheme {
	scheme := k8sruntime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(apiextensionsv1.AddToScheme(scheme))
	utilruntime.Must(fedcorev1a1.AddToScheme(scheme))
	utilruntime.Must(fedcorev1b1.AddToScheme(scheme))
	return scheme
}

// typeConfig returns the default FederatedTypeConfig of a target kind.
func typeConfig(t *testing.T, group, kind string) *fedcorev1b1.FederatedTypeConfig {
	t.Helper()
	tt, ok := federatedtypes.LookupDefault(group, kind)
	if !ok {
		t.Fatalf("no default target type %s/%s", group, kind)
	}
	return federatedtypes.FederatedTypeConfig(tt)
}

func reconcilerFor(t *testing.T, group, kind string) *Reconciler {
	t.Helper()
	return &Reconciler{TypeConfig: typeConfig(t, group, kind), Namespace: testNamespace}
}

// fedObject returns a federated object of the reconciler's type with the
// given spec.
func (r *Reconciler) fedObject(namespace, name string, spec map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetGroupVersionKind(r.federatedGVK())
	u.SetNamespace(namespace)
	u.SetName(name)
	if spec != nil {
		u.Object["spec"] = spec
	}
	return u
}

// newTestScope returns a scope for fedObj as newScope would leave it, with
// default KubeFedConfig settings.
func newTestScope(fedObj *unstructured.Unstructured) *scope {
	return &scope{
		fedObj:   fedObj,
		results:  map[string]*clusterResult{},
		versions: map[string]string{},
		started:  testStarted,
	}
}

// member returns a member object of the given kind with fields set from
// the dotted paths in fields.
func member(t *testing.T, apiVersion, kind string, generation int64, fields map[string]any) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind}}
	u.SetName("web")
	u.SetNamespace("ns")
	if generation != 0 {
		u.SetGeneration(generation)
	}
	for path, v := range fields {
		if err := unstructured.SetNestedField(u.Object, v, strings.Split(path, ".")...); err != nil {
			t.Fatalf("setting %s: %v", path, err)
		}
	}
	return u
}

// managedConfigMap returns member ConfigMap ns/web, labelled as managed by
// kubefed.
func managedConfigMap(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	u := member(t, "v1", "ConfigMap", 0, nil)
	u.SetLabels(map[string]string{fedcorev1b1.ManagedByKubeFedLabelKey: fedcorev1b1.ManagedByKubeFedLabelValue})
	return u
}

func ok(m *unstructured.Unstructured) *clusterResult { return &clusterResult{member: m} }

func failedWith(status fedtypesv1b1.PropagationStatus, message string) *clusterResult {
	return &clusterResult{status: status, message: message}
}

// directMembers serves every member read from the API server, through the
// identity each cluster was joined with. A cluster mapped to nil is
// connected but cannot be reached.
type directMembers map[string]client.Client

func (m directMembers) GetClient(_ context.Context, cluster string) (client.Client, error) {
	c, ok := m[cluster]
	switch {
	case !ok:
		return nil, fmt.Errorf("cluster %s is not connected", cluster)
	case c == nil:
		return nil, fmt.Errorf("cluster %s: connection refused", cluster)
	}
	return c, nil
}

func (m directMembers) GetReader(ctx context.Context, cluster string) (client.Reader, error) {
	return m.GetClient(ctx, cluster)
}

func (m directMembers) ReadyClusters() []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// directMembers measures no write: no member is ever slow.
func (directMembers) ObserveWrite(string, time.Duration) {}
func (directMembers) OperationStarted(string) func()     { return func() {} }
func (directMembers) WriteLatency(string) time.Duration  { return 0 }
func (directMembers) SlowClusters() sets.Set[string]     { return sets.New[string]() }
