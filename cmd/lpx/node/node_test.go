package node_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/history"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/marketdata"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// running is a node whose Run goroutine stop ends.
type running struct {
	*node.Node
	stop func()
}

func run(t *testing.T, cfg node.Config) running {
	t.Helper()
	n, err := node.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := n.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	t.Cleanup(stop)
	return running{n, stop}
}

func (r running) must(t *testing.T, c engine.Command) []engine.Event {
	t.Helper()
	res, err := r.Submit(context.Background(), c)
	if err != nil {
		t.Fatalf("%v: %v", c.Kind, err)
	}
	if res.Events[0].Kind == engine.EvRejected {
		t.Fatalf("%v rejected: %v", c.Kind, res.Events[0].Code)
	}
	return res.Events
}

// waitDepth waits until the market data in Redis shows want for market 1.
func (r running) waitDepth(t *testing.T, want marketdata.Depth) {
	t.Helper()
	var got marketdata.Depth
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var err error
		if got, err = r.MarketData.Depth(context.Background(), 1, 0); err == nil &&
			reflect.DeepEqual(got.Bids, want.Bids) && reflect.DeepEqual(got.Asks, want.Asks) {
			return
		}
	}
	t.Fatalf("depth %+v, want bids %v asks %v", got, want.Bids, want.Asks)
}

// TestNodeBothModes: a node in each mode journals, matches and projects
// market data into its Redis; closed and opened again, it has the same
// state (a repeated deposit is refused as a duplicate) and the same market
// data, rebuilt in the embedded mode, where the Redis is new.
func TestNodeBothModes(t *testing.T) {
	modes := map[string]func(t *testing.T) node.Config{
		"embedded": func(t *testing.T) node.Config {
			return node.Config{DataDir: t.TempDir(), NoChain: true} // SQLite there too
		},
		"redis": func(t *testing.T) node.Config {
			_, prefix := servicetest.Redis(t, nil) // its keys are deleted at the end
			return node.Config{RedisURL: servicetest.RedisURL(), KeyPrefix: prefix, DatabaseURL: servicetest.Postgres(t), NoChain: true, KeyEncryptionKey: testKEK}
		},
	}
	for name, config := range modes {
		t.Run(name, func(t *testing.T) {
			cfg := config(t)
			cfg.Exchange = exchange.Config{SnapshotEvery: 10}
			n := run(t, cfg)
			if n.Embedded != (name == "embedded") {
				t.Fatalf("Embedded %v", n.Embedded)
			}
			acme, _ := engine.ParseSymbol("ACME")
			eur, _ := engine.ParseSymbol("EUR")
			n.must(t, engine.Command{Kind: engine.CmdCreateAsset, Symbol: acme})
			n.must(t, engine.Command{Kind: engine.CmdCreateAsset, Symbol: eur, Scale: 2})
			n.must(t, engine.Command{Kind: engine.CmdCreateMarket, Base: 1, Quote: 2, PriceScale: 2, Tick: 1, Lot: 1})
			for a := range 2 {
				n.must(t, engine.Command{Kind: engine.CmdCreateAccount})
				n.must(t, engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(2 + a), Asset: 1, Amount: 1000, Ref: engine.Ref{1, byte(a)}})
				n.must(t, engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(2 + a), Asset: 2, Amount: 1e6, Ref: engine.Ref{2, byte(a)}})
			}
			place := func(acct engine.AccountID, side engine.Side, price, size int64) {
				n.must(t, engine.Command{Kind: engine.CmdPlaceOrder, Account: acct, Market: 1, Side: side, Type: engine.Limit, TIF: engine.GTC, Price: price, Size: size})
			}
			place(2, engine.Buy, 100, 5)
			place(2, engine.Buy, 99, 7)
			place(3, engine.Sell, 105, 3)
			place(3, engine.Sell, 100, 2) // trades 2 at 100
			want := marketdata.Depth{Bids: []marketdata.Level{{Price: 100, Size: 3}, {Price: 99, Size: 7}}, Asks: []marketdata.Level{{Price: 105, Size: 3}}}
			n.waitDepth(t, want)
			if ts, err := n.MarketData.Trades(context.Background(), 1, 0); err != nil || len(ts) != 1 || ts[0].Price != 100 || ts[0].Size != 2 {
				t.Fatalf("trades %+v (%v)", ts, err)
			}
			n.waitSQLTrades(t, 1)
			n.stop()

			again := run(t, cfg)
			res, err := again.Submit(context.Background(), engine.Command{Kind: engine.CmdDeposit, Account: 2, Asset: 1, Amount: 1000, Ref: engine.Ref{1, 0}})
			if err != nil || res.Events[0].Code != engine.CodeDuplicateDeposit {
				t.Fatalf("a repeated deposit after the restart: %+v %v", res.Events, err)
			}
			again.waitDepth(t, want)
			if ts, err := again.MarketData.Trades(context.Background(), 1, 0); err != nil || len(ts) != 1 {
				t.Fatalf("trades after the restart %+v (%v)", ts, err)
			}
			again.waitSQLTrades(t, 1)
			again.stop()

			// The SQL history rebuilt from the event log is the same.
			before := sqlHistory(t, cfg)
			if _, err := node.RebuildHistory(context.Background(), cfg); err != nil {
				t.Fatalf("rebuild: %v", err)
			}
			if after := sqlHistory(t, cfg); !reflect.DeepEqual(after, before) || len(before.trades) != 1 {
				t.Fatalf("after the rebuild %+v, before %+v", after, before)
			}
		})
	}
}

// waitSQLTrades waits until the SQL history holds n trades of market 1.
func (r running) waitSQLTrades(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		ts, err := r.SQL.Trades(context.Background(), 1, 100)
		if err == nil && len(ts) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("SQL trades %v (%v), want %d", ts, err, n)
		}
	}
}

type sqlRows struct {
	trades []history.Trade
	ledger []history.LedgerEntry
}

// sqlHistory reads a node's SQL trades and account 2's ledger.
func sqlHistory(t *testing.T, cfg node.Config) sqlRows {
	t.Helper()
	url := cfg.DatabaseURL
	if url == "" {
		url = sqlstore.SQLiteURL(cfg.DataDir)
	}
	db, err := sqlstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var r sqlRows
	if r.trades, err = db.Trades(context.Background(), 1, 100); err != nil {
		t.Fatal(err)
	}
	if r.ledger, err = db.LedgerEntries(context.Background(), 2, 0, nil, 100); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestNodeRefusesProjectionAhead: market data that is ahead of the journal
// (here: the journal lost with Redis's persistence off) stops the start.
func TestNodeRefusesProjectionAhead(t *testing.T) {
	rdb, prefix := servicetest.Redis(t, nil)
	cfg := node.Config{RedisURL: servicetest.RedisURL(), KeyPrefix: prefix, DataDir: t.TempDir(), NoChain: true, KeyEncryptionKey: testKEK}
	n := run(t, cfg)
	n.must(t, engine.Command{Kind: engine.CmdCreateAccount})
	acme, _ := engine.ParseSymbol("ACME")
	n.must(t, engine.Command{Kind: engine.CmdCreateAsset, Symbol: acme})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if cp, _ := n.MarketData.Checkpoint(context.Background()); cp >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the projector never caught up")
		}
	}
	n.stop()
	// The journal, the event log and the snapshots are lost; the market
	// data is not.
	lost, err := rdb.Keys(context.Background(), prefix+"snapshots*").Result()
	if err != nil || len(lost) == 0 {
		t.Fatalf("snapshot keys %v (%v)", lost, err)
	}
	if err := rdb.Del(context.Background(), append(lost, prefix+"journal", prefix+"events")...).Err(); err != nil {
		t.Fatal(err)
	}
	_, err = node.Open(context.Background(), cfg)
	if !errors.Is(err, exchange.ErrCheckpointAhead) {
		t.Fatalf("Open with market data ahead of the journal: %v", err)
	}
	t.Log(err)
}

// testKEK is the key encryption key of test nodes on a real Redis (which
// must be given one).
const testKEK = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// TestNodeNeedsKeyEncryptionKeyOnRealRedis: several servers share a real
// Redis, so the key that encrypts HMAC secrets must be given, not made.
func TestNodeNeedsKeyEncryptionKeyOnRealRedis(t *testing.T) {
	_, prefix := servicetest.Redis(t, nil)
	_, err := node.Open(context.Background(), node.Config{RedisURL: servicetest.RedisURL(), KeyPrefix: prefix, DataDir: t.TempDir(), NoChain: true})
	if err == nil || !strings.Contains(err.Error(), "LPX_KEY_ENCRYPTION_KEY") {
		t.Fatalf("Open without a key encryption key on a real Redis: %v", err)
	}
}
