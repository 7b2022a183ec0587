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

package deploy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubefed/kubefed/hack/imagebuild"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

const (
	// ns is the chart's release namespace, the control plane's.
	ns = e2eutil.Namespace
	// deployment, serviceAccount, lease and metricsService are the
	// chart's names (KubeFed's).
	deployment     = "kubefed-controller-manager"
	serviceAccount = "kubefed-controller"
	lease          = "kubefed-controller-manager"
	metricsService = "kubefed-controller-manager-metrics-service"
	// repository is the chart's default image, without its tag.
	repository = "ghcr.io/kubefed/kubefed"
	// appNS is the namespace of the federated objects.
	appNS = "deploy-e2e"
)

var (
	fedNamespaceGVR = schema.GroupVersionResource{Group: "types.kubefed.io", Version: "v1beta1", Resource: "federatednamespaces"}
	fedConfigMapGVR = schema.GroupVersionResource{Group: "types.kubefed.io", Version: "v1beta1", Resource: "federatedconfigmaps"}
	fedDeployGVR    = schema.GroupVersionResource{Group: "types.kubefed.io", Version: "v1beta1", Resource: "federateddeployments"}
)

// env is the federation of the test: a host with a real node, two members
// with simulated ones, and clients of each.
type env struct {
	fed     *framework.Federation
	node    *framework.Node
	host    kubernetes.Interface
	hostDyn dynamic.Interface
	members map[string]kubernetes.Interface
}

// TestRealDeployment installs the chart with its default values but the
// image tag, on a host whose Pods run for real, joins two members with
// kubefedctl, and checks in order: the Pods as the chart defines them,
// probes and metrics through the chart's Service, the admission webhook of
// health rules called by the host's API server through the chart's Service,
// propagation of a FederatedNamespace, FederatedConfigMap and
// FederatedDeployment with their status, leader failover when the leader's
// Pod is deleted, and a helm upgrade to another image that loses no write
// (the webhook answers after both). The steps share one
// federation; a failed step ends the test.
func TestRealDeployment(t *testing.T) {
	if testing.Short() {
		t.Skip("starts local clusters and a real node")
	}
	if err := framework.NodePreflight(e2eutil.BinDir()); err != nil {
		t.Fatalf("this test runs the chart's Deployment on a real node, and this machine cannot run one: %v", err)
	}
	e2eutil.RequireBinaries(t, "kubefedctl", "helm")
	ctx := t.Context()

	images := buildImages(t)

	// Registered before the federation's own clean-up, so it runs after
	// it: nothing of the node may be left on the machine.
	var node *framework.Node
	t.Cleanup(func() {
		if node == nil {
			return
		}
		if left := node.Leftovers(context.Background()); len(left) > 0 {
			t.Errorf("the real node left behind after its federation was torn down:\n  %s", strings.Join(left, "\n  "))
		}
	})
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(2), Nodes: 1, RealNode: true})
	node = fed.Node()
	if left := node.Leftovers(ctx); len(left) == 0 {
		t.Fatal("a running real node shows no processes, mounts or interfaces: the leftover check sees nothing")
	}
	e := newEnv(t, fed, node)
	t.Cleanup(func() {
		if t.Failed() {
			e.dump(t)
		}
	})
	for tag, tar := range images {
		if err := node.ImportImage(ctx, tar); err != nil {
			t.Fatalf("loading image %s: %v", tag, err)
		}
	}

	start := time.Now()
	e2eutil.HelmInstall(t, fed, e2eutil.SetValues("controllermanager.controller.tag=e2e-a")...)
	for _, m := range fed.Members {
		e2eutil.Kubefedctl(t, fed, "join", m.Name, "--cluster-context", m.Context())
	}
	e.waitRollout(t, "e2e-a", 3*time.Minute)
	t.Logf("chart installed, members joined, Deployment Available with image e2e-a in %s", time.Since(start).Round(100*time.Millisecond))

	for _, step := range []struct {
		name string
		fn   func(*testing.T, *env)
	}{
		{"pods run as the chart defines them", testPods},
		{"probes and metrics answer", testProbesAndMetrics},
		{"admission webhook answers through its Service", testWebhook},
		{"propagation and status", testPropagation},
		{"leader failover", testFailover},
		{"helm upgrade loses no write", testUpgrade},
	} {
		if !t.Run(step.name, func(t *testing.T) { step.fn(t, e) }) {
			t.FailNow()
		}
	}
	e.checkLogs(t)
}

// buildImages builds two images of this tree, as `make image` builds them
// (for this machine's platform only), told apart by their tag and version,
// and returns their OCI tarballs by tag.
func buildImages(t *testing.T) map[string]string {
	t.Helper()
	images := map[string]string{}
	for _, tag := range []string{"e2e-a", "e2e-b"} {
		out := filepath.Join(t.TempDir(), tag+".oci.tar")
		start := time.Now()
		if _, err := imagebuild.Kubefed(t.Context(), imagebuild.Options{
			RepoRoot: e2eutil.RepoRoot(), Version: tag, Ref: repository + ":" + tag,
			Platforms: []string{"linux/" + runtime.GOARCH},
		}, out); err != nil {
			t.Fatalf("building image %s:%s: %v", repository, tag, err)
		}
		images[tag] = out
		t.Logf("image %s:%s built in %s", repository, tag, time.Since(start).Round(100*time.Millisecond))
	}
	return images
}

// newEnv returns the env of fed with clients of the host and the members.
func newEnv(t *testing.T, fed *framework.Federation, node *framework.Node) *env {
	t.Helper()
	e := &env{fed: fed, node: node, members: map[string]kubernetes.Interface{}}
	var err error
	if e.host, err = kubernetes.NewForConfig(fed.Host.Config); err != nil {
		t.Fatal(err)
	}
	if e.hostDyn, err = dynamic.NewForConfig(fed.Host.Config); err != nil {
		t.Fatal(err)
	}
	for _, m := range fed.Members {
		if e.members[m.Name], err = kubernetes.NewForConfig(m.Config); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// pods returns the controller manager's Pods that are not being deleted.
func (e *env) pods(ctx context.Context) ([]corev1.Pod, error) {
	list, err := e.host.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "kubefed-control-plane=controller-manager"})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(list.Items, func(p corev1.Pod) bool { return p.DeletionTimestamp != nil }), nil
}

// waitRollout waits until the Deployment has rolled out tag: every replica
// updated and Available, and its only Pods run that image and are Ready.
func (e *env) waitRollout(t testing.TB, tag string, timeout time.Duration) {
	t.Helper()
	image := repository + ":" + tag
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		d, err := e.host.AppsV1().Deployments(ns).Get(ctx, deployment, metav1.GetOptions{})
		if err != nil {
			return err
		}
		want := *d.Spec.Replicas
		if d.Spec.Template.Spec.Containers[0].Image != image {
			return fmt.Errorf("deployment %s runs %s, want %s", deployment, d.Spec.Template.Spec.Containers[0].Image, image)
		}
		if d.Status.ObservedGeneration < d.Generation || d.Status.UpdatedReplicas != want ||
			d.Status.AvailableReplicas != want || d.Status.Replicas != want {
			return fmt.Errorf("deployment %s: %d replicas, %d updated, %d available, want %d", deployment,
				d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.AvailableReplicas, want)
		}
		if !e2eutil.DeploymentAvailable(d) {
			return fmt.Errorf("deployment %s is not Available: %v", deployment, d.Status.Conditions)
		}
		pods, err := e.host.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "kubefed-control-plane=controller-manager"})
		if err != nil {
			return err
		}
		if len(pods.Items) != int(want) {
			return fmt.Errorf("%d controller-manager Pods, want %d", len(pods.Items), want)
		}
		for _, p := range pods.Items {
			if p.Spec.Containers[0].Image != image || !e2eutil.PodReady(&p) {
				return fmt.Errorf("pod %s: image %s, phase %s, Ready %v", p.Name, p.Spec.Containers[0].Image, p.Status.Phase, e2eutil.PodReady(&p))
			}
		}
		return nil
	}, "the controller manager's Deployment rolls out %s", image)
}

// checkLogs fails the test when a controller manager's log shows a request
// the chart's RBAC refused.
func (e *env) checkLogs(t *testing.T) {
	logs := e.node.ContainerLogs(ns, deployment, 100000)
	if logs == "" {
		t.Error("no controller-manager container log found on the real node")
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "forbidden") {
			t.Errorf("a controller manager was refused by the chart's RBAC: %s", line)
		}
	}
}

// dump logs what a failed run needs beyond the framework's dump of the
// control planes and the node: the controller managers' logs, the
// Pods and their events, the members' ConfigMaps, the KubeFedClusters.
func (e *env) dump(t *testing.T) {
	ctx := context.Background()
	var b strings.Builder
	fmt.Fprintf(&b, "controller-manager containers:\n%s\n", e.node.ContainerLogs(ns, deployment, 80))
	if pods, err := e.host.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, p := range pods.Items {
			fmt.Fprintf(&b, "pod %s: node %s phase %s conditions %v containers %v\n", p.Name, p.Spec.NodeName, p.Status.Phase, p.Status.Conditions, p.Status.ContainerStatuses)
		}
	}
	if ev, err := e.host.CoreV1().Events(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, x := range ev.Items {
			fmt.Fprintf(&b, "event %s %s: %s %s\n", x.InvolvedObject.Kind, x.InvolvedObject.Name, x.Reason, x.Message)
		}
	}
	for name, m := range e.members {
		if cms, err := m.CoreV1().ConfigMaps(appNS).List(ctx, metav1.ListOptions{}); err == nil {
			var names []string
			for _, c := range cms.Items {
				names = append(names, c.Name+"="+c.Data["mode"])
			}
			fmt.Fprintf(&b, "member %s ConfigMaps in %s: %v\n", name, appNS, names)
		}
	}
	kfcs, err := e.hostDyn.Resource(schema.GroupVersionResource{Group: "core.kubefed.io", Version: "v1beta1", Resource: "kubefedclusters"}).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err == nil {
		for _, k := range kfcs.Items {
			st, _ := json.Marshal(k.Object["status"])
			fmt.Fprintf(&b, "KubeFedCluster %s: %s\n", k.GetName(), st)
		}
	}
	t.Log(b.String())
}
