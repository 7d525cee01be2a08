package api_test

import (
	"context"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/apitest"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/filejournal"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

// snapshotAnswer is POST /v1/admin/snapshot's answer.
type snapshotAnswer struct {
	Seq       string `json:"seq"`
	StateHash string `json:"state_hash"`
}

// TestAdminSnapshot, in both modes: an operator's POST /v1/admin/snapshot
// answers once the snapshot is stored, with the sequence number and the
// state hash of the state then; the snapshot is in the node's store; a
// restart whose newest snapshot is that one recovers from it (replaying
// the journal after it) to the state the node stopped with. Other keys
// and bodies are refused.
func TestAdminSnapshot(t *testing.T) {
	for _, realRedis := range []bool{false, true} {
		name := map[bool]string{false: "embedded", true: "redis"}[realRedis]
		t.Run(name, func(t *testing.T) {
			var cfg nodeConfig
			env := apitest.Start(t, apitest.Options{RealRedis: realRedis, QuietClock: true, Adjust: func(c *nodeConfig) { cfg = *c }})
			trader, id := env.NewAccount(sqlstore.AccountConsumer, "tess", sqlstore.ScopeRead, sqlstore.ScopeTrade)
			env.Do(env.Admin, "POST", "/v1/admin/assets", map[string]any{"symbol": "EUR", "scale": 2, "kind": "token"}, nil)
			env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(id), Asset: 1, Amount: 500_00, Ref: engine.Ref{7}})

			var snap snapshotAnswer
			env.Do(env.Admin, "POST", "/v1/admin/snapshot", nil, &snap)
			hash := env.StateHash()
			seq, err := strconv.ParseUint(snap.Seq, 10, 64)
			if err != nil || seq == 0 || snap.StateHash != hex.EncodeToString(hash[:]) {
				t.Fatalf("snapshot %+v; state hash now %x", snap, hash)
			}
			env.Do(env.Admin, "POST", "/v1/admin/snapshot", map[string]any{}, &snap) // {} is no body too
			if snap.Seq != strconv.FormatUint(seq, 10) {
				t.Fatalf("a second snapshot with nothing new: %+v", snap)
			}
			env.Fails(trader, "POST", "/v1/admin/snapshot", nil, 403, "forbidden")
			env.Fails(env.Admin, "POST", "/v1/admin/snapshot", map[string]any{"now": true}, 400, "unknown_field")

			// More after the snapshot: a restart must replay it on top.
			env.Submit(engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(id), Asset: 1, Amount: 1_00, Ref: engine.Ref{8}})
			final := env.StateHash()
			env.Stop()

			st := snapshotStore(t, cfg)
			ctx := context.Background()
			seqs, err := st.List(ctx)
			if err != nil || len(seqs) == 0 || seqs[0] != seq {
				t.Fatalf("snapshots %v (%v), want %d first", seqs, err, seq)
			}
			data, err := st.Load(ctx, seq)
			if err != nil {
				t.Fatal(err)
			}
			if restored, err := engine.Restore(data); err != nil || restored.StateHash() != hash {
				t.Fatalf("the stored snapshot is not the state answered: %v", err)
			}
			for _, later := range seqs[1:] { // the one at shutdown
				if err := st.Delete(ctx, later); err != nil {
					t.Fatal(err)
				}
			}
			j := journalStore(t, cfg)
			recovered, err := exchange.Recover(ctx, exchange.Stores{Journal: j, Snapshots: st}, nil)
			j.Close() // before the node opens it
			if err != nil || recovered.StateHash() != final {
				t.Fatalf("recovery from snapshot %d: %v", seq, err)
			}
			// A node started on the same stores recovers the same way.
			again := apitest.Start(t, apitest.Options{RealRedis: realRedis, QuietClock: true, Adjust: func(c *nodeConfig) {
				c.DataDir, c.RedisURL, c.KeyPrefix = cfg.DataDir, cfg.RedisURL, cfg.KeyPrefix
			}})
			var balance int64
			if err := again.Node.Sequencer.Read(ctx, func(e *engine.Engine) { balance, _ = e.Balance(engine.AccountID(id), 1) }); err != nil || balance != 501_00 {
				t.Fatalf("after the restart: balance %d (%v), want 50100", balance, err)
			}
		})
	}
}

// journalStore opens the journal of a stopped node's config; close it.
func journalStore(t *testing.T, cfg nodeConfig) exchange.Journal {
	t.Helper()
	if cfg.RedisURL == "" {
		j, err := filejournal.Open(filepath.Join(cfg.DataDir, "journal"))
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	rdb, _ := servicetest.Redis(t, redisstore.JournalOptions)
	return redisstore.NewJournal(rdb, cfg.KeyPrefix+"journal", 0)
}

// snapshotStore opens the snapshots of a stopped node's config.
func snapshotStore(t *testing.T, cfg nodeConfig) exchange.Snapshots {
	t.Helper()
	if cfg.RedisURL == "" {
		st, err := filejournal.OpenSnapshots(filepath.Join(cfg.DataDir, "snapshots"))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	rdb, _ := servicetest.Redis(t, nil)
	return redisstore.NewSnapshots(rdb, cfg.KeyPrefix+"snapshots", 0, 0)
}
