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

package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/kubefed/kubefed/internal/admission"
)

// WebhookOptions say where the admission webhook (internal/admission) is
// served. The chart mounts its serving certificate and points a
// ValidatingWebhookConfiguration at it; see docs/install.md.
type WebhookOptions struct {
	// Port is the HTTPS port of the webhook server; 0 turns admission off.
	Port int
	// CertDir holds the serving certificate, tls.crt and tls.key. They
	// are read again when they change (a renewed Secret), without a
	// restart. Without them admission is off: an installation without
	// the webhook runs as before, and only the check of health rules at
	// admission is missing.
	CertDir string
	// Draining is closed when the process starts to stop (see
	// ShutdownContext); from then on every answer closes its connection,
	// so that the API server's next call opens a new one, which the
	// Service sends to a Pod that is not stopping. Nil: never.
	Draining <-chan struct{}
}

// closeWhenDraining makes h's answers close their connection (HTTP/1.1
// Connection: close, which net/http honours) once draining is closed.
func closeWhenDraining(draining <-chan struct{}, h http.Handler) http.Handler {
	if draining == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-draining:
			w.Header().Set("Connection", "close")
		default:
		}
		h.ServeHTTP(w, r)
	})
}

// Names of the serving certificate's files in WebhookOptions.CertDir: a
// kubernetes.io/tls Secret's keys, controller-runtime's defaults.
const (
	webhookCertName = "tls.crt"
	webhookKeyName  = "tls.key"
)

// addWebhook serves the admission webhook on its own listener, on every
// replica (it needs no leader), and makes /readyz wait for it, so that the
// webhook's Service sends requests only to replicas that serve it. Without
// a port or a certificate it logs that admission is off and adds nothing.
func addWebhook(ctx context.Context, mgr ctrl.Manager, opts WebhookOptions) error {
	log := ctrl.LoggerFrom(ctx)
	if opts.Port == 0 {
		log.Info("Admission of FederatedTypeConfig health rules is off: no webhook port (--webhook-port)")
		return nil
	}
	if missing, err := missingCertFiles(opts.CertDir); err != nil {
		return err
	} else if len(missing) > 0 {
		log.Info("Admission of FederatedTypeConfig health rules is off: no serving certificate (install the chart with controllermanager.webhook.enabled, or pass --webhook-cert-dir)",
			"certDir", opts.CertDir, "missing", missing)
		return nil
	}
	server := webhook.NewServer(webhook.Options{
		Port:    opts.Port,
		CertDir: opts.CertDir,
		// HTTP/1.1 only: HTTP/2's stream reset and rapid reset attacks
		// (CVE-2023-44487, CVE-2023-39325) cannot reach the webhook, and
		// the API server's admission requests gain nothing from HTTP/2.
		TLSOpts: []func(*tls.Config){func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }},
	})
	server.Register(admission.HealthRulesPath, closeWhenDraining(opts.Draining, admission.NewHealthRulesWebhook()))
	if err := mgr.Add(server); err != nil {
		return fmt.Errorf("adding the admission webhook server: %w", err)
	}
	if err := mgr.AddReadyzCheck("webhook", server.StartedChecker()); err != nil {
		return err
	}
	log.Info("Admission of FederatedTypeConfig health rules is on", "port", opts.Port, "certDir", opts.CertDir)
	return nil
}

// missingCertFiles returns the serving certificate's files that dir lacks
// (all of them when dir is empty or absent).
func missingCertFiles(dir string) ([]string, error) {
	names := []string{webhookCertName, webhookKeyName}
	if dir == "" {
		return names, nil
	}
	var missing []string
	for _, name := range names {
		_, err := os.Stat(filepath.Join(dir, name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			missing = append(missing, name)
		case err != nil:
			return nil, fmt.Errorf("reading the webhook's serving certificate: %w", err)
		}
	}
	return missing, nil
}
