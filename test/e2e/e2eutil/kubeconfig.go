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

package e2eutil

import (
	"path/filepath"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"

	"github.com/kubefed/kubefed/test/framework"
)

// TokenKubeconfig writes a kubeconfig of the host whose user is the
// chart's ServiceAccount, with a token from the TokenRequest API valid for
// validity, checks that the API server sees that identity, and returns its
// path: a controller manager started with it runs with the chart's RBAC
// alone, as it does in a cluster, so that every rule it lacks shows up as
// a refused request.
func TokenKubeconfig(t testing.TB, fed *framework.Federation, validity time.Duration) string {
	t.Helper()
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(fed.Host.Config)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts(Namespace).CreateToken(ctx, ServiceAccount, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(validity.Seconds()))},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("requesting a token of ServiceAccount %s/%s: %v", Namespace, ServiceAccount, err)
	}

	admin, err := clientcmd.LoadFromFile(fed.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	hostCtx, ok := admin.Contexts[fed.Host.Context()]
	if !ok {
		t.Fatalf("no context %q in %s", fed.Host.Context(), fed.Kubeconfig())
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[HostName] = admin.Clusters[hostCtx.Cluster]
	cfg.AuthInfos[ServiceAccount] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	cfg.Contexts[ServiceAccount] = &clientcmdapi.Context{Cluster: HostName, AuthInfo: ServiceAccount, Namespace: Namespace}
	cfg.CurrentContext = ServiceAccount
	path := filepath.Join(t.TempDir(), "controller.kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}

	restCfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatal(err)
	}
	saClient, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		t.Fatal(err)
	}
	review, err := saClient.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("asking the host who the controller kubeconfig's user is: %v", err)
	}
	want := "system:serviceaccount:" + Namespace + ":" + ServiceAccount
	if got := review.Status.UserInfo.Username; got != want {
		t.Fatalf("the controller kubeconfig authenticates as %q, want %q", got, want)
	}
	return path
}
