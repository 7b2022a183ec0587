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
	"fmt"
	"net/http"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ClusterAccess is one cluster as a kubeconfig context describes it.
type ClusterAccess struct {
	// Context is the kubeconfig context the access was loaded from.
	Context string
	// Config connects to the cluster with the context's credentials. Its
	// CAData holds the CA even when the kubeconfig names a file, because
	// join copies the CA into the KubeFedCluster.
	Config *rest.Config
	// Namespace is the context's namespace, "default" when it names none:
	// where federate, orphaning-deletion and status look for an object
	// when -n is not given, as kubectl does.
	Namespace string
}

// LoadContext reads a context from a kubeconfig: the file at path, or when
// path is empty the files kubectl reads ($KUBECONFIG, ~/.kube/config).
// An empty contextName selects the current context.
func LoadContext(path, contextName string) (*ClusterAccess, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = path
	where := "the kubeconfig"
	if path != "" {
		where = "kubeconfig " + path
	}
	raw, err := rules.Load()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", where, err)
	}
	name := contextName
	if name == "" {
		name = raw.CurrentContext
		if name == "" {
			return nil, fmt.Errorf("%s has no current context: name one with --host-cluster-context", where)
		}
	}
	if _, ok := raw.Contexts[name]; !ok {
		return nil, fmt.Errorf("context %q not found in %s: list the contexts with 'kubectl config get-contexts'", name, where)
	}
	cc := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, rules)
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("building a client for context %q of %s: %w", name, where, err)
	}
	// A CA given as a file path (relative paths are already resolved
	// against the kubeconfig's directory) is read here so that the bytes
	// can be copied into the KubeFedCluster.
	if len(cfg.CAData) == 0 && cfg.CAFile != "" {
		if err := rest.LoadTLSFiles(cfg); err != nil {
			return nil, fmt.Errorf("reading the certificate files of context %q of %s: %w", name, where, err)
		}
	}
	namespace, _, err := cc.Namespace()
	if err != nil || namespace == "" {
		namespace = "default"
	}
	return &ClusterAccess{Context: name, Config: cfg, Namespace: namespace}, nil
}

// proxyURLOf returns the proxy a client config sends its requests to the
// API server through, or "" when it uses none. clientcmd sets Proxy only
// when the kubeconfig has a proxy-url, so the environment's proxy settings
// do not end up in the KubeFedCluster.
func proxyURLOf(cfg *rest.Config) (string, error) {
	if cfg.Proxy == nil {
		return "", nil
	}
	req, err := http.NewRequest(http.MethodGet, cfg.Host, nil)
	if err != nil {
		return "", fmt.Errorf("API endpoint %q is not a URL: %w", cfg.Host, err)
	}
	u, err := cfg.Proxy(req)
	if err != nil {
		return "", fmt.Errorf("reading the proxy URL for %s: %w", cfg.Host, err)
	}
	if u == nil {
		return "", nil
	}
	return u.String(), nil
}
