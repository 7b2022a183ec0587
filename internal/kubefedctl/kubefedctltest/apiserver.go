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

package kubefedctltest

import (
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/testenv"
)

// Host is a test API server (envtest) prepared as a KubeFed host cluster
// without a controller manager: KubeFed's own CRDs and the control-plane
// namespace are there, the federated types are what the commands under
// test create.
type Host struct {
	// Config is an administrator's configuration of the API server.
	Config *rest.Config
	// Client is an administrator's client (Scheme).
	Client client.Client
	// Kubeconfig is a kubeconfig file whose current context, "host", is
	// the administrator ("admin") of the API server.
	Kubeconfig string
}

// StartHost starts a Host that is stopped when the test ends; with -short
// the test is skipped instead.
func StartHost(t *testing.T) *Host {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an API server; skipped with -short")
	}
	env := testenv.StartEnvtest(t, testenv.EnvtestOptions{CRDs: CoreCRDFiles(t)})
	h := &Host{Config: env.Config, Client: NewClient(t, env.Config)}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fedcorev1b1.DefaultKubeFedSystemNamespace}}
	if err := h.Client.Create(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	h.Kubeconfig = writeKubeconfig(t, env.Config)
	return h
}

// writeKubeconfig writes a kubeconfig file for cfg's administrator, with
// the context "host", and returns its path.
func writeKubeconfig(t *testing.T, cfg *rest.Config) string {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["host"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["host"] = &clientcmdapi.Context{Cluster: "host", AuthInfo: "admin"}
	kc.CurrentContext = "host"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}
