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

package enqueue

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/testenv"
)

// TestAll lists through a real API server: a request for each object the
// list options select, none when the list fails (a kind the API server
// does not serve).
func TestAll(t *testing.T) {
	c, _ := testenv.StartClient(t, clientgoscheme.AddToScheme, fedcorev1b1.AddToScheme)
	ctx := t.Context()
	for _, obj := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "b"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "one"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "two"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "b", Name: "three"}},
	} {
		if err := c.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}

	got := All(ctx, c, &corev1.ConfigMapList{}, "Could not list ConfigMaps", client.InNamespace("a"))
	var names []string
	for _, req := range got {
		names = append(names, req.String())
	}
	slices.Sort(names)
	// No controller manager runs beside the test API server: nothing else
	// creates ConfigMaps.
	if want := []string{"a/one", "a/two"}; !slices.Equal(names, want) {
		t.Errorf("requests %v, want %v", names, want)
	}

	if got := All(ctx, c, &fedcorev1b1.KubeFedClusterList{}, "Could not list KubeFedClusters"); got != nil {
		t.Errorf("requests %v from a list of a kind the API server does not serve, want none", got)
	}
}
