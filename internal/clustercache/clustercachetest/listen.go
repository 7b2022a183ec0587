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

package clustercachetest

import (
	"net"
	"sync"
	"testing"
)

// Listen stands in for a member's API server that misbehaves on the wire:
// it listens on a free port of host (a loopback address) and passes every
// connection it accepts to handle, which must not block the accept loop
// (start a goroutine for work that waits). handle may pass track further
// connections it opens. When the test ends Listen closes the listener, every
// connection it accepted and every connection passed to track, so that
// nothing is left hanging. It returns the listener's host:port.
func Listen(t testing.TB, host string, handle func(c net.Conn, track func(net.Conn))) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	track := func(c net.Conn) {
		mu.Lock()
		defer mu.Unlock()
		conns = append(conns, c)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			track(c)
			handle(c, track)
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}
