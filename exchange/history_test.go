package exchange_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/lpx-exchange/lpx/migrations"
	"github.com/lpx-exchange/lpx/store/redisstore"
	"github.com/lpx-exchange/lpx/store/sqlstore"
)

var _ exchange.HistoryStore = (*sqlstore.DB)(nil)

// sqlDB opens a fresh, migrated database of dialect d.
func sqlDB(t *testing.T, d migrations.Dialect) *sqlstore.DB {
	t.Helper()
	url := sqlstore.SQLiteURL(t.TempDir())
	if d == migrations.Postgres {
		url = servicetest.Postgres(t)
	}
	m, err := sqlstore.OpenMigrator(url)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Up(); err != nil {
		t.Fatal(err)
	}
	m.Close()
	db, err := sqlstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// crashing is a projection that stops writing after a number of writes
// and ends its projector's context, as a process that dies between
// batches.
type crashing struct {
	exchange.Projection
	left int
	die  context.CancelFunc
}

func (c *crashing) Project(ctx context.Context, first, last uint64, evs []engine.Event) error {
	if c.left == 0 {
		c.die()
		return errors.New("crashed")
	}
	c.left--
	return c.Projection.Project(ctx, first, last, evs)
}

// TestHistoryProjection: orders, cancels, deposits and a withdrawal go
// through the exchange; the history projector dies part-way and a new one
// resumes from the checkpoint. The SQL then agrees with the engine and the
// event log: one trade row per trade, ledger entries whose changes add up
// to every balance and whose last entry is the balance, and the open
// orders with their remaining sizes. Replaying a range writes nothing, and
// a range that skips commands is refused.
func TestHistoryProjection(t *testing.T) {
	for _, d := range []migrations.Dialect{migrations.Postgres, migrations.SQLite} {
		t.Run(string(d), func(t *testing.T) {
			db := sqlDB(t, d)
			rdb, prefix := servicetest.Redis(t, redisstore.JournalOptions)
			st := exchange.Stores{Journal: redisstore.NewJournal(rdb, prefix+"journal", 0), Events: redisstore.NewJournal(rdb, prefix+"events", 0)}
			eng := engine.New()
			s := exchange.NewSequencer(eng, st, exchange.Config{MaxBatch: 8, TickEvery: time.Hour})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			setup(t, s, 4)
			var ids []engine.OrderID
			for i := range 1500 {
				res := submit(t, s, order(i))
				if res.Events[0].Kind == engine.EvOrderAccepted {
					ids = append(ids, res.Events[0].Order)
				}
				if i%10 == 9 { // cancel an older order, resting or not
					o := ids[i/3]
					submit(t, s, engine.Command{Kind: engine.CmdCancelOrder, Account: engine.AccountID(2 + (i/3)%4), Order: o})
				}
			}
			submit(t, s, engine.Command{Kind: engine.CmdWithdraw, Account: 2, Asset: 1, Amount: 7})

			// A projector that dies after 5 writes, then one that resumes.
			events := redisstore.NewJournal(rdb, prefix+"events", 0)
			dying, die := context.WithCancel(context.Background())
			first := &exchange.Projector{Name: "history", Projection: &crashing{exchange.NewHistory(db, "history"), 5, die},
				Events: events, MaxEvents: 300, RetryEvery: time.Millisecond}
			if _, err := first.CatchUp(dying); !errors.Is(err, context.Canceled) {
				t.Fatalf("the crashing projector: %v", err)
			}
			if cp, _ := db.HistoryCheckpoint(context.Background(), "history"); cp == 0 || cp >= eng.LastSeq() {
				t.Fatalf("after the crash the checkpoint is %d (state %d): not part-way", cp, eng.LastSeq())
			}
			projection := exchange.NewHistory(db, "history")
			p := &exchange.Projector{Name: "history", Projection: projection, Sequencer: s, Events: events, MaxEvents: 300}
			pdone := make(chan error, 1)
			go func() { pdone <- p.Run(context.Background()) }()
			for i := range 200 { // live batches too
				submit(t, s, order(5000+i))
			}
			cancel()
			<-done
			if err := <-pdone; err != nil {
				t.Fatal(err)
			}
			checkHistory(t, db, eng, eventLogContents(t, st.Events))

			// Replaying a range it holds writes nothing; skipping is refused.
			before := count(t, db, "ledger_entries")
			if err := projection.Project(context.Background(), 1, eng.LastSeq(), eventLogContents(t, st.Events)); err != nil {
				t.Fatalf("a replay: %v", err)
			}
			if after := count(t, db, "ledger_entries"); after != before {
				t.Fatalf("a replay wrote %d ledger entries", after-before)
			}
			if err := projection.Project(context.Background(), eng.LastSeq()+2, eng.LastSeq()+3, nil); err == nil {
				t.Fatal("a range that skips a command was accepted")
			}
		})
	}
}

func count(t *testing.T, db *sqlstore.DB, table string) int {
	t.Helper()
	var n int
	if err := db.DB.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkHistory compares the SQL history with the engine and the event log.
func checkHistory(t *testing.T, db *sqlstore.DB, eng *engine.Engine, events []engine.Event) {
	t.Helper()
	if cp, err := db.HistoryCheckpoint(context.Background(), "history"); err != nil || cp != eng.LastSeq() {
		t.Fatalf("checkpoint %d (%v), state %d", cp, err, eng.LastSeq())
	}
	trades, balances := 0, 0
	for _, ev := range events {
		switch ev.Kind {
		case engine.EvTrade:
			trades++
		case engine.EvBalance:
			balances++
		}
	}
	if n := count(t, db, "trades"); n != trades || trades < 100 {
		t.Errorf("%d trade rows, the log has %d trades", n, trades)
	}
	if n := count(t, db, "ledger_entries"); n != balances {
		t.Errorf("%d ledger entries, the log has %d balance changes", n, balances)
	}
	type sum struct {
		acct, asset uint32
		avail, held int64
	}
	var sums []sum
	rows, err := db.DB.Query("SELECT account_id, asset_id, SUM(available_delta), SUM(held_delta) FROM ledger_entries GROUP BY account_id, asset_id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s sum
		if err := rows.Scan(&s.acct, &s.asset, &s.avail, &s.held); err != nil {
			t.Fatal(err)
		}
		sums = append(sums, s)
	}
	rows.Close() // SQLite has one connection: free it for LastBalance
	seen := 0
	for _, s := range sums {
		wa, wh := eng.Balance(engine.AccountID(s.acct), engine.AssetID(s.asset))
		if s.avail != wa || s.held != wh {
			t.Errorf("account %d asset %d: the ledger adds up to %d/%d, the engine has %d/%d", s.acct, s.asset, s.avail, s.held, wa, wh)
		}
		la, lh, ok, err := db.LastBalance(context.Background(), s.acct, s.asset)
		if err != nil || !ok || la != wa || lh != wh {
			t.Errorf("account %d asset %d: last entry %d/%d (%v %v), the engine has %d/%d", s.acct, s.asset, la, lh, ok, err, wa, wh)
		}
		seen++
	}
	if seen < 8 {
		t.Errorf("only %d balances in the ledger", seen)
	}
	open := map[int64]int64{}
	orows, err := db.DB.Query("SELECT id, remaining FROM orders WHERE status = 'open'")
	if err != nil {
		t.Fatal(err)
	}
	defer orows.Close()
	for orows.Next() {
		var id, rem int64
		if err := orows.Scan(&id, &rem); err != nil {
			t.Fatal(err)
		}
		open[id] = rem
	}
	resting := 0
	for _, side := range []engine.Side{engine.Buy, engine.Sell} {
		for _, o := range eng.BookOrders(1, side, nil) {
			resting++
			if rem, ok := open[int64(o.ID)]; !ok || rem != o.Remaining {
				t.Errorf("order %d rests with %d; SQL has it open %v with %d", o.ID, o.Remaining, ok, rem)
			}
		}
	}
	if len(open) != resting || resting == 0 {
		t.Errorf("%d open orders in SQL, %d resting in the engine", len(open), resting)
	}
}
