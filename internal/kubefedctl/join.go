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

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/validation"
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
