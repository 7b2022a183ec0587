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

package propagation_test

import (
	"strings"
	"testing"

	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// TestPropagation runs the propagation acceptance tests on one federation
// of a host and two members: first everything that can share it, in
// parallel, then the tests that watch the whole federation, one by one.
func TestPropagation(t *testing.T) {
	e := e2eutil.Setup(t, 2)

	t.Run("shared", func(t *testing.T) {
		for _, c := range crudCases {
			t.Run("CRUD/"+strings.TrimSuffix(c.fixture, ".yaml"), func(t *testing.T) {
				t.Parallel()
				testCRUD(t, e, c)
			})
		}
		for name, test := range map[string]func(*testing.T, *e2eutil.Env){
			"namespace rules": testNamespaceRules,
			"workload status": testWorkloadStatus,
			"bad input":       testBadInput,
			"retention":       testRetention,
			"adoption":        testAdoption,
		} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				test(t, e)
			})
		}
	})

	// These watch the whole federation (its write counters, its control
	// plane, its members), so they run alone, in this order: the last one
	// stops a member.
	t.Run("idle", func(t *testing.T) { testIdle(t, e) })
	t.Run("restart", func(t *testing.T) { testRestart(t, e) })
	t.Run("orphaned copies", func(t *testing.T) { testOrphanedCopies(t, e) })
	t.Run("member failure", func(t *testing.T) { testMemberFailure(t, e) })
}
