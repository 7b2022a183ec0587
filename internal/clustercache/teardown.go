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

package clustercache

import (
	"maps"
	"slices"
	"time"
)

// DefaultStopTimeout is Options.StopTimeout when it is zero: a third of
// controller-runtime's default graceful-shutdown period.
const DefaultStopTimeout = 10 * time.Second

// stopConnection stops conn and tracks its teardown. c.mu may be held.
func (c *ClusterCache) stopConnection(conn *connection) {
	conn.stop()
	c.teardown(conn.name, conn.wait)
}

// teardown runs wait, the teardown of a stopped connection of the named
// cluster, in the background and tracks it (wg, stopping).
func (c *ClusterCache) teardown(name string, wait func()) {
	c.stopMu.Lock()
	c.stopping[name]++
	c.stopMu.Unlock()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		wait()
		c.stopMu.Lock()
		defer c.stopMu.Unlock()
		if c.stopping[name]--; c.stopping[name] == 0 {
			delete(c.stopping, name)
		}
	}()
}

// stoppingClusters returns the clusters whose connections are being torn
// down, sorted.
func (c *ClusterCache) stoppingClusters() []string {
	c.stopMu.Lock()
	defer c.stopMu.Unlock()
	return slices.Sorted(maps.Keys(c.stopping))
}
