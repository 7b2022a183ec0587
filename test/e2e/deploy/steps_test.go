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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// The steps of TestRealDeployment, in the order it runs them, each with
// the helpers only it uses.

// testPods checks each Pod as the kernel sees its process: the non-root
// user, a read-only root file system, in-cluster configuration (the
// kubernetes Service's address, the projected token) and the chart's
// ServiceAccount, proven by asking the host who the Pod's token is.
func testPods(t *testing.T, e *env) {
	ctx := t.Context()
	pods, err := e.pods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := e.host.CoreV1().Services("default").Get(ctx, "kubernetes", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods {
		if p.Spec.NodeName != e.node.Name {
			t.Errorf("pod %s runs on %q, want the real node %s", p.Name, p.Spec.NodeName, e.node.Name)
		}
		if p.Spec.ServiceAccountName != serviceAccount {
			t.Errorf("pod %s runs as ServiceAccount %q, want %q", p.Name, p.Spec.ServiceAccountName, serviceAccount)
		}
		if len(p.Status.ContainerStatuses) != 1 {
			t.Fatalf("pod %s has %d container statuses", p.Name, len(p.Status.ContainerStatuses))
		}
		pid, err := e.node.ContainerPID(ctx, p.Status.ContainerStatuses[0].ContainerID)
		if err != nil {
			t.Fatal(err)
		}
		proc := fmt.Sprintf("/proc/%d", pid)
		status, err := os.ReadFile(proc + "/status")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) == 5 && (f[0] == "Uid:" || f[0] == "Gid:") {
				if !slices.Equal(f[1:], []string{"65532", "65532", "65532", "65532"}) {
					t.Errorf("pod %s: process %d has %s %v, want the image's non-root user 65532", p.Name, pid, f[0], f[1:])
				}
			}
		}
		if opts := rootMountOptions(t, proc); !slices.Contains(opts, "ro") {
			t.Errorf("pod %s: the root file system is mounted %v, want read-only", p.Name, opts)
		}
		env := readEnviron(t, proc)
		if env["KUBERNETES_SERVICE_HOST"] != svc.Spec.ClusterIP {
			t.Errorf("pod %s: KUBERNETES_SERVICE_HOST=%q, want the kubernetes Service's %s", p.Name, env["KUBERNETES_SERVICE_HOST"], svc.Spec.ClusterIP)
		}
		if _, ok := env["KUBECONFIG"]; ok || slices.ContainsFunc(p.Spec.Containers[0].Args, func(a string) bool { return strings.HasPrefix(a, "--kubeconfig") }) {
			t.Errorf("pod %s is given a kubeconfig: it must use its in-cluster configuration", p.Name)
		}
		token, err := os.ReadFile(proc + "/root/var/run/secrets/kubernetes.io/serviceaccount/token")
		if err != nil {
			t.Fatalf("pod %s has no ServiceAccount token: %v", p.Name, err)
		}
		cfg := rest.AnonymousClientConfig(e.fed.Host.Config)
		cfg.BearerToken = strings.TrimSpace(string(token))
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		review, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("asking the host who pod %s's token is: %v", p.Name, err)
		}
		if want := "system:serviceaccount:" + ns + ":" + serviceAccount; review.Status.UserInfo.Username != want {
			t.Errorf("pod %s's token is %q, want %q", p.Name, review.Status.UserInfo.Username, want)
		}
	}
}

// rootMountOptions returns the mount options of a process's root.
func rootMountOptions(t testing.TB, proc string) []string {
	data, err := os.ReadFile(proc + "/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 5 && f[4] == "/" {
			return strings.Split(f[5], ",")
		}
	}
	t.Fatalf("%s/mountinfo has no root mount", proc)
	return nil
}

func readEnviron(t testing.TB, proc string) map[string]string {
	data, err := os.ReadFile(proc + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if k, v, ok := strings.Cut(string(kv), "="); ok {
			out[k] = v
		}
	}
	return out
}

// testProbesAndMetrics checks that the kubelet's probes pass (the Pods are
// Ready and never restarted), that the probe endpoints answer at each
// Pod's address, and that the metrics endpoint answers through the chart's
// Service (kube-proxy's ClusterIP) with the leader's view of the members.
func testProbesAndMetrics(t *testing.T, e *env) {
	ctx := t.Context()
	pods, err := e.pods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A new connection per request, so that the Service's ClusterIP picks
	// a Pod each time.
	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for _, p := range pods {
		for _, path := range []string{"/healthz", "/readyz"} {
			url := "http://" + net.JoinHostPort(p.Status.PodIP, "8081") + path
			if code, body, err := get(ctx, client, url); err != nil || code != http.StatusOK {
				t.Errorf("pod %s: GET %s: %d %q %v", p.Name, url, code, body, err)
			}
		}
	}
	svc, err := e.host.CoreV1().Services(ns).Get(ctx, metricsService, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + net.JoinHostPort(svc.Spec.ClusterIP, "8080") + "/metrics"
	// The Service balances over both Pods; the leader's answer has the
	// members' state.
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		code, body, err := get(ctx, client, url)
		if err != nil {
			return err
		}
		if code != http.StatusOK {
			return fmt.Errorf("GET %s: %d", url, code)
		}
		for _, m := range e.fed.Members {
			if want := fmt.Sprintf(`kubefedcluster_total{cluster=%q,state="ready"} 1`, m.Name); !strings.Contains(body, want) {
				return fmt.Errorf("GET %s has no %s", url, want)
			}
		}
		return nil
	}, "the metrics Service answers with both members ready")
}

func get(ctx context.Context, c *http.Client, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// testPropagation creates a FederatedNamespace, FederatedConfigMap and
// FederatedDeployment, and waits until both members have them and their
// status says so.
func testPropagation(t *testing.T, e *env) {
	ctx := t.Context()
	if _, err := e.host.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: appNS}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	placement := map[string]any{"clusters": []any{map[string]any{"name": "member1"}, map[string]any{"name": "member2"}}}
	for _, o := range []struct {
		gvr  schema.GroupVersionResource
		kind string
		name string
		tmpl map[string]any
	}{
		{fedNamespaceGVR, "FederatedNamespace", appNS, map[string]any{}},
		{fedConfigMapGVR, "FederatedConfigMap", "settings", map[string]any{"data": map[string]any{"mode": "one"}}},
		{fedDeployGVR, "FederatedDeployment", "web", map[string]any{"spec": map[string]any{
			"replicas": int64(1),
			"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
				"spec":     map[string]any{"containers": []any{map[string]any{"name": "web", "image": "nginx:1.27"}}},
			},
		}}},
	} {
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "types.kubefed.io/v1beta1", "kind": o.kind,
			"metadata": map[string]any{"name": o.name, "namespace": appNS},
			"spec":     map[string]any{"template": o.tmpl, "placement": placement},
		}}
		if _, err := e.hostDyn.Resource(o.gvr).Namespace(appNS).Create(ctx, u, metav1.CreateOptions{}); err != nil {
			t.Fatalf("creating %s %s: %v", o.kind, o.name, err)
		}
	}
	e.waitConfigMap(t, "settings", "one", time.Minute)
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		for name, m := range e.members {
			if _, err := m.AppsV1().Deployments(appNS).Get(ctx, "web", metav1.GetOptions{}); err != nil {
				return fmt.Errorf("deployment web in %s: %w", name, err)
			}
		}
		for _, gvr := range []schema.GroupVersionResource{fedNamespaceGVR, fedConfigMapGVR, fedDeployGVR} {
			list, err := e.hostDyn.Resource(gvr).Namespace(appNS).List(ctx, metav1.ListOptions{})
			if err != nil {
				return err
			}
			for _, u := range list.Items {
				if err := propagated(&u); err != nil {
					return fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
				}
			}
		}
		return nil
	}, "every federated object is propagated to both members and says so in its status")
}

// propagated checks a federated object's status: Propagation True and
// both members listed.
func propagated(u *unstructured.Unstructured) error {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	ok := false
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Propagation" && m["status"] == "True" {
			ok = true
		}
	}
	if !ok {
		return fmt.Errorf("no Propagation=True condition: %v", conds)
	}
	clusters, _, _ := unstructured.NestedSlice(u.Object, "status", "clusters")
	var names []string
	for _, c := range clusters {
		m, _ := c.(map[string]any)
		names = append(names, fmt.Sprint(m["name"]))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"member1", "member2"}) {
		return fmt.Errorf("status lists clusters %v, want member1 and member2", names)
	}
	return nil
}

// waitConfigMap waits until both members have ConfigMap name with data
// mode=want.
func (e *env) waitConfigMap(t testing.TB, name, want string, timeout time.Duration) {
	t.Helper()
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		for member, m := range e.members {
			cm, err := m.CoreV1().ConfigMaps(appNS).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return fmt.Errorf("configmap %s/%s in %s: %w", appNS, name, member, err)
			}
			if cm.Data["mode"] != want {
				return fmt.Errorf("configmap %s/%s in %s has mode=%q, want %q", appNS, name, member, cm.Data["mode"], want)
			}
		}
		return nil
	}, "ConfigMap %s with mode=%s in both members", name, want)
}

// holder returns the Lease's holder Pod and lease duration.
func (e *env) holder(ctx context.Context) (string, time.Duration, error) {
	l, err := e.host.CoordinationV1().Leases(ns).Get(ctx, lease, metav1.GetOptions{})
	if err != nil {
		return "", 0, err
	}
	if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity == "" {
		return "", 0, fmt.Errorf("lease %s has no holder", lease)
	}
	pod, _, _ := strings.Cut(*l.Spec.HolderIdentity, "_")
	var d time.Duration
	if l.Spec.LeaseDurationSeconds != nil {
		d = time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second
	}
	return pod, d, nil
}

// testFailover deletes the leader's Pod and checks that another Pod holds
// the Lease within the lease duration, and that propagation goes on. The
// deleted leader releases the Lease as it stops; the standby, polling every
// retry period, and the Pod that replaces the deleted one, trying at its
// start, race for it: either may win.
func testFailover(t *testing.T, e *env) {
	ctx := t.Context()
	leader, duration, err := e.holder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pods, err := e.pods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pods) != 2 || !slices.ContainsFunc(pods, func(p corev1.Pod) bool { return p.Name == leader }) {
		t.Fatalf("want the leader %s and one standby Pod, have %d Pods", leader, len(pods))
	}
	probe := e.probeWebhook(ctx)
	start := time.Now()
	if err := e.host.CoreV1().Pods(ns).Delete(ctx, leader, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	var (
		took    time.Duration
		newLead string
	)
	e2eutil.EventuallyEvery(t, 100*time.Millisecond, 2*duration, func(ctx context.Context) error {
		h, _, err := e.holder(ctx)
		if err != nil {
			return err
		}
		if h == leader {
			return fmt.Errorf("the deleted Pod %s still holds lease %s", leader, lease)
		}
		p, err := e.host.CoreV1().Pods(ns).Get(ctx, h, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("lease %s is held by %s, which is no Pod: %w", lease, h, err)
		}
		if p.DeletionTimestamp != nil {
			return fmt.Errorf("lease %s is held by %s, which is being deleted", lease, h)
		}
		took, newLead = time.Since(start), h
		return nil
	}, "another Pod takes the lease over")
	t.Logf("leader Pod %s deleted: %s leads after %s (lease duration %s)", leader, newLead, took.Round(10*time.Millisecond), duration)
	if took > duration {
		t.Errorf("%s led %s after the leader's Pod was deleted, more than the lease duration %s", newLead, took.Round(10*time.Millisecond), duration)
	}
	e.patchConfigMap(t, "settings", "two")
	e.waitConfigMap(t, "settings", "two", time.Minute)
	e.waitRollout(t, "e2e-a", 2*time.Minute)
	probe.check(t, "while the leader's Pod was deleted and replaced")
}

func (e *env) patchConfigMap(t testing.TB, name, mode string) {
	t.Helper()
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"data": map[string]any{"mode": mode}}}})
	if _, err := e.hostDyn.Resource(fedConfigMapGVR).Namespace(appNS).Patch(t.Context(), name, "application/merge-patch+json", patch, metav1.PatchOptions{}); err != nil {
		t.Fatalf("patching FederatedConfigMap %s: %v", name, err)
	}
}

// testUpgrade upgrades the release to the e2e-b image while FederatedConfigMaps
// are created, one every 200 ms from before the upgrade until after its
// rollout, and checks that every one of them reaches both members.
func testUpgrade(t *testing.T, e *env) {
	ctx := t.Context()
	stop := make(chan struct{})
	var (
		wg      sync.WaitGroup
		created []string
		werr    error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			name := fmt.Sprintf("during-upgrade-%03d", i)
			u := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedConfigMap",
				"metadata": map[string]any{"name": name, "namespace": appNS},
				"spec": map[string]any{
					"template":  map[string]any{"data": map[string]any{"mode": name}},
					"placement": map[string]any{"clusterSelector": map[string]any{}},
				},
			}}
			if _, err := e.hostDyn.Resource(fedConfigMapGVR).Namespace(appNS).Create(ctx, u, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
				werr = fmt.Errorf("creating FederatedConfigMap %s: %w", name, err)
				return
			}
			created = append(created, name)
		}
	}()
	time.Sleep(2 * time.Second)
	probe := e.probeWebhook(ctx)
	start := time.Now()
	e2eutil.Helm(t, "upgrade", "kubefed", filepath.Join(e2eutil.RepoRoot(), "charts", "kubefed"),
		"--namespace", ns, "--reuse-values", "--set", "controllermanager.controller.tag=e2e-b",
		"--kubeconfig", e.fed.Kubeconfig(), "--kube-context", e.fed.Host.Context())
	e.waitRollout(t, "e2e-b", 3*time.Minute)
	t.Logf("helm upgrade rolled the Deployment to e2e-b in %s", time.Since(start).Round(100*time.Millisecond))
	probe.check(t, "during the helm upgrade")
	// The last old Pod released the Lease as it stopped; a new one takes it
	// at its next try.
	e.waitLeaderOfImage(t, "e2e-b")
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	if werr != nil {
		t.Fatal(werr)
	}
	t.Logf("%d FederatedConfigMaps created before, during and after the upgrade", len(created))
	e2eutil.Eventually(t, 2*time.Minute, func(ctx context.Context) error {
		var missing []string
		for member, m := range e.members {
			for _, name := range created {
				cm, err := m.CoreV1().ConfigMaps(appNS).Get(ctx, name, metav1.GetOptions{})
				if err != nil || cm.Data["mode"] != name {
					missing = append(missing, member+"/"+name)
				}
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%d of %d ConfigMaps missing or wrong: %v", len(missing), 2*len(created), missing[:min(len(missing), 10)])
		}
		return nil
	}, "every FederatedConfigMap written around the upgrade reaches both members")
}

// waitLeaderOfImage waits until a Pod of image tag holds the leader Lease.
func (e *env) waitLeaderOfImage(t *testing.T, tag string) {
	t.Helper()
	e2eutil.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		leader, _, err := e.holder(ctx)
		if err != nil {
			return err
		}
		pod, err := e.host.CoreV1().Pods(ns).Get(ctx, leader, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("lease %s is held by %s: %w", lease, leader, err)
		}
		if img := pod.Spec.Containers[0].Image; img != repository+":"+tag {
			return fmt.Errorf("lease %s is held by %s, of image %s", lease, leader, img)
		}
		return nil
	}, "a Pod of image %s leads", tag)
}
