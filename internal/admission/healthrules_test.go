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

package admission_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/admission"
	"github.com/kubefed/kubefed/test/testenv"
)

const ns = "kube-federation-system"

// validReadyWhen and validFailedWhen are the examples of the API's
// documentation (api/core/v1beta1, HealthRules).
const (
	validReadyWhen  = "self.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True') && self.status.observedGeneration == self.metadata.generation"
	validFailedWhen = "self.status.conditions.exists(c, c.type == 'Failed' && c.status == 'True')"
)

// webhookEnv is a test API server that calls HealthRules, served by a
// controller-runtime webhook server in the test, for the rules and match
// conditions the package declares.
type webhookEnv struct {
	c client.Client
	// calls counts the requests the API server sent to the webhook.
	calls atomic.Int64
}

func startWebhookEnv(t *testing.T) *webhookEnv {
	t.Helper()
	logf.SetLogger(testr.New(t))
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, fedcorev1b1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	env, err := testenv.NewEnvtest(testenv.EnvtestOptions{Scheme: scheme,
		CRDs: []string{"config/crd/bases/core.kubefed.io_federatedtypeconfigs.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	env.WebhookInstallOptions = envtest.WebhookInstallOptions{ValidatingWebhooks: []*admissionregistrationv1.ValidatingWebhookConfiguration{{
		ObjectMeta: metav1.ObjectMeta{Name: "kubefed-health-rules"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    admission.HealthRulesWebhookName,
			AdmissionReviewVersions: []string{"v1"},
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			FailurePolicy:           ptr.To(admissionregistrationv1.Fail),
			// envtest replaces the Service with the URL of its local server.
			ClientConfig: admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{
				Namespace: ns, Name: "kubefed-controller-manager-webhook", Path: ptr.To(strings.TrimPrefix(admission.HealthRulesPath, "/"))}},
			Rules:           admission.HealthRulesRules(),
			MatchConditions: admission.HealthRulesMatchConditions(),
		}},
	}}}
	if _, err := env.Start(); err != nil {
		t.Fatalf("starting a test API server (run 'make tools'): %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping the test API server: %v", err)
		}
	})

	e := &webhookEnv{}
	opts := env.WebhookInstallOptions
	server := webhook.NewServer(webhook.Options{Host: opts.LocalServingHost, Port: opts.LocalServingPort, CertDir: opts.LocalServingCertDir})
	hook := admission.NewHealthRulesWebhook()
	server.Register(admission.HealthRulesPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.calls.Add(1)
		hook.ServeHTTP(w, r)
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("webhook server: %v", err)
		}
	})

	if e.c, err = client.New(env.Config, client.Options{Scheme: scheme}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	// The API server reads webhook configurations through an informer:
	// wait until it calls the webhook (a dry run stores nothing).
	testenv.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		err := e.c.Create(ctx, ftc("Probe", &fedcorev1b1.HealthRules{ReadyWhen: "self.status.("}), client.DryRunAll)
		if err == nil || !strings.Contains(err.Error(), admission.HealthRulesWebhookName) {
			return fmt.Errorf("an invalid rule was not refused by the webhook: %v", err)
		}
		return nil
	}, "the API server calls the health rules webhook")
	return e
}

// ftc returns a FederatedTypeConfig with the given health rules for a
// custom resource of kind in example.com: its name is the one the API
// requires (plural.group).
func ftc(kind string, health *fedcorev1b1.HealthRules) *fedcorev1b1.FederatedTypeConfig {
	plural := strings.ToLower(kind) + "s"
	return &fedcorev1b1.FederatedTypeConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: plural + ".example.com"},
		Spec: fedcorev1b1.FederatedTypeConfigSpec{
			TargetType:    fedcorev1b1.APIResource{Group: "example.com", Version: "v1", Kind: kind, PluralName: plural, Scope: apiextensionsv1.NamespaceScoped},
			FederatedType: fedcorev1b1.APIResource{Group: "types.example.com", Version: "v1", Kind: "Federated" + kind, PluralName: "federated" + plural, Scope: apiextensionsv1.NamespaceScoped},
			Propagation:   fedcorev1b1.PropagationEnabled,
			Health:        health,
		},
	}
}

// TestHealthRulesAdmission: the API server refuses a FederatedTypeConfig
// whose health rules do not compile, with CEL's message, the object and
// the field; it stores valid ones; and it does not even ask the webhook
// about a FederatedTypeConfig without health rules or an update that keeps
// them.
func TestHealthRulesAdmission(t *testing.T) {
	e := startWebhookEnv(t)
	ctx := t.Context()

	t.Run("a syntax error is refused", func(t *testing.T) {
		err := e.c.Create(ctx, ftc("Syntax", &fedcorev1b1.HealthRules{ReadyWhen: "self.status.phase == 'Ready' &&"}))
		wantRefused(t, err, "syntaxs.example.com", "spec.health.readyWhen", "Syntax error")
		wantAbsent(t, e.c, "syntaxs.example.com")
	})
	t.Run("an expression that is not a bool is refused", func(t *testing.T) {
		err := e.c.Create(ctx, ftc("NotBool", &fedcorev1b1.HealthRules{FailedWhen: "size(self.metadata.name) + 1"}))
		wantRefused(t, err, "notbools.example.com", "spec.health.failedWhen", "bool")
		wantAbsent(t, e.c, "notbools.example.com")
	})
	t.Run("both fields are named", func(t *testing.T) {
		err := e.c.Create(ctx, ftc("Both", &fedcorev1b1.HealthRules{ReadyWhen: "self.(", FailedWhen: "undeclared_variable == 1"}))
		wantRefused(t, err, "boths.example.com", "spec.health.readyWhen", "spec.health.failedWhen", "undeclared reference")
		var status apierrors.APIStatus
		if !errors.As(err, &status) || status.Status().Details == nil || len(status.Status().Details.Causes) != 2 {
			t.Errorf("refusal %v: want one cause per field", err)
		}
	})

	valid := ftc("Valid", &fedcorev1b1.HealthRules{ReadyWhen: validReadyWhen, FailedWhen: validFailedWhen})
	t.Run("valid rules are stored", func(t *testing.T) {
		before := e.calls.Load()
		if err := e.c.Create(ctx, valid); err != nil {
			t.Fatalf("creating a FederatedTypeConfig with valid health rules: %v", err)
		}
		if e.calls.Load() == before {
			t.Error("the webhook was not asked about a FederatedTypeConfig with health rules")
		}
	})
	t.Run("an update to an invalid rule is refused", func(t *testing.T) {
		broken := valid.DeepCopy()
		broken.Spec.Health.ReadyWhen = "self.status.ready ="
		wantRefused(t, e.c.Update(ctx, broken), "valids.example.com", "spec.health.readyWhen")
		stored := &fedcorev1b1.FederatedTypeConfig{}
		if err := e.c.Get(ctx, client.ObjectKeyFromObject(valid), stored); err != nil {
			t.Fatal(err)
		}
		if stored.Spec.Health == nil || stored.Spec.Health.ReadyWhen != validReadyWhen {
			t.Errorf("stored health rules %+v, want the valid ones kept", stored.Spec.Health)
		}
	})
	t.Run("an update that keeps the rules is not sent", func(t *testing.T) {
		before := e.calls.Load()
		patch := client.MergeFrom(valid.DeepCopy())
		valid.Labels = map[string]string{"team": "platform"}
		if err := e.c.Patch(ctx, valid, patch); err != nil {
			t.Fatalf("labelling a FederatedTypeConfig with health rules: %v", err)
		}
		if n := e.calls.Load() - before; n != 0 {
			t.Errorf("the webhook was asked %d times about an update that kept the health rules, want 0", n)
		}
	})
	t.Run("a FederatedTypeConfig without health rules is not sent", func(t *testing.T) {
		before := e.calls.Load()
		if err := e.c.Create(ctx, ftc("Plain", nil)); err != nil {
			t.Fatalf("creating a FederatedTypeConfig without health rules: %v", err)
		}
		if n := e.calls.Load() - before; n != 0 {
			t.Errorf("the webhook was asked %d times about a FederatedTypeConfig without health rules, want 0", n)
		}
	})
}

// wantRefused fails the test unless err is the API server's refusal by the
// webhook, an Invalid error that names the object and contains each of
// want.
func wantRefused(t *testing.T, err error, name string, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("FederatedTypeConfig %s was accepted, want refused", name)
	}
	if !apierrors.IsInvalid(err) {
		t.Errorf("refusal of %s is %v (reason %s), want Invalid", name, err, apierrors.ReasonForError(err))
	}
	msg := err.Error()
	for _, s := range append([]string{admission.HealthRulesWebhookName, fmt.Sprintf("%q", name), "fix the expression"}, want...) {
		if !strings.Contains(msg, s) {
			t.Errorf("refusal of %s does not say %q:\n%s", name, s, msg)
		}
	}
}

// wantAbsent fails the test when the FederatedTypeConfig was stored.
func wantAbsent(t *testing.T, c client.Client, name string) {
	t.Helper()
	err := c.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: name}, &fedcorev1b1.FederatedTypeConfig{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("FederatedTypeConfig %s after its refusal: %v, want NotFound", name, err)
	}
}
