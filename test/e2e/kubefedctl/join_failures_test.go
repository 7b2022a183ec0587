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

package kubefedctl_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/kubefedctl"
)

func testPreflightFailures(t *testing.T, e *env) {
	_, err := e.kubefedctl(t, "join", "member2", "--secret-name", "Not_A_Name")
	if err == nil {
		t.Fatal("join with an invalid --secret-name succeeded")
	}
	contains(t, err.Error(), `--secret-name "Not_A_Name" is not a valid Secret name`, "nothing was created")
	assertNothingCreated(t, e, ns, "member2", "host")

	_, err = e.kubefedctl(t, "join", "member2", "--kubefed-namespace", "no-such-namespace")
	if err == nil {
		t.Fatal("join into a missing host namespace succeeded")
	}
	contains(t, err.Error(), "namespace no-such-namespace does not exist in host cluster host", "--kubefed-namespace", "nothing was changed")
	assertNothingCreated(t, e, "no-such-namespace", "member2", "host")

	// member1 has no KubeFed CRDs: as a host it must be refused.
	out, err := e.kubefedctl(t, "join", "member2", "--host-cluster-context", "member1", "--kubefed-namespace", "default", "-v", "1")
	if err == nil {
		t.Fatal("join into a host without the KubeFedCluster CRD succeeded")
	}
	contains(t, out, "the KubeFedConfig CRD is not installed; assuming Cluster scope")
	contains(t, err.Error(), "the KubeFedCluster CRD (kubefedclusters.core.kubefed.io) is not installed in host cluster member1", "nothing was changed")
	assertNothingCreated(t, e, "default", "member2", "member1")

	// A context that is not in the kubeconfig.
	_, err = e.kubefedctl(t, "join", "member3")
	if err == nil || !strings.Contains(err.Error(), `context "member3" not found`) || !strings.Contains(err.Error(), "--cluster-context") {
		t.Errorf("join of a cluster without a context: %v", err)
	}
}

// failingTransport fails the requests that match, as a host that refuses a
// write would.
type failingTransport struct {
	next  http.RoundTripper
	match func(*http.Request) bool
}

func (f *failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if f.match(req) {
		return nil, errors.New("injected failure")
	}
	return f.next.RoundTrip(req)
}

func failing(cfg *rest.Config, match func(*http.Request) bool) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return &failingTransport{next: rt, match: match} })
	return cfg
}

func testRollback(t *testing.T, e *env) {
	ctx := t.Context()
	member := e.fed.Members[1]
	// The host refuses to store the KubeFedCluster (but accepts the
	// dry-run check): everything created before must be deleted again.
	hostConfig := failing(e.fed.Host.Config, func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/kubefedclusters") && r.URL.Query().Get("dryRun") == ""
	})
	var out bytes.Buffer
	_, err := kubefedctl.Join(ctx, kubefedctl.JoinOptions{
		ClusterName: "member2", HostClusterName: "host", HostConfig: hostConfig, ClusterConfig: member.Config,
		ErrorOnExisting: true, HostContext: "host", ClusterContext: "member2", Out: &out,
	})
	t.Logf("join output:\n%s", out.String())
	if err == nil {
		t.Fatal("join succeeded although the host refused the KubeFedCluster")
	}
	contains(t, err.Error(), "creating KubeFedCluster kube-federation-system/member2 in host cluster host", "injected failure", "deleted again")
	contains(t, out.String(), "member2: created ServiceAccount", "host: deleted Secret kube-federation-system/member2-", "member2: deleted ServiceAccount kube-federation-system/member2-host (rollback)")
	for _, obj := range memberObjects(ns, "member2", "host", apiextensionsv1.ClusterScoped) {
		waitGone(t, e.members[1], obj)
	}
	if got := hostSecretsOf(t, e.host, ns, "member2"); len(got) > 0 {
		t.Errorf("host Secrets %v survived the rollback", got)
	}

	// When the rollback cannot delete either, the error lists the kubectl
	// commands that finish the job.
	memberConfig := failing(member.Config, func(r *http.Request) bool {
		return r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/clusterrole")
	})
	out.Reset()
	_, err = kubefedctl.Join(ctx, kubefedctl.JoinOptions{
		ClusterName: "member2", HostClusterName: "host", HostConfig: hostConfig, ClusterConfig: memberConfig,
		ErrorOnExisting: true, HostContext: "host", ClusterContext: "member2", Out: &out,
	})
	t.Logf("join output:\n%s", out.String())
	if err == nil {
		t.Fatal("join succeeded although the host refused the KubeFedCluster")
	}
	contains(t, err.Error(), "could not delete everything",
		"kubectl --context member2 delete clusterrolebinding kubefed-controller-manager:member2-host",
		"kubectl --context member2 delete clusterrole kubefed-controller-manager:member2-host")
	if strings.Contains(err.Error(), "delete serviceaccount") {
		t.Errorf("the error asks to delete a ServiceAccount the rollback removed:\n%v", err)
	}
	// Follow the advice through unjoin, which also cleans leftovers.
	out.Reset()
	if err := kubefedctl.Unjoin(ctx, kubefedctl.UnjoinOptions{ClusterName: "member2", HostClusterName: "host", HostConfig: e.fed.Host.Config, ClusterConfig: member.Config, Out: &out}); err != nil {
		t.Fatalf("unjoin of the leftovers: %v\n%s", err, out.String())
	}
	assertUnjoined(t, e, e.members[1], ns, "member2", "host", apiextensionsv1.ClusterScoped, "", false)
}

func testForceUnjoin(t *testing.T, e *env) {
	member, mc := e.fed.Members[1], e.members[1]
	ctx := t.Context()
	e.mustKubefedctl(t, "join", "member2")
	j := assertJoined(t, e, member, mc, ns, "member2", "host", apiextensionsv1.ClusterScoped)

	if err := member.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			_ = member.Start(context.WithoutCancel(ctx))
		}
	})

	// Without --force nothing is removed.
	_, err := e.kubefedctl(t, "unjoin", "member2")
	if err == nil {
		t.Fatal("unjoin of an unreachable member succeeded without --force")
	}
	contains(t, err.Error(), "cannot reach member cluster member2", "Nothing was removed", "--force")
	if !exists(t, e.host, &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "member2"}}) {
		t.Fatal("the failed unjoin removed the KubeFedCluster")
	}

	out := e.mustKubefedctl(t, "unjoin", "member2", "--force")
	contains(t, out, "member2: NOT cleaned up", "host: deleted KubeFedCluster kube-federation-system/member2",
		"member cluster member2 was NOT cleaned up",
		"kubectl --context member2 -n kube-federation-system delete serviceaccount member2-host",
		"kubectl --context member2 delete clusterrolebinding kubefed-controller-manager:member2-host",
		"kubectl --context member2 delete namespace kube-federation-system")
	if exists(t, e.host, j.kfc) || exists(t, e.host, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: j.kfc.Spec.SecretRef.Name}}) {
		t.Error("unjoin --force left the host side")
	}

	// Back up, the member still holds what the output listed; a plain
	// unjoin removes it.
	if err := member.Start(ctx); err != nil {
		t.Fatal(err)
	}
	restarted = true
	if !exists(t, mc, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "member2-host"}}) {
		t.Error("the ServiceAccount the output said remains is gone")
	}
	out = e.mustKubefedctl(t, "unjoin", "member2")
	contains(t, out, "member2: deleted ServiceAccount kube-federation-system/member2-host", "Cluster member2 unjoined")
	assertUnjoined(t, e, mc, ns, "member2", "host", apiextensionsv1.ClusterScoped, "", false)
}
