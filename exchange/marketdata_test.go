package exchange_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/marketdata"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/redis/go-redis/v9"
)

// var _ checks that the Redis store is what the projection writes to.
var _ exchange.MarketDataStore = (*redisstore.MarketData)(nil)

// onBothRedises runs f on the test Redis and on an embedded miniredis, as
// the exchange runs in production and in embedded mode.
func onBothRedises(t *testing.T, f func(t *testing.T, rdb *redis.Client, prefix string)) {
	t.Run("redis", func(t *testing.T) {
		rdb, prefix := servicetest.Redis(t, redisstore.JournalOptions)
		f(t, rdb, prefix)
	})
	t.Run("miniredis", func(t *testing.T) {
		m := miniredis.RunT(t)
		m.ClockTTL(true)
		rdb := redis.NewClient(redisstore.JournalOptions(&redis.Options{Addr: m.Addr()}))
		t.Cleanup(func() { rdb.Close() })
		f(t, rdb, "lpx:")
	})
}

// fakeClock advances by step at every reading, so a short test spans
// minutes, hours and days of candles.
func fakeClock(start time.Time, step time.Duration) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * step) }
}

// TestMarketDataProjection: orders on two markets over three simulated
// days; the market data in Redis then equals what the engine and the event
// log say: the depth level by level, the recent trades, every candle of
// every interval and the ticker, each computed here independently.
func TestMarketDataProjection(t *testing.T) {
	onBothRedises(t, func(t *testing.T, rdb *redis.Client, prefix string) {
		st := exchange.Stores{
			Journal: redisstore.NewJournal(rdb, prefix+"journal", 0),
			Events:  redisstore.NewJournal(rdb, prefix+"events", 0),
		}
		md := redisstore.NewMarketData(rdb, prefix, redisstore.MarketDataOptions{RecentTrades: 50})
		eng := engine.New()
		s := exchange.NewSequencer(eng, st, exchange.Config{MaxBatch: 4, TickEvery: time.Hour,
			Now: fakeClock(time.Date(2026, 11, 20, 23, 0, 0, 0, time.UTC), 97*time.Second)})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		setup(t, s, 4)
		usd, _ := engine.ParseSymbol("USD")
		submit(t, s, engine.Command{Kind: engine.CmdCreateAsset, Symbol: usd, Scale: 2})
		submit(t, s, engine.Command{Kind: engine.CmdCreateMarket, Base: 1, Quote: 3, PriceScale: 2, Tick: 1, Lot: 1})
		for a := range 4 {
			submit(t, s, engine.Command{Kind: engine.CmdDeposit, Account: engine.AccountID(2 + a), Asset: 3, Amount: 1e12, Ref: engine.Ref{3, byte(a)}})
		}
		p := &exchange.Projector{Name: "market data", Projection: exchange.NewMarketData(md), Sequencer: s,
			Events: redisstore.NewJournal(rdb, prefix+"events", 0), MaxEvents: 100}
		pdone := make(chan error, 1)
		go func() { pdone <- p.Run(context.Background()) }()
		for i := range 3000 {
			c := order(i)
			c.Market = engine.MarketID(1 + i%7%2)
			submit(t, s, c)
		}
		cancel()
		<-done
		if err := <-pdone; err != nil {
			t.Fatalf("projector: %v", err)
		}
		checkMarketData(t, md, eng, eventLogContents(t, st.Events))
	})
}

// checkMarketData compares the store with the engine's books and with the
// trades in the event log.
func checkMarketData(t *testing.T, md *redisstore.MarketData, eng *engine.Engine, events []engine.Event) {
	t.Helper()
	ctx := context.Background()
	if cp, err := md.Checkpoint(ctx); err != nil || cp != eng.LastSeq() {
		t.Fatalf("checkpoint %d (%v), the state at %d", cp, err, eng.LastSeq())
	}
	trades := map[uint32][]engine.Event{}
	var now int64
	for _, ev := range events {
		now = max(now, ev.Time)
		if ev.Kind == engine.EvTrade {
			trades[uint32(ev.Market)] = append(trades[uint32(ev.Market)], ev)
		}
	}
	for _, m := range []uint32{1, 2} {
		d, err := md.Depth(ctx, m, 0)
		if err != nil {
			t.Fatal(err)
		}
		for side, got := range map[engine.Side][]marketdata.Level{engine.Buy: d.Bids, engine.Sell: d.Asks} {
			var want []marketdata.Level
			for _, lv := range eng.Depth(engine.MarketID(m), side, 0, nil) {
				want = append(want, marketdata.Level{Price: lv.Price, Size: lv.Size})
			}
			if len(want) == 0 || !reflect.DeepEqual(got, want) {
				t.Errorf("market %d %v depth %v, the engine's %v", m, side, got, want)
			}
		}
		ts := trades[m]
		if len(ts) < 100 {
			t.Fatalf("market %d: only %d trades; the test needs more", m, len(ts))
		}
		recent, err := md.Trades(ctx, m, 0)
		if err != nil || len(recent) != 50 {
			t.Fatalf("market %d: %d recent trades (%v), want 50", m, len(recent), err)
		}
		newest := ts[len(ts)-1]
		if r := recent[0]; r.Seq != newest.Seq || r.Price != newest.Price || r.Size != newest.Size || r.Time != newest.Time {
			t.Errorf("market %d newest trade %+v, the log's %+v", m, r, newest)
		}
		for _, iv := range marketdata.Intervals {
			got, err := md.Candles(ctx, m, iv, math.MinInt64, math.MaxInt64, 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := candlesOf(ts, iv); !reflect.DeepEqual(got, want) {
				t.Errorf("market %d %v: %d candles, want %d (first %+v, want %+v)", m, iv, len(got), len(want), got[0], want[0])
			}
		}
		tk, ok, err := md.Ticker(ctx, m)
		if err != nil || !ok {
			t.Fatalf("market %d ticker: %v %v", m, ok, err)
		}
		if want := tickerOf(ts, tk.Time); tk != want {
			t.Errorf("market %d ticker %+v, want %+v", m, tk, want)
		}
		if tk.Time < now-int64(time.Minute) {
			t.Errorf("market %d ticker at %d, the last event at %d", m, tk.Time, now)
		}
	}
}

// candlesOf aggregates trades into candles, oldest first.
func candlesOf(ts []engine.Event, iv marketdata.Interval) []marketdata.Candle {
	var cs []marketdata.Candle
	for _, ev := range ts {
		start := iv.Start(ev.Time)
		if len(cs) == 0 || cs[len(cs)-1].Start != start {
			cs = append(cs, marketdata.Candle{Interval: iv, Start: start, Open: ev.Price, High: ev.Price, Low: ev.Price})
		}
		c := &cs[len(cs)-1]
		c.High, c.Low, c.Close = max(c.High, ev.Price), min(c.Low, ev.Price), ev.Price
		c.Volume += ev.Size
		c.QuoteVolume += ev.Amount
		c.Trades++
	}
	return cs
}

// tickerOf sums the trades of the 1,440 minutes up to at.
func tickerOf(ts []engine.Event, at int64) marketdata.Ticker {
	from := marketdata.Minute.Start(at) - 1439*int64(time.Minute)
	t := marketdata.Ticker{Time: at, Last: ts[len(ts)-1].Price}
	for _, ev := range ts {
		if ev.Time < from || ev.Time > at {
			continue
		}
		if t.Trades == 0 {
			t.Open, t.High, t.Low = ev.Price, ev.Price, ev.Price
		}
		t.High, t.Low = max(t.High, ev.Price), min(t.Low, ev.Price)
		t.Volume += ev.Size
		t.QuoteVolume += ev.Amount
		t.Trades++
	}
	return t
}

// TestMarketDataSeededFromSnapshot: a market-data store that holds nothing
// (the embedded mode's miniredis after a restart) while the event log no
// longer begins at 1 is seeded from the newest snapshot, and then follows
// the log: its depth equals the engine's.
func TestMarketDataSeededFromSnapshot(t *testing.T) {
	onBothRedises(t, func(t *testing.T, rdb *redis.Client, prefix string) {
		st := exchange.Stores{
			Journal:   redisstore.NewJournal(rdb, prefix+"journal", 0),
			Events:    redisstore.NewJournal(rdb, prefix+"events", 0),
			Snapshots: redisstore.NewSnapshots(rdb, prefix+"snap", 0, 0),
		}
		eng := engine.New()
		s := exchange.NewSequencer(eng, st, exchange.Config{MaxBatch: 4, SnapshotEvery: 200, EventRetention: time.Nanosecond})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		setup(t, s, 4)
		for i := range 1000 {
			submit(t, s, order(i))
		}
		// Wait until the event log has been trimmed.
		reader := redisstore.NewJournal(rdb, prefix+"events", 0)
		stop := errors.New("stop")
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			var first uint64
			if err := reader.Read(context.Background(), 0, func(f, _ uint64, _ []byte) error { first = f; return stop }); err != stop {
				t.Fatal(err)
			}
			if first > 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the event log was never trimmed")
			}
		}
		md := redisstore.NewMarketData(rdb, prefix+"fresh:", redisstore.MarketDataOptions{})
		p := &exchange.Projector{Name: "market data", Projection: exchange.NewMarketData(md), Sequencer: s,
			Events: reader, Snapshots: st.Snapshots}
		pdone := make(chan error, 1)
		go func() { pdone <- p.Run(context.Background()) }()
		for i := range 200 {
			submit(t, s, order(1000+i))
		}
		cancel()
		<-done
		if err := <-pdone; err != nil {
			t.Fatalf("projector: %v", err)
		}
		if cp, _ := md.Checkpoint(context.Background()); cp != eng.LastSeq() {
			t.Fatalf("checkpoint %d, state %d", cp, eng.LastSeq())
		}
		d, err := md.Depth(context.Background(), 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		for side, got := range map[engine.Side][]marketdata.Level{engine.Buy: d.Bids, engine.Sell: d.Asks} {
			var want []marketdata.Level
			for _, lv := range eng.Depth(1, side, 0, nil) {
				want = append(want, marketdata.Level{Price: lv.Price, Size: lv.Size})
			}
			if len(want) == 0 || !reflect.DeepEqual(got, want) {
				t.Errorf("%v depth %v, the engine's %v", side, got, want)
			}
		}
	})
}
