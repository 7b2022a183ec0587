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

package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
)

func TestShutdownDelay(t *testing.T) {
	t.Run("the context ends the delay after the first signal", func(t *testing.T) {
		signals := make(chan os.Signal, 2)
		exited := make(chan struct{})
		const delay = 300 * time.Millisecond
		ctx, draining := shutdownOn(signals, delay, logr.Discard(), func() { close(exited) })
		start := time.Now()
		signals <- syscall.SIGTERM
		select {
		case <-draining:
		case <-time.After(10 * time.Second):
			t.Fatal("draining did not start at the signal")
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("the context did not end after the delay")
		}
		if took := time.Since(start); took < delay {
			t.Errorf("the context ended %s after SIGTERM, before the delay %s", took, delay)
		}
		signals <- syscall.SIGTERM
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Fatal("a second signal after the context ended did not exit")
		}
	})
	t.Run("a second signal during the delay exits at once", func(t *testing.T) {
		signals := make(chan os.Signal, 2)
		exited := make(chan struct{})
		ctx, _ := shutdownOn(signals, time.Hour, logr.Discard(), func() { close(exited) })
		signals <- syscall.SIGTERM
		signals <- os.Interrupt
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Fatal("a second signal during the delay did not exit")
		}
		if ctx.Err() != nil {
			t.Error("the context ended although the process exits instead")
		}
	})
	t.Run("without a delay the context ends at the signal", func(t *testing.T) {
		signals := make(chan os.Signal, 2)
		ctx, _ := shutdownOn(signals, 0, logr.Discard(), func() {})
		signals <- syscall.SIGTERM
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("the context did not end at the signal")
		}
	})
}

// TestWebhookClosesConnectionsWhenDraining serves a handler wrapped as the
// webhook's is over a real HTTP/1.1 server: before draining a connection is
// reused for the next request, once draining starts the answer closes it
// (net/http honours the handler's Connection: close), so the client's next
// request opens a new connection.
func TestWebhookClosesConnectionsWhenDraining(t *testing.T) {
	draining := make(chan struct{})
	srv := httptest.NewServer(closeWhenDraining(draining, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})))
	defer srv.Close()
	var conns atomic.Int32
	get := func() {
		t.Helper()
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
			if !info.Reused {
				conns.Add(1)
			}
		}}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(), trace), http.MethodGet, srv.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	get()
	get()
	if n := conns.Load(); n != 1 {
		t.Fatalf("before draining, two requests opened %d connections, want 1 (kept alive)", n)
	}
	close(draining)
	get()
	get()
	if n := conns.Load(); n != 2 {
		t.Errorf("after draining, %d connections in all, want 2: the first request while draining reuses the kept-alive one, whose answer closes it, the second opens a new one", n)
	}
}
