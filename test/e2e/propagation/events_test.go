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

package propagation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// TestSyncEvents checks that the sync controllers' events reach the host
// through the events.k8s.io/v1 API under the chart's identity: a member
// copy deleted behind KubeFed's back is created again, and the federated
// object gets a CreateInCluster event naming the member (docs/user-guide.md:
// a deleted copy recreated records an event).
func TestSyncEvents(t *testing.T) {
	e := e2eutil.Setup(t, 2)
	obj := loadFixture(t, "configmap.yaml")
	ft := typeOf(t, e, obj.GetKind())
	ft.placeForTest(t, e, obj, "events", bothMembers)
	e.DumpOnFailure(t, obj.GetNamespace(), obj.GetName())
	create(t, e, obj)
	ft.waitPropagated(t, e, obj, bothMembers...)

	if err := e.Cluster(member1).Delete(t.Context(), ft.mustMember(t, e, member1, obj)); err != nil {
		t.Fatalf("deleting the %s copy of %s: %v", member1, describe(obj), err)
	}
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		list := &eventsv1.EventList{}
		if err := e.Host.List(ctx, list, client.InNamespace(obj.GetNamespace())); err != nil {
			return err
		}
		var seen []string
		for _, ev := range list.Items {
			if ev.Regarding.Kind != obj.GetKind() || ev.Regarding.Name != obj.GetName() {
				continue
			}
			seen = append(seen, fmt.Sprintf("%s %s %s by %s: %q", ev.Type, ev.Reason, ev.Action, ev.ReportingController, ev.Note))
			if ev.Type == corev1.EventTypeNormal && ev.Reason == "CreateInCluster" && ev.ReportingController == "kubefed-sync" &&
				strings.Contains(ev.Note, member1) && !strings.Contains(ev.Note, member2) {
				return nil
			}
		}
		return fmt.Errorf("events on it: %v", seen)
	}, "%s: a Normal CreateInCluster event from kubefed-sync naming %s alone", describe(obj), member1)
}
