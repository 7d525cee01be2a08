package api_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// TestFundsBadInput: every write route of the funds, wallet, redemption,
// brand and admin API refuses malformed, incomplete, out-of-range and
// unknown input with a precise 4xx, never a 5xx, and submits nothing: the
// engine's state hash is unchanged after all of them.
func TestFundsBadInput(t *testing.T) {
	env := apitest.Start(t, apitest.Options{QuietClock: true})
	brand, brandID := env.NewAccount(sqlstore.AccountBrand, "acme", sqlstore.ScopeRead, sqlstore.ScopeTrade, sqlstore.ScopeWithdraw, sqlstore.ScopeIssue)
	user, userID := env.NewAccount(sqlstore.AccountConsumer, "ann", sqlstore.ScopeRead, sqlstore.ScopeTrade, sqlstore.ScopeWithdraw)
	mustSym := func(s string) engine.Symbol {
		sym, ok := engine.ParseSymbol(s)
		if !ok {
			t.Fatalf("symbol %q", s)
		}
		return sym
	}
	asset := func(cmd engine.Command) engine.AssetID {
		cmd.Kind = engine.CmdCreateAsset
		return env.Submit(cmd)[0].Asset
	}
	eur := asset(engine.Command{Symbol: mustSym("EUR"), Scale: 2})
	acme := asset(engine.Command{Symbol: mustSym("ACME"), Scale: 2, AssetKind: engine.Points, Brand: engine.AccountID(brandID)})
	asset(engine.Command{Symbol: mustSym("BETA"), Scale: 2})
	env.Submit(engine.Command{Kind: engine.CmdCreateMarket, Base: acme, Quote: eur, PriceScale: 2, Tick: 1, Lot: 100, MinSize: 100})
	env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(userID), Asset: acme, Amount: 100_00, Ref: engine.Ref{1}})
	env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(userID), Asset: eur, Amount: 100_00, Ref: engine.Ref{2}})
	evs := env.Submit(engine.Command{Kind: engine.CmdRedeem, Account: engine.AccountID(userID), Asset: acme, Amount: 1_00})
	var redemption engine.RedemptionID
	for _, ev := range evs {
		if ev.Kind == engine.EvRedemptionCreated {
			redemption = ev.Redemption
		}
	}
	// Another brand, to refuse its use of the first brand's redemption.
	otherBrand, _ := env.NewAccount(sqlstore.AccountBrand, "beta", sqlstore.ScopeRead, sqlstore.ScopeIssue)
	userIssue := env.KeyFor(userID, sqlstore.ScopeRead, sqlstore.ScopeTrade, sqlstore.ScopeWithdraw, sqlstore.ScopeIssue)

	before := env.StateHash()

	const wallet = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	const badChecksum = "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	future := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	brandStr, userStr := strconv.FormatUint(uint64(brandID), 10), strconv.FormatUint(uint64(userID), 10)
	redemptionPath := "/v1/brand/redemptions/" + strconv.FormatUint(uint64(redemption), 10)
	raw := func(s string) []byte { return []byte(s) }
	type obj = map[string]any

	cases := []struct {
		name         string
		c            *client.Client
		method, path string
		body         any
		status       int
		code         string
	}{
		// Withdrawals.
		{"withdraw: malformed", user, "POST", "/v1/withdrawals", raw(`{"asset":`), 400, "malformed_json"},
		{"withdraw: empty body", user, "POST", "/v1/withdrawals", nil, 400, "malformed_json"},
		{"withdraw: an array", user, "POST", "/v1/withdrawals", raw(`[1]`), 400, "malformed_json"},
		{"withdraw: trailing data", user, "POST", "/v1/withdrawals", raw(`{"asset":"ACME","amount":"1","to":"` + wallet + `"} {}`), 400, "malformed_json"},
		{"withdraw: missing asset", user, "POST", "/v1/withdrawals", obj{"amount": "1", "to": wallet}, 400, "missing_field"},
		{"withdraw: missing amount", user, "POST", "/v1/withdrawals", obj{"asset": "ACME", "to": wallet}, 400, "missing_field"},
		{"withdraw: missing to", user, "POST", "/v1/withdrawals", obj{"asset": "ACME", "amount": "1"}, 400, "missing_field"},
		{"withdraw: unknown field", user, "POST", "/v1/withdrawals", obj{"asset": "ACME", "amount": "1", "to": wallet, "memo": "x"}, 400, "unknown_field"},
		{"withdraw: negative", user, "POST", "/v1/withdrawals", obj{"asset": "ACME", "amount": "-1", "to": wallet}, 400, "invalid_decimal"},
		{"withdraw: exponent", user, "POST", "/v1/withdrawals", obj{"asset": "ACME", "amount": "1e3", "to": wallet}, 400, "invalid_decimal"},
		{"withdraw: zero", user, "POST", "/v1/withdrawals", obj{"asset": "ACME", "amount": "0", "to": wallet}, 400, "invalid_amount"},
		{"withdraw: too many decimals", user, "POST", "/v1/withdrawals", obj{"asset": "ACME", "amount": "1.001", "to": wallet}, 400, "too_many_decimals"},
		{"withdraw: too large", user, "POST", "/v1/withdrawals", obj{"asset": "ACME", "amount": "92233720368547758.08", "to": wallet}, 400, "amount_too_large"},
		{"withdraw: amount a number", user, "POST", "/v1/withdrawals", obj{"asset": "ACME", "amount": 1, "to": wallet}, 400, "wrong_type"},
		{"withdraw: unknown asset", user, "POST", "/v1/withdrawals", obj{"asset": "NOPE", "amount": "1", "to": wallet}, 404, "unknown_asset"},
		{"withdraw: short address", user, "POST", "/v1/withdrawals", obj{"asset": "ACME", "amount": "1", "to": "0x1234"}, 400, "invalid_address"},
		{"withdraw: bad checksum", user, "POST", "/v1/withdrawals", obj{"asset": "ACME", "amount": "1", "to": badChecksum}, 400, "invalid_address"},
		{"withdraw: zero address", user, "POST", "/v1/withdrawals", obj{"asset": "ACME", "amount": "1", "to": "0x0000000000000000000000000000000000000000"}, 400, "invalid_address"},
		{"withdraw: no withdraw scope", env.KeyFor(userID, sqlstore.ScopeRead), "POST", "/v1/withdrawals", obj{"asset": "ACME", "amount": "1", "to": wallet}, 403, "forbidden"},

		// Wallets.
		{"challenge: malformed", user, "POST", "/v1/wallets/challenge", raw(`{`), 400, "malformed_json"},
		{"challenge: missing address", user, "POST", "/v1/wallets/challenge", obj{}, 400, "missing_field"},
		{"challenge: unknown field", user, "POST", "/v1/wallets/challenge", obj{"address": wallet, "chain": 1}, 400, "unknown_field"},
		{"challenge: address a number", user, "POST", "/v1/wallets/challenge", obj{"address": 5}, 400, "wrong_type"},
		{"challenge: not hex", user, "POST", "/v1/wallets/challenge", obj{"address": "0xZZZZb6053F3E94C9b9A09f33669435E7Ef1BeAed"}, 400, "invalid_address"},
		{"link: malformed", user, "POST", "/v1/wallets", raw(`{"message":"x",`), 400, "malformed_json"},
		{"link: missing message", user, "POST", "/v1/wallets", obj{"signature": "0x00"}, 400, "missing_field"},
		{"link: missing signature", user, "POST", "/v1/wallets", obj{"message": "x"}, 400, "missing_field"},
		{"link: unknown field", user, "POST", "/v1/wallets", obj{"message": "x", "signature": "0x00", "nonce": "1"}, 400, "unknown_field"},
		{"link: signature not hex", user, "POST", "/v1/wallets", obj{"message": "x", "signature": "zz"}, 400, "invalid_signature"},
		{"link: short signature", user, "POST", "/v1/wallets", obj{"message": "x", "signature": "0x0102"}, 400, "invalid_signature"},
		{"link: long message", user, "POST", "/v1/wallets", obj{"message": strings.Repeat("x", 2000), "signature": "0x00"}, 400, "invalid_challenge"},
		{"unlink: not an address", user, "DELETE", "/v1/wallets/0x12", nil, 404, "not_found"},
		{"unlink: not linked", user, "DELETE", "/v1/wallets/" + wallet, nil, 404, "not_found"},

		// Redemptions.
		{"redeem: malformed", user, "POST", "/v1/redemptions", raw(`{"asset":"ACME"`), 400, "malformed_json"},
		{"redeem: missing asset", user, "POST", "/v1/redemptions", obj{"amount": "1"}, 400, "missing_field"},
		{"redeem: missing amount", user, "POST", "/v1/redemptions", obj{"asset": "ACME"}, 400, "missing_field"},
		{"redeem: unknown field", user, "POST", "/v1/redemptions", obj{"asset": "ACME", "amount": "1", "x": 1}, 400, "unknown_field"},
		{"redeem: negative", user, "POST", "/v1/redemptions", obj{"asset": "ACME", "amount": "-5"}, 400, "invalid_decimal"},
		{"redeem: zero", user, "POST", "/v1/redemptions", obj{"asset": "ACME", "amount": "0.00"}, 400, "invalid_amount"},
		{"redeem: too many decimals", user, "POST", "/v1/redemptions", obj{"asset": "ACME", "amount": "0.001"}, 400, "too_many_decimals"},
		{"redeem: too large", user, "POST", "/v1/redemptions", obj{"asset": "ACME", "amount": "1" + strings.Repeat("0", 30)}, 400, "amount_too_large"},
		{"redeem: amount a number", user, "POST", "/v1/redemptions", obj{"asset": "ACME", "amount": 1.5}, 400, "wrong_type"},
		{"redeem: unknown asset", user, "POST", "/v1/redemptions", obj{"asset": "NOPE", "amount": "1"}, 404, "unknown_asset"},
		{"redeem: a token", user, "POST", "/v1/redemptions", obj{"asset": "EUR", "amount": "1"}, 422, "not_redeemable"},
		{"redeem: more than the balance", user, "POST", "/v1/redemptions", obj{"asset": "ACME", "amount": "500"}, 422, "insufficient_balance"},

		// Brand: programs.
		{"program: consumer", userIssue, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "points", "decimals": 18, "scale": 2}, 403, "not_brand"},
		{"program: malformed", brand, "POST", "/v1/brand/programs", raw(`{"name"}`), 400, "malformed_json"},
		{"program: missing name", brand, "POST", "/v1/brand/programs", obj{"symbol": "X", "kind": "points", "decimals": 18, "scale": 2}, 400, "missing_field"},
		{"program: missing symbol", brand, "POST", "/v1/brand/programs", obj{"name": "X", "kind": "points", "decimals": 18, "scale": 2}, 400, "missing_field"},
		{"program: bad symbol", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "acme-1", "kind": "points", "decimals": 18, "scale": 2}, 400, "invalid_symbol"},
		{"program: missing kind", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "decimals": 18, "scale": 2}, 400, "missing_field"},
		{"program: bad kind", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "gold", "decimals": 18, "scale": 2}, 400, "invalid_kind"},
		{"program: missing decimals", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "points", "scale": 2}, 400, "missing_field"},
		{"program: decimals too large", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "points", "decimals": 78, "scale": 2}, 400, "invalid_decimals"},
		{"program: decimals a string", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "points", "decimals": "18", "scale": 2}, 400, "wrong_type"},
		{"program: decimals not whole", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "points", "decimals": 1.5, "scale": 0}, 400, "wrong_type"},
		{"program: negative scale", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "points", "decimals": 18, "scale": -1}, 400, "invalid_scale"},
		{"program: scale above decimals", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "points", "decimals": 1, "scale": 2}, 400, "invalid_scale"},
		{"program: points with expiry", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "points", "decimals": 18, "scale": 2, "expires_at": future}, 400, "invalid_expires_at"},
		{"program: coupon without expiry", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "coupon", "decimals": 0, "scale": 0}, 400, "missing_field"},
		{"program: coupon expired", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "coupon", "decimals": 0, "scale": 0, "expires_at": past}, 400, "invalid_expires_at"},
		{"program: expiry not a time", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "coupon", "decimals": 0, "scale": 0, "expires_at": "tomorrow"}, 400, "invalid_time"},
		{"program: symbol taken", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "ACME", "kind": "points", "decimals": 18, "scale": 2}, 409, "duplicate_asset"},
		{"program: unknown field", brand, "POST", "/v1/brand/programs", obj{"name": "X", "symbol": "X", "kind": "points", "decimals": 18, "scale": 2, "minter": wallet}, 400, "unknown_field"},
		{"register: malformed", brand, "POST", "/v1/brand/programs/register", raw(`{"token":1`), 400, "malformed_json"},
		{"register: missing token", brand, "POST", "/v1/brand/programs/register", obj{"scale": 2}, 400, "missing_field"},
		{"register: bad token", brand, "POST", "/v1/brand/programs/register", obj{"token": "acme", "scale": 2}, 400, "invalid_address"},
		{"register: missing scale", brand, "POST", "/v1/brand/programs/register", obj{"token": wallet}, 400, "missing_field"},
		{"register: scale too large", brand, "POST", "/v1/brand/programs/register", obj{"token": wallet, "scale": 19}, 400, "invalid_scale"},
		{"register: unknown field", brand, "POST", "/v1/brand/programs/register", obj{"token": wallet, "scale": 2, "symbol": "X"}, 400, "unknown_field"},

		// Brand: issues.
		{"issue: consumer", userIssue, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "ACME", "amount": "1", "reference": "r1"}, 403, "not_brand"},
		{"issue: malformed", brand, "POST", "/v1/brand/issues", raw(`{"customer":}`), 400, "malformed_json"},
		{"issue: missing customer", brand, "POST", "/v1/brand/issues", obj{"asset": "ACME", "amount": "1", "reference": "r1"}, 400, "missing_field"},
		{"issue: customer not an id", brand, "POST", "/v1/brand/issues", obj{"customer": "ann", "asset": "ACME", "amount": "1", "reference": "r1"}, 400, "invalid_customer"},
		{"issue: customer a number", brand, "POST", "/v1/brand/issues", obj{"customer": userID, "asset": "ACME", "amount": "1", "reference": "r1"}, 400, "wrong_type"},
		{"issue: unknown customer", brand, "POST", "/v1/brand/issues", obj{"customer": "99999", "asset": "ACME", "amount": "1", "reference": "r1"}, 404, "unknown_account"},
		{"issue: missing asset", brand, "POST", "/v1/brand/issues", obj{"customer": userStr, "amount": "1", "reference": "r1"}, 400, "missing_field"},
		{"issue: unknown asset", brand, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "NOPE", "amount": "1", "reference": "r1"}, 404, "unknown_asset"},
		{"issue: a token", brand, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "EUR", "amount": "1", "reference": "r1"}, 403, "not_brands_asset"},
		{"issue: another brand's asset", otherBrand, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "ACME", "amount": "1", "reference": "r1"}, 403, "not_brands_asset"},
		{"issue: negative", brand, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "ACME", "amount": "-1", "reference": "r1"}, 400, "invalid_decimal"},
		{"issue: zero", brand, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "ACME", "amount": "0", "reference": "r1"}, 400, "invalid_amount"},
		{"issue: too many decimals", brand, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "ACME", "amount": "0.005", "reference": "r1"}, 400, "too_many_decimals"},
		{"issue: too large", brand, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "ACME", "amount": "99999999999999999999", "reference": "r1"}, 400, "amount_too_large"},
		{"issue: missing reference", brand, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "ACME", "amount": "1"}, 400, "missing_field"},
		{"issue: reference with a space", brand, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "ACME", "amount": "1", "reference": "r 1"}, 400, "invalid_reference"},
		{"issue: reference with a slash", brand, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "ACME", "amount": "1", "reference": "order/1"}, 400, "invalid_reference"},
		{"issue: reference too long", brand, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "ACME", "amount": "1", "reference": strings.Repeat("r", 201)}, 400, "invalid_reference"},
		{"issue: unknown field", brand, "POST", "/v1/brand/issues", obj{"customer": userStr, "asset": "ACME", "amount": "1", "reference": "r1", "to": wallet}, 400, "unknown_field"},

		// Brand: redemptions.
		{"fulfil: consumer", userIssue, "POST", redemptionPath + "/fulfil", nil, 403, "not_brand"},
		{"fulfil: not an id", brand, "POST", "/v1/brand/redemptions/abc/fulfil", nil, 404, "not_found"},
		{"fulfil: unknown", brand, "POST", "/v1/brand/redemptions/999/fulfil", nil, 404, "not_found"},
		{"reject: unknown", brand, "POST", "/v1/brand/redemptions/999/reject", nil, 404, "not_found"},
		{"fulfil: another brand's", otherBrand, "POST", redemptionPath + "/fulfil", nil, 404, "not_found"},
		{"reject: another brand's", otherBrand, "POST", redemptionPath + "/reject", nil, 404, "not_found"},
		{"fulfil: unknown field", brand, "POST", redemptionPath + "/fulfil", obj{"note": "x"}, 400, "unknown_field"},
		{"reject: malformed", brand, "POST", redemptionPath + "/reject", raw(`{`), 400, "malformed_json"},

		// Admin: accounts.
		{"account: not admin", user, "POST", "/v1/admin/accounts", obj{"kind": "consumer", "name": "x"}, 403, "forbidden"},
		{"account: malformed", env.Admin, "POST", "/v1/admin/accounts", raw(`{"kind":"consumer"`), 400, "malformed_json"},
		{"account: missing kind", env.Admin, "POST", "/v1/admin/accounts", obj{"name": "x"}, 400, "missing_field"},
		{"account: bad kind", env.Admin, "POST", "/v1/admin/accounts", obj{"kind": "robot", "name": "x"}, 400, "invalid_kind"},
		{"account: missing name", env.Admin, "POST", "/v1/admin/accounts", obj{"kind": "consumer"}, 400, "missing_field"},
		{"account: name too long", env.Admin, "POST", "/v1/admin/accounts", obj{"kind": "consumer", "name": strings.Repeat("n", 101)}, 400, "invalid_name"},
		{"account: bad scope", env.Admin, "POST", "/v1/admin/accounts", obj{"kind": "consumer", "name": "x", "scopes": []string{"root"}}, 400, "invalid_scope"},
		{"account: empty scopes", env.Admin, "POST", "/v1/admin/accounts", obj{"kind": "consumer", "name": "x", "scopes": []string{}}, 400, "missing_field"},
		{"account: scopes a string", env.Admin, "POST", "/v1/admin/accounts", obj{"kind": "consumer", "name": "x", "scopes": "read"}, 400, "wrong_type"},
		{"account: unknown field", env.Admin, "POST", "/v1/admin/accounts", obj{"kind": "consumer", "name": "x", "email": "x@y"}, 400, "unknown_field"},

		// Admin: assets.
		{"asset: not admin", brand, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2, "kind": "token"}, 403, "forbidden"},
		{"asset: malformed", env.Admin, "POST", "/v1/admin/assets", raw(`{"symbol":"X","scale":2,}`), 400, "malformed_json"},
		{"asset: missing symbol", env.Admin, "POST", "/v1/admin/assets", obj{"scale": 2, "kind": "token"}, 400, "missing_field"},
		{"asset: bad symbol", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "E-R", "scale": 2, "kind": "token"}, 400, "invalid_symbol"},
		{"asset: missing scale", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "kind": "token"}, 400, "missing_field"},
		{"asset: scale too large", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 19, "kind": "token"}, 400, "invalid_scale"},
		{"asset: negative scale", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": -2, "kind": "token"}, 400, "invalid_scale"},
		{"asset: scale a string", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": "2", "kind": "token"}, 400, "wrong_type"},
		{"asset: missing kind", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2}, 400, "missing_field"},
		{"asset: bad kind", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2, "kind": "nft"}, 400, "invalid_kind"},
		{"asset: token with a brand", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2, "kind": "token", "brand": brandStr}, 400, "invalid_brand"},
		{"asset: points without a brand", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2, "kind": "points"}, 400, "missing_field"},
		{"asset: brand not an id", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2, "kind": "points", "brand": "acme"}, 400, "invalid_brand"},
		{"asset: unknown brand", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2, "kind": "points", "brand": "99999"}, 404, "unknown_account"},
		{"asset: brand a consumer", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2, "kind": "points", "brand": userStr}, 422, "brand_account_required"},
		{"asset: points with expiry", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2, "kind": "points", "brand": brandStr, "expires_at": future}, 400, "invalid_expires_at"},
		{"asset: coupon expired", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2, "kind": "coupon", "brand": brandStr, "expires_at": past}, 400, "invalid_expires_at"},
		{"asset: expiry not a time", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2, "kind": "coupon", "brand": brandStr, "expires_at": "2030-13-01"}, 400, "invalid_time"},
		{"asset: hub a string", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2, "kind": "token", "hub": "yes"}, 400, "wrong_type"},
		{"asset: symbol taken", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "EUR", "scale": 2, "kind": "token"}, 409, "duplicate_asset"},
		{"asset: unknown field", env.Admin, "POST", "/v1/admin/assets", obj{"symbol": "X", "scale": 2, "kind": "token", "decimals": 18}, 400, "unknown_field"},

		// Admin: markets.
		{"market: not admin", user, "POST", "/v1/admin/markets", obj{}, 403, "forbidden"},
		{"market: malformed", env.Admin, "POST", "/v1/admin/markets", raw(`{"base":"BETA","quote":"EUR"`), 400, "malformed_json"},
		{"market: missing base", env.Admin, "POST", "/v1/admin/markets", obj{"quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "1", "maker_bps": 0, "taker_bps": 0}, 400, "missing_field"},
		{"market: unknown base", env.Admin, "POST", "/v1/admin/markets", obj{"base": "NOPE", "quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "1", "maker_bps": 0, "taker_bps": 0}, 404, "unknown_asset"},
		{"market: one asset", env.Admin, "POST", "/v1/admin/markets", obj{"base": "EUR", "quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "1", "maker_bps": 0, "taker_bps": 0}, 400, "invalid_market"},
		{"market: exists", env.Admin, "POST", "/v1/admin/markets", obj{"base": "ACME", "quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "1", "maker_bps": 0, "taker_bps": 0}, 409, "duplicate_market"},
		{"market: exists the other way", env.Admin, "POST", "/v1/admin/markets", obj{"base": "EUR", "quote": "ACME", "price_scale": 2, "tick": "0.01", "lot": "1", "maker_bps": 0, "taker_bps": 0}, 409, "duplicate_market"},
		{"market: missing price scale", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "tick": "0.01", "lot": "1", "maker_bps": 0, "taker_bps": 0}, 400, "missing_field"},
		{"market: price scale too large", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 19, "tick": "0.01", "lot": "1", "maker_bps": 0, "taker_bps": 0}, 400, "invalid_price_scale"},
		{"market: zero tick", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 2, "tick": "0", "lot": "1", "maker_bps": 0, "taker_bps": 0}, 400, "invalid_amount"},
		{"market: negative tick", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 2, "tick": "-0.01", "lot": "1", "maker_bps": 0, "taker_bps": 0}, 400, "invalid_decimal"},
		{"market: tick finer than the price scale", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 2, "tick": "0.001", "lot": "1", "maker_bps": 0, "taker_bps": 0}, 400, "too_many_decimals"},
		{"market: tick a number", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 2, "tick": 0.01, "lot": "1", "maker_bps": 0, "taker_bps": 0}, 400, "wrong_type"},
		{"market: lot finer than the base", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "0.001", "maker_bps": 0, "taker_bps": 0}, 400, "too_many_decimals"},
		{"market: missing lot", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 2, "tick": "0.01", "maker_bps": 0, "taker_bps": 0}, 400, "missing_field"},
		{"market: min size off lot", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "1", "min_size": "1.5", "maker_bps": 0, "taker_bps": 0}, 400, "invalid_min_size"},
		{"market: fee too high", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "1", "maker_bps": 10001, "taker_bps": 0}, 400, "invalid_fee"},
		{"market: negative fee", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "1", "maker_bps": 0, "taker_bps": -1}, 400, "invalid_fee"},
		{"market: fee a string", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "1", "maker_bps": "10", "taker_bps": 0}, 400, "wrong_type"},
		{"market: missing fee", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "1", "maker_bps": 0}, 400, "missing_field"},
		{"market: lot at tick not whole", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 4, "tick": "0.0001", "lot": "0.01", "maker_bps": 0, "taker_bps": 0}, 400, "tick_lot_not_integral"},
		{"market: lot at tick too large", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 0, "tick": "9223372036854775807", "lot": "1", "maker_bps": 0, "taker_bps": 0}, 422, "amount_overflow"},
		{"market: unknown field", env.Admin, "POST", "/v1/admin/markets", obj{"base": "BETA", "quote": "EUR", "price_scale": 2, "tick": "0.01", "lot": "1", "maker_bps": 0, "taker_bps": 0, "hub": true}, 400, "unknown_field"},
		{"fees: not admin", brand, "PUT", "/v1/admin/markets/ACME-EUR/fees", obj{"maker_bps": 1, "taker_bps": 1}, 403, "forbidden"},
		{"fees: unknown market", env.Admin, "PUT", "/v1/admin/markets/NOPE-EUR/fees", obj{"maker_bps": 1, "taker_bps": 1}, 404, "unknown_market"},
		{"fees: malformed", env.Admin, "PUT", "/v1/admin/markets/ACME-EUR/fees", raw(`{"maker_bps":1,"taker_bps":}`), 400, "malformed_json"},
		{"fees: missing taker", env.Admin, "PUT", "/v1/admin/markets/ACME-EUR/fees", obj{"maker_bps": 1}, 400, "missing_field"},
		{"fees: too high", env.Admin, "PUT", "/v1/admin/markets/ACME-EUR/fees", obj{"maker_bps": 1, "taker_bps": 20000}, 400, "invalid_fee"},
		{"fees: negative", env.Admin, "PUT", "/v1/admin/markets/ACME-EUR/fees", obj{"maker_bps": -5, "taker_bps": 1}, 400, "invalid_fee"},
		{"fees: not whole", env.Admin, "PUT", "/v1/admin/markets/ACME-EUR/fees", obj{"maker_bps": 1.5, "taker_bps": 1}, 400, "wrong_type"},
		{"fees: unknown field", env.Admin, "PUT", "/v1/admin/markets/ACME-EUR/fees", obj{"maker_bps": 1, "taker_bps": 1, "market": "ACME-EUR"}, 400, "unknown_field"},
		{"halt: not admin", user, "POST", "/v1/admin/markets/ACME-EUR/halt", nil, 403, "forbidden"},
		{"halt: unknown market", env.Admin, "POST", "/v1/admin/markets/NOPE-EUR/halt", nil, 404, "unknown_market"},
		{"halt: not a market name", env.Admin, "POST", "/v1/admin/markets/ACME/halt", nil, 404, "unknown_market"},
		{"halt: unknown field", env.Admin, "POST", "/v1/admin/markets/ACME-EUR/halt", obj{"reason": "x"}, 400, "unknown_field"},
		{"resume: unknown market", env.Admin, "POST", "/v1/admin/markets/EUR-ACME/resume", nil, 404, "unknown_market"},
		{"resume: malformed", env.Admin, "POST", "/v1/admin/markets/ACME-EUR/resume", raw(`nope`), 400, "malformed_json"},
	}
	ctx := context.Background()
	for _, tc := range cases {
		err := tc.c.Do(ctx, tc.method, tc.path, tc.body, nil)
		var ae *client.Error
		switch {
		case !errors.As(err, &ae):
			t.Errorf("%s: %s %s answered %v, want %d %s", tc.name, tc.method, tc.path, err, tc.status, tc.code)
		case ae.Status >= 500:
			t.Errorf("%s: %s %s answered a server error: %v", tc.name, tc.method, tc.path, ae)
		case ae.Status != tc.status || ae.Code != tc.code:
			t.Errorf("%s: %s %s answered %d %s (%s), want %d %s", tc.name, tc.method, tc.path, ae.Status, ae.Code, ae.Message, tc.status, tc.code)
		}
	}
	t.Logf("%d refused requests", len(cases))
	if after := env.StateHash(); after != before {
		t.Fatal("refused requests changed the engine's state")
	}
}
