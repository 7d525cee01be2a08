package sqlstore

import (
	"context"
	"database/sql"
	"math/big"
	"strings"
)

// WithdrawalStatus is where a withdrawal stands in the outbox:
// pending → signed → sent → confirmed, or failed from any of the first
// three.
type WithdrawalStatus string

// The outbox's states.
const (
	WithdrawalPending   WithdrawalStatus = "pending"
	WithdrawalSigned    WithdrawalStatus = "signed"
	WithdrawalSent      WithdrawalStatus = "sent"
	WithdrawalConfirmed WithdrawalStatus = "confirmed"
	WithdrawalFailed    WithdrawalStatus = "failed"
)

func (s WithdrawalStatus) valid() bool {
	switch s {
	case WithdrawalPending, WithdrawalSigned, WithdrawalSent, WithdrawalConfirmed, WithdrawalFailed:
		return true
	}
	return false
}

// Withdrawal is a row of the withdrawals outbox. ID is the engine's
// WithdrawalID (any but 0; stored as the BIGINT with the same bits). The
// history projection may write the row
// first, from the engine's hold, without AmountRaw, ChainID and
// ToAddress; CreateWithdrawal fills them in.
type Withdrawal struct {
	ID         uint64
	Account    uint32
	Asset      uint32
	Amount     int64    // units of the asset's scale, held by the engine
	AmountRaw  *big.Int // the uint256 the token transfer sends; nil: not known yet
	ChainID    uint64   // 0: not known yet
	ToAddress  string   // a linked wallet; "": not known yet
	Status     WithdrawalStatus
	Nonce      uint64 // the vault's nonce, when HasNonce (from signed on)
	HasNonce   bool
	SignedTx   []byte // stored before the broadcast, sent again after a restart
	TxHash     string
	Error      string // why it failed
	HeldSeq    uint64 // the engine's hold; 0: not known
	SettledSeq uint64 // the engine's completion or refund; 0: not yet
	CreatedAt  int64
	UpdatedAt  int64
}

// CreateWithdrawal puts a withdrawal the engine has held into the outbox,
// status pending (w.Status, Nonce, SignedTx, TxHash, Error, SettledSeq and
// UpdatedAt are ignored; UpdatedAt becomes CreatedAt). If the history
// projection stored the hold already, the row gets the destination
// (ChainID, ToAddress, AmountRaw, and HeldSeq if it had none) and keeps
// the rest. ErrDuplicate: the row has a destination already. ErrConflict:
// the stored hold has another account, asset or amount. ErrInvalid: id 0,
// account or asset 0, an amount not above 0, a raw amount
// that is nil or not a uint256, chain 0, a bad address.
func (db *DB) CreateWithdrawal(ctx context.Context, w Withdrawal) error {
	id, err := checkWithdrawalID(w.ID)
	if err != nil {
		return err
	}
	chain, err := checkChainAddress(w.ChainID, w.ToAddress)
	if err != nil {
		return err
	}
	if w.Account == 0 || w.Asset == 0 || w.Amount <= 0 {
		return invalidf("withdrawal %d: account %d, asset %d, amount %d", w.ID, w.Account, w.Asset, w.Amount)
	}
	raw, err := uint256Arg("withdrawal amount", w.AmountRaw)
	if err != nil {
		return err
	}
	held, err := int63("held seq", w.HeldSeq)
	if err != nil {
		return err
	}
	res, err := db.DB.ExecContext(ctx, db.q(`INSERT INTO withdrawals
		(id, account_id, asset_id, amount, amount_raw, chain_id, to_address, status, held_seq, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			amount_raw = excluded.amount_raw, chain_id = excluded.chain_id, to_address = excluded.to_address,
			held_seq = COALESCE(withdrawals.held_seq, excluded.held_seq), updated_at = excluded.updated_at
		WHERE withdrawals.to_address IS NULL AND withdrawals.account_id = excluded.account_id
			AND withdrawals.asset_id = excluded.asset_id AND withdrawals.amount = excluded.amount`),
		id, int64(w.Account), int64(w.Asset), w.Amount, raw, chain, w.ToAddress, string(WithdrawalPending),
		nullIfZero(held), w.CreatedAt, w.CreatedAt)
	if err != nil {
		return dbErr(err, "create withdrawal %d", w.ID)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return dbErr(err, "create withdrawal %d", w.ID)
	}
	// The row was there and the update's condition refused it: say why.
	have, err := db.Withdrawal(ctx, w.ID)
	switch {
	case err != nil:
		return err
	case have.ToAddress != "":
		return dbErr(ErrDuplicate, "withdrawal %d has a destination already", w.ID)
	}
	return dbErr(ErrConflict, "withdrawal %d is held for account %d, asset %d, amount %d",
		w.ID, have.Account, have.Asset, have.Amount)
}

// Withdrawal returns the withdrawal with id, or ErrNotFound.
func (db *DB) Withdrawal(ctx context.Context, id uint64) (Withdrawal, error) {
	n, err := checkWithdrawalID(id)
	if err != nil {
		return Withdrawal{}, err
	}
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+withdrawalSelect+" FROM withdrawals WHERE id = ?"), n)
	w, err := scanWithdrawal(row)
	return w, dbErr(err, "withdrawal %d", id)
}

// ListWithdrawals returns up to limit of account's withdrawals, newest
// (highest id) first, after beforeID, the last id of the previous page
// (0: from the newest). Ids from 2^63 up come last (see idsBefore).
func (db *DB) ListWithdrawals(ctx context.Context, account uint32, beforeID uint64, limit int) ([]Withdrawal, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	cond, args := idsBefore(beforeID)
	list, err := queryList(ctx, db, scanWithdrawal,
		"SELECT "+withdrawalSelect+" FROM withdrawals WHERE account_id = ?"+cond+" ORDER BY id DESC LIMIT ?",
		append(append([]any{int64(account)}, args...), limit)...)
	return list, dbErr(err, "list withdrawals of account %d", account)
}

// ListWithdrawalsByStatus returns up to limit withdrawals in status, the
// oldest (by CreatedAt, then id) first: the sender's work list.
func (db *DB) ListWithdrawalsByStatus(ctx context.Context, status WithdrawalStatus, limit int) ([]Withdrawal, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	if !status.valid() {
		return nil, invalidf("withdrawal status %q", status)
	}
	list, err := queryList(ctx, db, scanWithdrawal,
		"SELECT "+withdrawalSelect+" FROM withdrawals WHERE status = ? ORDER BY created_at, id LIMIT ?", string(status), limit)
	return list, dbErr(err, "list %s withdrawals", status)
}

// MarkWithdrawalSigned moves a pending withdrawal with a destination to
// signed, storing the vault's nonce, the signed transaction (before it is
// broadcast) and its hash. ErrNotFound: no such withdrawal. ErrConflict:
// it is not pending, or has no destination yet. ErrDuplicate: another
// withdrawal on the chain has that nonce. ErrInvalid: an empty signed
// transaction, a bad hash, a nonce above 2^63-1.
func (db *DB) MarkWithdrawalSigned(ctx context.Context, id, nonce uint64, signedTx []byte, txHash string, now int64) error {
	n, err := int63("nonce", nonce)
	if err != nil {
		return err
	}
	if len(signedTx) == 0 {
		return invalidf("withdrawal %d: empty signed transaction", id)
	}
	if err := checkHex("tx hash", txHash, 32); err != nil {
		return err
	}
	return db.moveWithdrawal(ctx, id, WithdrawalSigned, []WithdrawalStatus{WithdrawalPending},
		", nonce = ?, signed_tx = ?, tx_hash = ?", []any{n, signedTx, txHash}, now)
}

// MarkWithdrawalSent moves a signed withdrawal to sent (broadcast).
// ErrNotFound: no such withdrawal; ErrConflict: it is not signed.
func (db *DB) MarkWithdrawalSent(ctx context.Context, id uint64, now int64) error {
	return db.moveWithdrawal(ctx, id, WithdrawalSent, []WithdrawalStatus{WithdrawalSigned}, "", nil, now)
}

// MarkWithdrawalConfirmed moves a sent withdrawal to confirmed (its
// receipt is final). ErrNotFound: no such withdrawal; ErrConflict: it is
// not sent.
func (db *DB) MarkWithdrawalConfirmed(ctx context.Context, id uint64, now int64) error {
	return db.moveWithdrawal(ctx, id, WithdrawalConfirmed, []WithdrawalStatus{WithdrawalSent}, "", nil, now)
}

// MarkWithdrawalFailed moves a pending, signed or sent withdrawal to
// failed with a reason (the sender then asks the engine to refund it).
// ErrNotFound: no such withdrawal; ErrConflict: it is confirmed or failed
// already; ErrInvalid: an empty reason.
func (db *DB) MarkWithdrawalFailed(ctx context.Context, id uint64, reason string, now int64) error {
	if reason == "" {
		return invalidf("withdrawal %d: failed without a reason", id)
	}
	return db.moveWithdrawal(ctx, id, WithdrawalFailed, []WithdrawalStatus{WithdrawalPending, WithdrawalSigned, WithdrawalSent},
		", error = ?", []any{reason}, now)
}

// NextNonce is the vault's next nonce on chainID as the outbox knows it:
// the highest nonce any withdrawal on the chain was signed with, plus 1,
// or 0 when none was. The sender also asks the chain for the vault's
// pending nonce and uses the larger: the vault may have sent transactions
// the outbox does not know of.
func (db *DB) NextNonce(ctx context.Context, chainID uint64) (uint64, error) {
	if chainID == 0 {
		return 0, invalidf("chain id 0")
	}
	chain, err := int63("chain id", chainID)
	if err != nil {
		return 0, err
	}
	var max sql.NullInt64
	err = db.DB.QueryRowContext(ctx, db.q("SELECT MAX(nonce) FROM withdrawals WHERE chain_id = ? AND nonce IS NOT NULL"), chain).Scan(&max)
	if err != nil {
		return 0, dbErr(err, "next nonce on chain %d", chainID)
	}
	if !max.Valid {
		return 0, nil
	}
	return uint64(max.Int64) + 1, nil
}

// moveWithdrawal moves withdrawal id from one of the states in from to
// state to, setting also the columns in set (", col = ?, ..." with args),
// in one UPDATE ... WHERE id = ? AND status IN (...). Moving to signed also
// needs a destination. When no row changed, it reads the row to tell
// ErrNotFound from ErrConflict.
func (db *DB) moveWithdrawal(ctx context.Context, id uint64, to WithdrawalStatus, from []WithdrawalStatus, set string, setArgs []any, now int64) error {
	n, err := checkWithdrawalID(id)
	if err != nil {
		return err
	}
	args := append([]any{string(to), now}, setArgs...)
	args = append(args, n)
	marks := make([]string, len(from))
	names := make([]string, len(from))
	for i, s := range from {
		marks[i], names[i] = "?", string(s)
		args = append(args, string(s))
	}
	query := "UPDATE withdrawals SET status = ?, updated_at = ?" + set + " WHERE id = ? AND status IN (" + strings.Join(marks, ", ") + ")"
	if to == WithdrawalSigned {
		query += " AND to_address IS NOT NULL"
	}
	res, err := db.DB.ExecContext(ctx, db.q(query), args...)
	if err != nil {
		return dbErr(err, "mark withdrawal %d %s", id, to)
	}
	if changed, err := res.RowsAffected(); err != nil || changed == 1 {
		return dbErr(err, "mark withdrawal %d %s", id, to)
	}
	have, err := db.Withdrawal(ctx, id)
	if err != nil {
		return err
	}
	if have.ToAddress == "" && to == WithdrawalSigned && have.Status == WithdrawalPending {
		return dbErr(ErrConflict, "withdrawal %d has no destination yet", id)
	}
	return dbErr(ErrConflict, "withdrawal %d is %s, not %s", id, have.Status, strings.Join(names, " or "))
}

// checkWithdrawalID refuses id 0 and binds the id as the BIGINT with the
// same bits (as the history projection stores it).
func checkWithdrawalID(id uint64) (int64, error) {
	if id == 0 {
		return 0, invalidf("withdrawal id 0")
	}
	return int64(id), nil
}

// idsBefore is the condition of a newest-first page after the one that
// ended at id before (0: the first page). Engine ids are stored as the
// BIGINT with the same bits, so "newest" is the highest stored value: ids
// from 2^63 up, which are negative as stored, come after all the others.
func idsBefore(before uint64) (string, []any) {
	if before == 0 {
		return "", nil
	}
	return " AND id < ?", []any{int64(before)}
}

var withdrawalSelect = "id, account_id, asset_id, amount, " + uint256Column("amount_raw") +
	", chain_id, to_address, status, nonce, signed_tx, tx_hash, error, held_seq, settled_seq, created_at, updated_at"

func scanWithdrawal(r rowScanner) (Withdrawal, error) {
	var w Withdrawal
	var id, account, asset int64
	var raw nullUint256
	var chain, nonce, held, settled sql.NullInt64
	var to, status, txHash, reason sql.NullString
	err := r.Scan(&id, &account, &asset, &w.Amount, &raw, &chain, &to, &status, &nonce, &w.SignedTx,
		&txHash, &reason, &held, &settled, &w.CreatedAt, &w.UpdatedAt)
	w.ID, w.Account, w.Asset, w.AmountRaw = uint64(id), uint32(account), uint32(asset), raw.Int
	w.ChainID, w.ToAddress, w.Status = uint64(chain.Int64), to.String, WithdrawalStatus(status.String)
	w.Nonce, w.HasNonce, w.TxHash, w.Error = uint64(nonce.Int64), nonce.Valid, txHash.String, reason.String
	w.HeldSeq, w.SettledSeq = uint64(held.Int64), uint64(settled.Int64)
	return w, err
}
