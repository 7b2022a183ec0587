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

// Package clustercachetest holds test helpers for code that uses the
// cluster cache (internal/clustercache): the cache's own tests and the
// end-to-end tests that run a cache against member clusters.
package clustercachetest

import (
	"fmt"
	"slices"
	"sync"

	"github.com/kubefed/kubefed/internal/clustercache"
)

// ConnectionLog records the connection events a ClusterCache publishes.
// Subscribe it with cache.Subscribe(log.Add); it is safe for concurrent use.
type ConnectionLog struct {
	mu     sync.Mutex
	events []clustercache.ConnectionEvent
}

// Add records ev. It never blocks for long, as Subscribe requires.
func (l *ConnectionLog) Add(ev clustercache.ConnectionEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

// Has returns nil when an event for cluster with the given Connected value
// was recorded, and otherwise an error listing the events recorded so far,
// so that it can be a condition of testenv.Eventually.
func (l *ConnectionLog) Has(cluster string, connected bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if slices.ContainsFunc(l.events, func(ev clustercache.ConnectionEvent) bool {
		return ev.Cluster == cluster && ev.Connected == connected
	}) {
		return nil
	}
	return fmt.Errorf("no connection event connected=%v for %s in %v", connected, cluster, l.events)
}
