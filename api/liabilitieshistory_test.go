package api_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
)

type liabilityPoint struct {
	Time            string `json:"time"`
	Issued          string `json:"issued"`
	HeldByCustomers string `json:"held_by_customers"`
	Redeemed        string `json:"redeemed"`
	Expired         string `json:"expired"`
}

type liabilitiesHistory struct {
	Asset    string           `json:"asset"`
	Interval string           `json:"interval"`
	Points   []liabilityPoint `json:"points"`
}

// TestLiabilitiesHistory, on SQLite and PostgreSQL: a brand issues points
// and a coupon, a customer trades nothing but redeems (one redemption
// fulfilled, one rejected) and deposits, the coupon expires; the history's
// last point equals what GET /v1/brand/liabilities reads from the engine,
// earlier intervals are zero; bad parameters and other brands' assets are
// refused with their codes.
func TestLiabilitiesHistory(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]apitest.Options{"sqlite": {}, "postgres": {Postgres: true}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testLiabilitiesHistory(t, o)
		})
	}
}

func testLiabilitiesHistory(t *testing.T, o apitest.Options) {
	env := apitest.Start(t, o)
	brand, brandID := fundsAccount(t, env, "brand", "Acme Corp", "read", "issue")
	other, otherID := fundsAccount(t, env, "brand", "Beta", "read", "issue")
	consumer, custID := fundsAccount(t, env, "consumer", "Cara", "read", "trade", "issue")
	var acme, coupon, beta assetAnswer
	env.Do(env.Admin, "POST", "/v1/admin/assets", map[string]any{"symbol": "ACME", "scale": 2, "kind": "points", "brand": strconv.FormatUint(uint64(brandID), 10)}, &acme)
	expires := time.Now().Add(3 * time.Second).UTC().Truncate(time.Second).Add(time.Second)
	env.Do(env.Admin, "POST", "/v1/admin/assets", map[string]any{"symbol": "ACME.C", "scale": 0, "kind": "coupon", "brand": acme.Brand, "expires_at": expires.Format(time.RFC3339)}, &coupon)
	env.Do(env.Admin, "POST", "/v1/admin/assets", map[string]any{"symbol": "BETA", "scale": 0, "kind": "points", "brand": strconv.FormatUint(uint64(otherID), 10)}, &beta)
	id := func(s string) engine.AssetID { n, _ := strconv.ParseUint(s, 10, 32); return engine.AssetID(n) }
	b, cust := engine.AccountID(brandID), engine.AccountID(custID)

	env.Submit(engine.Command{Kind: engine.CmdIssue, Account: b, Asset: id(acme.ID), To: cust, Amount: 100_00, Ref: engine.Ref{1}})
	env.Submit(engine.Command{Kind: engine.CmdIssue, Account: b, Asset: id(acme.ID), To: b, Amount: 7_00, Ref: engine.Ref{2}})
	env.Submit(engine.Command{Kind: engine.CmdIssue, Account: b, Asset: id(coupon.ID), To: cust, Amount: 5, Ref: engine.Ref{3}})
	env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: cust, Asset: id(acme.ID), Amount: 3_50, Ref: engine.Ref{4}})
	redeem := func(asset engine.AssetID, amount int64, ref byte) engine.RedemptionID {
		for _, ev := range env.Submit(engine.Command{Kind: engine.CmdRedeem, Account: cust, Asset: asset, Amount: amount, Ref: engine.Ref{ref}}) {
			if ev.Kind == engine.EvRedemptionCreated {
				return ev.Redemption
			}
		}
		t.Fatal("no redemption")
		return 0
	}
	kept, refunded := redeem(id(acme.ID), 20_00, 5), redeem(id(acme.ID), 10_00, 6)
	late := redeem(id(coupon.ID), 2, 7) // rejected after the coupon expired: breakage
	env.Submit(engine.Command{Kind: engine.CmdFulfilRedemption, Account: b, Redemption: kept})
	env.Submit(engine.Command{Kind: engine.CmdRejectRedemption, Account: b, Redemption: refunded})

	history := func(q url.Values) liabilitiesHistory {
		var h liabilitiesHistory
		env.Do(brand, "GET", "/v1/brand/liabilities/history?"+q.Encode(), nil, &h)
		return h
	}
	engineNow := func(symbol string) liabilityPoint {
		var l struct{ Liabilities []liabilityAnswer }
		env.Do(brand, "GET", "/v1/brand/liabilities", nil, &l)
		for _, a := range l.Liabilities {
			if a.Asset == symbol {
				pending, fulfilled := decimal.RequireFromString(a.RedeemedPending), decimal.RequireFromString(a.RedeemedFulfilled)
				places := 0 // the asset's scale, as its figures show it
				if dot := strings.IndexByte(a.Issued, '.'); dot >= 0 {
					places = len(a.Issued) - 1 - dot
				}
				redeemed := pending.Add(fulfilled).StringFixed(int32(places))
				return liabilityPoint{Issued: a.Issued, HeldByCustomers: a.HeldByCustomers, Redeemed: redeemed, Expired: a.Expired}
			}
		}
		t.Fatalf("no liabilities of %s", symbol)
		return liabilityPoint{}
	}
	// ACME: issued 107.00 (7.00 to the brand itself), held by customers
	// 100.00 + 3.50 - 20.00 = 83.50, redeemed 20.00 (the rejected one
	// refunded; the fulfilled one is the only one, so pending is 0).
	want := liabilityPoint{Issued: "107.00", HeldByCustomers: "83.50", Redeemed: "20.00", Expired: "0.00"}
	if got := engineNow("ACME"); got != want {
		t.Fatalf("the engine's liabilities %+v, want %+v", got, want)
	}
	var h liabilitiesHistory
	fundsWait(t, "the history of ACME", func() bool {
		h = history(url.Values{"asset": {"ACME"}, "from": {time.Now().Add(-2 * time.Hour).Format(time.RFC3339)}})
		last := h.Points[len(h.Points)-1]
		last.Time = ""
		return last == want
	})
	if h.Asset != "ACME" || h.Interval != "1h" || len(h.Points) != 3 {
		t.Fatalf("history %+v", h)
	}
	zero := liabilityPoint{Time: h.Points[0].Time, Issued: "0.00", HeldByCustomers: "0.00", Redeemed: "0.00", Expired: "0.00"}
	if h.Points[0] != zero {
		t.Errorf("two hours ago: %+v", h.Points[0])
	}
	start := time.Now().UTC().Truncate(time.Hour)
	if h.Points[2].Time != start.Format(time.RFC3339) && h.Points[2].Time != start.Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("the last point's time %s, want %s", h.Points[2].Time, start)
	}
	// Daily, by default the last 30 days.
	d := history(url.Values{"asset": {"ACME"}, "interval": {"1d"}})
	if d.Interval != "1d" || len(d.Points) != 30 {
		t.Fatalf("daily: %d points", len(d.Points))
	}
	if last := d.Points[29]; last.Issued != "107.00" || last.HeldByCustomers != "83.50" {
		t.Errorf("today: %+v", last)
	}

	// The coupon expires: what the customer held is breakage, and so is
	// the redemption the brand rejects afterwards.
	fundsWait(t, "the coupon's expiry", func() bool { return time.Now().After(expires.Add(1500 * time.Millisecond)) })
	env.Submit(engine.Command{Kind: engine.CmdRejectRedemption, Account: b, Redemption: late})
	fundsWait(t, "the coupon's expiry in the history", func() bool {
		h := history(url.Values{"asset": {"ACME.C"}, "from": {strconv.FormatInt(time.Now().Add(-24*time.Hour).UnixMilli(), 10)}, "to": {strconv.FormatInt(time.Now().UnixMilli(), 10)}, "interval": {"1d"}})
		last := h.Points[len(h.Points)-1]
		return last.Issued == "5" && last.HeldByCustomers == "0" && last.Expired == "5" && last.Redeemed == "0"
	})
	if got := engineNow("ACME.C"); got != (liabilityPoint{Issued: "5", HeldByCustomers: "0", Redeemed: "0", Expired: "5"}) { // 3 held + 2 rejected late
		t.Errorf("the engine says %+v", got)
	}

	// Refusals.
	path := "/v1/brand/liabilities/history?"
	env.Fails(brand, "GET", path, nil, 400, "missing_parameter")
	env.Fails(brand, "GET", path+"asset=ACME&interval=5m", nil, 400, "invalid_parameter")
	env.Fails(brand, "GET", path+"asset=ACME&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", nil, 400, "invalid_parameter")
	env.Fails(brand, "GET", path+"asset=ACME&from=yesterday", nil, 400, "invalid_parameter")
	env.Fails(brand, "GET", path+"asset=ACME&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", nil, 400, "invalid_parameter")
	env.Fails(brand, "GET", path+"asset=NOPE", nil, 404, "unknown_asset")
	env.Fails(brand, "GET", path+"asset=BETA", nil, 403, "not_brands_asset")
	env.Fails(other, "GET", path+"asset=ACME", nil, 403, "not_brands_asset")
	env.Fails(consumer, "GET", path+"asset=ACME", nil, 403, "not_brand")
	env.Fails(env.Public(), "GET", path+"asset=ACME", nil, 401, "unauthorized")
}
