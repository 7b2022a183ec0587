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

package kubefedctl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadContext(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), []byte("CA FROM FILE"), 0o600); err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(dir, "config")
	// The CA path is relative: clientcmd resolves it against the
	// kubeconfig's directory, and LoadContext must read it.
	data := `apiVersion: v1
kind: Config
current-context: host
clusters:
- name: host
  cluster: {server: "https://host.example:6443", certificate-authority: ca.crt}
- name: insecure
  cluster: {server: "https://insecure.example:6443", insecure-skip-tls-verify: true}
- name: proxied
  cluster: {server: "https://proxied.example:6443", certificate-authority-data: Q0EgSU5MSU5F, proxy-url: "http://proxy.example:3128"}
users:
- name: admin
  user: {token: secret}
contexts:
- name: host
  context: {cluster: host, user: admin}
- name: insecure
  context: {cluster: insecure, user: admin}
- name: proxied
  context: {cluster: proxied, user: admin}
`
	if err := os.WriteFile(kubeconfig, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		context     string
		wantContext string
		wantCA      string
		wantProxy   string
		insecure    bool
		err         string
	}{
		{context: "", wantContext: "host", wantCA: "CA FROM FILE"},
		{context: "insecure", wantContext: "insecure", insecure: true},
		{context: "proxied", wantContext: "proxied", wantCA: "CA INLINE", wantProxy: "http://proxy.example:3128"},
		{context: "missing", err: `context "missing" not found in kubeconfig`},
	}
	for _, tt := range tests {
		t.Run(tt.wantContext+tt.context, func(t *testing.T) {
			access, err := LoadContext(kubeconfig, tt.context)
			if expectError(t, err, tt.err) {
				return
			}
			if access.Context != tt.wantContext {
				t.Errorf("context %q, want %q", access.Context, tt.wantContext)
			}
			if string(access.Config.CAData) != tt.wantCA {
				t.Errorf("CA %q, want %q", access.Config.CAData, tt.wantCA)
			}
			if access.Config.Insecure != tt.insecure {
				t.Errorf("insecure %v, want %v", access.Config.Insecure, tt.insecure)
			}
			proxy, err := proxyURLOf(access.Config)
			if err != nil {
				t.Fatal(err)
			}
			if proxy != tt.wantProxy {
				t.Errorf("proxy %q, want %q", proxy, tt.wantProxy)
			}
		})
	}
}

func TestNames(t *testing.T) {
	sa := ServiceAccountName("member1", "host")
	if sa != "member1-host" || TokenSecretName("member1", "host") != "member1-host" {
		t.Errorf("service account name %q", sa)
	}
	if got := RoleName(sa); got != "kubefed-controller-manager:member1-host" {
		t.Errorf("role name %q", got)
	}
	if got := HealthCheckRoleName(sa, "kube-federation-system"); got != "kubefed-controller-manager:kube-federation-system:healthcheck-member1-host" {
		t.Errorf("health check role name %q", got)
	}
}

func TestGlobalFlags(t *testing.T) {
	cmd := NewCommand()
	cmd.SetArgs([]string{"--kubeconfig", "/nonexistent", "-v", "2", "--dry-run", "join", "member1"})
	var out strings.Builder
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	err := cmd.Execute()
	if err == nil || !strings.Contains(err.Error(), "host cluster") {
		t.Fatalf("error %v, want one about the host cluster's kubeconfig", err)
	}
}
