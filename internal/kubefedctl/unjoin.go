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
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// UnjoinOptions configure Unjoin.
type UnjoinOptions struct {
	// ClusterName is the name of the KubeFedCluster to remove.
	ClusterName string
	// HostClusterName is the host's name as join used it (in the member's
	// ServiceAccount name).
	HostClusterName string
	// HostConfig connects to the host cluster.
	HostConfig *rest.Config
	// ClusterConfig connects to the member cluster; nil when it could not be
	// loaded, which only Force accepts.
	ClusterConfig *rest.Config
	// KubeFedNamespace is the control plane's namespace;
	// DefaultKubeFedSystemNamespace when empty.
	KubeFedNamespace string
	// Force removes the host side even when the member cannot be reached
	// or cleaned, and says what is left in the member.
	Force bool
	// DryRun prints what unjoin would delete and deletes nothing.
	DryRun bool
	// HostContext and ClusterContext are the kubeconfig contexts of the two
	// clusters, used only in the kubectl commands that messages suggest.
	HostContext, ClusterContext string
	// Out receives one line per step; nil discards them.
	Out io.Writer
	// Verbosity above 0 prints more detail.
	Verbosity int
}

// Unjoin removes what Join created, in the member first and then in the
// host, so that a failure in the member leaves the registration in place to
// retry. The control-plane namespace is kept in the member when the member
// is the host itself, or when it holds other service accounts (the member
// was joined to another host too).
func Unjoin(ctx context.Context, opts UnjoinOptions) error {
	if opts.KubeFedNamespace == "" {
		opts.KubeFedNamespace = fedcorev1b1.DefaultKubeFedSystemNamespace
	}
	switch {
	case opts.ClusterName == "":
		return errors.New("name the cluster to unjoin")
	case opts.HostClusterName == "":
		return errors.New("name the host cluster (--host-cluster-name)")
	case opts.HostConfig == nil:
		return errors.New("unjoin needs a client configuration for the host cluster")
	case opts.ClusterConfig == nil && !opts.Force:
		return fmt.Errorf("unjoin needs a client configuration for member cluster %s, or --force to clean only the host", opts.ClusterName)
	}
	u := &unjoiner{opts: opts, p: newPrinter(opts.Out, opts.Verbosity), saName: ServiceAccountName(opts.ClusterName, opts.HostClusterName)}
	hc, err := newClient(opts.HostConfig)
	if err != nil {
		return fmt.Errorf("connecting to host cluster %s: %w", opts.HostClusterName, err)
	}
	u.host = &side{name: opts.HostClusterName, role: "host cluster", kubeContext: opts.HostContext, c: hc}
	if err := u.readHost(ctx); err != nil {
		return fmt.Errorf("unjoining cluster %s: %w; nothing was removed", opts.ClusterName, err)
	}
	verb := "Unjoining"
	if opts.DryRun {
		verb = "Dry run: unjoining"
	}
	u.p.line("%s cluster %s from host cluster %s (namespace %s)", verb, opts.ClusterName, opts.HostClusterName, opts.KubeFedNamespace)

	memberErr := u.connectMember(ctx)
	switch {
	case memberErr != nil && !opts.Force:
		return fmt.Errorf("unjoining cluster %s: %w. Nothing was removed: bring the cluster back and unjoin again, or unjoin with --force to remove only the host side", opts.ClusterName, memberErr)
	case memberErr != nil:
		u.p.step(u.opts.ClusterName, "NOT cleaned up: %v", memberErr)
	default:
		if err := u.cleanMember(ctx); err != nil {
			if !opts.Force {
				return fmt.Errorf("unjoining cluster %s: %w. The host side was not changed: fix the cause and unjoin again, or unjoin with --force", opts.ClusterName, err)
			}
			memberErr = err
		}
	}
	if err := u.cleanHost(ctx); err != nil {
		return fmt.Errorf("unjoining cluster %s: %w", opts.ClusterName, err)
	}
	if u.kubefedCluster == nil && memberErr == nil && u.foundInMember == 0 {
		return fmt.Errorf("cluster %s is not joined to host cluster %s: there is no KubeFedCluster %s/%s in the host and none of join's objects in the member; check the cluster name, --host-cluster-name and --kubefed-namespace",
			opts.ClusterName, opts.HostClusterName, opts.KubeFedNamespace, opts.ClusterName)
	}
	if opts.DryRun {
		u.p.line("Dry run: nothing was changed. Run the command again without --dry-run to unjoin cluster %s.", opts.ClusterName)
		return nil
	}
	if memberErr != nil {
		u.p.line("Cluster %s was removed from host cluster %s, but member cluster %s was NOT cleaned up.", opts.ClusterName, opts.HostClusterName, opts.ClusterName)
		if len(u.failed) > 0 {
			u.p.line("Not removed there: %s.", strings.Join(u.failed, ", "))
		}
		u.p.line("What join created may remain there; once the cluster is reachable, remove it with:")
		for _, cmd := range u.remainingCommands() {
			u.p.line("  %s", cmd)
		}
		return nil
	}
	u.p.line("Cluster %s unjoined from host cluster %s.", opts.ClusterName, opts.HostClusterName)
	return nil
}

// unjoiner holds what one unjoin has read and done.
type unjoiner struct {
	opts         UnjoinOptions
	p            *printer
	saName       string
	host, member *side
	// scope is the control plane's scope, read from the host.
	scope apiextensionsv1.ResourceScope
	// kubefedCluster is the KubeFedCluster in the host; nil when absent.
	kubefedCluster *fedcorev1b1.KubeFedCluster
	// memberIsHost is set when the member was reached and is the host.
	memberIsHost bool
	// foundInMember counts the objects of join found in the member.
	foundInMember int
	// failed lists the member objects that could not be deleted (Force).
	failed []string
}

func (u *unjoiner) readHost(ctx context.Context) error {
	o := u.opts
	if _, err := clusterUID(ctx, u.host.c); err != nil {
		return fmt.Errorf("cannot reach host cluster %s at %s: %w: check --host-cluster-context and that the cluster is up", u.host.name, o.HostConfig.Host, err)
	}
	scope, err := readScope(ctx, u.host.c, o.KubeFedNamespace, u.host.name, u.p)
	if err != nil {
		return err
	}
	u.scope = scope
	kfc := &fedcorev1b1.KubeFedCluster{}
	err = u.host.c.Get(ctx, client.ObjectKey{Namespace: o.KubeFedNamespace, Name: o.ClusterName}, kfc)
	switch {
	case meta.IsNoMatchError(err):
		u.p.v(1, "%s: the KubeFedCluster CRD is not installed", u.host.name)
	case apierrors.IsNotFound(err):
		u.p.v(1, "%s: no KubeFedCluster %s/%s", u.host.name, o.KubeFedNamespace, o.ClusterName)
	case err != nil:
		return fmt.Errorf("reading KubeFedCluster %s/%s in host cluster %s: %w", o.KubeFedNamespace, o.ClusterName, u.host.name, err)
	default:
		u.kubefedCluster = kfc
	}
	return nil
}

func (u *unjoiner) connectMember(ctx context.Context) error {
	o := u.opts
	if o.ClusterConfig == nil {
		return fmt.Errorf("member cluster %s: no client configuration (see --cluster-context)", o.ClusterName)
	}
	mc, err := newClient(o.ClusterConfig)
	if err != nil {
		return fmt.Errorf("connecting to member cluster %s: %w", o.ClusterName, err)
	}
	u.member = &side{name: o.ClusterName, role: "member cluster", kubeContext: o.ClusterContext, c: mc}
	memberUID, err := clusterUID(ctx, mc)
	if err != nil {
		return fmt.Errorf("cannot reach member cluster %s at %s: %w", o.ClusterName, o.ClusterConfig.Host, err)
	}
	hostUID, err := clusterUID(ctx, u.host.c)
	if err != nil {
		return fmt.Errorf("cannot reach host cluster %s: %w", u.host.name, err)
	}
	u.memberIsHost = memberUID == hostUID
	return nil
}

// memberObjects returns what join may have created in the member, in
// deletion order: both scopes' RBAC (the scope may have been different when
// the cluster was joined), then the token Secret, the ServiceAccount and the
// namespace.
func (u *unjoiner) memberObjects() []plannedObject {
	ns := u.opts.KubeFedNamespace
	namespaced := memberPlan(ns, u.saName, apiextensionsv1.NamespaceScoped)
	cluster := memberPlan(ns, u.saName, apiextensionsv1.ClusterScoped)
	var out []plannedObject
	// Bindings before their roles, so that nothing is bound to a missing
	// role in between.
	for _, plan := range [][]plannedObject{cluster[3:], namespaced[3:]} {
		for i := len(plan) - 1; i >= 0; i-- {
			out = append(out, plan[i])
		}
	}
	return append(out, cluster[2], cluster[1], cluster[0])
}

func (u *unjoiner) cleanMember(ctx context.Context) error {
	ns := u.opts.KubeFedNamespace
	// foreign holds the names of bindings that exist but do not bind this
	// join's ServiceAccount; their roles are left alone too.
	foreign := map[string]bool{}
	var errs []error
	for _, po := range u.memberObjects() {
		kind := kindOf(po.obj)
		ref := objectRef(kind, po.obj)
		obj := po.obj.DeepCopyObject().(client.Object)
		err := u.member.c.Get(ctx, client.ObjectKeyFromObject(po.obj), obj)
		if apierrors.IsNotFound(err) {
			u.p.v(1, "%s: %s not found", u.member.name, ref)
			continue
		}
		if err != nil {
			errs = append(errs, u.memberFailure(ref, fmt.Errorf("reading %s in %s: %w", ref, u.member, err)))
			continue
		}
		u.foundInMember++
		if subjects, _ := bindingOf(obj); subjects != nil && !boundTo(obj, ns, u.saName) {
			foreign[kind+"/"+obj.GetName()] = true
			u.p.step(u.member.name, "kept %s: it does not bind ServiceAccount %s/%s", ref, ns, u.saName)
			continue
		}
		if rulesOf(obj) != nil && foreign[strings.TrimSuffix(kind, "Role")+"RoleBinding/"+obj.GetName()] {
			u.p.step(u.member.name, "kept %s: its binding belongs to another control plane", ref)
			continue
		}
		if _, ok := obj.(*corev1.Namespace); ok {
			if keep := u.keepNamespace(ctx); keep != "" {
				u.p.step(u.member.name, "kept %s: %s", ref, keep)
				continue
			}
		}
		if u.opts.DryRun {
			u.p.step(u.member.name, "would delete %s", ref)
			continue
		}
		if err := u.member.c.Delete(ctx, obj, client.PropagationPolicy(metav1.DeletePropagationBackground)); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, u.memberFailure(ref, fmt.Errorf("deleting %s in %s: %w", ref, u.member, err)))
			continue
		}
		u.p.step(u.member.name, "deleted %s", ref)
	}
	return errors.Join(errs...)
}

func (u *unjoiner) memberFailure(ref string, err error) error {
	u.failed = append(u.failed, ref)
	u.p.step(u.member.name, "could not clean up %s: %v", ref, err)
	return err
}

// keepNamespace returns why the member's control-plane namespace must stay,
// or "" when unjoin may delete it.
func (u *unjoiner) keepNamespace(ctx context.Context) string {
	if u.memberIsHost {
		return "it is the host's control-plane namespace"
	}
	var sas corev1.ServiceAccountList
	if err := u.member.c.List(ctx, &sas, client.InNamespace(u.opts.KubeFedNamespace)); err != nil {
		return fmt.Sprintf("could not list its ServiceAccounts to see whether other hosts use it (%v)", err)
	}
	var others []string
	for _, sa := range sas.Items {
		if sa.Name != "default" && sa.Name != u.saName {
			others = append(others, sa.Name)
		}
	}
	if len(others) > 0 {
		slices.Sort(others)
		return "it holds other ServiceAccounts (" + strings.Join(others, ", ") + "), probably of joins to other hosts"
	}
	return ""
}

// remainingCommands returns the kubectl commands that remove from the member
// what the join of the control plane's scope created.
func (u *unjoiner) remainingCommands() []string {
	plan := memberPlan(u.opts.KubeFedNamespace, u.saName, u.scope)
	var out []string
	for i := len(plan) - 1; i >= 0; i-- {
		po := plan[i]
		if _, ok := po.obj.(*corev1.Namespace); ok {
			out = append(out, deleteCommand(u.opts.ClusterContext, "namespace", po.obj)+"   # unless other hosts or workloads use it")
			continue
		}
		out = append(out, deleteCommand(u.opts.ClusterContext, kindOf(po.obj), po.obj))
	}
	return out
}

func (u *unjoiner) cleanHost(ctx context.Context) error {
	kfc := u.kubefedCluster
	if kfc == nil {
		return nil
	}
	var objs []client.Object
	if name := kfc.Spec.SecretRef.Name; name != "" {
		objs = append(objs, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: kfc.Namespace, Name: name}})
	}
	objs = append(objs, kfc)
	for _, obj := range objs {
		ref := objectRef(kindOf(obj), obj)
		if u.opts.DryRun {
			u.p.step(u.host.name, "would delete %s", ref)
			continue
		}
		err := u.host.c.Delete(ctx, obj)
		switch {
		case apierrors.IsNotFound(err):
			u.p.step(u.host.name, "%s was already gone", ref)
		case err != nil:
			return fmt.Errorf("deleting %s in %s: %w; unjoin again to retry", ref, u.host, err)
		default:
			u.p.step(u.host.name, "deleted %s", ref)
		}
	}
	return nil
}
