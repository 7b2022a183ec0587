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

package kubefedctl

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// hostSecret returns the Secret that holds the member's token in the host.
func (j *joiner) hostSecret(token []byte) *corev1.Secret {
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: j.opts.KubeFedNamespace, Name: j.secretName},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{fedcorev1b1.ClusterSecretTokenKey: token},
	}
	if s.Name == "" {
		s.GenerateName = j.opts.ClusterName + "-"
	}
	return s
}

// desiredKubeFedCluster returns the KubeFedCluster join writes.
func (j *joiner) desiredKubeFedCluster(secretName string, caBundle []byte) (*fedcorev1b1.KubeFedCluster, error) {
	cfg := j.opts.ClusterConfig
	proxyURL, err := proxyURLOf(cfg)
	if err != nil {
		return nil, fmt.Errorf("member cluster %s: %w", j.member.name, err)
	}
	kfc := &fedcorev1b1.KubeFedCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: j.opts.KubeFedNamespace, Name: j.opts.ClusterName},
		Spec: fedcorev1b1.KubeFedClusterSpec{
			APIEndpoint: cfg.Host,
			CABundle:    caBundle,
			SecretRef:   fedcorev1b1.LocalSecretReference{Name: secretName},
			ProxyURL:    proxyURL,
		},
	}
	if cfg.Insecure {
		kfc.Spec.DisabledTLSValidations = []fedcorev1b1.TLSValidation{fedcorev1b1.TLSAll}
	}
	return kfc, nil
}

// run writes the member objects, waits for the token, then writes the host
// objects.
func (j *joiner) run(ctx context.Context) (*fedcorev1b1.KubeFedCluster, error) {
	for _, po := range j.plan {
		if err := j.ensure(ctx, j.member, po); err != nil {
			return nil, err
		}
	}
	token, caFromSecret := []byte("<token>"), []byte(nil)
	if !j.opts.DryRun {
		var err error
		if token, caFromSecret, err = j.waitForToken(ctx); err != nil {
			return nil, err
		}
	}
	caBundle := j.opts.ClusterConfig.CAData
	if len(caBundle) == 0 {
		caBundle = caFromSecret
		if len(caBundle) > 0 {
			j.p.v(1, "%s: the kubeconfig has no CA; using ca.crt of the token Secret", j.member.name)
		}
	}

	secret := j.hostSecret(token)
	if err := j.ensure(ctx, j.host, plannedObject{obj: secret, sync: func(existing client.Object) bool {
		s := existing.(*corev1.Secret)
		if equality.Semantic.DeepEqual(s.Data[fedcorev1b1.ClusterSecretTokenKey], token) {
			return false
		}
		if s.Data == nil {
			s.Data = map[string][]byte{}
		}
		s.Data[fedcorev1b1.ClusterSecretTokenKey] = token
		return true
	}}); err != nil {
		return nil, err
	}
	secretName := secret.Name
	if secretName == "" {
		secretName = secret.GenerateName + "<generated>"
	}
	kfc, err := j.desiredKubeFedCluster(secretName, caBundle)
	if err != nil {
		return nil, err
	}
	if err := j.ensure(ctx, j.host, plannedObject{obj: kfc, sync: func(existing client.Object) bool {
		e := existing.(*fedcorev1b1.KubeFedCluster)
		if equality.Semantic.DeepEqual(e.Spec, kfc.Spec) {
			return false
		}
		e.Spec = kfc.Spec
		return true
	}}); err != nil {
		return nil, err
	}
	if err := j.deleteReplacedSecret(ctx, secret.Name); err != nil {
		return nil, err
	}
	return kfc, nil
}

// deleteReplacedSecret deletes the host Secret that an existing
// KubeFedCluster named before this join pointed it at another one (a
// re-join with a different --secret-name), so that no stale token stays.
func (j *joiner) deleteReplacedSecret(ctx context.Context, current string) error {
	if j.kubefedCluster == nil {
		return nil
	}
	old := j.kubefedCluster.Spec.SecretRef.Name
	if old == "" || old == current || (j.opts.DryRun && current == "") {
		return nil
	}
	stale := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: j.opts.KubeFedNamespace, Name: old}}
	ref := objectRef("Secret", stale)
	if j.opts.DryRun {
		j.p.step(j.host.name, "would delete %s (the token Secret the KubeFedCluster named before)", ref)
		return nil
	}
	switch err := j.host.c.Delete(ctx, stale); {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("deleting the replaced token %s in %s: %w; delete it with '%s'", ref, j.host, err, deleteCommand(j.host.kubeContext, "secret", stale))
	}
	j.p.step(j.host.name, "deleted %s (the token Secret the KubeFedCluster named before)", ref)
	return nil
}

// ensure creates an object, or brings an existing one in line with it.
func (j *joiner) ensure(ctx context.Context, s *side, po plannedObject) error {
	kind := kindOf(po.obj)
	ref := objectRef(kind, po.obj)
	existing := po.obj.DeepCopyObject().(client.Object)
	var err error
	if po.obj.GetName() == "" {
		// A generated name: there is nothing to find.
		err = apierrors.NewNotFound(schema.GroupResource{}, "")
		ref = objectRef(kind, po.obj) + po.obj.GetGenerateName() + "<generated>"
	} else {
		err = s.c.Get(ctx, client.ObjectKeyFromObject(po.obj), existing)
	}
	switch {
	case apierrors.IsNotFound(err):
		if j.opts.DryRun {
			j.p.step(s.name, "would create %s", ref)
			return nil
		}
		if err := s.c.Create(ctx, po.obj); err != nil {
			return fmt.Errorf("creating %s in %s: %w", objectRef(kind, po.obj), s, err)
		}
		j.created = append(j.created, createdObject{side: s, obj: po.obj})
		j.p.step(s.name, "created %s", objectRef(kind, po.obj))
		return nil
	case err != nil:
		return fmt.Errorf("reading %s in %s: %w", ref, s, err)
	}
	switch {
	case po.replace != nil && po.replace(existing):
		if j.opts.DryRun {
			j.p.step(s.name, "would replace %s (its roleRef differs)", ref)
			return nil
		}
		if err := s.c.Delete(ctx, existing); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting %s in %s to replace its roleRef: %w", ref, s, err)
		}
		if err := s.c.Create(ctx, po.obj); err != nil {
			return fmt.Errorf("creating %s again in %s: %w", ref, s, err)
		}
		j.p.step(s.name, "replaced %s (its roleRef differed)", ref)
	case po.sync != nil && po.sync(existing):
		if j.opts.DryRun {
			j.p.step(s.name, "would update %s", ref)
			break
		}
		if err := s.c.Update(ctx, existing); err != nil {
			return fmt.Errorf("updating %s in %s: %w", ref, s, err)
		}
		j.p.step(s.name, "updated %s", ref)
	case j.opts.DryRun:
		j.p.step(s.name, "would keep %s (exists)", ref)
	default:
		j.p.step(s.name, "kept %s (exists)", ref)
	}
	// Later steps read the name (a reused Secret) from the written object.
	po.obj.SetName(existing.GetName())
	return nil
}

// waitForToken waits until the token controller of the member filled the
// token Secret, and returns the token and the Secret's CA.
func (j *joiner) waitForToken(ctx context.Context) (token, ca []byte, err error) {
	key := client.ObjectKey{Namespace: j.opts.KubeFedNamespace, Name: TokenSecretName(j.opts.ClusterName, j.opts.HostClusterName)}
	secret := &corev1.Secret{}
	start := time.Now()
	var lastErr error
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, j.opts.TokenTimeout, true, func(ctx context.Context) (bool, error) {
		if err := j.member.c.Get(ctx, key, secret); err != nil {
			lastErr = err
			return false, nil
		}
		return len(secret.Data[corev1.ServiceAccountTokenKey]) > 0, nil
	})
	if err != nil {
		detail := ""
		if lastErr != nil {
			detail = " (last error: " + lastErr.Error() + ")"
		}
		return nil, nil, fmt.Errorf("the token controller of member cluster %s did not put a token into Secret %s/%s within %s%s: check that kube-controller-manager runs there with --service-account-private-key-file and its serviceaccount-token controller enabled, then join again",
			j.member.name, key.Namespace, key.Name, j.opts.TokenTimeout, detail)
	}
	j.p.step(j.member.name, "token of Secret %s/%s is ready (%s)", key.Namespace, key.Name, time.Since(start).Round(time.Millisecond))
	return secret.Data[corev1.ServiceAccountTokenKey], secret.Data[corev1.ServiceAccountRootCAKey], nil
}
