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
	"testing"
	"time"
)

// TestWatchRetryDelay: a watch that keeps failing in a member is tried
// again after MinBackoff, doubling, at most a minute (or MaxBackoff when
// lower): never in a loop.
func TestWatchRetryDelay(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		failures []int
		want     []time.Duration
	}{
		{
			name:     "defaults",
			failures: []int{1, 2, 3, 4, 5, 100},
			want:     []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute},
		},
		{
			name:     "a lower MaxBackoff caps it",
			opts:     Options{MinBackoff: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond},
			failures: []int{1, 2, 3, 70},
			want:     []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(tt.opts)
			for i, n := range tt.failures {
				if got := c.watchRetryDelay(n); got != tt.want[i] {
					t.Errorf("delay after %d failures = %s, want %s", n, got, tt.want[i])
				}
			}
		})
	}
}
