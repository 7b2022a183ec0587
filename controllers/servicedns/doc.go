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

// Package servicedns reconciles ServiceDNSRecords: it finds, in every Ready
// member cluster, the Service of the record's name and namespace, and
// writes the record's status as KubeFed v0.6 did: every Ready cluster with
// its region and zones, and its Service's load balancer when the Service
// has a ready endpoint (or the record allows Services without endpoints),
// and the Domain's zone. The dnsendpoint controller turns that status into
// DNS records.
//
// Member objects are read from the member caches and reach the controller
// through watches (Services, EndpointSlices), cluster health through the
// KubeFedCluster status and the member connection events: nothing polls.
// The caches hold objects labelled kubefed.io/managed; the Services of
// FederatedServices carry that label, and so do their EndpointSlices,
// because the EndpointSlice controller copies a Service's labels onto its
// slices. A Service without a selector has its endpoints written by hand
// as Endpoints, which kube-controller-manager mirrors into EndpointSlices
// with the Endpoints' labels: those are read from the member's API server,
// and watched through the mirroring controller's label. Services created in
// members by hand are not seen, as in KubeFed, where DNS records are for
// federated Services.
package servicedns
