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

package rollout_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// manyObjects is how many FederatedConfigMaps roll out side by side.
const manyObjects = 20

var fedConfigMapGVK = fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMap")

// newFederatedConfigMap is the FederatedConfigMap name of data version
// v, placed on the three members, rolled out to member1 first and then to
// the others (selected by an empty selector) one cluster at a time.
func newFederatedConfigMap(ns, name, v string) *unstructured.Unstructured {
	placed := []any{}
	for _, m := range members {
		placed = append(placed, map[string]any{"name": m})
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"metadata": map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{
			"template":  map[string]any{"data": map[string]any{"version": v}},
			"placement": map[string]any{"clusters": placed},
			"rollout": map[string]any{
				"waves": []any{
					map[string]any{"name": "canary", "clusters": []any{map[string]any{"name": "member1"}}},
					map[string]any{"name": "rest", "clusterSelector": map[string]any{}, "maxConcurrentClusters": int64(1)},
				},
				"soakTime": soak.String(),
			},
		},
	}}
	u.SetGroupVersionKind(fedConfigMapGVK)
	return u
}

// versionLog records, from the members' own watches, when each member's
// copy of each ConfigMap was first seen with each data version.
type versionLog struct {
	mu    sync.Mutex
	first map[string]time.Time // member/name/version
}

func followConfigMaps(t *testing.T, e *e2eutil.Env, ns string) *versionLog {
	t.Helper()
	l := &versionLog{first: map[string]time.Time{}}
	followMembers(t, e, &corev1.ConfigMapList{}, []client.ListOption{client.InNamespace(ns), e2eutil.Managed}, func(m string, o client.Object) {
		cm, ok := o.(*corev1.ConfigMap)
		if !ok {
			return
		}
		key := m + "/" + cm.Name + "/" + cm.Data["version"]
		l.mu.Lock()
		defer l.mu.Unlock()
		if _, seen := l.first[key]; !seen {
			l.first[key] = time.Now()
		}
	})
	return l
}

// firstSeen is when member's copy of name was first seen at version v.
func (l *versionLog) firstSeen(member, name, v string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	at, ok := l.first[member+"/"+name+"/"+v]
	return at, ok
}

// testManyObjects rolls a new version of 20 FederatedConfigMaps out at
// once: the objects do not wait for each other (one observation finds
// every one of them soaking in its canary wave at the same time), and in
// the last wave, limited to one cluster at a time, member3 gets each
// object only after member2 (the wave's clusters by name).
func testManyObjects(t *testing.T, e *e2eutil.Env) {
	ns := e.FederatedNamespace(t, "rollout-many", members...)
	e.DumpOnFailure(t, ns)
	versions := followConfigMaps(t, e, ns)
	ctx := t.Context()
	for i := range manyObjects {
		if err := e.Host.Create(ctx, newFederatedConfigMap(ns, fmt.Sprintf("cfg-%02d", i), "v1")); err != nil {
			t.Fatalf("creating FederatedConfigMap %s/cfg-%02d: %v", ns, i, err)
		}
	}
	waitEveryRollout(t, e, ns, "every object's first revision complete", func(ro *fedtypesv1b1.RolloutStatus) bool {
		return ro.Phase == fedtypesv1b1.RolloutPhaseComplete && ro.CurrentRevision == 1
	})

	since := time.Now()
	for i := range manyObjects {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(fedConfigMapGVK)
		u.SetNamespace(ns)
		u.SetName(fmt.Sprintf("cfg-%02d", i))
		if err := e.Host.Patch(ctx, u, client.RawPatch(types.MergePatchType, []byte(`{"spec":{"template":{"data":{"version":"v2"}}}}`))); err != nil {
			t.Fatalf("updating FederatedConfigMap %s/%s: %v", ns, u.GetName(), err)
		}
	}
	t.Logf("%d FederatedConfigMaps updated in %s.", manyObjects, time.Since(since).Round(time.Millisecond))
	waitEveryRollout(t, e, ns, "every object soaking in its canary wave at once", func(ro *fedtypesv1b1.RolloutStatus) bool {
		return ro.Phase == fedtypesv1b1.RolloutPhaseProgressing && ro.CurrentWaveName == "canary" && ro.Reason == fedtypesv1b1.RolloutReasonWaveSoaking
	})
	waitEveryRollout(t, e, ns, "every object's second revision complete", func(ro *fedtypesv1b1.RolloutStatus) bool {
		return ro.Phase == fedtypesv1b1.RolloutPhaseComplete && ro.CurrentRevision == 2
	})
	for i := range manyObjects {
		name := fmt.Sprintf("cfg-%02d", i)
		at := map[string]time.Time{}
		for _, m := range members {
			seen, ok := versions.firstSeen(m, name, "v2")
			if !ok {
				t.Errorf("%s's watch never saw ConfigMap %s at v2", m, name)
			}
			at[m] = seen
		}
		if at["member2"].Before(at["member1"].Add(soak-soakSlack)) || !at["member3"].After(at["member2"]) {
			t.Errorf("ConfigMap %s reached member1 at %s, member2 at %s, member3 at %s: want member2 a soak (%s) after member1, member3 after member2",
				name, at["member1"].Format(time.StampMilli), at["member2"].Format(time.StampMilli), at["member3"].Format(time.StampMilli), soak)
		}
	}
}

// waitEveryRollout waits until one list of the FederatedConfigMaps of ns
// finds manyObjects of them and every one's status.rollout passes ok.
func waitEveryRollout(t *testing.T, e *e2eutil.Env, ns, what string, ok func(*fedtypesv1b1.RolloutStatus) bool) {
	t.Helper()
	e2eutil.Eventually(t, 2*time.Minute, func(ctx context.Context) error {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(fedtypesv1b1.GroupVersion.WithKind("FederatedConfigMapList"))
		if err := e.Host.List(ctx, list, client.InNamespace(ns)); err != nil {
			return err
		}
		if len(list.Items) != manyObjects {
			return fmt.Errorf("%d FederatedConfigMaps, want %d", len(list.Items), manyObjects)
		}
		var not []string
		for i := range list.Items {
			ro := e2eutil.FederatedStatus(&list.Items[i]).Rollout
			if ro == nil || !ok(ro) {
				not = append(not, fmt.Sprintf("%s: %+v", list.Items[i].GetName(), ro))
			}
		}
		if len(not) > 0 {
			return fmt.Errorf("%d of %d not yet: %v", len(not), manyObjects, not)
		}
		return nil
	}, "%s", what)
}
