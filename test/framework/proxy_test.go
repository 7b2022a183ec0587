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

package framework_test

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/kubefed/kubefed/test/framework"
)

// TestDelayProxy relays a line through a DelayProxy to an echo server, first
// without a delay, then with one, which every exchange must take at least.
func TestDelayProxy(t *testing.T) {
	addr := startEchoServer(t)

	p, err := framework.NewDelayProxy(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	conn, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	exchange := func(msg string) time.Duration {
		t.Helper()
		return echoExchange(t, conn, r, msg)
	}
	exchange("plain")
	if c := p.Connections(); c != 1 {
		t.Errorf("Connections() = %d with one client connected, want 1", c)
	}

	const delay = 150 * time.Millisecond
	p.SetDelay(delay)
	// One delay on the way there, one on the way back.
	if d := exchange("slow"); d < 2*delay {
		t.Errorf("an exchange with a delay of %s took %s, want at least %s", delay, d, 2*delay)
	}
	p.SetDelay(time.Hour)
	if p.Delay() != framework.MaxProxyDelay {
		t.Errorf("a delay of an hour is %s, want it capped at %s", p.Delay(), framework.MaxProxyDelay)
	}
	p.SetDelay(0)
	exchange("fast again")
	conn.Close()
	deadline := time.Now().Add(10 * time.Second)
	for p.Connections() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if c := p.Connections(); c != 0 {
		t.Errorf("Connections() = %d after the client closed, want 0", c)
	}

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		t.Error("the proxy still accepts connections after Close")
	}
}

// startEchoServer starts a TCP server that echoes every line back, closed
// when the test ends, and returns its address.
func startEchoServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

// echoExchange sends msg through conn, reads the echo back from r and
// returns how long the round trip took.
func echoExchange(t *testing.T, conn net.Conn, r *bufio.Reader, msg string) time.Duration {
	t.Helper()
	start := time.Now()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte(msg + "\n")); err != nil {
		t.Fatal(err)
	}
	got, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if got != msg+"\n" {
		t.Fatalf("echo through the proxy: got %q, want %q", got, msg)
	}
	return time.Since(start)
}
