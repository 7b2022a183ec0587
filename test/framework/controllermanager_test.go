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

package framework_test

import (
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

// TestControllerManager runs bin/controller-manager against a test API
// server with the KubeFed CRDs: it becomes ready, serves its metrics, and
// ends with exit status 0 on Stop.
func TestControllerManager(t *testing.T) {
	env := testenv.StartEnvtest(t, testenv.EnvtestOptions{CRDs: []string{"config/crd/bases"}})
	cs := kubernetes.NewForConfigOrDie(env.Config)
	const ns = "kube-federation-system"
	if _, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kubeconfig := writeKubeconfig(t, env.Config.Host, env.Config.CAData, env.Config.CertData, env.Config.KeyData)
	probe, metrics := freeAddr(t), freeAddr(t)
	// An inherited KUBECONFIG must not name another cluster.
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "missing"))
	cm := framework.NewControllerManager(t, framework.ControllerManagerOptions{
		Kubeconfig: kubeconfig, Namespace: ns, ProbeAddr: probe, MetricsAddr: metrics,
		LogPath: filepath.Join(t.TempDir(), "controller-manager.log"),
	})
	if err := cm.WaitReady(t.Context(), time.Minute); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "controller_runtime_") {
		t.Errorf("/metrics answered %d without controller-runtime's metrics:\n%.500s", resp.StatusCode, body)
	}
	cm.Stop(30 * time.Second)
	if got := cm.ExitStatus(); got != "exit status 0" {
		t.Errorf("after Stop the controller manager ended with %q, want %q; log:\n%s", got, "exit status 0", cm.LogTail(30))
	}
	if cm.LogTail(1) == "" {
		t.Error("the controller manager's log is empty")
	}
}

// TestControllerManagerExitsEarly checks that WaitReady gives up as soon as
// the process exits, with its log, rather than waiting out its timeout.
func TestControllerManagerExitsEarly(t *testing.T) {
	cm := framework.NewControllerManager(t, framework.ControllerManagerOptions{
		Kubeconfig: filepath.Join(t.TempDir(), "missing.kubeconfig"), Namespace: "kube-federation-system",
		ProbeAddr: freeAddr(t), LogPath: filepath.Join(t.TempDir(), "controller-manager.log"),
	})
	start := time.Now()
	err := cm.WaitReady(t.Context(), 2*time.Minute)
	if err == nil || !strings.Contains(err.Error(), "exited") {
		t.Fatalf("WaitReady with a missing kubeconfig = %v, want an error saying the process exited", err)
	}
	if d := time.Since(start); d > time.Minute {
		t.Errorf("WaitReady took %s to notice the exit", d)
	}
}

// TestStartProcess checks a started program's environment changes, its
// log and Stop's signal.
func TestStartProcess(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBEFED_TEST_REMOVED", "inherited")
	t.Setenv("KUBEFED_TEST_REPLACED", "inherited")
	p, err := framework.StartProcess(framework.ProcessOptions{
		Path:    sh,
		Args:    []string{"-c", `echo "removed=${KUBEFED_TEST_REMOVED-unset} replaced=$KUBEFED_TEST_REPLACED"; trap 'echo terminated; exit 3' TERM; while :; do sleep 0.1; done`},
		Env:     []string{"KUBEFED_TEST_REMOVED", "KUBEFED_TEST_REPLACED=set"},
		LogPath: filepath.Join(t.TempDir(), "sh.log"),
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.LogTail(5), "replaced=") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := p.ExitStatus(); got != "running" {
		t.Errorf("ExitStatus of a running process = %q", got)
	}
	if p.State() != nil {
		t.Errorf("State of a running process = %v, want nil", p.State())
	}
	if !p.Running() {
		t.Error("Running of a running process = false")
	}
	p.Stop(10 * time.Second)
	p.Stop(0) // a second Stop only waits
	if want := "removed=unset replaced=set\nterminated"; p.LogTail(5) != want {
		t.Errorf("log = %q, want %q", p.LogTail(5), want)
	}
	if code := p.State().ExitCode(); code != 3 {
		t.Errorf("exit code after SIGTERM = %d, want 3", code)
	}
	if got := p.ExitStatus(); got != "exit status 3" {
		t.Errorf("ExitStatus after SIGTERM = %q, want %q", got, "exit status 3")
	}
	if p.Running() {
		t.Error("Running after Stop = true")
	}
	if got := p.Grep("REMOVED=unset", "replaced"); !slices.Equal(got, []string{"removed=unset replaced=set"}) {
		t.Errorf("Grep of both words, in another case = %q, want the first line", got)
	}
	if got := p.Grep("removed", "terminated"); len(got) != 0 {
		t.Errorf("Grep of words no line holds together = %q, want none", got)
	}
	want := "--- 0 error lines:\n\n--- last 2 lines:\nremoved=unset replaced=set\nterminated"
	if got := p.LogExcerpt(5); got != want {
		t.Errorf("LogExcerpt = %q, want %q", got, want)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := framework.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// writeKubeconfig writes a kubeconfig for an API server and a client
// certificate.
func writeKubeconfig(t *testing.T, host string, ca, cert, key []byte) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["test"] = &clientcmdapi.Cluster{Server: host, CertificateAuthorityData: ca}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cert, ClientKeyData: key}
	cfg.Contexts["test"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "admin"}
	cfg.CurrentContext = "test"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}
