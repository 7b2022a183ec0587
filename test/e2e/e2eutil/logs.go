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
	"bytes"
	"strings"
	"sync"
	"testing"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// maxLogBytes bounds the controller logs kept per Env; older lines are
// dropped.
const maxLogBytes = 16 << 20

// logBuffer keeps the most recent controller log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newLogBuffer() *logBuffer { return &logBuffer{} }

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len()+len(p) > maxLogBytes {
		drop := b.buf.Len() + len(p) - maxLogBytes/2
		data := b.buf.Bytes()
		if drop > len(data) {
			drop = len(data)
		}
		rest := append([]byte(nil), data[drop:]...)
		b.buf.Reset()
		b.buf.Write(rest)
	}
	return b.buf.Write(p)
}

// lines returns the kept lines that contain any of filters (every line
// when there are none), at most max of them, the most recent ones.
func (b *logBuffer) lines(max int, filters ...string) []string {
	b.mu.Lock()
	all := strings.Split(strings.TrimRight(b.buf.String(), "\n"), "\n")
	b.mu.Unlock()
	var out []string
	for _, l := range all {
		if l == "" {
			continue
		}
		if len(filters) == 0 || containsAny(l, filters) {
			out = append(out, l)
		}
	}
	if len(out) > max {
		out = out[len(out)-max:]
	}
	return out
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// logMux is the writer of the process-wide controller-runtime logger: it
// copies every line to the buffers of the Envs alive at the time.
var logMux = &muxWriter{sinks: map[*logBuffer]bool{}}

var setLoggerOnce sync.Once

type muxWriter struct {
	mu    sync.Mutex
	sinks map[*logBuffer]bool
}

func (m *muxWriter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for b := range m.sinks {
		_, _ = b.Write(p)
	}
	return len(p), nil
}

// captureLogs sends the controller logs (controller-runtime's global
// logger, which the manager uses) to buf until the test ends.
func captureLogs(t testing.TB, buf *logBuffer) {
	setLoggerOnce.Do(func() {
		ctrl.SetLogger(zap.New(zap.WriteTo(logMux), zap.UseDevMode(false)))
	})
	logMux.mu.Lock()
	logMux.sinks[buf] = true
	logMux.mu.Unlock()
	t.Cleanup(func() {
		logMux.mu.Lock()
		delete(logMux.sinks, buf)
		logMux.mu.Unlock()
	})
}
