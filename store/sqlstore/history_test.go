package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/lpx-exchange/lpx/history"
	"pgregory.net/rapid"
)

// The methods exchange.HistoryStore asks for (declared there; repeated
// here so that this package's tests do not import exchange).
var _ interface {
	HistoryCheckpoint(ctx context.Context, name string) (uint64, error)
	ApplyHistory(ctx context.Context, name string, b *history.Batch) error
	LastBalance(ctx context.Context, account, asset uint32) (available, held int64, ok bool, err error)
} = (*DB)(nil)

const histTopBit = uint64(1) << 63

// histApply stores b; a batch built without First covers everything
// from the checkpoint on.
func histApply(t *testing.T, db *DB, name string, b *history.Batch) {
	t.Helper()
	if b.First == 0 {
		b.First = histCheckpoint(t, db, name) + 1
	}
	if err := db.ApplyHistory(context.Background(), name, b); err != nil {
		t.Fatalf("apply batch %d: %v", b.Seq, err)
	}
}

func histCheckpoint(t *testing.T, db *DB, name string) uint64 {
	t.Helper()
	cp, err := db.HistoryCheckpoint(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// histTables are the tables ApplyHistory writes.
var histTables = []string{"assets", "markets", "orders", "trades", "ledger_entries", "deposits", "withdrawals", "redemptions", "projector_checkpoints"}

// histSnapshot is every row of the tables ApplyHistory writes, as text,
// table by table (projector_checkpoints without its wall-clock time).
func histSnapshot(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	snap := map[string][]string{}
	for _, table := range histTables {
		query := "SELECT * FROM " + table
		if table == "projector_checkpoints" {
			query = "SELECT name, seq FROM " + table
		}
		rows, err := db.DB.QueryContext(context.Background(), query)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			snap[table] = append(snap[table], fmt.Sprint(vals...))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(snap[table])
	}
	return snap
}

func histCount(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// histInsertDeposit stores a deposit the chain watcher saw (status seen).
func histInsertDeposit(t *testing.T, db *DB, ref [32]byte) {
	t.Helper()
	_, err := db.DB.ExecContext(context.Background(), db.q(`INSERT INTO deposits
		(chain_id, tx_hash, log_index, ref, account_id, asset_id, amount_raw, amount, block_number, block_hash, status, created_at, updated_at)
		VALUES (?, ?, 0, ?, 2, 1, '1000', 1000, 7, '0xb', 'seen', 1, 1)`), 1, fmt.Sprintf("0x%064x", ref[0]), ref[:])
	if err != nil {
		t.Fatal(err)
	}
}

// histInsertWithdrawal stores a withdrawal the API created before the engine
// held it (with its chain and address).
func histInsertWithdrawal(t *testing.T, db *DB, id uint64) {
	t.Helper()
	_, err := db.DB.ExecContext(context.Background(), db.q(`INSERT INTO withdrawals
		(id, account_id, asset_id, amount, chain_id, to_address, status, created_at, updated_at)
		VALUES (?, 2, 1, 30, 1, '0xabc', 'pending', 5, 5)`), int64(id))
	if err != nil {
		t.Fatal(err)
	}
}

type histWithdrawalRow struct {
	Status            string
	Address           *string
	HeldSeq, Settled  *int64
	Amount, UpdatedAt int64
}

func histWithdrawal(t *testing.T, db *DB, id uint64) histWithdrawalRow {
	t.Helper()
	var w histWithdrawalRow
	err := db.DB.QueryRowContext(context.Background(), db.q("SELECT status, to_address, held_seq, settled_seq, amount, updated_at FROM withdrawals WHERE id = ?"),
		int64(id)).Scan(&w.Status, &w.Address, &w.HeldSeq, &w.Settled, &w.Amount, &w.UpdatedAt)
	if err != nil {
		t.Fatalf("withdrawal %d: %v", id, err)
	}
	return w
}

func histPtr[T any](v T) *T { return &v }

// TestHistoryRoundTrip: a batch with a row of every kind, and a second
// that updates them, read back through the reads and the tables.
func TestHistoryRoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		refSeen, refOperator := [32]byte{1}, [32]byte{2}
		histInsertDeposit(t, db, refSeen)
		histInsertWithdrawal(t, db, 501)
		takerOrder, makerOrder := histTopBit|1<<32|7, uint64(1<<32|8)
		b1 := &history.Batch{
			Seq: 10,
			Assets: []history.Asset{
				{ID: 1, Symbol: "EUR", Scale: 2, Kind: "token", Hub: true, Seq: 1},
				{ID: 2, Symbol: "MILES", Scale: 0, Kind: "points", BrandID: 3, ExpiresAt: 1 << 60, Seq: 2},
			},
			Markets:       []history.Market{{ID: 1, Base: 2, Quote: 1, PriceScale: 4, Tick: 5, Lot: 10, MinSize: 20, MakerBps: 10, TakerBps: 20, Status: "open", Seq: 3}},
			MarketUpdates: []history.MarketUpdate{{ID: 1, Status: "halted", Seq: 4}, {ID: 1, Fees: true, MakerBps: -1, TakerBps: 30, Seq: 5}},
			Orders: []history.Order{
				{ID: makerOrder, Account: 3, Market: 1, ClientOrderID: "m-1", Side: "sell", Type: "limit", TIF: "gtc", PostOnly: true,
					Price: 100, Size: 50, Remaining: 50, Seq: 6, Time: 600},
				{ID: takerOrder, Account: 2, Market: 1, ClientOrderID: "t-1", Side: "buy", Type: "limit", TIF: "gtd",
					Price: 105, Size: 20, QuoteAmount: 0, ExpiresAt: 9000, Remaining: 20, Seq: 7, Time: 700},
			},
			OrderUpdates: []history.OrderUpdate{
				{ID: makerOrder, FilledDelta: 20, FeesDelta: 1, Remaining: 30, HasRemaining: true, Seq: 7, Time: 700},
				{ID: takerOrder, FilledDelta: 20, FeesDelta: 4, Remaining: 0, HasRemaining: true, Status: "filled", Seq: 7, Time: 700},
			},
			Trades: []history.Trade{{Seq: 7, Idx: 0, Market: 1, Price: 100, Size: 20, QuoteAmount: 2000, TakerSide: "buy",
				TakerAccount: 2, TakerOrder: takerOrder, TakerFee: 4, MakerAccount: 3, MakerOrder: makerOrder, MakerFee: 1, Time: 700}},
			Ledger: []history.LedgerEntry{
				{Seq: 8, Idx: 0, Account: 2, Asset: 1, Available: 1000, AvailableDelta: 1000, Reason: "deposit", Reference: "deposit:01", Time: 800},
				{Seq: 8, Idx: 1, Account: 2, Asset: 1, Available: 900, Held: 100, AvailableDelta: -100, HeldDelta: 100, Reason: "withdrawal", Reference: "withdrawal:500", Time: 800},
			},
			Deposits: []history.DepositCredit{
				{Ref: refSeen, Account: 2, Asset: 1, Amount: 1000, Seq: 8, Time: 800},
				{Ref: refOperator, Account: 2, Asset: 1, Amount: 5, Seq: 8, Time: 800}, // an operator's: no row
			},
			Withdrawals: []history.WithdrawalEvent{
				{ID: 500, Kind: "held", Account: 2, Asset: 1, Amount: 100, Seq: 8, Time: 800},
				{ID: 501, Kind: "held", Account: 2, Asset: 1, Amount: 30, Seq: 8, Time: 810},
				{ID: 502 | histTopBit, Kind: "held", Account: 2, Asset: 1, Amount: 1, Seq: 9, Time: 900},
				{ID: 502 | histTopBit, Kind: "failed", Account: 2, Asset: 1, Amount: 1, Seq: 9, Time: 910},
			},
			Redemptions: []history.Redemption{{ID: 1, Account: 2, Asset: 2, Amount: 3, Receipt: "r-1", Seq: 9, Time: 900}},
		}
		b2 := &history.Batch{
			Seq:           12,
			OrderUpdates:  []history.OrderUpdate{{ID: makerOrder, Amended: true, Price: 101, Size: 40, Remaining: 20, HasRemaining: true, Seq: 11, Time: 1100}, {ID: makerOrder, Status: "canceled", CancelReason: "user", Remaining: 20, HasRemaining: true, Seq: 12, Time: 1200}},
			Withdrawals:   []history.WithdrawalEvent{{ID: 500, Kind: "completed", Account: 2, Asset: 1, Amount: 100, Seq: 11, Time: 1100}},
			Redemptions:   nil,
			MarketUpdates: []history.MarketUpdate{{ID: 1, Status: "open", Seq: 12}},
			RedemptionUpdates: []history.RedemptionUpdate{
				{ID: 1, Status: "fulfilled", Seq: 12, Time: 1200},
				{ID: 99, Status: "rejected", Seq: 12, Time: 1200}, // unknown: no row, no error
			},
		}
		histApply(t, db, "history", b1)
		if cp := histCheckpoint(t, db, "history"); cp != 10 {
			t.Fatalf("checkpoint %d, want 10", cp)
		}

		assets, err := db.Assets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(assets, b1.Assets) {
			t.Errorf("assets\n got %+v\nwant %+v", assets, b1.Assets)
		}
		if n := histCount(t, db, "assets WHERE brand_id IS NULL AND expires_at IS NULL"); n != 1 {
			t.Errorf("%d assets without brand and expiry stored as NULL, want 1", n)
		}
		markets, err := db.Markets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantMarket := MarketRow{Market: b1.Markets[0], UpdatedSeq: 5}
		wantMarket.Status, wantMarket.MakerBps, wantMarket.TakerBps = "halted", -1, 30
		if !reflect.DeepEqual(markets, []MarketRow{wantMarket}) {
			t.Errorf("markets\n got %+v\nwant %+v", markets, wantMarket)
		}
		taker, err := db.Order(ctx, takerOrder)
		if err != nil {
			t.Fatal(err)
		}
		wantTaker := OrderRow{ID: takerOrder, Account: 2, Market: 1, ClientOrderID: "t-1", Side: "buy", Type: "limit", TIF: "gtd",
			Price: 105, Size: 20, ExpiresAt: 9000, Status: "filled", Filled: 20, Remaining: 0, Fees: 4,
			CreatedSeq: 7, UpdatedSeq: 7, CreatedAt: 700, UpdatedAt: 700}
		if taker != wantTaker {
			t.Errorf("taker order\n got %+v\nwant %+v", taker, wantTaker)
		}
		if _, err := db.Order(ctx, 12345); !errors.Is(err, ErrNotFound) {
			t.Errorf("an unknown order: %v", err)
		}
		trades, err := db.Trades(ctx, 1, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(trades, b1.Trades) {
			t.Errorf("trades\n got %+v\nwant %+v", trades, b1.Trades)
		}
		fills, err := db.Fills(ctx, 3, nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		wantFill := Fill{Seq: 7, Idx: 0, Market: 1, Order: makerOrder, Side: "sell", Maker: true, Price: 100, Size: 20, QuoteAmount: 2000, Fee: 1, Time: 700}
		if !reflect.DeepEqual(fills, []Fill{wantFill}) {
			t.Errorf("maker's fills\n got %+v\nwant %+v", fills, wantFill)
		}
		fills, err = db.Fills(ctx, 2, nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		wantFill = Fill{Seq: 7, Idx: 0, Market: 1, Order: takerOrder, Side: "buy", Price: 100, Size: 20, QuoteAmount: 2000, Fee: 4, Time: 700}
		if !reflect.DeepEqual(fills, []Fill{wantFill}) {
			t.Errorf("taker's fills\n got %+v\nwant %+v", fills, wantFill)
		}
		ledger, err := db.LedgerEntries(ctx, 2, 1, nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		if want := []history.LedgerEntry{b1.Ledger[1], b1.Ledger[0]}; !reflect.DeepEqual(ledger, want) {
			t.Errorf("ledger\n got %+v\nwant %+v", ledger, want)
		}

		var status string
		var creditedSeq, updatedAt int64
		if err := db.DB.QueryRowContext(ctx, db.q("SELECT status, credited_seq, updated_at FROM deposits WHERE ref = ?"), refSeen[:]).
			Scan(&status, &creditedSeq, &updatedAt); err != nil {
			t.Fatal(err)
		}
		if status != "credited" || creditedSeq != 8 || updatedAt != 800 {
			t.Errorf("deposit: %s, credited at seq %d, updated at %d", status, creditedSeq, updatedAt)
		}
		if n := histCount(t, db, "deposits"); n != 1 {
			t.Errorf("%d deposits, want 1 (an operator's credit has no row)", n)
		}
		if w, want := histWithdrawal(t, db, 500), (histWithdrawalRow{Status: "pending", HeldSeq: histPtr[int64](8), Amount: 100, UpdatedAt: 800}); !reflect.DeepEqual(w, want) {
			t.Errorf("withdrawal 500 (held, no row before)\n got %+v\nwant %+v", w, want)
		}
		if w, want := histWithdrawal(t, db, 501), (histWithdrawalRow{Status: "pending", Address: histPtr("0xabc"), HeldSeq: histPtr[int64](8), Amount: 30, UpdatedAt: 810}); !reflect.DeepEqual(w, want) {
			t.Errorf("withdrawal 501 (created by the API, then held)\n got %+v\nwant %+v", w, want)
		}
		if w, want := histWithdrawal(t, db, 502|histTopBit), (histWithdrawalRow{Status: "failed", HeldSeq: histPtr[int64](9), Settled: histPtr[int64](9), Amount: 1, UpdatedAt: 910}); !reflect.DeepEqual(w, want) {
			t.Errorf("withdrawal 502|2^63 (held and failed)\n got %+v\nwant %+v", w, want)
		}
		var redemption string
		var settledSeq, settledAt *int64
		readRedemption := func() {
			t.Helper()
			if err := db.DB.QueryRowContext(ctx, "SELECT status, settled_seq, settled_at FROM redemptions WHERE id = 1").Scan(&redemption, &settledSeq, &settledAt); err != nil {
				t.Fatal(err)
			}
		}
		if readRedemption(); redemption != "pending" || settledSeq != nil || settledAt != nil {
			t.Errorf("redemption: %s %v %v, want pending", redemption, settledSeq, settledAt)
		}

		histApply(t, db, "history", b2)
		if cp := histCheckpoint(t, db, "history"); cp != 12 {
			t.Fatalf("checkpoint %d, want 12", cp)
		}
		maker, err := db.Order(ctx, makerOrder)
		if err != nil {
			t.Fatal(err)
		}
		wantMaker := OrderRow{ID: makerOrder, Account: 3, Market: 1, ClientOrderID: "m-1", Side: "sell", Type: "limit", TIF: "gtc", PostOnly: true,
			Price: 101, Size: 40, Status: "canceled", Filled: 20, Remaining: 20, Fees: 1, CancelReason: "user",
			CreatedSeq: 6, UpdatedSeq: 12, CreatedAt: 600, UpdatedAt: 1200}
		if maker != wantMaker {
			t.Errorf("maker order\n got %+v\nwant %+v", maker, wantMaker)
		}
		if markets, err = db.Markets(ctx); err != nil || markets[0].Status != "open" || markets[0].UpdatedSeq != 12 || markets[0].TakerBps != 30 {
			t.Errorf("market after reopening: %+v %v", markets, err)
		}
		if w := histWithdrawal(t, db, 500); w.Status != "confirmed" || w.Settled == nil || *w.Settled != 11 || w.UpdatedAt != 1100 {
			t.Errorf("withdrawal 500 after completion: %+v", w)
		}
		if readRedemption(); redemption != "fulfilled" || settledSeq == nil || *settledSeq != 12 || settledAt == nil || *settledAt != 1200 {
			t.Errorf("redemption: %s %v %v, want fulfilled at 12, 1200", redemption, settledSeq, settledAt)
		}
	})
}

// histSampleBatch is a batch with new rows in most tables (ids made unique
// by seq), and an update of an order it creates.
func histSampleBatch(seq uint64) *history.Batch {
	id := seq<<32 | 1
	return &history.Batch{
		Seq:          seq,
		Assets:       []history.Asset{{ID: uint32(seq), Symbol: fmt.Sprint("A", seq), Kind: "token", Seq: seq}},
		Markets:      []history.Market{{ID: uint32(seq), Base: 1, Quote: 2, Status: "open", Seq: seq}},
		Orders:       []history.Order{{ID: id, Account: 2, Market: 1, Side: "buy", Type: "limit", TIF: "gtc", Price: 5, Size: 10, Remaining: 10, Seq: seq, Time: int64(seq)}},
		OrderUpdates: []history.OrderUpdate{{ID: id, FilledDelta: 3, FeesDelta: 1, Remaining: 7, HasRemaining: true, Seq: seq}},
		Trades:       []history.Trade{{Seq: seq, Market: 1, Price: 5, Size: 3, TakerSide: "buy", TakerAccount: 2, TakerOrder: id, MakerAccount: 3}},
		Ledger:       []history.LedgerEntry{{Seq: seq, Account: 2, Asset: 1, Available: int64(seq), Reason: "trade"}},
		Withdrawals:  []history.WithdrawalEvent{{ID: seq, Kind: "held", Account: 2, Asset: 1, Amount: 1, Seq: seq}},
		Redemptions:  []history.Redemption{{ID: seq, Account: 2, Asset: 1, Amount: 1, Receipt: "r", Seq: seq}},
	}
}

// TestHistoryBatchTwice: applying a batch again (after a lost reply)
// writes nothing: every row, the order's filled size and the checkpoint
// are as after the first time.
func TestHistoryBatchTwice(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		histApply(t, db, "history", histSampleBatch(5))
		before := histSnapshot(t, db)
		histApply(t, db, "history", histSampleBatch(5))
		if after := histSnapshot(t, db); !reflect.DeepEqual(after, before) {
			t.Errorf("the second apply changed the tables\nbefore %v\n after %v", before, after)
		}
		if o, err := db.Order(context.Background(), 5<<32|1); err != nil || o.Filled != 3 || o.Fees != 1 {
			t.Errorf("order after two applies: %+v %v", o, err)
		}
	})
}

// TestHistoryConcurrentRetry: the same batch applied by several callers at
// once (a retry after a lost reply while the first attempt is still
// running), the first ever for its name and a later one, is stored once:
// the checkpoint's row lock makes the others see the new checkpoint.
func TestHistoryConcurrentRetry(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		var afterFirst map[string][]string
		for i, seq := range []uint64{5, 6} {
			errs := make(chan error)
			for range 4 {
				go func() {
					b := histSampleBatch(seq)
					b.First = []uint64{1, 6}[i]
					errs <- db.ApplyHistory(ctx, "history", b)
				}()
			}
			for range 4 {
				if err := <-errs; err != nil {
					t.Errorf("batch %d: %v", seq, err)
				}
			}
			if seq == 5 {
				afterFirst = histSnapshot(t, db)
			}
		}
		ref := openTestDB(t, db.Dialect)
		histApply(t, ref, "history", histSampleBatch(5))
		if want := histSnapshot(t, ref); !reflect.DeepEqual(afterFirst, want) {
			t.Errorf("after concurrent applies of batch 5\n got %v\nwant %v", afterFirst, want)
		}
		if n := histCount(t, db, "trades"); n != 2 {
			t.Errorf("%d trades, want 2", n)
		}
		if o, err := db.Order(ctx, 6<<32|1); err != nil || o.Filled != 3 {
			t.Errorf("order of batch 6: %+v %v", o, err)
		}
	})
}

// TestHistoryStaleBatch: a batch at or below the checkpoint is a no-op,
// whatever it holds.
func TestHistoryStaleBatch(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		histApply(t, db, "history", histSampleBatch(5))
		before := histSnapshot(t, db)
		for _, seq := range []uint64{5, 4, 1, 0} {
			b := histSampleBatch(seq + 100) // rows that are not stored yet
			b.Seq = seq
			histApply(t, db, "history", b)
		}
		if after := histSnapshot(t, db); !reflect.DeepEqual(after, before) {
			t.Errorf("stale batches changed the tables\nbefore %v\n after %v", before, after)
		}
		if cp := histCheckpoint(t, db, "history"); cp != 5 {
			t.Errorf("checkpoint %d, want 5", cp)
		}
	})
}

// TestHistoryAtomic: a batch that fails half-way (a trade stored by an
// earlier batch, after valid rows of every earlier kind) stores nothing
// and leaves the checkpoint; the fixed batch then goes in.
func TestHistoryAtomic(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		histApply(t, db, "history", histSampleBatch(5))
		before := histSnapshot(t, db)
		b := histSampleBatch(6)
		b.First = 6
		good := b.Trades
		b.Trades = append(b.Trades, histSampleBatch(5).Trades[0]) // seq 5, idx 0 again
		err := db.ApplyHistory(context.Background(), "history", b)
		if !errors.Is(err, ErrDuplicate) {
			t.Fatalf("a duplicate trade: %v, want ErrDuplicate", err)
		}
		t.Logf("the error: %v", err)
		if after := histSnapshot(t, db); !reflect.DeepEqual(after, before) {
			t.Errorf("the failed batch left rows\nbefore %v\n after %v", before, after)
		}
		// The same with the failure in the last step of the batch.
		b.Trades = good
		b.Redemptions = append(b.Redemptions, histSampleBatch(5).Redemptions...)
		if err := db.ApplyHistory(context.Background(), "history", b); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("a duplicate redemption: %v, want ErrDuplicate", err)
		}
		if after := histSnapshot(t, db); !reflect.DeepEqual(after, before) {
			t.Errorf("the failed batch left rows\nbefore %v\n after %v", before, after)
		}
		b.Withdrawals = append(b.Withdrawals, history.WithdrawalEvent{ID: 1, Kind: "vanished"})
		b.Redemptions = b.Redemptions[:1]
		if err := db.ApplyHistory(context.Background(), "history", b); !errors.Is(err, ErrInvalid) {
			t.Fatalf("an unknown withdrawal event: %v, want ErrInvalid", err)
		}
		b.Withdrawals = b.Withdrawals[:1]
		histApply(t, db, "history", b)
		if cp := histCheckpoint(t, db, "history"); cp != 6 {
			t.Errorf("checkpoint %d, want 6", cp)
		}
		if n := histCount(t, db, "trades"); n != 2 {
			t.Errorf("%d trades, want 2", n)
		}
	})
}

// TestHistoryCheckpointsPerName: projectors of different names keep
// their own checkpoints.
func TestHistoryCheckpointsPerName(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		if cp := histCheckpoint(t, db, "a"); cp != 0 {
			t.Fatalf("a new name's checkpoint: %d", cp)
		}
		histApply(t, db, "a", &history.Batch{Seq: 7})
		histApply(t, db, "b", &history.Batch{Seq: 3})
		histApply(t, db, "b", &history.Batch{Seq: 4})
		histApply(t, db, "a", &history.Batch{Seq: 6}) // stale for a
		if a, b := histCheckpoint(t, db, "a"), histCheckpoint(t, db, "b"); a != 7 || b != 4 {
			t.Errorf("checkpoints a=%d b=%d, want 7 and 4", a, b)
		}
	})
}

// histApplyUpdate is the reference for an order update, written out
// plainly: fills and fees add up and, unless the update sets the
// remaining size, come off it; status, cancel reason, and price and size
// are set when the update sets them.
func histApplyUpdate(o *OrderRow, u history.OrderUpdate) {
	o.Filled += u.FilledDelta
	o.Fees += u.FeesDelta
	if u.HasRemaining {
		o.Remaining = u.Remaining
	} else {
		o.Remaining -= u.FilledDelta
	}
	if u.Status != "" {
		o.Status = u.Status
	}
	if u.CancelReason != "" {
		o.CancelReason = u.CancelReason
	}
	if u.Amended {
		o.Price, o.Size = u.Price, u.Size
	}
	o.UpdatedSeq, o.UpdatedAt = u.Seq, u.Time
}

var histOrderStatuses = []string{"", "", "", "filled", "canceled", "expired"}

func histRandomUpdate(r *rand.Rand, id uint64, seq uint64) history.OrderUpdate {
	u := history.OrderUpdate{ID: id, FilledDelta: r.Int64N(10), FeesDelta: r.Int64N(3), Seq: seq, Time: int64(seq) * 10}
	if r.IntN(2) == 0 {
		u.HasRemaining, u.Remaining = true, r.Int64N(100)
	}
	u.Status = histOrderStatuses[r.IntN(len(histOrderStatuses))]
	if u.Status == "canceled" {
		u.CancelReason = []string{"user", "self_trade"}[r.IntN(2)]
	}
	if r.IntN(4) == 0 {
		u.Amended, u.Price, u.Size = true, 1+r.Int64N(1000), 1+r.Int64N(1000)
	}
	return u
}

// TestHistoryOrderUpdatesAccumulate: updates over several batches, several
// to one order in a batch, add up fills and fees and keep the last
// status, remaining, cancel reason, price and size, as applying them one
// by one does.
func TestHistoryOrderUpdatesAccumulate(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(1, 2))
		ids := []uint64{1<<32 | 1, 1<<32 | 2, histTopBit | 3, 2<<32 | 1}
		want := map[uint64]*OrderRow{}
		b := &history.Batch{Seq: 1}
		for _, id := range ids {
			o := history.Order{ID: id, Account: 9, Market: 1, Side: "sell", Type: "limit", TIF: "gtc", Price: 50, Size: 100, Remaining: 100, Seq: 1, Time: 10}
			b.Orders = append(b.Orders, o)
			want[id] = &OrderRow{ID: id, Account: 9, Market: 1, Side: "sell", Type: "limit", TIF: "gtc", Price: 50, Size: 100,
				Remaining: 100, Status: "open", CreatedSeq: 1, UpdatedSeq: 1, CreatedAt: 10, UpdatedAt: 10}
		}
		histApply(t, db, "history", b)
		seq := uint64(1)
		for range 8 {
			b := &history.Batch{}
			for range 1 + r.IntN(12) {
				seq++
				u := histRandomUpdate(r, ids[r.IntN(len(ids))], seq)
				b.OrderUpdates = append(b.OrderUpdates, u)
				histApplyUpdate(want[u.ID], u)
			}
			b.Seq = seq
			histApply(t, db, "history", b)
		}
		for _, id := range ids {
			got, err := db.Order(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got != *want[id] {
				t.Errorf("order %x\n got %+v\nwant %+v", id, got, *want[id])
			}
		}
	})
}

// TestHistoryFoldOrderUpdates: a new order's row with its updates applied,
// and one folded update per older order, have the effect of the updates
// applied one by one.
func TestHistoryFoldOrderUpdates(t *testing.T) {
	update := rapid.Custom(func(t *rapid.T) history.OrderUpdate {
		u := history.OrderUpdate{
			ID:          rapid.Uint64Range(1, 4).Draw(t, "id"),
			FilledDelta: rapid.Int64Range(0, 9).Draw(t, "filled"),
			FeesDelta:   rapid.Int64Range(0, 2).Draw(t, "fees"),
			Status:      rapid.SampledFrom(histOrderStatuses).Draw(t, "status"),
			Seq:         rapid.Uint64Range(1, 1000).Draw(t, "seq"),
		}
		u.Time = int64(u.Seq) * 10
		if rapid.Bool().Draw(t, "has remaining") {
			u.HasRemaining, u.Remaining = true, rapid.Int64Range(0, 99).Draw(t, "remaining")
		}
		if u.Status == "canceled" {
			u.CancelReason = rapid.SampledFrom([]string{"user", "self_trade"}).Draw(t, "reason")
		}
		if rapid.Bool().Draw(t, "amended") {
			u.Amended, u.Price, u.Size = true, rapid.Int64Range(1, 999).Draw(t, "price"), rapid.Int64Range(1, 999).Draw(t, "size")
		}
		return u
	})
	rapid.Check(t, func(t *rapid.T) {
		// Orders 1 to 4; those in new are created by the batch, the others
		// are stored already.
		newOrders := rapid.SliceOfDistinct(rapid.Uint64Range(1, 4), func(id uint64) uint64 { return id }).Draw(t, "new orders")
		us := rapid.SliceOf(update).Draw(t, "updates")
		orig := slices.Clone(us)
		var batchOrders []history.Order
		one, folded := map[uint64]*OrderRow{}, map[uint64]*OrderRow{}
		for id := range uint64(5) {
			one[id] = &OrderRow{ID: id, Status: "open", Price: 1, Size: 2, Remaining: 2, CreatedSeq: 1, UpdatedSeq: 1}
			if slices.Contains(newOrders, id) {
				o := history.Order{ID: id, Account: 3, Side: "buy", Price: 7, Size: 8, Remaining: 8, Seq: 1, Time: 10}
				batchOrders = append(batchOrders, o)
				one[id] = &OrderRow{ID: id, Account: 3, Side: "buy", Status: "open", Price: 7, Size: 8, Remaining: 8,
					CreatedSeq: 1, UpdatedSeq: 1, CreatedAt: 10, UpdatedAt: 10}
			}
			c := *one[id]
			folded[id] = &c
		}
		for _, u := range us {
			histApplyUpdate(one[u.ID], u)
		}
		inserts, updates := foldOrderUpdates(batchOrders, us)
		if len(inserts) != len(batchOrders) {
			t.Fatalf("%d orders to insert, want %d", len(inserts), len(batchOrders))
		}
		for _, r := range inserts {
			*folded[r.ID] = OrderRow{ID: r.ID, Account: r.Account, Market: r.Market, ClientOrderID: r.ClientOrderID, Side: r.Side,
				Type: r.Type, TIF: r.TIF, PostOnly: r.PostOnly, Price: r.Price, Size: r.Size, QuoteAmount: r.QuoteAmount,
				ExpiresAt: r.ExpiresAt, Status: r.status, Filled: r.filled, Remaining: r.Remaining, Fees: r.fees,
				CancelReason: r.cancelReason, CreatedSeq: r.Seq, UpdatedSeq: r.updatedSeq, CreatedAt: r.Time, UpdatedAt: r.updatedAt}
		}
		seen := map[uint64]bool{}
		for _, u := range updates {
			if seen[u.ID] || slices.Contains(newOrders, u.ID) {
				t.Fatalf("order %d: an update left after folding (twice, or of a new order)", u.ID)
			}
			seen[u.ID] = true
			histApplyUpdate(folded[u.ID], u)
		}
		for id := range uint64(5) {
			if *one[id] != *folded[id] {
				t.Fatalf("order %d: one by one %+v, folded %+v", id, *one[id], *folded[id])
			}
		}
		if !slices.Equal(us, orig) {
			t.Fatalf("foldOrderUpdates changed its argument")
		}
	})
}

// TestHistoryTopBitOrderIDs: order ids above 2^63 (stored as negative
// BIGINTs) come back as they went in, in orders, trades and fills, and
// list in their place.
func TestHistoryTopBitOrderIDs(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		ids := []uint64{^uint64(0), histTopBit, histTopBit | 1<<32 | 5, 1<<32 | 5}
		b := &history.Batch{Seq: 9}
		for i, id := range ids {
			b.Orders = append(b.Orders, history.Order{ID: id, Account: 4, Market: 1, Side: "buy", Type: "limit", TIF: "gtc", Seq: uint64(1 + i)})
			b.Trades = append(b.Trades, history.Trade{Seq: uint64(1 + i), Market: 1, TakerSide: "buy", TakerAccount: 4, TakerOrder: id, MakerAccount: 5, MakerOrder: ^id})
		}
		histApply(t, db, "history", b)
		for _, id := range ids {
			o, err := db.Order(ctx, id)
			if err != nil || o.ID != id {
				t.Errorf("order %x: %x %v", id, o.ID, err)
			}
		}
		orders, err := db.ListOrders(ctx, 4, OrderQuery{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, o := range orders {
			got = append(got, o.ID)
		}
		if want := []uint64{ids[3], ids[2], ids[1], ids[0]}; !slices.Equal(got, want) {
			t.Errorf("listed %x, want %x (newest first)", got, want)
		}
		orders, err = db.ListOrders(ctx, 4, OrderQuery{After: ids[2], Limit: 10})
		if err != nil || len(orders) != 2 || orders[0].ID != ids[1] {
			t.Errorf("after %x: %+v %v", ids[2], orders, err)
		}
		fills, err := db.Fills(ctx, 5, nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range fills {
			if id := ids[len(ids)-1-i]; f.Order != ^id || !f.Maker || f.Side != "sell" {
				t.Errorf("maker's fill %d: %+v, want order %x", i, f, ^id)
			}
		}
		trades, err := db.Trades(ctx, 1, 10)
		if err != nil {
			t.Fatal(err)
		}
		for i, tr := range trades {
			if id := ids[len(ids)-1-i]; tr.TakerOrder != id || tr.MakerOrder != ^id {
				t.Errorf("trade %d: orders %x and %x, want %x and %x", i, tr.TakerOrder, tr.MakerOrder, id, ^id)
			}
		}
	})
}

// TestHistoryLastBalance: the newest entry of (account, asset) by seq,
// then idx, whatever the order of the batches' rows.
func TestHistoryLastBalance(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if _, _, ok, err := db.LastBalance(ctx, 2, 1); ok || err != nil {
			t.Fatalf("no entries: ok %v, %v", ok, err)
		}
		histApply(t, db, "history", &history.Batch{Seq: 5, Ledger: []history.LedgerEntry{
			{Seq: 3, Idx: 0, Account: 2, Asset: 1, Available: 10, Held: 1, Reason: "deposit"},
			{Seq: 3, Idx: 1, Account: 2, Asset: 2, Available: 99, Reason: "deposit"},
			{Seq: 5, Idx: 0, Account: 2, Asset: 1, Available: 20, Held: 2, Reason: "order"},
			{Seq: 5, Idx: 2, Account: 2, Asset: 1, Available: 30, Held: 3, Reason: "order"},
			{Seq: 5, Idx: 1, Account: 3, Asset: 1, Available: 77, Reason: "order"},
		}})
		histApply(t, db, "history", &history.Batch{Seq: 6, Ledger: []history.LedgerEntry{
			{Seq: 6, Idx: 1, Account: 2, Asset: 1, Available: 40, Held: 4, Reason: "trade"},
			{Seq: 6, Idx: 0, Account: 2, Asset: 1, Available: 35, Held: 5, Reason: "trade"},
		}})
		for _, c := range []struct {
			account, asset  uint32
			available, held int64
			ok              bool
		}{{2, 1, 40, 4, true}, {2, 2, 99, 0, true}, {3, 1, 77, 0, true}, {3, 2, 0, 0, false}} {
			a, h, ok, err := db.LastBalance(ctx, c.account, c.asset)
			if err != nil || a != c.available || h != c.held || ok != c.ok {
				t.Errorf("account %d asset %d: %d %d %v %v, want %d %d %v", c.account, c.asset, a, h, ok, err, c.available, c.held, c.ok)
			}
		}
	})
}

// TestHistoryPaging: paging through orders, fills and ledger entries a
// few at a time returns each row once, newest first, and then an empty
// page.
func TestHistoryPaging(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(3, 4))
		const account = 7
		b := &history.Batch{}
		var seq uint64
		nextID := map[uint32]uint32{} // slot -> generation: ids that say nothing of age
		var idx uint32
		for i := range 40 {
			if seq == 0 || r.IntN(2) == 0 { // several rows per seq at times
				seq, idx = seq+1, 0
			} else {
				idx++
			}
			slot := uint32(r.IntN(6))
			nextID[slot]++
			id := uint64(nextID[slot])<<32 | uint64(slot)
			if i%7 == 0 {
				id |= histTopBit
			}
			acct := uint32(account)
			if r.IntN(5) == 0 {
				acct = 8
			}
			b.Orders = append(b.Orders, history.Order{ID: id, Account: acct, Market: uint32(1 + r.IntN(2)), Side: "buy", Type: "limit", TIF: "gtc", Seq: seq})
			tr := history.Trade{Seq: seq, Idx: idx, Market: 1, TakerSide: "sell", TakerAccount: account, TakerOrder: id, MakerAccount: 8, Time: int64(i)}
			if r.IntN(2) == 0 {
				tr.TakerAccount, tr.MakerAccount = 8, account
			}
			if r.IntN(6) == 0 {
				tr.TakerAccount = 9 // not account's
			}
			b.Trades = append(b.Trades, tr)
			b.Ledger = append(b.Ledger, history.LedgerEntry{Seq: seq, Idx: idx, Account: account, Asset: uint32(1 + r.IntN(3)), Reason: "trade"})
		}
		b.Seq = seq
		histApply(t, db, "history", b)

		// Orders, by status and market too.
		for _, q := range []OrderQuery{{}, {Market: 2}, {Status: "open"}, {Status: "filled"}} {
			var want []history.Order
			for _, o := range b.Orders {
				if o.Account == account && (q.Market == 0 || o.Market == q.Market) && (q.Status == "" || q.Status == "open") {
					want = append(want, o)
				}
			}
			slices.SortFunc(want, func(a, b history.Order) int {
				if a.Seq != b.Seq {
					return -cmp.Compare(a.Seq, b.Seq)
				}
				return -cmp.Compare(int64(a.ID), int64(b.ID))
			})
			var got []uint64
			q.Limit = 3
			for {
				list, err := db.ListOrders(ctx, account, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(list) == 0 {
					break
				}
				for _, o := range list {
					got = append(got, o.ID)
				}
				q.After = list[len(list)-1].ID
			}
			var wantIDs []uint64
			for _, o := range want {
				wantIDs = append(wantIDs, o.ID)
			}
			if !slices.Equal(got, wantIDs) {
				t.Errorf("orders %+v\n got %x\nwant %x", q, got, wantIDs)
			}
		}
		if _, err := db.ListOrders(ctx, account, OrderQuery{After: 424242, Limit: 3}); !errors.Is(err, ErrNotFound) {
			t.Errorf("after an unknown order: %v, want ErrNotFound", err)
		}
		if _, err := db.ListOrders(ctx, account, OrderQuery{Status: "lost", Limit: 3}); !errors.Is(err, ErrInvalid) {
			t.Errorf("an unknown status: %v, want ErrInvalid", err)
		}

		// Fills.
		var wantFills []HistoryCursor
		for _, tr := range b.Trades {
			if tr.TakerAccount == account || tr.MakerAccount == account {
				wantFills = append(wantFills, HistoryCursor{tr.Seq, tr.Idx})
			}
		}
		histSortNewestFirst(wantFills)
		var gotFills []HistoryCursor
		var after *HistoryCursor
		for {
			list, err := db.Fills(ctx, account, after, 4)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) == 0 {
				break
			}
			for _, f := range list {
				gotFills = append(gotFills, f.Cursor())
			}
			after = histPtr(list[len(list)-1].Cursor())
		}
		if !slices.Equal(gotFills, wantFills) {
			t.Errorf("fills\n got %v\nwant %v", gotFills, wantFills)
		}

		// Ledger entries, of every asset and of one.
		for _, asset := range []uint32{0, 2} {
			var want, got []HistoryCursor
			for _, e := range b.Ledger {
				if asset == 0 || e.Asset == asset {
					want = append(want, HistoryCursor{e.Seq, e.Idx})
				}
			}
			histSortNewestFirst(want)
			var after *HistoryCursor
			for {
				list, err := db.LedgerEntries(ctx, account, asset, after, 5)
				if err != nil {
					t.Fatal(err)
				}
				if len(list) == 0 {
					break
				}
				for _, e := range list {
					got = append(got, HistoryCursor{e.Seq, e.Idx})
				}
				after = &got[len(got)-1]
			}
			if !slices.Equal(got, want) {
				t.Errorf("ledger of asset %d\n got %v\nwant %v", asset, got, want)
			}
		}
		for _, limit := range []int{0, -1, MaxPageSize + 1} {
			if _, err := db.LedgerEntries(ctx, account, 0, nil, limit); !errors.Is(err, ErrInvalid) {
				t.Errorf("limit %d: %v, want ErrInvalid", limit, err)
			}
		}
	})
}

func histSortNewestFirst(cs []HistoryCursor) {
	slices.SortFunc(cs, func(a, b HistoryCursor) int {
		if a.Seq != b.Seq {
			return -cmp.Compare(a.Seq, b.Seq)
		}
		return -cmp.Compare(uint64(a.Idx), uint64(b.Idx))
	})
}

// TestHistoryLargeBatch: a batch bigger than one SQLite statement takes
// (several chunks and a shorter last one) goes in whole.
func TestHistoryLargeBatch(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		const n = 2*sqliteBulkRows + 123
		b := &history.Batch{Seq: n}
		for i := range n {
			id := uint64(i+1)<<32 | histTopBit
			b.Orders = append(b.Orders, history.Order{ID: id, Account: 2, Market: 1, Side: "buy", Type: "limit", TIF: "gtc", Remaining: 10, Seq: uint64(i + 1)})
			b.OrderUpdates = append(b.OrderUpdates, history.OrderUpdate{ID: id, FilledDelta: 1, Seq: uint64(i + 1)},
				history.OrderUpdate{ID: id, FilledDelta: 2, Remaining: 7, HasRemaining: true, Seq: uint64(i + 1)})
			b.Trades = append(b.Trades, history.Trade{Seq: uint64(i + 1), Market: 1, TakerSide: "buy", TakerAccount: 2, TakerOrder: id, MakerAccount: 3})
			for j := range 3 {
				b.Ledger = append(b.Ledger, history.LedgerEntry{Seq: uint64(i + 1), Idx: uint32(j), Account: 2, Asset: 1, Reason: "trade"})
			}
		}
		histApply(t, db, "history", b)
		for table, want := range map[string]int{"orders": n, "trades": n, "ledger_entries": 3 * n} {
			if got := histCount(t, db, table); got != want {
				t.Errorf("%s: %d rows, want %d", table, got, want)
			}
		}
		var filled, remaining int64
		if err := db.DB.QueryRowContext(context.Background(), "SELECT sum(filled), sum(remaining) FROM orders").Scan(&filled, &remaining); err != nil {
			t.Fatal(err)
		}
		if filled != 3*n || remaining != 7*n {
			t.Errorf("filled %d, remaining %d: want %d and %d", filled, remaining, 3*n, 7*n)
		}
	})
}
