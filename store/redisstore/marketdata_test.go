package redisstore

import (
	"context"
	"errors"
	"math"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/marketdata"
	"github.com/redis/go-redis/v9"
)

var _ exchange.MarketDataStore = (*MarketData)(nil)

// onEachRedis runs test on the real Redis and on an embedded miniredis
// (what the product's embedded mode uses).
func onEachRedis(t *testing.T, test func(t *testing.T, rdb *redis.Client, prefix string)) {
	t.Run("redis", func(t *testing.T) {
		rdb, prefix := servicetest.Redis(t, nil)
		test(t, rdb, prefix)
	})
	t.Run("miniredis", func(t *testing.T) {
		mr := miniredis.RunT(t)
		rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { rdb.Close() })
		test(t, rdb, "lpxtest:"+t.Name()+":")
	})
}

func mustApply(t *testing.T, md *MarketData, u *marketdata.Update) {
	t.Helper()
	if err := md.Apply(context.Background(), u); err != nil {
		t.Fatalf("apply %d: %v", u.Seq, err)
	}
}

func mustDepth(t *testing.T, md *MarketData, market uint32, n int) marketdata.Depth {
	t.Helper()
	d, err := md.Depth(context.Background(), market, n)
	if err != nil {
		t.Fatalf("depth of %d: %v", market, err)
	}
	return d
}

func levels(pairs ...int64) []marketdata.Level {
	ls := []marketdata.Level{}
	for i := 0; i < len(pairs); i += 2 {
		ls = append(ls, marketdata.Level{Price: pairs[i], Size: pairs[i+1]})
	}
	return ls
}

func bid(price, size int64) marketdata.LevelChange {
	return marketdata.LevelChange{Side: marketdata.Bid, Price: price, Size: size}
}

func ask(price, size int64) marketdata.LevelChange {
	return marketdata.LevelChange{Side: marketdata.Ask, Price: price, Size: size}
}

// oneMarket is an update of market 1 alone.
func oneMarket(seq, prev uint64, mu marketdata.MarketUpdate) *marketdata.Update {
	mu.Market, mu.Seq, mu.PrevSeq = 1, seq, prev
	return &marketdata.Update{Seq: seq, Markets: []marketdata.MarketUpdate{mu}}
}

func TestMarketDataLevels(t *testing.T) {
	onEachRedis(t, func(t *testing.T, rdb *redis.Client, prefix string) {
		md := NewMarketData(rdb, prefix, MarketDataOptions{})
		ctx := context.Background()
		if d := mustDepth(t, md, 1, 0); d.Seq != 0 || len(d.Bids) != 0 || len(d.Asks) != 0 || d.Bids == nil {
			t.Fatalf("empty market: %+v", d)
		}
		mustApply(t, md, oneMarket(1, 0, marketdata.MarketUpdate{Levels: []marketdata.LevelChange{
			bid(100, 5), bid(99, 7), bid(101, 1), bid(9, 4), bid(1000, 2),
			ask(102, 3), ask(110, 8), ask(103, 6), ask(1000000, 9),
		}}))
		d := mustDepth(t, md, 1, 0)
		if want := levels(1000, 2, 101, 1, 100, 5, 99, 7, 9, 4); d.Seq != 1 || !reflect.DeepEqual(d.Bids, want) {
			t.Fatalf("bids %v seq %d, want %v", d.Bids, d.Seq, want)
		}
		if want := levels(102, 3, 103, 6, 110, 8, 1000000, 9); !reflect.DeepEqual(d.Asks, want) {
			t.Fatalf("asks %v, want %v", d.Asks, want)
		}
		// Overwrite, delete, delete an absent level, and set one twice in
		// one update (the last wins).
		mustApply(t, md, oneMarket(2, 1, marketdata.MarketUpdate{Levels: []marketdata.LevelChange{
			bid(100, 50), bid(1000, 0), bid(55, 0), ask(103, 0), ask(104, 1), ask(104, 2),
		}}))
		d = mustDepth(t, md, 1, 0)
		if want := levels(101, 1, 100, 50, 99, 7, 9, 4); d.Seq != 2 || !reflect.DeepEqual(d.Bids, want) {
			t.Fatalf("bids after changes %v seq %d, want %v", d.Bids, d.Seq, want)
		}
		if want := levels(102, 3, 104, 2, 110, 8, 1000000, 9); !reflect.DeepEqual(d.Asks, want) {
			t.Fatalf("asks after changes %v, want %v", d.Asks, want)
		}
		d = mustDepth(t, md, 1, 2)
		if !reflect.DeepEqual(d.Bids, levels(101, 1, 100, 50)) || !reflect.DeepEqual(d.Asks, levels(102, 3, 104, 2)) {
			t.Fatalf("best 2: %+v", d)
		}
		if d := mustDepth(t, md, 2, 0); d.Seq != 0 || len(d.Bids)+len(d.Asks) != 0 {
			t.Fatalf("another market: %+v", d)
		}
		// The layout is the documented one.
		if got := rdb.ZRange(ctx, prefix+"md:1:bids", 0, 0).Val(); len(got) != 1 || got[0] != "00000000000000000009:4" {
			t.Fatalf("stored bid members %q", got)
		}
		if got := rdb.Get(ctx, prefix+"md:1:seq").Val(); got != "2" {
			t.Fatalf("stored market seq %q", got)
		}
	})
}

func TestMarketDataPricesAbove2To53(t *testing.T) {
	onEachRedis(t, func(t *testing.T, rdb *redis.Client, prefix string) {
		md := NewMarketData(rdb, prefix, MarketDataOptions{})
		const p = int64(1) << 53 // p+1 is the first integer a float64 cannot hold
		mustApply(t, md, oneMarket(1, 0, marketdata.MarketUpdate{Levels: []marketdata.LevelChange{
			bid(p+1, 1), bid(p, 2), bid(p+3, 3), bid(p+2, 4),
			ask(math.MaxInt64, 5), ask(math.MaxInt64-1, 6), ask(p+5, 7),
		}}))
		d := mustDepth(t, md, 1, 0)
		if want := levels(p+3, 3, p+2, 4, p+1, 1, p, 2); !reflect.DeepEqual(d.Bids, want) {
			t.Fatalf("bids %v, want %v", d.Bids, want)
		}
		if want := levels(p+5, 7, math.MaxInt64-1, 6, math.MaxInt64, 5); !reflect.DeepEqual(d.Asks, want) {
			t.Fatalf("asks %v, want %v", d.Asks, want)
		}
		// Deleting p+1 leaves p and p+2, which a float64 would confuse with it.
		mustApply(t, md, oneMarket(2, 1, marketdata.MarketUpdate{Levels: []marketdata.LevelChange{bid(p+1, 0)}}))
		if d := mustDepth(t, md, 1, 0); !reflect.DeepEqual(d.Bids, levels(p+3, 3, p+2, 4, p, 2)) {
			t.Fatalf("bids after deleting p+1: %v", d.Bids)
		}
		// Trades, candles and the ticker keep such numbers too.
		start := marketdata.Minute.Start(math.MaxInt64 - int64(time.Hour))
		tr := marketdata.Trade{Seq: 3, Time: math.MaxInt64, Price: p + 1, Size: math.MaxInt64, QuoteAmount: p + 7, TakerSide: marketdata.Ask}
		c := marketdata.Candle{Interval: marketdata.Minute, Start: start, Open: p + 1, High: math.MaxInt64, Low: p - 1, Close: p + 3, Volume: p + 9}
		tk := marketdata.Ticker{Time: math.MaxInt64, Last: p + 1, High: math.MaxInt64}
		mustApply(t, md, oneMarket(3, 2, marketdata.MarketUpdate{Trades: []marketdata.Trade{tr}, Candles: []marketdata.Candle{c}, Ticker: &tk}))
		ctx := context.Background()
		if got, err := md.Trades(ctx, 1, 0); err != nil || len(got) != 1 || got[0] != tr {
			t.Fatalf("trades %+v %v", got, err)
		}
		if got, err := md.Candles(ctx, 1, marketdata.Minute, start, start, 0); err != nil || len(got) != 1 || got[0] != c {
			t.Fatalf("candles %+v %v", got, err)
		}
		if got, ok, err := md.Ticker(ctx, 1); err != nil || !ok || got != tk {
			t.Fatalf("ticker %+v %v %v", got, ok, err)
		}
	})
}

func TestMarketDataApplyIsIdempotentAndChecked(t *testing.T) {
	onEachRedis(t, func(t *testing.T, rdb *redis.Client, prefix string) {
		md := NewMarketData(rdb, prefix, MarketDataOptions{})
		ctx := context.Background()
		if cp, err := md.Checkpoint(ctx); cp != 0 || err != nil {
			t.Fatalf("empty checkpoint %d %v", cp, err)
		}
		u := oneMarket(5, 0, marketdata.MarketUpdate{
			Levels: []marketdata.LevelChange{bid(100, 10)},
			Trades: []marketdata.Trade{{Seq: 5, Price: 100, Size: 1}},
		})
		mustApply(t, md, u)
		mustApply(t, md, u) // the projector's retry after a lost reply
		mustApply(t, md, oneMarket(3, 0, marketdata.MarketUpdate{
			Levels: []marketdata.LevelChange{bid(100, 99)},
			Trades: []marketdata.Trade{{Seq: 3, Price: 1, Size: 1}},
		}))
		if cp, err := md.Checkpoint(ctx); cp != 5 || err != nil {
			t.Fatalf("checkpoint %d %v, want 5", cp, err)
		}
		if got, _ := md.Trades(ctx, 1, 0); len(got) != 1 || got[0].Seq != 5 {
			t.Fatalf("trades after a retry and an old update: %+v", got)
		}
		if d := mustDepth(t, md, 1, 0); d.Seq != 5 || !reflect.DeepEqual(d.Bids, levels(100, 10)) {
			t.Fatalf("depth after an old update: %+v", d)
		}

		// Refused updates write nothing, not even their valid markets.
		good := marketdata.MarketUpdate{Market: 1, Seq: 6, PrevSeq: 5, Levels: []marketdata.LevelChange{bid(100, 1)}, Trades: []marketdata.Trade{{Seq: 6}}}
		aligned := marketdata.Minute.Start(time.Now().UnixNano())
		for name, u := range map[string]*marketdata.Update{
			"nil":               nil,
			"seq 0":             {Seq: 0, Markets: []marketdata.MarketUpdate{{Market: 1, Seq: 0}}},
			"empty seq 0":       {},
			"market seq 0":      {Seq: 6, Markets: []marketdata.MarketUpdate{good, {Market: 2}}},
			"market seq ahead":  {Seq: 6, Markets: []marketdata.MarketUpdate{good, {Market: 2, Seq: 7}}},
			"prev not below":    {Seq: 6, Markets: []marketdata.MarketUpdate{good, {Market: 2, Seq: 6, PrevSeq: 6}}},
			"market twice":      {Seq: 6, Markets: []marketdata.MarketUpdate{good, good}},
			"price 0":           {Seq: 6, Markets: []marketdata.MarketUpdate{good, {Market: 2, Seq: 6, Levels: []marketdata.LevelChange{bid(0, 1)}}}},
			"negative price":    {Seq: 6, Markets: []marketdata.MarketUpdate{good, {Market: 2, Seq: 6, Levels: []marketdata.LevelChange{ask(-5, 1)}}}},
			"negative size":     {Seq: 6, Markets: []marketdata.MarketUpdate{good, {Market: 2, Seq: 6, Levels: []marketdata.LevelChange{ask(5, -1)}}}},
			"side 0":            {Seq: 6, Markets: []marketdata.MarketUpdate{good, {Market: 2, Seq: 6, Levels: []marketdata.LevelChange{{Price: 5, Size: 1}}}}},
			"candle interval 0": {Seq: 6, Markets: []marketdata.MarketUpdate{good, {Market: 2, Seq: 6, Candles: []marketdata.Candle{{Start: aligned}}}}},
			"candle unaligned":  {Seq: 6, Markets: []marketdata.MarketUpdate{good, {Market: 2, Seq: 6, Candles: []marketdata.Candle{{Interval: marketdata.Minute, Start: aligned + 1}}}}},
		} {
			if err := md.Apply(ctx, u); !errors.Is(err, ErrInvalidMarketUpdate) {
				t.Errorf("%s: %v, want ErrInvalidMarketUpdate", name, err)
			}
		}
		if cp, _ := md.Checkpoint(ctx); cp != 5 {
			t.Fatalf("refused updates moved the checkpoint to %d", cp)
		}
		if got, _ := md.Trades(ctx, 1, 0); len(got) != 1 {
			t.Fatalf("refused updates wrote trades: %+v", got)
		}
		if d := mustDepth(t, md, 1, 0); d.Seq != 5 || !reflect.DeepEqual(d.Bids, levels(100, 10)) {
			t.Fatalf("refused updates wrote levels: %+v", d)
		}
		// An update without markets still moves the checkpoint.
		mustApply(t, md, &marketdata.Update{Seq: 6})
		if cp, _ := md.Checkpoint(ctx); cp != 6 {
			t.Fatalf("checkpoint %d after an empty update, want 6", cp)
		}
		// Checkpoints compare as numbers, not as strings ("10" > "9").
		mustApply(t, md, &marketdata.Update{Seq: 9})
		mustApply(t, md, &marketdata.Update{Seq: 10})
		mustApply(t, md, &marketdata.Update{Seq: math.MaxUint64})
		mustApply(t, md, &marketdata.Update{Seq: math.MaxUint64 - 1})
		if cp, _ := md.Checkpoint(ctx); cp != math.MaxUint64 {
			t.Fatalf("checkpoint %d, want MaxUint64", cp)
		}
	})
}

func TestMarketDataTrades(t *testing.T) {
	onEachRedis(t, func(t *testing.T, rdb *redis.Client, prefix string) {
		md := NewMarketData(rdb, prefix, MarketDataOptions{RecentTrades: 5})
		ctx := context.Background()
		if got, err := md.Trades(ctx, 1, 0); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("no trades: %v %v", got, err)
		}
		for seq := uint64(1); seq <= 3; seq++ {
			var trades []marketdata.Trade // oldest first, as the projector has them
			for i := range uint16(3) {
				trades = append(trades, marketdata.Trade{Seq: seq, Index: i, Time: int64(seq)*1000 + int64(i), Price: 100, Size: 1, QuoteAmount: 100, TakerSide: marketdata.Bid})
			}
			mustApply(t, md, oneMarket(seq, seq-1, marketdata.MarketUpdate{Trades: trades}))
		}
		got, err := md.Trades(ctx, 1, 0)
		if err != nil || len(got) != 5 {
			t.Fatalf("trades: %d, %v; want 5", len(got), err)
		}
		want := [][2]uint64{{3, 2}, {3, 1}, {3, 0}, {2, 2}, {2, 1}}
		for i, w := range want {
			if got[i].Seq != w[0] || uint64(got[i].Index) != w[1] {
				t.Fatalf("trade %d is %d/%d, want %d/%d (newest first)", i, got[i].Seq, got[i].Index, w[0], w[1])
			}
		}
		if got, _ := md.Trades(ctx, 1, 2); len(got) != 2 || got[0].Seq != 3 || got[0].Index != 2 || got[1].Index != 1 {
			t.Fatalf("2 newest: %+v", got)
		}
		if n := rdb.LLen(ctx, prefix+"md:1:trades").Val(); n != 5 {
			t.Fatalf("stored %d trades, want 5", n)
		}
		// More trades in one update than are kept.
		var many []marketdata.Trade
		for i := range uint16(600) { // over one LPUSH's worth
			many = append(many, marketdata.Trade{Seq: 4, Index: i})
		}
		mustApply(t, md, oneMarket(4, 3, marketdata.MarketUpdate{Trades: many}))
		if got, _ := md.Trades(ctx, 1, 0); len(got) != 5 || got[0].Index != 599 || got[4].Index != 595 {
			t.Fatalf("after 600 trades at once: %+v", got)
		}
	})
}

func TestMarketDataCandles(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC).UnixNano() // above 2^53
	m := int64(time.Minute)
	candle := func(iv marketdata.Interval, start, close int64) marketdata.Candle {
		return marketdata.Candle{Interval: iv, Start: start, Open: 100, High: max(100, close), Low: min(100, close), Close: close, Volume: 1, QuoteVolume: close, Trades: 1}
	}
	starts := func(cs []marketdata.Candle) []int64 {
		var s []int64
		for _, c := range cs {
			s = append(s, (c.Start-t0)/m)
		}
		return s
	}
	onEachRedis(t, func(t *testing.T, rdb *redis.Client, prefix string) {
		md := NewMarketData(rdb, prefix, MarketDataOptions{CandleRetention: map[marketdata.Interval]time.Duration{
			marketdata.Minute: 3 * time.Minute, // 5m and up: forever
		}})
		ctx := context.Background()
		mustApply(t, md, oneMarket(1, 0, marketdata.MarketUpdate{Candles: []marketdata.Candle{
			candle(marketdata.Minute, t0, 101), candle(marketdata.Minute, t0+m, 102), candle(marketdata.FiveMinute, t0, 101),
		}}))
		mustApply(t, md, oneMarket(2, 1, marketdata.MarketUpdate{Candles: []marketdata.Candle{
			candle(marketdata.Minute, t0, 111), candle(marketdata.Minute, t0+2*m, 103),
		}}))
		got, err := md.Candles(ctx, 1, marketdata.Minute, t0, t0+10*m, 0)
		if err != nil || !reflect.DeepEqual(starts(got), []int64{0, 1, 2}) {
			t.Fatalf("1m candles at minutes %v, %v; want 0 1 2", starts(got), err)
		}
		if got[0] != candle(marketdata.Minute, t0, 111) {
			t.Fatalf("upserted candle %+v", got[0])
		}
		for _, c := range []struct {
			from, to int64
			limit    int
			want     []int64
		}{
			{t0 + 1, t0 + 2*m - 1, 0, []int64{1}}, // bounds off the interval
			{t0 + m, t0 + 2*m, 0, []int64{1, 2}},  // bounds inclusive
			{t0, t0 + 10*m, 2, []int64{0, 1}},     // limit keeps the oldest
			{t0 - 10*m, t0 - 1, 0, nil},
			{t0 + m, t0, 0, nil}, // from after to
			{math.MinInt64, math.MaxInt64, 0, []int64{0, 1, 2}},
		} {
			got, err := md.Candles(ctx, 1, marketdata.Minute, c.from, c.to, c.limit)
			if err != nil || got == nil || !reflect.DeepEqual(starts(got), c.want) {
				t.Errorf("candles in [%d, %d] limit %d: minutes %v (%v), want %v", c.from-t0, c.to-t0, c.limit, starts(got), err, c.want)
			}
		}
		if got, _ := md.Candles(ctx, 2, marketdata.Minute, t0, t0, 0); len(got) != 0 {
			t.Fatalf("another market's candles: %+v", got)
		}
		if _, err := md.Candles(ctx, 1, 0, t0, t0, 0); err == nil {
			t.Fatal("candles of interval 0")
		}

		// Retention: minute 5 is the newest, so minutes 3, 4, 5 stay.
		mustApply(t, md, oneMarket(3, 2, marketdata.MarketUpdate{Candles: []marketdata.Candle{
			candle(marketdata.Minute, t0+3*m, 104), candle(marketdata.Minute, t0+5*m, 106), candle(marketdata.Minute, t0+4*m, 105),
			candle(marketdata.FiveMinute, t0+10000*5*m, 101),
		}}))
		if got, _ := md.Candles(ctx, 1, marketdata.Minute, math.MinInt64, math.MaxInt64, 0); !reflect.DeepEqual(starts(got), []int64{3, 4, 5}) {
			t.Fatalf("1m candles after trimming at minutes %v, want 3 4 5", starts(got))
		}
		if got, _ := md.Candles(ctx, 1, marketdata.FiveMinute, math.MinInt64, math.MaxInt64, 0); len(got) != 2 {
			t.Fatalf("5m candles (kept forever): %d, want 2", len(got))
		}
	})
}

func TestMarketDataDefaultCandleRetention(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	day := int64(24 * time.Hour)
	onEachRedis(t, func(t *testing.T, rdb *redis.Client, prefix string) {
		md := NewMarketData(rdb, prefix, MarketDataOptions{})
		ctx := context.Background()
		var cs []marketdata.Candle
		for _, iv := range marketdata.Intervals {
			cs = append(cs, marketdata.Candle{Interval: iv, Start: t0}, marketdata.Candle{Interval: iv, Start: t0 + int64(iv.Duration())})
		}
		mustApply(t, md, oneMarket(1, 0, marketdata.MarketUpdate{Candles: cs}))
		// 1m: 7 days, 5m: 30, 1h: 400; 1d: forever. Each newest candle
		// sits exactly its retention after t0, which then goes; the
		// candle one interval later stays.
		newest := map[marketdata.Interval]int64{
			marketdata.Minute: t0 + 7*day, marketdata.FiveMinute: t0 + 30*day, marketdata.Hour: t0 + 400*day, marketdata.Day: t0 + 10000*day,
		}
		cs = nil
		for iv, start := range newest {
			cs = append(cs, marketdata.Candle{Interval: iv, Start: start})
		}
		mustApply(t, md, oneMarket(2, 1, marketdata.MarketUpdate{Candles: cs}))
		for _, iv := range marketdata.Intervals {
			got, err := md.Candles(ctx, 1, iv, math.MinInt64, math.MaxInt64, 0)
			want := []int64{t0 + int64(iv.Duration()), newest[iv]}
			if iv == marketdata.Day {
				want = append([]int64{t0}, want...)
			}
			var gotStarts []int64
			for _, c := range got {
				gotStarts = append(gotStarts, c.Start)
			}
			if err != nil || !reflect.DeepEqual(gotStarts, want) {
				t.Errorf("%v: starts %v (%v), want %v", iv, gotStarts, err, want)
			}
		}
	})
}

func TestMarketDataTickerAndSeq(t *testing.T) {
	onEachRedis(t, func(t *testing.T, rdb *redis.Client, prefix string) {
		md := NewMarketData(rdb, prefix, MarketDataOptions{})
		ctx := context.Background()
		if _, ok, err := md.Ticker(ctx, 1); ok || err != nil {
			t.Fatalf("no ticker: ok %v, %v", ok, err)
		}
		if seq, err := md.MarketSeq(ctx, 1); seq != 0 || err != nil {
			t.Fatalf("seq of a new market %d %v", seq, err)
		}
		if ms, err := md.Markets(ctx); len(ms) != 0 || err != nil {
			t.Fatalf("markets of an empty store %v %v", ms, err)
		}
		tk := marketdata.Ticker{Time: 5, Last: 100, Open: 90, High: 110, Low: 80, Volume: 7, QuoteVolume: 700, Trades: 3}
		mustApply(t, md, &marketdata.Update{Seq: 4, Markets: []marketdata.MarketUpdate{
			{Market: 1, Seq: 4, Ticker: &tk}, {Market: 2, Seq: 3},
		}})
		mustApply(t, md, oneMarket(5, 4, marketdata.MarketUpdate{})) // no ticker: unchanged
		if got, ok, err := md.Ticker(ctx, 1); !ok || err != nil || got != tk {
			t.Fatalf("ticker %+v ok %v %v, want %+v", got, ok, err, tk)
		}
		if _, ok, _ := md.Ticker(ctx, 2); ok {
			t.Fatal("market 2 got a ticker")
		}
		mustApply(t, md, &marketdata.Update{Seq: 5, Markets: []marketdata.MarketUpdate{{Market: 300, Seq: 5}}}) // a no-op
		if ms, err := md.Markets(ctx); !reflect.DeepEqual(ms, []uint32{1, 2}) || err != nil {
			t.Fatalf("markets %v %v, want 1 2", ms, err)
		}
		mustApply(t, md, &marketdata.Update{Seq: 6, Markets: []marketdata.MarketUpdate{{Market: 10, Seq: 6}}})
		if ms, _ := md.Markets(ctx); !reflect.DeepEqual(ms, []uint32{1, 2, 10}) {
			t.Fatalf("markets %v, want 1 2 10 (numeric order)", ms)
		}
		for market, want := range map[uint32]uint64{1: 5, 2: 3, 3: 0} {
			if seq, err := md.MarketSeq(ctx, market); seq != want || err != nil {
				t.Errorf("seq of market %d: %d %v, want %d", market, seq, err, want)
			}
		}
		tk2 := tk
		tk2.Last = 120
		mustApply(t, md, oneMarket(7, 5, marketdata.MarketUpdate{Ticker: &tk2}))
		if got, _, _ := md.Ticker(ctx, 1); got != tk2 {
			t.Fatalf("ticker %+v, want %+v", got, tk2)
		}
	})
}

// nextUpdate waits for a subscription's next update.
func nextUpdate(t *testing.T, s *MarketDataSubscription) marketdata.MarketUpdate {
	t.Helper()
	select {
	case u, ok := <-s.Updates():
		if !ok {
			t.Fatal("subscription closed")
		}
		return u
	case <-time.After(5 * time.Second):
		t.Fatal("no update within 5 s")
	}
	panic("unreachable")
}

func TestMarketDataPubSub(t *testing.T) {
	onEachRedis(t, func(t *testing.T, rdb *redis.Client, prefix string) {
		md := NewMarketData(rdb, prefix, MarketDataOptions{})
		ctx := context.Background()
		sub := md.Subscribe(ctx, 1, 2, 1)
		if sub.Err() != nil {
			t.Fatal(sub.Err())
		}
		defer sub.Close()
		tk := marketdata.Ticker{Last: 100}
		u1 := &marketdata.Update{Seq: 1, Markets: []marketdata.MarketUpdate{
			{Market: 1, Seq: 1, Levels: []marketdata.LevelChange{bid(100, 5)}, Trades: []marketdata.Trade{{Seq: 1, Price: 100, Size: 1}}},
			{Market: 2, Seq: 1, Candles: []marketdata.Candle{{Interval: marketdata.Hour, Start: 0, Close: 9}}, Ticker: &tk},
		}}
		mustApply(t, md, u1) // at once: Subscribe has waited for the confirmation
		for _, want := range u1.Markets {
			if got := nextUpdate(t, sub); !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		}
		mustApply(t, md, u1) // a retry: not published again
		mustApply(t, md, &marketdata.Update{Seq: 2, Markets: []marketdata.MarketUpdate{{Market: 3, Seq: 2}}})
		mustApply(t, md, &marketdata.Update{Seq: 3, Markets: []marketdata.MarketUpdate{{Market: 2, Seq: 3, PrevSeq: 1}}})
		mustApply(t, md, &marketdata.Update{Seq: 4, Markets: []marketdata.MarketUpdate{{Market: 1, Seq: 4, PrevSeq: 1}}})
		for _, want := range [][3]uint64{{2, 3, 1}, {1, 4, 1}} { // market, seq, prev
			got := nextUpdate(t, sub)
			if uint64(got.Market) != want[0] || got.Seq != want[1] || got.PrevSeq != want[2] {
				t.Fatalf("got market %d seq %d prev %d, want %v", got.Market, got.Seq, got.PrevSeq, want)
			}
		}

		// Every market, and only this prefix's: the other prefix differs in
		// a character that the pattern would match if not escaped.
		mdStar := NewMarketData(rdb, prefix+"x*[a]?:", MarketDataOptions{})
		mdOther := NewMarketData(rdb, prefix+"xQQa!:", MarketDataOptions{}) // matches x*[a]?:
		all := mdStar.Subscribe(ctx)
		if all.Err() != nil {
			t.Fatal(all.Err())
		}
		mustApply(t, mdOther, &marketdata.Update{Seq: 1, Markets: []marketdata.MarketUpdate{{Market: 7, Seq: 1}}})
		mustApply(t, mdStar, &marketdata.Update{Seq: 1, Markets: []marketdata.MarketUpdate{{Market: 8, Seq: 1}, {Market: 9, Seq: 1}}})
		for _, want := range []uint32{8, 9} {
			if got := nextUpdate(t, all); got.Market != want {
				t.Fatalf("subscription to every market got market %d, want %d", got.Market, want)
			}
		}
		if err := all.Close(); err != nil {
			t.Fatal(err)
		}
		if _, ok := <-all.Updates(); ok {
			t.Fatal("updates after Close")
		}
		all.Close() // twice is fine

		// Cancelling Subscribe's context ends the subscription.
		cctx, cancel := context.WithCancel(ctx)
		sub2 := md.Subscribe(cctx, 1)
		cancel()
		select {
		case _, ok := <-sub2.Updates():
			if ok {
				t.Fatal("an update after cancelling")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("cancelling did not end the subscription")
		}
		sub2.Close()
	})
}

// TestMarketDataSubscribeRace: an update applied right after Subscribe
// returns is never missed.
func TestMarketDataSubscribeRace(t *testing.T) {
	onEachRedis(t, func(t *testing.T, rdb *redis.Client, prefix string) {
		md := NewMarketData(rdb, prefix, MarketDataOptions{})
		for seq := uint64(1); seq <= 50; seq++ {
			sub := md.Subscribe(context.Background(), 1)
			mustApply(t, md, oneMarket(seq, seq-1, marketdata.MarketUpdate{}))
			if got := nextUpdate(t, sub); got.Seq != seq {
				t.Fatalf("got seq %d, want %d", got.Seq, seq)
			}
			sub.Close()
		}
	})
}

// TestMarketDataDepthIsConsistent: while a writer applies updates that set
// every level's size to the update's seq, and add a level on even seqs and
// remove it on odd ones, every Depth shows levels of one update only, the
// one its Seq names. A torn read (levels from one update, Seq from
// another, or sides from two) fails.
func TestMarketDataDepthIsConsistent(t *testing.T) {
	const updates = 800
	onEachRedis(t, func(t *testing.T, rdb *redis.Client, prefix string) {
		md := NewMarketData(rdb, prefix, MarketDataOptions{})
		ctx := context.Background()
		mustApply(t, md, oneMarket(1, 0, marketdata.MarketUpdate{Levels: []marketdata.LevelChange{bid(1000, 1), ask(2000, 1)}}))
		var wg sync.WaitGroup
		done, stop := make(chan struct{}), make(chan struct{})
		defer func() { close(stop); wg.Wait() }() // also when the reader fails
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done)
			for seq := uint64(2); seq <= updates; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				size := int64(seq)
				var ch []marketdata.LevelChange
				for i := range int64(10) {
					ch = append(ch, bid(1000-i, size), ask(2000+i, size))
				}
				extra := int64(0)
				if seq%2 == 0 {
					extra = size
				}
				ch = append(ch, bid(500, extra), ask(3000, extra))
				if err := md.Apply(ctx, oneMarket(seq, seq-1, marketdata.MarketUpdate{Levels: ch})); err != nil {
					t.Errorf("apply %d: %v", seq, err)
					return
				}
			}
		}()
		reads, seqs, last := 0, map[uint64]bool{}, uint64(0)
		for finished := false; !finished; reads++ {
			select {
			case <-done:
				finished = true
			default:
			}
			d, err := md.Depth(ctx, 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			if d.Seq < last {
				t.Fatalf("seq went back from %d to %d", last, d.Seq)
			}
			last = d.Seq
			seqs[d.Seq] = true
			want := 1
			if d.Seq > 1 {
				want = 10 + int(1-d.Seq%2)
			}
			if len(d.Bids) != want || len(d.Asks) != want {
				t.Fatalf("seq %d: %d bids, %d asks, want %d each", d.Seq, len(d.Bids), len(d.Asks), want)
			}
			for _, l := range append(d.Bids, d.Asks...) {
				if l.Size != int64(d.Seq) {
					t.Fatalf("torn read: seq %d has level %d of size %d", d.Seq, l.Price, l.Size)
				}
			}
		}
		wg.Wait()
		if last != updates {
			t.Fatalf("last read at seq %d, want %d", last, updates)
		}
		if len(seqs) < 10 {
			t.Fatalf("reads saw only %d distinct seqs in %d reads: the test did not interleave", len(seqs), reads)
		}
		t.Logf("%d reads saw %d distinct seqs", reads, len(seqs))
	})
}

// TestMarketDataDeadRedis: against a port where nothing listens, calls fail
// within their deadline, and a failed Subscribe says so.
func TestMarketDataDeadRedis(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer rdb.Close()
	md := NewMarketData(rdb, "lpxtest:dead:", MarketDataOptions{Timeout: 300 * time.Millisecond})
	start := time.Now()
	if err := md.Apply(context.Background(), &marketdata.Update{Seq: 1}); err == nil || errors.Is(err, ErrInvalidMarketUpdate) {
		t.Fatalf("apply to a dead Redis: %v", err)
	}
	if _, err := md.Depth(context.Background(), 1, 0); err == nil {
		t.Fatal("depth from a dead Redis succeeded")
	}
	sub := md.Subscribe(context.Background(), 1)
	if sub.Err() == nil {
		t.Fatal("subscribing to a dead Redis succeeded")
	}
	if _, ok := <-sub.Updates(); ok {
		t.Fatal("a failed subscription delivered")
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v", d)
	}
}
