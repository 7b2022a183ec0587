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

package propagation

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestUpdatePriority(t *testing.T) {
	base := func() *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetResourceVersion("1")
		u.SetGeneration(1)
		u.SetLabels(map[string]string{"app": "web"})
		u.SetAnnotations(map[string]string{"a": "b"})
		return u
	}
	for _, tc := range []struct {
		name   string
		change func(u *unstructured.Unstructured)
		want   int
	}{
		{"resync (same resourceVersion)", func(*unstructured.Unstructured) {}, PriorityBackground},
		{"status only", func(u *unstructured.Unstructured) {
			u.SetResourceVersion("2")
			u.Object["status"] = map[string]any{"x": "y"}
		}, PriorityBackground},
		{"finalizer added by kubefed", func(u *unstructured.Unstructured) {
			u.SetResourceVersion("2")
			u.SetFinalizers([]string{"kubefed.io/sync-controller"})
		}, PriorityBackground},
		{"spec edit", func(u *unstructured.Unstructured) { u.SetResourceVersion("2"); u.SetGeneration(2) }, PriorityUserEdit},
		{"label edit", func(u *unstructured.Unstructured) {
			u.SetResourceVersion("2")
			u.SetLabels(map[string]string{"app": "api"})
		}, PriorityUserEdit},
		{"annotation added", func(u *unstructured.Unstructured) {
			u.SetResourceVersion("2")
			u.SetAnnotations(map[string]string{"a": "b", "kubefed.io/orphan": "true"})
		}, PriorityUserEdit},
		{"deletion", func(u *unstructured.Unstructured) {
			u.SetResourceVersion("2")
			now := metav1.Now()
			u.SetDeletionTimestamp(&now)
		}, PriorityUserEdit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oldObj, newObj := base(), base()
			tc.change(newObj)
			if got := UpdatePriority(oldObj, newObj); got != tc.want {
				t.Errorf("UpdatePriority = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestMemberUpdateDelay(t *testing.T) {
	copyAt := func(generation int64) *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetResourceVersion("1")
		u.SetGeneration(generation)
		u.SetLabels(map[string]string{"kubefed.io/managed": "true"})
		return u
	}
	for _, tc := range []struct {
		name       string
		generation int64
		change     func(u *unstructured.Unstructured)
		want       time.Duration
	}{
		{"status of a Deployment", 1, func(u *unstructured.Unstructured) {
			u.Object["status"] = map[string]any{"readyReplicas": int64(1)}
		}, StatusCoalesceDelay},
		{"spec edited in the member", 1, func(u *unstructured.Unstructured) { u.SetGeneration(2) }, 0},
		{"managed label removed", 1, func(u *unstructured.Unstructured) { u.SetLabels(nil) }, 0},
		{"annotation edited", 1, func(u *unstructured.Unstructured) { u.SetAnnotations(map[string]string{"a": "b"}) }, 0},
		{"being deleted", 1, func(u *unstructured.Unstructured) {
			now := metav1.Now()
			u.SetDeletionTimestamp(&now)
		}, 0},
		{"ConfigMap data edited (no generation)", 0, func(u *unstructured.Unstructured) {
			u.Object["data"] = map[string]any{"k": "drifted"}
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oldObj, newObj := copyAt(tc.generation), copyAt(tc.generation)
			newObj.SetResourceVersion("2")
			tc.change(newObj)
			if got := MemberUpdateDelay(oldObj, newObj); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
