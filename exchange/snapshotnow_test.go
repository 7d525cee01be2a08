package exchange_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/filejournal"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

// snapshotStores are the stores of both modes, with an event log and
// snapshots, for the tests that must hold on each.
var snapshotStores = []struct {
	name string
	open func(testing.TB) exchange.Stores
}{
	{"redis", func(t testing.TB) exchange.Stores {
		rdb, prefix := servicetest.Redis(t, redisstore.JournalOptions)
		return exchange.Stores{
			Journal:   redisstore.NewJournal(rdb, prefix+"journal", 0),
			Events:    redisstore.NewJournal(rdb, prefix+"events", 0),
			Snapshots: redisstore.NewSnapshots(rdb, prefix+"snapshots", 0, 0),
		}
	}},
	{"file", func(t testing.TB) exchange.Stores {
		dir := t.TempDir()
		j, err := filejournal.Open(filepath.Join(dir, "journal"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { j.Close() })
		ev, err := filejournal.Open(filepath.Join(dir, "events"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ev.Close() })
		snaps, err := filejournal.OpenSnapshots(filepath.Join(dir, "snapshots"))
		if err != nil {
			t.Fatal(err)
		}
		return exchange.Stores{Journal: j, Events: ev, Snapshots: snaps}
	}},
}

// runSequencer runs a sequencer over a fresh engine and st; stop ends it
// and returns the engine (safe to read only then).
func runSequencer(t *testing.T, st exchange.Stores, cfg exchange.Config) (*exchange.Sequencer, func() *engine.Engine) {
	t.Helper()
	eng := engine.New()
	s := exchange.NewSequencer(eng, st, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	stopped := false
	stop := func() *engine.Engine {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("Run: %v", err)
			}
		}
		return eng
	}
	t.Cleanup(func() { stop() })
	return s, stop
}

// TestSnapshotOnRequest: Snapshot stores the state as of every command
// answered before it, on the real stores of both modes, and answers its
// sequence number and state hash; the state recovers from it; a second
// request at the same sequence number writes it again; a stopped
// sequencer refuses.
func TestSnapshotOnRequest(t *testing.T) {
	for _, mode := range snapshotStores {
		t.Run(mode.name, func(t *testing.T) {
			st := mode.open(t)
			// No ticks and no periodic snapshots: only the ones asked for.
			s, stop := runSequencer(t, st, exchange.Config{TickEvery: time.Hour, SnapshotEvery: 1 << 40, SnapshotInterval: time.Hour, KeepSnapshots: 3})
			setup(t, s, 2)
			var last uint64
			for i := range 20 {
				last = submit(t, s, engine.Command{Kind: engine.CmdPlaceOrder, Account: engine.AccountID(2 + i%2), Market: 1,
					Side: engine.Side(1 + i%2), Type: engine.Limit, TIF: engine.GTC, Price: int64(95 + i%10), Size: 1}).Seq
			}
			ctx := t.Context()
			info, err := s.Snapshot(ctx)
			if err != nil {
				t.Fatalf("Snapshot: %v", err)
			}
			var hash [32]byte
			if err := s.Read(ctx, func(e *engine.Engine) { hash = e.StateHash() }); err != nil {
				t.Fatal(err)
			}
			if info.Seq != last || info.StateHash != hash {
				t.Fatalf("snapshot %d %x; want %d %x", info.Seq, info.StateHash, last, hash)
			}
			data, err := st.Snapshots.Load(ctx, info.Seq)
			if err != nil {
				t.Fatalf("the snapshot is not stored: %v", err)
			}
			if sha256.Sum256(data) != hash {
				t.Fatal("the stored snapshot is not the state")
			}
			again, err := s.Snapshot(ctx)
			if err != nil || again != info {
				t.Fatalf("a second snapshot at the same seq: %+v, %v", again, err)
			}
			if seqs, err := st.Snapshots.List(ctx); err != nil || len(seqs) != 1 || seqs[0] != last {
				t.Fatalf("snapshots %v (%v), want just %d", seqs, err, last)
			}

			// Commands after it are replayed on top of it.
			more := submit(t, s, engine.Command{Kind: engine.CmdCreateAccount}).Seq
			eng := stop()
			if _, err := s.Snapshot(ctx); !errors.Is(err, exchange.ErrStopped) {
				t.Fatalf("Snapshot after Run: %v, want ErrStopped", err)
			}
			seqs, err := st.Snapshots.List(ctx)
			if err != nil || len(seqs) != 2 || seqs[0] != last || seqs[1] != more {
				t.Fatalf("snapshots %v (%v), want %d (asked for) and %d (at shutdown)", seqs, err, last, more)
			}
			if err := st.Snapshots.Delete(ctx, more); err != nil {
				t.Fatal(err)
			}
			recovered, err := exchange.Recover(ctx, exchange.Stores{Journal: st.Journal, Snapshots: st.Snapshots}, nil)
			if err != nil || recovered.StateHash() != eng.StateHash() || recovered.LastSeq() != more {
				t.Fatalf("recovered from the snapshot asked for: %v", err)
			}
		})
	}
}

// failingSnapshots refuses every Save.
type failingSnapshots struct{ exchange.Snapshots }

func (failingSnapshots) Save(context.Context, uint64, []byte) error {
	return errors.New("injected: disk full")
}

// TestSnapshotRefused: without a snapshot store Snapshot says so; a store
// that refuses the snapshot is reported, and the sequencer goes on.
func TestSnapshotRefused(t *testing.T) {
	s, _ := start(t, fileJournal(t), exchange.Config{})
	if _, err := s.Snapshot(t.Context()); !errors.Is(err, exchange.ErrNoSnapshots) {
		t.Fatalf("no store: %v", err)
	}

	st := snapshotStores[1].open(t)
	st.Snapshots = failingSnapshots{st.Snapshots}
	s, _ = runSequencer(t, st, exchange.Config{TickEvery: time.Hour})
	setup(t, s, 1)
	if _, err := s.Snapshot(t.Context()); !errors.Is(err, exchange.ErrSnapshotNotStored) {
		t.Fatalf("a refusing store: %v, want ErrSnapshotNotStored", err)
	}
	submit(t, s, engine.Command{Kind: engine.CmdCreateAccount})
}
