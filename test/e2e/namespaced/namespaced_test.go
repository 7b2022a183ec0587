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

package namespaced_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

const (
	// namespace is the control-plane namespace, in the host and in the
	// members: the only namespace a Namespaced control plane federates.
	namespace = fedcorev1b1.DefaultKubeFedSystemNamespace
	// serviceAccount is the chart's identity of the controller manager.
	serviceAccount = "kubefed-controller"
	// timeout bounds every wait for the control plane to act.
	timeout = 60 * time.Second
)

var members = []string{"member1", "member2"}

// env is the Namespaced federation of the test.
type env struct {
	fed     *framework.Federation
	host    client.Client
	members map[string]client.Client
	logs    *logBuffer
}

func (e *env) member(name string) client.Client { return e.members[name] }

// TestNamespaced installs a Namespaced control plane, joins two members in
// Namespaced scope and runs every federated object's life against it.
func TestNamespaced(t *testing.T) {
	e := setup(t)
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			t.Parallel()
			testLife(t, e, c)
		})
	}
}

// setup brings the federation up: clusters, chart, configuration, joins,
// control plane.
func setup(t *testing.T) *env {
	t.Helper()
	start := time.Now()
	fed := framework.New(t, framework.Options{Members: members, Nodes: 1})
	e := &env{fed: fed, members: map[string]client.Client{}, logs: captureLogs()}
	scheme := app.Scheme()
	var err error
	if e.host, err = client.New(fed.Host.Config, client.Options{Scheme: scheme}); err != nil {
		t.Fatal(err)
	}
	for _, m := range fed.Members {
		if e.members[m.Name], err = client.New(m.Config, client.Options{Scheme: scheme}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := t.Context()

	// The chart, as a user installs it; its controller Deployment is
	// scaled to 0: the control plane runs in this process instead.
	helm(t, "install", "kubefed", filepath.Join(e2eutil.RepoRoot(), "charts", "kubefed"),
		"--namespace", namespace, "--create-namespace", "--kubeconfig", fed.Kubeconfig(), "--kube-context", fed.Host.Context(),
		"--set", "global.scope=Namespaced", "--set", "controllermanager.controller.replicaCount=0", "--wait=false")
	// Fast health checks, so that the test does not wait on the defaults.
	cfg := &fedcorev1b1.KubeFedConfig{}
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		return e.host.Get(ctx, client.ObjectKey{Namespace: namespace, Name: fedcorev1b1.KubeFedConfigName}, cfg)
	}, "the chart's KubeFedConfig")
	if cfg.Spec.Scope != apiextensionsv1.NamespaceScoped {
		t.Fatalf("the chart installed with global.scope=Namespaced wrote KubeFedConfig scope %q", cfg.Spec.Scope)
	}
	// The chart's MutatingAdmissionPolicy matches KubeFedConfig updates; for a
	// moment after the CRD is created the API server answers them with 503
	// (the policy's type converter has not seen the schema yet), so the
	// update is retried, reading the object again each time.
	second := &metav1.Duration{Duration: time.Second}
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		if err := e.host.Get(ctx, client.ObjectKey{Namespace: namespace, Name: fedcorev1b1.KubeFedConfigName}, cfg); err != nil {
			return err
		}
		cfg.Spec.ControllerDuration = &fedcorev1b1.DurationConfig{AvailableDelay: second, UnavailableDelay: second}
		cfg.Spec.ClusterHealthCheck = &fedcorev1b1.ClusterHealthCheckConfig{Period: second, Timeout: second,
			FailureThreshold: ptr.To[int64](2), SuccessThreshold: ptr.To[int64](1)}
		return e.host.Update(ctx, cfg)
	}, "tuning KubeFedConfig %s/kubefed", namespace)

	for _, m := range fed.Members {
		if _, err := kubefedctl.Join(ctx, kubefedctl.JoinOptions{
			ClusterName: m.Name, HostClusterName: fed.Host.Name, HostConfig: fed.Host.Config, ClusterConfig: m.Config,
			KubeFedNamespace: namespace, Scope: apiextensionsv1.NamespaceScoped, ErrorOnExisting: true,
			HostContext: fed.Host.Context(), ClusterContext: m.Context(), Out: io.Discard,
		}); err != nil {
			t.Fatalf("joining %s in Namespaced scope: %v", m.Name, err)
		}
	}
	checkJoinedNamespaced(t, e)

	startControlPlane(t, e)
	for _, m := range members {
		e2eutil.Eventually(t, timeout, func(ctx context.Context) error { return clusterReady(ctx, e, m) }, "KubeFedCluster %s Ready", m)
	}
	// Every namespaced type runs; cluster-scoped ones are refused.
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		list := &fedcorev1b1.FederatedTypeConfigList{}
		if err := e.host.List(ctx, list, client.InNamespace(namespace)); err != nil {
			return err
		}
		var wrong []string
		for _, ftc := range list.Items {
			if ftc.IsNamespace() {
				// Its member watch cannot run in Namespaced scope (the
				// member caches refuse cluster-scoped kinds); whether its
				// controller runs at all is the FTC controller's call.
				continue
			}
			want := fedcorev1b1.ControllerStatusRunning
			if !ftc.Spec.TargetType.Namespaced() {
				want = fedcorev1b1.ControllerStatusNotRunning
			}
			if ftc.Status.PropagationController != want {
				wrong = append(wrong, fmt.Sprintf("%s is %q, want %q (%v)", ftc.Name, ftc.Status.PropagationController, want, ftc.Status.Conditions))
			}
		}
		if len(list.Items) == 0 || len(wrong) > 0 {
			return fmt.Errorf("%d FederatedTypeConfigs: %s", len(list.Items), strings.Join(wrong, "; "))
		}
		return nil
	}, "FederatedTypeConfigs: namespaced types running, cluster-scoped ones not")
	t.Logf("Namespaced control plane with %d members ready in %s", len(members), time.Since(start).Round(100*time.Millisecond))
	return e
}

// checkJoinedNamespaced checks that the joins granted the control plane
// nothing cluster-wide in the members beyond health checks: its identity
// may not list Secrets in another namespace.
func checkJoinedNamespaced(t *testing.T, e *env) {
	t.Helper()
	for _, m := range e.fed.Members {
		sa := kubefedctl.ServiceAccountName(m.Name, e.fed.Host.Name)
		cfg := rest.CopyConfig(m.Config)
		cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + namespace + ":" + sa}
		c, err := client.New(cfg, client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		err = c.List(t.Context(), &corev1.SecretList{}, client.InNamespace("default"))
		if !apierrors.IsForbidden(err) {
			t.Fatalf("the control plane's identity in %s (ServiceAccount %s/%s) listed Secrets in namespace default (error %v): a Namespaced join must grant only its namespace", m.Name, namespace, sa, err)
		}
	}
}

// startControlPlane runs the controller manager in this process as the
// chart's ServiceAccount, until the test ends.
func startControlPlane(t *testing.T, e *env) {
	t.Helper()
	cfg := rest.CopyConfig(e.fed.Host.Config)
	cfg.Impersonate = rest.ImpersonationConfig{
		UserName: "system:serviceaccount:" + namespace + ":" + serviceAccount,
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"},
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	mgr, err := app.New(ctx, cfg, app.Options{Namespace: namespace, MetricsBindAddress: "0", HealthProbeBindAddress: "0"})
	if err != nil {
		cancel()
		t.Fatalf("building the controller manager as ServiceAccount %s/%s: %v", namespace, serviceAccount, err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && ctx.Err() == nil {
				t.Errorf("controller manager: %v", err)
			}
		case <-time.After(time.Minute):
			t.Error("the controller manager did not stop within a minute")
		}
	})
	select {
	case <-mgr.Elected():
	case err := <-done:
		t.Fatalf("the controller manager stopped at once: %v\n%s", err, e.logs.last(50))
	case <-time.After(time.Minute):
		t.Fatalf("the controller manager was not elected within a minute (it runs as ServiceAccount %s/%s: can it use Leases?)\n%s", namespace, serviceAccount, e.logs.last(50))
	}
}

func clusterReady(ctx context.Context, e *env, name string) error {
	kfc := &fedcorev1b1.KubeFedCluster{}
	if err := e.host.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, kfc); err != nil {
		return err
	}
	for _, c := range kfc.Status.Conditions {
		if c.Type == fedcorev1b1.ClusterReady && c.Status == corev1.ConditionTrue {
			return nil
		}
	}
	return fmt.Errorf("conditions %+v", kfc.Status.Conditions)
}

// helm runs the pinned helm binary.
func helm(t *testing.T, args ...string) {
	t.Helper()
	bin := os.Getenv("KUBEFED_BIN_DIR")
	if bin == "" {
		bin = filepath.Join(e2eutil.RepoRoot(), "bin")
	}
	home := t.TempDir()
	cmd := exec.CommandContext(t.Context(), filepath.Join(bin, "helm"), args...)
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"), "HELM_DATA_HOME="+filepath.Join(home, "data"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
}

// logBuffer keeps the controller manager's log lines.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		b.lines = append(b.lines, l)
	}
	return len(p), nil
}

// last returns the last n lines, or the last n that mention filter.
func (b *logBuffer) last(n int, filters ...string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, l := range b.lines {
		if len(filters) == 0 || slices.ContainsFunc(filters, func(f string) bool { return strings.Contains(l, f) }) {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return strings.Join(out, "\n")
}

func captureLogs() *logBuffer {
	b := &logBuffer{}
	ctrl.SetLogger(zap.New(zap.WriteTo(b), zap.UseDevMode(false)))
	return b
}

// fedObject decodes a federated object from YAML.
func fedObject(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
		t.Fatalf("bad test object: %v\n%s", err, doc)
	}
	return u
}

func toJSON(v any) string {
	out, _ := json.Marshal(v)
	return string(out)
}

// memberKey is the key of fedObj's copies.
func memberKey(fedObj *unstructured.Unstructured) types.NamespacedName {
	return types.NamespacedName{Namespace: fedObj.GetNamespace(), Name: fedObj.GetName()}
}

// getMember reads the copy of fedObj in a member; nil when there is none.
func getMember(ctx context.Context, e *env, cluster string, gvk schema.GroupVersionKind, fedObj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	err := e.member(cluster).Get(ctx, memberKey(fedObj), u)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return u, err
}

// update changes the federated object with mutate, retrying on conflicts.
func update(t *testing.T, e *env, fedObj *unstructured.Unstructured, mutate func(*unstructured.Unstructured)) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(fedObj.GroupVersionKind())
		if err := e.host.Get(t.Context(), client.ObjectKeyFromObject(fedObj), u); err != nil {
			return err
		}
		mutate(u)
		return e.host.Update(t.Context(), u)
	})
	if err != nil {
		t.Fatalf("updating %s %s: %v", fedObj.GetKind(), client.ObjectKeyFromObject(fedObj), err)
	}
}
