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

package kubefedcluster

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/test/testenv"
)

// interferingClient changes the KubeFedCluster (a label, as another writer
// would) right before the next status patch, once armed: the API server
// then refuses the reconciler's patch, computed from the older read, with
// a Conflict.
type interferingClient struct {
	client.Client
	armed atomic.Bool
}

func (c *interferingClient) Status() client.SubResourceWriter {
	return &interferingStatus{SubResourceWriter: c.Client.Status(), c: c}
}

type interferingStatus struct {
	client.SubResourceWriter
	c *interferingClient
}

func (s *interferingStatus) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	if s.c.armed.CompareAndSwap(true, false) {
		other := &fedcorev1b1.KubeFedCluster{}
		if err := s.c.Get(ctx, client.ObjectKeyFromObject(obj), other); err != nil {
			return err
		}
		other.Labels = map[string]string{"changed-by": "another-writer"}
		if err := s.c.Update(ctx, other); err != nil {
			return err
		}
	}
	return s.SubResourceWriter.Patch(ctx, obj, patch, opts...)
}

// TestStatusConflictRequeuesQuietly: a KubeFedCluster changed between the
// reconciler's read and its status patch makes the real API server refuse
// the patch (the optimistic lock). The pass returns no error (nothing for
// the controller to log) and asks to be run again soon; it records no
// event, and the retry makes the transition it could not write, with one
// event.
func TestStatusConflictRequeuesQuietly(t *testing.T) {
	direct, cluster, cache := unreachableMember(t)
	ctx := t.Context()
	settings, err := fedcorev1b1.ReadSettings(ctx, direct, cluster.Namespace)
	if err != nil {
		t.Fatal(err)
	}
	c := &interferingClient{Client: direct}
	recorder := events.NewFakeRecorder(10)
	r := &Reconciler{Client: c, ClusterCache: cache, Namespace: cluster.Namespace,
		Recorder: recorder, StatusHeartbeat: DefaultStatusHeartbeat, records: map[string]*record{}}
	req := ctrl.Request{NamespacedName: client.ObjectKeyFromObject(cluster)}
	reconcile := func(what string) ctrl.Result {
		t.Helper()
		res, err := r.Reconcile(ctx, req)
		if err != nil {
			t.Fatalf("%s: Reconcile returned an error: %v", what, err)
		}
		return res
	}

	// Below the failure threshold the reported health stays Ready.
	for i := 1; i < int(settings.FailureThreshold); i++ {
		reconcile("a failed probe below the threshold")
	}
	if got := transitionEvents(recorder); len(got) != 0 {
		t.Fatalf("transition events below the failure threshold: %q", got)
	}
	// The probe that reaches the threshold meets another writer.
	c.armed.Store(true)
	res := reconcile("the pass whose status patch conflicts")
	if c.armed.Load() {
		t.Fatal("the pass wrote no status: the test did not reach the conflict")
	}
	if res.RequeueAfter <= 0 || res.RequeueAfter >= settings.HealthCheckPeriod {
		t.Errorf("after a conflict: %+v, want a retry sooner than the next probe (%s)", res, settings.HealthCheckPeriod)
	}
	if got := transitionEvents(recorder); len(got) != 0 {
		t.Errorf("transition events of the pass whose write conflicted: %q, want none", got)
	}
	if reported := readHealth(t, direct, req.NamespacedName); reported != healthReady {
		t.Fatalf("after the conflict the status reports %q, want it unchanged (Ready)", reported)
	}

	reconcile("the retry")
	if reported := readHealth(t, direct, req.NamespacedName); reported != healthOffline {
		t.Errorf("after the retry the status reports %q, want Offline: the retry makes the transition the conflict stopped", reported)
	}
	got := transitionEvents(recorder)
	if len(got) != 1 || !strings.HasPrefix(got[0], corev1.EventTypeWarning+" "+fedcorev1b1.ClusterNotReachableReason+" ") {
		t.Errorf("transition events of the retry: %q, want one %s Warning", got, fedcorev1b1.ClusterNotReachableReason)
	}
}

// unreachableMember starts a test API server with a KubeFedCluster
// member1 that reports Ready while its endpoint refuses connections, and a
// started cluster cache; it returns a client of the API server, the
// cluster and the cache.
func unreachableMember(t *testing.T) (client.Client, *fedcorev1b1.KubeFedCluster, *clustercache.ClusterCache) {
	t.Helper()
	direct, _ := testenv.StartClientWith(t, testenv.EnvtestOptions{CRDs: []string{"config/crd/bases"}},
		clientgoscheme.AddToScheme, fedcorev1b1.AddToScheme)
	ctx := t.Context()
	const ns = "kube-federation-system"
	for _, obj := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "member1-secret"},
			Data: map[string][]byte{fedcorev1b1.ClusterSecretTokenKey: []byte("token")}},
	} {
		if err := direct.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	cluster := &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "member1"}}
	cluster.Spec.APIEndpoint = "https://" + closedAddress(t)
	cluster.Spec.SecretRef.Name = "member1-secret"
	if err := direct.Create(ctx, cluster); err != nil {
		t.Fatal(err)
	}
	// The cluster was Ready; its API server no longer answers.
	cluster.Status.Conditions = mergeConditions(nil, conditionsFor(healthReady, "", ""), metav1.Now(), DefaultStatusHeartbeat)
	if err := direct.Status().Update(ctx, cluster); err != nil {
		t.Fatal(err)
	}

	cache := clustercache.New(clustercache.Options{Scheme: direct.Scheme()})
	testenv.Run(t, "the cluster cache", cache.Start)
	return direct, cluster, cache
}

// closedAddress returns a local address where nothing listens.
func closedAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func readHealth(t *testing.T, c client.Client, key client.ObjectKey) health {
	t.Helper()
	cluster := &fedcorev1b1.KubeFedCluster{}
	if err := c.Get(t.Context(), key, cluster); err != nil {
		t.Fatal(err)
	}
	return reportedHealth(cluster.Status.Conditions)
}

// transitionEvents returns the events recorded so far but the connection
// failures (the cluster is connected while it is reported Ready, and its
// endpoint refuses connections).
func transitionEvents(r *events.FakeRecorder) []string {
	var out []string
	for {
		select {
		case e := <-r.Events:
			if !strings.HasPrefix(e, corev1.EventTypeWarning+" "+EventReasonConnectionFailed+" ") {
				out = append(out, e)
			}
		default:
			return out
		}
	}
}
