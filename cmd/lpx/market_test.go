package main

import (
	"testing"

	"github.com/lpx-exchange/lpx/internal/apitest"
)

// TestMarketCommands: lpx market create, halt, resume, fees and list on a
// running server; bad input exits 2 and changes nothing, the server's
// refusals exit 1 with their code.
func TestMarketCommands(t *testing.T) {
	env := apitest.Start(t, apitest.Options{})
	_, brandID := createAccount(t, env, "--kind", "brand")
	env.Do(env.Admin, "POST", "/v1/admin/assets", map[string]any{"symbol": "EUR", "scale": 2, "kind": "token", "hub": true}, nil)
	env.Do(env.Admin, "POST", "/v1/admin/assets", map[string]any{"symbol": "ACME", "scale": 0, "kind": "points", "brand": brandID}, nil)
	admin := keyArgs(env, env.Admin)
	market := func(verb string, args ...string) cmdResult {
		return runCmd(runMarket, append(append([]string{verb}, admin...), args...)...)
	}

	runCmd(runMarket, "list", "--server", env.URL).want(t, "no markets", 0, "No markets yet")
	market("create", "--base", "acme", "--quote", "EUR", "--tick", "0.01", "--lot", "1", "--min-size", "2", "--maker-bps", "10", "--taker-bps", "20").
		want(t, "create", 0, "Opened ACME-EUR (market 1): open; tick 0.01 at price scale 2, lot 1, min size 2; fees: maker 10 bps, taker 20 bps")
	market("create", "--base", "EUR", "--quote", "ACME", "--tick", "1", "--lot", "0.01").want(t, "the same pair", 1, "duplicate_market", "(HTTP 409)")
	market("create", "--base", "ACME", "--quote", "GBP", "--tick", "0.01", "--lot", "1").want(t, "an unknown asset", 1, "unknown_asset")
	market("create", "--base", "ACME", "--quote", "EUR", "--lot", "1").want(t, "no tick", 2, "--tick is required")
	market("halt", "--market", "acme-eur").want(t, "halt", 0, "ACME-EUR (market 1): halted")
	market("resume", "--market", "ACME-EUR").want(t, "resume", 0, "ACME-EUR (market 1): open")
	market("halt").want(t, "halt what", 2, "--market is required")
	market("halt", "--market", "NOPE-EUR").want(t, "an unknown market", 1, "unknown_market", "(HTTP 404)")
	market("fees", "--market", "ACME-EUR", "--maker-bps", "5", "--taker-bps", "15").want(t, "fees", 0, "maker 5 bps, taker 15 bps")
	market("fees", "--market", "ACME-EUR", "--maker-bps", "5").want(t, "half the fees", 2, "--maker-bps and --taker-bps are required")
	market("fees", "--market", "ACME-EUR", "--maker-bps", "5", "--taker-bps", "20000").want(t, "a fee too high", 1, "invalid_fee")
	market("fees", "--market", "ACME-EUR", "--maker-bps", "five", "--taker-bps", "1").want(t, "a fee not a number", 2, "usage: lpx market fees")
	runCmd(runMarket, "list", "--server", env.URL).want(t, "list", 0, "ACME-EUR (market 1): open; tick 0.01 at price scale 2, lot 1, min size 2; fees: maker 5 bps, taker 15 bps")
	runCmd(runMarket, "-h").want(t, "help", 0, "create", "halt", "resume", "fees", "list")
}
