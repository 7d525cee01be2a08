package main

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/internal/apitest"
)

// TestTokenCommands, on the embedded dev chain: a brand made with lpx
// account create deploys a points token with lpx token deploy, lists it,
// and issues to a customer with --wait until credited; the same
// reference again issues nothing more. Bad input exits 2, the server's
// refusals exit 1 with their code.
func TestTokenCommands(t *testing.T) {
	env := apitest.Start(t, apitest.Options{Chain: true, QuietClock: true})
	brand, _ := createAccount(t, env, "--kind", "brand", "--name", "Acme")
	consumer, customer := createAccount(t, env, "--kind", "consumer", "--name", "Cara")
	args := keyArgs(env, brand)
	token := func(verb string, more ...string) cmdResult {
		return runCmd(runToken, append(append([]string{verb}, args...), more...)...)
	}

	token("list").want(t, "no programs", 0, "No token programs yet")
	r := token("deploy", "--name", "Acme points", "--symbol", "acme", "--decimals", "18", "--scale", "2")
	r.want(t, "deploy", 0, "Deployed ACME (asset ", "points", `"Acme points"`, "18 decimals on chain, scale 2 on the exchange", "lpx token issue --asset ACME")
	asset := regexp.MustCompile(`\(asset (\d+),`).FindStringSubmatch(r.stdout)
	if asset == nil {
		t.Fatalf("no asset id in %q", r.stdout)
	}
	token("list").want(t, "list", 0, "ACME (asset "+asset[1], "supply 0.00")

	issue := []string{"--customer", customer, "--asset", "ACME", "--amount", "12.50", "--reference", "welcome:cara", "--wait", "--wait-timeout", "90s"}
	token("issue", issue...).want(t, "issue --wait", 0, "issue welcome:cara: 12.50 ACME to account "+customer+": credited (mint 0x")
	token("issue", issue...).want(t, "the same issue again", 0, ": credited")
	id, _ := strconv.ParseUint(customer, 10, 32)
	aid, _ := strconv.ParseUint(asset[1], 10, 32)
	var available int64
	if err := env.Node.Sequencer.Read(t.Context(), func(e *engine.Engine) {
		available, _ = e.Balance(engine.AccountID(id), engine.AssetID(aid))
	}); err != nil || available != 12_50 {
		t.Fatalf("the customer holds %d (%v), want 1250 units: issued once", available, err)
	}

	for _, c := range []struct {
		verb, what string
		args       []string
		want       string
	}{
		{"deploy", "no name", []string{"--symbol", "X"}, "--name is required"},
		{"deploy", "a coupon without expiry", []string{"--name", "C", "--symbol", "C", "--kind", "coupon"}, "a coupon needs --expires"},
		{"deploy", "points that expire", []string{"--name", "P", "--symbol", "P", "--expires", "2030-01-01T00:00:00Z"}, "points never expire"},
		{"deploy", "a bad expiry", []string{"--name", "C", "--symbol", "C", "--kind", "coupon", "--expires", "tomorrow"}, `--expires "tomorrow"`},
		{"deploy", "a bad kind", []string{"--name", "C", "--symbol", "C", "--kind", "stamp"}, `--kind "stamp"`},
		{"register", "no scale", []string{"--token", "0x0000000000000000000000000000000000000001"}, "--scale is required"},
		{"issue", "no reference", []string{"--customer", customer, "--asset", "ACME", "--amount", "1"}, "--reference is required"},
		{"issue", "a zero wait", []string{"--customer", customer, "--asset", "ACME", "--amount", "1", "--reference", "r", "--wait-timeout", "0s"}, "--wait-timeout"},
	} {
		token(c.verb, c.args...).want(t, c.what, 2, c.want)
	}
	token("deploy", "--name", "Again", "--symbol", "ACME").want(t, "a taken symbol", 1, "duplicate_asset", "(HTTP 409)")
	token("issue", "--customer", customer, "--asset", "ACME", "--amount", "30", "--reference", "welcome:cara").want(t, "a reused reference", 1, "idempotency_key_reused", "(HTTP 409)")
	token("issue", "--customer", customer, "--asset", "ACME", "--amount", "0.001", "--reference", "r2").want(t, "too many decimals", 1, "too_many_decimals")
	token("register", "--token", "0x0000000000000000000000000000000000000001", "--scale", "2").want(t, "not a token", 1, "HTTP 4")
	runCmd(runToken, append([]string{"list"}, keyArgs(env, consumer)...)...).want(t, "a consumer's key", 1, "(HTTP 403)")
}
