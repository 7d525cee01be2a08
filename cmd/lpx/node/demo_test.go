package node_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/api/client"
	"github.com/lpx-exchange/lpx/cmd/lpx/marketmaker"
	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/marketdata"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

// demoRun is a node with the demo world seeded and its market maker
// quoting.
type demoRun struct {
	running
	world  *node.DemoWorld
	stopMM func()
}

// startDemo opens a node in dir, seeds (or finds) the demo world and
// starts its market maker.
func startDemo(t *testing.T, dir string) demoRun {
	t.Helper()
	n := run(t, node.Config{DataDir: dir, Listen: "127.0.0.1:0",
		Demo: node.DemoConfig{FaucetPerIP: redisstore.Limit{Rate: 100, Per: time.Second, Burst: 100}}})
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	began := time.Now()
	world, err := n.SeedDemo(ctx)
	if err != nil {
		t.Fatalf("SeedDemo: %v", err)
	}
	t.Logf("demo world seeded or found in %v", time.Since(began).Round(time.Millisecond))
	mmCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runMarketMaker(mmCtx, n.Node, world) }()
	stopped := false
	stopMM := func() {
		if !stopped {
			stopped = true
			stop()
			if err := <-done; err != nil {
				t.Errorf("the market maker: %v", err)
			}
		}
	}
	t.Cleanup(stopMM)
	return demoRun{n, world, func() { stopMM(); n.stop() }}
}

// runMarketMaker runs the demo market maker as lpx serve does.
func runMarketMaker(ctx context.Context, n *node.Node, w *node.DemoWorld) error {
	q, err := n.DemoQuoting(w)
	if err != nil {
		return err
	}
	return marketmaker.Run(ctx, marketmaker.Config{
		Client:  &client.Client{BaseURL: q.BaseURL, KeyID: q.KeyID, HMACSecret: []byte(q.Secret), HTTP: &http.Client{Timeout: 10 * time.Second}},
		Markets: q.Markets, Spread: q.Spread, Step: q.Step, Size: q.Size, Levels: q.Levels,
		RequoteEvery: q.RequoteEvery, DeadMan: q.DeadMan, Mids: q.Mids, Mid: q.Mid,
	})
}

// quoted waits until every demo market's book has bids and asks.
func (d demoRun) quoted(t *testing.T) map[string]marketdata.Depth {
	t.Helper()
	books := map[string]marketdata.Depth{}
	waitFor(t, "the market maker's quotes on every book", func() bool {
		for _, m := range d.world.Markets {
			depth, err := d.MarketData.Depth(t.Context(), m.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(depth.Bids) == 0 || len(depth.Asks) == 0 {
				return false
			}
			books[m.Symbol] = depth
		}
		return true
	})
	return books
}

// TestDemoWorld seeds the demo world on the embedded dev chain, checks it
// and its faucet, restarts the node (the same world, balances and quotes
// come back), then loses demo.json and restarts again: the next start
// adopts what exists instead of seeding a second world.
func TestDemoWorld(t *testing.T) {
	dir := t.TempDir()
	d := startDemo(t, dir)
	w := d.world
	if len(w.Brands) != 3 || len(w.Markets) != 2 || w.Hub != "LPX" || w.RPCURL == "" || w.ChainID != d.ChainID {
		t.Fatalf("world %+v", w)
	}
	symbols := map[string]node.DemoBrand{}
	for _, b := range w.Brands {
		symbols[b.Symbol] = b
		if code, err := d.Chain.CodeAt(t.Context(), b.Token, nil); err != nil || len(code) == 0 {
			t.Fatalf("%s: no contract at %s (%v)", b.Symbol, b.Token, err)
		}
	}
	if c := symbols["COFFEE"]; c.Kind != "coupon" || c.ExpiresAt.Before(time.Now().Add(364*24*time.Hour)) {
		t.Fatalf("COFFEE %+v: a coupon expiring a year out", c)
	}
	if symbols["ACME"].Kind != "points" || !symbols["LPX"].Hub {
		t.Fatalf("brands %+v", w.Brands)
	}
	if got := []string{w.Markets[0].Symbol, w.Markets[1].Symbol}; !reflect.DeepEqual(got, []string{"ACME-LPX", "COFFEE-LPX"}) {
		t.Fatalf("markets %v", got)
	}
	info, err := os.Stat(filepath.Join(dir, "demo.json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("demo.json: %v, mode %v", err, info.Mode())
	}
	t.Log("\n" + w.Describe(d.BaseURL()))

	// The market maker's stock, credited by the brands' issues, and its
	// quotes on both books.
	stock := map[string]int64{"LPX": 100000_00, "ACME": 50000_00, "COFFEE": 5000}
	balances := func(r demoRun) map[string][2]int64 {
		out := map[string][2]int64{}
		for _, b := range r.world.Brands {
			a, h, err := r.Balance(t.Context(), r.world.MarketMaker, b.Asset)
			if err != nil {
				t.Fatal(err)
			}
			out[b.Symbol] = [2]int64{a, h}
		}
		return out
	}
	books := d.quoted(t)
	for sym, units := range stock {
		if bal := balances(d)[sym]; bal[0]+bal[1] != units {
			t.Fatalf("the market maker holds %v %s units, want %d", bal, sym, units)
		}
	}
	t.Logf("books: %+v", books)

	// The faucet gives a wallet gas and the demo tokens, on chain.
	wallet := newChainKey(t)
	pub := &client.Client{BaseURL: d.BaseURL(), HTTP: &http.Client{Timeout: 30 * time.Second}}
	var drip struct {
		ChainID string `json:"chain_id"`
		RPCURL  string `json:"rpc_url"`
		Gas     string
		Tokens  []struct{ Asset, Token, Amount string }
	}
	began := time.Now()
	if err := pub.Do(t.Context(), "POST", "/v1/demo/faucet", map[string]string{"address": wallet.addr.Hex()}, &drip); err != nil {
		t.Fatalf("faucet: %v", err)
	}
	t.Logf("faucet answered in %v: %+v", time.Since(began).Round(time.Millisecond), drip)
	if drip.Gas != "1" || drip.RPCURL != w.RPCURL || len(drip.Tokens) != 3 {
		t.Fatalf("drip %+v", drip)
	}
	if eth, err := d.Chain.BalanceAt(t.Context(), wallet.addr, nil); err != nil || eth.Cmp(ether) != 0 {
		t.Fatalf("the wallet holds %v wei (%v), want 1 ETH", eth, err)
	}
	c := newChainHelper(t, d.running)
	gifts := map[string]*big.Int{"LPX": new(big.Int).Mul(big.NewInt(50), ether), "ACME": new(big.Int).Mul(big.NewInt(100), ether), "COFFEE": big.NewInt(2)}
	for _, g := range drip.Tokens {
		if got := c.tokenBalance(common.HexToAddress(g.Token), wallet.addr); got.Cmp(gifts[g.Asset]) != 0 || g.Token != symbols[g.Asset].Token.Hex() {
			t.Fatalf("%s: the wallet holds %v of %s, want %v of %s", g.Asset, got, g.Token, gifts[g.Asset], symbols[g.Asset].Token)
		}
	}
	// The same wallet again is too soon.
	err = pub.Do(t.Context(), "POST", "/v1/demo/faucet", map[string]string{"address": wallet.addr.Hex()}, nil)
	var ae *client.Error
	if !errors.As(err, &ae) || ae.Status != 429 || ae.Code != "rate_limited" || ae.RetryAfter <= 0 {
		t.Fatalf("a second drip: %v", err)
	}
	// The vault is not a wallet to give to.
	err = pub.Do(t.Context(), "POST", "/v1/demo/faucet", map[string]string{"address": d.Vault.Hex()}, nil)
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Code != "invalid_address" {
		t.Fatalf("a drip to the vault: %v", err)
	}

	// A restart finds the same world: assets, markets, contracts,
	// balances, and the market maker quoting again.
	before := balances(d)
	state, _ := os.ReadFile(filepath.Join(dir, "demo.json"))
	d.stopMM()
	again := startDemo(t, dir)
	if !sameWorld(again.world, w) {
		t.Fatalf("after a restart the world is\n%+v\nnot\n%+v", again.world, w)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "demo.json")); string(after) != string(state) {
		t.Fatalf("demo.json changed over a restart:\n%s\n%s", state, after)
	}
	again.quoted(t)
	if got := balances(again); !sameTotals(got, before) {
		t.Fatalf("the market maker's balances after a restart %v, before %v", got, before)
	}
	c = newChainHelper(t, again.running)
	if got := c.tokenBalance(symbols["ACME"].Token, wallet.addr); got.Cmp(gifts["ACME"]) != 0 {
		t.Fatalf("after a restart the wallet holds %v ACME", got)
	}

	// demo.json lost (a crash before its first write, say): the next
	// start adopts the accounts, programs, markets and stock that exist,
	// revokes the demo keys whose secrets it lost and makes new ones.
	var lost struct {
		MarketMaker struct {
			KeyID string `json:"key_id"`
		} `json:"market_maker"`
	}
	_ = json.Unmarshal(state, &lost)
	again.stopMM()
	if err := os.Remove(filepath.Join(dir, "demo.json")); err != nil {
		t.Fatal(err)
	}
	third := startDemo(t, dir)
	if !sameWorld(third.world, w) {
		t.Fatalf("after losing demo.json the world is\n%+v\nnot\n%+v", third.world, w)
	}
	if key, err := third.SQL.APIKey(t.Context(), lost.MarketMaker.KeyID); err != nil || key.RevokedAt == 0 {
		t.Fatalf("the lost market-maker key %s: %+v, %v; want it revoked", lost.MarketMaker.KeyID, key, err)
	}
	third.quoted(t)
	if got := balances(third); !sameTotals(got, before) {
		t.Fatalf("the market maker's balances after losing demo.json %v, before %v", got, before)
	}
	supply, err := third.Chain.CallContract(t.Context(), ethereum.CallMsg{To: &w.Brands[1].Token, Data: tokenABI.PackTotalSupply()}, nil)
	if err != nil || new(big.Int).SetBytes(supply).Cmp(new(big.Int).Mul(big.NewInt(50100), ether)) != 0 {
		t.Fatalf("ACME's supply %x (%v): the stock and one gift, no second stock", supply, err)
	}
}

// sameTotals compares available + held of each asset (the market maker's
// quotes come and go).
func sameTotals(a, b map[string][2]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if v[0]+v[1] != b[k][0]+b[k][1] {
			return false
		}
	}
	return true
}

// sameWorld compares two worlds but for the dev chain's JSON-RPC URL (its
// port is picked anew at each start) and the market maker's key.
func sameWorld(a, b *node.DemoWorld) bool {
	return reflect.DeepEqual(a.Brands, b.Brands) && reflect.DeepEqual(a.Markets, b.Markets) &&
		a.Hub == b.Hub && a.MarketMaker == b.MarketMaker && a.ChainID == b.ChainID && a.Vault == b.Vault
}

// TestDemoUnavailable: no demo world without the dev chain, nor with
// --no-demo.
func TestDemoUnavailable(t *testing.T) {
	n := run(t, node.Config{DataDir: t.TempDir(), NoChain: true, Listen: "127.0.0.1:0"})
	if _, err := n.SeedDemo(t.Context()); !errors.Is(err, node.ErrNoDemo) {
		t.Fatalf("without a chain: %v", err)
	}
	dir := t.TempDir()
	off := run(t, node.Config{DataDir: dir, Listen: "127.0.0.1:0", Demo: node.DemoConfig{Disabled: true}})
	if _, err := off.SeedDemo(t.Context()); !errors.Is(err, node.ErrDemoDisabled) {
		t.Fatalf("with --no-demo: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "demo.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("demo.json with --no-demo: %v", err)
	}
}

// TestDemoSeedResumes interrupts the seeding at several points (its
// context ends) and lets the next call finish: the world is whole, with
// one program per brand and the market maker's stock issued once.
func TestDemoSeedResumes(t *testing.T) {
	dir := t.TempDir()
	n := run(t, node.Config{DataDir: dir, Listen: "127.0.0.1:0"})
	var world *node.DemoWorld
	for i, limit := range []time.Duration{100 * time.Millisecond, 400 * time.Millisecond, 900 * time.Millisecond, 1500 * time.Millisecond, 2500 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(t.Context(), limit)
		w, err := n.SeedDemo(ctx)
		cancel()
		t.Logf("attempt %d, stopped after %v: %v", i, limit, err)
		if err == nil {
			world = w
			break
		}
	}
	for attempt := 0; world == nil; attempt++ {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		w, err := n.SeedDemo(ctx)
		cancel()
		if err != nil && attempt == 3 {
			t.Fatalf("SeedDemo after the interruptions: %v", err)
		}
		world = w
	}
	for _, b := range world.Brands {
		progs, err := n.SQL.ListTokenPrograms(t.Context(), b.Account)
		if err != nil || len(progs) != 1 || progs[0].Symbol != b.Symbol {
			t.Fatalf("%s: programs %+v (%v)", b.Symbol, progs, err)
		}
	}
	want := map[string]int64{"LPX": 100000_00, "ACME": 50000_00, "COFFEE": 5000}
	for _, b := range world.Brands {
		a, h, err := n.Balance(t.Context(), world.MarketMaker, b.Asset)
		if err != nil || a+h != want[b.Symbol] {
			t.Fatalf("the market maker holds %d+%d %s (%v), want %d", a, h, b.Symbol, err, want[b.Symbol])
		}
	}
	if len(world.Markets) != 2 {
		t.Fatalf("markets %+v", world.Markets)
	}
	n.stop()
	again := startDemo(t, dir)
	if !sameWorld(again.world, world) {
		t.Fatalf("after a restart the world is\n%+v\nnot\n%+v", again.world, world)
	}
	again.quoted(t)
}
