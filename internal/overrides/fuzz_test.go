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

package overrides

import (
	"reflect"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// FuzzApply checks that any override, however malformed, either applies
// or fails with the object left exactly as it was, and never panics.
func FuzzApply(f *testing.F) {
	f.Add("replace", "/spec/replicas", "5")
	f.Add("add", "/metadata/labels/tier", `"gold"`)
	f.Add("remove", "/spec/template/spec/containers/0", "")
	f.Add("", "/spec/template/spec/containers/-", `{"name":"sidecar"}`)
	f.Add("add", "/a~1b/~0c", "[1,2]")
	f.Add("move", "", "null")
	f.Add("", "/metadata/annotations", `{"a":"b"}`)
	f.Add("replace", "/spec/template/spec/containers/-1", `{"name":"c"}`)
	f.Add("add", "/spec/template/spec/containers/-2", `{"name":"c"}`)
	f.Add("remove", "/spec/template/spec/containers/-", "")
	f.Add("replace", "/", "1")
	f.Add("replace", "/spec/replicas/0/x", "1")
	f.Fuzz(func(t *testing.T, op, path, value string) {
		o := fedtypesv1b1.ClusterOverride{Op: op, Path: path}
		if value != "" {
			o.Value = &apiextensionsv1.JSON{Raw: []byte(value)}
		}
		u := deployment()
		before := deployment()
		if err := Apply(u, []fedtypesv1b1.ClusterOverride{o}); err != nil && !reflect.DeepEqual(u.Object, before.Object) {
			t.Fatalf("failed Apply (%v) changed the object: %v", err, u.Object)
		}
	})
}
