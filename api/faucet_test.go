package api_test

import (
	"context"
	"encoding/json"
	"math/big"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

// faucetAnswer is POST /v1/demo/faucet's answer.
type faucetAnswer struct {
	Address   string `json:"address"`
	ChainID   string `json:"chain_id"`
	RPCURL    string `json:"rpc_url"`
	Gas       string `json:"gas"`
	GasTxHash string `json:"gas_tx_hash"`
	Tokens    []struct {
		Asset, Token, Amount string
	} `json:"tokens"`
}

// faucetPost sends body to the faucet and returns the status, headers and
// answer.
func faucetPost(t *testing.T, env *apitest.Env, body string) (int, http.Header, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status, h, answer, err := env.Public().Raw(ctx, "POST", "/v1/demo/faucet", http.Header{}, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return status, h, answer
}

// TestFaucet, on the embedded dev chain without a demo world (gas only):
// bad addresses are 400s that count nothing; a wallet gets 1 ETH, mined;
// the same wallet again, or a client address too often, is a 429 with
// Retry-After; the document's example is a body it takes.
func TestFaucet(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{Chain: true, Adjust: func(c *node.Config) {
		c.Demo.FaucetPerIP = redisstore.Limit{Rate: 3, Per: time.Hour, Burst: 3}
	}})
	ch := newFundsChain(t, env)
	// GET /v1/info names the faucet and the dev chain; the page may call it.
	var info infoAnswer
	env.Do(env.Public(), "GET", "/v1/info", nil, &info)
	chainID := strconv.FormatUint(env.Node.ChainID, 10)
	rpc := env.Node.DevChain.RPCURL()
	if info.ChainID != chainID || info.Vault == nil || *info.Vault != env.Node.Vault.Hex() || info.ConfirmationsRequired == nil ||
		info.Demo == nil || info.Demo.Faucet != "/v1/demo/faucet" || info.Demo.RPCURL != rpc || info.Demo.ChainID != chainID {
		t.Fatalf("info %+v (demo %+v), want chain %s, rpc %s", info, info.Demo, chainID, rpc)
	}
	if r, _ := webGet(t, env, "GET", "/", nil); !strings.Contains(r.Header.Get("Content-Security-Policy"), "connect-src 'self' ws: wss: "+strings.TrimSuffix(rpc, "/")+";") {
		t.Errorf("the page's policy does not let it call the dev chain at %s: %q", rpc, r.Header.Get("Content-Security-Policy"))
	}
	for _, c := range []struct{ body, code string }{
		{`{}`, "missing_field"},
		{`{"address":""}`, "missing_field"},
		{`{"address":"0x123"}`, "invalid_address"},
		{`{"address":"5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00"}`, "invalid_address"},
		{`{"address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"}`, "invalid_address"}, // bad checksum
		{`{"address":"0x0000000000000000000000000000000000000000"}`, "invalid_address"},
		{`{"address":"` + env.Node.Vault.Hex() + `"}`, "invalid_address"},
		{`{"address":42}`, "wrong_type"},
		{`{"address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","amount":"5"}`, "unknown_field"},
		{`{"address":`, "malformed_json"},
	} {
		status, _, answer := faucetPost(t, env, c.body)
		if status != 400 || !containsCode(answer, c.code) {
			t.Errorf("%s: %d %s, want 400 %s", c.body, status, answer, c.code)
		}
	}

	// A wallet gets gas (no demo world here: no tokens).
	_, wallet := fundsNewKey(t)
	status, _, answer := faucetPost(t, env, `{"address":"`+strings.ToLower(wallet.Hex())+`"}`)
	var drip faucetAnswer
	if status != 200 || json.Unmarshal(answer, &drip) != nil {
		t.Fatalf("drip: %d %s", status, answer)
	}
	if drip.Address != wallet.Hex() || drip.Gas != "1" || drip.RPCURL != env.Node.DevChain.RPCURL() || len(drip.Tokens) != 0 || drip.GasTxHash == "" {
		t.Fatalf("drip %+v", drip)
	}
	if eth, err := ch.client.BalanceAt(t.Context(), wallet, nil); err != nil || eth.Cmp(new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)) != 0 {
		t.Fatalf("the wallet holds %v wei (%v), want 1 ETH", eth, err)
	}

	// The same wallet again (in any case) is too soon, and counts nothing
	// against the client address.
	status, h, answer := faucetPost(t, env, `{"address":"`+wallet.Hex()+`"}`)
	if status != 429 || !containsCode(answer, "rate_limited") || h.Get("Retry-After") == "" || h.Get("Retry-After") == "0" {
		t.Fatalf("same wallet again: %d %v %s", status, h, answer)
	}

	// The document's example is a body the faucet takes (the second drip
	// of this client address).
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	example, err := json.Marshal(doc.Paths.Find("/v1/demo/faucet").Post.RequestBody.Value.Content["application/json"].Example)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, answer := faucetPost(t, env, string(example)); status != 200 {
		t.Fatalf("the example %s: %d %s", example, status, answer)
	}
	// The third wallet is the client address's last one this hour.
	_, third := fundsNewKey(t)
	if status, _, answer := faucetPost(t, env, `{"address":"`+third.Hex()+`"}`); status != 200 {
		t.Fatalf("a third wallet: %d %s", status, answer)
	}
	_, fourth := fundsNewKey(t)
	status, h, answer = faucetPost(t, env, `{"address":"`+fourth.Hex()+`"}`)
	if status != 429 || !containsCode(answer, "rate_limited") || h.Get("Retry-After") == "" {
		t.Fatalf("a fourth wallet from the same client: %d %v %s", status, h, answer)
	}
	if eth, err := ch.client.BalanceAt(t.Context(), fourth, nil); err != nil || eth.Sign() != 0 {
		t.Fatalf("the refused wallet holds %v wei (%v)", eth, err)
	}
}

// TestFaucetAbsent: a node without the embedded dev chain (no chain, or
// a real Redis: production) has no faucet route.
func TestFaucetAbsent(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]apitest.Options{
		"no chain":   {},
		"real Redis": {RealRedis: true, Chain: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := apitest.Start(t, o)
			status, _, answer := faucetPost(t, env, `{"address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}`)
			if status != 404 || !containsCode(answer, "route_not_found") {
				t.Fatalf("%d %s, want 404 route_not_found", status, answer)
			}
			var info infoAnswer
			env.Do(env.Public(), "GET", "/v1/info", nil, &info)
			if info.Demo != nil || (info.Vault != nil) != o.Chain {
				t.Fatalf("info %+v: no demo; a vault only with a chain", info)
			}
			if r, _ := webGet(t, env, "GET", "/", nil); r.Header.Get("Content-Security-Policy") != pageCSP {
				t.Errorf("policy %q", r.Header.Get("Content-Security-Policy"))
			}
		})
	}
}
