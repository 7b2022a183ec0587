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

package dnsrecords

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
)

func TestCleanLoadBalancer(t *testing.T) {
	in := []corev1.LoadBalancerIngress{
		{IP: "198.51.100.17"},
		{IP: "fd00::1"},
		{Hostname: "lb-1.eu.example.net."},
		{Hostname: "Bad_Host!"},
		{Hostname: "localhost"},
		{IP: "not-an-ip"},
		{},
	}
	valid, invalid := CleanLoadBalancer(in)
	want := []corev1.LoadBalancerIngress{{IP: "198.51.100.17"}, {IP: "fd00::1"}, {Hostname: "lb-1.eu.example.net"}}
	if !equality.Semantic.DeepEqual(valid, want) {
		t.Errorf("valid = %+v, want %+v", valid, want)
	}
	if w := []string{"Bad_Host!", "localhost", "not-an-ip"}; !slices.Equal(invalid, w) {
		t.Errorf("invalid = %v, want %v", invalid, w)
	}
}
