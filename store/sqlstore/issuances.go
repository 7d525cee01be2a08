package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math/big"
	"strings"
)

// IssuanceStatus is where a brand's issue stands:
// pending → minting → credited, or failed from pending or minting.
type IssuanceStatus string

// The issuances' states.
const (
	// IssuancePending: accepted, nothing signed yet.
	IssuancePending IssuanceStatus = "pending"
	// IssuanceMinting: the signed mint to the vault is stored (it may or
	// may not have been broadcast yet).
	IssuanceMinting IssuanceStatus = "minting"
	// IssuanceCredited: the mint is confirmed and the engine issued the
	// amount to the customer.
	IssuanceCredited IssuanceStatus = "credited"
	// IssuanceFailed: the mint reverted or could not be sent, or the
	// engine refused the issue (Error says why).
	IssuanceFailed IssuanceStatus = "failed"
)

func (s IssuanceStatus) valid() bool {
	switch s {
	case IssuancePending, IssuanceMinting, IssuanceCredited, IssuanceFailed:
		return true
	}
	return false
}

// MaxIssuanceReference bounds a brand's reference, in bytes.
const MaxIssuanceReference = 200

// Issuance is a row of the issuances table: a brand's request to credit a
// customer with Amount units of Asset, backed by a mint of AmountRaw to
// the vault. (Brand, Reference) is its key: the brand's reference makes a
// retried request issue once.
type Issuance struct {
	Brand     uint32
	Reference string
	Customer  uint32
	Asset     uint32
	Amount    int64    // units of the asset's scale
	AmountRaw *big.Int // the uint256 minted to the vault
	Status    IssuanceStatus
	Nonce     uint64 // the vault's nonce of the mint, when HasNonce (from minting on)
	HasNonce  bool
	SignedTx  []byte // stored before the broadcast, sent again until a receipt
	TxHash    string // lowercase hex
	// LogIndex is the mint's Transfer log in its block, when HasLogIndex
	// (credited).
	LogIndex    uint32
	HasLogIndex bool
	CreditedSeq uint64 // the engine's issue; 0: not known
	Error       string // why it failed
	CreatedAt   int64
	UpdatedAt   int64
}

// CreateIssuance stores a new issuance, status pending (is.Status and the
// minting and crediting fields are ignored; UpdatedAt becomes CreatedAt),
// and returns it with created true.
//
// A repeat of (Brand, Reference) changes nothing: it returns the stored
// row, created false, and an error wrapping ErrDuplicate, so that the
// caller can answer the repeat with the first request's issuance.
// ErrInvalid: brand, customer or asset 0, an amount not above 0, a raw
// amount that is nil, 0 or not a uint256, an empty reference or one longer
// than MaxIssuanceReference.
func (db *DB) CreateIssuance(ctx context.Context, is Issuance) (Issuance, bool, error) {
	switch {
	case is.Brand == 0 || is.Customer == 0 || is.Asset == 0 || is.Amount <= 0:
		return Issuance{}, false, invalidf("issuance: brand %d, customer %d, asset %d, amount %d", is.Brand, is.Customer, is.Asset, is.Amount)
	case is.Reference == "" || len(is.Reference) > MaxIssuanceReference:
		return Issuance{}, false, invalidf("issuance reference of %d bytes (1 to %d)", len(is.Reference), MaxIssuanceReference)
	case is.AmountRaw != nil && is.AmountRaw.Sign() == 0:
		return Issuance{}, false, invalidf("issuance of a raw amount of 0")
	}
	raw, err := uint256Arg("issuance amount", is.AmountRaw)
	if err != nil {
		return Issuance{}, false, err
	}
	res, err := db.DB.ExecContext(ctx, db.q(`INSERT INTO issuances
		(brand_id, reference, customer_id, asset_id, amount, amount_raw, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (brand_id, reference) DO NOTHING`),
		int64(is.Brand), is.Reference, int64(is.Customer), int64(is.Asset), is.Amount, raw,
		string(IssuancePending), is.CreatedAt, is.CreatedAt)
	if err != nil {
		return Issuance{}, false, dbErr(err, "create issuance %d/%q", is.Brand, is.Reference)
	}
	changed, err := res.RowsAffected()
	if err != nil {
		return Issuance{}, false, dbErr(err, "create issuance %d/%q", is.Brand, is.Reference)
	}
	have, err := db.Issuance(ctx, is.Brand, is.Reference)
	if err != nil {
		return Issuance{}, false, err
	}
	if changed == 1 {
		return have, true, nil
	}
	return have, false, dbErr(ErrDuplicate, "issuance %d/%q", is.Brand, is.Reference)
}

// Issuance returns brand's issuance with reference, or ErrNotFound.
func (db *DB) Issuance(ctx context.Context, brand uint32, reference string) (Issuance, error) {
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+issuanceSelect+" FROM issuances WHERE brand_id = ? AND reference = ?"),
		int64(brand), reference)
	is, err := scanIssuance(row)
	return is, dbErr(err, "issuance %d/%q", brand, reference)
}

// ListIssuancesByStatus returns up to limit issuances in status, the
// oldest (by CreatedAt, then brand and reference) first: the issuer's work
// list.
func (db *DB) ListIssuancesByStatus(ctx context.Context, status IssuanceStatus, limit int) ([]Issuance, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	if !status.valid() {
		return nil, invalidf("issuance status %q", status)
	}
	list, err := queryList(ctx, db, scanIssuance,
		"SELECT "+issuanceSelect+" FROM issuances WHERE status = ? ORDER BY created_at, brand_id, reference LIMIT ?",
		string(status), limit)
	return list, dbErr(err, "list %s issuances", status)
}

// MarkIssuanceMinting moves a pending issuance to minting, storing the
// vault's nonce, the signed mint (before it is broadcast) and its hash.
// ErrNotFound: no such issuance. ErrConflict: it is not pending (that is
// what keeps an issuance to one mint). ErrInvalid: an empty signed
// transaction, a bad hash, a nonce above 2^63-1.
func (db *DB) MarkIssuanceMinting(ctx context.Context, brand uint32, reference string, nonce uint64, signedTx []byte, txHash string, now int64) error {
	n, err := int63("nonce", nonce)
	if err != nil {
		return err
	}
	if len(signedTx) == 0 {
		return invalidf("issuance %d/%q: empty signed transaction", brand, reference)
	}
	if err := checkHex("tx hash", txHash, 32); err != nil {
		return err
	}
	return db.moveIssuance(ctx, brand, reference, IssuanceMinting, []IssuanceStatus{IssuancePending},
		", nonce = ?, signed_tx = ?, tx_hash = ?", []any{n, signedTx, txHash}, now)
}

// MarkIssuanceCredited moves a minting issuance to credited, with the
// mint's Transfer log index and the engine's sequence number of the issue
// (0: not known, stored as NULL). ErrNotFound: no such issuance;
// ErrConflict: it is not minting.
func (db *DB) MarkIssuanceCredited(ctx context.Context, brand uint32, reference string, logIndex uint32, seq uint64, now int64) error {
	s, err := int63("credited seq", seq)
	if err != nil {
		return err
	}
	return db.moveIssuance(ctx, brand, reference, IssuanceCredited, []IssuanceStatus{IssuanceMinting},
		", log_index = ?, credited_seq = ?", []any{int64(logIndex), nullIfZero(s)}, now)
}

// MarkIssuanceFailed moves a pending or minting issuance to failed with a
// reason. ErrNotFound: no such issuance; ErrConflict: it is credited or
// failed already; ErrInvalid: an empty reason.
func (db *DB) MarkIssuanceFailed(ctx context.Context, brand uint32, reference, reason string, now int64) error {
	if reason == "" {
		return invalidf("issuance %d/%q: failed without a reason", brand, reference)
	}
	return db.moveIssuance(ctx, brand, reference, IssuanceFailed, []IssuanceStatus{IssuancePending, IssuanceMinting},
		", error = ?", []any{reason}, now)
}

// NextIssuanceNonce is the highest vault nonce any issuance was signed
// with, plus 1, or 0 when none was. The issuances table has no chain
// column: a node runs on one chain.
func (db *DB) NextIssuanceNonce(ctx context.Context) (uint64, error) {
	var max sql.NullInt64
	err := db.DB.QueryRowContext(ctx, "SELECT MAX(nonce) FROM issuances WHERE nonce IS NOT NULL").Scan(&max)
	if err != nil {
		return 0, dbErr(err, "next issuance nonce")
	}
	if !max.Valid {
		return 0, nil
	}
	return uint64(max.Int64) + 1, nil
}

// moveIssuance moves an issuance from one of the states in from to state
// to, also setting the columns in set (", col = ?, ..." with args), in one
// UPDATE ... WHERE ... AND status IN (...). When no row changed, it reads
// the row to tell ErrNotFound from ErrConflict.
func (db *DB) moveIssuance(ctx context.Context, brand uint32, reference string, to IssuanceStatus, from []IssuanceStatus, set string, setArgs []any, now int64) error {
	args := append([]any{string(to), now}, setArgs...)
	args = append(args, int64(brand), reference)
	marks := make([]string, len(from))
	names := make([]string, len(from))
	for i, s := range from {
		marks[i], names[i] = "?", string(s)
		args = append(args, string(s))
	}
	query := "UPDATE issuances SET status = ?, updated_at = ?" + set +
		" WHERE brand_id = ? AND reference = ? AND status IN (" + strings.Join(marks, ", ") + ")"
	res, err := db.DB.ExecContext(ctx, db.q(query), args...)
	if err != nil {
		return dbErr(err, "mark issuance %d/%q %s", brand, reference, to)
	}
	if changed, err := res.RowsAffected(); err != nil || changed == 1 {
		return dbErr(err, "mark issuance %d/%q %s", brand, reference, to)
	}
	have, err := db.Issuance(ctx, brand, reference)
	if err != nil {
		return err
	}
	return dbErr(ErrConflict, "issuance %d/%q is %s, not %s", brand, reference, have.Status, strings.Join(names, " or "))
}

var issuanceSelect = "brand_id, reference, customer_id, asset_id, amount, " + uint256Column("amount_raw") +
	", status, nonce, signed_tx, tx_hash, log_index, credited_seq, error, created_at, updated_at"

func scanIssuance(r rowScanner) (Issuance, error) {
	var is Issuance
	var brand, customer, asset int64
	var raw nullUint256
	var nonce, logIndex, seq sql.NullInt64
	var status, txHash, reason sql.NullString
	err := r.Scan(&brand, &is.Reference, &customer, &asset, &is.Amount, &raw, &status, &nonce, &is.SignedTx,
		&txHash, &logIndex, &seq, &reason, &is.CreatedAt, &is.UpdatedAt)
	if err != nil {
		return Issuance{}, err
	}
	if raw.Int == nil {
		return Issuance{}, errors.New("sqlstore: an issuance without a raw amount")
	}
	is.Brand, is.Customer, is.Asset, is.AmountRaw = uint32(brand), uint32(customer), uint32(asset), raw.Int
	is.Status, is.TxHash, is.Error = IssuanceStatus(status.String), txHash.String, reason.String
	is.Nonce, is.HasNonce = uint64(nonce.Int64), nonce.Valid
	is.LogIndex, is.HasLogIndex = uint32(logIndex.Int64), logIndex.Valid
	is.CreditedSeq = uint64(seq.Int64)
	return is, nil
}
