package engine

import "testing"

// BenchmarkStandardMix replays the standard mix (see mix_test.go; seed 1):
// 1,000 funded accounts, 2,000 resting orders placed before timing, then
// 200,000 recorded commands (60% limit, 30% cancel, 10% market). Over those
// commands the book wanders between about 2,000 and 6,500 resting orders
// (reported as min_resting and max_resting). When b.N passes the end of the
// recording, the timer stops, the engine is restored from a snapshot of the
// start and the replay begins again. ns/op and allocs/op are per command,
// with holds, fees and events included.
func BenchmarkStandardMix(b *testing.B) {
	const accounts, resting, n = 1_000, 2_000, 200_000
	g := mixSetup(b, accounts, resting, 1)
	start := g.e.AppendSnapshot(nil)
	cmds, minLive, maxLive := g.record(n)
	b.ReportMetric(float64(minLive), "min_resting")
	b.ReportMetric(float64(maxLive), "max_resting")

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

// BenchmarkSweep10Levels times one market buy that takes 10 price levels of
// one order each (10 trades, 10 makers done); the levels are put back
// untimed before each sweep.
func BenchmarkSweep10Levels(b *testing.B) {
	e, seq := benchBook(b)
	out := make([]Event, 0, 256)
	ask := Command{Kind: CmdPlaceOrder, Account: 2, Market: mixMarket, Side: Sell, Type: Limit, TIF: GTC, Size: 10}
	sweep := Command{Kind: CmdPlaceOrder, Account: 3, Market: mixMarket, Side: Buy, Type: Market, TIF: IOC, Size: 100}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for l := int64(0); l < 10; l++ {
			seq++
			ask.Seq, ask.Price = seq, mixMidTicks+l
			out = e.Apply(&ask, out[:0])
		}
		seq++
		sweep.Seq = seq
		b.StartTimer()
		out = e.Apply(&sweep, out[:0])
		if out[len(out)-1].Kind != EvBalance || out[0].Kind != EvOrderAccepted {
			b.Fatalf("sweep did not trade: %v", out[0].Kind)
		}
	}
}
