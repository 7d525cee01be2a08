package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/lpx-exchange/lpx/history"
)

// The history's reads, for the API. Lists are newest first, by the
// sequence number of the command that wrote the row, and page with a
// cursor: the next page starts after the last row of the previous one.

// OrderRow is an order as the history holds it: every column of orders.
// Price, Size and Remaining are as of the last update (an amendment
// changes the first two); Filled and Fees add up the fills.
type OrderRow struct {
	ID            uint64
	Account       uint32
	Market        uint32
	ClientOrderID string
	Side          string // "buy" or "sell"
	Type          string // "limit" or "market"
	TIF           string // "gtc", "ioc", "fok" or "gtd"
	PostOnly      bool
	Price         int64
	Size          int64
	QuoteAmount   int64
	ExpiresAt     int64
	Status        string // "open", "filled", "canceled" or "expired"
	Filled        int64
	Remaining     int64
	Fees          int64
	CancelReason  string
	CreatedSeq    uint64
	UpdatedSeq    uint64
	CreatedAt     int64
	UpdatedAt     int64
}

// OrderQuery selects a page of an account's orders.
type OrderQuery struct {
	Market uint32 // 0: every market
	Status string // "": any; "open", "filled", "canceled" or "expired"
	// After is the last order of the previous page (0: from the newest).
	After uint64
	Limit int // 1..MaxPageSize
}

// HistoryCursor is a row's place in the event log: the seq of the command
// that made it and its index among that command's rows. Fills and ledger
// entries page with it.
type HistoryCursor struct {
	Seq uint64
	Idx uint32
}

// Fill is a trade from the point of view of one of its two accounts.
type Fill struct {
	Seq    uint64
	Idx    uint32
	Market uint32
	Order  uint64 // the account's order; 0 for a swap's leg
	Side   string // the account's side, "buy" or "sell"
	Maker  bool   // the account's order was resting (else it was the taker)
	Price  int64
	Size   int64
	// QuoteAmount is the notional, in quote units.
	QuoteAmount int64
	Fee         int64 // the account's fee, in the quote asset
	Time        int64
}

// Cursor is the position of f in Fills' order.
func (f Fill) Cursor() HistoryCursor { return HistoryCursor{Seq: f.Seq, Idx: f.Idx} }

// MarketRow is a market as the history holds it: as created, with the
// status and fees of its last update (UpdatedSeq).
type MarketRow struct {
	history.Market // Seq is the seq that created it
	UpdatedSeq     uint64
}

const orderSelect = `id, account_id, market_id, client_order_id, side, type, tif, post_only, price, size, quote_amount,
	expires_at, status, filled, remaining, fees, cancel_reason, created_seq, updated_seq, created_at, updated_at`

func scanOrder(r rowScanner) (OrderRow, error) {
	var o OrderRow
	var id, account, market, createdSeq, updatedSeq int64
	err := r.Scan(&id, &account, &market, &o.ClientOrderID, &o.Side, &o.Type, &o.TIF, &o.PostOnly, &o.Price, &o.Size,
		&o.QuoteAmount, &o.ExpiresAt, &o.Status, &o.Filled, &o.Remaining, &o.Fees, &o.CancelReason,
		&createdSeq, &updatedSeq, &o.CreatedAt, &o.UpdatedAt)
	o.ID, o.Account, o.Market = uint64(id), uint32(account), uint32(market)
	o.CreatedSeq, o.UpdatedSeq = uint64(createdSeq), uint64(updatedSeq)
	return o, err
}

// Order returns the order with the engine's id, or ErrNotFound.
func (db *DB) Order(ctx context.Context, id uint64) (OrderRow, error) {
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+orderSelect+" FROM orders WHERE id = ?"), int64(id))
	o, err := scanOrder(row)
	return o, dbErr(err, "order %d", id)
}

// ListOrders returns up to q.Limit of account's orders, newest first (by
// the seq that accepted them; an OrderID says nothing about age, as the
// engine reuses slots), only those of q.Market and in q.Status when set.
// A q.After that names no order is ErrNotFound.
func (db *DB) ListOrders(ctx context.Context, account uint32, q OrderQuery) ([]OrderRow, error) {
	if err := checkLimit(q.Limit); err != nil {
		return nil, err
	}
	query, args := "SELECT "+orderSelect+" FROM orders WHERE account_id = ?", []any{int64(account)}
	if q.Market != 0 {
		query += " AND market_id = ?"
		args = append(args, int64(q.Market))
	}
	switch q.Status {
	case "":
	case "open", "filled", "canceled", "expired":
		query += " AND status = ?"
		args = append(args, q.Status)
	default:
		return nil, invalidf("order status %q (want open, filled, canceled or expired)", q.Status)
	}
	if q.After != 0 {
		var seq int64
		err := db.DB.QueryRowContext(ctx, db.q("SELECT created_seq FROM orders WHERE id = ?"), int64(q.After)).Scan(&seq)
		if err != nil {
			return nil, dbErr(err, "list orders of account %d after order %d", account, q.After)
		}
		query += " AND created_seq <= ? AND (created_seq, id) < (?, ?)"
		args = append(args, seq, seq, int64(q.After))
	}
	query += " ORDER BY created_seq DESC, id DESC LIMIT ?"
	list, err := queryList(ctx, db, scanOrder, query, append(args, q.Limit)...)
	return list, dbErr(err, "list orders of account %d", account)
}

// Fills returns up to limit of the trades in which account took part,
// from its point of view, newest first (by seq and idx), starting after
// the cursor (nil: from the newest). The engine never trades an account
// with itself; if a trade did, it would be listed once, as the taker's.
func (db *DB) Fills(ctx context.Context, account uint32, after *HistoryCursor, limit int) ([]Fill, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	// One index range per role (trades_taker, trades_maker), each cut to
	// limit rows, merged: an OR of the two would read and sort every
	// trade of the account.
	page, pageArgs := cursorCondition(after)
	query := `SELECT * FROM (
		SELECT * FROM (SELECT seq, idx, market_id, taker_order, taker_side, 0 AS maker, price, size, quote_amount, taker_fee, time
			FROM trades WHERE taker_account = ?` + page + ` ORDER BY seq DESC, idx DESC LIMIT ?) AS t
		UNION ALL
		SELECT * FROM (SELECT seq, idx, market_id, maker_order, taker_side, 1 AS maker, price, size, quote_amount, maker_fee, time
			FROM trades WHERE maker_account = ? AND taker_account <> ?` + page + ` ORDER BY seq DESC, idx DESC LIMIT ?) AS m
	) AS f ORDER BY seq DESC, idx DESC LIMIT ?`
	args := append([]any{int64(account)}, pageArgs...)
	args = append(args, limit, int64(account), int64(account))
	args = append(args, pageArgs...)
	args = append(args, limit, limit)
	list, err := queryList(ctx, db, scanFill, query, args...)
	return list, dbErr(err, "fills of account %d", account)
}

func scanFill(r rowScanner) (Fill, error) {
	var f Fill
	var seq, idx, market, order, maker int64
	var takerSide string
	err := r.Scan(&seq, &idx, &market, &order, &takerSide, &maker, &f.Price, &f.Size, &f.QuoteAmount, &f.Fee, &f.Time)
	f.Seq, f.Idx, f.Market, f.Order, f.Maker = uint64(seq), uint32(idx), uint32(market), uint64(order), maker == 1
	f.Side = takerSide
	if f.Maker {
		f.Side = oppositeSide(takerSide)
	}
	return f, err
}

func oppositeSide(side string) string {
	switch side {
	case "buy":
		return "sell"
	case "sell":
		return "buy"
	}
	return side
}

// cursorCondition is the condition (and its arguments) on seq and idx
// that starts a page after c: nothing for nil. The seq <= ? alone lets an
// index on (..., seq) start the scan at the cursor.
func cursorCondition(c *HistoryCursor) (string, []any) {
	if c == nil {
		return "", nil
	}
	return " AND seq <= ? AND (seq, idx) < (?, ?)", []any{int64(c.Seq), int64(c.Seq), int64(c.Idx)}
}

const ledgerSelect = "seq, idx, account_id, asset_id, available, held, available_delta, held_delta, reason, reference, time"

func scanLedgerEntry(r rowScanner) (history.LedgerEntry, error) {
	var e history.LedgerEntry
	var seq, idx, account, asset int64
	err := r.Scan(&seq, &idx, &account, &asset, &e.Available, &e.Held, &e.AvailableDelta, &e.HeldDelta,
		&e.Reason, &e.Reference, &e.Time)
	e.Seq, e.Idx, e.Account, e.Asset = uint64(seq), uint32(idx), uint32(account), uint32(asset)
	return e, err
}

// LedgerEntries returns up to limit of account's balance changes, in
// asset only unless asset is 0, newest first (by seq and idx), starting
// after the cursor (nil: from the newest; the next page starts after the
// last entry's Seq and Idx).
func (db *DB) LedgerEntries(ctx context.Context, account, asset uint32, after *HistoryCursor, limit int) ([]history.LedgerEntry, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	query, args := "SELECT "+ledgerSelect+" FROM ledger_entries WHERE account_id = ?", []any{int64(account)}
	if asset != 0 {
		query += " AND asset_id = ?"
		args = append(args, int64(asset))
	}
	page, pageArgs := cursorCondition(after)
	query += page + " ORDER BY seq DESC, idx DESC LIMIT ?"
	args = append(append(args, pageArgs...), limit)
	list, err := queryList(ctx, db, scanLedgerEntry, query, args...)
	return list, dbErr(err, "ledger of account %d", account)
}

// LastBalance is the balance after the newest ledger entry of (account,
// asset): ok false if it has none.
func (db *DB) LastBalance(ctx context.Context, account, asset uint32) (available, held int64, ok bool, err error) {
	err = db.DB.QueryRowContext(ctx, db.q(`SELECT available, held FROM ledger_entries WHERE account_id = ? AND asset_id = ?
		ORDER BY seq DESC, idx DESC LIMIT 1`), int64(account), int64(asset)).Scan(&available, &held)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, dbErr(err, "last balance of account %d asset %d", account, asset)
	}
	return available, held, true, nil
}

const tradeSelect = `seq, idx, market_id, price, size, quote_amount, taker_side, taker_account, taker_order, taker_fee,
	maker_account, maker_order, maker_fee, time`

func scanTrade(r rowScanner) (history.Trade, error) {
	var t history.Trade
	var seq, idx, market, taker, takerOrder, maker, makerOrder int64
	err := r.Scan(&seq, &idx, &market, &t.Price, &t.Size, &t.QuoteAmount, &t.TakerSide, &taker, &takerOrder, &t.TakerFee,
		&maker, &makerOrder, &t.MakerFee, &t.Time)
	t.Seq, t.Idx, t.Market = uint64(seq), uint32(idx), uint32(market)
	t.TakerAccount, t.TakerOrder, t.MakerAccount, t.MakerOrder = uint32(taker), uint64(takerOrder), uint32(maker), uint64(makerOrder)
	return t, err
}

// Trades returns a market's limit newest trades, newest first.
func (db *DB) Trades(ctx context.Context, market uint32, limit int) ([]history.Trade, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	list, err := queryList(ctx, db, scanTrade, "SELECT "+tradeSelect+" FROM trades WHERE market_id = ? ORDER BY seq DESC, idx DESC LIMIT ?",
		int64(market), limit)
	return list, dbErr(err, "trades of market %d", market)
}

// Markets returns every market, in id order.
func (db *DB) Markets(ctx context.Context) ([]MarketRow, error) {
	list, err := queryList(ctx, db, scanMarket, `SELECT id, base_id, quote_id, price_scale, tick, lot, min_size, maker_bps, taker_bps,
		status, created_seq, updated_seq FROM markets ORDER BY id`)
	return list, dbErr(err, "markets")
}

func scanMarket(r rowScanner) (MarketRow, error) {
	var m MarketRow
	var id, base, quote, priceScale, makerBps, takerBps, createdSeq, updatedSeq int64
	err := r.Scan(&id, &base, &quote, &priceScale, &m.Tick, &m.Lot, &m.MinSize, &makerBps, &takerBps, &m.Status,
		&createdSeq, &updatedSeq)
	m.ID, m.Base, m.Quote, m.PriceScale = uint32(id), uint32(base), uint32(quote), uint8(priceScale)
	m.MakerBps, m.TakerBps, m.Seq, m.UpdatedSeq = int32(makerBps), int32(takerBps), uint64(createdSeq), uint64(updatedSeq)
	return m, err
}

// Assets returns every asset, in id order.
func (db *DB) Assets(ctx context.Context) ([]history.Asset, error) {
	list, err := queryList(ctx, db, scanAsset, "SELECT id, symbol, scale, kind, brand_id, expires_at, hub, created_seq FROM assets ORDER BY id")
	return list, dbErr(err, "assets")
}

func scanAsset(r rowScanner) (history.Asset, error) {
	var a history.Asset
	var id, scale, seq int64
	var brand, expires sql.NullInt64
	err := r.Scan(&id, &a.Symbol, &scale, &a.Kind, &brand, &expires, &a.Hub, &seq)
	a.ID, a.Scale, a.BrandID, a.ExpiresAt, a.Seq = uint32(id), uint8(scale), uint32(brand.Int64), expires.Int64, uint64(seq)
	return a, err
}
