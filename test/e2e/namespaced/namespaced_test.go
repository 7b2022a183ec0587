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
	"context"
	"encoding/json"
	"fmt"
	"strings"
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
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
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
	*e2eutil.Env
}

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
	e := &env{e2eutil.NewEnv(t, fed)}

	// The chart, as a user installs it; its controller Deployment is
	// scaled to 0: the control plane runs in this process instead.
	e2eutil.InstallChart(t, fed, "global.scope=Namespaced")
	// Fast health checks, so that the test does not wait on the defaults.
	cfg := &fedcorev1b1.KubeFedConfig{}
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		return e.Host.Get(ctx, client.ObjectKey{Namespace: namespace, Name: fedcorev1b1.KubeFedConfigName}, cfg)
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
		if err := e.Host.Get(ctx, client.ObjectKey{Namespace: namespace, Name: fedcorev1b1.KubeFedConfigName}, cfg); err != nil {
			return err
		}
		cfg.Spec.ControllerDuration = &fedcorev1b1.DurationConfig{AvailableDelay: second, UnavailableDelay: second}
		cfg.Spec.ClusterHealthCheck = &fedcorev1b1.ClusterHealthCheckConfig{Period: second, Timeout: second,
			FailureThreshold: ptr.To[int64](2), SuccessThreshold: ptr.To[int64](1)}
		return e.Host.Update(ctx, cfg)
	}, "tuning KubeFedConfig %s/kubefed", namespace)

	e2eutil.JoinMembers(t, fed, apiextensionsv1.NamespaceScoped)
	checkJoinedNamespaced(t, e)

	// The control plane runs in this process as the chart's
	// ServiceAccount, until the test ends.
	e.StartControlPlane(t)
	t.Cleanup(func() { e.StopControlPlane(t) })
	for _, m := range members {
		e.WaitClusterReady(t, m, corev1.ConditionTrue, timeout)
	}
	// Every namespaced type runs; cluster-scoped ones are refused.
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		list := &fedcorev1b1.FederatedTypeConfigList{}
		if err := e.Host.List(ctx, list, client.InNamespace(namespace)); err != nil {
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
	for _, m := range e.Fed.Members {
		sa := kubefedctl.ServiceAccountName(m.Name, e.Fed.Host.Name)
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
	err := e.Member(cluster).Get(ctx, memberKey(fedObj), u)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return u, err
}
