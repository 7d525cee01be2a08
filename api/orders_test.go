package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// tradeEnv is a node with three assets and two markets:
//
//	EUR     token, scale 2, a hub
//	ACME    points of a brand, scale 2
//	COFFEE  points of the brand, scale 0
//	ACME-EUR    price scale 2, tick 0.01, lot 1.00, min 1.00, fees 10/20 bps
//	COFFEE-EUR  price scale 2, tick 0.05, lot 1, min 2, fees 0/10 bps
type tradeEnv struct {
	*apitest.Env
	t      *testing.T
	brand  uint32
	assets map[string]engine.AssetID
	refs   int
}

func startTradeEnv(t *testing.T, o apitest.Options) *tradeEnv {
	t.Helper()
	env := apitest.Start(t, o)
	_, brand := env.NewAccount(sqlstore.AccountBrand, "acme-brand", sqlstore.ScopeRead)
	te := &tradeEnv{Env: env, t: t, brand: brand, assets: map[string]engine.AssetID{}}
	te.createAsset("EUR", 2, engine.Token, 0, true)
	te.createAsset("ACME", 2, engine.Points, brand, false)
	te.createAsset("COFFEE", 0, engine.Points, brand, false)
	env.Submit(engine.Command{Kind: engine.CmdCreateMarket, Base: te.assets["ACME"], Quote: te.assets["EUR"],
		PriceScale: 2, Tick: 1, Lot: 100, MinSize: 100, MakerBps: 10, TakerBps: 20})
	env.Submit(engine.Command{Kind: engine.CmdCreateMarket, Base: te.assets["COFFEE"], Quote: te.assets["EUR"],
		PriceScale: 2, Tick: 5, Lot: 1, MinSize: 2, MakerBps: 0, TakerBps: 10})
	return te
}

func (te *tradeEnv) createAsset(symbol string, scale uint8, kind engine.AssetKind, brand uint32, hub bool) {
	sym, _ := engine.ParseSymbol(symbol)
	evs := te.Submit(engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym, Scale: scale, AssetKind: kind, Brand: engine.AccountID(brand), Hub: hub})
	te.assets[symbol] = evs[len(evs)-1].Asset
}

// trader makes an account with read and trade keys and the deposits
// given in units ("EUR": 10000 is 100.00 EUR).
func (te *tradeEnv) trader(name string, deposits map[string]int64) (*client.Client, uint32) {
	te.t.Helper()
	c, id := te.NewAccount(sqlstore.AccountConsumer, name, sqlstore.ScopeRead, sqlstore.ScopeTrade)
	for sym, units := range deposits {
		te.deposit(id, sym, units)
	}
	return c, id
}

func (te *tradeEnv) deposit(account uint32, symbol string, units int64) {
	te.refs++
	ref := engine.Ref{0xee, byte(te.refs >> 8), byte(te.refs)}
	te.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(account), Asset: te.assets[symbol], Amount: units, Ref: ref})
}

// tradeCall sends a request and decodes a 2xx answer strictly: a field the
// test's type does not know fails the test, so the answers' shapes are
// pinned.
func tradeCall(t *testing.T, c *client.Client, method, path string, body, out any) {
	t.Helper()
	status, _, answer := tradeRaw(t, c, method, path, nil, body)
	if status < 200 || status >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, status, answer)
	}
	if out != nil {
		d := json.NewDecoder(bytes.NewReader(answer))
		d.DisallowUnknownFields()
		if err := d.Decode(out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, answer, err)
		}
	}
}

// tradeRaw sends body (a string or []byte is sent as is, anything else as
// JSON) and returns the answer.
func tradeRaw(t *testing.T, c *client.Client, method, path string, header http.Header, body any) (int, http.Header, []byte) {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status, h, answer, err := c.Raw(ctx, method, path, header, raw)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return status, h, answer
}

// tradeFails checks that a request is answered with status and code.
func tradeFails(t *testing.T, c *client.Client, method, path string, body any, status int, code string) {
	t.Helper()
	got, _, answer := tradeRaw(t, c, method, path, nil, body)
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(answer, &e); err != nil || got != status || e.Error.Code != code {
		t.Fatalf("%s %s %s: got %d %s, want %d %s", method, path, clipBody(body), got, answer, status, code)
	}
}

func clipBody(body any) string {
	s := fmt.Sprint(body)
	if b, ok := body.([]byte); ok {
		s = string(b)
	}
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

// tradeEventually polls cond until it holds (the projections lag the
// engine by milliseconds; expiries wait for the clock).
func tradeEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(8 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// get is a GET that returns the status, decoding a 2xx answer strictly.
func tradeGet(t *testing.T, c *client.Client, path string, out any) int {
	t.Helper()
	status, _, answer := tradeRaw(t, c, "GET", path, nil, nil)
	if status == 200 && out != nil {
		d := json.NewDecoder(bytes.NewReader(answer))
		d.DisallowUnknownFields()
		if err := d.Decode(out); err != nil {
			t.Fatalf("GET %s: decode %s: %v", path, answer, err)
		}
	}
	return status
}

type fillAns struct {
	Market      string `json:"market"`
	OrderID     string `json:"order_id"`
	Side        string `json:"side"`
	Liquidity   string `json:"liquidity"`
	Price       string `json:"price"`
	Size        string `json:"size"`
	QuoteAmount string `json:"quote_amount"`
	Fee         string `json:"fee"`
	FeeAsset    string `json:"fee_asset"`
	Time        string `json:"time"`
}

// orderAns is every field an order answer may have: those of placed and
// amended answers included.
type orderAns struct {
	ID            string    `json:"id"`
	ClientOrderID string    `json:"client_order_id"`
	Market        string    `json:"market"`
	Side          string    `json:"side"`
	Type          string    `json:"type"`
	TimeInForce   string    `json:"time_in_force"`
	PostOnly      bool      `json:"post_only"`
	STP           string    `json:"stp"`
	Price         string    `json:"price"`
	Size          string    `json:"size"`
	QuoteAmount   string    `json:"quote_amount"`
	ExpiresAt     string    `json:"expires_at"`
	Status        string    `json:"status"`
	CancelReason  string    `json:"cancel_reason"`
	Filled        string    `json:"filled"`
	Remaining     string    `json:"remaining"`
	Fees          string    `json:"fees"`
	FeeAsset      string    `json:"fee_asset"`
	CreatedAt     string    `json:"created_at"`
	UpdatedAt     string    `json:"updated_at"`
	FilledQuote   string    `json:"filled_quote"`
	AveragePrice  *string   `json:"average_price"`
	Requeued      *bool     `json:"requeued"`
	Fills         []fillAns `json:"fills"`
}

type canceledAns struct {
	ID            string `json:"id"`
	ClientOrderID string `json:"client_order_id"`
	Market        string `json:"market"`
	Side          string `json:"side"`
	Status        string `json:"status"`
	CancelReason  string `json:"cancel_reason"`
	Remaining     string `json:"remaining"`
}

type balancesAns struct {
	Balances []struct {
		Asset     string `json:"asset"`
		Available string `json:"available"`
		Held      string `json:"held"`
		Total     string `json:"total"`
	} `json:"balances"`
}

type orderListAns struct {
	Orders     []orderAns `json:"orders"`
	NextCursor *string    `json:"next_cursor"`
}

type fillListAns struct {
	Fills      []fillAns `json:"fills"`
	NextCursor *string   `json:"next_cursor"`
}

func limitOrder(side, price, size string, more ...string) map[string]any {
	o := map[string]any{"market": "ACME-EUR", "side": side, "type": "limit", "price": price, "size": size}
	for i := 0; i+1 < len(more); i += 2 {
		o[more[i]] = more[i+1]
	}
	return o
}

func place(t *testing.T, c *client.Client, order map[string]any) orderAns {
	t.Helper()
	var o orderAns
	status, _, answer := tradeRaw(t, c, "POST", "/v1/orders", nil, order)
	if status != 201 {
		t.Fatalf("place %v: %d %s", order, status, answer)
	}
	d := json.NewDecoder(bytes.NewReader(answer))
	d.DisallowUnknownFields()
	if err := d.Decode(&o); err != nil {
		t.Fatalf("place: decode %s: %v", answer, err)
	}
	if o.Fills == nil || o.FilledQuote == "" || o.CreatedAt == "" {
		t.Fatalf("place answer lacks fills, filled_quote or created_at: %s", answer)
	}
	return o
}

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

func balancesOf(t *testing.T, c *client.Client) string {
	t.Helper()
	var b balancesAns
	tradeCall(t, c, "GET", "/v1/balances", nil, &b)
	var parts []string
	for _, x := range b.Balances {
		parts = append(parts, fmt.Sprintf("%s %s+%s=%s", x.Asset, x.Available, x.Held, x.Total))
	}
	return strings.Join(parts, ", ")
}

// line writes values separated by spaces, as fmt.Sprintln without the
// newline.
func line(v ...any) string { return strings.TrimSuffix(fmt.Sprintln(v...), "\n") }

func check(t *testing.T, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

// TestOrderLifecycle: placing (limit, market by size and by quote amount,
// post-only, IOC, FOK, GTD), fills at exact prices and fees, balances,
// amending, cancelling by id and client order id, cancel-all, batches with
// failing items, then the history: the order list paged with cursors and
// the fills.
func TestOrderLifecycle(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]apitest.Options{
		"embedded+sqlite": {},
		"redis+postgres":  {RealRedis: true, Postgres: true},
	} {
		t.Run(name, func(t *testing.T) { testOrderLifecycle(t, o) })
	}
}

func testOrderLifecycle(t *testing.T, o apitest.Options) {
	te := startTradeEnv(t, o)
	alice, _ := te.trader("alice", map[string]int64{"ACME": 100_00, "EUR": 100_00})
	bob, _ := te.trader("bob", map[string]int64{"ACME": 100_00, "EUR": 100_00})

	// A resting ask, then a buy that takes it at the ask's price.
	ask1 := place(t, alice, limitOrder("sell", "1.25", "4.00", "client_order_id", "ask-1"))
	check(t, "ask-1", line(ask1.Status, ask1.Filled, ask1.Remaining, ask1.Fees, ask1.FilledQuote, str(ask1.AveragePrice), len(ask1.Fills)),
		"open 0.00 4.00 0.00 0.00 <null> 0")
	check(t, "ask-1 fields", line(ask1.ClientOrderID, ask1.Market, ask1.Side, ask1.Type, ask1.TimeInForce, ask1.PostOnly, ask1.STP, ask1.Price, ask1.Size, ask1.FeeAsset),
		"ask-1 ACME-EUR sell limit gtc false cancel_taker 1.25 4.00 EUR")
	buy := place(t, bob, limitOrder("buy", "1.30", "4.00"))
	check(t, "taking buy", line(buy.Status, buy.Filled, buy.Remaining, buy.Fees, buy.FilledQuote, str(buy.AveragePrice)),
		"filled 4.00 0.00 0.01 5.00 1.25")
	if len(buy.Fills) != 1 {
		t.Fatalf("fills %+v", buy.Fills)
	}
	f := buy.Fills[0]
	check(t, "fill", line(f.Market, f.OrderID == buy.ID, f.Side, f.Liquidity, f.Price, f.Size, f.QuoteAmount, f.Fee, f.FeeAsset),
		"ACME-EUR true buy taker 1.25 4.00 5.00 0.01 EUR")
	// Bob paid 5.00 and a 0.01 taker fee; Alice got 5.00 less a 0.01 maker fee.
	check(t, "bob's balances", balancesOf(t, bob), "EUR 94.99+0.00=94.99, ACME 104.00+0.00=104.00")
	check(t, "alice's balances", balancesOf(t, alice), "EUR 104.99+0.00=104.99, ACME 96.00+0.00=96.00")

	// The filled ask is in the history (which lags by milliseconds).
	var got orderAns
	tradeEventually(t, "ask-1 filled in the history", func() bool {
		return tradeGet(t, alice, "/v1/orders/"+ask1.ID, &got) == 200 && got.Status == "filled"
	})
	check(t, "ask-1 from the history", line(got.ClientOrderID, got.Filled, got.Remaining, got.Fees, got.Price, got.Size, got.STP, got.CreatedAt != ""),
		"ask-1 4.00 0.00 0.01 1.25 4.00  true")
	tradeCall(t, alice, "GET", "/v1/orders/by-client-id/ask-1", nil, &got)
	check(t, "ask-1 by client id", got.ID, ask1.ID)

	// Amend a resting ask: a new price loses the queue place, a smaller
	// size keeps it.
	ask2 := place(t, alice, limitOrder("sell", "2.00", "10.00", "client_order_id", "ask-2"))
	// By client order id: the history names the order (after a few
	// milliseconds), the engine says how it stands.
	tradeEventually(t, "ask-2 by its client order id", func() bool {
		return tradeGet(t, alice, "/v1/orders/by-client-id/ask-2", &got) == 200
	})
	check(t, "ask-2 from the engine", line(got.ID == ask2.ID, got.Status, got.STP, got.Price, got.Remaining), "true open cancel_taker 2.00 10.00")
	check(t, "alice holds 10 ACME", balancesOf(t, alice), "EUR 104.99+0.00=104.99, ACME 86.00+10.00=96.00")
	var am orderAns
	tradeCall(t, alice, "PATCH", "/v1/orders/"+ask2.ID, map[string]any{"price": "2.10"}, &am)
	check(t, "amend price", line(*am.Requeued, am.Price, am.Size, am.Remaining, am.Status, len(am.Fills)), "true 2.10 10.00 10.00 open 0")
	tradeCall(t, alice, "PATCH", "/v1/orders/"+ask2.ID, map[string]any{"size": "6.00"}, &am)
	check(t, "amend size", line(*am.Requeued, am.Price, am.Size, am.Remaining, am.Filled), "false 2.10 6.00 6.00 0.00")
	check(t, "alice holds 6 ACME", balancesOf(t, alice), "EUR 104.99+0.00=104.99, ACME 90.00+6.00=96.00")
	tradeFails(t, alice, "PATCH", "/v1/orders/"+ask2.ID, map[string]any{"price": "2.10", "size": "6.00"}, 422, "nothing_to_amend")

	// Market buys: by size, and by quote amount (2.10 + a 0.01 fee buys one).
	mb := place(t, bob, map[string]any{"market": "ACME-EUR", "side": "buy", "type": "market", "size": "1.00"})
	check(t, "market buy", line(mb.Status, mb.TimeInForce, mb.Price, mb.Filled, str(mb.AveragePrice), mb.Fees, mb.FilledQuote), "filled ioc  1.00 2.10 0.01 2.10")
	mq := place(t, bob, map[string]any{"market": "ACME-EUR", "side": "buy", "type": "market", "quote_amount": "2.11"})
	check(t, "market buy by quote", line(mq.Status, mq.Size, mq.QuoteAmount, mq.Filled, mq.Remaining, mq.Fees), "filled  2.11 1.00 0.00 0.01")

	// Cancel by client order id: what was left of it.
	var cn canceledAns
	tradeCall(t, alice, "DELETE", "/v1/orders/by-client-id/ask-2", nil, &cn)
	check(t, "cancel ask-2", cn, canceledAns{ID: ask2.ID, ClientOrderID: "ask-2", Market: "ACME-EUR", Side: "sell", Status: "canceled", CancelReason: "requested", Remaining: "4.00"})
	tradeFails(t, alice, "DELETE", "/v1/orders/by-client-id/ask-2", nil, 404, "unknown_order")

	// Post-only, FOK and IOC against one ask of 1.00 at 2.50.
	bobAsk := place(t, bob, limitOrder("sell", "2.50", "1.00"))
	tradeFails(t, alice, "POST", "/v1/orders", limitOrder("buy", "2.50", "1.00", "time_in_force", "gtc", "post_only", "x"), 400, "wrong_type")
	po := limitOrder("buy", "2.50", "1.00")
	po["post_only"] = true
	tradeFails(t, alice, "POST", "/v1/orders", po, 422, "post_only_would_cross")
	po["price"] = "2.40"
	bid := place(t, alice, po)
	check(t, "post-only bid", line(bid.Status, bid.PostOnly), "open true")
	tradeFails(t, alice, "POST", "/v1/orders", limitOrder("buy", "2.50", "5.00", "time_in_force", "fok"), 422, "fok_unfillable")
	ioc := place(t, alice, limitOrder("buy", "2.50", "5.00", "time_in_force", "ioc"))
	check(t, "ioc", line(ioc.Status, ioc.CancelReason, ioc.Filled, ioc.Remaining, str(ioc.AveragePrice), ioc.Fees), "canceled unfilled 1.00 4.00 2.50 0.01")
	tradeFails(t, bob, "DELETE", "/v1/orders/"+bobAsk.ID, nil, 404, "unknown_order") // filled: no longer cancellable

	// GTD: it expires by itself.
	gtd := place(t, alice, limitOrder("sell", "9.00", "1.00", "time_in_force", "gtd",
		"expires_at", time.Now().Add(1500*time.Millisecond).UTC().Format(time.RFC3339Nano)))
	check(t, "gtd", line(gtd.Status, gtd.TimeInForce, gtd.ExpiresAt != ""), "open gtd true")
	tradeEventually(t, "the gtd order to expire", func() bool {
		return tradeGet(t, alice, "/v1/orders/"+gtd.ID, &got) == 200 && got.Status == "expired"
	})
	check(t, "expired", line(got.Remaining, got.ExpiresAt == gtd.ExpiresAt), "1.00 true")

	// Cancel all: in one market, then everywhere.
	ask8 := place(t, alice, limitOrder("sell", "8.00", "1.00"))
	coffee := place(t, alice, map[string]any{"market": "COFFEE-EUR", "side": "buy", "type": "limit", "price": "0.50", "size": "2"})
	var all struct {
		Canceled []canceledAns `json:"canceled"`
	}
	tradeCall(t, alice, "DELETE", "/v1/orders?market=ACME-EUR", nil, &all)
	if len(all.Canceled) != 2 || all.Canceled[0].ID == coffee.ID || all.Canceled[1].ID == coffee.ID {
		t.Fatalf("cancel all in ACME-EUR: %+v (bid %s, ask %s)", all.Canceled, bid.ID, ask8.ID)
	}
	tradeCall(t, alice, "DELETE", "/v1/orders", nil, &all)
	check(t, "cancel all", line(len(all.Canceled), all.Canceled[0].ID == coffee.ID, all.Canceled[0].Market, all.Canceled[0].Remaining), "1 true COFFEE-EUR 2")
	tradeCall(t, alice, "DELETE", "/v1/orders", nil, &all)
	check(t, "nothing left", len(all.Canceled), 0)
	tradeFails(t, alice, "DELETE", "/v1/orders?market=NOPE-EUR", nil, 404, "unknown_market")

	// A batch: each item succeeds or fails on its own.
	var batch struct {
		Results []struct {
			Action string          `json:"action"`
			Status int             `json:"status"`
			Order  json.RawMessage `json:"order"`
			Error  *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		} `json:"results"`
	}
	items := []any{
		map[string]any{"action": "place", "market": "ACME-EUR", "side": "sell", "type": "limit", "price": "5.00", "size": "2.00", "client_order_id": "b1"},
		map[string]any{"action": "place", "market": "ACME-EUR", "side": "buy", "type": "limit", "price": "9.00", "size": "1000.00"},
		map[string]any{"action": "cancel", "client_order_id": "b1"},
		map[string]any{"action": "place", "market": "ACME-EUR", "side": "up", "type": "limit", "price": "5.00", "size": "2.00"},
		map[string]any{"action": "cancel", "id": "999999999"},
		map[string]any{"action": "place", "market": "ACME-EUR", "side": "sell", "type": "limit", "price": 5, "size": "2.00"},
		map[string]any{"action": "cancel", "id": ask1.ID},
	}
	tradeCall(t, alice, "POST", "/v1/orders/batch", map[string]any{"orders": items}, &batch)
	var codes []string
	for _, r := range batch.Results {
		c := "-"
		if r.Error != nil {
			c = r.Error.Code
		}
		codes = append(codes, fmt.Sprintf("%s:%d:%s", r.Action, r.Status, c))
	}
	check(t, "batch results", strings.Join(codes, " "),
		"place:201:- place:422:insufficient_balance cancel:200:- place:400:invalid_side cancel:404:unknown_order :400:wrong_type cancel:404:unknown_order")
	var b1 orderAns
	if err := json.Unmarshal(batch.Results[0].Order, &b1); err != nil || b1.Status != "open" || b1.ClientOrderID != "b1" || b1.Price != "5.00" {
		t.Fatalf("batch place: %s %v", batch.Results[0].Order, err)
	}
	var b1c canceledAns
	if err := json.Unmarshal(batch.Results[2].Order, &b1c); err != nil || b1c.ID != b1.ID || b1c.Remaining != "2.00" || b1c.ClientOrderID != "b1" {
		t.Fatalf("batch cancel: %s %v", batch.Results[2].Order, err)
	}
	tradeFails(t, alice, "POST", "/v1/orders/batch", map[string]any{"orders": []any{}}, 400, "missing_field")

	// The history: alice's 8 accepted orders, newest first, in pages of 3.
	ids := []string{ask1.ID, ask2.ID, bid.ID, ioc.ID, gtd.ID, ask8.ID, coffee.ID, b1.ID}
	var page orderListAns
	tradeEventually(t, "the history to have alice's orders", func() bool {
		tradeCall(t, alice, "GET", "/v1/orders?limit=100", nil, &page)
		return len(page.Orders) == len(ids) && page.Orders[0].Status == "canceled"
	})
	if page.NextCursor != nil {
		t.Fatalf("one page of all orders has a next_cursor %q", *page.NextCursor)
	}
	var seen []string
	path := "/v1/orders?limit=3"
	for pages := 0; ; pages++ {
		tradeCall(t, alice, "GET", path, nil, &page)
		for _, o := range page.Orders {
			seen = append(seen, o.ID)
		}
		if page.NextCursor == nil {
			check(t, "pages", pages+1, 3)
			break
		}
		path = "/v1/orders?limit=3&cursor=" + *page.NextCursor
	}
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	check(t, "orders newest first", seen, ids)
	tradeCall(t, alice, "GET", "/v1/orders?status=open", nil, &page)
	check(t, "open orders", len(page.Orders), 0)
	tradeCall(t, alice, "GET", "/v1/orders?status=closed&limit=5", nil, &page)
	check(t, "closed orders, page 1", line(len(page.Orders), page.NextCursor != nil), "5 true")
	tradeCall(t, alice, "GET", "/v1/orders?status=closed&limit=5&cursor="+*page.NextCursor, nil, &page)
	check(t, "closed orders, page 2", line(len(page.Orders), page.NextCursor == nil), "3 true")
	tradeCall(t, alice, "GET", "/v1/orders?status=expired", nil, &page)
	check(t, "expired orders", line(len(page.Orders), page.Orders[0].ID == gtd.ID), "1 true")
	tradeCall(t, alice, "GET", "/v1/orders?market=COFFEE-EUR", nil, &page)
	check(t, "COFFEE-EUR orders", line(len(page.Orders), page.Orders[0].Size, page.Orders[0].Price), "1 2 0.50")
	tradeFails(t, alice, "GET", "/v1/orders?cursor=bm90LWEtY3Vyc29y", nil, 400, "invalid_cursor")
	tradeFails(t, alice, "GET", "/v1/orders?status=done", nil, 400, "invalid_parameter")
	tradeFails(t, alice, "GET", "/v1/orders?limit=101", nil, 400, "invalid_parameter")
	tradeFails(t, alice, "GET", "/v1/orders?market=NOPE-EUR", nil, 404, "unknown_market")

	// Alice's fills: ask-1 and ask-2 twice as the maker, the IOC as the taker.
	var fills fillListAns
	tradeEventually(t, "the history to have alice's fills", func() bool {
		tradeCall(t, alice, "GET", "/v1/fills", nil, &fills)
		return len(fills.Fills) == 4
	})
	newest, oldest := fills.Fills[0], fills.Fills[3]
	check(t, "newest fill", line(newest.OrderID == ioc.ID, newest.Side, newest.Liquidity, newest.Price, newest.Size, newest.QuoteAmount, newest.Fee),
		"true buy taker 2.50 1.00 2.50 0.01")
	check(t, "oldest fill", line(oldest.OrderID == ask1.ID, oldest.Side, oldest.Liquidity, oldest.Price, oldest.Size, oldest.QuoteAmount, oldest.Fee, oldest.FeeAsset),
		"true sell maker 1.25 4.00 5.00 0.01 EUR")
	tradeCall(t, alice, "GET", "/v1/fills?limit=3", nil, &fills)
	check(t, "fills page 1", line(len(fills.Fills), fills.NextCursor != nil), "3 true")
	tradeCall(t, alice, "GET", "/v1/fills?limit=3&cursor="+*fills.NextCursor, nil, &fills)
	check(t, "fills page 2", line(len(fills.Fills), fills.Fills[0].OrderID == ask1.ID, fills.NextCursor == nil), "1 true true")
	tradeFails(t, alice, "GET", "/v1/fills?cursor="+strings.Repeat("A", 10), nil, 400, "invalid_cursor")
}

// TestCancelAllAfter: the dead-man switch cancels the caller's resting
// orders once its timeout has passed; 0 disarms it.
func TestCancelAllAfter(t *testing.T) {
	t.Parallel()
	te := startTradeEnv(t, apitest.Options{})
	alice, _ := te.trader("alice", map[string]int64{"ACME": 100_00})
	ask := place(t, alice, limitOrder("sell", "3.00", "1.00"))
	type switchAns struct {
		Market    *string `json:"market"`
		Armed     bool    `json:"armed"`
		TimeoutMS int64   `json:"timeout_ms"`
		ExpiresAt *string `json:"expires_at"`
	}
	var sw switchAns
	tradeCall(t, alice, "POST", "/v1/orders/cancel-all-after", map[string]any{"timeout_ms": 600000}, &sw)
	check(t, "armed for all markets", line(str(sw.Market), sw.Armed, sw.TimeoutMS, sw.ExpiresAt != nil), "<null> true 600000 true")
	tradeCall(t, alice, "POST", "/v1/orders/cancel-all-after", map[string]any{"timeout_ms": 0}, &sw)
	check(t, "disarmed", line(str(sw.Market), sw.Armed, sw.TimeoutMS, str(sw.ExpiresAt)), "<null> false 0 <null>")
	tradeCall(t, alice, "POST", "/v1/orders/cancel-all-after", map[string]any{"timeout_ms": 1000, "market": "acme-eur"}, &sw)
	check(t, "armed for ACME-EUR", line(str(sw.Market), sw.Armed, sw.TimeoutMS), "ACME-EUR true 1000")
	expires, err := time.Parse(time.RFC3339Nano, *sw.ExpiresAt)
	if err != nil || time.Until(expires) > time.Second || time.Until(expires) < 0 {
		t.Fatalf("expires_at %s: %v", *sw.ExpiresAt, err)
	}
	var got orderAns
	tradeEventually(t, "the switch to cancel the ask", func() bool {
		return tradeGet(t, alice, "/v1/orders/"+ask.ID, &got) == 200 && got.Status == "canceled"
	})
	check(t, "cancel reason", got.CancelReason, "deadman")
	check(t, "alice's balances", balancesOf(t, alice), "ACME 100.00+0.00=100.00")
}

// TestOrdersOfAnotherAccount: another account's order is unknown to the
// caller on every route, and refusing changes nothing; a read-only key
// cannot trade.
func TestOrdersOfAnotherAccount(t *testing.T) {
	t.Parallel()
	te := startTradeEnv(t, apitest.Options{QuietClock: true})
	alice, aliceID := te.trader("alice", map[string]int64{"ACME": 100_00})
	bob, _ := te.trader("bob", map[string]int64{"ACME": 100_00})
	ask := place(t, alice, limitOrder("sell", "3.00", "1.00", "client_order_id", "mine"))
	before := te.StateHash()
	for _, r := range []struct{ method, path string }{
		{"GET", "/v1/orders/" + ask.ID},
		{"PATCH", "/v1/orders/" + ask.ID},
		{"DELETE", "/v1/orders/" + ask.ID},
		{"GET", "/v1/orders/by-client-id/mine"},
	} {
		var body any
		if r.method == "PATCH" {
			body = map[string]any{"price": "2.00"}
		}
		tradeFails(t, bob, r.method, r.path, body, 404, "unknown_order")
	}
	readOnly := te.KeyFor(aliceID, sqlstore.ScopeRead)
	tradeFails(t, readOnly, "POST", "/v1/orders", limitOrder("sell", "3.00", "1.00"), 403, "forbidden")
	tradeFails(t, readOnly, "DELETE", "/v1/orders/"+ask.ID, nil, 403, "forbidden")
	tradeFails(t, readOnly, "DELETE", "/v1/orders", nil, 403, "forbidden")
	tradeFails(t, readOnly, "POST", "/v1/swaps", map[string]any{"from": "ACME", "to": "EUR", "amount": "1.00"}, 403, "forbidden")
	if after := te.StateHash(); after != before {
		t.Fatal("refused requests changed the engine's state")
	}
	// The engine refuses Bob's cancel by client id (it names his own
	// orders only), and Alice's order stays.
	tradeFails(t, bob, "DELETE", "/v1/orders/by-client-id/mine", nil, 404, "unknown_order")
	var got orderAns
	tradeCall(t, readOnly, "GET", "/v1/orders/"+ask.ID, nil, &got)
	check(t, "alice's order", got.Status, "open")
	var page orderListAns
	tradeEventually(t, "alice's order in the history", func() bool {
		tradeCall(t, alice, "GET", "/v1/orders", nil, &page)
		return len(page.Orders) == 1
	})
	tradeCall(t, bob, "GET", "/v1/orders", nil, &page)
	check(t, "bob's orders", len(page.Orders), 0)
}
