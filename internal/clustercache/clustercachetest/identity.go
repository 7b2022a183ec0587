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

package clustercachetest

import (
	"context"
	"fmt"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// Identity is a service account in a member cluster (an API server that
// authorizes with RBAC, such as envtest's) bound to a ClusterRole of the
// same name, as kubefedctl join would create one, with narrower rules.
type Identity struct {
	// Namespace and Name are the service account's.
	Namespace, Name string
	admin           kubernetes.Interface
}

// NewIdentity creates, with the member's administrator configuration
// admin, the namespace, the service account name there, and a ClusterRole
// and ClusterRoleBinding name that grant it rules.
func NewIdentity(ctx context.Context, admin *rest.Config, namespace, name string, rules []rbacv1.PolicyRule) (*Identity, error) {
	cs, err := kubernetes.NewForConfig(admin)
	if err != nil {
		return nil, err
	}
	id := &Identity{Namespace: namespace, Name: name, admin: cs}
	for _, create := range []func() error{
		func() error {
			_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := cs.CoreV1().ServiceAccounts(namespace).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: name},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
				Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: name}},
			}, metav1.CreateOptions{})
			return err
		},
	} {
		if err := create(); err != nil && !apierrors.IsAlreadyExists(err) {
			return nil, fmt.Errorf("creating the identity %s/%s: %w", namespace, name, err)
		}
	}
	return id, nil
}

// Grant adds rules to the identity's ClusterRole.
func (id *Identity) Grant(ctx context.Context, rules ...rbacv1.PolicyRule) error {
	role, err := id.admin.RbacV1().ClusterRoles().Get(ctx, id.Name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	role.Rules = append(role.Rules, rules...)
	_, err = id.admin.RbacV1().ClusterRoles().Update(ctx, role, metav1.UpdateOptions{})
	return err
}

// Access returns a KubeFedCluster named cluster in the host namespace
// hostNamespace and its Secret (neither created anywhere) that reach the
// member at cfg's endpoint, trusting cfg's CA, with a token of the
// identity from the TokenRequest API, valid for an hour.
func (id *Identity) Access(ctx context.Context, cfg *rest.Config, hostNamespace, cluster string) (*fedcorev1b1.KubeFedCluster, *corev1.Secret, error) {
	tr, err := id.admin.CoreV1().ServiceAccounts(id.Namespace).CreateToken(ctx, id.Name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(3600))},
	}, metav1.CreateOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("requesting a token of %s/%s: %w", id.Namespace, id.Name, err)
	}
	endpoint := cfg.Host
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	kfc := &fedcorev1b1.KubeFedCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: hostNamespace, Name: cluster},
		Spec: fedcorev1b1.KubeFedClusterSpec{
			APIEndpoint: endpoint,
			CABundle:    cfg.CAData,
			SecretRef:   fedcorev1b1.LocalSecretReference{Name: cluster + "-secret"},
		},
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: hostNamespace, Name: kfc.Spec.SecretRef.Name},
		Data:       map[string][]byte{fedcorev1b1.ClusterSecretTokenKey: []byte(tr.Status.Token)},
	}
	return kfc, secret, nil
}
