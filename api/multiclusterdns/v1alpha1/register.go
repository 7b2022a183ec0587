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

package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// GroupVersion is the group and version of the multi-cluster DNS API.
var GroupVersion = schema.GroupVersion{Group: "multiclusterdns.kubefed.io", Version: "v1alpha1"}

// SchemeBuilder registers the kinds of this package with a scheme. The list
// below is every kind of multiclusterdns.kubefed.io/v1alpha1, each with its
// List: a kind added to the package is added here.
var SchemeBuilder = (&scheme.Builder{GroupVersion: GroupVersion}).Register(
	&Domain{}, &DomainList{},
	&ServiceDNSRecord{}, &ServiceDNSRecordList{},
	&IngressDNSRecord{}, &IngressDNSRecordList{},
	&DNSEndpoint{}, &DNSEndpointList{},
)

// AddToScheme adds the kinds of this package to a scheme.
var AddToScheme = SchemeBuilder.AddToScheme
