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
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// preflight reads both clusters and checks everything that can fail before
// anything is written: reachability, the host's namespace and CRD, names,
// objects that already exist, and the host objects' validity (by creating
// them in server-side dry-run mode).
func (j *joiner) preflight(ctx context.Context) error {
	if err := j.checkReachable(ctx); err != nil {
		return err
	}
	if err := j.waitNamespaceGone(ctx); err != nil {
		return err
	}
	if err := j.checkHostNamespace(ctx); err != nil {
		return err
	}
	if err := j.resolveScope(ctx); err != nil {
		return err
	}
	j.plan = memberPlan(j.opts.KubeFedNamespace, j.saName, j.scope)

	existing, err := j.existingHostObjects(ctx)
	if err != nil {
		return err
	}
	inMember, err := j.existingMemberObjects(ctx)
	if err != nil {
		return err
	}
	existing = append(existing, inMember...)
	if len(existing) > 0 && j.opts.ErrorOnExisting {
		return fmt.Errorf("cluster %s is already joined, or partly: %s already exist(s). Run 'kubefedctl unjoin %s' to remove them, or join again with --error-on-existing=false to update them in place",
			j.opts.ClusterName, strings.Join(existing, ", "), j.opts.ClusterName)
	}
	for _, e := range existing {
		j.p.v(1, "found existing %s; it will be updated if needed", e)
	}
	return j.validateHostObjects(ctx)
}

// checkReachable reads the identity of both clusters, and so finds out
// whether the cluster joins itself.
func (j *joiner) checkReachable(ctx context.Context) error {
	o := j.opts
	hostUID, err := clusterUID(ctx, j.host.c)
	if err != nil {
		return fmt.Errorf("cannot reach host cluster %s at %s: %w: check --host-cluster-context and that the cluster is up", j.host.name, o.HostConfig.Host, err)
	}
	memberUID, err := clusterUID(ctx, j.member.c)
	if err != nil {
		return fmt.Errorf("cannot reach member cluster %s at %s: %w: check --cluster-context and that the cluster is up", j.member.name, o.ClusterConfig.Host, err)
	}
	j.memberIsHost = hostUID == memberUID
	if j.memberIsHost {
		j.p.v(1, "%s: this is the host cluster itself; joining it to its own control plane", j.member.name)
	}
	return nil
}

// checkHostNamespace checks that the control plane's namespace exists in
// the host.
func (j *joiner) checkHostNamespace(ctx context.Context) error {
	o := j.opts
	ns := &corev1.Namespace{}
	if err := j.host.c.Get(ctx, client.ObjectKey{Name: o.KubeFedNamespace}, ns); err != nil {
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("namespace %s does not exist in host cluster %s: install the KubeFed control plane there first, or name its namespace with --kubefed-namespace", o.KubeFedNamespace, j.host.name)
		}
		return fmt.Errorf("reading namespace %s in host cluster %s: %w", o.KubeFedNamespace, j.host.name, err)
	}
	return nil
}

// resolveScope sets the control plane's scope: the one given, or the one
// of the host's KubeFedConfig.
func (j *joiner) resolveScope(ctx context.Context) error {
	j.scope = j.opts.Scope
	if j.scope != "" {
		return nil
	}
	var err error
	j.scope, err = readScope(ctx, j.host.c, j.opts.KubeFedNamespace, j.host.name, j.p)
	return err
}

// existingHostObjects reads the KubeFedCluster and the named token Secret
// in the host, chooses the Secret join writes, and returns the objects
// that already exist.
func (j *joiner) existingHostObjects(ctx context.Context) ([]string, error) {
	o := j.opts
	var existing []string
	kfc := &fedcorev1b1.KubeFedCluster{}
	err := j.host.c.Get(ctx, client.ObjectKey{Namespace: o.KubeFedNamespace, Name: o.ClusterName}, kfc)
	switch {
	case meta.IsNoMatchError(err):
		return nil, fmt.Errorf("the KubeFedCluster CRD (kubefedclusters.core.kubefed.io) is not installed in host cluster %s: install the KubeFed control plane (its Helm chart, or the CRDs in config/crd) first", j.host.name)
	case apierrors.IsNotFound(err):
	case err != nil:
		return nil, fmt.Errorf("reading KubeFedCluster %s/%s in host cluster %s: %w", o.KubeFedNamespace, o.ClusterName, j.host.name, err)
	default:
		j.kubefedCluster = kfc
		existing = append(existing, fmt.Sprintf("KubeFedCluster %s/%s in %s", kfc.Namespace, kfc.Name, j.host))
	}

	j.secretName = o.SecretName
	if j.secretName == "" && j.kubefedCluster != nil {
		j.secretName = j.kubefedCluster.Spec.SecretRef.Name
	}
	if j.memberIsHost && j.secretName == TokenSecretName(o.ClusterName, o.HostClusterName) {
		return nil, fmt.Errorf("--secret-name %s is the name of the service account token Secret join creates in the same namespace of the same cluster: choose another name", j.secretName)
	}
	if o.SecretName != "" {
		s := &corev1.Secret{}
		err := j.host.c.Get(ctx, client.ObjectKey{Namespace: o.KubeFedNamespace, Name: o.SecretName}, s)
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			return nil, fmt.Errorf("reading Secret %s/%s in host cluster %s: %w", o.KubeFedNamespace, o.SecretName, j.host.name, err)
		default:
			existing = append(existing, fmt.Sprintf("Secret %s/%s in %s", s.Namespace, s.Name, j.host))
		}
	}
	return existing, nil
}

// existingMemberObjects reads the planned objects in the member and
// returns those that already exist (the shared namespace aside); a Secret
// of the token's name that is not the ServiceAccount's token is an error.
func (j *joiner) existingMemberObjects(ctx context.Context) ([]string, error) {
	var existing []string
	for _, po := range j.plan {
		obj := po.obj.DeepCopyObject().(client.Object)
		err := j.member.c.Get(ctx, client.ObjectKeyFromObject(po.obj), obj)
		ref := objectRef(kindOf(po.obj), po.obj)
		switch {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return nil, fmt.Errorf("reading %s in %s: %w", ref, j.member, err)
		}
		if s, ok := obj.(*corev1.Secret); ok && (s.Type != corev1.SecretTypeServiceAccountToken || s.Annotations[corev1.ServiceAccountNameKey] != j.saName) {
			return nil, fmt.Errorf("%s in %s exists but is not the token of ServiceAccount %s: remove it (%s) and join again", ref, j.member, j.saName, deleteCommand(j.member.kubeContext, "secret", s))
		}
		if !po.shared {
			existing = append(existing, fmt.Sprintf("%s in %s", ref, j.member))
		}
	}
	return existing, nil
}

// namespaceGoneTimeout bounds the wait for a terminating control-plane
// namespace in the member (an unjoin just before the join).
const namespaceGoneTimeout = 2 * time.Minute

// waitNamespaceGone waits, with a progress line, until a control-plane
// namespace that is being deleted in the member (an unjoin right before
// this join) is gone: nothing can be created in it meanwhile.
func (j *joiner) waitNamespaceGone(ctx context.Context) error {
	ns := &corev1.Namespace{}
	err := j.member.c.Get(ctx, client.ObjectKey{Name: j.opts.KubeFedNamespace}, ns)
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("reading namespace %s in %s: %w", j.opts.KubeFedNamespace, j.member, err)
	case ns.DeletionTimestamp == nil:
		return nil
	case j.opts.DryRun:
		j.p.step(j.member.name, "namespace %s is being deleted; join would wait until it is gone", ns.Name)
		return nil
	}
	j.p.step(j.member.name, "namespace %s is being deleted (a recent unjoin?); waiting until it is gone...", ns.Name)
	start := time.Now()
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, namespaceGoneTimeout, true, func(ctx context.Context) (bool, error) {
		err := j.member.c.Get(ctx, client.ObjectKey{Name: ns.Name}, &corev1.Namespace{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		return fmt.Errorf("namespace %s in %s is still being deleted after %s: see what holds it with '%s', then join again",
			ns.Name, j.member, namespaceGoneTimeout, kubectlCommand(j.member.kubeContext, "", "get namespace "+ns.Name+" -o yaml"))
	}
	j.p.step(j.member.name, "namespace %s is gone (%s)", ns.Name, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// validateHostObjects creates the host objects that do not exist yet in
// server-side dry-run mode, so that what the API server would refuse (a
// bad Secret name, an endpoint the KubeFedCluster schema rejects, missing
// rights) is found before the member is touched.
func (j *joiner) validateHostObjects(ctx context.Context) error {
	secret := j.hostSecret([]byte("dry-run"))
	secretName := secret.Name
	if j.secretName == "" || !j.hostSecretExists(ctx) {
		if err := j.host.c.Create(ctx, secret, client.DryRunAll); err != nil {
			return fmt.Errorf("host cluster %s would refuse Secret %s/%s: %w", j.host.name, secret.Namespace, secret.Name+secret.GenerateName, err)
		}
		secretName = secret.Name
		if secretName == "" {
			secretName = secret.GenerateName + "dry-run"
		}
	}
	if j.kubefedCluster != nil {
		return nil
	}
	kfc, err := j.desiredKubeFedCluster(secretName, j.opts.ClusterConfig.CAData)
	if err != nil {
		return err
	}
	if err := j.host.c.Create(ctx, kfc, client.DryRunAll); err != nil {
		return fmt.Errorf("host cluster %s would refuse KubeFedCluster %s/%s: %w", j.host.name, kfc.Namespace, kfc.Name, err)
	}
	return nil
}

func (j *joiner) hostSecretExists(ctx context.Context) bool {
	err := j.host.c.Get(ctx, client.ObjectKey{Namespace: j.opts.KubeFedNamespace, Name: j.secretName}, &corev1.Secret{})
	return err == nil
}
