package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
)

type legAns struct {
	Market   string `json:"market"`
	Side     string `json:"side"`
	In       string `json:"in"`
	Out      string `json:"out"`
	Fee      string `json:"fee"`
	FeeAsset string `json:"fee_asset"`
}

type quoteAns struct {
	From         string   `json:"from"`
	To           string   `json:"to"`
	Amount       string   `json:"amount"`
	AmountIn     string   `json:"amount_in"`
	AmountOut    string   `json:"amount_out"`
	Unspent      string   `json:"unspent"`
	HubLeft      string   `json:"hub_left"`
	AveragePrice string   `json:"average_price"`
	BestOut      string   `json:"best_out"`
	ImpactBps    int64    `json:"price_impact_bps"`
	Route        []string `json:"route"`
	Legs         []legAns `json:"legs"`
}

type swapAns struct {
	From         string   `json:"from"`
	To           string   `json:"to"`
	Spent        string   `json:"spent"`
	Received     string   `json:"received"`
	Unspent      string   `json:"unspent"`
	HubLeft      string   `json:"hub_left"`
	AveragePrice string   `json:"average_price"`
	Route        []string `json:"route"`
	Legs         []legAns `json:"legs"`
}

// TestSwaps: a quote, and the swap that does what it said, over two hops
// through the EUR hub; min_receive; Idempotency-Key replays; quote errors.
func TestSwaps(t *testing.T) {
	t.Parallel()
	te := startTradeEnv(t, apitest.Options{})
	sym, _ := engine.ParseSymbol("LONE")
	te.Submit(engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym, Scale: 2})
	mm, _ := te.trader("mm", map[string]int64{"EUR": 1000_00, "COFFEE": 100})
	user, _ := te.trader("user", map[string]int64{"ACME": 50_00, "EUR": 10_00})
	pub := te.Public()
	place(t, mm, limitOrder("buy", "1.00", "10.00"))
	place(t, mm, map[string]any{"market": "COFFEE-EUR", "side": "sell", "type": "limit", "price": "0.50", "size": "20"})

	// ACME -> EUR on ACME-EUR (10.00 less a 0.02 fee), EUR -> COFFEE on
	// COFFEE-EUR: 19 COFFEE at 0.50 cost 9.50 and a 0.01 fee; 0.47 EUR left.
	var q quoteAns
	tradeCall(t, pub, "GET", "/v1/quote?from=ACME&to=COFFEE&amount=10", nil, &q)
	want := quoteAns{From: "ACME", To: "COFFEE", Amount: "10.00", AmountIn: "10.00", AmountOut: "19", Unspent: "0.00", HubLeft: "0.47",
		AveragePrice: "0.526315789474", BestOut: "19", ImpactBps: 0, Route: []string{"ACME", "EUR", "COFFEE"},
		Legs: []legAns{
			{Market: "ACME-EUR", Side: "sell", In: "10.00", Out: "9.98", Fee: "0.02", FeeAsset: "EUR"},
			{Market: "COFFEE-EUR", Side: "buy", In: "9.51", Out: "19", Fee: "0.01", FeeAsset: "EUR"},
		}}
	check(t, "quote", fmt.Sprintf("%+v", q), fmt.Sprintf("%+v", want))

	// A direct route has no hub.
	var direct quoteAns
	tradeCall(t, pub, "GET", "/v1/quote?from=eur&to=coffee&amount=1.01", nil, &direct)
	check(t, "direct quote", line(direct.Route, direct.AmountIn, direct.AmountOut, direct.HubLeft, len(direct.Legs), direct.AveragePrice), "[EUR COFFEE] 1.01 2  1 0.505")

	// min_receive above what the route gives: refused, nothing done.
	tradeFails(t, user, "POST", "/v1/swaps", map[string]any{"from": "ACME", "to": "COFFEE", "amount": "10.00", "min_receive": "20"}, 422, "swap_below_minimum")

	// The swap gives what the quote said.
	body := []byte(`{"from":"ACME","to":"COFFEE","amount":"10.00","min_receive":"19"}`)
	h := http.Header{"Idempotency-Key": {"swap-1"}}
	status, _, first := tradeRaw(t, user, "POST", "/v1/swaps", h, body)
	if status != 200 {
		t.Fatalf("swap: %d %s", status, first)
	}
	var s swapAns
	d := json.NewDecoder(bytes.NewReader(first))
	d.DisallowUnknownFields()
	if err := d.Decode(&s); err != nil {
		t.Fatalf("swap answer %s: %v", first, err)
	}
	check(t, "swap vs quote", fmt.Sprintf("%+v", s), fmt.Sprintf("%+v", swapAns{From: q.From, To: q.To, Spent: q.AmountIn, Received: q.AmountOut,
		Unspent: q.Unspent, HubLeft: q.HubLeft, AveragePrice: q.AveragePrice, Route: q.Route, Legs: q.Legs}))
	check(t, "user's balances", balancesOf(t, user), "EUR 10.47+0.00=10.47, ACME 40.00+0.00=40.00, COFFEE 19+0=19")

	// The same key and body: the first answer again, and nothing done.
	status, hdr, again := tradeRaw(t, user, "POST", "/v1/swaps", h, body)
	if status != 200 || !bytes.Equal(again, first) || hdr.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %q %s, want 200 and the first answer %s", status, hdr.Get("Idempotent-Replayed"), again, first)
	}
	check(t, "balances after the replay", balancesOf(t, user), "EUR 10.47+0.00=10.47, ACME 40.00+0.00=40.00, COFFEE 19+0=19")
	// The same key with another body.
	status, _, other := tradeRaw(t, user, "POST", "/v1/swaps", h, []byte(`{"from":"ACME","to":"COFFEE","amount":"5.00"}`))
	if status != 409 || !bytes.Contains(other, []byte(`"idempotency_key_reused"`)) {
		t.Fatalf("another body under the key: %d %s", status, other)
	}

	// The bid is gone: no liquidity left on that route.
	tradeFails(t, pub, "GET", "/v1/quote?from=ACME&to=COFFEE&amount=10", nil, 422, "insufficient_liquidity")
	tradeFails(t, user, "POST", "/v1/swaps", map[string]any{"from": "ACME", "to": "COFFEE", "amount": "10.00"}, 422, "insufficient_liquidity")
	for _, bad := range []struct {
		query  string
		status int
		code   string
	}{
		{"from=ACME&to=LONE&amount=1", 422, "no_route"},
		{"from=ACME&to=COFFEE", 400, "missing_parameter"},
		{"to=COFFEE&amount=1", 400, "missing_parameter"},
		{"from=ACME&amount=1", 400, "missing_parameter"},
		{"from=NOPE&to=COFFEE&amount=1", 404, "unknown_asset"},
		{"from=ACME&to=NOPE&amount=1", 404, "unknown_asset"},
		{"from=ACME&to=acme&amount=1", 400, "same_asset"},
		{"from=ACME&to=COFFEE&amount=0", 400, "invalid_amount"},
		{"from=ACME&to=COFFEE&amount=-1", 400, "invalid_decimal"},
		{"from=ACME&to=COFFEE&amount=1.001", 400, "too_many_decimals"},
		{"from=ACME&to=COFFEE&amount=1e3", 400, "invalid_decimal"},
		{"from=ACME&to=COFFEE&amount=100000000000000000000", 400, "amount_too_large"},
	} {
		tradeFails(t, pub, "GET", "/v1/quote?"+bad.query, nil, bad.status, bad.code)
	}
}
