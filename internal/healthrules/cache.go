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

package healthrules

import (
	"sync"

	"k8s.io/apiserver/pkg/cel/environment"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// MaxCacheEntries bounds a Cache: one entry per distinct pair of
// expressions, so a control plane with fewer FederatedTypeConfigs never
// compiles a rule twice. Past the bound an arbitrary entry is dropped and
// compiled again when next asked for.
const MaxCacheEntries = 256

// Cache memoises compiled rules (and compile errors) by their two
// expressions, so that reconciles of many objects of one type compile its
// rules once. It is safe for concurrent use.
type Cache struct {
	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
}

type cacheKey struct{ readyWhen, failedWhen string }

type cacheEntry struct {
	rules *Rules
	err   error
}

// NewCache returns an empty Cache.
func NewCache() *Cache {
	return &Cache{entries: map[cacheKey]cacheEntry{}}
}

// Get returns the compiled rules of h, compiling them on first use. A nil
// h has no rules: (nil, nil). Rules stored in a FederatedTypeConfig were
// checked at admission; Get compiles them with the stored-expressions
// environment, which also knows functions newer than admission allows,
// so that a rule admitted by a newer control plane still runs.
func (c *Cache) Get(h *fedcorev1b1.HealthRules) (*Rules, error) {
	if h == nil {
		return nil, nil
	}
	key := cacheKey{readyWhen: h.ReadyWhen, failedWhen: h.FailedWhen}
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return e.rules, e.err
	}
	// Compiled outside the lock: two callers may compile the same rules
	// at once, and either result is as good as the other.
	rules, err := compile(h, environment.StoredExpressions)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= MaxCacheEntries {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = cacheEntry{rules: rules, err: err}
	return rules, err
}

// Len returns the number of cached entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
