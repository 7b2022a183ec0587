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

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestKubeFedClusterStatusIsReady(t *testing.T) {
	cond := func(tp ClusterConditionType, st corev1.ConditionStatus) ClusterCondition {
		return ClusterCondition{Type: tp, Status: st}
	}
	for _, tc := range []struct {
		name  string
		conds []ClusterCondition
		want  bool
	}{
		{"no conditions", nil, false},
		{"Ready=True", []ClusterCondition{cond(ClusterReady, corev1.ConditionTrue)}, true},
		{"Ready=False", []ClusterCondition{cond(ClusterReady, corev1.ConditionFalse)}, false},
		{"Ready=Unknown and Offline=True", []ClusterCondition{cond(ClusterReady, corev1.ConditionUnknown), cond(ClusterOffline, corev1.ConditionTrue)}, false},
		{"Ready=False and ConfigMalformed=True", []ClusterCondition{cond(ClusterReady, corev1.ConditionFalse), cond(ClusterConfigMalformed, corev1.ConditionTrue)}, false},
		{"ConfigMalformed=True before Ready=True", []ClusterCondition{cond(ClusterConfigMalformed, corev1.ConditionTrue), cond(ClusterReady, corev1.ConditionTrue)}, false},
		{"Ready=True before ConfigMalformed=True", []ClusterCondition{cond(ClusterReady, corev1.ConditionTrue), cond(ClusterConfigMalformed, corev1.ConditionTrue)}, false},
		{"Ready=True and ConfigMalformed=False", []ClusterCondition{cond(ClusterReady, corev1.ConditionTrue), cond(ClusterConfigMalformed, corev1.ConditionFalse)}, true},
	} {
		s := &KubeFedClusterStatus{Conditions: tc.conds}
		if got := s.IsReady(); got != tc.want {
			t.Errorf("%s: IsReady = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestKubeFedClusterStatusConditionStatus(t *testing.T) {
	s := &KubeFedClusterStatus{Conditions: []ClusterCondition{
		{Type: ClusterReady, Status: corev1.ConditionFalse},
		{Type: ClusterOffline, Status: corev1.ConditionTrue},
	}}
	for tp, want := range map[ClusterConditionType]corev1.ConditionStatus{
		ClusterReady:           corev1.ConditionFalse,
		ClusterOffline:         corev1.ConditionTrue,
		ClusterConfigMalformed: "",
	} {
		if got := s.ConditionStatus(tp); got != want {
			t.Errorf("ConditionStatus(%s) = %q, want %q", tp, got, want)
		}
	}
}
