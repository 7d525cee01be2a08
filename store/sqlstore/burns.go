package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math/big"
	"strings"
)

// BurnStatus is where a batch of fulfilled redemptions stands on its way
// to being burned from the vault: pending → burning → burned, or failed
// from pending or burning (which releases its redemptions).
type BurnStatus string

// The burns' states.
const (
	// BurnPending: the batch is stored with its redemptions, nothing
	// signed yet.
	BurnPending BurnStatus = "pending"
	// BurnBurning: the signed burn is stored (it may or may not have been
	// broadcast yet).
	BurnBurning BurnStatus = "burning"
	// BurnBurned: the burn is confirmed.
	BurnBurned BurnStatus = "burned"
	// BurnFailed: the burn reverted or can never be mined; its redemptions
	// were released for a later batch (Error says why).
	BurnFailed BurnStatus = "failed"
)

func (s BurnStatus) valid() bool {
	switch s {
	case BurnPending, BurnBurning, BurnBurned, BurnFailed:
		return true
	}
	return false
}

// MaxBurnBatch bounds the redemptions of one burn.
const MaxBurnBatch = MaxPageSize

// Burn is a row of the burns table: one burn(TotalRaw) of Asset's token
// from the vault for a batch of fulfilled redemptions (Redemptions, read
// from redemption_burns: empty once the burn failed and released them).
type Burn struct {
	ID          uint64
	Asset       uint32
	TotalRaw    *big.Int
	Status      BurnStatus
	Nonce       uint64 // the vault's nonce of the burn, when HasNonce (from burning on)
	HasNonce    bool
	SignedTx    []byte // stored before the broadcast, sent again until a receipt
	TxHash      string // lowercase hex
	Error       string // why it failed
	Redemptions []uint64
	CreatedAt   int64
	UpdatedAt   int64
}

// UnburnedFulfilled returns up to limit fulfilled redemptions (of asset;
// of every asset when asset is 0) that no burn holds, by asset then id:
// the burner's work list. Amounts are in units of the asset's scale; the
// caller converts them to the token's raw amounts with the token program.
// A history rebuild empties the redemptions table and projects it again:
// redemption_burns, apart from it, keeps which ones were burned.
func (db *DB) UnburnedFulfilled(ctx context.Context, asset uint32, limit int) ([]Redemption, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	query := "SELECT " + redemptionSelect + " FROM redemptions WHERE status = ?" +
		" AND NOT EXISTS (SELECT 1 FROM redemption_burns WHERE redemption_burns.redemption_id = redemptions.id)"
	args := []any{string(RedemptionFulfilled)}
	if asset != 0 {
		query, args = query+" AND asset_id = ?", append(args, int64(asset))
	}
	list, err := queryList(ctx, db, scanRedemption, query+" ORDER BY asset_id, id LIMIT ?", append(args, limit)...)
	return list, dbErr(err, "list unburned fulfilled redemptions")
}

// CreateBurn stores a pending burn of totalRaw of asset for the
// redemptions, and maps each of them to it, in one transaction, and
// returns the burn. ErrInvalid: asset 0, a total that is not a positive
// uint256, no redemptions or more than MaxBurnBatch, one listed twice, or
// one that is not a fulfilled redemption of asset. ErrDuplicate: one of
// them belongs to another burn already (nothing is stored).
func (db *DB) CreateBurn(ctx context.Context, asset uint32, totalRaw *big.Int, redemptions []uint64, now int64) (Burn, error) {
	switch {
	case asset == 0:
		return Burn{}, invalidf("burn of asset 0")
	case totalRaw != nil && totalRaw.Sign() == 0:
		return Burn{}, invalidf("burn of a raw amount of 0")
	case len(redemptions) == 0 || len(redemptions) > MaxBurnBatch:
		return Burn{}, invalidf("burn of %d redemptions (1 to %d)", len(redemptions), MaxBurnBatch)
	}
	total, err := uint256Arg("burn total", totalRaw)
	if err != nil {
		return Burn{}, err
	}
	seen := make(map[uint64]bool, len(redemptions))
	marks := make([]string, len(redemptions))
	ids := make([]any, len(redemptions))
	for i, id := range redemptions {
		if seen[id] {
			return Burn{}, invalidf("burn lists redemption %d twice", id)
		}
		seen[id], marks[i], ids[i] = true, "?", int64(id)
	}

	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return Burn{}, dbErr(err, "create burn of asset %d", asset)
	}
	defer tx.Rollback()
	var fulfilled int
	err = tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM redemptions WHERE status = ? AND asset_id = ? AND id IN ("+strings.Join(marks, ", ")+")"),
		append([]any{string(RedemptionFulfilled), int64(asset)}, ids...)...).Scan(&fulfilled)
	if err != nil {
		return Burn{}, dbErr(err, "create burn of asset %d", asset)
	}
	if fulfilled != len(redemptions) {
		return Burn{}, invalidf("burn of asset %d: %d of the %d redemptions are not fulfilled redemptions of the asset", asset, len(redemptions)-fulfilled, len(redemptions))
	}
	var id int64
	err = tx.QueryRowContext(ctx, db.q(`INSERT INTO burns (asset_id, total_raw, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`), int64(asset), total, string(BurnPending), now, now).Scan(&id)
	if err != nil {
		return Burn{}, dbErr(err, "create burn of asset %d", asset)
	}
	for _, r := range redemptions {
		if _, err := tx.ExecContext(ctx, db.q("INSERT INTO redemption_burns (redemption_id, burn_id) VALUES (?, ?)"), int64(r), id); err != nil {
			return Burn{}, dbErr(err, "burn of asset %d: redemption %d", asset, r)
		}
	}
	if err := tx.Commit(); err != nil {
		return Burn{}, dbErr(err, "create burn of asset %d", asset)
	}
	return db.Burn(ctx, uint64(id))
}

// Burn returns the burn with id and its redemptions, or ErrNotFound.
func (db *DB) Burn(ctx context.Context, id uint64) (Burn, error) {
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+burnSelect+" FROM burns WHERE id = ?"), int64(id))
	b, err := scanBurn(row)
	if err != nil {
		return Burn{}, dbErr(err, "burn %d", id)
	}
	if b.Redemptions, err = db.burnRedemptions(ctx, id); err != nil {
		return Burn{}, err
	}
	return b, nil
}

// BurnOfRedemption returns the id of the burn that holds the redemption,
// or ErrNotFound (not burned, nor in a batch being burned).
func (db *DB) BurnOfRedemption(ctx context.Context, redemption uint64) (uint64, error) {
	var id int64
	err := db.DB.QueryRowContext(ctx, db.q("SELECT burn_id FROM redemption_burns WHERE redemption_id = ?"), int64(redemption)).Scan(&id)
	return uint64(id), dbErr(err, "burn of redemption %d", redemption)
}

// ListBurnsByStatus returns up to limit burns in status, oldest (lowest
// id) first, each with its redemptions.
func (db *DB) ListBurnsByStatus(ctx context.Context, status BurnStatus, limit int) ([]Burn, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	if !status.valid() {
		return nil, invalidf("burn status %q", status)
	}
	list, err := queryList(ctx, db, scanBurn, "SELECT "+burnSelect+" FROM burns WHERE status = ? ORDER BY id LIMIT ?", string(status), limit)
	if err != nil {
		return nil, dbErr(err, "list %s burns", status)
	}
	for i := range list {
		if list[i].Redemptions, err = db.burnRedemptions(ctx, list[i].ID); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// MarkBurnBurning moves a pending burn to burning, storing the vault's
// nonce, the signed burn (before it is broadcast) and its hash.
// ErrNotFound: no such burn. ErrConflict: it is not pending (that is what
// keeps a batch to one burn). ErrInvalid: an empty signed transaction, a
// bad hash, a nonce above 2^63-1.
func (db *DB) MarkBurnBurning(ctx context.Context, id, nonce uint64, signedTx []byte, txHash string, now int64) error {
	n, err := int63("nonce", nonce)
	if err != nil {
		return err
	}
	if len(signedTx) == 0 {
		return invalidf("burn %d: empty signed transaction", id)
	}
	if err := checkHex("tx hash", txHash, 32); err != nil {
		return err
	}
	return db.moveBurn(ctx, nil, id, BurnBurning, []BurnStatus{BurnPending}, ", nonce = ?, signed_tx = ?, tx_hash = ?", []any{n, signedTx, txHash}, now)
}

// MarkBurnBurned moves a burning burn to burned. ErrNotFound: no such
// burn; ErrConflict: it is not burning.
func (db *DB) MarkBurnBurned(ctx context.Context, id uint64, now int64) error {
	return db.moveBurn(ctx, nil, id, BurnBurned, []BurnStatus{BurnBurning}, "", nil, now)
}

// MarkBurnFailed moves a pending or burning burn to failed with a reason
// and, in the same transaction, releases its redemptions (deletes their
// redemption_burns rows) so that a later batch takes them. ErrNotFound: no
// such burn; ErrConflict: it is burned or failed already; ErrInvalid: an
// empty reason.
func (db *DB) MarkBurnFailed(ctx context.Context, id uint64, reason string, now int64) error {
	if reason == "" {
		return invalidf("burn %d: failed without a reason", id)
	}
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err, "mark burn %d failed", id)
	}
	defer tx.Rollback()
	if err := db.moveBurn(ctx, tx, id, BurnFailed, []BurnStatus{BurnPending, BurnBurning}, ", error = ?", []any{reason}, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q("DELETE FROM redemption_burns WHERE burn_id = ?"), int64(id)); err != nil {
		return dbErr(err, "release the redemptions of burn %d", id)
	}
	return dbErr(tx.Commit(), "mark burn %d failed", id)
}

// NextBurnNonce is the highest vault nonce any burn was signed with, plus
// 1, or 0 when none was. The burns table has no chain column: a node runs
// on one chain.
func (db *DB) NextBurnNonce(ctx context.Context) (uint64, error) {
	var max sql.NullInt64
	err := db.DB.QueryRowContext(ctx, "SELECT MAX(nonce) FROM burns WHERE nonce IS NOT NULL").Scan(&max)
	if err != nil {
		return 0, dbErr(err, "next burn nonce")
	}
	if !max.Valid {
		return 0, nil
	}
	return uint64(max.Int64) + 1, nil
}

// moveBurn moves a burn from one of the states in from to state to, also
// setting the columns in set, in one UPDATE (in tx when it is not nil).
// When no row changed, it reads the row to tell ErrNotFound from
// ErrConflict.
func (db *DB) moveBurn(ctx context.Context, tx *sql.Tx, id uint64, to BurnStatus, from []BurnStatus, set string, setArgs []any, now int64) error {
	args := append([]any{string(to), now}, setArgs...)
	args = append(args, int64(id))
	marks := make([]string, len(from))
	names := make([]string, len(from))
	for i, s := range from {
		marks[i], names[i] = "?", string(s)
		args = append(args, string(s))
	}
	query := db.q("UPDATE burns SET status = ?, updated_at = ?" + set + " WHERE id = ? AND status IN (" + strings.Join(marks, ", ") + ")")
	var res sql.Result
	var err error
	if tx != nil {
		res, err = tx.ExecContext(ctx, query, args...)
	} else {
		res, err = db.DB.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return dbErr(err, "mark burn %d %s", id, to)
	}
	if changed, err := res.RowsAffected(); err != nil || changed == 1 {
		return dbErr(err, "mark burn %d %s", id, to)
	}
	var status string
	var row *sql.Row
	if tx != nil {
		row = tx.QueryRowContext(ctx, db.q("SELECT status FROM burns WHERE id = ?"), int64(id))
	} else {
		row = db.DB.QueryRowContext(ctx, db.q("SELECT status FROM burns WHERE id = ?"), int64(id))
	}
	if err := row.Scan(&status); err != nil {
		return dbErr(err, "burn %d", id)
	}
	return dbErr(ErrConflict, "burn %d is %s, not %s", id, status, strings.Join(names, " or "))
}

func (db *DB) burnRedemptions(ctx context.Context, id uint64) ([]uint64, error) {
	list, err := queryList(ctx, db, func(r rowScanner) (uint64, error) {
		var v int64
		err := r.Scan(&v)
		return uint64(v), err
	}, "SELECT redemption_id FROM redemption_burns WHERE burn_id = ? ORDER BY redemption_id", int64(id))
	return list, dbErr(err, "redemptions of burn %d", id)
}

var burnSelect = "id, asset_id, " + uint256Column("total_raw") + ", status, nonce, signed_tx, tx_hash, error, created_at, updated_at"

func scanBurn(r rowScanner) (Burn, error) {
	var b Burn
	var id, asset int64
	var raw nullUint256
	var status string
	var nonce sql.NullInt64
	var txHash, reason sql.NullString
	if err := r.Scan(&id, &asset, &raw, &status, &nonce, &b.SignedTx, &txHash, &reason, &b.CreatedAt, &b.UpdatedAt); err != nil {
		return Burn{}, err
	}
	if raw.Int == nil {
		return Burn{}, errors.New("sqlstore: a burn without a total")
	}
	b.ID, b.Asset, b.TotalRaw, b.Status = uint64(id), uint32(asset), raw.Int, BurnStatus(status)
	b.Nonce, b.HasNonce, b.TxHash, b.Error = uint64(nonce.Int64), nonce.Valid, txHash.String, reason.String
	return b, nil
}
