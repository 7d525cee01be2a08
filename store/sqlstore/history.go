package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/lpx-exchange/lpx/history"
	"github.com/lpx-exchange/lpx/migrations"
)

// The history projection's writes. One history.Batch is one transaction:
// the projector's checkpoint is read (and locked) first, every row is
// written, then the checkpoint moves to the batch's Seq.
//
// The tables that take thousands of rows per batch are written in bulk.
// On PostgreSQL each insert is a COPY (pgx's CopyFrom, binary: 4,000
// ledger entries took 10 ms where INSERT ... SELECT FROM unnest of one
// array per column took 17), so the transaction runs on the pgx
// connection under database/sql's; the order updates are one UPDATE ...
// FROM unnest of one array per column. On SQLite both are multi-row
// VALUES lists, a chunk of rows per statement, prepared once per chunk
// size.

// HistoryCheckpoint is the last Seq that ApplyHistory stored for the
// projector name, 0 if none.
func (db *DB) HistoryCheckpoint(ctx context.Context, name string) (uint64, error) {
	var seq int64
	err := db.DB.QueryRowContext(ctx, db.q("SELECT seq FROM projector_checkpoints WHERE name = ?"), name).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlstore: history checkpoint %q: %w", name, mapError(err))
	}
	return uint64(seq), nil
}

// ApplyHistory stores every row of b and sets name's checkpoint to b.Seq,
// in one transaction: all or nothing. A batch whose Seq is not above the
// checkpoint writes nothing and returns nil (the projector retries a
// batch whose reply it lost); one whose First is not right after the
// checkpoint is refused with ErrConflict (it would skip commands). A row
// that the schema refuses fails the
// whole batch with ErrDuplicate (a trade or ledger entry stored twice: a
// broken projector) or ErrInvalid.
//
// An order update adds its fills and fees to the order's, sets its
// remaining size (when HasRemaining; otherwise the fills come off it),
// status and cancel reason (when not empty), price and size (when
// Amended), updated_seq and updated_at.
// Updates of rows that are not there (an order update, a withdrawal's
// completion, a redemption's settlement, a deposit credit) change nothing
// and are not errors: a deposit made by an operator has no deposits row,
// and a projection that starts after the beginning of the event log has
// no rows for what came before.
func (db *DB) ApplyHistory(ctx context.Context, name string, b *history.Batch) error {
	var err error
	if db.Dialect == migrations.Postgres {
		err = db.applyHistoryPostgres(ctx, name, b)
	} else {
		var tx *sql.Tx
		if tx, err = db.DB.BeginTx(ctx, nil); err == nil {
			err = db.applyHistory(ctx, sqliteHistoryTx{tx}, name, b)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlstore: history %q batch %d: %w", name, b.Seq, err)
	}
	return nil
}

// applyHistoryPostgres runs the batch's transaction on the pgx connection
// under one of database/sql's (COPY is pgx's own).
func (db *DB) applyHistoryPostgres(ctx context.Context, name string, b *history.Batch) error {
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		return mapError(err)
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("a PostgreSQL connection of type %T, not pgx's", driverConn)
		}
		tx, err := c.Conn().Begin(ctx)
		if err != nil {
			return mapError(err)
		}
		return db.applyHistory(ctx, postgresHistoryTx{tx}, name, b)
	})
}

// applyHistory writes b in tx, then commits it, or rolls it back after an
// error or for a batch at or below the checkpoint.
func (db *DB) applyHistory(ctx context.Context, tx historyTx, name string, b *history.Batch) (err error) {
	defer func() {
		if err != nil {
			tx.rollback(ctx)
		}
	}()
	cp, err := db.lockCheckpoint(ctx, tx, name)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if b.Seq <= cp {
		tx.rollback(ctx)
		return nil
	}
	if b.First != cp+1 {
		return fmt.Errorf("%w: batch %d-%d does not follow the checkpoint %d", ErrConflict, b.First, b.Seq, cp)
	}
	w := historyWriter{db: db, tx: tx}
	steps := []struct {
		what string
		run  func(context.Context, *history.Batch) error
	}{
		{"assets", w.assets},
		{"markets", w.markets},
		{"market updates", w.marketUpdates},
		{"orders", w.orders}, // and their updates
		{"trades", w.trades},
		{"ledger entries", w.ledger},
		{"deposit credits", w.deposits},
		{"withdrawals", w.withdrawals},
		{"redemptions", w.redemptions},
		{"redemption updates", w.redemptionUpdates},
	}
	for _, s := range steps {
		if err := s.run(ctx, b); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	err = tx.exec(ctx, db.q(`INSERT INTO projector_checkpoints (name, seq, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`),
		name, int64(b.Seq), time.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("set checkpoint: %w", err)
	}
	if err := tx.commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// lockCheckpoint reads name's checkpoint (0 if none) so that no other
// transaction can move it until tx ends. On PostgreSQL the row is created
// first if missing (FOR UPDATE locks only rows that exist: two first
// batches would otherwise both go ahead); SQLite's write transactions
// already exclude each other (the DSN's _txlock=immediate).
func (db *DB) lockCheckpoint(ctx context.Context, tx historyTx, name string) (uint64, error) {
	query := "SELECT seq FROM projector_checkpoints WHERE name = ?"
	if db.Dialect == migrations.Postgres {
		err := tx.exec(ctx, `INSERT INTO projector_checkpoints (name, seq, updated_at) VALUES ($1, 0, $2)
			ON CONFLICT (name) DO NOTHING`, name, time.Now().UnixNano())
		if err != nil {
			return 0, err
		}
		query += " FOR UPDATE"
	}
	var seq int64
	err := tx.queryRow(ctx, db.q(query), name).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, mapError(err)
	}
	return uint64(seq), nil
}

// historyWriter writes one batch's rows in tx.
type historyWriter struct {
	db *DB
	tx historyTx
}

// orRollback is SQLite's conflict clause for a bulk statement: a
// constraint failure rolls the transaction back (as ApplyHistory would),
// so SQLite keeps no statement journal to undo just the statement.
// PostgreSQL has no such clause (nor journal).
func (w historyWriter) orRollback() string {
	if w.db.Dialect == migrations.SQLite {
		return "OR ROLLBACK "
	}
	return ""
}

func (w historyWriter) exec(ctx context.Context, query string, args ...any) error {
	return w.tx.exec(ctx, w.db.q(query), args...)
}

var histAssetColumns = []bulkColumn[history.Asset]{
	{"id", func(a *history.Asset) any { return int64(a.ID) }},
	{"symbol", func(a *history.Asset) any { return a.Symbol }},
	{"scale", func(a *history.Asset) any { return int64(a.Scale) }},
	{"kind", func(a *history.Asset) any { return a.Kind }},
	{"brand_id", func(a *history.Asset) any { return nullIfZero(int64(a.BrandID)) }},
	{"expires_at", func(a *history.Asset) any { return nullIfZero(a.ExpiresAt) }},
	{"hub", func(a *history.Asset) any { return a.Hub }},
	{"created_seq", func(a *history.Asset) any { return int64(a.Seq) }},
}

func (w historyWriter) assets(ctx context.Context, b *history.Batch) error {
	return insertRows(ctx, w.tx, "assets", histAssetColumns, b.Assets)
}

var histMarketColumns = []bulkColumn[history.Market]{
	{"id", func(m *history.Market) any { return int64(m.ID) }},
	{"base_id", func(m *history.Market) any { return int64(m.Base) }},
	{"quote_id", func(m *history.Market) any { return int64(m.Quote) }},
	{"price_scale", func(m *history.Market) any { return int64(m.PriceScale) }},
	{"tick", func(m *history.Market) any { return m.Tick }},
	{"lot", func(m *history.Market) any { return m.Lot }},
	{"min_size", func(m *history.Market) any { return m.MinSize }},
	{"maker_bps", func(m *history.Market) any { return int64(m.MakerBps) }},
	{"taker_bps", func(m *history.Market) any { return int64(m.TakerBps) }},
	{"status", func(m *history.Market) any { return m.Status }},
	{"created_seq", func(m *history.Market) any { return int64(m.Seq) }},
	{"updated_seq", func(m *history.Market) any { return int64(m.Seq) }},
}

func (w historyWriter) markets(ctx context.Context, b *history.Batch) error {
	return insertRows(ctx, w.tx, "markets", histMarketColumns, b.Markets)
}

// marketUpdates are few (an operator's halts and fee changes): one
// statement each, in order.
func (w historyWriter) marketUpdates(ctx context.Context, b *history.Batch) error {
	for _, u := range b.MarketUpdates {
		var err error
		switch {
		case u.Status != "" && u.Fees:
			err = w.exec(ctx, "UPDATE markets SET status = ?, maker_bps = ?, taker_bps = ?, updated_seq = ? WHERE id = ?",
				u.Status, int64(u.MakerBps), int64(u.TakerBps), int64(u.Seq), int64(u.ID))
		case u.Status != "":
			err = w.exec(ctx, "UPDATE markets SET status = ?, updated_seq = ? WHERE id = ?", u.Status, int64(u.Seq), int64(u.ID))
		case u.Fees:
			err = w.exec(ctx, "UPDATE markets SET maker_bps = ?, taker_bps = ?, updated_seq = ? WHERE id = ?",
				int64(u.MakerBps), int64(u.TakerBps), int64(u.Seq), int64(u.ID))
		default:
			err = w.exec(ctx, "UPDATE markets SET updated_seq = ? WHERE id = ?", int64(u.Seq), int64(u.ID))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// orderRow is an order as inserted: as accepted, with the batch's later
// updates of it applied already (a taker order is typically accepted,
// filled and done in one command: one INSERT instead of an INSERT and an
// UPDATE).
type orderRow struct {
	history.Order
	status       string
	filled, fees int64
	cancelReason string
	updatedSeq   uint64
	updatedAt    int64
}

// apply is an order update, as the UPDATE of orderUpdates makes it.
func (o *orderRow) apply(u *history.OrderUpdate) {
	o.filled += u.FilledDelta
	o.fees += u.FeesDelta
	if u.HasRemaining {
		o.Remaining = u.Remaining
	} else {
		o.Remaining -= u.FilledDelta
	}
	if u.Status != "" {
		o.status = u.Status
	}
	if u.CancelReason != "" {
		o.cancelReason = u.CancelReason
	}
	if u.Amended {
		o.Price, o.Size = u.Price, u.Size
	}
	o.updatedSeq, o.updatedAt = u.Seq, u.Time
}

var histOrderColumns = []bulkColumn[orderRow]{
	{"id", func(o *orderRow) any { return int64(o.ID) }},
	{"account_id", func(o *orderRow) any { return int64(o.Account) }},
	{"market_id", func(o *orderRow) any { return int64(o.Market) }},
	{"client_order_id", func(o *orderRow) any { return o.ClientOrderID }},
	{"side", func(o *orderRow) any { return o.Side }},
	{"type", func(o *orderRow) any { return o.Type }},
	{"tif", func(o *orderRow) any { return o.TIF }},
	{"post_only", func(o *orderRow) any { return o.PostOnly }},
	{"price", func(o *orderRow) any { return o.Price }},
	{"size", func(o *orderRow) any { return o.Size }},
	{"quote_amount", func(o *orderRow) any { return o.QuoteAmount }},
	{"expires_at", func(o *orderRow) any { return o.ExpiresAt }},
	{"status", func(o *orderRow) any { return o.status }},
	{"filled", func(o *orderRow) any { return o.filled }},
	{"remaining", func(o *orderRow) any { return o.Remaining }},
	{"fees", func(o *orderRow) any { return o.fees }},
	{"cancel_reason", func(o *orderRow) any { return o.cancelReason }},
	{"created_seq", func(o *orderRow) any { return int64(o.Seq) }},
	{"updated_seq", func(o *orderRow) any { return int64(o.updatedSeq) }},
	{"created_at", func(o *orderRow) any { return o.Time }},
	{"updated_at", func(o *orderRow) any { return o.updatedAt }},
}

var histOrderUpdateColumns = []bulkColumn[history.OrderUpdate]{
	{"id", func(u *history.OrderUpdate) any { return int64(u.ID) }},
	{"filled_delta", func(u *history.OrderUpdate) any { return u.FilledDelta }},
	{"fees_delta", func(u *history.OrderUpdate) any { return u.FeesDelta }},
	{"has_remaining", func(u *history.OrderUpdate) any { return u.HasRemaining }},
	{"remaining", func(u *history.OrderUpdate) any { return u.Remaining }},
	{"status", func(u *history.OrderUpdate) any { return u.Status }},
	{"cancel_reason", func(u *history.OrderUpdate) any { return u.CancelReason }},
	{"amended", func(u *history.OrderUpdate) any { return u.Amended }},
	{"price", func(u *history.OrderUpdate) any { return u.Price }},
	{"size", func(u *history.OrderUpdate) any { return u.Size }},
	{"seq", func(u *history.OrderUpdate) any { return int64(u.Seq) }},
	{"time", func(u *history.OrderUpdate) any { return u.Time }},
}

// orders inserts the batch's new orders, with the batch's updates of them
// applied, then updates the orders of earlier batches, one (folded)
// update per order.
func (w historyWriter) orders(ctx context.Context, b *history.Batch) error {
	inserts, updates := foldOrderUpdates(b.Orders, b.OrderUpdates)
	if err := insertRows(ctx, w.tx, "orders", histOrderColumns, inserts); err != nil {
		return err
	}
	err := updateRows(ctx, w.tx, histOrderUpdateColumns, updates, "UPDATE "+w.orRollback()+`orders AS o SET
		filled = o.filled + u.filled_delta,
		fees = o.fees + u.fees_delta,
		remaining = CASE WHEN u.has_remaining THEN u.remaining ELSE o.remaining - u.filled_delta END,
		status = CASE WHEN u.status <> '' THEN u.status ELSE o.status END,
		cancel_reason = CASE WHEN u.cancel_reason <> '' THEN u.cancel_reason ELSE o.cancel_reason END,
		price = CASE WHEN u.amended THEN u.price ELSE o.price END,
		size = CASE WHEN u.amended THEN u.size ELSE o.size END,
		updated_seq = u.seq,
		updated_at = u.time
		FROM u WHERE o.id = u.id`)
	if err != nil {
		return fmt.Errorf("updates: %w", err)
	}
	return nil
}

// foldOrderUpdates applies the updates of the batch's new orders to their
// rows, and merges the updates of each other order into one (an UPDATE
// ... FROM changes a row once, however many of its source rows match)
// that has the effect of applying them one after another: fills and fees
// add up; the last update that sets remaining (less the fills after it),
// status, cancel reason, or price and size wins, and the last seq and time. Updates stay in the
// order of each order's first update.
func foldOrderUpdates(orders []history.Order, us []history.OrderUpdate) ([]orderRow, []history.OrderUpdate) {
	rows := make([]orderRow, len(orders))
	inserted := make(map[uint64]int, len(orders))
	for i, o := range orders {
		rows[i] = orderRow{Order: o, status: "open", updatedSeq: o.Seq, updatedAt: o.Time}
		inserted[o.ID] = i
	}
	at := make(map[uint64]int)
	var out []history.OrderUpdate
	for i := range us {
		u := &us[i]
		if k, ok := inserted[u.ID]; ok {
			rows[k].apply(u)
			continue
		}
		j, seen := at[u.ID]
		if !seen {
			at[u.ID] = len(out)
			out = append(out, *u)
			continue
		}
		f := &out[j]
		f.FilledDelta += u.FilledDelta
		f.FeesDelta += u.FeesDelta
		if u.HasRemaining {
			f.HasRemaining, f.Remaining = true, u.Remaining
		} else if f.HasRemaining { // set earlier: this update's fills come off it
			f.Remaining -= u.FilledDelta
		}
		if u.Status != "" {
			f.Status = u.Status
		}
		if u.CancelReason != "" {
			f.CancelReason = u.CancelReason
		}
		if u.Amended {
			f.Amended, f.Price, f.Size = true, u.Price, u.Size
		}
		f.Seq, f.Time = u.Seq, u.Time
	}
	return rows, out
}

var histTradeColumns = []bulkColumn[history.Trade]{
	{"seq", func(t *history.Trade) any { return int64(t.Seq) }},
	{"idx", func(t *history.Trade) any { return int64(t.Idx) }},
	{"market_id", func(t *history.Trade) any { return int64(t.Market) }},
	{"price", func(t *history.Trade) any { return t.Price }},
	{"size", func(t *history.Trade) any { return t.Size }},
	{"quote_amount", func(t *history.Trade) any { return t.QuoteAmount }},
	{"taker_side", func(t *history.Trade) any { return t.TakerSide }},
	{"taker_account", func(t *history.Trade) any { return int64(t.TakerAccount) }},
	{"taker_order", func(t *history.Trade) any { return int64(t.TakerOrder) }},
	{"taker_fee", func(t *history.Trade) any { return t.TakerFee }},
	{"maker_account", func(t *history.Trade) any { return int64(t.MakerAccount) }},
	{"maker_order", func(t *history.Trade) any { return int64(t.MakerOrder) }},
	{"maker_fee", func(t *history.Trade) any { return t.MakerFee }},
	{"time", func(t *history.Trade) any { return t.Time }},
}

func (w historyWriter) trades(ctx context.Context, b *history.Batch) error {
	return insertRows(ctx, w.tx, "trades", histTradeColumns, b.Trades)
}

var histLedgerColumns = []bulkColumn[history.LedgerEntry]{
	{"seq", func(e *history.LedgerEntry) any { return int64(e.Seq) }},
	{"idx", func(e *history.LedgerEntry) any { return int64(e.Idx) }},
	{"account_id", func(e *history.LedgerEntry) any { return int64(e.Account) }},
	{"asset_id", func(e *history.LedgerEntry) any { return int64(e.Asset) }},
	{"available", func(e *history.LedgerEntry) any { return e.Available }},
	{"held", func(e *history.LedgerEntry) any { return e.Held }},
	{"available_delta", func(e *history.LedgerEntry) any { return e.AvailableDelta }},
	{"held_delta", func(e *history.LedgerEntry) any { return e.HeldDelta }},
	{"reason", func(e *history.LedgerEntry) any { return e.Reason }},
	{"reference", func(e *history.LedgerEntry) any { return e.Reference }},
	{"time", func(e *history.LedgerEntry) any { return e.Time }},
}

func (w historyWriter) ledger(ctx context.Context, b *history.Batch) error {
	return insertRows(ctx, w.tx, "ledger_entries", histLedgerColumns, b.Ledger)
}

// deposits marks the credited deposits. An operator's deposit has no
// row: its credit changes nothing.
func (w historyWriter) deposits(ctx context.Context, b *history.Batch) error {
	for _, d := range b.Deposits {
		err := w.exec(ctx, "UPDATE deposits SET status = 'credited', credited_seq = ?, updated_at = ? WHERE ref = ?",
			int64(d.Seq), d.Time, d.Ref[:])
		if err != nil {
			return err
		}
	}
	return nil
}

// withdrawals records the engine's side of the outbox: a hold creates the
// row (status pending, no chain or address yet) or, when the API created
// it first, sets its held_seq; completion and failure settle it.
func (w historyWriter) withdrawals(ctx context.Context, b *history.Batch) error {
	for _, e := range b.Withdrawals {
		var err error
		switch e.Kind {
		case "held":
			err = w.exec(ctx, `INSERT INTO withdrawals (id, account_id, asset_id, amount, status, held_seq, created_at, updated_at)
				VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET held_seq = excluded.held_seq, updated_at = excluded.updated_at`,
				int64(e.ID), int64(e.Account), int64(e.Asset), e.Amount, int64(e.Seq), e.Time, e.Time)
		case "completed":
			err = w.exec(ctx, "UPDATE withdrawals SET status = 'confirmed', settled_seq = ?, updated_at = ? WHERE id = ?",
				int64(e.Seq), e.Time, int64(e.ID))
		case "failed":
			err = w.exec(ctx, "UPDATE withdrawals SET status = 'failed', settled_seq = ?, updated_at = ? WHERE id = ?",
				int64(e.Seq), e.Time, int64(e.ID))
		default:
			err = invalidf("withdrawal %d: event kind %q (want held, completed or failed)", e.ID, e.Kind)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

var histRedemptionColumns = []bulkColumn[history.Redemption]{
	{"id", func(r *history.Redemption) any { return int64(r.ID) }},
	{"account_id", func(r *history.Redemption) any { return int64(r.Account) }},
	{"asset_id", func(r *history.Redemption) any { return int64(r.Asset) }},
	{"amount", func(r *history.Redemption) any { return r.Amount }},
	{"receipt", func(r *history.Redemption) any { return r.Receipt }},
	{"status", func(r *history.Redemption) any { return "pending" }},
	{"created_seq", func(r *history.Redemption) any { return int64(r.Seq) }},
	{"created_at", func(r *history.Redemption) any { return r.Time }},
}

func (w historyWriter) redemptions(ctx context.Context, b *history.Batch) error {
	return insertRows(ctx, w.tx, "redemptions", histRedemptionColumns, b.Redemptions)
}

func (w historyWriter) redemptionUpdates(ctx context.Context, b *history.Batch) error {
	for _, u := range b.RedemptionUpdates {
		err := w.exec(ctx, "UPDATE redemptions SET status = ?, settled_seq = ?, settled_at = ? WHERE id = ?",
			u.Status, int64(u.Seq), u.Time, int64(u.ID))
		if err != nil {
			return err
		}
	}
	return nil
}

// A bulkColumn is a column of a bulk statement and its value in a row: an
// int64, a string, a bool, or nil for NULL.
type bulkColumn[T any] struct {
	name  string
	value func(*T) any
}

// bulkRows is what a historyTx's bulk methods take: the columns' names
// and, for row i of n, its values in that order.
type bulkRows struct {
	cols []string
	n    int
	row  func(i int, values []any)
}

func rowsOf[T any](cols []bulkColumn[T], rows []T) bulkRows {
	names := make([]string, len(cols))
	for j, c := range cols {
		names[j] = c.name
	}
	return bulkRows{cols: names, n: len(rows), row: func(i int, values []any) {
		for j, c := range cols {
			values[j] = c.value(&rows[i])
		}
	}}
}

// insertRows inserts rows into table (nothing for none).
func insertRows[T any](ctx context.Context, tx historyTx, table string, cols []bulkColumn[T], rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	return tx.insert(ctx, table, rowsOf(cols, rows))
}

// updateRows runs stmt, which reads rows as the relation u whose columns
// are cols' (nothing for no rows). Every row's values must be non-nil.
func updateRows[T any](ctx context.Context, tx historyTx, cols []bulkColumn[T], rows []T, stmt string) error {
	if len(rows) == 0 {
		return nil
	}
	return tx.withRows(ctx, rowsOf(cols, rows), stmt)
}

// A historyTx is the transaction of one batch, on either database.
type historyTx interface {
	// exec and queryRow take dialect-ready queries (see DB.q).
	exec(ctx context.Context, query string, args ...any) error
	queryRow(ctx context.Context, query string, args ...any) rowScanner
	// insert inserts rows into table.
	insert(ctx context.Context, table string, rows bulkRows) error
	// withRows runs "WITH u (rows.cols) AS (rows) stmt".
	withRows(ctx context.Context, rows bulkRows, stmt string) error
	commit(ctx context.Context) error
	rollback(ctx context.Context)
}

// postgresHistoryTx is a batch's transaction on PostgreSQL, in pgx.
type postgresHistoryTx struct{ tx pgx.Tx }

func (t postgresHistoryTx) exec(ctx context.Context, query string, args ...any) error {
	_, err := t.tx.Exec(ctx, query, args...)
	return mapError(err)
}

func (t postgresHistoryTx) queryRow(ctx context.Context, query string, args ...any) rowScanner {
	return t.tx.QueryRow(ctx, query, args...)
}

// insert copies the rows in (COPY FROM STDIN, binary).
func (t postgresHistoryTx) insert(ctx context.Context, table string, rows bulkRows) error {
	_, err := t.tx.CopyFrom(ctx, pgx.Identifier{table}, rows.cols, &copySource{rows: rows, values: make([]any, len(rows.cols)), i: -1})
	return mapError(err)
}

// copySource is a pgx.CopyFromSource over bulkRows; pgx encodes each
// row's values before it asks for the next, so one slice serves all.
type copySource struct {
	rows   bulkRows
	values []any
	i      int
}

func (s *copySource) Next() bool {
	s.i++
	return s.i < s.rows.n
}

func (s *copySource) Values() ([]any, error) {
	s.rows.row(s.i, s.values)
	return s.values, nil
}

func (s *copySource) Err() error { return nil }

// withRows passes each column as one array parameter (pgx encodes
// []int64, []string and []bool as arrays), the relation u being their
// unnest.
func (t postgresHistoryTx) withRows(ctx context.Context, rows bulkRows, stmt string) error {
	arrays := make([]any, len(rows.cols))
	params := make([]string, len(rows.cols))
	values := make([]any, len(rows.cols))
	rows.row(0, values)
	for j, v := range values {
		switch v.(type) {
		case int64:
			arrays[j], params[j] = make([]int64, rows.n), fmt.Sprintf("$%d::bigint[]", j+1)
		case string:
			arrays[j], params[j] = make([]string, rows.n), fmt.Sprintf("$%d::text[]", j+1)
		case bool:
			arrays[j], params[j] = make([]bool, rows.n), fmt.Sprintf("$%d::boolean[]", j+1)
		default:
			return fmt.Errorf("sqlstore: column %s: a bulk value of type %T", rows.cols[j], v)
		}
	}
	for i := range rows.n {
		rows.row(i, values)
		for j, v := range values {
			switch a := arrays[j].(type) {
			case []int64:
				a[i] = v.(int64)
			case []string:
				a[i] = v.(string)
			case []bool:
				a[i] = v.(bool)
			}
		}
	}
	query := "WITH u (" + strings.Join(rows.cols, ", ") + ") AS (SELECT * FROM unnest(" + strings.Join(params, ", ") + ")) " + stmt
	return t.exec(ctx, query, arrays...)
}

func (t postgresHistoryTx) commit(ctx context.Context) error { return mapError(t.tx.Commit(ctx)) }
func (t postgresHistoryTx) rollback(ctx context.Context)     { t.tx.Rollback(ctx) }

// sqliteHistoryTx is a batch's transaction on SQLite.
type sqliteHistoryTx struct{ tx *sql.Tx }

func (t sqliteHistoryTx) exec(ctx context.Context, query string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, query, args...)
	return mapError(err)
}

func (t sqliteHistoryTx) queryRow(ctx context.Context, query string, args ...any) rowScanner {
	return t.tx.QueryRowContext(ctx, query, args...)
}

// insert's conflict clause: see historyWriter.orRollback.
func (t sqliteHistoryTx) insert(ctx context.Context, table string, rows bulkRows) error {
	return t.chunks(ctx, rows, "INSERT OR ROLLBACK INTO "+table+" ("+strings.Join(rows.cols, ", ")+") VALUES ", "")
}

func (t sqliteHistoryTx) withRows(ctx context.Context, rows bulkRows, stmt string) error {
	return t.chunks(ctx, rows, "WITH u ("+strings.Join(rows.cols, ", ")+") AS (VALUES ", ") "+stmt)
}

// sqliteMaxParams is SQLite's limit on the parameters of one statement
// (SQLITE_MAX_VARIABLE_NUMBER, 32,766 since 3.32).
const sqliteMaxParams = 32766

// sqliteBulkRows bounds the rows of one SQLite statement: longer ones
// are no faster.
const sqliteBulkRows = 200

// chunks runs prefix + a VALUES list + suffix over the rows, a chunk of
// sqliteBulkRows rows (or fewer, under sqliteMaxParams) at a time,
// preparing the statement once for full chunks and once for the last.
func (t sqliteHistoryTx) chunks(ctx context.Context, rows bulkRows, prefix, suffix string) error {
	width := len(rows.cols)
	chunk := min(rows.n, sqliteBulkRows, sqliteMaxParams/width)
	tuple := "(?" + strings.Repeat(", ?", width-1) + ")"
	args := make([]any, chunk*width)
	var stmt *sql.Stmt
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	for start := 0; start < rows.n; start += chunk {
		n := min(chunk, rows.n-start)
		if stmt == nil || n < chunk {
			if stmt != nil {
				stmt.Close()
			}
			query := prefix + tuple + strings.Repeat(", "+tuple, n-1) + suffix
			var err error
			if stmt, err = t.tx.PrepareContext(ctx, query); err != nil {
				return mapError(err)
			}
		}
		for i := range n {
			rows.row(start+i, args[i*width:(i+1)*width])
		}
		if _, err := stmt.ExecContext(ctx, args[:n*width]...); err != nil {
			return mapError(err)
		}
	}
	return nil
}

func (t sqliteHistoryTx) commit(context.Context) error { return mapError(t.tx.Commit()) }
func (t sqliteHistoryTx) rollback(context.Context)     { t.tx.Rollback() }
