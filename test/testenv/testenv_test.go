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

package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// fatalRecorder is a testing.TB whose Fatalf records the message instead
// of ending the test.
type fatalRecorder struct {
	testing.TB
	ctx   context.Context
	fatal string
}

func (r *fatalRecorder) Helper()                  {}
func (r *fatalRecorder) Context() context.Context { return r.ctx }
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
}

func TestEventuallyFailsWithTheLastError(t *testing.T) {
	r := &fatalRecorder{TB: t, ctx: t.Context()}
	calls := 0
	start := time.Now()
	Eventually(r, 500*time.Millisecond, func(context.Context) error {
		calls++
		return fmt.Errorf("attempt %d", calls)
	}, "the %s of %s", "status", "web")
	if elapsed := time.Since(start); elapsed < 500*time.Millisecond {
		t.Errorf("gave up after %s, before the 500ms timeout", elapsed)
	}
	// At 0, 200 and 400ms, unless the machine is slow.
	if calls < 2 || calls > 3 {
		t.Errorf("cond called %d times in 500ms every 200ms, want 3", calls)
	}
	if want := "the status of web: not within 500ms: attempt "; !strings.HasPrefix(r.fatal, want) {
		t.Errorf("failure %q, want %q and the last error", r.fatal, want)
	}
}

func TestEventuallyReturnsOnceTrue(t *testing.T) {
	r := &fatalRecorder{TB: t, ctx: t.Context()}
	calls := 0
	EventuallyEvery(r, time.Millisecond, time.Minute, func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); !ok {
			return errors.New("no deadline on cond's context")
		}
		if calls++; calls < 3 {
			return errors.New("not yet")
		}
		return nil
	}, "the third call")
	if r.fatal != "" || calls != 3 {
		t.Errorf("failure %q after %d calls, want none after 3", r.fatal, calls)
	}
}

func TestRepoRootIsTheModule(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(RepoRoot(), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(raw), "\n"); first != "module github.com/kubefed/kubefed" {
		t.Errorf("go.mod of %s starts with %q", RepoRoot(), first)
	}
}

func TestAssetsDir(t *testing.T) {
	t.Setenv("KUBEBUILDER_ASSETS", "")
	if got, want := AssetsDir(), filepath.Join(RepoRoot(), "bin"); got != want {
		t.Errorf("without KUBEBUILDER_ASSETS: %s, want %s", got, want)
	}
	t.Setenv("KUBEBUILDER_ASSETS", "/opt/assets")
	if got := AssetsDir(); got != "/opt/assets" {
		t.Errorf("with KUBEBUILDER_ASSETS=/opt/assets: %s", got)
	}
}

func TestNewEnvtestSaysWhatIsMissing(t *testing.T) {
	_, err := NewEnvtest(EnvtestOptions{AssetsDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "kube-apiserver not found") || !strings.Contains(err.Error(), "run 'make tools'") {
		t.Errorf("error %v, want kube-apiserver not found ... run 'make tools'", err)
	}
}

func TestStartClientWithInstallsTheCRDs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server")
	}
	c, env := StartClientWith(t, EnvtestOptions{CRDs: []string{"config/crd/bases/core.kubefed.io_kubefedclusters.yaml"}},
		clientgoscheme.AddToScheme, fedcorev1b1.AddToScheme)
	if !env.ErrorIfCRDPathMissing {
		t.Error("a missing CRD path would pass unnoticed")
	}
	if len(env.CRDs) != 1 || env.CRDs[0].Name != "kubefedclusters.core.kubefed.io" {
		t.Errorf("installed %d CRDs, want kubefedclusters.core.kubefed.io", len(env.CRDs))
	}
	if err := c.List(t.Context(), &corev1.NamespaceList{}); err != nil {
		t.Errorf("listing namespaces on the test API server: %v", err)
	}
	// The client's scheme holds the CRD's kind, and the API server serves it.
	cluster := &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: metav1.NamespaceDefault, Name: "member1"}}
	cluster.Spec.APIEndpoint = "https://member1.example.com"
	cluster.Spec.SecretRef.Name = "member1-secret"
	if err := c.Create(t.Context(), cluster); err != nil {
		t.Fatalf("creating a KubeFedCluster on the test API server: %v", err)
	}
	if err := c.Get(t.Context(), client.ObjectKeyFromObject(cluster), &fedcorev1b1.KubeFedCluster{}); err != nil {
		t.Errorf("reading the KubeFedCluster back: %v", err)
	}
	// A user without rights is refused, by name.
	err := ClientAs(t, env.Config, c.Scheme(), "nobody", "team").List(t.Context(), &corev1.NamespaceList{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `"nobody"`) {
		t.Errorf("listing namespaces as nobody: %v, want Forbidden naming nobody", err)
	}
}

// cleanupRecorder is a testing.TB that keeps its cleanups and errors for
// the test to run and read.
type cleanupRecorder struct {
	testing.TB
	ctx      context.Context
	cleanups []func()
	errors   []string
}

func (r *cleanupRecorder) Helper()                  {}
func (r *cleanupRecorder) Context() context.Context { return r.ctx }
func (r *cleanupRecorder) Cleanup(f func())         { r.cleanups = append(r.cleanups, f) }
func (r *cleanupRecorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestRunStopsAtTheEndAndReportsTheError(t *testing.T) {
	r := &cleanupRecorder{TB: t, ctx: t.Context()}
	started, stopped := make(chan struct{}), make(chan struct{})
	Run(r, "the widget", func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		close(stopped)
		return errors.New("boom")
	})
	<-started
	select {
	case <-stopped:
		t.Fatal("stopped before the test ended")
	case <-time.After(100 * time.Millisecond):
	}
	if len(r.cleanups) != 1 {
		t.Fatalf("%d cleanups, want 1", len(r.cleanups))
	}
	r.cleanups[0]()
	select {
	case <-stopped:
	default:
		t.Error("the cleanup returned before start did")
	}
	if len(r.errors) != 1 || r.errors[0] != "the widget stopped with boom" {
		t.Errorf("errors %q, want the widget stopped with boom", r.errors)
	}
}

func TestCRDObjectsAreInstalledAndTheManagerServesThem(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server")
	}
	crd := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "widgets.example.com"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "example.com", Scope: apiextensionsv1.NamespaceScoped,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList"},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object", XPreserveUnknownFields: ptr.To(true)}}}},
		},
	}
	c, env := StartClientWith(t, EnvtestOptions{CRDObjects: []*apiextensionsv1.CustomResourceDefinition{crd}}, clientgoscheme.AddToScheme)
	widget := &unstructured.Unstructured{}
	widget.SetAPIVersion("example.com/v1")
	widget.SetKind("Widget")
	widget.SetNamespace(metav1.NamespaceDefault)
	widget.SetName("w1")
	if err := c.Create(t.Context(), widget); err != nil {
		t.Fatalf("creating a Widget of the in-memory CRD: %v", err)
	}

	mgr := NewManager(t, env.Config, ctrl.Options{Scheme: c.Scheme(), Client: client.Options{Cache: &client.CacheOptions{Unstructured: true}}})
	Run(t, "the manager", mgr.Start)
	Eventually(t, 30*time.Second, func(ctx context.Context) error {
		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(widget.GroupVersionKind())
		return mgr.GetClient().Get(ctx, client.ObjectKeyFromObject(widget), got)
	}, "the Widget read through the started manager's cache")
}
