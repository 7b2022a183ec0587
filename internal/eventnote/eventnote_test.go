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

package eventnote

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubefed/kubefed/test/testenv"
)

// TestFormatFitsTheAPI asks a real API server: an events.k8s.io/v1 Event
// with a note one byte longer than Format returns is refused, the Event
// with Format's note is stored with the note unchanged.
func TestFormatFitsTheAPI(t *testing.T) {
	env := testenv.StartEnvtest(t, testenv.EnvtestOptions{})
	cs, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("cluster-é, ", 200)
	note := Format("Failed to update in %s", long)
	newEvent := func(name, note string) *eventsv1.Event {
		return &eventsv1.Event{
			ObjectMeta:          metav1.ObjectMeta{Name: name, Namespace: "default"},
			EventTime:           metav1.NewMicroTime(time.Now()),
			ReportingController: "kubefed.io/test",
			ReportingInstance:   "test",
			Action:              "Propagate",
			Reason:              "UpdateInClusterFailed",
			Type:                corev1.EventTypeWarning,
			Regarding:           corev1.ObjectReference{Kind: "ConfigMap", Namespace: "default", Name: "web", APIVersion: "v1"},
			Note:                note,
		}
	}
	_, err = cs.EventsV1().Events("default").Create(t.Context(), newEvent("too-long", note+"x"), metav1.CreateOptions{})
	if !apierrors.IsInvalid(err) {
		t.Fatalf("an Event with a note of %d bytes: error %v, want Invalid", len(note)+1, err)
	}
	created, err := cs.EventsV1().Events("default").Create(t.Context(), newEvent("shortened", note), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("an Event with Format's note of %d bytes: %v", len(note), err)
	}
	if created.Note != note {
		t.Errorf("stored note %q, want %q", created.Note, note)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string
	}{
		{"short note unchanged", "ConfigMap created in cluster member2", "ConfigMap created in cluster member2"},
		{"exactly the limit unchanged", strings.Repeat("a", MaxLength), strings.Repeat("a", MaxLength)},
		{"one byte over", strings.Repeat("a", MaxLength+1), strings.Repeat("a", MaxLength-3) + "..."},
		// é is two bytes; the cut may not split it.
		{"cut at a character boundary", strings.Repeat("é", MaxLength), strings.Repeat("é", (MaxLength-4)/2) + "..."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Format("%s", tc.in)
			if got != tc.want {
				t.Errorf("Format: %d bytes %.20q..., want %d bytes %.20q...", len(got), got, len(tc.want), tc.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("Format returned invalid UTF-8")
			}
		})
	}
	if got, want := Format("%s in %d clusters", "failed", 3), fmt.Sprintf("%s in %d clusters", "failed", 3); got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}
