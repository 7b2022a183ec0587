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
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/internal/admission"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

// webhookSecret holds the serving certificate the chart makes
// (charts/kubefed/templates/_webhook.tpl).
const webhookSecret = "kubefed-controller-manager-webhook-cert"

// widgetFTC is a FederatedTypeConfig for a custom resource with the given
// readyWhen, as a user writes it.
func widgetFTC(readyWhen string) string {
	return fmt.Sprintf(`apiVersion: core.kubefed.io/v1beta1
kind: FederatedTypeConfig
metadata:
  name: widgets.example.com
  namespace: %s
spec:
  targetType: {group: example.com, version: v1, kind: Widget, pluralName: widgets, scope: Namespaced}
  federatedType: {group: types.example.com, version: v1, kind: FederatedWidget, pluralName: federatedwidgets, scope: Namespaced}
  propagation: Enabled
  health:
    readyWhen: %q
`, e2eutil.Namespace, readyWhen)
}

// TestHealthRulesAdmission: with the chart installed and the controller
// manager serving the webhook, the host's API server refuses a
// FederatedTypeConfig whose readyWhen does not compile and stores a valid
// one.
func TestHealthRulesAdmission(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a local cluster and the built binaries; skipped with -short")
	}
	binDir := e2eutil.RequireBinaries(t, "controller-manager", "helm", "kubectl", "kwokctl", "kube-apiserver")
	fed := framework.New(t, framework.Options{BinDir: binDir})
	host, err := client.New(fed.Host.Config, client.Options{Scheme: app.Scheme()})
	if err != nil {
		t.Fatal(err)
	}

	// The host's API server runs on this machine: it reaches the
	// controller manager at 127.0.0.1.
	webhookAddr := e2eutil.FreeAddr(t)
	_, port, _ := net.SplitHostPort(webhookAddr)
	e2eutil.HelmInstall(t, fed, e2eutil.SetValues(append(e2eutil.ProcessChartValues,
		"controllermanager.webhook.url=https://"+webhookAddr)...)...)

	certDir := servingCertDir(t, host)
	kubeconfig := e2eutil.ChartKubeconfig(t, fed)
	serving := e2eutil.StartControllerManager(t, e2eutil.ProcessOptions{Name: "webhook", Kubeconfig: kubeconfig,
		ProbeAddr: e2eutil.FreeAddr(t), Args: []string{"--webhook-port", port, "--webhook-cert-dir", certDir}})
	// /readyz includes the webhook server.
	e2eutil.Eventually(t, 2*time.Minute, func(ctx context.Context) error { return ready(ctx, serving) },
		"controller manager %s ready", serving.Name)
	// The API server reads webhook configurations through an informer; a
	// dry run stores nothing.
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		out, err := kubectl(ctx, fed, widgetFTC("self.status.ready =="), "apply", "--dry-run=server", "-f", "-")
		if err == nil || !strings.Contains(out, "fix the expression") {
			return fmt.Errorf("not refused by the webhook (err %v): %s", err, out)
		}
		return nil
	}, "the host's API server calls the webhook")

	t.Run("kubectl apply of a readyWhen that does not compile is refused", func(t *testing.T) {
		out, err := kubectl(t.Context(), fed, widgetFTC("self.status.ready =="), "apply", "-f", "-")
		if err == nil {
			t.Fatalf("kubectl apply succeeded, want refused:\n%s", out)
		}
		t.Logf("kubectl apply: %s", out)
		// kubectl prints an Invalid refusal's causes, without the
		// webhook's name.
		for _, want := range []string{
			`The FederatedTypeConfig "widgets.example.com" is invalid`,
			"spec.health.readyWhen",
			"Syntax error",
			"fix the expression",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("kubectl apply's refusal does not say %q", want)
			}
		}
		if out, err := kubectl(t.Context(), fed, "", "get", "federatedtypeconfig", "widgets.example.com", "-n", e2eutil.Namespace, "--ignore-not-found", "-o", "name"); err != nil || strings.TrimSpace(out) != "" {
			t.Errorf("after the refusal, kubectl get: %q (err %v), want nothing", out, err)
		}
	})
	t.Run("the client's refusal names the webhook", func(t *testing.T) {
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(widgetFTC("self.status.ready ==")), &obj.Object); err != nil {
			t.Fatal(err)
		}
		err := host.Create(t.Context(), obj)
		if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), fmt.Sprintf("admission webhook %q denied the request", admission.HealthRulesWebhookName)) {
			t.Errorf("creating the FederatedTypeConfig with the client: %v, want Invalid, refused by webhook %s", err, admission.HealthRulesWebhookName)
		}
	})
	t.Run("kubectl apply of valid health rules is stored", func(t *testing.T) { testValidRulesStored(t, fed) })
	t.Run("a controller manager without a certificate starts with admission off", func(t *testing.T) {
		testAdmissionOff(t, kubeconfig)
	})
}

// servingCertDir writes the chart's serving certificate to a directory for
// a controller manager started on this machine.
func servingCertDir(t *testing.T, host client.Client) string {
	t.Helper()
	certDir := t.TempDir()
	secret := &corev1.Secret{}
	if err := host.Get(t.Context(), client.ObjectKey{Namespace: e2eutil.Namespace, Name: webhookSecret}, secret); err != nil {
		t.Fatalf("the chart's serving certificate: %v", err)
	}
	for _, key := range []string{corev1.TLSCertKey, corev1.TLSPrivateKeyKey} {
		if err := os.WriteFile(filepath.Join(certDir, key), secret.Data[key], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certDir
}

// testValidRulesStored applies a FederatedTypeConfig whose health rules
// compile with kubectl and reads the stored readyWhen back.
func testValidRulesStored(t *testing.T, fed *framework.Federation) {
	readyWhen := "self.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')"
	if out, err := kubectl(t.Context(), fed, widgetFTC(readyWhen), "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s", err, out)
	}
	out, err := kubectl(t.Context(), fed, "", "get", "federatedtypeconfig", "widgets.example.com", "-n", e2eutil.Namespace, "-o", "yaml")
	if err != nil {
		t.Fatalf("kubectl get: %v\n%s", err, out)
	}
	var stored struct {
		Spec struct {
			Health struct {
				ReadyWhen string `json:"readyWhen"`
			} `json:"health"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal([]byte(out), &stored); err != nil {
		t.Fatal(err)
	}
	if stored.Spec.Health.ReadyWhen != readyWhen {
		t.Errorf("stored readyWhen %q, want %q", stored.Spec.Health.ReadyWhen, readyWhen)
	}
}

// testAdmissionOff starts a controller manager without a serving
// certificate: it becomes ready and logs that admission is off.
func testAdmissionOff(t *testing.T, kubeconfig string) {
	plain := e2eutil.StartControllerManager(t, e2eutil.ProcessOptions{Name: "no-webhook", Kubeconfig: kubeconfig, ProbeAddr: e2eutil.FreeAddr(t)})
	e2eutil.Eventually(t, 2*time.Minute, func(ctx context.Context) error {
		if err := ready(ctx, plain); err != nil {
			return err
		}
		if len(plain.Grep("Admission of FederatedTypeConfig health rules is off")) == 0 {
			return fmt.Errorf("its log does not say that admission of health rules is off")
		}
		return nil
	}, "controller manager %s ready, with admission off", plain.Name)
}

// ready checks the process's /readyz.
func ready(ctx context.Context, p *e2eutil.Process) error {
	if !p.Running() {
		return fmt.Errorf("controller manager %s ended (its log is printed at the end of the test)", p.Name)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.ProbeAddr+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/readyz: %s", resp.Status)
	}
	return nil
}

// kubectl runs bin/kubectl as the host's administrator with stdin and
// returns its combined output.
func kubectl(ctx context.Context, fed *framework.Federation, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(e2eutil.BinDir(), "kubectl"),
		append([]string{"--kubeconfig", fed.Kubeconfig(), "--context", fed.Host.Context()}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
