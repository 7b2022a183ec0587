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
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
)

func versionRecord(rv, template string) *fedcorev1a1.PropagatedVersion {
	pv := &fedcorev1a1.PropagatedVersion{}
	pv.ResourceVersion = rv
	pv.Status.TemplateVersion = template
	return pv
}

func TestWriteMemoObject(t *testing.T) {
	var m writeMemo
	key := types.NamespacedName{Namespace: "ns", Name: "a"}

	if m.objectStale(key, "1") {
		t.Fatal("an object never written is stale")
	}
	// The finalizer (1 -> 2), then the status (2 -> 3).
	m.wroteObject(key, "1", "2")
	m.wroteObject(key, "2", "3")
	for _, rv := range []string{"1", "2"} {
		if !m.objectStale(key, rv) {
			t.Errorf("cached resourceVersion %s, replaced by kubefed's writes: want stale", rv)
		}
	}
	if m.objectStale(key, "3") {
		t.Error("the cache shows the last write: want fresh")
	}
	if m.len() != 0 {
		t.Errorf("the memo still holds %d objects after the cache caught up", m.len())
	}
	// Once caught up, an older version is not mistaken for a stale cache
	// any more (the entry is gone), and a write that changed nothing is
	// not remembered: no event would follow it.
	m.wroteObject(key, "3", "3")
	if m.objectStale(key, "3") || m.len() != 0 {
		t.Error("a write that kept the resourceVersion was remembered")
	}
	// Someone else's write after kubefed's: the cache moved on.
	m.wroteObject(key, "3", "4")
	if m.objectStale(key, "5") {
		t.Error("a newer resourceVersion than kubefed's write: want fresh")
	}
	m.wroteObject(key, "5", "6")
	m.forget(key)
	if m.objectStale(key, "5") {
		t.Error("forget kept the entry")
	}
}

func TestWriteMemoRecord(t *testing.T) {
	var m writeMemo
	key := types.NamespacedName{Namespace: "ns", Name: "a"}
	cached := versionRecord("10", "t0")
	if got := m.record(key, cached); got != client.Object(cached) {
		t.Fatal("nothing written: want the cached record")
	}

	// Created: the cache has none yet.
	m.wroteRecord(key, "", versionRecord("11", "t1"))
	if got := m.record(key, nil); got == nil || got.GetResourceVersion() != "11" {
		t.Fatalf("after a create the cache has none: want the written record, got %v", got)
	}
	// Updated before the cache showed the create: both the absent and the
	// created record are stale.
	m.wroteRecord(key, "11", versionRecord("12", "t2"))
	for _, c := range []client.Object{nil, versionRecord("11", "t1")} {
		got := m.record(key, c)
		if got == nil || got.GetResourceVersion() != "12" || got.(*fedcorev1a1.PropagatedVersion).Status.TemplateVersion != "t2" {
			t.Errorf("cached %v: want the last written record, got %v", c, got)
		}
	}
	// The memo hands out copies.
	m.record(key, nil).(*fedcorev1a1.PropagatedVersion).Status.TemplateVersion = "changed"
	if got := m.record(key, nil).(*fedcorev1a1.PropagatedVersion); got.Status.TemplateVersion != "t2" {
		t.Error("a caller changed the memo's record")
	}
	// The cache caught up: its record wins and the entry goes.
	caught := versionRecord("12", "t2")
	if got := m.record(key, caught); got != client.Object(caught) {
		t.Error("the cache caught up: want its record")
	}
	if m.len() != 0 {
		t.Error("the entry stayed after the cache caught up")
	}
	// An update that changed nothing is not remembered.
	m.wroteRecord(key, "12", versionRecord("12", "t2"))
	if m.len() != 0 {
		t.Error("a no-op update was remembered")
	}
}

func TestWriteMemoAge(t *testing.T) {
	now := time.Now()
	m := writeMemo{now: func() time.Time { return now }}
	key := types.NamespacedName{Namespace: "ns", Name: "a"}
	m.wroteObject(key, "1", "2")
	m.wroteRecord(key, "", versionRecord("11", "t1"))
	now = now.Add(memoMaxAge / 2)
	if !m.objectStale(key, "1") || m.record(key, nil) == nil {
		t.Fatal("a recent write: want the memo to cover for the cache")
	}
	// A cache that never shows the write (a watch that stopped) does not
	// keep the object waiting for ever.
	now = now.Add(memoMaxAge)
	if m.objectStale(key, "1") {
		t.Error("a write older than memoMaxAge still makes the cache stale")
	}
	if m.record(key, nil) != nil || m.len() != 0 {
		t.Error("an entry older than memoMaxAge was kept")
	}
}
