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
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

// nodeChildEnv makes the test binary, run again as a child, bring up a
// federation with a real node and a running Pod, print its directory and
// wait to be killed: the crash that Prune must clean up after.
const nodeChildEnv = "KUBEFED_TEST_REAL_NODE_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(nodeChildEnv) != "" {
		os.Exit(realNodeChild())
	}
	os.Exit(m.Run())
}

// realNodeChild brings up a host with a real node and one member, runs a
// Pod there and checks the node's network from this machine, then prints
// "ready <run dir>" and waits.
func realNodeChild() int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	fed, err := framework.Up(ctx, framework.Options{Members: framework.MemberNames(1), Nodes: 1, RealNode: true, Log: os.Stderr})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("dir", fed.Dir)
	if err := checkRealNode(ctx, fed); err != nil {
		fed.Node().DumpLogs(os.Stderr, 60)
		fmt.Println("error", strings.ReplaceAll(err.Error(), "\n", " "))
		return 1
	}
	fmt.Println("ready")
	<-ctx.Done()
	return 0
}

// checkRealNode runs a Pod on the real node and checks that it got an
// address of the node's Pod range, that the host's "kubernetes" Service
// answers at its ClusterIP through kube-proxy, and that only the member
// has simulated nodes.
func checkRealNode(ctx context.Context, fed *framework.Federation) error {
	cs, err := fed.Host.Clientset()
	if err != nil {
		return err
	}
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	if len(nodes.Items) != 1 || nodes.Items[0].Name != fed.Node().Name {
		return fmt.Errorf("host nodes: want only the real node %s, got %d", fed.Node().Name, len(nodes.Items))
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "sandbox", Namespace: "default"},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name: "pause", Image: "localhost/kubefed/pause:local", ImagePullPolicy: corev1.PullNever,
				SecurityContext: &corev1.SecurityContext{RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](65532)},
			}},
			AutomountServiceAccountToken: ptr.To(true),
		},
	}
	if _, err := cs.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		return err
	}
	var ip string
	err = testenv.Poll(ctx, 2*time.Minute, func(ctx context.Context) error {
		p, err := cs.CoreV1().Pods("default").Get(ctx, "sandbox", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.Status.Phase != corev1.PodRunning {
			return fmt.Errorf("pod sandbox is %s: %+v", p.Status.Phase, p.Status.ContainerStatuses)
		}
		ip = p.Status.PodIP
		return nil
	})
	if err != nil {
		return err
	}
	_, podNet, _ := net.ParseCIDR(fed.Node().PodCIDR())
	if !podNet.Contains(net.ParseIP(ip)) {
		return fmt.Errorf("pod sandbox has address %s, outside the node's Pod range %s", ip, podNet)
	}
	svc, err := cs.CoreV1().Services("default").Get(ctx, "kubernetes", metav1.GetOptions{})
	if err != nil {
		return err
	}
	cfg := rest.CopyConfig(fed.Host.Config)
	cfg.Host = "https://" + net.JoinHostPort(svc.Spec.ClusterIP, "443")
	tr, err := rest.TransportFor(cfg)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: tr, Timeout: 3 * time.Second}
	return testenv.Poll(ctx, time.Minute, func(ctx context.Context) error {
		resp, err := client.Get(cfg.Host + "/readyz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s/readyz answered %d", cfg.Host, resp.StatusCode)
		}
		return nil
	})
}

// TestRealNodePrunedAfterCrash brings up a real node and a Pod in a child
// process, kills the child, and checks that Prune removes everything the
// node created: processes, mounts, network namespaces, the bridge,
// iptables chains and rules, cgroups, kernel settings.
func TestRealNodePrunedAfterCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts local clusters")
	}
	binDir := framework.DefaultBinDir()
	if err := framework.NodePreflight(binDir); err != nil {
		t.Fatalf("this machine cannot run a real node: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), nodeChildEnv+"=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var dir string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if d, ok := strings.CutPrefix(line, "dir "); ok {
			dir = d
		}
		if strings.HasPrefix(line, "error") {
			t.Errorf("child: %s", line)
			break
		}
		if line == "ready" {
			break
		}
	}
	if dir == "" {
		t.Fatal("the child brought up no federation")
	}
	node, err := framework.NodeOf(dir)
	if err != nil {
		t.Fatal(err)
	}
	if left := node.Leftovers(ctx); len(left) == 0 {
		t.Fatal("a running real node shows no processes, mounts or interfaces: the leftover check sees nothing")
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()

	pruned, err := framework.Prune(ctx, binDir)
	if err != nil {
		t.Errorf("Prune: %v", err)
	}
	if !slices.Contains(pruned, filepath.Base(dir)) {
		t.Errorf("Prune removed %v, not the crashed run in %s", pruned, dir)
	}
	if left := node.Leftovers(ctx); len(left) > 0 {
		t.Errorf("the crashed run's real node left behind after Prune:\n  %s", strings.Join(left, "\n  "))
	}
}
