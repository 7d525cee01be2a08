package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae *client.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("got %v, want error %s", err, code)
	}
}

// nextPush waits for a push on channel, skipping others.
func nextPush(t *testing.T, w *client.WS, channel string) client.Push {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case p, ok := <-w.Pushes():
			if !ok {
				t.Fatalf("connection ended waiting for %s: %v", channel, w.Err())
			}
			if p.Channel == channel {
				return p
			}
		case <-timeout:
			t.Fatalf("no push on %s within 10 s", channel)
		}
	}
}

// TestWebSocketTrading: a market maker logs on, quotes over the
// WebSocket, a consumer's swap takes liquidity, the maker receives
// the order, fill and balance pushes; amend, cancel and cancel-all work
// with the REST API's answers and codes; logons with a forged, stale or
// replayed signature and private subscriptions without a logon are
// refused.
func TestWebSocketTrading(t *testing.T) {
	te := startTradeEnv(t, apitest.Options{})
	maker, _ := te.trader("max", map[string]int64{"ACME": 100_00, "EUR": 100_00})
	taker, _ := te.trader("tess", map[string]int64{"ACME": 100_00, "EUR": 100_00})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	w, err := maker.DialWS(ctx, 1024)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	wantCode(t, w.Call(ctx, "subscribe", map[string]any{"channels": []string{"orders"}}, nil), "unauthorized")
	wantCode(t, w.Call(ctx, "order.place", map[string]any{}, nil), "unauthorized")
	wantCode(t, w.Call(ctx, "no.such", nil, nil), "unknown_method")
	forged := &client.Client{BaseURL: maker.BaseURL, KeyID: maker.KeyID, HMACSecret: []byte("wrong")}
	fw, err := forged.DialWS(ctx, 16)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, fw.Logon(ctx, nil), "bad_signature")
	fw.Close()
	stale := &client.Client{BaseURL: maker.BaseURL, KeyID: maker.KeyID, HMACSecret: maker.HMACSecret, Now: func() time.Time { return time.Now().Add(-time.Minute) }}
	sw, err := stale.DialWS(ctx, 16)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, sw.Logon(ctx, nil), "stale_timestamp")
	sw.Close()

	var logon struct{ Account, Key string }
	if err := w.Logon(ctx, &logon); err != nil {
		t.Fatalf("logon: %v", err)
	}
	if logon.Key != maker.KeyID {
		t.Fatalf("logon %+v", logon)
	}
	wantCode(t, w.Logon(ctx, nil), "already_logged_on")
	if err := w.Call(ctx, "subscribe", map[string]any{"channels": []string{"orders", "fills", "balances"}}, nil); err != nil {
		t.Fatal(err)
	}
	wantCode(t, w.Call(ctx, "subscribe", map[string]any{"channels": []string{"nope"}}, nil), "unknown_channel")

	// Quote: an ask over the WebSocket, answered like POST /v1/orders.
	var ask struct{ ID, Status, Remaining string }
	if err := w.Call(ctx, "order.place", map[string]any{"market": "ACME-EUR", "side": "sell", "type": "limit", "price": "1.25", "size": "4.00"}, &ask); err != nil {
		t.Fatal(err)
	}
	if ask.Status != "open" || ask.Remaining != "4.00" {
		t.Fatalf("ask %+v", ask)
	}
	wantCode(t, w.Call(ctx, "order.place", map[string]any{"market": "ACME-EUR", "side": "sell", "type": "limit", "price": "1.255", "size": "1.00"}, nil), "too_many_decimals")
	var accepted struct{ Event, ID string }
	p := nextPush(t, w, "orders")
	if err := json.Unmarshal(p.Data, &accepted); err != nil || accepted.Event != "accepted" || accepted.ID != ask.ID || p.Seq == 0 {
		t.Fatalf("orders push %s (%v)", p.Data, err)
	}

	// A consumer's swap of 1.30 EUR takes one lot (1.25 and the fee): the
	// maker hears of it.
	var swapped struct{ Received string }
	te.Do(taker, "POST", "/v1/swaps", map[string]any{"from": "EUR", "to": "ACME", "amount": "1.30"}, &swapped)
	if swapped.Received != "1.00" {
		t.Fatalf("swap received %s ACME, want 1.00", swapped.Received)
	}
	var fill struct {
		Liquidity, Price, Size string
		OrderID                string `json:"order_id"`
	}
	p = nextPush(t, w, "fills")
	if err := json.Unmarshal(p.Data, &fill); err != nil || fill.Liquidity != "maker" || fill.Price != "1.25" || fill.Size != "1.00" || fill.OrderID != ask.ID {
		t.Fatalf("fills push %s", p.Data)
	}
	var bal struct{ Asset, Available, Held string }
	for bal.Asset != "EUR" {
		p = nextPush(t, w, "balances")
		if err := json.Unmarshal(p.Data, &bal); err != nil {
			t.Fatal(err)
		}
	}
	if bal.Available == "100.00" {
		t.Fatalf("balance push did not change: %s", p.Data)
	}

	// Amend, a batch, cancel, cancel-all.
	var amended struct{ Price, Remaining string }
	if err := w.Call(ctx, "order.amend", map[string]any{"id": ask.ID, "price": "1.30"}, &amended); err != nil || amended.Price != "1.30" {
		t.Fatalf("amend: %+v %v", amended, err)
	}
	var batch struct {
		Results []struct {
			Status int
			Error  *struct{ Code string }
		}
	}
	err = w.Call(ctx, "order.batch", map[string]any{"orders": []map[string]any{
		{"action": "place", "market": "ACME-EUR", "side": "sell", "type": "limit", "price": "1.40", "size": "1.00", "client_order_id": "b-1"},
		{"action": "cancel", "id": "999999"},
	}}, &batch)
	if err != nil || len(batch.Results) != 2 || batch.Results[0].Status != 201 || batch.Results[1].Error == nil || batch.Results[1].Error.Code != "unknown_order" {
		t.Fatalf("batch: %+v %v", batch, err)
	}
	if err := w.Call(ctx, "order.cancel", map[string]any{"client_order_id": "b-1"}, nil); err != nil {
		t.Fatalf("cancel by client id: %v", err)
	}
	wantCode(t, w.Call(ctx, "order.cancel", map[string]any{"id": "999999"}, nil), "unknown_order")
	var all struct{ Canceled []struct{ ID string } }
	if err := w.Call(ctx, "order.cancel_all", map[string]any{"market": "ACME-EUR"}, &all); err != nil || len(all.Canceled) != 1 || all.Canceled[0].ID != ask.ID {
		t.Fatalf("cancel all: %+v %v", all, err)
	}
	if err := w.Call(ctx, "cancel_all_after", map[string]any{"timeout_ms": 0}, nil); err != nil {
		t.Fatalf("cancel_all_after: %v", err)
	}
	// Another account's order is unknown here as over REST.
	var theirs struct{ ID string }
	te.Do(taker, "POST", "/v1/orders", limitOrder("buy", "1.00", "1.00"), &theirs)
	wantCode(t, w.Call(ctx, "order.cancel", map[string]any{"id": theirs.ID}, nil), "unknown_order")
	wantCode(t, w.Call(ctx, "order.amend", map[string]any{"id": theirs.ID, "price": "1.01"}, nil), "unknown_order")
}

// TestWebSocketReplayedLogon: a logon's signature is accepted once.
func TestWebSocketReplayedLogon(t *testing.T) {
	env := apitest.Start(t, apitest.Options{})
	user := env.NewClient(sqlstore.AccountMarketMaker, "max", sqlstore.ScopeRead, sqlstore.ScopeTrade)
	ctx := context.Background()
	frozen := time.Now()
	same := &client.Client{BaseURL: user.BaseURL, KeyID: user.KeyID, HMACSecret: user.HMACSecret, Now: func() time.Time { return frozen }}
	w1, err := same.DialWS(ctx, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer w1.Close()
	if err := w1.Logon(ctx, nil); err != nil {
		t.Fatal(err)
	}
	w2, err := same.DialWS(ctx, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	wantCode(t, w2.Logon(ctx, nil), "replayed")
}

// TestWebSocketIdleClose: a client that sends nothing for 3 s is closed
// with a reason; the heartbeat arrives every second meanwhile.
func TestWebSocketIdleClose(t *testing.T) {
	env := apitest.Start(t, apitest.Options{})
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(env.URL, "http")+"/v1/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	beats := 0
	for {
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, msg, err := conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || !strings.Contains(ce.Text, "heartbeat missed") {
				t.Fatalf("closed with %v, want a close frame naming the missed heartbeat", err)
			}
			break
		}
		if strings.Contains(string(msg), `"channel":"heartbeat"`) {
			beats++
		}
	}
	if beats < 2 {
		t.Fatalf("%d heartbeats before the idle close, want at least 2", beats)
	}
}

// TestWebSocketCancelOnDisconnect: a market maker's connection cancels
// its orders when it ends (its session's, by default), an account that
// chose "off" keeps them, and sessions open when the server stopped
// without closing them (as in a crash) are closed at the next start,
// cancelling their orders.
func TestWebSocketCancelOnDisconnect(t *testing.T) {
	dir := t.TempDir()
	keep := func(c *nodeConfig) { c.DataDir = dir }
	te := startTradeEnv(t, apitest.Options{Adjust: keep})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	mm, mmID := te.NewAccount(sqlstore.AccountMarketMaker, "max", sqlstore.ScopeRead, sqlstore.ScopeTrade)
	te.deposit(mmID, "ACME", 100_00)
	consumer, consumerID := te.trader("tess", map[string]int64{"ACME": 100_00})

	w, err := mm.DialWS(ctx, 256)
	if err != nil {
		t.Fatal(err)
	}
	var logon struct {
		Session            string
		CancelOnDisconnect string `json:"cancel_on_disconnect"`
	}
	if err := w.Logon(ctx, &logon); err != nil || logon.CancelOnDisconnect != "session" || logon.Session == "" {
		t.Fatalf("market maker logon: %+v %v", logon, err)
	}
	var o struct{ ID string }
	if err := w.Call(ctx, "order.place", limitOrder("sell", "1.50", "2.00"), &o); err != nil {
		t.Fatal(err)
	}
	// An order placed over REST by the same account is not the session's.
	var rest struct{ ID string }
	te.Do(mm, "POST", "/v1/orders", limitOrder("sell", "1.60", "1.00"), &rest)
	w.Close()
	tradeEventually(t, "the session's order canceled on disconnect", func() bool {
		var got struct {
			Status       string
			CancelReason string `json:"cancel_reason"`
		}
		te.Do(mm, "GET", "/v1/orders/"+o.ID, nil, &got)
		return got.Status == "canceled" && got.CancelReason == "disconnect"
	})
	var still struct{ Status string }
	te.Do(mm, "GET", "/v1/orders/"+rest.ID, nil, &still)
	if still.Status != "open" {
		t.Fatalf("the REST order is %s, want open", still.Status)
	}

	// A consumer with cancel_on_disconnect off keeps its orders.
	cw, err := consumer.DialWS(ctx, 256)
	if err != nil {
		t.Fatal(err)
	}
	if err := cw.Logon(ctx, &logon); err != nil || logon.CancelOnDisconnect != "off" {
		t.Fatalf("consumer logon: %+v %v", logon, err)
	}
	var co struct{ ID string }
	if err := cw.Call(ctx, "order.place", limitOrder("sell", "1.70", "1.00"), &co); err != nil {
		t.Fatal(err)
	}
	cw.Close()

	// A session open when the node stops without closing it: submit the
	// logon's command directly (a connection would close it on shutdown),
	// then restart on the same data.
	evs := te.Submit(engine.Command{Kind: engine.CmdOpenSession, Account: engine.AccountID(mmID), SessionMode: engine.SessionCancelAll})
	session := evs[0].Session
	te.Submit(engine.Command{Kind: engine.CmdPlaceOrder, Account: engine.AccountID(mmID), Market: 1, Side: engine.Sell, // market 1: ACME-EUR
		Type: engine.Limit, TIF: engine.GTC, Price: 190, Size: 100, Session: session})
	te.Stop()
	again := apitest.Start(t, apitest.Options{Adjust: keep})
	var orders struct {
		Orders []struct{ ID, Status string } `json:"orders"`
	}
	tradeEventually(t, "the crashed session's orders canceled at the start", func() bool {
		again.Do(again.KeyFor(mmID, sqlstore.ScopeRead), "GET", "/v1/orders?status=open", nil, &orders)
		return len(orders.Orders) == 0
	})
	var kept struct{ Status string }
	again.Do(again.KeyFor(consumerID, sqlstore.ScopeRead), "GET", "/v1/orders/"+co.ID, nil, &kept)
	if kept.Status != "open" {
		t.Fatalf("the consumer's order is %s after the restart, want open", kept.Status)
	}
}

// TestWebSocketRateLimit: a connection that sends faster than its limit
// is answered rate_limited, with the REST API's code, and keeps working.
func TestWebSocketRateLimit(t *testing.T) {
	// A tight limit, so that a slow machine cannot refill it meanwhile.
	env := apitest.Start(t, apitest.Options{Adjust: func(c *nodeConfig) { c.API.WSRate, c.API.WSBurst = 5, 10 }})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := env.Public().DialWS(ctx, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	limited := 0
	for range 50 {
		err := w.Call(ctx, "ping", nil, nil)
		var ae *client.Error
		switch {
		case err == nil:
		case errors.As(err, &ae) && ae.Code == "rate_limited":
			limited++
		default:
			t.Fatal(err)
		}
	}
	if limited == 0 {
		t.Fatal("50 pings in a row were never rate limited (burst 10, 5 a second)")
	}
	time.Sleep(time.Second)
	if err := w.Call(ctx, "ping", nil, nil); err != nil {
		t.Fatalf("after the limit refilled: %v", err)
	}
}

// TestWebSocketRefusalsChangeNothing: refused logons (forged, stale,
// replayed), private calls without a logon and another account's order
// ids leave the engine's state as it was.
func TestWebSocketRefusalsChangeNothing(t *testing.T) {
	te := startTradeEnv(t, apitest.Options{QuietClock: true})
	mm, _ := te.trader("max", map[string]int64{"ACME": 100_00})
	other, _ := te.trader("olga", map[string]int64{"ACME": 100_00})
	var theirs struct{ ID string }
	te.Do(other, "POST", "/v1/orders", limitOrder("sell", "1.50", "1.00"), &theirs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	frozen := time.Now()
	signer := &client.Client{BaseURL: mm.BaseURL, KeyID: mm.KeyID, HMACSecret: mm.HMACSecret, Now: func() time.Time { return frozen }}
	w, err := signer.DialWS(ctx, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Logon(ctx, nil); err != nil {
		t.Fatal(err)
	}
	before := te.StateHash()
	dial := func(c *client.Client) *client.WS {
		t.Helper()
		x, err := c.DialWS(ctx, 64)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		return x
	}
	wantCode(t, dial(signer).Logon(ctx, nil), "replayed")
	wantCode(t, dial(&client.Client{BaseURL: mm.BaseURL, KeyID: mm.KeyID, HMACSecret: []byte("forged")}).Logon(ctx, nil), "bad_signature")
	wantCode(t, dial(&client.Client{BaseURL: mm.BaseURL, KeyID: mm.KeyID, HMACSecret: mm.HMACSecret, Now: func() time.Time { return frozen.Add(-time.Minute) }}).Logon(ctx, nil), "stale_timestamp")
	anon := dial(te.Public())
	wantCode(t, anon.Call(ctx, "subscribe", map[string]any{"channels": []string{"fills"}}, nil), "unauthorized")
	wantCode(t, anon.Call(ctx, "order.place", limitOrder("buy", "1.00", "1.00"), nil), "unauthorized")
	wantCode(t, w.Call(ctx, "order.cancel", map[string]any{"id": theirs.ID}, nil), "unknown_order")
	wantCode(t, w.Call(ctx, "order.amend", map[string]any{"id": theirs.ID, "price": "1.40"}, nil), "unknown_order")
	wantCode(t, w.Call(ctx, "order.place", map[string]any{"market": "ACME-EUR", "side": "up"}, nil), "invalid_side")
	if te.StateHash() != before {
		t.Fatal("refused WebSocket requests changed the engine's state")
	}
}

// TestWebSocketDeadManQuietMarket: a dead-man's switch armed over the
// WebSocket and not refreshed cancels the quotes on a market where
// nothing else happens (the sequencer's tick fires it).
func TestWebSocketDeadManQuietMarket(t *testing.T) {
	te := startTradeEnv(t, apitest.Options{})
	mm, _ := te.trader("max", map[string]int64{"ACME": 100_00})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := mm.DialWS(ctx, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Logon(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Call(ctx, "subscribe", map[string]any{"channels": []string{"orders"}}, nil); err != nil {
		t.Fatal(err)
	}
	var o struct{ ID string }
	if err := w.Call(ctx, "order.place", limitOrder("sell", "1.50", "1.00"), &o); err != nil {
		t.Fatal(err)
	}
	var armed struct{ Armed bool }
	if err := w.Call(ctx, "cancel_all_after", map[string]any{"timeout_ms": 1000}, &armed); err != nil || !armed.Armed {
		t.Fatalf("cancel_all_after: %+v %v", armed, err)
	}
	for {
		p := nextPush(t, w, "orders")
		var u struct{ Event, ID, Reason string }
		if err := json.Unmarshal(p.Data, &u); err != nil {
			t.Fatal(err)
		}
		if u.ID == o.ID && u.Event == "canceled" {
			if u.Reason != "deadman" {
				t.Fatalf("canceled with reason %q, want deadman", u.Reason)
			}
			return
		}
	}
}
