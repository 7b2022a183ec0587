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
	"errors"
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestForbiddenErrorMessage: the message names the cluster, the resource
// as an RBAC rule names it (resource and API group), the namespace when the
// caches are restricted to namespaces, and the denied verbs, and says what
// to do; wrapped, it still matches ErrWatchForbidden.
func TestForbiddenErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  *ForbiddenError
		want string
	}{{
		name: "core resource, every namespace",
		err:  &ForbiddenError{Cluster: "east", Resource: schema.GroupResource{Resource: "configmaps"}, Verbs: []string{"list", "watch"}},
		want: "cluster east forbids kubefed to list and watch configmaps: grant the kubefed service account in cluster east list and watch on configmaps, or re-run kubefedctl join; kubefed checks again by itself",
	}, {
		name: "grouped resource in a namespace, watch only",
		err:  &ForbiddenError{Cluster: "west", Resource: schema.GroupResource{Group: "apps", Resource: "deployments"}, Namespace: "team-a", Verbs: []string{"watch"}},
		want: "cluster west forbids kubefed to watch deployments (API group apps) in namespace team-a: grant the kubefed service account in cluster west watch on deployments (API group apps) in namespace team-a, or re-run kubefedctl join; kubefed checks again by itself",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() =\n%s\nwant\n%s", got, tc.want)
			}
			wrapped := fmt.Errorf("reading: %w", tc.err)
			if !errors.Is(wrapped, ErrWatchForbidden) {
				t.Error("the wrapped error does not match ErrWatchForbidden")
			}
		})
	}
}
