package api

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/engine"
)

// The fuzz targets run the trading decoders on arbitrary bytes: they must
// never panic, every refusal must be an *Error with a 4xx status, and
// every command they accept must pass the engine's own checks of the
// request (the engine may refuse it only for what the API cannot know:
// balances, the book, overflow of a notional).

var fuzzNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// fuzzExchange is an engine with the assets and markets of the refs below
// and an account (2) holding plenty of everything.
func fuzzExchange() (*engine.Engine, func(engine.Command) []engine.Event) {
	e := engine.New()
	seq := uint64(0)
	var out []engine.Event
	apply := func(c engine.Command) []engine.Event {
		seq++
		c.Seq, c.Time = seq, fuzzNow.UnixNano()-int64(time.Second)
		out = e.Apply(&c, out[:0])
		return out
	}
	sym := func(s string) engine.Symbol { v, _ := engine.ParseSymbol(s); return v }
	apply(engine.Command{Kind: engine.CmdCreateAccount}) // 2: the trader
	apply(engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym("EUR"), Scale: 2, Hub: true})
	apply(engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym("ACME"), Scale: 2, AssetKind: engine.Points, Brand: 2})
	apply(engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym("COFFEE"), Scale: 0, AssetKind: engine.Points, Brand: 2})
	apply(engine.Command{Kind: engine.CmdCreateMarket, Base: 2, Quote: 1, PriceScale: 2, Tick: 1, Lot: 100, MinSize: 100, MakerBps: 10, TakerBps: 20})
	apply(engine.Command{Kind: engine.CmdCreateMarket, Base: 3, Quote: 1, PriceScale: 2, Tick: 5, Lot: 1, MinSize: 2, TakerBps: 10})
	for a := engine.AssetID(1); a <= 3; a++ {
		apply(engine.Command{Kind: engine.CmdDeposit, Account: 2, Asset: a, Amount: 1 << 60, Ref: engine.Ref{byte(a)}})
	}
	return e, apply
}

var (
	fuzzEUR    = assetRef{ID: 1, Symbol: "EUR", Scale: 2, Kind: engine.Token}
	fuzzACME   = assetRef{ID: 2, Symbol: "ACME", Scale: 2, Kind: engine.Points, Brand: 2}
	fuzzCOFFEE = assetRef{ID: 3, Symbol: "COFFEE", Scale: 0, Kind: engine.Points, Brand: 2}
	fuzzAssets = map[string]assetRef{"EUR": fuzzEUR, "ACME": fuzzACME, "COFFEE": fuzzCOFFEE}
	fuzzMkts   = map[string]marketRef{
		"ACME-EUR":   {ID: 1, Symbol: "ACME-EUR", Base: fuzzACME, Quote: fuzzEUR, PriceScale: 2, Tick: 1, Lot: 100, MinSize: 100},
		"COFFEE-EUR": {ID: 2, Symbol: "COFFEE-EUR", Base: fuzzCOFFEE, Quote: fuzzEUR, PriceScale: 2, Tick: 5, Lot: 1, MinSize: 2},
	}
)

func fuzzMarket(symbol string) (marketRef, error) {
	if m, ok := fuzzMkts[strings.ToUpper(symbol)]; ok {
		return m, nil
	}
	return marketRef{}, Errorf("unknown_market", "no market %q", clip(symbol))
}

func fuzzAsset(symbol string) (assetRef, error) {
	if a, ok := fuzzAssets[strings.ToUpper(symbol)]; ok {
		return a, nil
	}
	return assetRef{}, Errorf("unknown_asset", "no asset %q", clip(symbol))
}

// checkRefusal fails unless err is an *Error with a 4xx status.
func checkRefusal(t *testing.T, what string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Status < 400 || e.Status >= 500 || e.Code == "" {
		t.Fatalf("%s: %v is not a 4xx *Error", what, err)
	}
}

// engineMayRefuse are the rejections of an accepted request that depend
// on the state of the exchange, not on the request.
var engineMayRefuse = map[engine.Code]bool{
	engine.CodeInsufficientBalance:   true,
	engine.CodeFOKUnfillable:         true,
	engine.CodePostOnlyWouldCross:    true,
	engine.CodeAmountOverflow:        true,
	engine.CodeNoRoute:               true,
	engine.CodeInsufficientLiquidity: true,
	engine.CodeSwapBelowMinimum:      true,
}

// checkEngine applies an accepted command as account 2 and fails on a
// rejection the decoder should have made.
func checkEngine(t *testing.T, cmd engine.Command) {
	t.Helper()
	_, apply := fuzzExchange()
	cmd.Account = 2
	for _, ev := range apply(cmd) {
		if ev.Kind == engine.EvRejected && !engineMayRefuse[ev.Code] {
			t.Fatalf("the decoder accepted %+v; the engine refuses it: %s", cmd, ev.Code)
		}
	}
}

func FuzzDecodeOrder(f *testing.F) {
	for _, s := range []string{
		`{"market":"ACME-EUR","side":"buy","type":"limit","price":"1.25","size":"4.00"}`,
		`{"market":"acme-eur","side":"sell","type":"limit","price":"1.25","size":"4.00","time_in_force":"gtd","expires_at":"2031-01-01T00:00:00Z","post_only":true,"stp":"cancel_both","client_order_id":"abc-1"}`,
		`{"market":"ACME-EUR","side":"buy","type":"market","quote_amount":"10.00"}`,
		`{"market":"ACME-EUR","side":"sell","type":"market","size":"1.00","time_in_force":"fok"}`,
		`{"market":"COFFEE-EUR","side":"buy","type":"limit","price":"0.55","size":"3","time_in_force":"ioc","stp":"cancel_maker"}`,
		`{"market":"COFFEE-EUR","side":"buy","type":"limit","price":"0.51","size":"1"}`,
		`{"market":"ACME-EUR","side":"buy","type":"limit","price":1.25,"size":"4.00"}`,
		`{"market":"ACME-EUR","side":"buy","type":"limit","price":"-1","size":"99999999999999999999"}`,
		`{"market":"ACME-EUR","side":"buy","type":"limit","price":"1e3","size":"1.001"}`,
		`{"market":"ACME-EUR","side":"buy","type":"limit","price":"1.00","size":"1.00","time_in_force":"gtd","expires_at":"2000-01-01T00:00:00Z"}`,
		`{"market":"NOPE","side":"up","type":"stop"}`,
		`{"market":"ACME-EUR","side":"buy","type":"limit","price":"92233720368547758.07","size":"92233720368547758.00"}`,
		`{"orders":[{"action":"place","market":"ACME-EUR","side":"buy","type":"limit","price":"1.00","size":"1.00"},{"action":"cancel","id":"7"},{"action":"cancel","client_order_id":"x"}]}`,
		`{"orders":[5,{"action":"modify"}]}`,
		`{}`, `[]`, `null`, ``, `{"market":`, `{"a":1}{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cmd, err := decodeOrder(body, fuzzMarket, fuzzNow)
		if err != nil {
			checkRefusal(t, "decodeOrder", err)
		} else {
			m, merr := fuzzMarketByID(cmd.Market)
			switch {
			case merr != nil || cmd.Kind != engine.CmdPlaceOrder:
				t.Fatalf("accepted %+v", cmd)
			case cmd.Type == engine.Limit && (cmd.Price <= 0 || cmd.Price%m.Tick != 0):
				t.Fatalf("accepted a limit price %d on tick %d", cmd.Price, m.Tick)
			case cmd.QuoteAmount == 0 && (cmd.Size < m.MinSize || cmd.Size%m.Lot != 0):
				t.Fatalf("accepted a size %d (lot %d, min %d)", cmd.Size, m.Lot, m.MinSize)
			}
			checkEngine(t, cmd)
		}
		entries, err := decodeBatch(body, fuzzMarket, fuzzNow)
		if err != nil {
			checkRefusal(t, "decodeBatch", err)
			return
		}
		if len(entries) == 0 || len(entries) > engine.MaxBatchItems {
			t.Fatalf("a batch of %d items accepted", len(entries))
		}
		var items []engine.Command
		for _, en := range entries {
			if en.Err != nil {
				checkRefusal(t, "batch item", en.Err)
				continue
			}
			items = append(items, en.Cmd)
		}
		if len(items) > 0 {
			_, apply := fuzzExchange()
			for _, ev := range apply(engine.Command{Kind: engine.CmdBatch, Account: 2, Batch: items}) {
				if ev.Kind == engine.EvRejected && !engineMayRefuse[ev.Code] && ev.Code != engine.CodeUnknownOrder && ev.Code != engine.CodeDuplicateClientOrderID {
					t.Fatalf("the decoder accepted batch items %+v; the engine refuses item %d: %s", items, ev.Item, ev.Code)
				}
			}
		}
	})
}

func fuzzMarketByID(id engine.MarketID) (marketRef, error) {
	for _, m := range fuzzMkts {
		if m.ID == id {
			return m, nil
		}
	}
	return marketRef{}, Errorf("unknown_market", "no market %d", id)
}

func FuzzDecodeSwap(f *testing.F) {
	for _, s := range []string{
		`{"from":"ACME","to":"COFFEE","amount":"10.00","min_receive":"19"}`,
		`{"from":"acme","to":"eur","amount":"0.01"}`,
		`{"from":"COFFEE","to":"ACME","amount":"3","min_receive":"0"}`,
		`{"from":"ACME","to":"ACME","amount":"1.00"}`,
		`{"from":"ACME","to":"COFFEE","amount":"1.00","min_receive":"1.5"}`,
		`{"from":"ACME","to":"COFFEE","amount":1}`,
		`{"from":"NOPE","to":"COFFEE","amount":"1"}`,
		`{"from":"ACME","to":"COFFEE","amount":"-1"}`,
		`{"from":"ACME","to":"COFFEE","amount":"100000000000000000000"}`,
		`{"from":"ACME","to":"COFFEE","amount":"1.00","extra":true}`,
		`{}`, `[]`, ``, `{"from":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cmd, err := decodeSwap(body, fuzzAsset)
		if err != nil {
			checkRefusal(t, "decodeSwap", err)
			return
		}
		if cmd.Kind != engine.CmdSwap || cmd.Asset == cmd.ToAsset || cmd.Asset == 0 || cmd.ToAsset == 0 || cmd.Amount <= 0 || cmd.MinReceive < 0 {
			t.Fatalf("accepted %+v", cmd)
		}
		checkEngine(t, cmd)
	})
}
