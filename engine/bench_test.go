package engine

import (
	"runtime"
	"testing"
)

// BenchmarkStandardMix replays the standard mix (see mix_test.go; seed 1):
// 1,000 funded accounts, 2,000 resting orders placed before timing, then
// 200,000 recorded commands (60% limit, 30% cancel, 10% market). Over those
// commands the book wanders between about 2,000 and 10,400 resting orders
// (reported as min_resting and max_resting). When b.N passes the end of the
// recording, the timer stops, the engine is restored from a snapshot of the
// start and the replay begins again. ns/op and allocs/op are per command,
// with holds, fees and events included.
func BenchmarkStandardMix(b *testing.B) {
	const accounts, resting, n = 1_000, 2_000, 200_000
	g := mixSetup(b, accounts, resting, 1)
	start := g.e.AppendSnapshot(nil)
	cmds, minLive, maxLive := g.record(n)

	e := mustRestore(b, start)
	out := make([]Event, 0, 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i, j := 0, 0; i < b.N; i, j = i+1, j+1 {
		if j == len(cmds) {
			b.StopTimer()
			e, j = mustRestore(b, start), 0
			b.StartTimer()
		}
		out = e.Apply(&cmds[j], out[:0])
	}
	b.ReportMetric(float64(minLive), "min_resting")
	b.ReportMetric(float64(maxLive), "max_resting")
}

func mustRestore(tb testing.TB, snap []byte) *Engine {
	e, err := Restore(snap)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// benchBook is an engine with one market and two funded accounts, maker and
// taker, and the seq to continue from.
func benchBook(b *testing.B) (*Engine, uint64) {
	e, seq := mixWorld(b, 2)
	return e, seq
}

// BenchmarkPlaceResting places non-crossing limit orders that rest, spread
// over 100 price levels; every 100,000 orders the timer stops and they are
// cancelled so that the book stays bounded.
func BenchmarkPlaceResting(b *testing.B) {
	e, seq := benchBook(b)
	out := make([]Event, 0, 64)
	place := Command{Kind: CmdPlaceOrder, Account: 2, Market: mixMarket, Side: Buy, Type: Limit, TIF: GTC, Size: 10}
	cancelAll := Command{Kind: CmdCancelAll, Account: 2}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%100_000 == 99_999 {
			b.StopTimer()
			seq++
			cancelAll.Seq = seq
			out = e.Apply(&cancelAll, out[:0])
			b.StartTimer()
		}
		seq++
		place.Seq, place.Price = seq, mixMidTicks-1-int64(i%100)
		out = e.Apply(&place, out[:0])
	}
}

// BenchmarkCancel cancels resting orders placed (untimed) beforehand, in
// batches of 100,000.
func BenchmarkCancel(b *testing.B) {
	e, seq := benchBook(b)
	out := make([]Event, 0, 64)
	place := Command{Kind: CmdPlaceOrder, Account: 2, Market: mixMarket, Side: Buy, Type: Limit, TIF: GTC, Size: 10}
	cancel := Command{Kind: CmdCancelOrder, Account: 2}
	ids := make([]OrderID, 0, 100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(ids) == 0 {
			b.StopTimer()
			for j := 0; j < cap(ids); j++ {
				seq++
				place.Seq, place.Price = seq, mixMidTicks-1-int64(j%100)
				out = e.Apply(&place, out[:0])
				ids = append(ids, out[0].Order)
			}
			b.StartTimer()
		}
		seq++
		cancel.Seq, cancel.Order = seq, ids[len(ids)-1]
		ids = ids[:len(ids)-1]
		out = e.Apply(&cancel, out[:0])
	}
}

// BenchmarkSweep10Levels times one market buy of 100 lots that takes 10
// price levels of one 10-lot order each: 10 trades, 10 makers done, 13
// balance events. The asks for 10,000 sweeps are placed untimed beforehand,
// worst price first, so that each sweep takes the 10 best levels.
func BenchmarkSweep10Levels(b *testing.B) {
	const sweeps = 10_000
	e, seq := benchBook(b)
	out := make([]Event, 0, 256)
	ask := Command{Kind: CmdPlaceOrder, Account: 2, Market: mixMarket, Side: Sell, Type: Limit, TIF: GTC, Size: 10}
	sweep := Command{Kind: CmdPlaceOrder, Account: 3, Market: mixMarket, Side: Buy, Type: Market, TIF: IOC, Size: 100}
	left := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if left == 0 {
			b.StopTimer()
			for l := int64(10*sweeps - 1); l >= 0; l-- {
				seq++
				ask.Seq, ask.Price = seq, mixMidTicks+l
				out = e.Apply(&ask, out[:0])
			}
			left = sweeps
			b.StartTimer()
		}
		seq++
		sweep.Seq = seq
		out = e.Apply(&sweep, out[:0])
		left--
	}
	b.StopTimer()
	if trades := countKind(out, EvTrade); trades != 10 {
		b.Fatalf("last sweep made %d trades, want 10", trades)
	}
}

func countKind(evs []Event, k EventKind) int {
	n := 0
	for _, ev := range evs {
		if ev.Kind == k {
			n++
		}
	}
	return n
}

// TestSteadyStateAllocatesNothing replays the standard mix. The engine
// allocates only when the book grows past its largest size so far (the order
// slab and level arrays double); once a warm-up has taken the book to its
// working size, commands must not allocate at all. The measured window is
// checked to stay below the warm-up's largest book.
func TestSteadyStateAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	g := mixSetup(t, 1_000, 2_000, 5)
	start := g.e.AppendSnapshot(nil)
	warm, _, warmMax := g.record(100_000)
	measured, _, measuredMax := g.record(20_000)
	if measuredMax >= warmMax {
		t.Fatalf("the measured window grows the book past the warm-up (%d >= %d): pick another seed", measuredMax, warmMax)
	}
	e := mustRestore(t, start)
	out := make([]Event, 0, 1024)
	for i := range warm {
		out = e.Apply(&warm[i], out[:0])
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range measured {
		out = e.Apply(&measured[i], out[:0])
	}
	runtime.ReadMemStats(&after)
	if n := after.Mallocs - before.Mallocs; n != 0 {
		t.Fatalf("%d allocations in %d steady-state commands", n, len(measured))
	}
}

// swapWorld is EUR (a hub, scale 2), ACME points and COFFEE coupons (scale
// 0), markets ACME/EUR and COFFEE/EUR (tick 0.01, lot 1, maker 10 bps, taker
// 20 bps), a market maker (account 4) and a consumer (account 5) with a
// million ACME points.
func swapWorld(b *testing.B) (*Engine, uint64) {
	e := New()
	var seq uint64
	var out []Event
	apply := func(c Command) {
		seq++
		c.Seq, c.Time = seq, int64(seq)
		out = e.Apply(&c, out[:0])
		if out[0].Kind == EvRejected {
			b.Fatalf("setup %s rejected: %s", c.Kind, out[0].Code)
		}
	}
	sym := func(s string) Symbol { x, _ := ParseSymbol(s); return x }
	for range 4 {
		apply(Command{Kind: CmdCreateAccount})
	}
	apply(Command{Kind: CmdCreateAsset, Symbol: sym("EUR"), Scale: 2, Hub: true})
	apply(Command{Kind: CmdCreateAsset, Symbol: sym("ACME"), AssetKind: Points, Brand: 2})
	apply(Command{Kind: CmdCreateAsset, Symbol: sym("COFFEE"), AssetKind: Coupon, Brand: 3})
	apply(Command{Kind: CmdCreateMarket, Base: 2, Quote: 1, PriceScale: 2, Tick: 1, Lot: 1, MakerBps: 10, TakerBps: 20})
	apply(Command{Kind: CmdCreateMarket, Base: 3, Quote: 1, PriceScale: 2, Tick: 1, Lot: 1, MakerBps: 10, TakerBps: 20})
	apply(Command{Kind: CmdDeposit, Account: 4, Asset: 1, Amount: 1e15, Ref: Ref{1}})
	apply(Command{Kind: CmdIssue, Account: 3, To: 4, Asset: 3, Amount: 1e12, Ref: Ref{2}})
	apply(Command{Kind: CmdIssue, Account: 2, To: 5, Asset: 2, Amount: 1e12, Ref: Ref{3}})
	return e, seq
}

// swapLevels makes the market maker quote n levels of 10 lots on each book
// the two-hop swap ACME -> EUR -> COFFEE crosses: bids for ACME from 1.00
// down, asks for COFFEE from 2.00 up, placed worst first.
func swapLevels(b *testing.B, e *Engine, seq *uint64, n int64) {
	var out []Event
	for l := n - 1; l >= 0; l-- {
		for _, c := range []Command{
			{Kind: CmdPlaceOrder, Account: 4, Market: 1, Side: Buy, Type: Limit, TIF: GTC, Price: 100 + l, Size: 10},
			{Kind: CmdPlaceOrder, Account: 4, Market: 2, Side: Sell, Type: Limit, TIF: GTC, Price: 200 + l, Size: 10},
		} {
			*seq++
			c.Seq = *seq
			out = e.Apply(&c, out[:0])
			if out[0].Kind == EvRejected {
				b.Fatalf("quote rejected: %s", out[0].Code)
			}
		}
	}
}

// BenchmarkQuoteTwoHop quotes swapping 100 ACME points into COFFEE coupons
// through EUR, with 10 levels of 10 lots on each book: the first leg sells
// into all 10 bid levels, the second buys about 5 ask levels with the
// proceeds. A quote simulates the direct route (none here) and every hub
// route, and changes nothing.
func BenchmarkQuoteTwoHop(b *testing.B) {
	e, seq := swapWorld(b)
	swapLevels(b, e, &seq, 10)
	q, code := e.Quote(5, 2, 3, 100)
	if code != OK || q.NumLegs != 2 {
		b.Fatalf("quote: %s %+v", code, q)
	}
	b.ReportMetric(float64(q.AmountOut), "coupons_out")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		q, _ = e.Quote(5, 2, 3, 100)
	}
	b.StopTimer()
	b.ReportMetric(float64(q.AmountOut), "coupons_out")
}

// BenchmarkSwapTwoHop executes the same swap: 10 trades on the first book,
// about 5 on the second, one EvSwapped and the balance events. The levels
// for 1,000 swaps are placed untimed beforehand (10,000 on each book).
func BenchmarkSwapTwoHop(b *testing.B) {
	const swaps = 1_000
	e, seq := swapWorld(b)
	swap := Command{Kind: CmdSwap, Account: 5, Asset: 2, ToAsset: 3, Amount: 100, MinReceive: 1}
	out := make([]Event, 0, 256)
	left := 0
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if left == 0 {
			b.StopTimer()
			e, seq = swapWorld(b)
			swapLevels(b, e, &seq, 10*swaps)
			left = swaps
			b.StartTimer()
		}
		seq++
		swap.Seq = seq
		out = e.Apply(&swap, out[:0])
		left--
	}
	b.StopTimer()
	if n := countKind(out, EvSwapped); n != 1 {
		b.Fatalf("last swap: %d swapped events, first event %s %s", n, out[0].Kind, out[0].Code)
	}
}

// BenchmarkReplayMix measures recovery's inner loop: decoding journal
// entries of 100 standard-mix commands and applying them to a restored
// engine. ns/op is per command; cmds/s is the replay rate.
func BenchmarkReplayMix(b *testing.B) {
	const n = 200_000
	g := mixSetup(b, 1_000, 2_000, 1)
	start := g.e.AppendSnapshot(nil)
	cmds, _, _ := g.record(n)
	var entries [][]byte
	for i := 0; i < n; i += 100 {
		entries = append(entries, AppendCommandBatch(nil, cmds[i:i+100]))
	}
	e := mustRestore(b, start)
	batch := make([]Command, 0, 100)
	out := make([]Event, 0, 1024)
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for i, k := 0, 0; i < b.N; i, k = i+100, k+1 {
		if k == len(entries) {
			b.StopTimer()
			e, k = mustRestore(b, start), 0
			runtime.GC() // the old engine's garbage is not the replay's cost
			b.StartTimer()
		}
		var err error
		if batch, err = DecodeCommandBatch(entries[k], batch[:0]); err != nil {
			b.Fatal(err)
		}
		for j := range batch {
			out = e.Apply(&batch[j], out[:0])
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
}

// millionOrders is an engine with 1,000,000 resting orders from 1,000
// accounts over 2,000 price levels on each side of one market.
func millionOrders(b *testing.B) *Engine {
	e, seq := mixWorld(b, 1_000)
	var out []Event
	c := Command{Kind: CmdPlaceOrder, Market: mixMarket, Type: Limit, TIF: GTC, Size: 10}
	for i := range 1_000_000 {
		seq++
		c.Seq, c.Account = seq, AccountID(2+i%1_000)
		if i%2 == 0 {
			c.Side, c.Price = Buy, mixMidTicks-1-int64(i/2%2_000)
		} else {
			c.Side, c.Price = Sell, mixMidTicks+1+int64(i/2%2_000)
		}
		out = e.Apply(&c, out[:0])
		if out[0].Kind != EvOrderAccepted {
			b.Fatalf("order %d: %s", i, out[0].Code)
		}
	}
	return e
}

// BenchmarkSnapshotMillionOrders times AppendSnapshot of an engine holding
// 1,000,000 resting orders (one op is one whole snapshot).
func BenchmarkSnapshotMillionOrders(b *testing.B) {
	e := millionOrders(b)
	var buf []byte
	b.ResetTimer()
	for range b.N {
		buf = e.AppendSnapshot(buf[:0])
	}
	b.ReportMetric(float64(len(buf))/1e6, "MB")
}

// BenchmarkRestoreMillionOrders times Restore of that snapshot, its full
// validation (CheckInvariants) included.
func BenchmarkRestoreMillionOrders(b *testing.B) {
	snap := millionOrders(b).AppendSnapshot(nil)
	b.ResetTimer()
	for range b.N {
		if _, err := Restore(snap); err != nil {
			b.Fatal(err)
		}
	}
}
