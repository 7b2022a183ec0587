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

package kubefedctl

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

func TestClusterHealth(t *testing.T) {
	cond := func(tp fedcorev1b1.ClusterConditionType, st corev1.ConditionStatus) fedcorev1b1.ClusterCondition {
		return fedcorev1b1.ClusterCondition{Type: tp, Status: st}
	}
	for _, tc := range []struct {
		name  string
		conds []fedcorev1b1.ClusterCondition
		want  string
	}{
		{"no condition yet", nil, "Unknown"},
		{"Ready", []fedcorev1b1.ClusterCondition{cond(fedcorev1b1.ClusterReady, corev1.ConditionTrue)}, "Ready"},
		{"Ready=False", []fedcorev1b1.ClusterCondition{cond(fedcorev1b1.ClusterReady, corev1.ConditionFalse)}, "NotReady"},
		{"unreachable", []fedcorev1b1.ClusterCondition{cond(fedcorev1b1.ClusterReady, corev1.ConditionUnknown), cond(fedcorev1b1.ClusterOffline, corev1.ConditionTrue)}, "Offline"},
		{"Offline before Ready", []fedcorev1b1.ClusterCondition{cond(fedcorev1b1.ClusterOffline, corev1.ConditionTrue), cond(fedcorev1b1.ClusterReady, corev1.ConditionTrue)}, "Offline"},
		{"reachable again", []fedcorev1b1.ClusterCondition{cond(fedcorev1b1.ClusterReady, corev1.ConditionTrue), cond(fedcorev1b1.ClusterOffline, corev1.ConditionFalse)}, "Ready"},
		// A malformed configuration is not Ready, whatever Ready says
		// (KubeFedClusterStatus.IsReady).
		{"Ready with a malformed configuration", []fedcorev1b1.ClusterCondition{cond(fedcorev1b1.ClusterReady, corev1.ConditionTrue), cond(fedcorev1b1.ClusterConfigMalformed, corev1.ConditionTrue)}, "NotReady"},
	} {
		kfc := &fedcorev1b1.KubeFedCluster{Status: fedcorev1b1.KubeFedClusterStatus{Conditions: tc.conds}}
		if got := ClusterHealth(kfc); got != tc.want {
			t.Errorf("%s: ClusterHealth = %s, want %s", tc.name, got, tc.want)
		}
	}
}
