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
	"net"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// CleanLoadBalancer returns the load balancer entries that can be
// published: an IP address, or else a valid DNS host name. Invalid host
// names are returned apart so that the status can name them.
func CleanLoadBalancer(in []corev1.LoadBalancerIngress) (valid []corev1.LoadBalancerIngress, invalid []string) {
	for _, lb := range in {
		switch {
		case lb.IP != "" && net.ParseIP(lb.IP) != nil:
			valid = append(valid, corev1.LoadBalancerIngress{IP: lb.IP})
		case lb.Hostname != "":
			h := strings.TrimSuffix(lb.Hostname, ".")
			if len(validation.IsDNS1123Subdomain(h)) == 0 && strings.Contains(h, ".") {
				valid = append(valid, corev1.LoadBalancerIngress{Hostname: h})
			} else {
				invalid = append(invalid, lb.Hostname)
			}
		case lb.IP != "":
			invalid = append(invalid, lb.IP)
		}
	}
	return valid, invalid
}

// SortLoadBalancer returns the IP and host name of each load balancer
// entry, ordered as KubeFed v0.6 ordered them in a record's status (by IP,
// then by host name; entries without an IP first), so that an unchanged
// member status gives an unchanged record status.
func SortLoadBalancer(in []corev1.LoadBalancerIngress) []corev1.LoadBalancerIngress {
	if len(in) == 0 {
		return nil
	}
	out := make([]corev1.LoadBalancerIngress, 0, len(in))
	for _, lb := range in {
		out = append(out, corev1.LoadBalancerIngress{IP: lb.IP, Hostname: lb.Hostname})
	}
	slices.SortFunc(out, func(a, b corev1.LoadBalancerIngress) int {
		if c := strings.Compare(a.IP, b.IP); c != 0 {
			return c
		}
		return strings.Compare(a.Hostname, b.Hostname)
	})
	return out
}
