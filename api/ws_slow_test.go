//go:build linux

package api_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/marketdata"
)

// TestWebSocketSlowConsumer: a subscriber that stops reading is closed
// with "slow consumer" in the close frame, while a subscriber that reads
// receives every trade push, a book without a gap, and pushes all along
// the trading.
//
// The slow subscriber's socket is made small before it connects (a 4 KiB
// receive buffer and a 536-byte MSS, which keep the server's send buffer
// to tens of kilobytes instead of the megabytes loopback grows it to), so
// the kernel stops taking the server's writes after a few hundred pushes
// and its queue (WSQueue) fills behind them. It keeps sending pings, so it
// is closed for not reading, not for silence.
//
// The server gives a blocked write wsWriteWait (2 s): a client stalled
// longer loses the connection without the close frame (1006, unexpected
// EOF, once it stops sending). So the slow subscriber reads soon after its
// queue must have overflowed, which the test knows from the kernel's
// queues of the connection (/proc/net/tcp): the pushes the fast
// subscriber received, less the bytes the server's socket took, are what
// waits in the server's queue for the slow one.
func TestWebSocketSlowConsumer(t *testing.T) {
	const (
		// queue is small, but must hold a burst for the subscriber that
		// reads: the feed queues the pushes of the updates it holds back
		// to back before a writer runs, and one sweep here is 26 pushes
		// (with 64 the reading subscriber was cut off too, in some runs).
		queue    = 1024
		perCycle = 25 // asks in a maker's batch, all taken by one buy
		// The burst goes on until the slow subscriber's queue has
		// overflowed, then until most trades or afterCut, whichever comes
		// first: the slow subscriber's blocked write has 2 s to complete.
		most     = 3000
		afterCut = 500 * time.Millisecond
	)
	te := startTradeEnv(t, apitest.Options{RealRedis: true, Adjust: func(c *node.Config) { c.API.WSQueue = queue }})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	channels := []string{"book.ACME-EUR", "trades.ACME-EUR"}
	maker, _ := te.trader("maker", map[string]int64{"ACME": 1_000_000_00, "EUR": 1_000_000_00})
	taker, _ := te.trader("taker", map[string]int64{"ACME": 1_000_000_00, "EUR": 1_000_000_00})

	// The slow subscriber reads its subscription's snapshot and answer,
	// then nothing until the trading is over.
	slow := dialSmallSocket(ctx, t, "ws"+strings.TrimPrefix(te.URL, "http")+"/v1/ws")
	defer slow.Close()
	sub, _ := json.Marshal(map[string]any{"id": 1, "method": "subscribe", "params": map[string]any{"channels": channels}})
	if err := slow.WriteMessage(websocket.TextMessage, sub); err != nil {
		t.Fatal(err)
	}
	for {
		_ = slow.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, msg, err := slow.ReadMessage()
		if err != nil {
			t.Fatalf("slow subscriber, subscribing: %v", err)
		}
		var a struct {
			ID    *int
			Error *struct{ Code string }
		}
		if json.Unmarshal(msg, &a) == nil && a.ID != nil && *a.ID == 1 {
			if a.Error != nil {
				t.Fatalf("slow subscriber, subscribing: %s", msg)
			}
			break
		}
	}
	stopPings := make(chan struct{})
	pinged := make(chan struct{})
	go func() {
		defer close(pinged)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopPings:
				return
			case <-tick.C:
				_ = slow.SetWriteDeadline(time.Now().Add(time.Second))
				if slow.WriteMessage(websocket.TextMessage, []byte(`{"id":0,"method":"ping"}`)) != nil {
					return
				}
			}
		}
	}()

	// The fast subscriber reads everything into a local book, and notes
	// the size each push had on the wire: the slow subscriber was sent the
	// same, in the same order.
	fast, err := te.Public().DialWS(ctx, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	if err := fast.Call(ctx, "subscribe", map[string]any{"channels": channels}, nil); err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		trades   int
		arrivals []time.Time
		wire     []int // bytes of the pushes so far, after each
		bookErr  error
		book     = client.Book{Scales: marketdata.Scales{Price: 2, Size: 2}}
	)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for p := range fast.Pushes() {
			now := time.Now()
			mu.Lock()
			arrivals = append(arrivals, now)
			total := 0
			if len(wire) > 0 {
				total = wire[len(wire)-1]
			}
			wire = append(wire, total+pushFrameSize(p))
			switch p.Channel {
			case "trades.ACME-EUR":
				trades++
			case "book.ACME-EUR":
				if err := book.Apply(p); err != nil && bookErr == nil {
					bookErr = err
				}
			}
			mu.Unlock()
		}
	}()
	server, local := slow.RemoteAddr().(*net.TCPAddr), slow.LocalAddr().(*net.TCPAddr)
	// waiting is how many pushes at least wait in the server's queue for
	// the slow subscriber: those the fast one received, less what the
	// slow one's socket holds (the server's send queue and the client's
	// receive queue; the slow one read nothing of the burst). Heartbeats
	// and ping answers count among the bytes held, not among the pushes:
	// the estimate is low, never high.
	waiting := func() int {
		held, err := tcpQueued(server, local)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		written := sort.SearchInts(wire, held+1) // pushes wholly in the kernel
		return len(wire) - written
	}

	// The burst: every cycle a maker's batch of asks at perCycle prices,
	// and a buy that takes them all.
	asks := make([]map[string]any, perCycle)
	for i := range asks {
		asks[i] = map[string]any{"action": "place", "market": "ACME-EUR", "side": "sell", "type": "limit", "price": fmt.Sprintf("1.%02d", i), "size": "1.00"}
	}
	sweep := limitOrder("buy", fmt.Sprintf("1.%02d", perCycle-1), fmt.Sprintf("%d.00", perCycle))
	made := 0
	var cut time.Time // when the slow subscriber's queue had overflowed
	began := time.Now()
	for cut.IsZero() || made < most && time.Since(cut) < afterCut {
		if cut.IsZero() && time.Since(began) > 15*time.Second {
			t.Fatalf("after %d trades the slow subscriber's queue holds %d pushes, not more than %d", made, waiting(), queue)
		}
		var batch struct {
			Results []struct{ Status int }
		}
		te.Do(maker, "POST", "/v1/orders/batch", map[string]any{"orders": asks}, &batch)
		for i, r := range batch.Results {
			if r.Status != 201 {
				t.Fatalf("ask %d of a batch: status %d", i, r.Status)
			}
		}
		var o struct {
			Status string
			Fills  []json.RawMessage
		}
		te.Do(taker, "POST", "/v1/orders", sweep, &o)
		if o.Status != "filled" || len(o.Fills) != perCycle {
			t.Fatalf("the sweep: %s with %d fills, want filled with %d", o.Status, len(o.Fills), perCycle)
		}
		made += len(o.Fills)
		if cut.IsZero() && waiting() > queue+1 { // the queue, and the one in the writer's hands
			cut = time.Now()
		}
	}
	ended := time.Now()
	t.Logf("%d trades in %v; the slow subscriber's queue overflowed by %v", made, ended.Sub(began).Round(time.Millisecond), cut.Sub(began).Round(time.Millisecond))

	// The slow subscriber reads now: what was sent before the server gave
	// up on it, then the close frame.
	close(stopPings)
	<-pinged
	drained, slowTrades, bytes := 0, 0, 0
	var closeErr *websocket.CloseError
	for {
		_ = slow.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, msg, err := slow.ReadMessage()
		if err != nil {
			if !errors.As(err, &closeErr) {
				t.Fatalf("the slow subscriber read %d messages (%d bytes), then %v; want a close frame", drained, bytes, err)
			}
			break
		}
		drained++
		bytes += len(msg)
		if strings.HasPrefix(string(msg), `{"channel":"trades.ACME-EUR"`) {
			slowTrades++
		}
	}
	t.Logf("the slow subscriber read %d messages (%d trades, %d bytes), then close %d %q", drained, slowTrades, bytes, closeErr.Code, closeErr.Text)
	if closeErr.Code != websocket.ClosePolicyViolation || !strings.Contains(closeErr.Text, "slow consumer") {
		t.Fatalf("the slow subscriber was closed with %d %q, want %d and a reason naming a slow consumer", closeErr.Code, closeErr.Text, websocket.ClosePolicyViolation)
	}
	if slowTrades >= made {
		t.Fatalf("the slow subscriber read all %d trades: it was not cut off", made)
	}

	// The fast subscriber: every trade, a book that never needed a resync,
	// and pushes all along the burst.
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		got := trades
		mu.Unlock()
		if got >= made {
			break
		}
		select {
		case <-fast.Done():
			t.Fatalf("the fast subscriber was closed after %d of %d trades: %v", got, made, fast.Err())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fast subscriber received %d of %d trades", got, made)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // a push too many would come by now
	fast.Close()
	<-readerDone
	if trades != made {
		t.Fatalf("the fast subscriber received %d trades, %d were made", trades, made)
	}
	if bookErr != nil || book.Resyncs != 0 || !book.Ready() {
		t.Fatalf("the fast subscriber's book: %v (resyncs %d, ready %v)", bookErr, book.Resyncs, book.Ready())
	}
	if d := book.Depth(0); len(d.Bids) != 0 || len(d.Asks) != 0 {
		t.Fatalf("the fast subscriber's book is not empty after the sweeps: %+v", d)
	}
	var maxGap time.Duration
	last, during := began, 0
	for _, at := range arrivals {
		if at.Before(began) {
			continue
		}
		if at.After(ended) {
			break
		}
		maxGap = max(maxGap, at.Sub(last))
		last = at
		during++
	}
	maxGap = max(maxGap, ended.Sub(last))
	t.Logf("the fast subscriber: %d pushes during the burst, the longest wait %v", during, maxGap.Round(time.Microsecond))
	if maxGap >= time.Second {
		t.Fatalf("the fast subscriber waited %v for a push during the trading", maxGap)
	}
}

// dialSmallSocket opens a WebSocket whose TCP socket has a 4 KiB receive
// buffer and a 536-byte MSS, set before it connects (the window and the
// MSS are offered in the handshake, and the server's send buffer grows
// with the MSS), so that a client that stops reading stops the server's
// writes after tens of kilobytes.
func dialSmallSocket(ctx context.Context, t *testing.T, url string) *websocket.Conn {
	t.Helper()
	nd := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
			if err == nil {
				err = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, 536)
			}
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	d := websocket.Dialer{NetDialContext: nd.DialContext, HandshakeTimeout: 5 * time.Second}
	conn, _, err := d.DialContext(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// pushFrameSize is the bytes a push took on the wire: the server's
// encoding {"channel":..,"seq":..,"data":..} in an unmasked frame.
func pushFrameSize(p client.Push) int {
	n := len(`{"channel":"","seq":,"data":}`) + len(p.Channel) + len(strconv.FormatUint(p.Seq, 10)) + len(p.Data)
	switch {
	case n < 126:
		return n + 2
	case n < 1<<16:
		return n + 4
	}
	return n + 10
}

// tcpQueued is the bytes the kernel holds on the loopback connection from
// server to client: the server's send queue and the client's receive
// queue, from /proc/net/tcp (both ends are in this process's network
// namespace).
func tcpQueued(server, client *net.TCPAddr) (int, error) {
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	hexAddr := func(a *net.TCPAddr) string {
		ip := a.IP.To4()
		if ip == nil {
			return ""
		}
		// The kernel prints the address's bytes as one native word.
		return fmt.Sprintf("%08X:%04X", binary.NativeEndian.Uint32(ip), a.Port)
	}
	s, c := hexAddr(server), hexAddr(client)
	tx, rx, found := 0, 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// sl local rem st tx_queue:rx_queue ...
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		txS, rxS, _ := strings.Cut(fields[4], ":")
		switch {
		case fields[1] == s && fields[2] == c:
			v, err := strconv.ParseInt(txS, 16, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/net/tcp: %q: %v", sc.Text(), err)
			}
			tx, found = int(v), found+1
		case fields[1] == c && fields[2] == s:
			v, err := strconv.ParseInt(rxS, 16, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/net/tcp: %q: %v", sc.Text(), err)
			}
			rx, found = int(v), found+1
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if found != 2 {
		return 0, fmt.Errorf("/proc/net/tcp lists %d of the two ends of %s-%s", found, server, client)
	}
	return tx + rx, nil
}
