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

// Package dnsrecords is what the controllers of multi-cluster DNS records
// share: the ServiceDNSRecord and IngressDNSRecord status controllers
// (controllers/servicedns, controllers/ingressdns), which KubeFed also
// treated alike, and the DNSEndpoint controller (controllers/dnsendpoint),
// which turns their status into DNS records.
//
//   - kinds.go: the two record kinds (Kind: ServiceRecords, IngressRecords)
//     and the requests for every record of a kind.
//   - controller.go: the status controller of a kind, one skeleton for
//     both: its watches (the records, KubeFedClusters, member connections,
//     member objects of the record's name), and its reconcile: get the
//     record, compute its status, and patch the status once, only when it
//     changed, with an optimistic lock (PatchStatus).
//   - clusters.go: the joined clusters with their health and location, and
//     reading one object from every Ready member in parallel, each read
//     bounded, so that a slow member delays no other.
//   - status.go: the record conditions, and the Tally of per-cluster
//     problems and counts they are set from.
//   - loadbalancer.go: which load balancer addresses can be published, and
//     their order in a record's status (KubeFed v0.6's).
//
// Each controller keeps what is its own: what its status says about each
// cluster (computeStatus) and the DNS name scheme (controllers/dnsendpoint).
package dnsrecords
