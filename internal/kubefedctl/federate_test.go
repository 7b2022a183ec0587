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
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func mustObject(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := json.Unmarshal([]byte(s), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestFederatedObjectFrom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		target    string
		placement Placement
		want      string
	}{
		{
			name: "Deployment: server metadata, status and revision dropped, every cluster",
			target: `{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "demo", "uid": "1", "resourceVersion": "5",
				"generation": 2, "creationTimestamp": "2026-01-01T00:00:00Z", "managedFields": [{}], "labels": {"app": "web"},
				"annotations": {"deployment.kubernetes.io/revision": "3"}},
				"spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "web"}, "creationTimestamp": null}}}, "status": {"replicas": 2}}`,
			want: `{"apiVersion":"types.kubefed.io/v1beta1","kind":"FederatedDeployment","metadata":{"name":"web","namespace":"demo"},` +
				`"spec":{"placement":{"clusterSelector":{"matchLabels":{}}},"template":{"metadata":{"labels":{"app":"web"}},` +
				`"spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}}}}}}}`,
		},
		{
			name: "Service: cluster IPs and node ports stay the members'",
			target: `{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "demo"},
				"spec": {"clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1"], "type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}}`,
			placement: Placement{Clusters: []string{"a", "b"}},
			want: `{"apiVersion":"types.kubefed.io/v1beta1","kind":"FederatedService","metadata":{"name":"web","namespace":"demo"},` +
				`"spec":{"placement":{"clusters":[{"name":"a"},{"name":"b"}]},"template":{"spec":{"ports":[{"port":80}],"type":"NodePort"}}}}`,
		},
		{
			name:      "Namespace: federated in itself, finalizers dropped, selector",
			target:    `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}, "spec": {"finalizers": ["kubernetes"]}}`,
			placement: Placement{ClusterSelector: map[string]string{"region": "eu"}},
			want: `{"apiVersion":"types.kubefed.io/v1beta1","kind":"FederatedNamespace","metadata":{"name":"demo","namespace":"demo"},` +
				`"spec":{"placement":{"clusterSelector":{"matchLabels":{"region":"eu"}}},"template":{"spec":{}}}}`,
		},
		{
			name:   "ServiceAccount: token Secrets dropped",
			target: `{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa", "namespace": "demo"}, "secrets": [{"name": "sa-token"}]}`,
			want: `{"apiVersion":"types.kubefed.io/v1beta1","kind":"FederatedServiceAccount","metadata":{"name":"sa","namespace":"demo"},` +
				`"spec":{"placement":{"clusterSelector":{"matchLabels":{}}},"template":{}}}`,
		},
		{
			name:   "cluster-scoped ClusterRole",
			target: `{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "reader"}, "rules": []}`,
			want: `{"apiVersion":"types.kubefed.io/v1beta1","kind":"FederatedClusterRole","metadata":{"name":"reader"},` +
				`"spec":{"placement":{"clusterSelector":{"matchLabels":{}}},"template":{"rules":[]}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			target := mustObject(t, tt.target)
			before, _ := json.Marshal(target.Object)
			fedType := generatedFederatedType(target.GroupVersionKind(), target.GetNamespace() != "")
			fed, err := FederatedObjectFrom(target, fedType, tt.placement)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(fed.Object)
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			after, _ := json.Marshal(target.Object)
			if !bytes.Equal(before, after) {
				t.Error("the target object was changed")
			}
		})
	}
}

func TestGeneratedFederatedType(t *testing.T) {
	t.Parallel()
	got := generatedFederatedType(schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}, true)
	if got.Kind != "FederatedNetworkPolicy" || got.PluralName != "federatednetworkpolicies" || got.Group != "types.kubefed.io" || !got.Namespaced() {
		t.Errorf("generated federated type = %+v", got)
	}
}

func TestCompletionAndPlugin(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	cmd := NewCommand()
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"completion", "bash"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "bash completion") || !strings.Contains(out.String(), "kubefedctl") {
		t.Errorf("completion bash printed %.200q", out.String())
	}
	out.Reset()
	plugin := NewCommand()
	SetKubectlPlugin(plugin)
	plugin.SetOut(&out)
	plugin.SetArgs([]string{"--help"})
	if err := plugin.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kubectl kubefed [command]", "enable", "disable", "federate", "orphaning-deletion", "status", "join"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plugin help lacks %q:\n%s", want, out.String())
		}
	}
}
