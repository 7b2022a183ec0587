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

// Package dnsrecordstest holds what the status tests of the record
// controllers (controllers/servicedns, controllers/ingressdns) share: a
// short rendering of the clusters a status lists, and the check of the
// Ready and Available conditions. Tests import it; the controllers do not.
package dnsrecordstest

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
)

// Listed renders the entries of a status.dns, comma-separated, each as
// the name entry gives it, followed by "+" when its load balancer has an
// address: "c1+,c2".
func Listed[E any](entries []E, entry func(E) (name string, lb []corev1.LoadBalancerIngress)) string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		name, lb := entry(e)
		if len(lb) > 0 {
			name += "+"
		}
		out = append(out, name)
	}
	return strings.Join(out, ",")
}

// Conditions is what a test expects of a record's conditions.
type Conditions struct {
	// Ready and ReadyReason are the Ready condition's status and reason.
	Ready       metav1.ConditionStatus
	ReadyReason string
	// Available is the Available condition's status.
	Available metav1.ConditionStatus
	// Mention is text that the Ready or the Available message holds.
	Mention string
}

// CheckConditions checks a record's Ready and Available conditions
// against want, and returns them; the test stops when one is missing.
func CheckConditions(t testing.TB, conds []metav1.Condition, want Conditions) (ready, available *metav1.Condition) {
	t.Helper()
	r := meta.FindStatusCondition(conds, feddnsv1a1.ConditionReady)
	a := meta.FindStatusCondition(conds, feddnsv1a1.ConditionAvailable)
	if r == nil || a == nil {
		t.Fatalf("conditions %+v", conds)
	}
	if r.Status != want.Ready || r.Reason != want.ReadyReason || a.Status != want.Available {
		t.Errorf("Ready=%s %s, Available=%s; want Ready=%s %s, Available=%s", r.Status, r.Reason, a.Status, want.Ready, want.ReadyReason, want.Available)
	}
	if !strings.Contains(r.Message+" | "+a.Message, want.Mention) {
		t.Errorf("messages %q | %q do not mention %q", r.Message, a.Message, want.Mention)
	}
	return r, a
}
