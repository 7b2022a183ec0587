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

package framework

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// MaxProxyConnections bounds the connections a DelayProxy serves at once;
// further clients wait until one closes.
const MaxProxyConnections = 64

// MaxProxyDelay bounds the delay a DelayProxy adds, so that a test cannot
// make a connection hang forever.
const MaxProxyDelay = 30 * time.Second

// DelayProxy is a TCP proxy on the loopback interface that forwards to one
// upstream address and can delay everything it forwards. It works below
// TLS: a client keeps talking to the upstream API server with the same
// certificates, only through another port. A member joined through a
// DelayProxy answers as slowly as the proxy's current delay says; with a
// delay of zero it is a plain relay.
type DelayProxy struct {
	upstream string
	listener net.Listener
	delay    atomic.Int64
	slots    chan struct{}
	active   atomic.Int64

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// NewDelayProxy listens on a free port of 127.0.0.1 and forwards every
// connection to upstream (host:port), with no delay until SetDelay.
func NewDelayProxy(upstream string) (*DelayProxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("delay proxy for %s: %w", upstream, err)
	}
	p := &DelayProxy{
		upstream: upstream,
		listener: l,
		slots:    make(chan struct{}, MaxProxyConnections),
		conns:    map[net.Conn]struct{}{},
	}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr returns the proxy's address (127.0.0.1:port).
func (p *DelayProxy) Addr() string { return p.listener.Addr().String() }

// SetDelay sets the delay added before every chunk of data forwarded in
// either direction (capped at MaxProxyDelay). It applies to open
// connections at once.
func (p *DelayProxy) SetDelay(d time.Duration) {
	p.delay.Store(int64(min(max(d, 0), MaxProxyDelay)))
}

// Delay returns the current delay.
func (p *DelayProxy) Delay() time.Duration { return time.Duration(p.delay.Load()) }

// Connections returns the number of client connections being relayed.
func (p *DelayProxy) Connections() int { return int(p.active.Load()) }

// Close stops listening, closes every open connection and waits until the
// proxy's goroutines are gone.
func (p *DelayProxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	err := p.listener.Close()
	p.wg.Wait()
	return err
}

func (p *DelayProxy) serve() {
	defer p.wg.Done()
	for {
		client, err := p.listener.Accept()
		if err != nil {
			return
		}
		p.slots <- struct{}{}
		if !p.track(client) {
			<-p.slots
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer func() { <-p.slots }()
			p.relay(client)
		}()
	}
}

// track registers an open connection; it returns false once the proxy is
// closed (and closes c).
func (p *DelayProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *DelayProxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}

// relay forwards between client and a new upstream connection until either
// side closes.
func (p *DelayProxy) relay(client net.Conn) {
	p.active.Add(1)
	defer p.active.Add(-1)
	defer p.untrack(client)
	upstream, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		return
	}
	if !p.track(upstream) {
		return
	}
	defer p.untrack(upstream)
	var wg sync.WaitGroup
	wg.Add(2)
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		p.copy(dst, src)
		// Half-closed connections are not kept: one side ending ends both.
		_ = dst.Close()
		_ = src.Close()
	}
	go pipe(upstream, client)
	go pipe(client, upstream)
	wg.Wait()
}

// copy copies src to dst, sleeping the current delay before forwarding
// each chunk read.
func (p *DelayProxy) copy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if d := p.Delay(); d > 0 {
				time.Sleep(d)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			// io.EOF, a closed connection or a reset: the relay ends.
			return
		}
	}
}
