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

// Package conditions sets the metav1.Condition conditions of KubeFed's
// objects (FederatedTypeConfig, ReplicaSchedulingPreference, the DNS
// records), the one way their controllers set them: a condition carries
// the generation it was computed for, and keeps its lastTransitionTime
// while its status holds (apimachinery's meta.SetStatusCondition). A condition that reports a
// problem may be shown only while the problem lasts (SetProblem).
//
// KubeFedCluster conditions are KubeFed's own type, with probe times and no
// observedGeneration; controllers/kubefedcluster stamps them itself.
package conditions

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Set sets cond (by its Type) in conds for the object's generation.
func Set(conds *[]metav1.Condition, generation int64, cond metav1.Condition) {
	cond.ObservedGeneration = generation
	meta.SetStatusCondition(conds, cond)
}

// StatusFor returns True when ok, else False.
func StatusFor(ok bool) metav1.ConditionStatus {
	if ok {
		return metav1.ConditionTrue
	}
	return metav1.ConditionFalse
}

// SetProblem sets the condition typ, one that reports a problem, to False
// with reason and message, or removes it when message is "" (no problem).
func SetProblem(conds *[]metav1.Condition, generation int64, typ, reason, message string) {
	if message == "" {
		meta.RemoveStatusCondition(conds, typ)
		return
	}
	Set(conds, generation, metav1.Condition{Type: typ, Status: metav1.ConditionFalse, Reason: reason, Message: message})
}
