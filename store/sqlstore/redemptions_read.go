package sqlstore

import (
	"context"
	"database/sql"
)

// RedemptionStatus is where a redemption stands: pending until the brand
// fulfils or rejects it (a rejection refunds the points).
type RedemptionStatus string

// The states of a redemption.
const (
	RedemptionPending   RedemptionStatus = "pending"
	RedemptionFulfilled RedemptionStatus = "fulfilled"
	RedemptionRejected  RedemptionStatus = "rejected"
)

func (s RedemptionStatus) valid() bool {
	switch s {
	case RedemptionPending, RedemptionFulfilled, RedemptionRejected:
		return true
	}
	return false
}

// Redemption is a redemption's row, written by the history projection
// from the engine's events; the API only reads it. ID is the engine's
// RedemptionID (stored as the BIGINT with the same bits).
type Redemption struct {
	ID         uint64
	Account    uint32
	Asset      uint32
	Amount     int64
	Receipt    string
	Status     RedemptionStatus
	CreatedSeq uint64
	SettledSeq uint64 // 0: pending
	CreatedAt  int64
	SettledAt  int64 // 0: pending
}

// Redemption returns the redemption with id, or ErrNotFound.
func (db *DB) Redemption(ctx context.Context, id uint64) (Redemption, error) {
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+redemptionSelect+" FROM redemptions WHERE id = ?"), int64(id))
	r, err := scanRedemption(row)
	return r, dbErr(err, "redemption %d", id)
}

// ListRedemptions returns up to limit of account's redemptions, newest
// (highest id) first, after beforeID, the last id of the previous page
// (0: from the newest).
func (db *DB) ListRedemptions(ctx context.Context, account uint32, beforeID uint64, limit int) ([]Redemption, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	cond, args := idsBefore(beforeID)
	list, err := queryList(ctx, db, scanRedemption,
		"SELECT "+redemptionSelect+" FROM redemptions WHERE account_id = ?"+cond+" ORDER BY id DESC LIMIT ?",
		append(append([]any{int64(account)}, args...), limit)...)
	return list, dbErr(err, "list redemptions of account %d", account)
}

// ListRedemptionsByAsset returns up to limit redemptions of asset (a
// brand's console), only those in status unless status is "", newest
// (highest id) first, after beforeID, the last id of the previous page
// (0: from the newest).
func (db *DB) ListRedemptionsByAsset(ctx context.Context, asset uint32, status RedemptionStatus, beforeID uint64, limit int) ([]Redemption, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	cond, args := idsBefore(beforeID)
	query, args := "SELECT "+redemptionSelect+" FROM redemptions WHERE asset_id = ?"+cond, append([]any{int64(asset)}, args...)
	if status != "" {
		if !status.valid() {
			return nil, invalidf("redemption status %q", status)
		}
		query, args = query+" AND status = ?", append(args, string(status))
	}
	list, err := queryList(ctx, db, scanRedemption, query+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
	return list, dbErr(err, "list redemptions of asset %d", asset)
}

const redemptionSelect = "id, account_id, asset_id, amount, receipt, status, created_seq, settled_seq, created_at, settled_at"

func scanRedemption(r rowScanner) (Redemption, error) {
	var x Redemption
	var id, account, asset, created int64
	var status string
	var settledSeq, settledAt sql.NullInt64
	err := r.Scan(&id, &account, &asset, &x.Amount, &x.Receipt, &status, &created, &settledSeq, &x.CreatedAt, &settledAt)
	x.ID, x.Account, x.Asset, x.Status = uint64(id), uint32(account), uint32(asset), RedemptionStatus(status)
	x.CreatedSeq, x.SettledSeq, x.SettledAt = uint64(created), uint64(settledSeq.Int64), settledAt.Int64
	return x, err
}
