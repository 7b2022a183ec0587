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

package readiness_test

import (
	"testing"

	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// TestReadiness runs the readiness tests on one federation of a host and
// two members with the chart installed and the controller running as the
// chart's ServiceAccount, one after the other: each watches its object's
// status change with time (a progress deadline, a wait that must time out).
func TestReadiness(t *testing.T) {
	e := e2eutil.Setup(t, 2)
	t.Run("deployment rollout", func(t *testing.T) { testDeploymentRollout(t, e) })
	t.Run("custom resource with health rules", func(t *testing.T) { testHealthRules(t, e) })
}
