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

package api

import (
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// TestMultiClusterDNSValidation checks the CEL rules of the
// multiclusterdns.kubefed.io CRDs: names that could not be published are
// refused with a message saying what is expected.
func TestMultiClusterDNSValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, manifest, want string
	}{
		{"domain with a trailing dot", `
apiVersion: multiclusterdns.kubefed.io/v1alpha1
kind: Domain
metadata: {name: trailing-dot, namespace: invalid-objects}
domain: example.com.`, "domain must be a lower-case DNS name"},
		{"domain with upper case", `
apiVersion: multiclusterdns.kubefed.io/v1alpha1
kind: Domain
metadata: {name: upper, namespace: invalid-objects}
domain: Example.COM`, "domain must be a lower-case DNS name"},
		{"domainRef that is not a DNS label", `
apiVersion: multiclusterdns.kubefed.io/v1alpha1
kind: ServiceDNSRecord
metadata: {name: bad-ref, namespace: invalid-objects}
spec: {domainRef: my.domain}`, "domainRef must be a DNS label"},
		{"missing domainRef", `
apiVersion: multiclusterdns.kubefed.io/v1alpha1
kind: ServiceDNSRecord
metadata: {name: no-ref, namespace: invalid-objects}
spec: {dnsPrefix: www}`, "spec.domainRef: Required value"},
		{"dnsPrefix with spaces", `
apiVersion: multiclusterdns.kubefed.io/v1alpha1
kind: ServiceDNSRecord
metadata: {name: bad-prefix, namespace: invalid-objects}
spec: {domainRef: d, dnsPrefix: "w w"}`, "dnsPrefix must be lower-case DNS labels"},
		{"negative TTL", `
apiVersion: multiclusterdns.kubefed.io/v1alpha1
kind: ServiceDNSRecord
metadata: {name: bad-ttl, namespace: invalid-objects}
spec: {domainRef: d, recordTTL: -1}`, "spec.recordTTL"},
		{"ingress host with a wildcard", `
apiVersion: multiclusterdns.kubefed.io/v1alpha1
kind: IngressDNSRecord
metadata: {name: bad-host, namespace: invalid-objects}
spec: {hosts: ["*.example.com"]}`, "each host must be a lower-case DNS name"},
	}
	first := true
	for _, tt := range tests {
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(tt.manifest), &obj.Object); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if first {
			ensureNamespaces(t, obj)
			first = false
		}
		t.Run(tt.name, func(t *testing.T) {
			err := k8sClient.Create(testContext(t), obj)
			if !apierrors.IsInvalid(err) {
				t.Fatalf("creating %s: got %v, want an Invalid error", obj.GetName(), err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}
