package exchange_test

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/store/filejournal"
	"github.com/lpx-exchange/lpx/store/redisstore"
)

// End-to-end recovery benchmarks for the targets: replay at
// recovery of at least 2,000,000 commands/s, and snapshot and restore of
// 1,000,000 resting orders in under 1 s each, counting the stores' I/O
// (the journal's batches and the snapshot's bytes read from Redis or from
// files), not only the engine's share (engine.BenchmarkReplayMix,
// BenchmarkSnapshotMillionOrders, BenchmarkRestoreMillionOrders).
//
// The Redis variants use the local test Redis (servicetest.Redis) with its
// persistence as configured; the file variants a temporary directory, read
// back through the page cache (the files were just written), so neither
// includes a cold disk. Each benchmark builds its fixture once per process
// (a few seconds) and its stores once per run; -benchtime=3x is plenty.

const (
	rbMixCommands = 1_000_000 // standard-mix commands after the setup
	rbBatchSize   = 1024      // commands per journal batch, the sequencer's MaxBatch
	rbOrders      = 1_000_000 // resting orders of the snapshot benchmarks
	rbRedisWait   = 30 * time.Second
)

// The standard mix, copied from engine/mix_test.go (which is not exported):
// one market ACME/EUR (base scale 0, quote scale 2, price scale 2, tick 1,
// lot 1, maker 10 bps, taker 20 bps), 1,000 accounts funded generously,
// 2,000 resting orders around the mid, then per command 60% limit GTC
// orders (95% priced away from the mid by an exponential offset of mean 10
// ticks, capped at 100; 5% 1-3 ticks through it), 30% cancels of a random
// resting order (2% aimed at one already gone), 10% market orders; sizes
// 1..100 lots; the mid moves a tick with probability 0.02 per command.
const (
	rbMarket   engine.MarketID = 1
	rbBase     engine.AssetID  = 1
	rbQuote    engine.AssetID  = 2
	rbMidTicks                 = 100_000
)

// rbMix generates commands on its own engine, which tells which orders
// rest, and hands each applied command to emit (the journal's writer).
type rbMix struct {
	tb       testing.TB
	rng      *rand.Rand
	e        *engine.Engine
	seq      uint64
	accounts int
	mid      int64
	live     []engine.OrderID
	index    map[engine.OrderID]int
	gone     []engine.OrderID
	out      []engine.Event
	emit     func(engine.Command)
}

func newRBMix(tb testing.TB, accounts int, seed uint64, emit func(engine.Command)) *rbMix {
	return &rbMix{
		tb: tb, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), e: engine.New(),
		accounts: accounts, mid: rbMidTicks, index: map[engine.OrderID]int{}, emit: emit,
	}
}

// world creates the market and the funded accounts; none may be rejected.
func (g *rbMix) world() {
	acme, _ := engine.ParseSymbol("ACME")
	eur, _ := engine.ParseSymbol("EUR")
	setup := []engine.Command{
		{Kind: engine.CmdCreateAsset, Symbol: acme, Scale: 0},
		{Kind: engine.CmdCreateAsset, Symbol: eur, Scale: 2},
		{Kind: engine.CmdCreateMarket, Base: rbBase, Quote: rbQuote, PriceScale: 2, Tick: 1, Lot: 1, MakerBps: 10, TakerBps: 20},
	}
	for i := range g.accounts {
		id := engine.AccountID(i + 2)
		setup = append(setup,
			engine.Command{Kind: engine.CmdCreateAccount},
			engine.Command{Kind: engine.CmdDeposit, Account: id, Asset: rbBase, Amount: 1e12, Ref: rbRef(2 * i)},
			engine.Command{Kind: engine.CmdDeposit, Account: id, Asset: rbQuote, Amount: 1e15, Ref: rbRef(2*i + 1)})
	}
	for i := range setup {
		g.apply(&setup[i])
		if g.out[0].Kind == engine.EvRejected {
			g.tb.Fatalf("setup command %s rejected: %s", setup[i].Kind, g.out[0].Code)
		}
	}
}

func rbRef(i int) engine.Ref {
	var r engine.Ref
	r[0], r[1], r[2], r[3] = 0xd0, byte(i>>16), byte(i>>8), byte(i)
	return r
}

func (g *rbMix) account() engine.AccountID { return engine.AccountID(2 + g.rng.IntN(g.accounts)) }

func (g *rbMix) side() engine.Side {
	if g.rng.IntN(2) == 0 {
		return engine.Buy
	}
	return engine.Sell
}

func (g *rbMix) restingLimit() engine.Command {
	side := g.side()
	off := 1 + int64(math.Min(g.rng.ExpFloat64()*10, 99))
	price := g.mid - off
	if side == engine.Sell {
		price = g.mid + off
	}
	return engine.Command{Kind: engine.CmdPlaceOrder, Account: g.account(), Market: rbMarket, Side: side,
		Type: engine.Limit, TIF: engine.GTC, Price: price, Size: 1 + g.rng.Int64N(100)}
}

func (g *rbMix) next() engine.Command {
	if g.rng.Float64() < 0.02 {
		if g.rng.IntN(2) == 0 {
			g.mid++
		} else {
			g.mid--
		}
	}
	r := g.rng.Float64()
	switch {
	case r < 0.60:
		c := g.restingLimit()
		if g.rng.Float64() < 0.05 {
			through := 1 + g.rng.Int64N(3)
			if c.Side == engine.Buy {
				c.Price = g.mid + through
			} else {
				c.Price = g.mid - through
			}
		}
		return c
	case r < 0.90:
		c := engine.Command{Kind: engine.CmdCancelOrder, Account: g.account()}
		if (g.rng.Float64() < 0.02 || len(g.live) == 0) && len(g.gone) > 0 {
			c.Order = g.gone[g.rng.IntN(len(g.gone))]
		} else if len(g.live) > 0 {
			c.Order = g.live[g.rng.IntN(len(g.live))]
			if o, ok := g.e.Order(c.Order); ok {
				c.Account = o.Account
			}
		}
		return c
	default:
		return engine.Command{Kind: engine.CmdPlaceOrder, Account: g.account(), Market: rbMarket, Side: g.side(),
			Type: engine.Market, TIF: engine.IOC, Size: 1 + g.rng.Int64N(100)}
	}
}

// apply stamps c, runs it on the generator's engine, tracks which orders
// rest, and emits it.
func (g *rbMix) apply(c *engine.Command) {
	g.seq++
	c.Seq, c.Time = g.seq, int64(g.seq)
	g.out = g.e.Apply(c, g.out[:0])
	for _, ev := range g.out {
		switch ev.Kind {
		case engine.EvOrderAccepted:
			if _, ok := g.e.Order(ev.Order); ok && ev.Type == engine.Limit {
				g.index[ev.Order] = len(g.live)
				g.live = append(g.live, ev.Order)
			}
		case engine.EvOrderDone, engine.EvOrderCanceled, engine.EvOrderExpired:
			if i, ok := g.index[ev.Order]; ok {
				last := g.live[len(g.live)-1]
				g.live[i], g.index[last] = last, i
				g.live = g.live[:len(g.live)-1]
				delete(g.index, ev.Order)
				if len(g.gone) < 10_000 {
					g.gone = append(g.gone, ev.Order)
				}
			}
		}
	}
	g.emit(*c)
}

// rbJournalFixture is a journal's worth of encoded batches: the standard
// mix's setup (1,000 accounts, 2,000 resting orders) and 1,000,000 mix
// commands, from seq 1, in batches of 1,024; and the state they lead to.
type rbJournalFixture struct {
	batches  []rbBatch
	commands uint64
	hash     [32]byte
	resting  int
}

type rbBatch struct {
	first, last uint64
	data        []byte
}

var (
	rbJournalOnce sync.Once
	rbJournalData *rbJournalFixture
)

func rbJournal(tb testing.TB) *rbJournalFixture {
	rbJournalOnce.Do(func() {
		f := &rbJournalFixture{}
		var pending []engine.Command
		flush := func() {
			if len(pending) == 0 {
				return
			}
			f.batches = append(f.batches, rbBatch{pending[0].Seq, pending[len(pending)-1].Seq, engine.AppendCommandBatch(nil, pending)})
			pending = pending[:0]
		}
		g := newRBMix(tb, 1_000, 1, func(c engine.Command) {
			pending = append(pending, c)
			if len(pending) == rbBatchSize {
				flush()
			}
		})
		g.world()
		for len(g.live) < 2_000 {
			c := g.restingLimit()
			g.apply(&c)
		}
		for range rbMixCommands {
			c := g.next()
			g.apply(&c)
		}
		flush()
		f.commands, f.hash, f.resting = g.seq, g.e.StateHash(), len(g.live)
		rbJournalData = f
	})
	if rbJournalData == nil {
		tb.Fatal("the journal fixture failed to build in an earlier benchmark")
	}
	return rbJournalData
}

// fill appends the fixture's batches to j, as the sequencer would have.
func (f *rbJournalFixture) fill(tb testing.TB, j exchange.Journal) {
	ctx := context.Background()
	for _, bt := range f.batches {
		if err := j.Append(ctx, bt.first, bt.last, bt.data); err != nil {
			tb.Fatalf("append %d-%d: %v", bt.first, bt.last, err)
		}
	}
}

// check fails unless eng is the state the fixture's commands lead to.
func (f *rbJournalFixture) check(tb testing.TB, eng *engine.Engine) {
	if eng.LastSeq() != f.commands || eng.StateHash() != f.hash {
		tb.Fatalf("recovered at %d, want %d; same state: %v", eng.LastSeq(), f.commands, eng.StateHash() == f.hash)
	}
}

// benchReplay times recovery from scratch (no snapshot) of the fixture's
// journal: stores opens the stores (inside the timer, as at start-up) and
// returns what closes them. ms_read_only is the journal's share, measured
// untimed after each run: opening it and a Read that only counts batches.
func benchReplay(b *testing.B, f *rbJournalFixture, stores func() (exchange.Stores, func())) {
	ctx := context.Background()
	var eng *engine.Engine
	var open, readOnly time.Duration
	n := 0
	runtime.GC()
	b.ReportAllocs()
	for b.Loop() {
		if n > 0 {
			b.StopTimer()
			eng = nil
			runtime.GC() // the previous engine's garbage is not this run's cost
			b.StartTimer()
		}
		t0 := time.Now()
		st, closeStores := stores()
		open += time.Since(t0)
		var err error
		if eng, err = exchange.Recover(ctx, st, nil); err != nil {
			b.Fatal(err)
		}
		closeStores()
		n++

		// The journal's share, untimed: the same stores read through
		// without decoding or applying.
		b.StopTimer()
		t0 = time.Now()
		st, closeStores = stores()
		batches := 0
		if err := st.Journal.Read(ctx, 0, func(first, last uint64, data []byte) error { batches++; return nil }); err != nil || batches != len(f.batches) {
			b.Fatalf("read %d batches of %d: %v", batches, len(f.batches), err)
		}
		closeStores()
		readOnly += time.Since(t0)
		b.StartTimer()
	}
	elapsed := b.Elapsed()
	f.check(b, eng)
	b.ReportMetric(float64(readOnly.Microseconds())/1e3/float64(n), "ms_read_only")
	b.ReportMetric(float64(f.commands)*float64(n)/elapsed.Seconds(), "cmds/s")
	b.ReportMetric(float64(elapsed.Milliseconds())/float64(n), "ms/recover")
	b.ReportMetric(float64(open.Microseconds())/1e3/float64(n), "ms_open/recover")
	b.ReportMetric(float64(f.commands), "cmds")
	size := 0
	for _, bt := range f.batches {
		size += len(bt.data)
	}
	b.ReportMetric(float64(size)/1e6, "journal_MB")
	b.ReportMetric(float64(f.resting), "resting_at_end")
}

// BenchmarkRecoverReplayRedis times exchange.Recover replaying about a
// million standard-mix commands (setup included, batches of 1,024) from a
// Redis journal, with no snapshot: every XRANGE page, checksum, decode and
// Apply. cmds/s is the replay rate end to end.
func BenchmarkRecoverReplayRedis(b *testing.B) {
	if testing.Short() {
		b.Skip("a million-command journal: not under -short")
	}
	f := rbJournal(b)
	rdb, prefix := servicetest.Redis(b, redisstore.JournalOptions)
	f.fill(b, redisstore.NewJournal(rdb, prefix+"journal", rbRedisWait))
	benchReplay(b, f, func() (exchange.Stores, func()) {
		return exchange.Stores{Journal: redisstore.NewJournal(rdb, prefix+"journal", rbRedisWait)}, func() {}
	})
}

// BenchmarkRecoverReplayFile is the same from the embedded mode's file
// journal; opening it (which checks every record) is inside the timer, as
// at start-up, and reported as ms_open/recover.
func BenchmarkRecoverReplayFile(b *testing.B) {
	if testing.Short() {
		b.Skip("a million-command journal: not under -short")
	}
	f := rbJournal(b)
	dir := b.TempDir()
	j, err := filejournal.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	f.fill(b, j)
	if err := j.Close(); err != nil {
		b.Fatal(err)
	}
	benchReplay(b, f, func() (exchange.Stores, func()) {
		j, err := filejournal.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		return exchange.Stores{Journal: j}, func() { j.Close() }
	})
}

// rbMillionOrders is engine.BenchmarkSnapshotMillionOrders' book (copied,
// as it is not exported): 1,000,000 resting orders from 1,000 accounts
// over 2,000 price levels on each side of one market.
var (
	rbOrdersOnce sync.Once
	rbOrdersEng  *engine.Engine
)

func rbMillionOrders(tb testing.TB) *engine.Engine {
	rbOrdersOnce.Do(func() {
		g := newRBMix(tb, 1_000, 1, func(engine.Command) {})
		g.world()
		c := engine.Command{Kind: engine.CmdPlaceOrder, Market: rbMarket, Type: engine.Limit, TIF: engine.GTC, Size: 10}
		for i := range rbOrders {
			c.Account = engine.AccountID(2 + i%1_000)
			if i%2 == 0 {
				c.Side, c.Price = engine.Buy, rbMidTicks-1-int64(i/2%2_000)
			} else {
				c.Side, c.Price = engine.Sell, rbMidTicks+1+int64(i/2%2_000)
			}
			// Not g.apply: it would track a million orders it never cancels.
			g.seq++
			c.Seq, c.Time = g.seq, int64(g.seq)
			g.out = g.e.Apply(&c, g.out[:0])
			if g.out[0].Kind != engine.EvOrderAccepted {
				tb.Fatalf("order %d: %s", i, g.out[0].Code)
			}
		}
		rbOrdersEng = g.e
	})
	if rbOrdersEng == nil {
		tb.Fatal("the million-order book failed to build in an earlier benchmark")
	}
	return rbOrdersEng
}

// benchSnapshot times, on the million-order book, save (AppendSnapshot
// into a reused buffer, as the sequencer does, then Snapshots.Save; the
// encoding's share is ms_encode/save) and restore (exchange.Recover with an
// empty journal: List, Load, engine.Restore with its full invariant check,
// Replay of nothing); load times Snapshots.Load alone, the restore's I/O
// share. open returns the stores as at start-up (inside the restore timer)
// and what closes them.
func benchSnapshot(b *testing.B, open func() (exchange.Stores, func())) {
	eng := rbMillionOrders(b)
	seq := eng.LastSeq()
	want := eng.StateHash()
	ctx := context.Background()
	buf := eng.AppendSnapshot(nil) // the sequencer's buffer, grown by earlier snapshots
	b.Run("save", func(b *testing.B) {
		st, closeStores := open()
		defer closeStores()
		var encode time.Duration
		n := 0
		runtime.GC()
		b.ReportAllocs()
		for b.Loop() {
			if n > 0 {
				b.StopTimer()
				if err := st.Snapshots.Delete(ctx, seq); err != nil { // this save writes afresh
					b.Fatal(err)
				}
				runtime.GC()
				b.StartTimer()
			}
			t0 := time.Now()
			buf = eng.AppendSnapshot(buf[:0])
			encode += time.Since(t0)
			if err := st.Snapshots.Save(ctx, seq, buf); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(n), "ms/save")
		b.ReportMetric(float64(encode.Microseconds())/1e3/float64(n), "ms_encode/save")
		b.ReportMetric(float64(len(buf))/1e6, "MB")
		if err := st.Snapshots.Delete(ctx, seq); err != nil {
			b.Fatal(err)
		}
	})
	// The restore's I/O alone: Snapshots.Load of the same snapshot.
	b.Run("load", func(b *testing.B) {
		st, closeStores := open()
		defer closeStores()
		if err := st.Snapshots.Save(ctx, seq, buf); err != nil {
			b.Fatal(err)
		}
		n := 0
		runtime.GC()
		b.ReportAllocs()
		for b.Loop() {
			if n > 0 {
				b.StopTimer()
				runtime.GC()
				b.StartTimer()
			}
			data, err := st.Snapshots.Load(ctx, seq)
			if err != nil || len(data) != len(buf) {
				b.Fatalf("load: %d bytes, %v", len(data), err)
			}
			n++
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(n), "ms/load")
	})
	b.Run("restore", func(b *testing.B) {
		st, closeStores := open()
		err := st.Snapshots.Save(ctx, seq, buf)
		closeStores()
		if err != nil {
			b.Fatal(err)
		}
		var got *engine.Engine
		n := 0
		runtime.GC()
		b.ReportAllocs()
		for b.Loop() {
			if n > 0 {
				b.StopTimer()
				got = nil
				runtime.GC()
				b.StartTimer()
			}
			st, closeStores := open()
			var err error
			if got, err = exchange.Recover(ctx, st, nil); err != nil {
				b.Fatal(err)
			}
			closeStores()
			n++
		}
		elapsed := b.Elapsed()
		if got.LastSeq() != seq || got.StateHash() != want {
			b.Fatalf("restored at %d, want %d; same state: %v", got.LastSeq(), seq, got.StateHash() == want)
		}
		b.ReportMetric(float64(elapsed.Microseconds())/1e3/float64(n), "ms/restore")
		b.ReportMetric(float64(len(buf))/1e6, "MB")
	})
}

// BenchmarkRecoverSnapshotRedis times save and restore of a snapshot of
// 1,000,000 resting orders through redisstore.Snapshots (chunks of 512 KiB)
// on the local Redis.
func BenchmarkRecoverSnapshotRedis(b *testing.B) {
	if testing.Short() {
		b.Skip("a million-order book: not under -short")
	}
	rdb, prefix := servicetest.Redis(b, redisstore.JournalOptions)
	benchSnapshot(b, func() (exchange.Stores, func()) {
		return exchange.Stores{
			Journal:   redisstore.NewJournal(rdb, prefix+"journal", rbRedisWait), // empty
			Snapshots: redisstore.NewSnapshots(rdb, prefix+"snap", 0, rbRedisWait),
		}, func() {}
	})
}

// BenchmarkRecoverSnapshotFile is the same with the embedded mode's file
// snapshots (write, fsync, rename, directory fsync) and an empty file
// journal.
func BenchmarkRecoverSnapshotFile(b *testing.B) {
	if testing.Short() {
		b.Skip("a million-order book: not under -short")
	}
	dir := b.TempDir()
	benchSnapshot(b, func() (exchange.Stores, func()) {
		j, err := filejournal.Open(filepath.Join(dir, "journal"))
		if err != nil {
			b.Fatal(err)
		}
		snaps, err := filejournal.OpenSnapshots(filepath.Join(dir, "snapshots"))
		if err != nil {
			b.Fatal(err)
		}
		return exchange.Stores{Journal: j, Snapshots: snaps}, func() { j.Close() }
	})
}
