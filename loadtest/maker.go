package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
)

// A maker is one WebSocket connection of a market-maker account, logged
// on and subscribed to its fills channel (and its orders channel when
// there are subscribers, for the seq of each change of the book). Each of its Window
// slots keeps one quote: it places it (a buy below the mid or a sell above
// it, within Levels ticks), moves it twice (order.amend), cancels it, and
// again; every fifth placement instead crosses the spread with an IOC
// order, so that makers trade with each other.

// makerConn is one maker's connection and what it noted for the market
// data's delivery latency.
type makerConn struct {
	r     *run
	acct  *account
	index int
	ws    *client.WS
	pace  *pacer
	cids  atomic.Int64

	closing    atomic.Bool
	pushesDone chan struct{}

	mu sync.Mutex
	// seqs are the seq of the orders channel's pushes: "ID/accepted",
	// "ID/amended/N" (the Nth amendment), "ID/canceled".
	seqs    map[string]uint64
	amended map[string]int // amended pushes so far, by order id
	bookOps []bookOp
	// waiting are channels closed when an order's canceled push arrives.
	waiting map[string]chan struct{}
}

// bookOp is a change of the book a maker made: when its answer came, and
// the key of its push in seqs.
type bookOp struct {
	market   *market
	key      string
	answered time.Duration // on the run's clock
}

// makerPushBuffer is the pushes a maker's connection buffers.
const makerPushBuffer = 1 << 14

// connectMakers opens every maker's connection.
func (r *run) connectMakers(ctx context.Context) error {
	r.makerConns = make([]*makerConn, len(r.makers))
	return parallel(ctx, len(r.makers), setupParallel, func(ctx context.Context, i int) error {
		m := &makerConn{
			r: r, acct: r.makers[i], index: i + 1, pace: newPacer(r.cfg.MakerRate), pushesDone: make(chan struct{}),
			seqs: map[string]uint64{}, amended: map[string]int{}, waiting: map[string]chan struct{}{},
		}
		if err := m.connect(ctx); err != nil {
			return fmt.Errorf("maker %d: %w", i+1, err)
		}
		r.makerConns[i] = m
		return nil
	})
}

func (m *makerConn) connect(ctx context.Context) error {
	var ws *client.WS
	err := withRetries(ctx, m.r.cfg.Timeout, true, func(ctx context.Context) error {
		var err error
		ws, err = m.acct.Client.DialWS(ctx, makerPushBuffer)
		return err
	})
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	m.ws = ws
	if err := ws.Logon(ctx, nil); err != nil {
		ws.Close()
		return fmt.Errorf("logon: %w", err)
	}
	// The orders channel tells the seq of each change of the book, for
	// the delivery latency; without subscribers it is only needed at the
	// end (finish), and costs the server a push per order event.
	channels := []string{"fills"}
	if m.r.cfg.Subscribers > 0 {
		channels = append(channels, "orders")
	}
	if err := ws.Call(ctx, "subscribe", map[string]any{"channels": channels}, nil); err != nil {
		ws.Close()
		return fmt.Errorf("subscribe to %v: %w", channels, err)
	}
	m.acct.streamed = true
	go m.readPushes()
	return nil
}

// readPushes notes the fills and the orders' seqs until the connection
// ends.
func (m *makerConn) readPushes() {
	defer close(m.pushesDone)
	keepSeqs := m.r.cfg.Subscribers > 0
	for p := range m.ws.Pushes() {
		switch p.Channel {
		case "fills":
			var f fill
			if json.Unmarshal(p.Data, &f) == nil {
				m.acct.streamedFill(f)
			}
		case "orders":
			var u struct{ Event, ID string }
			if json.Unmarshal(p.Data, &u) != nil {
				continue
			}
			m.mu.Lock()
			switch u.Event {
			case "accepted":
				if keepSeqs {
					m.seqs[u.ID+"/accepted"] = p.Seq
				}
			case "amended":
				if keepSeqs {
					n := m.amended[u.ID]
					m.amended[u.ID] = n + 1
					m.seqs[u.ID+"/amended/"+strconv.Itoa(n)] = p.Seq
				}
			case "canceled":
				if keepSeqs {
					m.seqs[u.ID+"/canceled"] = p.Seq
				}
				if ch := m.waiting[u.ID]; ch != nil {
					close(ch)
					delete(m.waiting, u.ID)
				}
			}
			m.mu.Unlock()
		}
	}
	if !m.closing.Load() {
		m.acct.streamEnded()
		m.r.disconnected(fmt.Sprintf("maker %d", m.index), m.ws.Err())
	}
}

// quote is a slot's resting order.
type quote struct {
	order   *orderSeen
	market  *market
	steps   int // amendments tried
	amended int // amendments answered
}

// slot keeps one quote until ctx ends.
func (m *makerConn) slot(ctx context.Context, slot int) {
	rng := rand.New(rand.NewPCG(m.r.cfg.Seed, uint64(m.index)<<16|uint64(slot)))
	var q *quote
	for n := 1; m.pace.wait(ctx); n++ {
		switch {
		case q == nil && n%5 == 0:
			m.cross(rng)
		case q == nil:
			q = m.place(rng)
		case q.steps < 2:
			q.steps++
			if !m.amend(q, rng) {
				q = nil
			}
		default:
			m.cancel(q)
			q = nil
		}
	}
}

// cid is a client order id of the run's own.
func (m *makerConn) cid() string {
	return fmt.Sprintf("lt%s-m%d-%d", m.r.id, m.index, m.cids.Add(1))
}

// place puts a new quote on the book; nil if it did not rest.
func (m *makerConn) place(rng *rand.Rand) *quote {
	mk := m.r.markets[rng.IntN(len(m.r.markets))]
	side, k := "buy", -(1 + rng.IntN(m.r.cfg.Levels))
	if rng.IntN(2) == 1 {
		side, k = "sell", -k
	}
	o, answered := m.r.placeOrder(m.acct, OpWSPlace, m.wsPlacer(), mk, side, mk.priceAt(k), 1+rng.IntN(10), "gtc", m.cid())
	if o == nil || !o.Open {
		return nil
	}
	m.noteBookOp(mk, o.ID+"/accepted", answered)
	return &quote{order: o, market: mk}
}

// cross takes liquidity with an IOC order at the far end of the makers'
// band.
func (m *makerConn) cross(rng *rand.Rand) {
	mk := m.r.markets[rng.IntN(len(m.r.markets))]
	side, k := "buy", m.r.cfg.Levels
	if rng.IntN(2) == 1 {
		side, k = "sell", -k
	}
	m.r.placeOrder(m.acct, OpWSPlace, m.wsPlacer(), mk, side, mk.priceAt(k), 1+rng.IntN(3), "ioc", m.cid())
}

// wsPlacer places over the maker's connection.
func (m *makerConn) wsPlacer() placer {
	return func(ctx context.Context, req orderRequest, ans *placedAnswer) error {
		return m.ws.Call(ctx, "order.place", req, ans)
	}
}

// amend moves a quote to another price on its side; false when the quote
// is gone (filled, or its fate unknown).
func (m *makerConn) amend(q *quote, rng *rand.Rand) bool {
	mk := q.market
	current := int((q.order.Price - mk.Mid) / mk.Tick)
	if current < 0 {
		current = -current
	}
	k := 1 + rng.IntN(m.r.cfg.Levels)
	if k == current {
		k = k%m.r.cfg.Levels + 1
	}
	if k == current {
		return true // a single level: nowhere to move
	}
	if q.order.Side == "buy" {
		k = -k
	}
	price := mk.priceAt(k)
	ctx, cancel := m.r.call()
	defer cancel()
	began := time.Now()
	var ans amendedAnswer
	err := m.ws.Call(ctx, "order.amend", map[string]string{"id": q.order.ID, "price": q.market.price(price)}, &ans)
	switch m.r.rec.done(OpWSAmend, began, err, "unknown_order") {
	case outcomeOK:
		filled, _ := parseField("filled", ans.Filled, q.market.Base.Scale)
		open := ans.Status == "open"
		m.acct.amended(q.order.ID, price, open, filled, ans.Fills)
		if open {
			m.noteBookOp(q.market, q.order.ID+"/amended/"+strconv.Itoa(q.amended), m.r.clock())
			q.amended++
		}
		return open
	case outcomeGone:
		m.acct.gone(q.order.ID)
		return false
	case outcomeUnanswered:
		m.acct.unsure(q.order.ID)
		return false
	}
	if mayHaveApplied(err) {
		m.acct.unsure(q.order.ID)
		return false
	}
	return true
}

// cancel takes a quote off the book.
func (m *makerConn) cancel(q *quote) {
	ctx, cancel := m.r.call()
	defer cancel()
	began := time.Now()
	var ans canceledAnswer
	err := m.ws.Call(ctx, "order.cancel", map[string]string{"id": q.order.ID}, &ans)
	m.r.noteCancel(m.acct, OpWSCancel, began, err, q.order, ans)
	if err == nil {
		m.noteBookOp(q.market, q.order.ID+"/canceled", m.r.clock())
	}
}

// noteBookOp keeps a change of the book for the delivery latency (only
// when someone subscribes).
func (m *makerConn) noteBookOp(mk *market, key string, answered time.Duration) {
	if m.r.cfg.Subscribers == 0 {
		return
	}
	m.mu.Lock()
	m.bookOps = append(m.bookOps, bookOp{market: mk, key: key, answered: answered})
	m.mu.Unlock()
}

// finish cancels the maker's orders, then places and cancels one more
// and waits for that cancel's push: the connection's pushes come in seq
// order, so every fill of the run has arrived by then.
func (m *makerConn) finish(ctx context.Context) error {
	select {
	case <-m.pushesDone:
		// The connection ended during the run (counted, and its orders
		// cancelled by the disconnect): make sure over REST.
		return m.r.cancelAll(ctx, m.acct, func(ctx context.Context, all *canceledAllAnswer) error {
			return m.acct.Client.Do(ctx, "DELETE", "/v1/orders", nil, all)
		})
	default:
	}
	err := m.r.cancelAll(ctx, m.acct, func(ctx context.Context, all *canceledAllAnswer) error {
		return m.ws.Call(ctx, "order.cancel_all", map[string]any{}, all)
	})
	if err != nil {
		return fmt.Errorf("maker %d: cancel all: %w", m.index, err)
	}
	if m.r.cfg.Subscribers == 0 {
		if err := m.ws.Call(ctx, "subscribe", map[string]any{"channels": []string{"orders"}}, nil); err != nil {
			return fmt.Errorf("maker %d: subscribe to orders: %w", m.index, err)
		}
	}
	mk := m.r.markets[0]
	o, err := m.r.barrierOrder(ctx, m.acct, mk, m.cid(), func(ctx context.Context, req orderRequest, ans *placedAnswer) error {
		if err := m.ws.Call(ctx, "order.place", req, ans); err != nil {
			return err
		}
		m.mu.Lock()
		m.waiting[ans.ID] = make(chan struct{})
		m.mu.Unlock()
		return nil
	})
	if err != nil {
		return fmt.Errorf("maker %d: the last order: %w", m.index, err)
	}
	m.mu.Lock()
	pushed := m.waiting[o.ID]
	m.mu.Unlock()
	var ans canceledAnswer
	if err := withRetries(ctx, m.r.cfg.Timeout, false, func(ctx context.Context) error {
		return m.ws.Call(ctx, "order.cancel", map[string]string{"id": o.ID}, &ans)
	}); err != nil {
		m.acct.unsure(o.ID)
		return fmt.Errorf("maker %d: cancel the last order: %w", m.index, err)
	}
	remaining, _ := parseField("remaining", ans.Remaining, mk.Base.Scale)
	m.acct.canceled(o.ID, remaining)
	select {
	case <-pushed:
		return nil
	case <-m.pushesDone:
		return fmt.Errorf("maker %d: the connection ended before its last push: %v", m.index, m.ws.Err())
	case <-time.After(m.r.cfg.Timeout):
		return fmt.Errorf("maker %d: no push of its last cancel within %v", m.index, m.r.cfg.Timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close ends the connection.
func (m *makerConn) close() {
	if m == nil || m.ws == nil || m.closing.Swap(true) {
		return
	}
	_ = m.ws.Close()
}
