package marketmaker

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/marketdata"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// quotesString writes quotes as "b1.23x2.00 a1.27x2.00 ...".
func quotesString(r rules, qs []quote) string {
	var parts []string
	for _, q := range qs {
		side := "a"
		if q.buy {
			side = "b"
		}
		parts = append(parts, side+formatUnits(q.price, r.scales.Price)+"x"+formatUnits(q.size, r.scales.Size))
	}
	return strings.Join(parts, " ")
}

// TestPlan: the quotes around a mid: rounded outwards to the tick, the
// levels a step apart, kept off the others' best prices, no bid at zero.
func TestPlan(t *testing.T) {
	acme := rules{symbol: "ACME-EUR", scales: marketdata.Scales{Price: 2, Size: 2}, tick: 1, lot: 100, minSize: 100}
	coffee := rules{symbol: "COFFEE-EUR", scales: marketdata.Scales{Price: 2, Size: 0}, tick: 5, lot: 1, minSize: 2}
	for _, c := range []struct {
		name         string
		r            rules
		mid          string
		spread, step string
		size         int64
		levels       int
		others       best
		want         string
	}{
		{"a price spread", acme, "1.25", "0.04", "", 200, 2, best{}, "b1.23x2.00 a1.27x2.00 b1.22x2.00 a1.28x2.00"},
		{"a mid between ticks", acme, "1.255", "0.01", "", 200, 1, best{}, "b1.25x2.00 a1.26x2.00"},
		{"an odd spread rounds outwards", acme, "1.25", "0.03", "", 100, 1, best{}, "b1.23x1.00 a1.27x1.00"},
		{"basis points", acme, "1.25", "100bps", "", 100, 1, best{}, "b1.24x1.00 a1.26x1.00"},
		{"no spread is a tick", acme, "1.25", "0", "", 100, 1, best{}, "b1.25x1.00 a1.26x1.00"},
		{"a step in basis points", acme, "2.00", "0.02", "100bps", 100, 3, best{}, "b1.99x1.00 a2.01x1.00 b1.97x1.00 a2.03x1.00 b1.95x1.00 a2.05x1.00"},
		{"a coarse tick", coffee, "0.50", "0.02", "0.07", 3, 2, best{}, "b0.45x3 a0.55x3 b0.35x3 a0.65x3"},
		{"below the others' ask", acme, "1.25", "0.04", "", 100, 2, best{ask: 120}, "b1.19x1.00 a1.27x1.00 b1.18x1.00 a1.28x1.00"},
		{"above the others' bid", acme, "1.25", "0.04", "", 100, 1, best{bid: 130}, "b1.23x1.00 a1.31x1.00"},
		{"no bid at zero", acme, "0.02", "0.04", "", 100, 2, best{}, "a0.04x1.00 a0.05x1.00"},
	} {
		t.Run(c.name, func(t *testing.T) {
			spread, err := parseWidth(c.spread)
			if err != nil {
				t.Fatal(err)
			}
			var step width
			if c.step != "" {
				if step, err = parseWidth(c.step); err != nil {
					t.Fatal(err)
				}
			}
			got := quotesString(c.r, plan(c.r, decimal.RequireFromString(c.mid), spread, step, c.size, c.levels, c.others))
			if got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
		})
	}
	for _, bad := range []string{"", "-0.01", "abc", "bps", "1.5 bp"} {
		if _, err := parseWidth(bad); err == nil {
			t.Errorf("parseWidth(%q) accepted", bad)
		}
	}
}

// TestConfigErrors: a configuration reconnecting cannot cure is refused
// at once.
func TestConfigErrors(t *testing.T) {
	c := &client.Client{BaseURL: "http://127.0.0.1:1", KeyID: "k", HMACSecret: []byte("s")}
	ok := Config{Client: c, Markets: []string{"ACME-EUR"}, Spread: "0.02", Size: "1"}
	for name, change := range map[string]func(*Config){
		"no client":      func(cfg *Config) { cfg.Client = nil },
		"no markets":     func(cfg *Config) { cfg.Markets = nil },
		"a market twice": func(cfg *Config) { cfg.Markets = []string{"ACME-EUR", "acme-eur"} },
		"a bad spread":   func(cfg *Config) { cfg.Spread = "wide" },
		"a bad size":     func(cfg *Config) { cfg.Size = "0" },
		"too many levels": func(cfg *Config) {
			cfg.Levels = MaxLevels + 1
		},
		"a short switch":     func(cfg *Config) { cfg.DeadMan = 10 * time.Millisecond },
		"a mid of no market": func(cfg *Config) { cfg.Mids = map[string]string{"COFFEE-EUR": "1"} },
		"a bad mid":          func(cfg *Config) { cfg.Mids = map[string]string{"ACME-EUR": "-1"} },
	} {
		cfg := ok
		change(&cfg)
		if err := Run(context.Background(), cfg); err == nil || !strings.HasPrefix(err.Error(), "marketmaker: ") {
			t.Errorf("%s: Run answered %v", name, err)
		}
	}
}

type bookAnswer struct {
	Bids, Asks [][2]string
}

func (b bookAnswer) String() string { return fmt.Sprintf("bids %v asks %v", b.Bids, b.Asks) }

// eventually polls cond every 20 ms for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10 s: %s", what)
		}
	}
}

// proxy forwards TCP connections to a server until it is cut: then it
// drops every connection, and refuses new ones while it is down.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	down   bool
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.setDown(true) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.down {
				p.mu.Unlock()
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

func (p *proxy) URL() string { return "http://" + p.ln.Addr().String() }

// setDown drops every connection (down or not) and refuses new ones
// while down.
func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

type openOrder struct {
	ID, Side, Price, Remaining string
}

// TestMarketMaker runs the market maker against a node: it quotes both
// sides around the configured mid, requotes an ask a consumer took,
// follows the mid of the others' orders without counting its own, loses
// its quotes when it is cut off (the dead-man's switch) and quotes again
// when it is back, and leaves nothing resting when its context ends.
func TestMarketMaker(t *testing.T) {
	env := apitest.Start(t, apitest.Options{})
	_, brand := env.NewAccount(sqlstore.AccountBrand, "acme-brand", sqlstore.ScopeRead)
	asset := func(symbol string, scale uint8, kind engine.AssetKind, brand uint32, hub bool) engine.AssetID {
		sym, _ := engine.ParseSymbol(symbol)
		evs := env.Submit(engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym, Scale: scale, AssetKind: kind, Brand: engine.AccountID(brand), Hub: hub})
		return evs[len(evs)-1].Asset
	}
	eur := asset("EUR", 2, engine.Token, 0, true)
	acme := asset("ACME", 2, engine.Points, brand, false)
	evs := env.Submit(engine.Command{Kind: engine.CmdCreateMarket, Base: acme, Quote: eur, PriceScale: 2, Tick: 1, Lot: 100, MinSize: 100, MakerBps: 10, TakerBps: 20})
	marketID := evs[len(evs)-1].Market
	refs := 0
	account := func(kind sqlstore.AccountKind, name string) (*client.Client, engine.AccountID) {
		c, id := env.NewAccount(kind, name, sqlstore.ScopeRead, sqlstore.ScopeTrade)
		for _, a := range []engine.AssetID{eur, acme} {
			refs++
			env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(id), Asset: a, Amount: 1000_00, Ref: engine.Ref{0xaa, byte(refs)}})
		}
		return c, engine.AccountID(id)
	}
	mmClient, mmID := account(sqlstore.AccountMarketMaker, "mm")
	taker, _ := account(sqlstore.AccountConsumer, "tess")
	other, _ := account(sqlstore.AccountConsumer, "otto")
	// The market maker reaches the node through a proxy that can cut it
	// off.
	px := startProxy(t, strings.TrimPrefix(env.URL, "http://"))
	mmClient.BaseURL = px.URL()
	defer func(d time.Duration) { maxBackoff = d }(maxBackoff)
	maxBackoff = 500 * time.Millisecond
	// deadman is the market maker's dead-man's switch in the engine.
	deadman := func() (expiresAt int64, armed bool) {
		t.Helper()
		if err := env.Node.Sequencer.Read(context.Background(), func(e *engine.Engine) { expiresAt, armed = e.Deadman(mmID, marketID) }); err != nil {
			t.Fatal(err)
		}
		return expiresAt, armed
	}

	book := func() bookAnswer {
		var b bookAnswer
		env.Do(env.Public(), "GET", "/v1/markets/ACME-EUR/book", nil, &b)
		return b
	}
	waitBook := func(what string, want bookAnswer) {
		t.Helper()
		var got bookAnswer
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if got = book(); reflect.DeepEqual(got, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the book is\n %v\nwant\n %v", what, got, want)
			}
		}
	}
	openOrders := func() []openOrder {
		var page struct{ Orders []openOrder }
		env.Do(mmClient, "GET", "/v1/orders?status=open&market=ACME-EUR", nil, &page)
		return page.Orders
	}

	// What reconnecting cannot cure ends Run at once.
	readOnly := env.KeyFor(uint32(mmID), sqlstore.ScopeRead)
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Client: mmClient, Markets: []string{"NOPE-EUR"}, Spread: "0.02", Size: "1"}, "no market NOPE-EUR"},
		{Config{Client: mmClient, Markets: []string{"ACME-EUR"}, Spread: "0.02", Size: "0.50"}, "below its minimum size"},
		{Config{Client: readOnly, Markets: []string{"ACME-EUR"}, Spread: "0.02", Size: "1"}, "forbidden"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := Run(ctx, c.cfg)
		cancel()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("Run answered %v, want an error with %q", err, c.want)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{
			Client:  mmClient,
			Markets: []string{"acme-eur"},
			Spread:  "0.04",
			Size:    "2.50", // 2.00: rounded down to the lot of 1.00
			Levels:  2,
			// Requotes in this test come from fills and the book, not
			// from the clock.
			RequoteEvery: time.Minute,
			Mids:         map[string]string{"ACME-EUR": "1.25"},
			DeadMan:      3 * time.Second,
			Log:          slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
		})
	}()

	// Both sides, two levels each, around the configured mid.
	quoted := bookAnswer{
		Bids: [][2]string{{"1.23", "2.00"}, {"1.22", "2.00"}},
		Asks: [][2]string{{"1.27", "2.00"}, {"1.28", "2.00"}},
	}
	waitBook("quotes around 1.25", quoted)
	var before []openOrder
	eventually(t, "four open orders in the history", func() bool { before = openOrders(); return len(before) == 4 })
	// Its dead-man's switch is armed for the market, at most 3 s ahead,
	// and refreshed while it runs.
	firstDeadline, armed := deadman()
	if ahead := time.Until(time.Unix(0, firstDeadline)); !armed || ahead > 3*time.Second+500*time.Millisecond {
		t.Fatalf("the dead-man's switch: armed %v, %v ahead", armed, ahead)
	}
	eventually(t, "the dead-man's switch refreshed", func() bool { d, _ := deadman(); return d > firstDeadline })
	var bestAsk string
	for _, o := range before {
		if o.Side == "sell" && o.Price == "1.27" {
			bestAsk = o.ID
		}
	}
	if bestAsk == "" {
		t.Fatalf("no ask at 1.27 among %+v", before)
	}

	// A consumer takes the best ask: a new ask takes its place (not by
	// the clock: RequoteEvery is a minute).
	var took struct{ Status, Filled string }
	env.Do(taker, "POST", "/v1/orders", map[string]any{"market": "ACME-EUR", "side": "buy", "type": "limit", "price": "1.27", "size": "2.00", "time_in_force": "ioc"}, &took)
	if took.Status != "filled" || took.Filled != "2.00" {
		t.Fatalf("the taker's order: %+v", took)
	}
	eventually(t, "a new ask at 1.27", func() bool {
		for _, o := range openOrders() {
			if o.Side == "sell" && o.Price == "1.27" && o.Remaining == "2.00" && o.ID != bestAsk {
				return true
			}
		}
		return false
	})
	waitBook("the quotes restored", quoted)

	// Others quote 1.10 / 1.60: the mid is theirs, 1.35, and the market
	// maker's own quotes do not move it further.
	env.Do(other, "POST", "/v1/orders", map[string]any{"market": "ACME-EUR", "side": "buy", "type": "limit", "price": "1.10", "size": "1.00"}, nil)
	env.Do(other, "POST", "/v1/orders", map[string]any{"market": "ACME-EUR", "side": "sell", "type": "limit", "price": "1.60", "size": "1.00"}, nil)
	following := bookAnswer{
		Bids: [][2]string{{"1.33", "2.00"}, {"1.32", "2.00"}, {"1.10", "1.00"}},
		Asks: [][2]string{{"1.37", "2.00"}, {"1.38", "2.00"}, {"1.60", "1.00"}},
	}
	waitBook("quotes around the others' mid 1.35", following)
	time.Sleep(500 * time.Millisecond) // several conflation intervals
	if got := book(); !reflect.DeepEqual(got, following) {
		t.Fatalf("the quotes moved on their own: %v", got)
	}

	// Cut off, its quotes vanish: the server cancels a market maker's
	// orders when its connection drops, and else its dead-man's switch
	// would within 3 s. Back, it reconnects, starts from a clean slate and
	// quotes again.
	var last []openOrder
	eventually(t, "four open orders in the history", func() bool { last = openOrders(); return len(last) == 4 })
	px.setDown(true)
	cutAt := time.Now()
	waitBook("the quotes gone while cut off", bookAnswer{Bids: [][2]string{{"1.10", "1.00"}}, Asks: [][2]string{{"1.60", "1.00"}}})
	if gone := time.Since(cutAt); gone > 3*time.Second+time.Second {
		t.Fatalf("the quotes vanished %v after the cut, the switch's timeout is 3 s", gone)
	}
	px.setDown(false)
	waitBook("the quotes back after reconnecting", following)
	eventually(t, "four new open orders", func() bool {
		now := openOrders()
		if len(now) != 4 {
			return false
		}
		for _, o := range now {
			for _, l := range last {
				if o.ID == l.ID {
					return false
				}
			}
		}
		return true
	})

	// Its context ends: its orders are canceled, the others' stay.
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return within 30 s of its context's end")
	}
	waitBook("only the others' orders", bookAnswer{Bids: [][2]string{{"1.10", "1.00"}}, Asks: [][2]string{{"1.60", "1.00"}}})
	eventually(t, "no open order of the market maker", func() bool { return len(openOrders()) == 0 })
	if _, armed := deadman(); armed {
		t.Fatal("the dead-man's switch is still armed after the market maker stopped")
	}
}
