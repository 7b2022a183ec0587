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

package e2eutil

import (
	"testing"
	"time"
)

// Step is one named step of an end-to-end test whose steps share one
// environment E (a federation with its clients) and build on each other.
type Step[E any] struct {
	Name string
	Run  func(t *testing.T, e E)
}

// RunSteps runs steps in order, each as a subtest of t on e, logs how long
// each took, and stops at the first that fails, for the steps after it
// would build on what it did not do. It reports whether every step passed.
func RunSteps[E any](t *testing.T, e E, steps []Step[E]) bool {
	t.Helper()
	for _, s := range steps {
		start := time.Now()
		if !t.Run(s.Name, func(t *testing.T) { s.Run(t, e) }) {
			return false
		}
		t.Logf("%s: %s", s.Name, time.Since(start).Round(100*time.Millisecond))
	}
	return true
}
