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
	"context"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"

	"github.com/kubefed/kubefed/test/framework"
)

// TestLocalFederation brings up a host and three members, runs a real
// Deployment in every member, stops one member and starts it again, and
// checks that nothing the run started survives its teardown.
func TestLocalFederation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts local clusters")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()

	fed, err := framework.Up(ctx, framework.Options{Members: framework.MemberNames(3), Nodes: 1, Log: os.Stderr})
	if err != nil {
		t.Fatalf("Up: %v", err)
	}
	down := func() {
		if fed == nil {
			return
		}
		if t.Failed() {
			for _, c := range fed.Clusters() {
				c.DumpLogs(os.Stderr, 40)
			}
		}
		if err := fed.Down(context.Background()); err != nil {
			t.Errorf("Down: %v", err)
		}
		fed = nil
	}
	defer down()
	dir := fed.Dir

	checkKubeconfigContexts(t, fed)
	deployEverywhere(ctx, t, fed)
	checkStopAndStart(ctx, t, fed, fed.Members[2])

	down()
	if pids := framework.ProcessesUnder(dir); len(pids) > 0 {
		t.Errorf("processes of the torn-down federation still run: %v", pids)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the federation's directory %s was not removed (stat: %v)", dir, err)
	}
}

// checkKubeconfigContexts checks that the federation writes one
// kubeconfig, one context per cluster, named after it.
func checkKubeconfigContexts(t *testing.T, fed *framework.Federation) {
	t.Helper()
	kcfg, err := clientcmd.LoadFromFile(fed.Kubeconfig())
	if err != nil {
		t.Fatalf("loading kubeconfig: %v", err)
	}
	for _, name := range []string{"host", "member1", "member2", "member3"} {
		if _, ok := kcfg.Contexts[name]; !ok {
			t.Errorf("kubeconfig %s has no context %q", fed.Kubeconfig(), name)
		}
	}
}

// deployEverywhere checks that a 3-replica Deployment becomes ready in every
// member: real ReplicaSets and Pods, Running on simulated nodes.
func deployEverywhere(ctx context.Context, t *testing.T, fed *framework.Federation) {
	t.Helper()
	for _, m := range fed.Members {
		cs, err := m.Clientset()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cs.AppsV1().Deployments("default").Create(ctx, deployment("web", 3), metav1.CreateOptions{}); err != nil {
			t.Fatalf("creating a Deployment in %s: %v", m.Name, err)
		}
	}
	for _, m := range fed.Members {
		waitReadyReplicas(ctx, t, m, "web", 3)
	}
}

// checkStopAndStart stops a member: its API server refuses connections, the
// others serve. Started again, etcd kept the Deployment.
func checkStopAndStart(ctx context.Context, t *testing.T, fed *framework.Federation, stopped *framework.Cluster) {
	t.Helper()
	if err := stopped.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", stopped.Ports.APIServer), time.Second); err == nil {
		conn.Close()
		t.Errorf("the API server of stopped cluster %s still accepts connections", stopped.Name)
	}
	if stopped.Ready(ctx) {
		t.Errorf("stopped cluster %s still answers /readyz", stopped.Name)
	}
	for _, m := range fed.Clusters()[:3] {
		if !m.Ready(ctx) {
			t.Errorf("cluster %s stopped serving while %s was stopped", m.Name, stopped.Name)
		}
	}

	// Starting it again: etcd kept the Deployment.
	if err := stopped.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cs, err := stopped.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.AppsV1().Deployments("default").Get(ctx, "web", metav1.GetOptions{}); err != nil {
		t.Errorf("reading the Deployment back from restarted cluster %s: %v", stopped.Name, err)
	}
}

func deployment(name string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}},
			},
		},
	}
}

func waitReadyReplicas(ctx context.Context, t *testing.T, c *framework.Cluster, name string, want int32) {
	t.Helper()
	cs, err := c.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	var got int32
	for time.Now().Before(deadline) {
		d, err := cs.AppsV1().Deployments("default").Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			got = d.Status.ReadyReplicas
			if got == want {
				return
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("Deployment %s in cluster %s: readyReplicas %d, want %d", name, c.Name, got, want)
}
