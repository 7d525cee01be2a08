package api_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
)

// TestConsumerJourney, on the dev chain, through the REST API: a brand's
// ACME points and COFFEE coupons trade against EUR with a market maker
// quoting; a consumer gets points from the brand, withdraws some to her
// own wallet, links it and deposits part back on chain, asks for a quote,
// swaps ACME points for COFFEE coupons at that quote, places and cancels
// a limit order, and redeems a coupon with the brand. The node runs on the
// real Redis and PostgreSQL.
func TestConsumerJourney(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{Chain: true, RealRedis: true, Postgres: true})
	ch := newFundsChain(t, env)
	brand, _ := fundsAccount(t, env, "brand", "Acme", "read", "issue")
	maker, makerID := fundsAccount(t, env, "market_maker", "Max", "read", "trade")
	ann, annID := fundsAccount(t, env, "consumer", "Ann", "read", "trade", "withdraw")
	annStr, makerStr := strconv.FormatUint(uint64(annID), 10), strconv.FormatUint(uint64(makerID), 10)

	// The brand's programs, and EUR markets for both.
	env.Do(brand, "POST", "/v1/brand/programs", map[string]any{"name": "Acme points", "symbol": "ACME", "kind": "points", "decimals": 18, "scale": 2}, nil)
	expires := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	env.Do(brand, "POST", "/v1/brand/programs", map[string]any{"name": "Coffee coupon", "symbol": "COFFEE", "kind": "coupon", "decimals": 0, "scale": 0, "expires_at": expires.Format(time.RFC3339)}, nil)
	env.Do(env.Admin, "POST", "/v1/admin/assets", map[string]any{"symbol": "EUR", "scale": 2, "kind": "token", "hub": true}, nil)
	env.Do(env.Admin, "POST", "/v1/admin/markets", map[string]any{"base": "ACME", "quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "1.00", "maker_bps": 0, "taker_bps": 0}, nil)
	env.Do(env.Admin, "POST", "/v1/admin/markets", map[string]any{"base": "COFFEE", "quote": "EUR", "price_scale": 2, "tick": "0.05", "lot": "1", "maker_bps": 0, "taker_bps": 0}, nil)

	// The brand issues points to Ann and coupons to the market maker, who
	// also has EUR (the hub currency is not on chain here).
	env.Do(brand, "POST", "/v1/brand/issues", map[string]any{"customer": annStr, "asset": "ACME", "amount": "100.00", "reference": "welcome:ann"}, nil)
	env.Do(brand, "POST", "/v1/brand/issues", map[string]any{"customer": makerStr, "asset": "COFFEE", "amount": "50", "reference": "stock:max"}, nil)
	var eurID engine.AssetID
	var assets struct {
		Assets []struct{ ID, Symbol string }
	}
	env.Do(env.Public(), "GET", "/v1/assets", nil, &assets)
	for _, a := range assets.Assets {
		if a.Symbol == "EUR" {
			id, _ := strconv.Atoi(a.ID)
			eurID = engine.AssetID(id)
		}
	}
	env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(makerID), Asset: eurID, Amount: 1000_00, Ref: engine.Ref{0xe0}})
	fundsWait(t, "the issues credited", func() bool {
		a, _ := fundsBalance(t, env, annID, "ACME")
		c, _ := fundsBalance(t, env, makerID, "COFFEE")
		return a == 100_00 && c == 50
	})
	// The market maker quotes: buys ACME at 0.50 EUR, sells COFFEE at 2.00.
	env.Do(maker, "POST", "/v1/orders", map[string]any{"market": "ACME-EUR", "side": "buy", "type": "limit", "price": "0.50", "size": "200.00"}, nil)
	env.Do(maker, "POST", "/v1/orders", map[string]any{"market": "COFFEE-EUR", "side": "sell", "type": "limit", "price": "2.00", "size": "50"}, nil)

	// Ann takes 30 points to her own wallet, links it first.
	walletKey, wallet := fundsNewKey(t)
	ch.fund(wallet)
	challenge, sig := linkWallet(t, env, ann, walletKey)
	env.Do(ann, "POST", "/v1/wallets", map[string]any{"message": challenge.Message, "signature": sig}, nil)
	var w withdrawalAnswer
	env.Do(ann, "POST", "/v1/withdrawals", map[string]any{"asset": "ACME", "amount": "30", "to": wallet.Hex()}, &w)
	fundsWait(t, "the withdrawal confirmed", func() bool {
		env.Do(ann, "GET", "/v1/withdrawals/"+w.ID, nil, &w)
		return w.Status == "confirmed"
	})
	var addr struct{ Address, Token string }
	env.Do(ann, "GET", "/v1/deposit-address?asset=ACME", nil, &addr)
	token := common.HexToAddress(addr.Token)
	if got := ch.balance(token, wallet); got.Cmp(fundsTokens(30, 0)) != 0 {
		t.Fatalf("the wallet holds %v ACME wei, want 30 tokens", got)
	}
	// ...and deposits 10 of them back on chain.
	ch.mined(ch.call(walletKey, token, fundsTokenABI.PackTransfer(common.HexToAddress(addr.Address), fundsTokens(10, 0)), nil))
	fundsWait(t, "the deposit credited", func() bool {
		a, _ := fundsBalance(t, env, annID, "ACME")
		return a == 80_00
	})

	// A quote for 40 points in coupons, through EUR: 40 x 0.50 = 20 EUR
	// buys 10 coupons at 2.00.
	var quote struct {
		AmountIn  string   `json:"amount_in"`
		AmountOut string   `json:"amount_out"`
		Route     []string `json:"route"`
	}
	env.Do(ann, "GET", "/v1/quote?from=ACME&to=COFFEE&amount=40", nil, &quote)
	if quote.AmountIn != "40.00" || quote.AmountOut != "10" || len(quote.Route) != 3 || quote.Route[1] != "EUR" {
		t.Fatalf("quote %+v", quote)
	}
	env.Fails(ann, "POST", "/v1/swaps", map[string]any{"from": "ACME", "to": "COFFEE", "amount": "40", "min_receive": "11"}, 422, "swap_below_minimum")
	var swap struct{ Spent, Received string }
	env.Do(ann, "POST", "/v1/swaps", map[string]any{"from": "ACME", "to": "COFFEE", "amount": "40", "min_receive": quote.AmountOut}, &swap)
	if swap.Spent != "40.00" || swap.Received != "10" {
		t.Fatalf("swap %+v", swap)
	}

	// A limit order that rests, then its cancel.
	var order struct{ ID, Status string }
	env.Do(ann, "POST", "/v1/orders", map[string]any{"market": "ACME-EUR", "side": "sell", "type": "limit", "price": "0.90", "size": "5.00", "client_order_id": "ann-1"}, &order)
	if order.Status != "open" {
		t.Fatalf("order %+v", order)
	}
	if _, held := fundsBalance(t, env, annID, "ACME"); held != 5_00 {
		t.Fatalf("held %d, want 500", held)
	}
	env.Do(ann, "DELETE", "/v1/orders/"+order.ID, nil, nil)

	// A coupon redeemed with the brand: a receipt to show at the counter.
	var red redemptionAnswer
	env.Do(ann, "POST", "/v1/redemptions", map[string]any{"asset": "COFFEE", "amount": "1"}, &red)
	if red.Status != "pending" || red.Receipt == "" {
		t.Fatalf("redemption %+v", red)
	}
	var balances struct {
		Balances []struct{ Asset, Available, Held string }
	}
	env.Do(ann, "GET", "/v1/balances", nil, &balances)
	want := map[string][2]string{"ACME": {"40.00", "0.00"}, "COFFEE": {"9", "0"}}
	for _, b := range balances.Balances {
		if w, ok := want[b.Asset]; ok && (b.Available != w[0] || b.Held != w[1]) {
			t.Errorf("%s: available %s held %s, want %s %s", b.Asset, b.Available, b.Held, w[0], w[1])
		}
		delete(want, b.Asset)
	}
	if len(want) != 0 {
		t.Errorf("balances lack %v: %+v", want, balances)
	}
}
