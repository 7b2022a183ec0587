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

package federatedtypeconfig_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/controllers/federatedtypeconfig"
	"github.com/kubefed/kubefed/test/testenv"
)

// env is the test API server shared by the tests of this package; set by
// startEnv.
var env *envtest.Environment

// startEnv starts one API server with every CRD of the project for the
// tests of this package, and stops it when they are done.
func startEnv(t *testing.T) (*rest.Config, client.Client) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an API server")
	}
	var c client.Client
	c, env = testenv.StartClientWith(t, testenv.EnvtestOptions{Scheme: app.Scheme(), CRDs: []string{"config/crd/bases"}})
	return env.Config, c
}

// TestFederatedTypeConfigs runs the FederatedTypeConfig controller's
// failure isolation cases on one API server.
func TestFederatedTypeConfigs(t *testing.T) {
	cfg, admin := startEnv(t)
	t.Run("access denied", func(t *testing.T) { testAccessDenied(t, cfg, admin) })
	t.Run("shared FederatedNamespace informer", func(t *testing.T) { testSharedNamespaceInformer(t, cfg, admin) })
	t.Run("PushReconciler gate", func(t *testing.T) { testPushReconcilerGate(t, cfg, admin) })
	t.Run("KubeFed status schema", func(t *testing.T) { testKubeFedStatusSchema(t, cfg, admin) })
	t.Run("CRD deleted while running", func(t *testing.T) { testCRDDeleted(t, cfg, admin) })
	t.Run("one start per type", func(t *testing.T) { testStartsOnce(t, cfg, admin) })
}

// controlPlane creates a control-plane namespace with the FederatedTypeConfigs
// of the named default types, and runs a controller-manager for it as the
// given identity until the test ends.
func controlPlane(t *testing.T, admin client.Client, cfg *rest.Config, namespace string, types ...string) {
	t.Helper()
	ctx := t.Context()
	if err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range types {
		federatedtypeconfig.CreateDefaultTypeConfig(t, admin, name, namespace)
	}
	mgrCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	mgr, err := app.New(mgrCtx, cfg, app.Options{Namespace: namespace, MetricsBindAddress: "0", HealthProbeBindAddress: "0",
		SkipControllerNameValidation: true, GracefulShutdownTimeout: 10 * time.Second})
	if err != nil {
		cancel()
		t.Fatalf("building the controller-manager: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mgrCtx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("controller-manager: %v", err)
			}
		case <-time.After(time.Minute):
			t.Error("the controller-manager did not stop within a minute")
		}
	})
}

// waitReady waits until the FederatedTypeConfig's Ready condition has the
// given reason, and returns the FederatedTypeConfig.
func waitReady(t *testing.T, c client.Client, namespace, name, reason string, timeout time.Duration) *fedcorev1b1.FederatedTypeConfig {
	t.Helper()
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	testenv.Eventually(t, timeout, func(ctx context.Context) error {
		if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, ftc); err != nil {
			return err
		}
		cond := meta.FindStatusCondition(ftc.Status.Conditions, fedcorev1b1.FederatedTypeConfigReady)
		if cond == nil || cond.Reason != reason {
			return fmt.Errorf("propagationController %q, Ready condition %+v", ftc.Status.PropagationController, cond)
		}
		return nil
	}, "FederatedTypeConfig %s/%s: Ready reason %s", namespace, name, reason)
	return ftc
}

// waitPropagationReason waits until the federated object's Propagation
// condition's reason satisfies ok.
func waitPropagationReason(t *testing.T, c client.Client, obj *unstructured.Unstructured, ok func(fedtypesv1b1.AggregateReason) bool, what string) {
	t.Helper()
	testenv.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(obj.GroupVersionKind())
		err := c.Get(ctx, client.ObjectKeyFromObject(obj), u)
		switch {
		case apierrors.IsNotFound(err):
			t.Fatalf("%s/%s is gone", obj.GetNamespace(), obj.GetName())
		case err != nil:
			return err
		}
		s, err := fedtypesv1b1.GetStatus(u)
		if err != nil {
			t.Fatal(err)
		}
		cond := s.GetCondition(fedtypesv1b1.PropagationConditionType)
		if cond == nil {
			return errors.New("no Propagation condition")
		}
		if !ok(cond.Reason) {
			return fmt.Errorf("Propagation %s, reason %q: %s", cond.Status, cond.Reason, cond.Message)
		}
		return nil
	}, "%s %s/%s: %s", obj.GetKind(), obj.GetNamespace(), obj.GetName(), what)
}

func crdOf(group, kind, plural string, schema *apiextensionsv1.JSONSchemaProps) *apiextensionsv1.CustomResourceDefinition {
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: plural + "." + group},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: group,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Kind: kind, ListKind: kind + "List", Plural: plural, Singular: strings.ToLower(kind)},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema:       &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: schema},
				Subresources: &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}},
			}},
		},
	}
}

// installCRDs installs copies of the CRDs (the originals can be installed
// again later) and waits until the API server serves them.
func installCRDs(t *testing.T, cfg *rest.Config, crds ...*apiextensionsv1.CustomResourceDefinition) {
	t.Helper()
	fresh := make([]*apiextensionsv1.CustomResourceDefinition, 0, len(crds))
	for _, crd := range crds {
		fresh = append(fresh, crd.DeepCopy())
	}
	if err := envtest.CreateCRDs(cfg, fresh); err != nil {
		t.Fatal(err)
	}
	if err := envtest.WaitForCRDs(cfg, fresh, envtest.CRDInstallOptions{MaxTime: time.Minute, PollInterval: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
}

// createExampleType creates the enabled FederatedTypeConfig of the
// namespaced kind of example.kubefed.io (whose plural is kind's, lower
// case, with an s) federated as types.kubefed.io's Federated<kind>.
func createExampleType(t *testing.T, admin client.Client, namespace, kind string) *fedcorev1b1.FederatedTypeConfig {
	t.Helper()
	plural := strings.ToLower(kind) + "s"
	ftc := &fedcorev1b1.FederatedTypeConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: plural + ".example.kubefed.io"},
		Spec: fedcorev1b1.FederatedTypeConfigSpec{
			TargetType:    fedcorev1b1.APIResource{Group: "example.kubefed.io", Version: "v1", Kind: kind, PluralName: plural, Scope: apiextensionsv1.NamespaceScoped},
			FederatedType: fedcorev1b1.APIResource{Group: "types.kubefed.io", Version: "v1", Kind: "Federated" + kind, PluralName: "federated" + plural, Scope: apiextensionsv1.NamespaceScoped},
			Propagation:   fedcorev1b1.PropagationEnabled,
		},
	}
	if err := admin.Create(t.Context(), ftc); err != nil {
		t.Fatal(err)
	}
	return ftc
}

func withSubresources(resources []string) []string {
	var out []string
	for _, r := range resources {
		out = append(out, r, r+"/status", r+"/finalizers")
	}
	return out
}

// startLog counts, per type, the sync controllers the controller-managers
// of these tests started, from their "Started sync controller" log lines.
type startLog struct {
	mu     sync.Mutex
	counts map[string]int
}

// starts receives the logs of every controller-manager of these tests.
var starts = &startLog{counts: map[string]int{}}

func init() {
	ctrl.SetLogger(funcr.NewJSON(starts.record, funcr.Options{}))
}

func (l *startLog) record(line string) {
	var entry struct {
		Msg  string `json:"msg"`
		Type string `json:"type"`
	}
	if json.Unmarshal([]byte(line), &entry) != nil || entry.Msg != "Started sync controller" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts[entry.Type]++
}

func (l *startLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts = map[string]int{}
}

func (l *startLog) of(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[name]
}
