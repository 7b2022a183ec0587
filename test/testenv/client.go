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

package testenv

import (
	"testing"

	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// StartClient starts a test API server without CRDs (StartEnvtest) and
// returns an administrator's client of it, whose scheme holds the kinds
// that addToScheme add (clientgoscheme.AddToScheme, an API group's
// AddToScheme), and the server's configuration.
func StartClient(t testing.TB, addToScheme ...func(*k8sruntime.Scheme) error) (client.Client, *rest.Config) {
	t.Helper()
	c, env := StartClientWith(t, EnvtestOptions{}, addToScheme...)
	return c, env.Config
}

// StartClientWith starts a test API server as opts say (StartEnvtest: the
// CRDs to install) and returns an administrator's client of it, which can
// watch too, and the environment (its Config; AddUser for other
// identities). The client's scheme, which the CRDs are installed with too,
// is opts.Scheme when set, else a new one; addToScheme add their kinds to
// it.
func StartClientWith(t testing.TB, opts EnvtestOptions, addToScheme ...func(*k8sruntime.Scheme) error) (client.WithWatch, *envtest.Environment) {
	t.Helper()
	if opts.Scheme == nil {
		opts.Scheme = k8sruntime.NewScheme()
	}
	for _, add := range addToScheme {
		if err := add(opts.Scheme); err != nil {
			t.Fatal(err)
		}
	}
	env := StartEnvtest(t, opts)
	c, err := client.NewWithWatch(env.Config, client.Options{Scheme: opts.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c, env
}

// ClientAs returns a client of the API server of cfg, with scheme, that
// acts as user, a member of groups, by impersonation: cfg's identity must
// be allowed to impersonate, as a test API server's administrator is.
func ClientAs(t testing.TB, cfg *rest.Config, scheme *k8sruntime.Scheme, user string, groups ...string) client.Client {
	t.Helper()
	cfg = rest.CopyConfig(cfg)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: groups}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
