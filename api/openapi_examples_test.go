package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// shapeErrors are the codes that say the server's strict decoder (or its
// router) refused a request's shape: a documented example must never get
// one.
var shapeErrors = []string{
	"malformed_json", "unknown_field", "wrong_type", "missing_field", "invalid_decimal", "too_many_decimals",
	"amount_too_large", "unsupported_content", "route_not_found", "method_not_allowed",
}

// exampleOp is one operation of the document with a request-body example.
type exampleOp struct {
	method, path, id, scope string
	idempotent              bool
	bodies                  []any
}

// TestOpenAPIExamplesDecode sends every request-body example of
// openapi.yaml to a running node, with a credential holding the route's
// scope, and checks that no answer (nor, for a batch, any item's) is a
// request-shape error: each documented example is a body the server
// accepts as written. State errors (chain_unavailable without a chain,
// duplicate_asset, ...) are fine.
func TestOpenAPIExamplesDecode(t *testing.T) {
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	var ops []exampleOp
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			if demo, _ := op.Extensions["x-lpx-demo-only"].(bool); demo {
				continue // served with a faucet only: TestFaucet sends it
			}
			e := exampleOp{method: method, path: path, id: op.OperationID}
			e.scope, _ = op.Extensions["x-lpx-scope"].(string)
			for _, p := range append(append(openapi3.Parameters(nil), item.Parameters...), op.Parameters...) {
				if p.Value != nil && p.Value.In == "header" && p.Value.Name == "Idempotency-Key" {
					e.idempotent = true
				}
			}
			for ct, media := range op.RequestBody.Value.Content {
				if ct != "application/json" {
					t.Errorf("%s %s: request body of %s; the API reads application/json only", method, path, ct)
				}
				if media.Example != nil {
					e.bodies = append(e.bodies, media.Example)
				}
				for _, ex := range media.Examples {
					if ex.Value != nil && ex.Value.Value != nil {
						e.bodies = append(e.bodies, ex.Value.Value)
					}
				}
			}
			ops = append(ops, e)
		}
	}
	if len(ops) < 20 {
		t.Fatalf("only %d operations with request-body examples", len(ops))
	}
	// The operators' routes first (they make the COFFEE coupon and the
	// COFFEE-EUR market the examples name; halt before resume), then the
	// consumer's, then the brand's (which settle the setup's redemptions).
	group := func(path string) int {
		switch {
		case strings.HasPrefix(path, "/v1/admin/"):
			return 0
		case strings.HasPrefix(path, "/v1/brand/"):
			return 2
		}
		return 1
	}
	slices.SortFunc(ops, func(a, b exampleOp) int {
		if d := group(a.path) - group(b.path); d != 0 {
			return d
		}
		return strings.Compare(a.path+" "+a.method, b.path+" "+b.method)
	})

	env := apitest.Start(t, apitest.Options{})
	read, trade, withdraw, issue := sqlstore.ScopeRead, sqlstore.ScopeTrade, sqlstore.ScopeWithdraw, sqlstore.ScopeIssue
	// The examples name the brand account "3" and the customer "4" (1 is
	// the exchange's fee account, 2 the test's operator).
	brand, brandID := env.NewAccount(sqlstore.AccountBrand, "Acme Coffee", read, trade, issue)
	user, userID := env.NewAccount(sqlstore.AccountConsumer, "Ann", read, trade, withdraw)
	maker, makerID := env.NewAccount(sqlstore.AccountMarketMaker, "Mo", read, trade)
	if brandID != 3 || userID != 4 {
		t.Fatalf("the brand is account %d and the consumer %d; the examples name 3 and 4", brandID, userID)
	}
	clients := map[string]*client.Client{"public": env.Public(), "admin": env.Admin, "brand": brand, "user": user}
	scopesOf := map[string][]sqlstore.Scope{
		"admin": {read, trade, withdraw, issue, sqlstore.ScopeAdmin}, "brand": {read, trade, issue}, "user": {read, trade, withdraw},
	}

	// EUR (a token and a hub) and ACME (the brand's points), both scale 2,
	// and ACME-EUR (tick 0.01, lot and minimum 1.00, fees 10/20 bps).
	asset := func(symbol string, kind engine.AssetKind, brand engine.AccountID, hub bool) engine.AssetID {
		sym, _ := engine.ParseSymbol(symbol)
		evs := env.Submit(engine.Command{Kind: engine.CmdCreateAsset, Symbol: sym, Scale: 2, AssetKind: kind, Brand: brand, Hub: hub})
		return evs[len(evs)-1].Asset
	}
	eur := asset("EUR", engine.Token, 0, true)
	acme := asset("ACME", engine.Points, engine.AccountID(brandID), false)
	env.Submit(engine.Command{Kind: engine.CmdCreateMarket, Base: acme, Quote: eur, PriceScale: 2, Tick: 1, Lot: 100, MinSize: 100, MakerBps: 10, TakerBps: 20})
	ref := byte(0)
	deposit := func(account uint32, a engine.AssetID, units int64) {
		ref++
		env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(account), Asset: a, Amount: units, Ref: engine.Ref{0x0a, ref}})
	}
	deposit(userID, eur, 1000_00)
	deposit(userID, acme, 500_00)
	deposit(makerID, eur, 1000_00)
	// A bid for the swap example to sell into, and the consumer's resting
	// order the amend example changes (an ask: a bid of the consumer's own
	// above the maker's would stop the swap, by self-trade prevention).
	env.Do(maker, "POST", "/v1/orders", map[string]any{"market": "ACME-EUR", "side": "buy", "type": "limit", "price": "1.25", "size": "20.00"}, nil)
	var resting struct {
		ID string `json:"id"`
	}
	env.Do(user, "POST", "/v1/orders", map[string]any{"market": "ACME-EUR", "side": "sell", "type": "limit", "price": "1.40", "size": "10.00", "client_order_id": "amend-me"}, &resting)
	// Two pending redemptions for the brand's fulfil and reject examples.
	var redemptions []string
	for range 2 {
		for _, ev := range env.Submit(engine.Command{Kind: engine.CmdRedeem, Account: engine.AccountID(userID), Asset: acme, Amount: 1_00}) {
			if ev.Kind == engine.EvRedemptionCreated {
				redemptions = append(redemptions, strconv.FormatUint(uint64(ev.Redemption), 10))
			}
		}
	}
	if resting.ID == "" || len(redemptions) != 2 {
		t.Fatalf("setup: order %q, redemptions %v", resting.ID, redemptions)
	}
	pathValues := map[string]map[string]string{
		"/v1/admin/accounts/{id}/keys":      {"id": strconv.FormatUint(uint64(brandID), 10)},
		"/v1/admin/markets/{market}/fees":   {"market": "ACME-EUR"},
		"/v1/admin/markets/{market}/halt":   {"market": "ACME-EUR"},
		"/v1/admin/markets/{market}/resume": {"market": "ACME-EUR"},
		"/v1/orders/{id}":                   {"id": resting.ID},
		"/v1/brand/redemptions/{id}/fulfil": {"id": redemptions[0]},
		"/v1/brand/redemptions/{id}/reject": {"id": redemptions[1]},
	}

	sent := 0
	for _, op := range ops {
		who := "user"
		switch {
		case op.scope == "public":
			who = "public"
		case strings.HasPrefix(op.path, "/v1/admin/"):
			who = "admin"
		case strings.HasPrefix(op.path, "/v1/brand/"):
			who = "brand"
		}
		if op.scope != "public" && !slices.Contains(scopesOf[who], sqlstore.Scope(op.scope)) {
			t.Errorf("%s %s: needs scope %q, which the %s client lacks", op.method, op.path, op.scope, who)
			continue
		}
		path := op.path
		for name, v := range pathValues[op.path] {
			path = strings.ReplaceAll(path, "{"+name+"}", v)
		}
		if strings.Contains(path, "{") {
			t.Errorf("%s %s: no value for its path parameters (add one to pathValues)", op.method, op.path)
			continue
		}
		for i, ex := range op.bodies {
			body, err := json.Marshal(ex)
			if err != nil {
				t.Fatalf("%s: example %d: %v", op.id, i, err)
			}
			header := http.Header{}
			if op.idempotent {
				header.Set("Idempotency-Key", "openapi-example-"+op.id)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			status, _, answer, err := clients[who].Raw(ctx, op.method, path, header, body)
			cancel()
			if err != nil {
				t.Fatalf("%s %s: %v", op.method, path, err)
			}
			sent++
			codes := errorCodes(answer)
			t.Logf("%-22s %s %s as %s: %d %v", op.id, op.method, path, who, status, codes)
			for _, code := range codes {
				if slices.Contains(shapeErrors, code) {
					t.Errorf("%s %s (%s): the documented example %s is refused %d %s: %s", op.method, path, op.id, body, status, code, answer)
				}
			}
			if status >= 400 && len(codes) == 0 {
				t.Errorf("%s %s: %d without an error code: %s", op.method, path, status, answer)
			}
		}
	}
	if sent < len(ops) {
		t.Errorf("sent %d examples for %d operations", sent, len(ops))
	}
}

// errorCodes are the codes of every {"error":{"code":...}} in an answer:
// the answer's own and, for a batch, its items'.
func errorCodes(answer []byte) []string {
	var v any
	if json.Unmarshal(answer, &v) != nil {
		return nil
	}
	var codes []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if e, ok := x["error"].(map[string]any); ok {
				if code, ok := e["code"].(string); ok {
					codes = append(codes, code)
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return codes
}
