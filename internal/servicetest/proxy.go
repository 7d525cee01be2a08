package servicetest

import (
	"bytes"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is what a Proxy does to the connection that sends the command it
// is armed for.
type Fault int

const (
	// DropReply forwards the command, waits until the service's reply
	// starts to arrive, discards it and closes the client's connection: the
	// command took effect, but the client sees only a broken connection.
	DropReply Fault = iota + 1
	// DropRequest closes the connection as soon as the command is seen,
	// without forwarding it: the command never took effect.
	DropRequest
)

func (f Fault) String() string {
	switch f {
	case DropReply:
		return "drop reply"
	case DropRequest:
		return "drop request"
	}
	return "fault?"
}

// maxWord bounds the length of the word a Proxy looks for: it keeps the
// last maxWord-1 bytes of every request stream to find a word that spans
// two reads.
const maxWord = 64

// Proxy is a TCP proxy on 127.0.0.1 in front of a service (the test Redis),
// which can be armed to break the connection around the next command that
// contains a word, to lose a request or a reply at the network level.
//
// It understands no protocol: a command is recognised by its bytes in the
// client-to-service stream (ASCII case ignored, so "XADD" also matches
// go-redis's "xadd"), and a reply as the first bytes the service sends
// after it. That is exact for a client with at most one command in flight
// per connection, as go-redis is outside pipelines: when it sends a
// command it has read every earlier reply.
type Proxy struct {
	t      testing.TB
	target string
	ln     net.Listener
	wg     sync.WaitGroup // the accept loop and every connection's pumps

	mu     sync.Mutex
	armed  *arm // nil when not armed
	fired  map[Fault]int
	conns  map[net.Conn]struct{} // open, both sides, to close on shutdown
	closed bool
}

// arm is one pending fault.
type arm struct {
	fault Fault
	word  []byte        // lower case
	done  chan struct{} // closed when the fault has been done
}

// StartProxy starts a proxy to target (host:port) on a free port of
// 127.0.0.1; it is closed when the test ends.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{t: t, target: target, ln: ln, fired: map[Fault]int{}, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Addr is the proxy's host:port, for the client under test.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Arm makes the proxy do f to the next command, on any connection, whose
// bytes contain word (ASCII case ignored; at most 64 bytes). The returned
// channel is closed once it has been done. Only one fault is pending at a
// time: arming again while one is pending fails the test.
func (p *Proxy) Arm(f Fault, word string) <-chan struct{} {
	p.t.Helper()
	if f != DropReply && f != DropRequest || word == "" || len(word) > maxWord {
		p.t.Fatalf("servicetest: Arm(%v, %q): no such fault, or a word not of 1 to %d bytes", f, word, maxWord)
	}
	a := &arm{fault: f, word: bytes.ToLower([]byte(word)), done: make(chan struct{})}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.armed != nil {
		p.t.Fatalf("servicetest: Arm(%v) while %v is still pending", f, p.armed.fault)
	}
	p.armed = a
	return a.done
}

// Fired returns how many times the proxy has done f.
func (p *Proxy) Fired(f Fault) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fired[f]
}

// Close stops accepting, closes every connection and waits for the
// proxy's goroutines to end.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.ln.Close()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		upstream, err := net.DialTimeout("tcp", p.target, 2*time.Second)
		if err != nil {
			client.Close() // the client sees the service down
			continue
		}
		if !p.track(client, upstream) {
			return
		}
		c := &proxyConn{p: p, client: client, upstream: upstream}
		p.wg.Add(2)
		go c.requests()
		go c.replies()
	}
}

// track registers a connection's two sides, or closes them and reports
// false if the proxy is closed.
func (p *Proxy) track(client, upstream net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		client.Close()
		upstream.Close()
		return false
	}
	p.conns[client], p.conns[upstream] = struct{}{}, struct{}{}
	return true
}

// take returns the pending fault, now no longer pending, if window holds
// its word in a match that ends after the first skip bytes (the part of
// window already searched); nil otherwise.
func (p *Proxy) take(window []byte, skip int) *arm {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.armed
	if a == nil {
		return nil
	}
	// A match ending inside the new bytes starts at skip-len(word)+1 or later.
	from := max(0, skip-len(a.word)+1)
	if !bytes.Contains(lowerASCII(window[from:]), a.word) {
		return nil
	}
	p.armed = nil
	return a
}

// done records that a's fault has been done.
func (p *Proxy) done(a *arm) {
	p.mu.Lock()
	p.fired[a.fault]++
	p.mu.Unlock()
	close(a.done)
}

// proxyConn is one client connection and its connection to the service.
type proxyConn struct {
	p        *Proxy
	client   net.Conn
	upstream net.Conn
	// dropReply is the DropReply fault whose command has been forwarded on
	// this connection; set before the command's bytes go out, so that the
	// reply pump sees it before any byte of the reply.
	dropReply atomic.Pointer[arm]
}

// close closes both sides; either pump's reads then fail and it ends.
func (c *proxyConn) close() {
	c.p.mu.Lock()
	delete(c.p.conns, c.client)
	delete(c.p.conns, c.upstream)
	c.p.mu.Unlock()
	c.client.Close()
	c.upstream.Close()
}

// requests pumps the client's bytes to the service, looking for the armed
// word in the stream (the tail of the previous read in front of each new
// one, so that a word split across reads is found).
func (c *proxyConn) requests() {
	defer c.p.wg.Done()
	defer c.close()
	buf := make([]byte, 32<<10)
	var tail []byte // the stream's last maxWord-1 bytes (fewer at its start)
	for {
		n, err := c.client.Read(buf)
		if n > 0 {
			window := append(tail[:len(tail):len(tail)], buf[:n]...) // a copy: tail stays as it is
			if a := c.p.take(window, len(tail)); a != nil {
				switch a.fault {
				case DropRequest:
					// Nothing of this read reaches the service. The command's
					// first bytes, if an earlier read held them (up to part
					// of the word), are left incomplete there and dropped
					// when the connection closes: never executed.
					c.close()
					c.p.done(a)
					return
				case DropReply:
					c.dropReply.Store(a)
				}
			}
			tail = append(tail[:0], window[max(0, len(window)-(maxWord-1)):]...)
			if _, werr := c.upstream.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// replies pumps the service's bytes to the client, except the reply to a
// DropReply command: its first bytes show the service has executed the
// command; they are discarded and the connection is closed.
func (c *proxyConn) replies() {
	defer c.p.wg.Done()
	defer c.close()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.upstream.Read(buf)
		if n > 0 {
			if a := c.dropReply.Load(); a != nil {
				c.close()
				c.p.done(a)
				return
			}
			if _, werr := c.client.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// lowerASCII returns b with ASCII letters in lower case, in a new slice.
func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
