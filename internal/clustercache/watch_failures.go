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
	"fmt"
	"time"
)

// watchFailure is a watch that could not be registered in the member: the
// kind is not served there (its CRD is not installed yet), the member
// forbids the identity to list or watch it, or discovery failed. The connection keeps serving its other watches and tries this one
// again after a delay that doubles with every failure in a row, from
// Options.MinBackoff to maxWatchRetryBackoff.
type watchFailure struct {
	w   *watch
	err error
	// failures counts the failed attempts in a row.
	failures int
	// retry is the timer of the next attempt; nil while an attempt runs.
	retry *time.Timer
}

// maxWatchRetryBackoff caps the delay between two attempts to register a
// watch that failed (and Options.MaxBackoff, when lower, caps it too). An
// attempt costs one discovery request to the member, so a CRD installed in
// a member is watched within this time without loading it.
const maxWatchRetryBackoff = time.Minute

// watchFailed records that w could not be registered, schedules the next
// attempt unless one is scheduled, and tells w's registration handler when
// the error is new.
func (conn *connection) watchFailed(w *watch, err error) {
	conn.failMu.Lock()
	// Checked under failMu: a connection closed before this point drops
	// its failures after it (dropFailures), one closed after it here.
	if conn.closed.Load() {
		conn.failMu.Unlock()
		return
	}
	f := conn.failed[w.name]
	if f == nil || f.w != w {
		f = &watchFailure{w: w}
		conn.failed[w.name] = f
	}
	changed := f.err == nil || f.err.Error() != err.Error()
	f.err = err
	f.failures++
	delay := conn.cc.watchRetryDelay(f.failures)
	if f.retry == nil {
		f.retry = time.AfterFunc(delay, func() { conn.retryWatch(w) })
	}
	conn.failMu.Unlock()
	if changed {
		conn.log.Error(err, "Could not watch in member cluster; trying again later", "watch", w.name, "kind", w.gvk.String(), "retryIn", delay)
		w.registered(conn.name, err)
	} else {
		conn.log.V(1).Info("Could still not watch in member cluster", "watch", w.name, "kind", w.gvk.String(), "retryIn", delay, "error", err.Error())
	}
}

// retryWatch is the next attempt to register a watch that failed, unless
// the watch was removed meanwhile.
func (conn *connection) retryWatch(w *watch) {
	if conn.closed.Load() {
		return
	}
	conn.failMu.Lock()
	f := conn.failed[w.name]
	if f == nil || f.w != w {
		conn.failMu.Unlock()
		return
	}
	f.retry = nil
	conn.failMu.Unlock()
	if !conn.cc.watching(w) {
		conn.forgetFailure(w)
		return
	}
	conn.registerAsync([]*watch{w}, time.Now(), nil)
}

// watchesStarted drops the failure records of the watches that synced now,
// and tells their registration handlers.
func (conn *connection) watchesStarted(regs []*registration) {
	var started []*watch
	conn.failMu.Lock()
	for _, r := range regs {
		if f := conn.failed[r.w.name]; f != nil && f.w == r.w {
			if f.retry != nil {
				f.retry.Stop()
			}
			delete(conn.failed, r.w.name)
			started = append(started, r.w)
		}
	}
	conn.failMu.Unlock()
	for _, w := range started {
		conn.log.Info("Started watch in member cluster after it had failed", "watch", w.name, "kind", w.gvk.String())
		w.registered(conn.name, nil)
	}
}

// forgetFailure drops the failure record of a removed watch.
func (conn *connection) forgetFailure(w *watch) {
	conn.failMu.Lock()
	defer conn.failMu.Unlock()
	if f := conn.failed[w.name]; f != nil && f.w == w {
		if f.retry != nil {
			f.retry.Stop()
		}
		delete(conn.failed, w.name)
	}
}

// watchError returns why the named watch could not be registered; nil when
// it is registered, or not tried.
func (conn *connection) watchError(name string) error {
	conn.failMu.Lock()
	defer conn.failMu.Unlock()
	if f := conn.failed[name]; f != nil {
		return f.err
	}
	return nil
}

// dropFailures stops the retries of a closed connection and tells the
// handlers of its failed watches that the cluster is no longer connected.
func (conn *connection) dropFailures() {
	conn.failMu.Lock()
	failed := conn.failed
	conn.failed = map[string]*watchFailure{}
	conn.failMu.Unlock()
	for _, f := range failed {
		if f.retry != nil {
			f.retry.Stop()
		}
		f.w.registered(conn.name, fmt.Errorf("cluster %s: %w", conn.name, ErrClusterNotConnected))
	}
}

// watchRetryDelay is the delay before the next attempt to register a watch
// that failed that many times in a row in a member.
func (c *ClusterCache) watchRetryDelay(failures int) time.Duration {
	return c.backoffDelay(failures, min(c.opts.MaxBackoff, maxWatchRetryBackoff))
}

// watching reports whether w is still registered (not removed by Unwatch).
func (c *ClusterCache) watching(w *watch) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.watches[w.name] == w
}

// WatchErrors returns, by cluster, why the named watch could not be
// registered in the connected members where it is not registered: its kind
// is not served there (its CRD is not installed, a NoMatch error), the
// member forbids the connection's identity to list or watch it (a
// ForbiddenError, wrapping ErrWatchForbidden), or the member's discovery
// failed. Each such member is tried again with backoff
// (Options.MinBackoff doubling, at most a minute); the watch's
// RegistrationHandler is told when this changes. Empty when the watch runs
// in every connected member.
func (c *ClusterCache) WatchErrors(name string) map[string]error {
	out := map[string]error{}
	for _, conn := range c.connections() {
		if err := conn.watchError(name); err != nil {
			out[conn.name] = err
		}
	}
	return out
}
