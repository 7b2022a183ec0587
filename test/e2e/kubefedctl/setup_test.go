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
	"cmp"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl/kubefedctltest"
	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

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

// setup brings up a host and two members, installs KubeFed's core CRDs in
// the host and creates its control-plane namespace: what a KubeFed
// installation provides before anyone joins a cluster.
func setup(t *testing.T) *env {
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(2)})
	e := &env{fed: fed, kubeconfig: fed.Kubeconfig(), host: kubefedctltest.NewClient(t, fed.Host.Config)}
	for _, m := range fed.Members {
		e.members = append(e.members, kubefedctltest.NewClient(t, m.Config))
	}
	ctx := t.Context()
	kubefedctltest.InstallCoreCRDs(t, e.host)
	if err := e.host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	return e
}

// kubefedctl runs the command line in-process and returns its output.
func (e *env) kubefedctl(t testing.TB, args ...string) (string, error) {
	t.Helper()
	return kubefedctltest.Run(t, e.kubeconfig, args...)
}

// mustKubefedctl runs the command line and fails the test on error.
func (e *env) mustKubefedctl(t testing.TB, args ...string) string {
	t.Helper()
	return kubefedctltest.MustRun(t, e.kubeconfig, args...)
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
	testenv.Eventually(t, time.Minute, func(ctx context.Context) error {
		err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		if apierrors.IsNotFound(err) {
			return nil
		}
		return cmp.Or(err, errors.New("still there"))
	}, "deletion of %s", client.ObjectKeyFromObject(obj))
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

// contains reports an error for every part that s does not contain.
var contains = kubefedctltest.WantContains
