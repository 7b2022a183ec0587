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
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache/clustercachetest"
	"github.com/kubefed/kubefed/internal/kubefedctl"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

const ns = e2eutil.Namespace

// env is a local federation with the Helm chart installed in its host and
// the whole control plane running in this process as the chart's
// ServiceAccount (e2eutil), so that every health check runs with the
// chart's RBAC in the host and kubefedctl join's RBAC in the members.
type env struct {
	*e2eutil.Env
}

// newEnv brings up a host and the named members, installs the chart with
// the given values (helm --set name=value, as a user sets them) and starts
// the control plane. The members are not joined yet: join does that.
func newEnv(t *testing.T, members []string, values ...string) *env {
	t.Helper()
	fed := framework.New(t, framework.Options{Members: members, Nodes: 1})
	e := &env{e2eutil.NewEnv(t, fed)}
	e2eutil.InstallChart(t, fed, values...)
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		if err := e.Host.Get(ctx, client.ObjectKey{Namespace: ns, Name: e2eutil.ServiceAccount}, &corev1.ServiceAccount{}); err != nil {
			return err
		}
		return e.Host.Get(ctx, client.ObjectKey{Namespace: ns, Name: fedcorev1b1.KubeFedConfigName}, &fedcorev1b1.KubeFedConfig{})
	}, "the chart's ServiceAccount and KubeFedConfig in %s", ns)
	e.StartControlPlane(t)
	// Stop the control plane before the clusters are torn down (cleanups
	// run last-registered first).
	t.Cleanup(func() { e.StopControlPlane(t) })
	e.DumpOnFailure(t)
	// Runs before the control plane stops: every request it made as the
	// chart's ServiceAccount (and as the joined members' ServiceAccounts)
	// was allowed.
	t.Cleanup(func() {
		if len(e.LogLines(1, "Connected to member cluster")) == 0 {
			t.Error("no controller log line says a member was connected: the logs were not captured, so refused requests would go unseen")
		}
		if lines := e.LogLines(20, "forbidden"); len(lines) > 0 {
			t.Errorf("the control plane was refused requests (chart or join RBAC):\n%s", strings.Join(lines, "\n"))
		}
	})
	return e
}

// join joins every member with kubefedctl join, as a user does: a
// ServiceAccount with its token Secret and RBAC in the member, a Secret
// holding the token and the KubeFedCluster in the host.
func (e *env) join(t *testing.T) { e2eutil.JoinMembers(t, e.Fed, "") }

// secretName returns the name of the host Secret the KubeFedCluster's
// secretRef names.
func (e *env) secretName(t *testing.T, cluster string) string {
	t.Helper()
	kfc, err := e.cluster(t.Context(), cluster)
	must(t, err)
	return kfc.Spec.SecretRef.Name
}

// registerBy registers a KubeFedCluster by hand, with a Secret of its own
// holding the token of the joined cluster via, reaching the member that
// token belongs to at endpoint.
func (e *env) registerBy(t *testing.T, name, via, endpoint string) {
	t.Helper()
	ctx := t.Context()
	joined, err := e.cluster(ctx, via)
	must(t, err)
	s := &corev1.Secret{}
	must(t, e.Host.Get(ctx, client.ObjectKey{Namespace: ns, Name: joined.Spec.SecretRef.Name}, s))
	must(t, e.Host.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-secret"},
		Data:       map[string][]byte{fedcorev1b1.ClusterSecretTokenKey: s.Data[fedcorev1b1.ClusterSecretTokenKey]},
	}))
	must(t, e.Host.Create(ctx, &fedcorev1b1.KubeFedCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: fedcorev1b1.KubeFedClusterSpec{
			APIEndpoint: endpoint,
			CABundle:    joined.Spec.CABundle,
			SecretRef:   fedcorev1b1.LocalSecretReference{Name: name + "-secret"},
		},
	}))
}

// joinedServiceAccount returns the name of the ServiceAccount kubefedctl
// join created in the member (in namespace ns) for the host.
func (e *env) joinedServiceAccount(member string) string {
	return kubefedctl.ServiceAccountName(member, e.Fed.Host.Name)
}

// newMemberToken creates another token Secret of the joined
// ServiceAccount in the member and returns its token once the member's
// token controller filled it in.
func (e *env) newMemberToken(t *testing.T, member, secretName string) string {
	t.Helper()
	c := e.Member(member)
	must(t, c.Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: secretName,
			Annotations: map[string]string{corev1.ServiceAccountNameKey: e.joinedServiceAccount(member)}},
		Type: corev1.SecretTypeServiceAccountToken,
	}))
	var token string
	e2eutil.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		s := &corev1.Secret{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: secretName}, s); err != nil {
			return err
		}
		if token = string(s.Data[corev1.ServiceAccountTokenKey]); token == "" {
			return fmt.Errorf("no token yet")
		}
		return nil
	}, "token Secret %s filled in %s", secretName, member)
	return token
}

// federatedConfigMap creates a FederatedConfigMap in namespace fedNS
// placed in cluster and waits until the member holds its managed
// ConfigMap: the control plane's connection to that member serves writes.
func (e *env) federatedConfigMap(t *testing.T, fedNS, name, cluster string, timeout time.Duration) {
	t.Helper()
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMap"))
	obj.SetNamespace(fedNS)
	obj.SetName(name)
	must(t, unstructured.SetNestedStringMap(obj.Object, map[string]string{"cluster": cluster}, "spec", "template", "data"))
	must(t, fedtypesv1b1.SetPlacementClusterNames(obj, []string{cluster}))
	must(t, e.Host.Create(t.Context(), obj))
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		cm := &corev1.ConfigMap{}
		if err := e.Member(cluster).Get(ctx, client.ObjectKey{Namespace: fedNS, Name: name}, cm); err != nil {
			return err
		}
		if cm.Labels[fedcorev1b1.ManagedByKubeFedLabelKey] != fedcorev1b1.ManagedByKubeFedLabelValue || cm.Data["cluster"] != cluster {
			return fmt.Errorf("ConfigMap labels %v, data %v", cm.Labels, cm.Data)
		}
		return nil
	}, "ConfigMap %s/%s propagated to %s", fedNS, name, cluster)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// cluster reads a KubeFedCluster.
func (e *env) cluster(ctx context.Context, name string) (*fedcorev1b1.KubeFedCluster, error) {
	kfc := &fedcorev1b1.KubeFedCluster{}
	return kfc, e.Host.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, kfc)
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
	e2eutil.EventuallyEvery(t, conditionPoll, timeout, func(ctx context.Context) error {
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

// connected returns those of clusters the control plane holds an open
// member connection to, as its kubefed_cluster_connections gauge says (the
// control plane runs in this process: its metrics are this process's).
func connected(t *testing.T, clusters ...string) []string {
	t.Helper()
	var out []string
	for _, c := range clusters {
		if gauge(t, "kubefed_cluster_connections", map[string]string{"cluster": c}) == 1 {
			out = append(out, c)
		}
	}
	return out
}

// gauge returns the value of the gauge series with exactly the given
// labels, or -1 when the series does not exist.
func gauge(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	must(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if hasLabels(m, labels) {
				return m.GetGauge().GetValue()
			}
		}
	}
	return -1
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	if len(m.GetLabel()) != len(want) {
		return false
	}
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; !ok || v != l.GetValue() {
			return false
		}
	}
	return true
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
