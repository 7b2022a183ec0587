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

package propagation

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/test/testenv"
)

// connectedCache returns a cluster cache, running until the test ends,
// connected to each named member. Nothing listens at the members' endpoint: the connections serve
// to measure writes, and no request is sent through them.
func connectedCache(ctx context.Context, t *testing.T, names ...string) *clustercache.ClusterCache {
	t.Helper()
	cc := clustercache.New(clustercache.Options{})
	testenv.Run(t, "the cluster cache", cc.Start)
	for _, name := range names {
		secret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: testNamespace, Name: name + "-token"},
			Data:       map[string][]byte{fedcorev1b1.ClusterSecretTokenKey: []byte("token")},
		}
		kfc := &fedcorev1b1.KubeFedCluster{
			ObjectMeta: metav1.ObjectMeta{Namespace: testNamespace, Name: name},
			Spec: fedcorev1b1.KubeFedClusterSpec{APIEndpoint: "https://127.0.0.1:1",
				SecretRef: fedcorev1b1.LocalSecretReference{Name: secret.Name}},
		}
		if err := cc.Connect(ctx, clustercache.ConnectInput{Cluster: kfc, Secret: secret}); err != nil {
			t.Fatal(err)
		}
	}
	return cc
}

// TestTypesShareTheSlowVerdict: a member's speed is measured once for
// every type. Writes of one type (ConfigMaps) find member "slow" slow; a
// reconcile of another type (Secrets), which never wrote there, then does
// not wait for its write to that member: the write is detached, and
// reported with the mean the first type measured.
func TestTypesShareTheSlowVerdict(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cc := connectedCache(ctx, t, "slow", "fast")
	configMaps, secrets := reconcilerFor(t, "", "ConfigMap"), reconcilerFor(t, "", "Secret")
	configMaps.Members, secrets.Members = cc, cc

	for range 5 {
		configMaps.dispatched("slow", "update", 2*time.Second, nil)
		configMaps.dispatched("fast", "update", 20*time.Millisecond, nil)
	}
	if got := sets.List(secrets.Members.SlowClusters()); len(got) != 1 || got[0] != "slow" {
		t.Fatalf("the Secret reconciler sees slow members %v after the ConfigMap writes, want [slow]", got)
	}

	s := newTestScope(secrets.fedObject("ns", "web", nil))
	s.ready = sets.New("slow", "fast")
	release := make(chan struct{})
	defer close(release)
	run := secrets.runMembers(ctx, s, []string{"slow", "fast"}, "apply/v1", func(_ context.Context, _ *scope, cluster string) memberOutcome {
		if cluster == "slow" {
			<-release
		}
		return memberOutcome{version: cluster}
	})
	if queued, ok := run.pending["slow"]; !ok || queued {
		t.Errorf("pending = %v: the write to slow must run detached (pending, not queued), since the ConfigMap writes found it slow", run.pending)
	}
	if out, ok := run.outcomes["fast"]; !ok || out.version != "fast" {
		t.Errorf("outcomes = %v, want fast's outcome", run.outcomes)
	}

	secrets.absorbRun(s, run)
	want := "cluster slow answers slowly (2s per write on average): the write is in flight; its status follows when it completes"
	if got := s.results["slow"]; got == nil || got.status != fedtypesv1b1.WaitingForCluster || got.message != want {
		t.Errorf("result of slow = %+v, want WaitingForCluster %q", got, want)
	}
}
