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

// Package multiclusterdns is the wiring of multi-cluster DNS, and nothing
// else: SetupWithManager adds the ServiceDNSRecord and IngressDNSRecord
// status controllers (controllers/servicedns, controllers/ingressdns) and
// the DNSEndpoint controller (controllers/dnsendpoint) to the manager, when
// the multiclusterdns.kubefed.io CRDs are installed and the manager may
// watch them. Its imports of those three controller packages are the one
// documented import of controllers by a controller package; the controllers
// share their library through internal/dnsrecords, not through each other.
// See docs/dns.md.
package multiclusterdns
