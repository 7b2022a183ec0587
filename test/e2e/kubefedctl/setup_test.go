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

package kubefedctl_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/framework"
)

var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(apiextensionsv1.AddToScheme(s))
	utilruntime.Must(fedcorev1b1.AddToScheme(s))
	return s
}()

func init() {
	// Silence controller-runtime's warning that no logger was set.
	ctrllog.SetLogger(logr.Discard())
}

const ns = fedcorev1b1.DefaultKubeFedSystemNamespace

// env is the shared local federation of the tests in this package.
type env struct {
	fed        *framework.Federation
	kubeconfig string
	host       client.Client
	members    []client.Client
}

func newClient(t testing.TB, cfg *rest.Config) client.Client {
	t.Helper()
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// setup brings up a host and two members, installs KubeFed's core CRDs in
// the host and creates its control-plane namespace: what a KubeFed
// installation provides before anyone joins a cluster.
func setup(t *testing.T) *env {
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(2)})
	e := &env{fed: fed, kubeconfig: fed.Kubeconfig(), host: newClient(t, fed.Host.Config)}
	for _, m := range fed.Members {
		e.members = append(e.members, newClient(t, m.Config))
	}
	ctx := t.Context()
	installCRDs(t, e.host)
	if err := e.host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	return e
}

// installCRDs applies KubeFed's core CRDs and waits until they are served.
func installCRDs(t *testing.T, c client.Client) {
	t.Helper()
	files, err := filepath.Glob("../../../config/crd/bases/core.kubefed.io_*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in config/crd/bases (run 'make manifests'): %v", err)
	}
	ctx := t.Context()
	var names []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(data, crd); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := c.Create(ctx, crd); err != nil {
			t.Fatalf("creating CRD %s: %v", crd.Name, err)
		}
		names = append(names, crd.Name)
	}
	for _, name := range names {
		eventually(t, 30*time.Second, "CRD "+name+" established", func(ctx context.Context) (bool, error) {
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := c.Get(ctx, client.ObjectKey{Name: name}, crd); err != nil {
				return false, err
			}
			for _, cond := range crd.Status.Conditions {
				if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
					return true, nil
				}
			}
			return false, nil
		})
	}
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		ok, err := cond(ctx)
		last = err
		return ok, nil
	})
	if err != nil {
		t.Fatalf("%s: not within %s (last error: %v)", what, timeout, last)
	}
}

// kubefedctl runs the command line in-process and returns its output.
func (e *env) kubefedctl(t testing.TB, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := kubefedctl.NewCommand()
	cmd.SetArgs(append([]string{"--kubeconfig", e.kubeconfig}, args...))
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	err := cmd.ExecuteContext(t.Context())
	t.Logf("kubefedctl %s:\n%s(error: %v)", strings.Join(args, " "), out.String(), err)
	return out.String(), err
}

// mustKubefedctl runs the command line and fails the test on error.
func (e *env) mustKubefedctl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := e.kubefedctl(t, args...)
	if err != nil {
		t.Fatalf("kubefedctl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// exists reports whether an object exists.
func exists(t testing.TB, c client.Client, obj client.Object) bool {
	t.Helper()
	err := c.Get(t.Context(), client.ObjectKeyFromObject(obj), obj)
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatalf("reading %T %s: %v", obj, client.ObjectKeyFromObject(obj), err)
	}
	return err == nil
}

// waitGone waits until an object no longer exists (a namespace terminates
// asynchronously).
func waitGone(t testing.TB, c client.Client, obj client.Object) {
	t.Helper()
	eventually(t, time.Minute, "deletion of "+client.ObjectKeyFromObject(obj).String(), func(ctx context.Context) (bool, error) {
		err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
}

// hostSecretsOf returns the names of the host Secrets generated for a
// cluster (<cluster>-xxxxx), to see that none leaks.
func hostSecretsOf(t testing.TB, c client.Client, namespace, cluster string) []string {
	t.Helper()
	var list corev1.SecretList
	if err := c.List(t.Context(), &list, client.InNamespace(namespace)); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range list.Items {
		if s.GenerateName == cluster+"-" {
			out = append(out, s.Name)
		}
	}
	slices.Sort(out)
	return out
}

func contains(t testing.TB, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("missing %q in:\n%s", p, s)
		}
	}
}
