//go:build unix

package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// BenchmarkWSPlaceOrder measures limit orders per second placed and
// answered over the WebSocket through the whole stack, as
// BenchmarkRESTPlaceOrder does over HTTP: 32 market makers, each logged
// on with one connection, the sequencer journaling to the real Redis,
// matching, the projectors writing market data to Redis and history to
// PostgreSQL. Each connection keeps window orders in flight (window
// goroutines calling order.place one after the other), each alternating
// a buy and a sell at one price, so half the orders trade. It reports
// orders/s and the p50/p99 latency of an order, from the call to its
// answer.
//
// The server answers a connection's messages one after the other, so a
// window beyond 1 only hides the round trip. A connection may send 500
// messages a second (1,000 at once): 32 connections cap a long run at
// 16,000 orders a second, beyond which orders fail rate_limited.
func BenchmarkWSPlaceOrder(b *testing.B) {
	for _, window := range []int{1, 4} {
		b.Run(fmt.Sprintf("window=%d", window), func(b *testing.B) { benchWSPlaceOrder(b, 32, window) })
	}
}

func benchWSPlaceOrder(b *testing.B, conns, window int) {
	env := apitest.Start(b, apitest.Options{RealRedis: true, Postgres: true})
	benchMarket(env)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	makers := make([]*client.WS, conns)
	for i := range makers {
		makers[i] = benchMaker(ctx, b, env, fmt.Sprintf("mm%d", i), byte(i))
	}
	bodies := [2]json.RawMessage{
		json.RawMessage(`{"market":"ACME-EUR","side":"buy","type":"limit","price":"1.00","size":"1.00"}`),
		json.RawMessage(`{"market":"ACME-EUR","side":"sell","type":"limit","price":"1.00","size":"1.00"}`),
	}
	var next, failed atomic.Int64
	var firstErr atomic.Value
	latencies := make([][]time.Duration, conns*window)
	b.ReportAllocs()
	b.ResetTimer()
	began := time.Now()
	var wg sync.WaitGroup
	for g := range conns * window {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := makers[g/window]
			for i := 0; ; i++ {
				if next.Add(1) > int64(b.N) {
					return
				}
				t0 := time.Now()
				err := w.Call(ctx, "order.place", bodies[i%2], nil)
				latencies[g] = append(latencies[g], time.Since(t0))
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d orders failed; first: %v", n, b.N, firstErr.Load())
	}
	all := slices.Concat(latencies...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "orders/s")
	b.ReportMetric(millis(all[len(all)/2]), "p50-ms")
	b.ReportMetric(millis(all[len(all)*99/100]), "p99-ms")
}

// BenchmarkWSBookFanout measures how fast book updates reach 1,000
// subscribers of book.ACME-EUR and trades.ACME-EUR (raw WebSocket
// connections in this process that only read, and ping) while 4 market
// makers place orders over the WebSocket at a steady 200 a second in all:
// resting orders at random prices, each maker canceling its oldest beyond
// 10, and every tenth order crossing the spread. b.N is the number of
// orders. An order's seq comes from its maker's orders channel; the
// subscribers note when each book update arrives.
//
// It reports, over every (subscriber, order) pair, the time from the
// order's answer at its maker to the subscriber's first book update with
// a seq at least the order's (deliver-p50/p99-ms); the same to the first
// subscriber to have it (first-p50/p99-ms); over every (subscriber,
// update) pair, how long after the first subscriber this one received
// the update (spread-p50/p99-ms); and the pushes delivered per second to
// all subscribers, until the last has the last order. The conflated book
// (at most one update per 100 ms, the default) and the unconflated one
// are measured apart: the conflation delays a change by up to its
// interval by design. orders/s says whether the makers kept their pace: on
// a small machine the unconflated fan-out takes the CPU they need.
func BenchmarkWSBookFanout(b *testing.B) {
	b.Run("conflated", func(b *testing.B) { benchBookFanout(b, 1000, false) })
	b.Run("unconflated", func(b *testing.B) { benchBookFanout(b, 1000, true) })
}

func benchBookFanout(b *testing.B, subscribers int, unconflated bool) {
	const (
		makers     = 4
		perSecond  = 200 // orders of all makers
		resting    = 10  // a maker cancels its oldest order beyond these
		crossEvery = 10  // every so many orders one crosses the spread
	)
	raiseFileLimit(b, uint64(2*subscribers+500))
	env := apitest.Start(b, apitest.Options{RealRedis: true, Postgres: true})
	benchMarket(env)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The makers, their orders channels telling each order's seq.
	type maker struct {
		w    *client.WS
		mu   sync.Mutex
		seqs map[string]uint64 // order id → seq of its first push (its acceptance)
	}
	mms := make([]*maker, makers)
	for i := range mms {
		m := &maker{w: benchMaker(ctx, b, env, fmt.Sprintf("mm%d", i), byte(i)), seqs: map[string]uint64{}}
		if err := m.w.Call(ctx, "subscribe", map[string]any{"channels": []string{"orders"}}, nil); err != nil {
			b.Fatal(err)
		}
		go func() {
			for p := range m.w.Pushes() {
				var ev struct{ ID string }
				if p.Channel != "orders" || json.Unmarshal(p.Data, &ev) != nil {
					continue
				}
				m.mu.Lock()
				if _, seen := m.seqs[ev.ID]; !seen {
					m.seqs[ev.ID] = p.Seq
				}
				m.mu.Unlock()
			}
		}()
		mms[i] = m
	}

	// The subscribers.
	url := "ws" + strings.TrimPrefix(env.URL, "http") + "/v1/ws"
	subs := make([]*fanoutSubscriber, subscribers)
	sub, _ := json.Marshal(map[string]any{"id": 1, "method": "subscribe", "params": map[string]any{
		"channels": []string{"book.ACME-EUR", "trades.ACME-EUR"}, "unconflated": unconflated}})
	dialing := make(chan struct{}, 32)
	var dialWG sync.WaitGroup
	var dialErr atomic.Value
	for i := range subs {
		dialWG.Add(1)
		dialing <- struct{}{}
		go func() {
			defer dialWG.Done()
			defer func() { <-dialing }()
			s, err := dialFanoutSubscriber(ctx, url, sub)
			if err != nil {
				dialErr.CompareAndSwap(nil, err)
				return
			}
			subs[i] = s
		}()
	}
	dialWG.Wait()
	if err, _ := dialErr.Load().(error); err != nil {
		b.Fatalf("subscribers: %v", err)
	}
	base := time.Now()
	for _, s := range subs {
		go s.read(base)
	}
	stopPings := make(chan struct{})
	pinged := make(chan struct{})
	go func() {
		defer close(pinged)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopPings:
				return
			case <-tick.C:
				for _, s := range subs {
					s.ping()
				}
			}
		}
	}()
	defer func() {
		close(stopPings)
		<-pinged
		for _, s := range subs {
			s.close()
		}
	}()

	// The flow: each maker paced to perSecond/makers orders a second.
	type placed struct {
		id     string
		answer time.Duration // since base
	}
	answers := make([][]placed, makers)
	var next, failed atomic.Int64
	var firstErr atomic.Value
	b.ReportAllocs()
	b.ResetTimer()
	began := time.Now()
	var wg sync.WaitGroup
	for k, m := range mms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(k), 1))
			pace := time.NewTicker(time.Second * makers / perSecond)
			defer pace.Stop()
			var open []string
			for i := 0; ; i++ {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				<-pace.C
				side, price := "buy", fmt.Sprintf("0.%02d", 90+rng.IntN(10))
				if i%2 == 1 {
					side, price = "sell", fmt.Sprintf("1.%02d", 1+rng.IntN(10))
				}
				crossing := n%crossEvery == 0
				if crossing { // a buy at the top of the asks, or a sell at the bottom of the bids
					price = map[string]string{"buy": "1.10", "sell": "0.90"}[side]
				}
				var o struct{ ID, Status string }
				err := m.w.Call(ctx, "order.place", map[string]any{"market": "ACME-EUR", "side": side, "type": "limit", "price": price, "size": "1.00"}, &o)
				at := time.Since(base)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				if !crossing {
					answers[k] = append(answers[k], placed{o.ID, at})
				}
				if o.Status == "open" {
					open = append(open, o.ID)
				}
				if len(open) > resting {
					if err := m.w.Call(ctx, "order.cancel", map[string]any{"id": open[0]}, nil); err != nil {
						var ae *client.Error
						if !errors.As(err, &ae) || ae.Code != "unknown_order" { // traded meanwhile
							failed.Add(1)
							firstErr.CompareAndSwap(nil, err.Error())
						}
					}
					open = open[1:]
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	// Cancel what rests: a last change of the book, so an update after
	// every order comes however the last ones were conflated.
	for _, m := range mms {
		if err := m.w.Call(ctx, "order.cancel_all", map[string]any{"market": "ACME-EUR"}, nil); err != nil {
			b.Fatal(err)
		}
	}
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d calls failed; first: %v", n, firstErr.Load())
	}

	// Every order's seq, then wait for every subscriber to be past the
	// last.
	type order struct {
		seq    uint64
		answer time.Duration
	}
	var orders []order
	var last uint64
	deadline := time.Now().Add(10 * time.Second)
	for k := range answers {
		for _, p := range answers[k] {
			for {
				mms[k].mu.Lock()
				seq, ok := mms[k].seqs[p.id]
				mms[k].mu.Unlock()
				if ok {
					orders = append(orders, order{seq, p.answer})
					last = max(last, seq)
					break
				}
				if time.Now().After(deadline) {
					b.Fatalf("no push on the orders channel for order %s", p.id)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	for _, s := range subs {
		for s.lastSeq() < last {
			if err := s.failure(); err != nil {
				b.Fatalf("a subscriber: %v", err)
			}
			if time.Now().After(deadline) {
				b.Fatalf("a subscriber's book is at seq %d, the last order's is %d", s.lastSeq(), last)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	caughtUp := time.Since(began)
	b.StopTimer()
	for _, s := range subs {
		if err := s.failure(); err != nil {
			b.Fatalf("a subscriber: %v", err)
		}
	}

	// When each update first arrived anywhere.
	first := map[uint64]time.Duration{}
	pushes := 0
	for _, s := range subs {
		s.mu.Lock()
		for _, u := range s.updates {
			if t, ok := first[u.seq]; !ok || u.at < t {
				first[u.seq] = u.at
			}
		}
		pushes += len(s.updates) + s.trades
		s.mu.Unlock()
	}
	seqs := make([]uint64, 0, len(first))
	for seq := range first {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	var spread, deliver, firstIn []time.Duration
	for _, o := range orders {
		i, _ := slices.BinarySearch(seqs, o.seq)
		if i == len(seqs) {
			b.Fatalf("no book update at or after seq %d", o.seq)
		}
		firstIn = append(firstIn, first[seqs[i]]-o.answer)
	}
	for _, s := range subs {
		s.mu.Lock()
		for _, u := range s.updates {
			spread = append(spread, u.at-first[u.seq])
		}
		for _, o := range orders {
			i := sort.Search(len(s.updates), func(j int) bool { return s.updates[j].seq >= o.seq })
			if i == len(s.updates) {
				s.mu.Unlock()
				b.Fatalf("a subscriber has no book update at or after seq %d", o.seq)
			}
			deliver = append(deliver, s.updates[i].at-o.answer)
		}
		s.mu.Unlock()
	}
	for _, d := range [][]time.Duration{spread, deliver, firstIn} {
		slices.Sort(d)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(len(seqs)), "updates")
	b.ReportMetric(float64(pushes)/caughtUp.Seconds(), "pushes/s")
	b.ReportMetric(millis(deliver[len(deliver)/2]), "deliver-p50-ms")
	b.ReportMetric(millis(deliver[len(deliver)*99/100]), "deliver-p99-ms")
	b.ReportMetric(millis(firstIn[len(firstIn)/2]), "first-p50-ms")
	b.ReportMetric(millis(firstIn[len(firstIn)*99/100]), "first-p99-ms")
	b.ReportMetric(millis(spread[len(spread)/2]), "spread-p50-ms")
	b.ReportMetric(millis(spread[len(spread)*99/100]), "spread-p99-ms")
}

// fanoutSubscriber is one reading subscriber of the fan-out benchmark: a
// raw connection that notes when each book update arrived, and counts
// trades.
type fanoutSubscriber struct {
	conn    *websocket.Conn
	writeMu sync.Mutex
	closing atomic.Bool

	mu      sync.Mutex
	updates []bookArrival
	trades  int
	err     error // the connection ended early, or an update did not chain
}

type bookArrival struct {
	seq uint64
	at  time.Duration // since the benchmark's base time
}

func dialFanoutSubscriber(ctx context.Context, url string, subscribe []byte) (*fanoutSubscriber, error) {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.DialContext(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	if err := conn.WriteMessage(websocket.TextMessage, subscribe); err != nil {
		conn.Close()
		return nil, err
	}
	for { // the snapshot, then the answer
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, msg, err := conn.ReadMessage()
		if err != nil {
			conn.Close()
			return nil, err
		}
		if bytes.HasPrefix(msg, []byte(`{"id":1,`)) {
			if !bytes.Contains(msg, []byte(`"result"`)) {
				conn.Close()
				return nil, fmt.Errorf("subscribe: %s", msg)
			}
			break
		}
	}
	_ = conn.SetReadDeadline(time.Time{})
	return &fanoutSubscriber{conn: conn}, nil
}

var (
	bookPush   = []byte(`{"channel":"book.ACME-EUR","seq":`)
	tradesPush = []byte(`{"channel":"trades.ACME-EUR",`)
)

// read notes the arrivals until the connection ends.
func (s *fanoutSubscriber) read(base time.Time) {
	var buf bytes.Buffer
	prev := uint64(0)
	for {
		_, r, err := s.conn.NextReader()
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		at := time.Since(base)
		if err != nil {
			if !s.closing.Load() {
				s.fail(fmt.Errorf("the connection ended: %v", err))
			}
			return
		}
		msg := buf.Bytes()
		switch {
		case bytes.HasPrefix(msg, bookPush):
			seq, prevSeq, ok := bookSeqs(msg)
			if !ok {
				s.fail(fmt.Errorf("a book push without seq and prev_seq: %.200s", msg))
				return
			}
			if prev != 0 && prevSeq != prev {
				s.fail(fmt.Errorf("a book update at seq %d chains to %d, the one before was %d", seq, prevSeq, prev))
				return
			}
			prev = seq
			s.mu.Lock()
			s.updates = append(s.updates, bookArrival{seq, at})
			s.mu.Unlock()
		case bytes.HasPrefix(msg, tradesPush):
			s.mu.Lock()
			s.trades++
			s.mu.Unlock()
		}
	}
}

// bookSeqs reads the seq and prev_seq of a book update (the server writes
// {"channel":..,"seq":N,"data":{"seq":N,"prev_seq":M,...}).
func bookSeqs(msg []byte) (seq, prev uint64, ok bool) {
	number := func(after []byte) (uint64, bool) {
		i := bytes.Index(msg, after)
		if i < 0 {
			return 0, false
		}
		rest := msg[i+len(after):]
		end := bytes.IndexAny(rest, ",}")
		if end < 0 {
			return 0, false
		}
		n, err := strconv.ParseUint(string(rest[:end]), 10, 64)
		return n, err == nil
	}
	seq, ok1 := number([]byte(`"seq":`))
	prev, ok2 := number([]byte(`"prev_seq":`))
	return seq, prev, ok1 && ok2
}

func (s *fanoutSubscriber) ping() {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_ = s.conn.SetWriteDeadline(time.Now().Add(time.Second))
	if err := s.conn.WriteMessage(websocket.TextMessage, []byte(`{"id":0,"method":"ping"}`)); err != nil && !s.closing.Load() {
		s.fail(fmt.Errorf("ping: %v", err))
	}
}

func (s *fanoutSubscriber) close() {
	s.closing.Store(true)
	s.conn.Close()
}

func (s *fanoutSubscriber) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

func (s *fanoutSubscriber) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *fanoutSubscriber) lastSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.updates) == 0 {
		return 0
	}
	return s.updates[len(s.updates)-1].seq
}

// benchMarket creates ACME and EUR (scale 2) and ACME-EUR (price scale 2,
// lot 1.00), as BenchmarkRESTPlaceOrder's.
func benchMarket(env *apitest.Env) {
	acme, _ := engine.ParseSymbol("ACME")
	eur, _ := engine.ParseSymbol("EUR")
	env.Submit(engine.Command{Kind: engine.CmdCreateAsset, Symbol: acme, Scale: 2})
	env.Submit(engine.Command{Kind: engine.CmdCreateAsset, Symbol: eur, Scale: 2})
	env.Submit(engine.Command{Kind: engine.CmdCreateMarket, Base: 1, Quote: 2, PriceScale: 2, Tick: 1, Lot: 100, MinSize: 100})
}

// benchMaker makes a funded market maker and its logged-on connection.
func benchMaker(ctx context.Context, b *testing.B, env *apitest.Env, name string, n byte) *client.WS {
	b.Helper()
	c, id := env.NewAccount(sqlstore.AccountMarketMaker, name, sqlstore.ScopeRead, sqlstore.ScopeTrade)
	env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(id), Asset: 1, Amount: 1 << 50, Ref: engine.Ref{1, n}})
	env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(id), Asset: 2, Amount: 1 << 50, Ref: engine.Ref{2, n}})
	w, err := c.DialWS(ctx, 1<<14)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	if err := w.Logon(ctx, nil); err != nil {
		b.Fatalf("logon: %v", err)
	}
	return w
}

// raiseFileLimit makes room for need open files: the soft limit is raised
// to the hard one if it is lower than need; below need even so, the
// benchmark is skipped.
func raiseFileLimit(b *testing.B, need uint64) {
	b.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	if uint64(lim.Cur) >= need {
		return
	}
	if uint64(lim.Max) < need {
		b.Skipf("needs %d open files (a socket for each end of every connection); the hard limit is %d: raise it (ulimit -Hn, or LimitNOFILE)", need, lim.Max)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatalf("raise the open files limit to %d: %v", lim.Max, err)
	}
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
