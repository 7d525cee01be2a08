package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lpx-exchange/lpx/cmd/lpx/node"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/filejournal"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

// journalStores opens, for one test, the stores of a mode: "file" (the
// embedded mode's files, in a directory of the test's) or "redis" (the
// test Redis, under a prefix of the test's); n tells copies apart.
type journalStores struct {
	t      *testing.T
	mode   string
	dir    string // file
	prefix string // redis, the test's
	rdb    *redis.Client
}

// open opens copy n of the stores.
func (js *journalStores) open(n int) exchange.Stores {
	t := js.t
	if js.mode == "redis" {
		if js.rdb == nil {
			js.rdb, js.prefix = servicetest.Redis(t, redisstore.JournalOptions)
		}
		rdb, p := js.rdb, fmt.Sprintf("%scopy%d:", js.prefix, n)
		return exchange.Stores{
			Journal:   redisstore.NewJournal(rdb, p+"journal", 0),
			Events:    redisstore.NewJournal(rdb, p+"events", 0),
			Snapshots: redisstore.NewSnapshots(rdb, p+"snapshots", 0, 0),
		}
	}
	dir := filepath.Join(t.TempDir(), fmt.Sprint(n))
	js.dir = dir
	// Small segments, so that the journal is trimmed as in Redis.
	j, err := filejournal.OpenWithOptions(filepath.Join(dir, "journal"), filejournal.Options{SegmentSize: 2048})
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
}

// runWorkload runs a sequencer on st through a small exchange's day:
// assets, a market, funded accounts and orders that rest and trade, with a
// snapshot every 40 commands (keep of them kept), and stops it.
func runWorkload(t *testing.T, st exchange.Stores, keep int) {
	t.Helper()
	s := exchange.NewSequencer(engine.New(), st, exchange.Config{MaxBatch: 8, TickEvery: time.Hour, SnapshotEvery: 40, KeepSnapshots: keep})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	submit := func(c engine.Command) {
		t.Helper()
		res, err := s.Submit(context.Background(), c)
		if err != nil {
			t.Fatalf("%s: %v", c.Kind, err)
		}
		for _, ev := range res.Events {
			if ev.Kind == engine.EvRejected {
				t.Fatalf("%s rejected: %s", c.Kind, ev.Code)
			}
		}
	}
	acme, _ := engine.ParseSymbol("ACME")
	eur, _ := engine.ParseSymbol("EUR")
	submit(engine.Command{Kind: engine.CmdCreateAsset, Symbol: acme})
	submit(engine.Command{Kind: engine.CmdCreateAsset, Symbol: eur, Scale: 2})
	submit(engine.Command{Kind: engine.CmdCreateMarket, Base: 1, Quote: 2, PriceScale: 2, Tick: 1, Lot: 1, MakerBps: 10, TakerBps: 20})
	for i := range 4 {
		submit(engine.Command{Kind: engine.CmdCreateAccount})
		a := engine.AccountID(i + 2)
		submit(engine.Command{Kind: engine.CmdDeposit, Account: a, Asset: 1, Amount: 1e6, Ref: engine.Ref{1, byte(i)}})
		submit(engine.Command{Kind: engine.CmdDeposit, Account: a, Asset: 2, Amount: 1e9, Ref: engine.Ref{2, byte(i)}})
	}
	for i := range 200 {
		submit(engine.Command{Kind: engine.CmdPlaceOrder, Account: engine.AccountID(2 + i%4), Market: 1,
			Side: engine.Side(1 + i%2), Type: engine.Limit, TIF: engine.GTC, Price: int64(95 + i%11), Size: int64(1 + i%3)})
	}
	// The shutdown snapshot waits for the event log; so does a test.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var at uint64
		if err := s.Read(ctx, func(e *engine.Engine) { at = e.LastSeq() }); err != nil {
			t.Fatal(err)
		}
		if _, tip, ok, _ := st.Events.Tip(ctx); ok && tip >= at {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the event log never caught up")
		}
	}
	cancel()
	<-done
}

// copyStores copies src's journal (through change, which may alter a
// decoded batch), event log and snapshots to dst.
func copyStores(t *testing.T, src, dst exchange.Stores, change func(cmds []engine.Command)) {
	t.Helper()
	ctx := context.Background()
	var cmds []engine.Command
	err := src.Journal.Read(ctx, 0, func(first, last uint64, data []byte) error {
		var err error
		if cmds, err = engine.DecodeCommandBatch(data, cmds[:0]); err != nil {
			return err
		}
		if change != nil {
			change(cmds)
		}
		return dst.Journal.Append(ctx, first, last, engine.AppendCommandBatch(nil, cmds))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Events.Read(ctx, 0, func(first, last uint64, data []byte) error {
		return dst.Events.Append(ctx, first, last, data)
	}); err != nil {
		t.Fatal(err)
	}
	seqs, err := src.Snapshots.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seqs {
		data, err := src.Snapshots.Load(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if err := dst.Snapshots.Save(ctx, s, data); err != nil {
			t.Fatal(err)
		}
	}
}

// wantProblem fails the test unless v found a problem containing part.
func wantProblem(t *testing.T, what string, v *journalCheck, part string) {
	t.Helper()
	if !slices.ContainsFunc(v.Problems, func(p string) bool { return strings.Contains(p, part) }) {
		t.Errorf("%s: problems %q, want one with %q", what, v.Problems, part)
	}
}

// TestVerifyJournal, on the real stores of both modes: a sound journal
// passes, every snapshot checked and every event batch compared, from the
// first command and from a snapshot when the journal before it is
// trimmed; a snapshot of another state stored under a sequence number, a
// damaged snapshot and a journal whose command was changed (its checksums
// whole) are each caught; so is a journal that lost its end.
func TestVerifyJournal(t *testing.T) {
	for _, mode := range []string{"file", "redis"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			js := &journalStores{t: t, mode: mode}
			st := js.open(0)
			runWorkload(t, st, 100)
			v := verifyJournal(ctx, st, 50)
			// Every snapshot is kept, and the journal trimmed before the
			// oldest: the replay starts there.
			seqs, _ := st.Snapshots.List(ctx)
			if len(v.Problems) > 0 || len(seqs) < 5 || v.From != seqs[0] || v.First != seqs[0]+1 || v.Commands != int(v.Last-seqs[0]) ||
				!slices.Equal(v.Checked, seqs[1:]) || v.EventBatches != v.Batches || v.Invariants < 5 {
				t.Fatalf("a sound journal: %+v (snapshots %v)", v, seqs)
			}
			var out strings.Builder
			v.print(&out)
			for _, want := range []string{fmt.Sprintf("replayed from snapshot %d", seqs[0]), fmt.Sprintf("state hash at seq %d: %x", v.Last, v.StateHash), fmt.Sprintf("%d checked", len(seqs)-1)} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("summary %q lacks %q", out.String(), want)
				}
			}

			// A snapshot of another state under a sequence number (its
			// checksum whole): the state hash differs.
			later, err := st.Snapshots.Load(ctx, seqs[2])
			if err != nil {
				t.Fatal(err)
			}
			original, _ := st.Snapshots.Load(ctx, seqs[1])
			if err := st.Snapshots.Save(ctx, seqs[1], later); err != nil {
				t.Fatal(err)
			}
			wantProblem(t, "a swapped snapshot", verifyJournal(ctx, st, 0), fmt.Sprintf("snapshot %d has state hash", seqs[1]))
			if err := st.Snapshots.Save(ctx, seqs[1], original); err != nil {
				t.Fatal(err)
			}
			// A damaged snapshot.
			damageSnapshot(t, js, seqs[1])
			wantProblem(t, "a damaged snapshot", verifyJournal(ctx, st, 0), fmt.Sprintf("snapshot %d cannot be loaded", seqs[1]))
			if err := st.Snapshots.Save(ctx, seqs[1], original); err != nil {
				t.Fatal(err)
			}

			// One order moved to another account in the journal, every
			// checksum whole: the later snapshots and events disagree.
			changed := js.open(1)
			copyStores(t, st, changed, func(cmds []engine.Command) {
				for i := range cmds {
					if cmds[i].Seq == 100 && cmds[i].Kind == engine.CmdPlaceOrder {
						cmds[i].Account = cmds[i].Account%4 + 2 // another of the accounts 2-5
					}
				}
			})
			v = verifyJournal(ctx, changed, 0)
			wantProblem(t, "a changed command", v, "has state hash")
			wantProblem(t, "a changed command", v, "differs from the events the journal regenerates")

			// A journal whose last batches are lost: the newest snapshot
			// is past its end, and so is the event log.
			short := js.open(2)
			copyStores(t, st, short, nil)
			cut := js.open(3)
			tip := seqs[len(seqs)-1]
			if err := short.Journal.Read(ctx, 0, func(first, last uint64, data []byte) error {
				if last >= tip {
					return nil
				}
				return cut.Journal.Append(ctx, first, last, data)
			}); err != nil {
				t.Fatal(err)
			}
			cut.Events, cut.Snapshots = short.Events, short.Snapshots
			v = verifyJournal(ctx, cut, 0)
			wantProblem(t, "a journal cut short", v, fmt.Sprintf("snapshot %d is past the journal's end", tip))
			wantProblem(t, "a journal cut short", v, "past the journal's end")

			// Two snapshots kept: the replay starts from the older one and
			// checks the newer; the event log, older, is compared from there.
			trimmed := js.open(4)
			runWorkload(t, trimmed, 2)
			v = verifyJournal(ctx, trimmed, 0)
			kept, _ := trimmed.Snapshots.List(ctx)
			if len(v.Problems) > 0 || len(kept) != 2 || v.From != kept[0] || !slices.Equal(v.Checked, kept[1:]) || v.EventBatches == 0 {
				t.Fatalf("a trimmed journal: %+v (snapshots %v)", v, kept)
			}
			// The oldest snapshot damaged: it starts from the next.
			damaged := js.open(5)
			copyStores(t, trimmed, damaged, nil)
			if err := damaged.Snapshots.Save(ctx, kept[0], []byte("not a snapshot")); err != nil {
				t.Fatal(err)
			}
			v = verifyJournal(ctx, damaged, 0)
			wantProblem(t, "a damaged base snapshot", v, fmt.Sprintf("snapshot %d does not decode", kept[0]))
			if v.From != kept[1] {
				t.Errorf("replayed from %d, want %d", v.From, kept[1])
			}

			if mode == "redis" { // the command on a real Redis's keys
				var out, errs strings.Builder
				args := []string{"--redis-url", servicetest.RedisURL(), "--key-prefix", js.prefix + "copy4:"}
				if code := runVerifyJournal(args, &out, &errs); code != 0 || !strings.Contains(out.String(), fmt.Sprintf("replayed from snapshot %d", kept[0])) {
					t.Errorf("lpx verify-journal %v: exit %d\n%s%s", args, code, out.String(), errs.String())
				}
				args = []string{"--redis-url", servicetest.RedisURL(), "--key-prefix", js.prefix + "copy1:"} // the changed command
				if code := runVerifyJournal(args, &out, &errs); code != 1 || !strings.Contains(errs.String(), "FAILED: snapshot") {
					t.Errorf("lpx verify-journal %v: exit %d\n%s", args, code, errs.String())
				}
				if code := runVerifyJournal([]string{"--redis-url", "redis://127.0.0.1:1/0"}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "cannot use Redis at 127.0.0.1:1") {
					t.Errorf("an unreachable Redis: exit %d, %q", code, errs.String())
				}
				if code := runVerifyJournal([]string{"--redis-url", "http://x"}, &out, &errs); code != 2 {
					t.Errorf("a malformed Redis URL: exit %d", code)
				}
			}
		})
	}
}

// damageSnapshot spoils the stored bytes of snapshot seq (not through the
// store's API: its checksum no longer matches).
func damageSnapshot(t *testing.T, js *journalStores, seq uint64) {
	t.Helper()
	if js.mode == "redis" {
		rdb, _ := servicetest.Redis(t, nil)
		if err := rdb.Set(context.Background(), fmt.Sprintf("%scopy0:snapshots:%d:0", js.prefix, seq), "damaged", 0).Err(); err != nil {
			t.Fatal(err)
		}
		return
	}
	path := filepath.Join(js.dir, "snapshots", fmt.Sprintf("%020d.snap", seq))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-10] ^= 0xff
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyJournalCommand runs lpx verify-journal on an embedded node's
// data directory: refused while the node runs, sound once it stopped,
// and a byte flipped in the middle of the journal file is caught.
func TestVerifyJournalCommand(t *testing.T) {
	dir := t.TempDir()
	n, err := node.Open(context.Background(), node.Config{DataDir: dir, NoChain: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	for range 30 {
		if _, err := n.Submit(context.Background(), engine.Command{Kind: engine.CmdCreateAccount}); err != nil {
			t.Fatal(err)
		}
	}
	var out, errs strings.Builder
	if code := runVerifyJournal([]string{"--data-dir", dir}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "in use") {
		t.Fatalf("beside a running node: exit %d, %q", code, errs.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	n.Close()

	out.Reset()
	errs.Reset()
	if code := runVerifyJournal([]string{"--data-dir", dir}, &out, &errs); code != 0 || errs.Len() > 0 {
		t.Fatalf("a stopped node's data: exit %d\n%s%s", code, out.String(), errs.String())
	}
	for _, want := range []string{"replayed from the first command", "state hash at seq ", "1 checked against the replay", "ok: the journal is sound"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}

	if code := runVerifyJournal([]string{"--data-dir", filepath.Join(dir, "nothing")}, &out, &errs); code != 2 {
		t.Errorf("a directory without a journal: exit %d", code)
	}
	if code := runVerifyJournal([]string{"--check-every", "-1", "--data-dir", dir}, &out, &errs); code != 2 {
		t.Errorf("a negative --check-every: exit %d", code)
	}

	segs, _ := filepath.Glob(filepath.Join(dir, "journal", "*.seg"))
	if len(segs) != 1 {
		t.Fatalf("segments %v", segs)
	}
	b, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(segs[0], b, 0o600); err != nil {
		t.Fatal(err)
	}
	errs.Reset()
	if code := runVerifyJournal([]string{"--data-dir", dir}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "FAILED: the journal cannot be opened") {
		t.Fatalf("a flipped byte: exit %d, %q", code, errs.String())
	}
}
