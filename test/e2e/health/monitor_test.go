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

package health_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// readyMonitor follows the KubeFedClusters through a watch, so that no
// write between two reads goes unseen, and records, from its control event
// on, every write of one cluster and every moment that cluster was not
// Ready, and whether another cluster was seen not Ready.
type readyMonitor struct {
	name, other string
	stop        context.CancelFunc
	done        chan struct{}

	mu sync.Mutex
	// controlled is closed when the control event was seen.
	controlled chan struct{}
	seen       bool
	writes     int
	notReady   []string
	// otherNotReady: the watch reported other not Ready (positive
	// evidence that it reports condition changes).
	otherNotReady bool
	err           error
}

// controlAnnotation is the annotation the monitor sets on the cluster it
// follows, as its control change.
const controlAnnotation = "e2e.kubefed.io/health-monitor"

// monitor starts following the KubeFedCluster name (and other, whose
// transitions the test causes). It first makes a control change, an
// annotation on name, and returns once the watch reported it: from then on
// the watch is shown to see that cluster's writes.
func (e *env) monitor(t *testing.T, name, other string) *readyMonitor {
	t.Helper()
	wc := e2eutil.NewWatchClient(t, e.Fed.Host.Config)
	list := &fedcorev1b1.KubeFedClusterList{}
	must(t, wc.List(t.Context(), list, client.InNamespace(ns)))
	ctx, cancel := context.WithCancel(t.Context())
	m := &readyMonitor{name: name, other: other, stop: cancel, done: make(chan struct{}), controlled: make(chan struct{})}
	token := time.Now().Format(time.RFC3339Nano)
	src := e2eutil.WatchSource{Name: "KubeFedClusters", Client: wc, List: &fedcorev1b1.KubeFedClusterList{}, Opts: []client.ListOption{client.InNamespace(ns)}}
	go func() {
		defer close(m.done)
		err := e2eutil.Follow(ctx, src, list.ResourceVersion, func(obj client.Object) {
			if kfc, ok := obj.(*fedcorev1b1.KubeFedCluster); ok {
				m.observe(kfc, token)
			}
		})
		if err != nil {
			m.fail(err)
		}
	}()
	patch := client.MergeFrom(&fedcorev1b1.KubeFedCluster{})
	kfc := &fedcorev1b1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: map[string]string{controlAnnotation: token}}}
	must(t, e.Host.Patch(t.Context(), kfc, patch))
	select {
	case <-m.controlled:
	case <-time.After(10 * time.Second):
		t.Fatalf("the watch of KubeFedClusters did not report the annotation set on %s within 10s: it could not have seen a status write either", name)
	}
	return m
}

func (m *readyMonitor) fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
}

// observe records one event.
func (m *readyMonitor) observe(kfc *fedcorev1b1.KubeFedCluster, token string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ready := false
	for _, c := range kfc.Status.Conditions {
		ready = ready || (c.Type == fedcorev1b1.ClusterReady && c.Status == corev1.ConditionTrue)
	}
	switch {
	case kfc.Name == m.other && !ready && m.seen:
		m.otherNotReady = true
	case kfc.Name != m.name:
	case !m.seen:
		if kfc.Annotations[controlAnnotation] == token {
			m.seen = true
			close(m.controlled)
		}
	default:
		m.writes++
		if !ready {
			m.notReady = append(m.notReady, fmt.Sprintf("%s: resourceVersion %s: %v", time.Now().Format(time.StampMilli), kfc.ResourceVersion, kfc.Status.Conditions))
		}
	}
}

// finish stops the monitor and returns the number of writes of the
// cluster after the control change and the moments it was not Ready. It
// fails the test when the watch broke off or never reported the other
// cluster not Ready: then it could not have reported this one so either.
func (m *readyMonitor) finish(t *testing.T) (int, []string) {
	t.Helper()
	m.stop()
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		t.Errorf("the watch of KubeFedClusters broke off, so writes of %s may have gone unseen: %v", m.name, m.err)
	}
	if !m.otherNotReady {
		t.Errorf("the watch of KubeFedClusters never reported %s not Ready although it was stopped: it could not have reported %s so either", m.other, m.name)
	}
	return m.writes, m.notReady
}
