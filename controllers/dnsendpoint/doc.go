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

// Package dnsendpoint turns ServiceDNSRecords and IngressDNSRecords into
// DNSEndpoints, the DNS records external-dns publishes.
//
// The record controllers (servicedns, ingressdns) list every Ready cluster
// in the record's status, with its load balancer when it can serve; this
// controller reads only that status, the Domain it resolved, and the regions
// and zones of the joined KubeFedClusters, and writes one DNSEndpoint per
// record (named service-<name> or ingress-<name>, owned by the record, so
// that deleting the record deletes its DNS names). records.go holds KubeFed
// v0.6's name scheme as pure functions. The DNSEndpoint is written only when
// its records changed, and kept as it is while no listed cluster has a load
// balancer to publish.
package dnsendpoint
