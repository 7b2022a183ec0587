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

package clustercache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

const memberNamespace = "kubefed-test"

// memberAccess creates, in a member, a cluster-admin service account and a
// token Secret for it named secretName, and returns the KubeFedCluster and
// host Secret (not created anywhere) that reach the member with that token.
func memberAccess(ctx context.Context, t *testing.T, member *framework.Cluster, secretName string) (*fedcorev1b1.KubeFedCluster, *corev1.Secret) {
	t.Helper()
	return accessWithToken(member, serviceAccountToken(ctx, t, clientset(t, member), secretName))
}

// accessWithToken returns the KubeFedCluster and host Secret (not created
// anywhere) that reach member with token.
func accessWithToken(member *framework.Cluster, token string) (*fedcorev1b1.KubeFedCluster, *corev1.Secret) {
	cluster := &fedcorev1b1.KubeFedCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: fedcorev1b1.DefaultKubeFedSystemNamespace, Name: member.Name},
		Spec: fedcorev1b1.KubeFedClusterSpec{
			APIEndpoint: member.Endpoint(),
			CABundle:    member.Config.CAData,
			SecretRef:   fedcorev1b1.LocalSecretReference{Name: member.Name + "-secret"},
		},
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: cluster.Namespace, Name: cluster.Spec.SecretRef.Name},
		Data:       map[string][]byte{fedcorev1b1.ClusterSecretTokenKey: []byte(token)},
	}
	return cluster, secret
}

func clientset(t *testing.T, member *framework.Cluster) kubernetes.Interface {
	t.Helper()
	cs, err := member.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// serviceAccountToken makes sure the kubefed service account exists with
// cluster-admin rights and returns the token of its token Secret secretName,
// creating the Secret and waiting until the token controller filled it.
func serviceAccountToken(ctx context.Context, t *testing.T, cs kubernetes.Interface, secretName string) string {
	t.Helper()
	const sa = "kubefed-member"
	createServiceAccount(ctx, t, cs, sa)
	_, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "kubefed-member"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: memberNamespace, Name: sa}},
	}, metav1.CreateOptions{})
	mustExist(t, err)
	return tokenOf(ctx, t, cs, sa, secretName)
}

// createServiceAccount creates memberNamespace and the service account sa
// there, unless they exist.
func createServiceAccount(ctx context.Context, t *testing.T, cs kubernetes.Interface, sa string) {
	t.Helper()
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: memberNamespace}}, metav1.CreateOptions{})
	mustExist(t, err)
	_, err = cs.CoreV1().ServiceAccounts(memberNamespace).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{})
	mustExist(t, err)
}

// tokenOf creates the token Secret secretName of the service account sa,
// unless it exists, and returns its token once the token controller filled
// it.
func tokenOf(ctx context.Context, t *testing.T, cs kubernetes.Interface, sa, secretName string) string {
	t.Helper()
	_, err := cs.CoreV1().Secrets(memberNamespace).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: secretName, Annotations: map[string]string{corev1.ServiceAccountNameKey: sa}},
		Type:       corev1.SecretTypeServiceAccountToken,
	}, metav1.CreateOptions{})
	mustExist(t, err)
	var token []byte
	testenv.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		s, err := cs.CoreV1().Secrets(memberNamespace).Get(ctx, secretName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if token = s.Data[corev1.ServiceAccountTokenKey]; len(token) == 0 {
			return errNoToken
		}
		return nil
	}, "token Secret %s/%s filled", memberNamespace, secretName)
	return string(token)
}

var errNoToken = errors.New("the token controller has not filled the Secret yet")

// mustExist fails the test on a create error other than AlreadyExists.
func mustExist(t *testing.T, err error) {
	t.Helper()
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// deleteTokenSecret deletes a token Secret of the member, which revokes its
// token.
func deleteTokenSecret(ctx context.Context, t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	if err := cs.CoreV1().Secrets(memberNamespace).Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatalf("deleting token Secret %s: %v", name, err)
	}
}
