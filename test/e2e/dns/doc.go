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

// Package dns holds the end-to-end test of multi-cluster DNS: a host and
// three members with regions and zones, the Helm chart installed in the host
// and bin/controller-manager running with the chart's ServiceAccount
// identity, the load-balancer simulator of test/framework giving member
// Services and Ingresses addresses, and a real DNS stack: external-dns
// (CRD source, coredns provider) writing the DNSEndpoints into an etcd that
// bin/coredns serves on a loopback port. The test resolves the published
// names with a DNS client and prints how long a member change takes to
// change the DNS answer.
//
// It needs the binaries of make build and make tools in $KUBEFED_BIN_DIR.
package dns
