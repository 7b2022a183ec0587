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

package clustercachetest_test

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/clustercache/clustercachetest"
)

func TestConnectionLog(t *testing.T) {
	var log clustercachetest.ConnectionLog
	if err := log.Has("a", true); err == nil {
		t.Fatal("an empty log has an event")
	}
	log.Add(clustercache.ConnectionEvent{Cluster: "a", Connected: true})
	log.Add(clustercache.ConnectionEvent{Cluster: "b", Connected: false, Err: errors.New("sync timeout")})
	for _, tc := range []struct {
		cluster   string
		connected bool
		want      bool
	}{
		{"a", true, true},
		{"a", false, false},
		{"b", false, true},
		{"b", true, false},
		{"c", true, false},
	} {
		err := log.Has(tc.cluster, tc.connected)
		if (err == nil) != tc.want {
			t.Errorf("Has(%s, %v) = %v, want found=%v", tc.cluster, tc.connected, err, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), tc.cluster) {
			t.Errorf("Has(%s, %v): %v does not name the cluster", tc.cluster, tc.connected, err)
		}
	}
}

// TestListen checks that Listen hands accepted connections to handle and
// closes them, and the ones handle tracked, when the test ends.
func TestListen(t *testing.T) {
	accepted := make(chan net.Conn, 1)
	var client, tracked net.Conn
	t.Run("while the test runs", func(t *testing.T) {
		addr := clustercachetest.Listen(t, "127.0.0.1", func(c net.Conn, track func(net.Conn)) {
			// A second connection from the handler, which Listen must close too.
			a, b := net.Pipe()
			track(a)
			tracked = b
			accepted <- c
		})
		var err error
		client, err = net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-accepted:
		case <-time.After(10 * time.Second):
			t.Fatal("handle was not called for an accepted connection")
		}
	})
	t.Cleanup(func() { _ = client.Close() })

	// The subtest ended: the accepted connection is closed, so the client reads EOF.
	_ = client.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := client.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("reading from a connection Listen accepted after its test ended: n=%d err=%v, want EOF", n, err)
	}
	// The tracked end is closed, so its peer reads EOF at once.
	_ = tracked.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := tracked.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("reading from the peer of a tracked connection after the test ended: %v, want EOF", err)
	}
}
