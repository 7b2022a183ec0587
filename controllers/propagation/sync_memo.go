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
	"slices"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// writeMemo remembers, per federated object, the host writes of this
// reconciler that the manager's cache has not shown yet.
//
// Host reads come from the cache, which shows a write some milliseconds
// after the write returned. Every apply to a member echoes back as a
// member event and enqueues the object again, often before the cache
// caught up with the status and version record just written: a reconcile
// deciding from the older objects would write them again (or fail on a
// conflict). The memo tells such a reconcile apart:
//
//   - a federated object whose cached resourceVersion is one that this
//     reconciler's own write replaced is stale; the reconcile ends without
//     doing anything and looks again 50 ms later (the watch event of that
//     write is certain to come and enqueues the object too, but with the
//     delay of status echoes);
//   - a version record whose cached copy is the one this reconciler's
//     write replaced (or absent, after a create) is taken from the memo.
//
// An entry lives until a reconcile of its object reads a cache that shows
// its writes (or anything newer), so the memo holds only objects with
// writes in flight; an entry older than memoMaxAge is dropped all the same,
// so that a watch that stopped delivering cannot keep an object waiting.
// Writes that change nothing (the resourceVersion stays) are not
// remembered: no event follows them.
type writeMemo struct {
	mu    sync.Mutex
	byKey map[types.NamespacedName]*memoEntry
	// now returns the current time; time.Now when nil.
	now func() time.Time
}

// memoMaxAge bounds how long a write may stay unseen by the cache before
// the memo stops covering for it. Watches deliver in milliseconds; a cache
// this far behind is relisting, and reading it is the best there is.
const memoMaxAge = 10 * time.Second

type memoEntry struct {
	// superseded are resourceVersions of the federated object that this
	// reconciler's writes replaced.
	superseded []string
	// record is the version record as last written, and recordReplaced
	// the resourceVersions this reconciler's writes of it replaced (""
	// for a create).
	record         client.Object
	recordReplaced []string
	// at is when the last write was remembered.
	at time.Time
}

func (m *writeMemo) clock() time.Time {
	if m.now != nil {
		return m.now()
	}
	return time.Now()
}

// current returns the entry of key, nil when there is none or it is too
// old (then it is dropped).
func (m *writeMemo) current(key types.NamespacedName) *memoEntry {
	e := m.byKey[key]
	if e != nil && m.clock().Sub(e.at) > memoMaxAge {
		delete(m.byKey, key)
		return nil
	}
	return e
}

func (m *writeMemo) entry(key types.NamespacedName) *memoEntry {
	if m.byKey == nil {
		m.byKey = map[types.NamespacedName]*memoEntry{}
	}
	e := m.byKey[key]
	if e == nil {
		e = &memoEntry{}
		m.byKey[key] = e
	}
	return e
}

// wroteObject records a write of the federated object that replaced
// resourceVersion before with after.
func (m *writeMemo) wroteObject(key types.NamespacedName, before, after string) {
	if before == "" || before == after {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entry(key)
	e.superseded = append(e.superseded, before)
	e.at = m.clock()
}

// objectStale reports whether the cached federated object, at
// resourceVersion rv, is one this reconciler's writes already replaced.
// Otherwise the cache caught up (or moved on) and the object's entries
// for it are dropped.
func (m *writeMemo) objectStale(key types.NamespacedName, rv string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.current(key)
	if e == nil || len(e.superseded) == 0 {
		return false
	}
	if slices.Contains(e.superseded, rv) {
		return true
	}
	e.superseded = nil
	m.dropIfEmpty(key, e)
	return false
}

// wroteRecord records a write of the version record: obj as the API server
// returned it, replacing resourceVersion before ("" for a create).
func (m *writeMemo) wroteRecord(key types.NamespacedName, before string, obj client.Object) {
	if before != "" && before == obj.GetResourceVersion() {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entry(key)
	e.recordReplaced = append(e.recordReplaced, before)
	e.record = obj.DeepCopyObject().(client.Object)
	e.at = m.clock()
}

// record returns the version record to decide from, given the cached one
// (nil when the cache has none): the memo's when the cache still shows
// what the last write replaced, the cached one otherwise.
func (m *writeMemo) record(key types.NamespacedName, cached client.Object) client.Object {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.current(key)
	if e == nil || e.record == nil {
		return cached
	}
	cachedRV := ""
	if cached != nil {
		cachedRV = cached.GetResourceVersion()
	}
	if slices.Contains(e.recordReplaced, cachedRV) {
		return e.record.DeepCopyObject().(client.Object)
	}
	e.record, e.recordReplaced = nil, nil
	m.dropIfEmpty(key, e)
	return cached
}

// forget drops everything remembered about an object that is gone.
func (m *writeMemo) forget(key types.NamespacedName) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.byKey, key)
}

// len returns the number of objects with writes the cache has not shown.
func (m *writeMemo) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.byKey)
}

func (m *writeMemo) dropIfEmpty(key types.NamespacedName, e *memoEntry) {
	if len(e.superseded) == 0 && e.record == nil {
		delete(m.byKey, key)
	}
}
