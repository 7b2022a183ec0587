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

// Package eventnote shapes the note of an event for the events.k8s.io/v1
// API, the one event API the controllers record with (a recorder from
// the manager's GetEventRecorder). That API refuses a note longer than
// MaxLength bytes, where a core/v1 Event's message had no limit; a long
// note (an error that names many clusters, a member API server's message)
// is shortened rather than the event lost.
package eventnote

import (
	"fmt"
	"unicode/utf8"
)

// MaxLength is the longest note the events.k8s.io/v1 API accepts, in bytes.
const MaxLength = 1024

// ellipsis ends a shortened note.
const ellipsis = "..."

// Format formats a note as fmt.Sprintf does and shortens it to MaxLength
// bytes, cut at a character boundary and ending with "...", when longer.
// Pass the result as the note with the format "%s", so that a % in it is
// not read as a verb.
func Format(format string, args ...any) string {
	note := fmt.Sprintf(format, args...)
	if len(note) <= MaxLength {
		return note
	}
	cut := MaxLength - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(note[cut]) {
		cut--
	}
	return note[:cut] + ellipsis
}
