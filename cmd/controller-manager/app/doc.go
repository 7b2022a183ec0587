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

// Package app is the composition root of the controller-manager: it reads
// (and if needed creates) the KubeFedConfig, builds the controller-runtime
// manager with leader election and a host cache scoped to what the
// controllers need, and registers every controller with the shared member
// connections (internal/clustercache) in one function, addControllers.
// cmd/controller-manager is a thin main over it, and tests run the same code
// in-process. It lives under cmd/ because it imports the controllers:
// nothing under internal/ does. It also joins what the controllers must not
// import from each other: it builds the Supervisor of the per-type sync
// controllers (controllers/propagation), hands it to the FederatedTypeConfig
// reconciler as its SyncControllers, and gives it the host kinds the
// scheduling controller watches through the shared host cache
// (scheduling.HostKinds, the one list of them), whose informers it must keep.
// The wiring of multi-cluster DNS is here too (dns.go, addDNSControllers):
// it adds the ServiceDNSRecord, IngressDNSRecord and DNSEndpoint controllers
// only when their CRDs are installed and the manager may watch them; the
// three share their library through internal/dnsrecords.
package app
