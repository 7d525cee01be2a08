package sqlstore

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/lpx-exchange/lpx/history"
	"github.com/lpx-exchange/lpx/migrations"
)

// BenchmarkHistoryTrades measures ApplyHistory with batches of 1,000
// trades, each from a command of its own, on PostgreSQL and SQLite (a
// fresh database each, on this machine's disk, fsync on):
//
//   - trades: the batch holds the trades only;
//   - trades+ledger: each trade also comes with its 4 ledger entries
//     (base and quote of taker and maker) and 2 order updates (taker and
//     maker, 2,000 different orders per batch, so nothing folds).
//
// One op is one batch, committed; trades/s is 1,000 per op. Run with
// -benchtime=20x: every op adds 1,000 trades to the tables.
func BenchmarkHistoryTrades(b *testing.B) {
	for _, d := range []migrations.Dialect{migrations.Postgres, migrations.SQLite} {
		for _, withLedger := range []bool{false, true} {
			name := string(d) + "/trades"
			if withLedger {
				name += "+ledger"
			}
			b.Run(name, func(b *testing.B) { benchmarkHistoryTrades(b, d, withLedger) })
		}
	}
}

const (
	histBenchTrades   = 1000
	histBenchOrders   = 50_000 // resting orders the trades fill, created before timing
	histBenchAccounts = 1000
)

func benchmarkHistoryTrades(b *testing.B, d migrations.Dialect, withLedger bool) {
	ctx := context.Background()
	db := openTestDB(b, d)
	r := rand.New(rand.NewPCG(1, 2))
	orders := make([]history.Order, histBenchOrders)
	owner := make([]uint32, histBenchOrders)
	for i := range orders {
		owner[i] = 2 + uint32(r.IntN(histBenchAccounts))
		orders[i] = history.Order{ID: uint64(1)<<32 | uint64(i), Account: owner[i], Market: 1, Side: "sell", Type: "limit", TIF: "gtc",
			Price: 1000, Size: 1 << 40, Remaining: 1 << 40, Seq: 1, Time: 1}
	}
	var seq uint64 // the checkpoint
	if withLedger {
		if err := db.ApplyHistory(ctx, "history", &history.Batch{First: 1, Seq: 1, Orders: orders}); err != nil {
			b.Fatal(err)
		}
		seq = 1
	}
	next := 0 // the next order to fill
	batch := &history.Batch{}
	b.ReportAllocs()
	for b.Loop() {
		batch.Trades, batch.Ledger, batch.OrderUpdates = batch.Trades[:0], batch.Ledger[:0], batch.OrderUpdates[:0]
		batch.First = seq + 1
		for range histBenchTrades {
			seq++
			taker, maker := next, (next+1)%histBenchOrders
			next = (next + 2) % histBenchOrders
			size := 1 + r.Int64N(100)
			price := 990 + r.Int64N(20)
			quote := size * price
			t := history.Trade{Seq: seq, Market: 1, Price: price, Size: size, QuoteAmount: quote, TakerSide: "buy",
				TakerAccount: owner[taker], TakerOrder: orders[taker].ID, TakerFee: quote / 500,
				MakerAccount: owner[maker], MakerOrder: orders[maker].ID, MakerFee: quote / 1000, Time: int64(seq)}
			batch.Trades = append(batch.Trades, t)
			if !withLedger {
				continue
			}
			batch.OrderUpdates = append(batch.OrderUpdates,
				history.OrderUpdate{ID: t.TakerOrder, FilledDelta: size, FeesDelta: t.TakerFee, Remaining: 1 << 30, HasRemaining: true, Seq: seq, Time: t.Time},
				history.OrderUpdate{ID: t.MakerOrder, FilledDelta: size, FeesDelta: t.MakerFee, Remaining: 1 << 30, HasRemaining: true, Seq: seq, Time: t.Time})
			for i, e := range [4]struct {
				account, asset uint32
				delta          int64
			}{{t.TakerAccount, 1, size}, {t.TakerAccount, 2, -quote - t.TakerFee}, {t.MakerAccount, 1, -size}, {t.MakerAccount, 2, quote - t.MakerFee}} {
				batch.Ledger = append(batch.Ledger, history.LedgerEntry{Seq: seq, Idx: uint32(i), Account: e.account, Asset: e.asset,
					Available: 1 << 40, Held: 1 << 20, AvailableDelta: e.delta, Reason: "trade", Reference: "order:4294967296", Time: t.Time})
			}
		}
		batch.Seq = seq
		if err := db.ApplyHistory(ctx, "history", batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*histBenchTrades)/b.Elapsed().Seconds(), "trades/s")
}
