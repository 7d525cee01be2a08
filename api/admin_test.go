package api_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// accountAnswer is POST /v1/admin/accounts' answer.
type accountAnswer struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
	Key       *struct {
		ID     string   `json:"id"`
		Scopes []string `json:"scopes"`
		Secret string   `json:"secret"`
	} `json:"key"`
}

type assetAnswer struct {
	ID        string  `json:"id"`
	Symbol    string  `json:"symbol"`
	Scale     int     `json:"scale"`
	Kind      string  `json:"kind"`
	Brand     *string `json:"brand"`
	ExpiresAt *string `json:"expires_at"`
	Hub       bool    `json:"hub"`
}

type marketAnswer struct {
	ID         string `json:"id"`
	Symbol     string `json:"symbol"`
	Base       string `json:"base"`
	Quote      string `json:"quote"`
	PriceScale int    `json:"price_scale"`
	Tick       string `json:"tick"`
	Lot        string `json:"lot"`
	MinSize    string `json:"min_size"`
	MakerBps   int    `json:"maker_bps"`
	TakerBps   int    `json:"taker_bps"`
	Status     string `json:"status"`
}

// fundsAccount has the operator create an account over HTTP, with a key
// of scopes, and returns a client signing with that key and the id.
func fundsAccount(t *testing.T, env *apitest.Env, kind, name string, scopes ...string) (*client.Client, uint32) {
	t.Helper()
	var a accountAnswer
	env.Do(env.Admin, "POST", "/v1/admin/accounts", map[string]any{"kind": kind, "name": name, "scopes": scopes}, &a)
	if a.Kind != kind || a.Name != name || a.Key == nil || a.Key.Secret == "" || len(a.Key.Scopes) != len(scopes) {
		t.Fatalf("account answer %+v", a)
	}
	id, err := strconv.ParseUint(a.ID, 10, 32)
	if err != nil || id == 0 {
		t.Fatalf("account id %q", a.ID)
	}
	return &client.Client{BaseURL: env.URL, KeyID: a.Key.ID, HMACSecret: []byte(a.Key.Secret), HTTP: env.HTTP}, uint32(id)
}

// TestOperatorJourney: an operator creates accounts, assets and a
// market over the admin API, halts the market (an order is then refused
// market_halted), resumes it and sets its fees; keys without the admin
// scope, and accounts that are not brands, are refused.
func TestOperatorJourney(t *testing.T) {
	env := apitest.Start(t, apitest.Options{})
	brand, brandID := fundsAccount(t, env, "brand", "Acme", "read", "trade", "issue")
	trader, traderID := fundsAccount(t, env, "consumer", "Tess", "read", "trade")

	// An account without scopes has no key.
	var bare accountAnswer
	env.Do(env.Admin, "POST", "/v1/admin/accounts", map[string]any{"kind": "market_maker", "name": "Mo"}, &bare)
	if bare.Key != nil || bare.Kind != "market_maker" {
		t.Fatalf("account without scopes: %+v", bare)
	}

	var eur, acme, coupon assetAnswer
	env.Do(env.Admin, "POST", "/v1/admin/assets", map[string]any{"symbol": "EUR", "scale": 2, "kind": "token", "hub": true}, &eur)
	if eur.Symbol != "EUR" || eur.Scale != 2 || eur.Kind != "token" || eur.Brand != nil || !eur.Hub || eur.ExpiresAt != nil {
		t.Fatalf("EUR: %+v", eur)
	}
	env.Do(env.Admin, "POST", "/v1/admin/assets", map[string]any{"symbol": "ACME", "scale": 0, "kind": "points", "brand": strconv.FormatUint(uint64(brandID), 10)}, &acme)
	if acme.Kind != "points" || acme.Brand == nil || *acme.Brand != strconv.FormatUint(uint64(brandID), 10) {
		t.Fatalf("ACME: %+v", acme)
	}
	expires := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	env.Do(env.Admin, "POST", "/v1/admin/assets", map[string]any{"symbol": "ACME.C", "scale": 0, "kind": "coupon", "brand": acme.Brand, "expires_at": expires.Format(time.RFC3339)}, &coupon)
	if coupon.Kind != "coupon" || coupon.ExpiresAt == nil {
		t.Fatalf("coupon: %+v", coupon)
	}
	if at, err := time.Parse(time.RFC3339, *coupon.ExpiresAt); err != nil || !at.Equal(expires) {
		t.Fatalf("coupon expiry %q, want %s", *coupon.ExpiresAt, expires)
	}
	env.Fails(env.Admin, "POST", "/v1/admin/assets", map[string]any{"symbol": "EUR", "scale": 2, "kind": "token"}, 409, "duplicate_asset")

	var m marketAnswer
	env.Do(env.Admin, "POST", "/v1/admin/markets", map[string]any{
		"base": "ACME", "quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "1", "min_size": "2", "maker_bps": 10, "taker_bps": 20,
	}, &m)
	want := marketAnswer{ID: m.ID, Symbol: "ACME-EUR", Base: "ACME", Quote: "EUR", PriceScale: 2, Tick: "0.01", Lot: "1", MinSize: "2", MakerBps: 10, TakerBps: 20, Status: "open"}
	if m != want {
		t.Fatalf("market %+v, want %+v", m, want)
	}
	env.Fails(env.Admin, "POST", "/v1/admin/markets", map[string]any{
		"base": "EUR", "quote": "ACME", "price_scale": 0, "tick": "1", "lot": "0.01", "maker_bps": 0, "taker_bps": 0,
	}, 409, "duplicate_market")

	// The trader can trade on the open market.
	eurID, _ := strconv.ParseUint(eur.ID, 10, 32)
	env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(traderID), Asset: engine.AssetID(eurID), Amount: 100_00, Ref: engine.Ref{1}})
	order := map[string]any{"market": "ACME-EUR", "side": "buy", "type": "limit", "price": "1.00", "size": "5"}
	env.Do(trader, "POST", "/v1/orders", order, nil)

	// Halted: refused; resumed: accepted again.
	env.Do(env.Admin, "POST", "/v1/admin/markets/ACME-EUR/halt", nil, &m)
	if m.Status != "halted" {
		t.Fatalf("halted market: %+v", m)
	}
	env.Fails(trader, "POST", "/v1/orders", order, 422, "market_halted")
	env.Do(env.Admin, "POST", "/v1/admin/markets/acme-eur/halt", nil, &m) // again, any case: still halted
	if m.Status != "halted" {
		t.Fatalf("halted twice: %+v", m)
	}
	env.Do(env.Admin, "POST", "/v1/admin/markets/ACME-EUR/resume", nil, &m)
	if m.Status != "open" {
		t.Fatalf("resumed market: %+v", m)
	}
	env.Do(trader, "POST", "/v1/orders", order, nil)

	env.Do(env.Admin, "PUT", "/v1/admin/markets/ACME-EUR/fees", map[string]any{"maker_bps": 5, "taker_bps": 15}, &m)
	if m.MakerBps != 5 || m.TakerBps != 15 || m.Status != "open" {
		t.Fatalf("fees set: %+v", m)
	}

	// Keys without the admin scope: 403, whatever the account.
	for _, c := range []*client.Client{trader, brand} {
		env.Fails(c, "POST", "/v1/admin/accounts", map[string]any{"kind": "consumer", "name": "x"}, 403, "forbidden")
		env.Fails(c, "POST", "/v1/admin/assets", map[string]any{"symbol": "X", "scale": 2, "kind": "token"}, 403, "forbidden")
		env.Fails(c, "POST", "/v1/admin/markets/ACME-EUR/halt", nil, 403, "forbidden")
		env.Fails(c, "PUT", "/v1/admin/markets/ACME-EUR/fees", map[string]any{"maker_bps": 0, "taker_bps": 0}, 403, "forbidden")
	}
	// An operator's key cannot grant what it lacks.
	readOnlyOp, _ := fundsAccount(t, env, "operator", "Olga", "read", "admin")
	env.Fails(readOnlyOp, "POST", "/v1/admin/accounts", map[string]any{"kind": "consumer", "name": "x", "scopes": []string{"trade"}}, 403, "forbidden")

	// Brand routes: a consumer is not a brand, with or without the issue
	// scope.
	consumerWithIssue := env.KeyFor(traderID, sqlstore.ScopeRead, sqlstore.ScopeIssue)
	for _, r := range []struct{ method, path string }{
		{"GET", "/v1/brand/programs"}, {"POST", "/v1/brand/programs"}, {"POST", "/v1/brand/programs/register"},
		{"POST", "/v1/brand/issues"}, {"GET", "/v1/brand/issues/ref-1"}, {"GET", "/v1/brand/redemptions"},
		{"POST", "/v1/brand/redemptions/1/fulfil"}, {"POST", "/v1/brand/redemptions/1/reject"}, {"GET", "/v1/brand/liabilities"},
	} {
		var body any
		if r.method == "POST" {
			body = map[string]any{}
		}
		env.Fails(consumerWithIssue, r.method, r.path, body, 403, "not_brand")
		env.Fails(trader, r.method, r.path, body, 403, "forbidden")
	}
	// The brand sees its (empty) liabilities: ACME and its coupon.
	var ls struct {
		Seq         string `json:"seq"`
		Liabilities []struct {
			Asset  string `json:"asset"`
			Issued string `json:"issued"`
		} `json:"liabilities"`
	}
	env.Do(brand, "GET", "/v1/brand/liabilities", nil, &ls)
	if len(ls.Liabilities) != 2 || ls.Liabilities[0].Asset != "ACME" || ls.Liabilities[1].Asset != "ACME.C" || ls.Seq == "" {
		t.Fatalf("liabilities %+v", ls)
	}
}
