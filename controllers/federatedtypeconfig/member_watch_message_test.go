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

package federatedtypeconfig

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
)

// TestMemberWatchMessageForbidden: a type a member forbids is named with
// the grant to make, and the message says once that kubefed tries again
// (the member's error says so too, for the objects' status).
func TestMemberWatchMessageForbidden(t *testing.T) {
	ftc := &fedcorev1b1.FederatedTypeConfig{ObjectMeta: metav1.ObjectMeta{Name: "deployments.apps", Generation: 1}}
	ftc.Spec.TargetType = fedcorev1b1.APIResource{Group: "apps", Version: "v1", Kind: "Deployment", PluralName: "deployments", Scope: "Namespaced"}
	forbidden := func(cluster string) error {
		return fmt.Errorf("starting the watch of apps/v1, Kind=Deployment in cluster %s: %w", cluster, &clustercache.ForbiddenError{
			Cluster: cluster, Resource: schema.GroupResource{Group: "apps", Resource: "deployments"}, Verbs: []string{"list", "watch"},
		})
	}
	setMemberWatchesCondition(ftc, map[string]error{"member1": forbidden("member1"), "member2": forbidden("member2")})
	cond := meta.FindStatusCondition(ftc.Status.Conditions, fedcorev1b1.FederatedTypeConfigMemberWatchesReady)
	if cond == nil || cond.Status != metav1.ConditionFalse {
		t.Fatalf("MemberWatchesReady = %+v, want False", cond)
	}
	for _, cluster := range []string{"member1", "member2"} {
		want := "cluster " + cluster + " forbids kubefed to list and watch deployments (API group apps): grant the kubefed service account in cluster " +
			cluster + " list and watch on deployments (API group apps), or re-run kubefedctl join"
		if !strings.Contains(cond.Message, want) {
			t.Errorf("message %q does not contain %q", cond.Message, want)
		}
	}
	if n := strings.Count(cond.Message, "by itself"); n != 1 {
		t.Errorf("message says %d times that kubefed tries again, want once: %q", n, cond.Message)
	}
}
