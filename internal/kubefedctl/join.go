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
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// DefaultTokenTimeout is how long join waits for the token controller of the
// joining cluster to fill the service account token Secret.
const DefaultTokenTimeout = 30 * time.Second

// JoinOptions configure Join.
type JoinOptions struct {
	// ClusterName is the name of the KubeFedCluster to create; it must be a
	// DNS subdomain.
	ClusterName string
	// HostClusterName names the host in the joining cluster's ServiceAccount
	// (<cluster>-<host>), so that one cluster can be joined to several
	// hosts.
	HostClusterName string
	// HostConfig connects to the host cluster.
	HostConfig *rest.Config
	// ClusterConfig connects to the joining cluster with enough rights to
	// create a namespace and cluster RBAC. Its Host becomes the
	// KubeFedCluster's apiEndpoint, its CA (CAData) the caBundle, and its
	// Insecure flag and Proxy are carried over too.
	ClusterConfig *rest.Config
	// KubeFedNamespace is the control plane's namespace, in the host and in
	// the joining cluster; DefaultKubeFedSystemNamespace when empty.
	KubeFedNamespace string
	// SecretName names the host Secret that holds the cluster's token; when
	// empty the API server generates "<cluster>-xxxxx" (or, on a re-join,
	// the Secret the KubeFedCluster already names is reused).
	SecretName string
	// Scope of the control plane; read from the KubeFedConfig in the host
	// when empty.
	Scope apiextensionsv1.ResourceScope
	// ErrorOnExisting makes join fail, before it changes anything, when an
	// object it would create already exists. When false, existing objects
	// are updated to what join would have created. The command line's
	// default is true.
	ErrorOnExisting bool
	// DryRun prints what join would do and changes nothing.
	DryRun bool
	// TokenTimeout bounds the wait for the service account token;
	// DefaultTokenTimeout when zero.
	TokenTimeout time.Duration
	// HostContext and ClusterContext are the kubeconfig contexts of the two
	// clusters, used only in the kubectl commands that messages suggest.
	HostContext, ClusterContext string
	// Out receives one line per step; nil discards them.
	Out io.Writer
	// Verbosity above 0 prints more detail.
	Verbosity int
}

func (o *JoinOptions) complete() error {
	if o.KubeFedNamespace == "" {
		o.KubeFedNamespace = fedcorev1b1.DefaultKubeFedSystemNamespace
	}
	if o.TokenTimeout == 0 {
		o.TokenTimeout = DefaultTokenTimeout
	}
	if o.HostConfig == nil || o.ClusterConfig == nil {
		return errors.New("join needs a client configuration for the host and for the joining cluster")
	}
	if o.ClusterName == "" {
		return errors.New("name the cluster to join")
	}
	if errs := validation.IsDNS1123Subdomain(o.ClusterName); len(errs) > 0 {
		return fmt.Errorf("cluster name %q is not a valid KubeFedCluster name (%s): use lowercase letters, digits, '-' and '.'", o.ClusterName, strings.Join(errs, "; "))
	}
	if o.HostClusterName == "" {
		return errors.New("name the host cluster (--host-cluster-name)")
	}
	if strings.ContainsAny(o.HostClusterName, ":/") {
		return fmt.Errorf("host cluster name %q may not contain ':' or '/': set --host-cluster-name", o.HostClusterName)
	}
	sa := ServiceAccountName(o.ClusterName, o.HostClusterName)
	if errs := validation.IsDNS1123Subdomain(sa); len(errs) > 0 {
		return fmt.Errorf("service account name %q (<cluster>-<host>) is not valid (%s): choose a cluster name or --host-cluster-name of lowercase letters, digits and '-'", sa, strings.Join(errs, "; "))
	}
	if errs := validation.IsDNS1123Label(o.KubeFedNamespace); len(errs) > 0 {
		return fmt.Errorf("namespace %q is not a valid namespace name (%s)", o.KubeFedNamespace, strings.Join(errs, "; "))
	}
	if o.SecretName != "" {
		if errs := validation.IsDNS1123Subdomain(o.SecretName); len(errs) > 0 {
			return fmt.Errorf("--secret-name %q is not a valid Secret name (%s): use lowercase letters, digits, '-' and '.'; nothing was created", o.SecretName, strings.Join(errs, "; "))
		}
	}
	switch o.Scope {
	case "", apiextensionsv1.ClusterScoped, apiextensionsv1.NamespaceScoped:
	default:
		return fmt.Errorf("unknown scope %q: use Cluster or Namespaced", o.Scope)
	}
	return nil
}

// side is one of the two clusters a command works on.
type side struct {
	// name is the cluster's name in messages.
	name string
	// role is "host cluster" or "member cluster", for messages.
	role string
	// kubeContext is the kubeconfig context, for suggested kubectl commands.
	kubeContext string
	c           client.Client
}

func (s *side) String() string { return s.role + " " + s.name }

// createdObject is an object a join created, kept to roll the join back.
type createdObject struct {
	side *side
	obj  client.Object
}

// joiner holds what one join has read and done.
type joiner struct {
	opts         JoinOptions
	p            *printer
	host, member *side
	scope        apiextensionsv1.ResourceScope
	saName       string
	// memberIsHost is set once both clusters were reached: the cluster joins
	// itself.
	memberIsHost bool
	plan         []plannedObject
	// kubefedCluster is the existing KubeFedCluster, nil when there is none.
	kubefedCluster *fedcorev1b1.KubeFedCluster
	// secretName is the host Secret to write; empty to generate one.
	secretName string
	// created lists, in order, what this join created, for a rollback.
	created []createdObject
}

// Join registers a cluster with a KubeFed control plane, as `kubefedctl
// join` does: in the joining cluster a namespace, a ServiceAccount with an
// explicit token Secret, and RBAC for the control plane's scope; in the
// host a Secret holding the token and the KubeFedCluster. It returns the
// KubeFedCluster (the one it would create, under DryRun).
//
// Everything that can be checked is checked before anything is written.
// When a step fails later, what this join created is deleted again; the
// returned error says what could not be, with the kubectl commands that
// remove it.
func Join(ctx context.Context, opts JoinOptions) (*fedcorev1b1.KubeFedCluster, error) {
	if err := opts.complete(); err != nil {
		return nil, err
	}
	j := &joiner{opts: opts, p: newPrinter(opts.Out, opts.Verbosity), saName: ServiceAccountName(opts.ClusterName, opts.HostClusterName)}
	hc, err := newClient(opts.HostConfig)
	if err != nil {
		return nil, fmt.Errorf("connecting to host cluster %s: %w", opts.HostClusterName, err)
	}
	mc, err := newClient(opts.ClusterConfig)
	if err != nil {
		return nil, fmt.Errorf("connecting to member cluster %s: %w", opts.ClusterName, err)
	}
	j.host = &side{name: opts.HostClusterName, role: "host cluster", kubeContext: opts.HostContext, c: hc}
	j.member = &side{name: opts.ClusterName, role: "member cluster", kubeContext: opts.ClusterContext, c: mc}

	if err := j.preflight(ctx); err != nil {
		return nil, fmt.Errorf("joining cluster %s: %w; nothing was changed", opts.ClusterName, err)
	}
	verb := "Joining"
	if opts.DryRun {
		verb = "Dry run: joining"
	}
	j.p.line("%s cluster %s to host cluster %s (namespace %s, scope %s)", verb, opts.ClusterName, opts.HostClusterName, opts.KubeFedNamespace, j.scope)
	kfc, err := j.run(ctx)
	if err != nil {
		return nil, j.rollback(ctx, err)
	}
	ns := opts.KubeFedNamespace
	if opts.DryRun {
		j.p.line("Dry run: nothing was changed. Run the command again without --dry-run to join cluster %s.", opts.ClusterName)
		return kfc, nil
	}
	j.p.line("Cluster %s joined to host cluster %s as KubeFedCluster %s/%s.", opts.ClusterName, opts.HostClusterName, ns, kfc.Name)
	j.p.line("Check that it becomes ready with: %s", kubectlCommand(opts.HostContext, ns, "get kubefedclusters"))
	return kfc, nil
}

// kubectlCommand returns a kubectl command line for messages.
func kubectlCommand(kubeContext, namespace, args string) string {
	cmd := "kubectl"
	if kubeContext != "" {
		cmd += " --context " + kubeContext
	}
	if namespace != "" {
		cmd += " -n " + namespace
	}
	return cmd + " " + args
}

// preflight reads both clusters and checks everything that can fail before
// anything is written: reachability, the host's namespace and CRD, names,
// objects that already exist, and the host objects' validity (by creating
// them in server-side dry-run mode).
func (j *joiner) preflight(ctx context.Context) error {
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
	if err := j.waitNamespaceGone(ctx); err != nil {
		return err
	}

	ns := &corev1.Namespace{}
	if err := j.host.c.Get(ctx, client.ObjectKey{Name: o.KubeFedNamespace}, ns); err != nil {
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("namespace %s does not exist in host cluster %s: install the KubeFed control plane there first, or name its namespace with --kubefed-namespace", o.KubeFedNamespace, j.host.name)
		}
		return fmt.Errorf("reading namespace %s in host cluster %s: %w", o.KubeFedNamespace, j.host.name, err)
	}

	j.scope = o.Scope
	if j.scope == "" {
		if j.scope, err = readScope(ctx, j.host.c, o.KubeFedNamespace, j.host.name, j.p); err != nil {
			return err
		}
	}
	j.plan = memberPlan(o.KubeFedNamespace, j.saName, j.scope)

	var existing []string
	kfc := &fedcorev1b1.KubeFedCluster{}
	err = j.host.c.Get(ctx, client.ObjectKey{Namespace: o.KubeFedNamespace, Name: o.ClusterName}, kfc)
	switch {
	case meta.IsNoMatchError(err):
		return fmt.Errorf("the KubeFedCluster CRD (kubefedclusters.core.kubefed.io) is not installed in host cluster %s: install the KubeFed control plane (its Helm chart, or the CRDs in config/crd) first", j.host.name)
	case apierrors.IsNotFound(err):
	case err != nil:
		return fmt.Errorf("reading KubeFedCluster %s/%s in host cluster %s: %w", o.KubeFedNamespace, o.ClusterName, j.host.name, err)
	default:
		j.kubefedCluster = kfc
		existing = append(existing, fmt.Sprintf("KubeFedCluster %s/%s in %s", kfc.Namespace, kfc.Name, j.host))
	}

	j.secretName = o.SecretName
	if j.secretName == "" && j.kubefedCluster != nil {
		j.secretName = j.kubefedCluster.Spec.SecretRef.Name
	}
	if j.memberIsHost && j.secretName == TokenSecretName(o.ClusterName, o.HostClusterName) {
		return fmt.Errorf("--secret-name %s is the name of the service account token Secret join creates in the same namespace of the same cluster: choose another name", j.secretName)
	}
	if o.SecretName != "" {
		s := &corev1.Secret{}
		err := j.host.c.Get(ctx, client.ObjectKey{Namespace: o.KubeFedNamespace, Name: o.SecretName}, s)
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			return fmt.Errorf("reading Secret %s/%s in host cluster %s: %w", o.KubeFedNamespace, o.SecretName, j.host.name, err)
		default:
			existing = append(existing, fmt.Sprintf("Secret %s/%s in %s", s.Namespace, s.Name, j.host))
		}
	}

	for _, po := range j.plan {
		obj := po.obj.DeepCopyObject().(client.Object)
		err := j.member.c.Get(ctx, client.ObjectKeyFromObject(po.obj), obj)
		ref := objectRef(kindOf(po.obj), po.obj)
		switch {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return fmt.Errorf("reading %s in %s: %w", ref, j.member, err)
		}
		if s, ok := obj.(*corev1.Secret); ok && (s.Type != corev1.SecretTypeServiceAccountToken || s.Annotations[corev1.ServiceAccountNameKey] != j.saName) {
			return fmt.Errorf("%s in %s exists but is not the token of ServiceAccount %s: remove it (%s) and join again", ref, j.member, j.saName, deleteCommand(j.member.kubeContext, "secret", s))
		}
		if !po.shared {
			existing = append(existing, fmt.Sprintf("%s in %s", ref, j.member))
		}
	}
	if len(existing) > 0 && o.ErrorOnExisting {
		return fmt.Errorf("cluster %s is already joined, or partly: %s already exist(s). Run 'kubefedctl unjoin %s' to remove them, or join again with --error-on-existing=false to update them in place",
			o.ClusterName, strings.Join(existing, ", "), o.ClusterName)
	}
	for _, e := range existing {
		j.p.v(1, "found existing %s; it will be updated if needed", e)
	}
	return j.validateHostObjects(ctx)
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

// rollback deletes, newest first, what this join created, and returns the
// join's error extended by what was and was not removed.
func (j *joiner) rollback(ctx context.Context, cause error) error {
	if len(j.created) == 0 {
		return fmt.Errorf("joining cluster %s: %w\nNothing was created; fix the cause and join again", j.opts.ClusterName, cause)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var left []string
	for i := len(j.created) - 1; i >= 0; i-- {
		co := j.created[i]
		kind := kindOf(co.obj)
		err := co.side.c.Delete(ctx, co.obj, client.PropagationPolicy(metav1.DeletePropagationBackground))
		if err != nil && !apierrors.IsNotFound(err) {
			j.p.step(co.side.name, "could not delete %s: %v", objectRef(kind, co.obj), err)
			left = append(left, "  "+deleteCommand(co.side.kubeContext, kind, co.obj))
			continue
		}
		j.p.step(co.side.name, "deleted %s (rollback)", objectRef(kind, co.obj))
	}
	if len(left) == 0 {
		return fmt.Errorf("joining cluster %s: %w\nEverything this join had created was deleted again; fix the cause and join again", j.opts.ClusterName, cause)
	}
	return fmt.Errorf("joining cluster %s: %w\nThe rollback could not delete everything this join had created; remove the rest with:\n%s",
		j.opts.ClusterName, cause, strings.Join(left, "\n"))
}
