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
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
)

// members are the three members of the test federation, in wave order:
// member1 is the canary wave, member2 the second, member3 is in no wave
// (the implicit last wave, "remaining").
var members = []string{"member1", "member2", "member3"}

// soak is the rollout's soakTime.
const soak = 8 * time.Second

// soakSlack is how much earlier than soak after the previous wave became
// Current a wave may start: the controller records times in whole seconds
// (docs/rollout.md), and the watch that sees a copy become Current may see
// it a little after it did.
const soakSlack = 1500 * time.Millisecond

var fedDeploymentGVK = fedtypesv1b1.GroupVersion.WithKind("FederatedDeployment")

// newFederatedDeployment is the FederatedDeployment web of image, placed
// on the three members, with two waves (member1, then member2; member3
// remains) and a soak time, and a Deployment progress deadline of 10 s so
// that a version that never becomes ready fails soon.
func newFederatedDeployment(ns, image string) *unstructured.Unstructured {
	labels := map[string]any{"app": "web"}
	placed := []any{}
	for _, m := range members {
		placed = append(placed, map[string]any{"name": m})
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"metadata": map[string]any{"name": "web", "namespace": ns},
		"spec": map[string]any{
			"template": map[string]any{
				"metadata": map[string]any{"labels": labels},
				"spec": map[string]any{
					"replicas":                int64(2),
					"progressDeadlineSeconds": int64(10),
					"selector":                map[string]any{"matchLabels": labels},
					"template": map[string]any{
						"metadata": map[string]any{"labels": labels},
						"spec":     map[string]any{"containers": []any{map[string]any{"name": "web", "image": image}}},
					},
				},
			},
			"placement": map[string]any{"clusters": placed},
			"rollout": map[string]any{
				"waves": []any{
					map[string]any{"name": "canary", "clusters": []any{map[string]any{"name": "member1"}}},
					map[string]any{"name": "second", "clusters": []any{map[string]any{"name": "member2"}}},
				},
				"soakTime":         soak.String(),
				"progressDeadline": "2m",
			},
		},
	}}
	u.SetGroupVersionKind(fedDeploymentGVK)
	return u
}

// sighting is one watch event of a member's copy of web: when the test
// saw it, and what the copy ran then.
type sighting struct {
	at              time.Time
	image           string
	generation      int64
	resourceVersion string
	kstatus         status.Status
}

// copyLog records every watch event of web's copy in each member, from
// the members' own watches. Its goroutines write it; the test reads it.
type copyLog struct {
	mu   sync.Mutex
	seen map[string][]sighting
}

// followCopies watches the Deployments of ns in every member until the
// test ends.
func followCopies(t *testing.T, e *e2eutil.Env, ns string) *copyLog {
	t.Helper()
	l := &copyLog{seen: map[string][]sighting{}}
	followMembers(t, e, &appsv1.DeploymentList{}, []client.ListOption{client.InNamespace(ns)}, l.record)
	return l
}

// followMembers watches the objects of list's kind that opts select in
// every member until the test ends, and calls on with each event's object
// (from one goroutine per member); a watch that broke off fails the test
// at its end.
func followMembers(t *testing.T, e *e2eutil.Env, list client.ObjectList, opts []client.ListOption, on func(member string, o client.Object)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	errs := make(chan error, len(members))
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
	for _, m := range members {
		src := e2eutil.WatchSource{Name: m, Client: e2eutil.NewWatchClient(t, e.Fed.Cluster(m).Config), List: list.DeepCopyObject().(client.ObjectList), Opts: opts}
		wg.Go(func() {
			if err := e2eutil.Follow(ctx, src, "", func(o client.Object) { on(m, o) }); err != nil {
				errs <- err
			}
		})
	}
}

func (l *copyLog) record(member string, o client.Object) {
	d, ok := o.(*appsv1.Deployment)
	if !ok || d.Name != "web" {
		return
	}
	s := sighting{at: time.Now(), generation: d.Generation, resourceVersion: d.ResourceVersion, kstatus: status.UnknownStatus}
	if len(d.Spec.Template.Spec.Containers) > 0 {
		s.image = d.Spec.Template.Spec.Containers[0].Image
	}
	if u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(d); err == nil {
		if res, err := status.Compute(&unstructured.Unstructured{Object: u}); err == nil {
			s.kstatus = res.Status
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen[member] = append(l.seen[member], s)
}

// firstRunning is the first sighting in member after since of a copy of
// image, and whether there is one.
func (l *copyLog) firstRunning(member, image string, since time.Time) (sighting, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.seen[member] {
		if !s.at.Before(since) && s.image == image {
			return s, true
		}
	}
	return sighting{}, false
}

// firstCurrent is the first sighting in member after since of a copy of
// image that kstatus computes Current, and whether there is one.
func (l *copyLog) firstCurrent(member, image string, since time.Time) (sighting, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.seen[member] {
		if !s.at.Before(since) && s.image == image && s.kstatus == status.CurrentStatus {
			return s, true
		}
	}
	return sighting{}, false
}

// images lists the images member's copy ran, in the order seen, each once
// per run of events.
func (l *copyLog) images(member string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.seen[member] {
		if len(out) == 0 || out[len(out)-1] != s.image {
			out = append(out, s.image)
		}
	}
	return out
}

// sightings counts the events seen in member so far.
func (l *copyLog) sightings(member string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.seen[member])
}

// last is the latest sighting in member.
func (l *copyLog) last(member string) sighting {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.seen[member]
	if len(s) == 0 {
		return sighting{}
	}
	return s[len(s)-1]
}

// fedObject reads the FederatedDeployment and kstatus's Compute of it.
func fedObject(ctx context.Context, e *e2eutil.Env, key types.NamespacedName) (*unstructured.Unstructured, *status.Result, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(fedDeploymentGVK)
	if err := e.Host.Get(ctx, key, u); err != nil {
		return nil, nil, err
	}
	res, err := status.Compute(u)
	if err != nil {
		return nil, nil, fmt.Errorf("kstatus of FederatedDeployment %s: %w", key, err)
	}
	return u, res, nil
}

// describe renders the federated object's rollout and per-cluster state
// for messages.
func describe(u *unstructured.Unstructured, res *status.Result) string {
	st := e2eutil.FederatedStatus(u)
	parts := []string{fmt.Sprintf("kstatus %s (%s)", res.Status, res.Message)}
	if ro := st.Rollout; ro != nil {
		parts = append(parts, fmt.Sprintf("rollout %s/%s wave %q revisions current %d update %d previous %d: %s",
			ro.Phase, ro.Reason, ro.CurrentWaveName, ro.CurrentRevision, ro.UpdateRevision, ro.PreviousRevision, ro.Message))
	}
	for _, c := range st.Clusters {
		parts = append(parts, fmt.Sprintf("%s: revision %d, %s, readiness %s", c.Name, c.Revision, c.Status, c.Readiness))
	}
	return strings.Join(parts, "; ")
}

// waitRollout waits until the federated object's status.rollout has the
// phase and reason (any reason when empty), kstatus computes want on the
// object, and every member's copy runs the image given for it; it returns
// the object as it was then.
func waitRollout(t *testing.T, e *e2eutil.Env, key types.NamespacedName, phase fedtypesv1b1.RolloutPhase, reason fedtypesv1b1.RolloutReason,
	want status.Status, images map[string]string, timeout time.Duration) *unstructured.Unstructured {
	t.Helper()
	var got *unstructured.Unstructured
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		u, res, err := fedObject(ctx, e, key)
		if err != nil {
			return err
		}
		ro := e2eutil.FederatedStatus(u).Rollout
		switch {
		case ro == nil || ro.Phase != phase || (reason != "" && ro.Reason != reason):
			return fmt.Errorf("want rollout %s/%s: %s", phase, reason, describe(u, res))
		case res.Status != want:
			return fmt.Errorf("want kstatus %s: %s", want, describe(u, res))
		}
		for _, m := range slices.Sorted(maps.Keys(images)) {
			d := &appsv1.Deployment{}
			if err := e.Member(m).Get(ctx, key, d); err != nil {
				return fmt.Errorf("the copy in %s: %w", m, err)
			}
			if img := d.Spec.Template.Spec.Containers[0].Image; img != images[m] {
				return fmt.Errorf("%s runs %s, want %s: %s", m, img, images[m], describe(u, res))
			}
		}
		got = u
		return nil
	}, "FederatedDeployment %s: rollout %s/%s, kstatus %s, copies %v", key, phase, reason, want, images)
	return got
}

// deploymentWrites scrapes each member's API server for the writes to
// Deployments it has served (their status subresource, which only the
// members' own controllers write, left out).
func deploymentWrites(t *testing.T, e *e2eutil.Env) map[string]framework.RequestCounts {
	t.Helper()
	out := map[string]framework.RequestCounts{}
	for _, m := range members {
		counts, err := e.Fed.Cluster(m).RequestCounts(t.Context())
		if err != nil {
			t.Fatalf("reading %s's apiserver_request_total: %v", m, err)
		}
		out[m] = counts.Writes().Filter(framework.ForResources("deployments.apps")).
			Filter(func(k framework.RequestKey) bool { return k.Subresource != "status" })
	}
	return out
}

// writesSince returns the Deployment writes each member's API server
// served since before.
func writesSince(t *testing.T, e *e2eutil.Env, before map[string]framework.RequestCounts) map[string]framework.RequestCounts {
	t.Helper()
	now := deploymentWrites(t, e)
	for m := range now {
		now[m] = now[m].Sub(before[m])
	}
	return now
}
