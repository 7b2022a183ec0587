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

// Package ingressdns reconciles IngressDNSRecords: it reads the Ingress of
// the record's name and namespace in every Ready member cluster (from the
// member caches, which hold the Ingresses of FederatedIngresses, through a
// watch) and writes into the record's status the clusters whose Ingress has
// a load balancer address. The dnsendpoint controller turns that status
// into A or CNAME records for each host of the record.
package ingressdns
