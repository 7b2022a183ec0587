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

package health_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/controllers/kubefedcluster"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/clustercache/clustercachetest"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

const (
	ns             = fedcorev1b1.DefaultKubeFedSystemNamespace
	memberNS       = "kubefed-test"
	memberSA       = "kubefed-member"
	memberTokenOne = "token-a"
)

var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = fedcorev1b1.AddToScheme(s)
	return s
}()

// env is a local federation with the KubeFedCluster controller running
// in-process against its host.
type env struct {
	fed   *framework.Federation
	host  client.Client
	cache *clustercache.ClusterCache
	conns *clustercachetest.ConnectionLog
}

// newEnv brings up a host and two members, installs the KubeFedCluster and
// KubeFedConfig CRDs and, when hc is not nil, a KubeFedConfig with these
// health check settings, then starts the controller.
func newEnv(t *testing.T, hc *fedcorev1b1.ClusterHealthCheckConfig) *env {
	t.Helper()
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(2), Nodes: 1})
	ctx := t.Context()
	crds := filepath.Join(testenv.RepoRoot(), "config", "crd", "bases")
	_, err := envtest.InstallCRDs(fed.Host.Config, envtest.CRDInstallOptions{ErrorIfPathMissing: true, Paths: []string{
		filepath.Join(crds, "core.kubefed.io_kubefedclusters.yaml"),
		filepath.Join(crds, "core.kubefed.io_kubefedconfigs.yaml"),
	}})
	if err != nil {
		t.Fatalf("installing CRDs: %v", err)
	}
	host, err := client.New(fed.Host.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	must(t, host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	if hc != nil {
		must(t, host.Create(ctx, &fedcorev1b1.KubeFedConfig{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fedcorev1b1.KubeFedConfigName},
			Spec:       fedcorev1b1.KubeFedConfigSpec{Scope: "Namespaced", ClusterHealthCheck: hc},
		}))
	}

	mgr, err := ctrl.NewManager(fed.Host.Config, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{DefaultNamespaces: map[string]cache.Config{ns: {}}},
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
		Logger:                 testr.NewWithOptions(t, testr.Options{Verbosity: 1}),
	})
	if err != nil {
		t.Fatal(err)
	}
	cc := clustercache.New(clustercache.Options{})
	must(t, mgr.Add(cc))
	must(t, (&kubefedcluster.Reconciler{Client: mgr.GetClient(), ClusterCache: cc, Namespace: ns}).SetupWithManager(mgr))
	e := &env{fed: fed, host: host, cache: cc, conns: &clustercachetest.ConnectionLog{}}
	cc.Subscribe(e.conns.Add)

	mgrCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := mgr.Start(mgrCtx); err != nil {
			t.Errorf("manager: %v", err)
		}
	}()
	// Stop the manager before the clusters are torn down.
	t.Cleanup(func() {
		stop()
		<-done
	})
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// register joins a member under the given KubeFedCluster name, reaching it
// at endpoint (its own when empty): a cluster-admin service account and
// token Secret in the member, a token Secret and the KubeFedCluster in the
// host.
func (e *env) register(t *testing.T, member *framework.Cluster, name, endpoint string) {
	t.Helper()
	ctx := t.Context()
	if endpoint == "" {
		endpoint = member.Endpoint()
	}
	token := memberToken(t, member, memberTokenOne)
	must(t, e.host.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-secret"},
		Data:       map[string][]byte{fedcorev1b1.ClusterSecretTokenKey: []byte(token)},
	}))
	must(t, e.host.Create(ctx, &fedcorev1b1.KubeFedCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: fedcorev1b1.KubeFedClusterSpec{
			APIEndpoint: endpoint,
			CABundle:    member.Config.CAData,
			SecretRef:   fedcorev1b1.LocalSecretReference{Name: name + "-secret"},
		},
	}))
}

// memberToken returns the token of a service account token Secret of the
// member, creating the service account (bound to cluster-admin) and the
// Secret when needed.
func memberToken(t *testing.T, member *framework.Cluster, secretName string) string {
	t.Helper()
	ctx := t.Context()
	c, err := client.New(member.Config, client.Options{Scheme: scheme})
	must(t, err)
	for _, obj := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: memberNS}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: memberNS, Name: memberSA}},
		&rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: memberSA},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: memberNS, Name: memberSA}},
		},
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: memberNS, Name: secretName, Annotations: map[string]string{corev1.ServiceAccountNameKey: memberSA}},
			Type:       corev1.SecretTypeServiceAccountToken,
		},
	} {
		if err := c.Create(ctx, obj); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatalf("creating %T %s in %s: %v", obj, obj.GetName(), member.Name, err)
		}
	}
	var token string
	testenv.Eventually(t, 30*time.Second, func(context.Context) error {
		s := &corev1.Secret{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: memberNS, Name: secretName}, s); err != nil {
			return err
		}
		if token = string(s.Data[corev1.ServiceAccountTokenKey]); token == "" {
			return fmt.Errorf("no token yet")
		}
		return nil
	}, "token Secret %s filled in %s", secretName, member.Name)
	return token
}

// cluster reads a KubeFedCluster.
func (e *env) cluster(ctx context.Context, name string) (*fedcorev1b1.KubeFedCluster, error) {
	kfc := &fedcorev1b1.KubeFedCluster{}
	return kfc, e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, kfc)
}

// condition returns the status of a condition of a KubeFedCluster, and
// its message.
func (e *env) condition(ctx context.Context, name string, t fedcorev1b1.ClusterConditionType) (corev1.ConditionStatus, string, error) {
	kfc, err := e.cluster(ctx, name)
	if err != nil {
		return "", "", err
	}
	for _, c := range kfc.Status.Conditions {
		if c.Type == t {
			return c.Status, ptr.Deref(c.Message, ""), nil
		}
	}
	return "", "", nil
}

// waitCondition waits until the cluster's condition has status, and returns
// how long that took (to within conditionPoll).
func (e *env) waitCondition(t *testing.T, name string, ct fedcorev1b1.ClusterConditionType, status corev1.ConditionStatus, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	testenv.EventuallyEvery(t, conditionPoll, timeout, func(ctx context.Context) error {
		got, msg, err := e.condition(ctx, name, ct)
		if err != nil {
			return err
		}
		if got != status {
			return fmt.Errorf("%s is %q (%s)", ct, got, msg)
		}
		return nil
	}, "%s %s=%s", name, ct, status)
	return time.Since(start)
}

// conditionPoll is how often waitCondition reads the condition: often, for
// the times it measures are compared with the health check's bounds.
const conditionPoll = 100 * time.Millisecond

// readyMonitor follows the KubeFedClusters through a watch, so that no
// write between two reads goes unseen, and records, from its control event
// on, every write of one cluster and every moment that cluster was not
// Ready, and whether another cluster was seen not Ready.
type readyMonitor struct {
	name, other string
	stop        context.CancelFunc
	done        chan struct{}

	mu sync.Mutex
	// controlled is closed when the control event was seen.
	controlled chan struct{}
	seen       bool
	writes     int
	notReady   []string
	// otherNotReady: the watch reported other not Ready (positive
	// evidence that it reports condition changes).
	otherNotReady bool
	err           error
}

// controlAnnotation is the annotation the monitor sets on the cluster it
// follows, as its control change.
const controlAnnotation = "e2e.kubefed.io/health-monitor"

// monitor starts following the KubeFedCluster name (and other, whose
// transitions the test causes). It first makes a control change, an
// annotation on name, and returns once the watch reported it: from then on
// the watch is shown to see that cluster's writes.
func (e *env) monitor(t *testing.T, name, other string) *readyMonitor {
	t.Helper()
	wc, err := client.NewWithWatch(e.fed.Host.Config, client.Options{Scheme: scheme})
	must(t, err)
	list := &fedcorev1b1.KubeFedClusterList{}
	must(t, wc.List(t.Context(), list, client.InNamespace(ns)))
	ctx, cancel := context.WithCancel(t.Context())
	m := &readyMonitor{name: name, other: other, stop: cancel, done: make(chan struct{}), controlled: make(chan struct{})}
	token := time.Now().Format(time.RFC3339Nano)
	src := e2eutil.WatchSource{Name: "KubeFedClusters", Client: wc, List: &fedcorev1b1.KubeFedClusterList{}, Opts: []client.ListOption{client.InNamespace(ns)}}
	go func() {
		defer close(m.done)
		err := e2eutil.Follow(ctx, src, list.ResourceVersion, func(obj client.Object) {
			if kfc, ok := obj.(*fedcorev1b1.KubeFedCluster); ok {
				m.observe(kfc, token)
			}
		})
		if err != nil {
			m.fail(err)
		}
	}()
	patch := client.MergeFrom(&fedcorev1b1.KubeFedCluster{})
	kfc := &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: map[string]string{controlAnnotation: token}}}
	must(t, e.host.Patch(t.Context(), kfc, patch))
	select {
	case <-m.controlled:
	case <-time.After(10 * time.Second):
		t.Fatalf("the watch of KubeFedClusters did not report the annotation set on %s within 10s: it could not have seen a status write either", name)
	}
	return m
}

func (m *readyMonitor) fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
}

// observe records one event.
func (m *readyMonitor) observe(kfc *fedcorev1b1.KubeFedCluster, token string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ready := false
	for _, c := range kfc.Status.Conditions {
		ready = ready || (c.Type == fedcorev1b1.ClusterReady && c.Status == corev1.ConditionTrue)
	}
	switch {
	case kfc.Name == m.other && !ready && m.seen:
		m.otherNotReady = true
	case kfc.Name != m.name:
	case !m.seen:
		if kfc.Annotations[controlAnnotation] == token {
			m.seen = true
			close(m.controlled)
		}
	default:
		m.writes++
		if !ready {
			m.notReady = append(m.notReady, fmt.Sprintf("%s: resourceVersion %s: %v", time.Now().Format(time.StampMilli), kfc.ResourceVersion, kfc.Status.Conditions))
		}
	}
}

// finish stops the monitor and returns the number of writes of the
// cluster after the control change and the moments it was not Ready. It
// fails the test when the watch broke off or never reported the other
// cluster not Ready: then it could not have reported this one so either.
func (m *readyMonitor) finish(t *testing.T) (int, []string) {
	t.Helper()
	m.stop()
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		t.Errorf("the watch of KubeFedClusters broke off, so writes of %s may have gone unseen: %v", m.name, m.err)
	}
	if !m.otherNotReady {
		t.Errorf("the watch of KubeFedClusters never reported %s not Ready although it was stopped: it could not have reported %s so either", m.other, m.name)
	}
	return m.writes, m.notReady
}

// slowProxy listens on the loopback address of target (an https URL) and
// forwards to it, delaying every chunk the client sends by delay: an API
// server that answers, slowly. It returns the https URL to reach it.
func slowProxy(t *testing.T, target string, delay time.Duration) string {
	t.Helper()
	u, err := url.Parse(target)
	must(t, err)
	addr := clustercachetest.Listen(t, u.Hostname(), func(in net.Conn, track func(net.Conn)) {
		go func() {
			out, err := net.Dial("tcp", u.Host)
			if err != nil {
				_ = in.Close()
				return
			}
			track(out)
			go func() { _, _ = io.Copy(in, out) }()
			buf := make([]byte, 32<<10)
			for {
				n, err := in.Read(buf)
				if n > 0 {
					time.Sleep(delay)
					if _, werr := out.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					_ = out.Close()
					return
				}
			}
		}()
	})
	_, port, _ := net.SplitHostPort(addr)
	return "https://" + net.JoinHostPort(u.Hostname(), port)
}
