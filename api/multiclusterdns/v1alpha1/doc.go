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
// Package v1alpha1 holds the multiclusterdns.kubefed.io/v1alpha1 API:
// Domain (a DNS zone of the federation), ServiceDNSRecord and
// IngressDNSRecord (the intent to publish a federated Service's or Ingress's
// load balancers under one name), and DNSEndpoint (the DNS records derived
// from them, the shape external-dns's CRD source reads). Field names and JSON
// tags are KubeFed v0.6's; conditions and observedGeneration in the record
// statuses are additions.
//
// These are control-plane kinds, not federated types: no
// FederatedTypeConfig refers to them.
//
// +kubebuilder:object:generate=true
// +groupName=multiclusterdns.kubefed.io
package v1alpha1
