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
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// scheme knows the built-in kinds, CRDs and KubeFed's core kinds; federated
// and target objects are read and written as unstructured objects.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(fedcorev1b1.AddToScheme(s))
	utilruntime.Must(fedcorev1a1.AddToScheme(s))
	utilruntime.Must(apiextensionsv1.AddToScheme(s))
	return s
}()

// Scheme returns the scheme of kubefedctl's clients, for tests that read
// what the commands wrote; it must not be changed.
func Scheme() *runtime.Scheme { return scheme }

// requestTimeout bounds every request to a cluster, so that an unreachable
// member fails a command in seconds rather than hanging it.
const requestTimeout = 20 * time.Second

func newClient(cfg *rest.Config) (client.Client, error) {
	cfg = rest.CopyConfig(cfg)
	if cfg.Timeout == 0 {
		cfg.Timeout = requestTimeout
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}

// kindOf returns the kind of a typed object, for messages.
func kindOf(obj client.Object) string {
	gvk, err := apiutil.GVKForObject(obj, scheme)
	if err != nil {
		return fmt.Sprintf("%T", obj)
	}
	return gvk.Kind
}

// clusterUID identifies a cluster by the UID of its kube-system namespace,
// which lets join and unjoin tell that the member is the host itself even
// when the two are reached through different contexts or addresses.
func clusterUID(ctx context.Context, c client.Client) (string, error) {
	ns := &corev1.Namespace{}
	if err := c.Get(ctx, client.ObjectKey{Name: metav1.NamespaceSystem}, ns); err != nil {
		return "", err
	}
	return string(ns.UID), nil
}

// readScope returns the scope of the control plane from the KubeFedConfig
// in its namespace. A host without a KubeFedConfig (or without its CRD) is
// treated as Cluster scope, KubeFed's default, and the reason is printed at
// verbosity 1.
func readScope(ctx context.Context, host client.Client, namespace, hostName string, p *printer) (apiextensionsv1.ResourceScope, error) {
	cfg := &fedcorev1b1.KubeFedConfig{}
	err := host.Get(ctx, client.ObjectKey{Namespace: namespace, Name: fedcorev1b1.KubeFedConfigName}, cfg)
	switch {
	case meta.IsNoMatchError(err):
		p.v(1, "%s: the KubeFedConfig CRD is not installed; assuming Cluster scope", hostName)
		return apiextensionsv1.ClusterScoped, nil
	case apierrors.IsNotFound(err):
		p.v(1, "%s: no KubeFedConfig %s/%s; assuming Cluster scope", hostName, namespace, fedcorev1b1.KubeFedConfigName)
		return apiextensionsv1.ClusterScoped, nil
	case err != nil:
		return "", fmt.Errorf("reading KubeFedConfig %s/%s in host cluster %s: %w", namespace, fedcorev1b1.KubeFedConfigName, hostName, err)
	}
	switch cfg.Spec.Scope {
	case apiextensionsv1.ClusterScoped, apiextensionsv1.NamespaceScoped:
		p.v(1, "%s: KubeFedConfig %s/%s has scope %s", hostName, namespace, cfg.Name, cfg.Spec.Scope)
		return cfg.Spec.Scope, nil
	case "":
		p.v(1, "%s: KubeFedConfig %s/%s has no scope; assuming Cluster scope", hostName, namespace, cfg.Name)
		return apiextensionsv1.ClusterScoped, nil
	default:
		return "", fmt.Errorf("KubeFedConfig %s/%s in host cluster %s has unknown scope %q: set spec.scope to Cluster or Namespaced", namespace, cfg.Name, hostName, cfg.Spec.Scope)
	}
}
