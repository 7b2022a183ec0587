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

package v1beta1

import corev1 "k8s.io/api/core/v1"

// IsReady reports whether the status says the member cluster is Ready: its
// Ready condition is True and its configuration is not malformed. It is the
// one definition of a Ready member: the cluster health controller connects
// the members it reports Ready (and so sync and scheduling work with them),
// and the multi-cluster DNS controllers list their addresses. KubeFed v0.10's
// IsClusterReady read the Ready condition alone; a ConfigMalformed=True
// condition next to Ready=True (which no controller of this project writes)
// is not Ready here.
func (s *KubeFedClusterStatus) IsReady() bool {
	ready := false
	for _, c := range s.Conditions {
		switch {
		case c.Type == ClusterConfigMalformed && c.Status == corev1.ConditionTrue:
			return false
		case c.Type == ClusterReady && c.Status == corev1.ConditionTrue:
			ready = true
		}
	}
	return ready
}

// ConditionStatus returns the status of the condition of the given type,
// or "" when the cluster health controller has not written one.
func (s *KubeFedClusterStatus) ConditionStatus(conditionType ClusterConditionType) corev1.ConditionStatus {
	for _, c := range s.Conditions {
		if c.Type == conditionType {
			return c.Status
		}
	}
	return ""
}
