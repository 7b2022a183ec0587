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

package chart_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed/kubefed/internal/admission"
)

// Names of the webhook's objects in the chart (templates/_webhook.tpl).
const (
	webhookConfigName = "kubefed-health-rules." + releaseNamespace
	webhookService    = "kubefed-controller-manager-webhook"
	webhookSecret     = "kubefed-controller-manager-webhook-cert"
	// webhookServiceHost is the name the API server checks the serving
	// certificate against when it calls a webhook through a Service:
	// <service>.<namespace>.svc.
	webhookServiceHost = webhookService + "." + releaseNamespace + ".svc"
)

// typed converts a rendered object into its Go type.
func typed[T any](t *testing.T, obj *unstructured.Unstructured) *T {
	t.Helper()
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, out); err != nil {
		t.Fatalf("%s %s: %v", obj.GetKind(), obj.GetName(), err)
	}
	return out
}

// healthRulesWebhook returns the one webhook of the rendered
// ValidatingWebhookConfiguration.
func healthRulesWebhook(t *testing.T, objs rendered) admissionregistrationv1.ValidatingWebhook {
	t.Helper()
	cfg := typed[admissionregistrationv1.ValidatingWebhookConfiguration](t, objs.one(t, "ValidatingWebhookConfiguration", webhookConfigName))
	if len(cfg.Webhooks) != 1 {
		t.Fatalf("ValidatingWebhookConfiguration %s has %d webhooks, want 1", cfg.Name, len(cfg.Webhooks))
	}
	return cfg.Webhooks[0]
}

// checkServingCert checks that the Secret's certificate and key are a pair,
// and that the certificate is valid for host (a DNS name or an IP) when
// checked against caBundle, as the API server checks it.
func checkServingCert(t *testing.T, secret *corev1.Secret, caBundle []byte, host string) {
	t.Helper()
	if secret.Type != corev1.SecretTypeTLS {
		t.Errorf("Secret %s is of type %q, want %q", secret.Name, secret.Type, corev1.SecretTypeTLS)
	}
	if _, err := tls.X509KeyPair(secret.Data[corev1.TLSCertKey], secret.Data[corev1.TLSPrivateKeyKey]); err != nil {
		t.Fatalf("Secret %s: %s and %s are not a key pair: %v", secret.Name, corev1.TLSCertKey, corev1.TLSPrivateKeyKey, err)
	}
	block, _ := pem.Decode(secret.Data[corev1.TLSCertKey])
	if block == nil {
		t.Fatalf("Secret %s: %s is not PEM", secret.Name, corev1.TLSCertKey)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caBundle) {
		t.Fatal("the webhook's caBundle holds no PEM certificate")
	}
	if _, err := cert.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("the serving certificate is not valid for %s under the caBundle: %v", host, err)
	}
	if remaining := time.Until(cert.NotAfter); remaining < 5*365*24*time.Hour {
		t.Errorf("the serving certificate expires in %s, want years", remaining.Round(time.Hour))
	}
}

// webhookArgs returns the controller manager's --webhook-* flags.
func webhookArgs(deploy *appsv1.Deployment) map[string]string {
	args := map[string]string{}
	for _, a := range deploy.Spec.Template.Spec.Containers[0].Args {
		if name, value, ok := strings.Cut(a, "="); ok && strings.HasPrefix(name, "--webhook-") {
			args[name] = value
		}
	}
	return args
}

// TestTemplateWebhook checks the admission webhook of health rules as
// rendered with the default values: the API server is sent what
// internal/admission declares, through the webhook's Service, to the port
// the controller manager serves it on, with a certificate it trusts.
func TestTemplateWebhook(t *testing.T) {
	t.Parallel()
	objs := render(t)
	hook := healthRulesWebhook(t, objs)

	if hook.Name != admission.HealthRulesWebhookName {
		t.Errorf("webhook name %q, want %q", hook.Name, admission.HealthRulesWebhookName)
	}
	if !apiequality.Semantic.DeepEqual(hook.Rules, admission.HealthRulesRules()) {
		t.Errorf("rules %+v, want internal/admission's %+v", hook.Rules, admission.HealthRulesRules())
	}
	if !apiequality.Semantic.DeepEqual(hook.MatchConditions, admission.HealthRulesMatchConditions()) {
		t.Errorf("matchConditions %+v, want internal/admission's %+v", hook.MatchConditions, admission.HealthRulesMatchConditions())
	}
	if hook.FailurePolicy == nil || *hook.FailurePolicy != admissionregistrationv1.Fail {
		t.Errorf("failurePolicy %v, want Fail", hook.FailurePolicy)
	}
	if hook.SideEffects == nil || *hook.SideEffects != admissionregistrationv1.SideEffectClassNone {
		t.Errorf("sideEffects %v, want None (dry-run requests are checked too)", hook.SideEffects)
	}
	if want := map[string]string{"kubernetes.io/metadata.name": releaseNamespace}; hook.NamespaceSelector == nil || !maps.Equal(hook.NamespaceSelector.MatchLabels, want) {
		t.Errorf("namespaceSelector %v, want the release namespace only", hook.NamespaceSelector)
	}

	svcRef := hook.ClientConfig.Service
	if svcRef == nil || hook.ClientConfig.URL != nil {
		t.Fatalf("clientConfig %+v, want the webhook's Service", hook.ClientConfig)
	}
	if svcRef.Name != webhookService || svcRef.Namespace != releaseNamespace || svcRef.Path == nil || *svcRef.Path != admission.HealthRulesPath {
		t.Errorf("clientConfig.service %s/%s path %v, want %s/%s path %s", svcRef.Namespace, svcRef.Name, svcRef.Path, releaseNamespace, webhookService, admission.HealthRulesPath)
	}

	// The Service's port leads to the container port the controller
	// manager serves on.
	svc := typed[corev1.Service](t, objs.one(t, "Service", webhookService))
	deploy := typed[appsv1.Deployment](t, objs.one(t, "Deployment", "kubefed-controller-manager"))
	var svcPort *corev1.ServicePort
	for i := range svc.Spec.Ports {
		if svcRef.Port != nil && svc.Spec.Ports[i].Port == *svcRef.Port {
			svcPort = &svc.Spec.Ports[i]
		}
	}
	if svcPort == nil {
		t.Fatalf("Service %s has no port %v (clientConfig.service.port)", svc.Name, svcRef.Port)
	}
	for k, v := range svc.Spec.Selector {
		if deploy.Spec.Template.Labels[k] != v {
			t.Errorf("Service %s selects %s=%s, which the controller manager's pods do not carry", svc.Name, k, v)
		}
	}
	container := deploy.Spec.Template.Spec.Containers[0]
	i := slices.IndexFunc(container.Ports, func(p corev1.ContainerPort) bool {
		return svcPort.TargetPort == intstr.FromString(p.Name) || svcPort.TargetPort == intstr.FromInt32(p.ContainerPort)
	})
	if i < 0 {
		t.Fatalf("the Service's targetPort %s is no container port of the controller manager", svcPort.TargetPort.String())
	}
	args := webhookArgs(deploy)
	if want := fmt.Sprint(container.Ports[i].ContainerPort); args["--webhook-port"] != want {
		t.Errorf("--webhook-port=%s, want %s (the container port the Service targets)", args["--webhook-port"], want)
	}

	// The certificate the pods read is the Secret's, valid for the
	// Service's name under the caBundle.
	secret := typed[corev1.Secret](t, objs.one(t, "Secret", webhookSecret))
	checkServingCert(t, secret, hook.ClientConfig.CABundle, webhookServiceHost)
	mount := slices.IndexFunc(container.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == args["--webhook-cert-dir"] })
	if mount < 0 {
		t.Fatalf("nothing is mounted at --webhook-cert-dir=%s", args["--webhook-cert-dir"])
	}
	vol := slices.IndexFunc(deploy.Spec.Template.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == container.VolumeMounts[mount].Name })
	if vol < 0 || deploy.Spec.Template.Spec.Volumes[vol].Secret == nil || deploy.Spec.Template.Spec.Volumes[vol].Secret.SecretName != webhookSecret {
		t.Errorf("the volume at --webhook-cert-dir is not Secret %s", webhookSecret)
	}
}

// TestTemplateWebhookURL: with controllermanager.webhook.url, the API server
// calls that URL and the certificate is valid for its host; without
// pods of the chart, nothing else of the webhook is rendered.
func TestTemplateWebhookURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url, host, wantURL string
	}{
		{"https://127.0.0.1:9555", "127.0.0.1", "https://127.0.0.1:9555" + admission.HealthRulesPath},
		{"https://kubefed.example.com/", "kubefed.example.com", "https://kubefed.example.com" + admission.HealthRulesPath},
		{"https://[::1]:9555", "::1", "https://[::1]:9555" + admission.HealthRulesPath},
	} {
		t.Run(tc.host, func(t *testing.T) {
			t.Parallel()
			objs := render(t, "controllermanager.enabled=false", "controllermanager.webhook.url="+tc.url)
			hook := healthRulesWebhook(t, objs)
			if hook.ClientConfig.URL == nil || *hook.ClientConfig.URL != tc.wantURL || hook.ClientConfig.Service != nil {
				t.Errorf("clientConfig %+v, want url %s", hook.ClientConfig, tc.wantURL)
			}
			host := tc.host
			if ip := net.ParseIP(host); ip != nil {
				host = ip.String()
			}
			checkServingCert(t, typed[corev1.Secret](t, objs.one(t, "Secret", webhookSecret)), hook.ClientConfig.CABundle, host)
			if n := len(objs.ofKind("Deployment")) + len(slices.DeleteFunc(objs.ofKind("Service"), func(o *unstructured.Unstructured) bool { return o.GetName() != webhookService })); n != 0 {
				t.Errorf("rendered %d Deployments or webhook Services, want none without the chart's pods", n)
			}
		})
	}
}

// TestTemplateWebhookOff: the webhook is not installed when disabled, nor
// when nothing would serve it (no pods and no url): with failurePolicy
// Fail, a webhook without a server would refuse every health rule.
func TestTemplateWebhookOff(t *testing.T) {
	t.Parallel()
	for _, sets := range [][]string{
		{"controllermanager.webhook.enabled=false"},
		{"controllermanager.controller.replicaCount=0"},
		{"controllermanager.enabled=false"},
	} {
		t.Run(strings.Join(sets, ","), func(t *testing.T) {
			t.Parallel()
			objs := render(t, sets...)
			for _, kind := range []string{"ValidatingWebhookConfiguration", "Secret"} {
				if n := len(objs.ofKind(kind)); n != 0 {
					t.Errorf("rendered %d %s, want none", n, kind)
				}
			}
			for _, d := range objs.ofKind("Deployment") {
				if args := webhookArgs(typed[appsv1.Deployment](t, d)); len(args) != 0 {
					t.Errorf("the controller manager is started with %v, want no webhook flags", args)
				}
			}
		})
	}
}

// TestSchemaRefusesWebhookURL: the url must be https://HOST[:PORT], the
// chart adds the path.
func TestSchemaRefusesWebhookURL(t *testing.T) {
	t.Parallel()
	for _, url := range []string{"http://127.0.0.1:9443", "https://127.0.0.1:9443/validate", "127.0.0.1:9443"} {
		res := runHelm(t, append([]string{"template", releaseName, chartDir(), "--namespace", releaseNamespace}, setArgs("controllermanager.webhook.url="+url)...)...)
		if res.err == nil || !strings.Contains(res.stderr, "controllermanager/webhook/url") {
			t.Errorf("controllermanager.webhook.url=%s: err %v, want refused naming the value:\n%s", url, res.err, res.stderr)
		}
	}
}

// TestInstallWebhook installs the chart on a real API server: the serving
// certificate survives an upgrade (the caBundle and the pods' certificate
// never disagree), a new host gets a new certificate, and with nothing
// serving the webhook only FederatedTypeConfigs with health rules are
// refused (failurePolicy Fail), the others go through.
func TestInstallWebhook(t *testing.T) {
	if testing.Short() {
		t.Skip("installs on an API server (envtest); skipped in -short mode")
	}
	t.Parallel()
	c := startCluster(t)
	helmArgs := []string{"--namespace", releaseNamespace, "--kubeconfig", c.kubeconfig, "--wait=false"}
	mustHelm(t, append([]string{"install", releaseName, chartDir(), "--create-namespace"}, helmArgs...)...)
	installed := c.webhookCert(t)
	checkServingCert(t, installed.secret, installed.caBundle, webhookServiceHost)

	mustHelm(t, append([]string{"upgrade", releaseName, chartDir(), "--set", "controllermanager.clusterAvailableDelay=45s"}, helmArgs...)...)
	upgraded := c.webhookCert(t)
	if !maps.EqualFunc(upgraded.secret.Data, installed.secret.Data, slices.Equal) || !slices.Equal(upgraded.caBundle, installed.caBundle) {
		t.Error("helm upgrade replaced the webhook's serving certificate, want it kept")
	}

	t.Run("FederatedTypeConfigs without health rules do not depend on the webhook", func(t *testing.T) {
		// Nothing runs the pods: the API server cannot reach the webhook.
		plain := webhookTestFTC("widgets", nil)
		if err := c.client.Create(t.Context(), plain); err != nil {
			t.Errorf("creating a FederatedTypeConfig without health rules while the webhook is unreachable: %v", err)
		}
		withRules := webhookTestFTC("gadgets", map[string]any{"readyWhen": "self.status.ready == true"})
		err := c.client.Create(t.Context(), withRules)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("failed calling webhook %q", admission.HealthRulesWebhookName)) {
			t.Errorf("creating a FederatedTypeConfig with health rules while the webhook is unreachable: %v, want refused (failurePolicy Fail)", err)
		}
		if err := c.client.Get(t.Context(), client.ObjectKeyFromObject(withRules), withRules.DeepCopy()); !apierrors.IsNotFound(err) {
			t.Errorf("the refused FederatedTypeConfig: %v, want NotFound", err)
		}
	})

	mustHelm(t, append([]string{"upgrade", releaseName, chartDir(), "--reuse-values", "--set", "controllermanager.webhook.url=https://127.0.0.1:9555"}, helmArgs...)...)
	moved := c.webhookCert(t)
	checkServingCert(t, moved.secret, moved.caBundle, "127.0.0.1")
	mustHelm(t, "uninstall", releaseName, "--namespace", releaseNamespace, "--kubeconfig", c.kubeconfig)
	c.waitGone(t.Context(), t, &admissionregistrationv1.ValidatingWebhookConfiguration{}, "", webhookConfigName)
	c.waitGone(t.Context(), t, &corev1.Secret{}, releaseNamespace, webhookSecret)
}

// installedWebhookCert is the serving certificate in the cluster and the
// caBundle the API server trusts it with.
type installedWebhookCert struct {
	secret   *corev1.Secret
	caBundle []byte
}

func (c *cluster) webhookCert(t *testing.T) installedWebhookCert {
	t.Helper()
	secret := &corev1.Secret{}
	c.mustGet(t, secret, releaseNamespace, webhookSecret)
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	c.mustGet(t, cfg, "", webhookConfigName)
	if len(cfg.Webhooks) != 1 {
		t.Fatalf("ValidatingWebhookConfiguration %s has %d webhooks, want 1", cfg.Name, len(cfg.Webhooks))
	}
	return installedWebhookCert{secret: secret, caBundle: cfg.Webhooks[0].ClientConfig.CABundle}
}

// webhookTestFTC returns a FederatedTypeConfig (as the chart tests' client
// has no kubefed types) for a kind of example.com, with the given health
// rules.
func webhookTestFTC(plural string, health map[string]any) *unstructured.Unstructured {
	kind := strings.ToUpper(plural[:1]) + strings.TrimSuffix(plural[1:], "s")
	spec := map[string]any{
		"targetType":    map[string]any{"group": "example.com", "version": "v1", "kind": kind, "pluralName": plural, "scope": "Namespaced"},
		"federatedType": map[string]any{"group": "types.example.com", "version": "v1", "kind": "Federated" + kind, "pluralName": "federated" + plural, "scope": "Namespaced"},
		"propagation":   "Enabled",
	}
	if health != nil {
		spec["health"] = health
	}
	u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	u.SetAPIVersion("core.kubefed.io/v1beta1")
	u.SetKind("FederatedTypeConfig")
	u.SetNamespace(releaseNamespace)
	u.SetName(plural + ".example.com")
	return u
}
