package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/big"
)

// DepositStatus is where a deposit stands.
type DepositStatus string

// A deposit is seen by the chain watcher, then credited by the engine
// (written by the history projection), or rejected, or dropped by a reorg.
const (
	DepositSeen     DepositStatus = "seen"
	DepositCredited DepositStatus = "credited"
	DepositRejected DepositStatus = "rejected"
	DepositReorged  DepositStatus = "reorged"
)

// Deposit is a Transfer to the vault that the chain watcher saw, keyed by
// (ChainID, TxHash, LogIndex); Ref is that key digested for the engine's
// Deposit command. AmountRaw is the on-chain uint256; Amount the units the
// engine credits; DustRaw what is left of AmountRaw below one unit.
type Deposit struct {
	ChainID     uint64
	TxHash      string // 0x + 64 lowercase hex digits
	LogIndex    uint32
	Ref         [32]byte
	Account     uint32
	Asset       uint32
	AmountRaw   *big.Int
	Amount      int64
	DustRaw     *big.Int // nil when recording: 0
	BlockNumber uint64
	BlockHash   string // 0x + 64 lowercase hex digits
	Status      DepositStatus
	CreditedSeq uint64 // 0: not credited
	CreatedAt   int64
	UpdatedAt   int64
}

// DepositCursor is where a page of ListDeposits ends: the last deposit's
// Cursor().
type DepositCursor struct {
	CreatedAt int64
	ChainID   uint64
	TxHash    string
	LogIndex  uint32
}

// Cursor is the position of d in ListDeposits' order.
func (d Deposit) Cursor() DepositCursor {
	return DepositCursor{CreatedAt: d.CreatedAt, ChainID: d.ChainID, TxHash: d.TxHash, LogIndex: d.LogIndex}
}

// RecordDeposit stores a deposit the watcher saw, with status seen
// (d.Status must be "" or seen) and UpdatedAt = CreatedAt. The watcher
// records a deposit before it submits the engine's Deposit command, so
// that the projection finds the row to mark credited. ErrDuplicate: the
// same (chain, tx, log index), or the same Ref, is stored already.
// ErrInvalid: a bad hash, a chain, account or asset of 0, a negative
// Amount, a raw amount that is nil or not a uint256.
func (db *DB) RecordDeposit(ctx context.Context, d Deposit) error {
	key, err := checkDepositKey(d.ChainID, d.TxHash, d.LogIndex)
	if err != nil {
		return err
	}
	if err := checkHex("block hash", d.BlockHash, 32); err != nil {
		return err
	}
	switch {
	case d.Account == 0 || d.Asset == 0:
		return invalidf("deposit %s: account %d, asset %d", key, d.Account, d.Asset)
	case d.Amount < 0:
		return invalidf("deposit %s: negative amount %d", key, d.Amount)
	case d.Status != "" && d.Status != DepositSeen:
		return invalidf("deposit %s: recorded as %q, want seen", key, d.Status)
	}
	raw, err := uint256Arg("deposit amount", d.AmountRaw)
	if err != nil {
		return err
	}
	dust := "0"
	if d.DustRaw != nil {
		if dust, err = uint256Arg("deposit dust", d.DustRaw); err != nil {
			return err
		}
	}
	block, err := int63("block number", d.BlockNumber)
	if err != nil {
		return err
	}
	_, err = db.DB.ExecContext(ctx, db.q(`INSERT INTO deposits
		(chain_id, tx_hash, log_index, ref, account_id, asset_id, amount_raw, amount, dust_raw,
		 block_number, block_hash, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		key.chain, d.TxHash, int64(d.LogIndex), d.Ref[:], int64(d.Account), int64(d.Asset), raw, d.Amount, dust,
		block, d.BlockHash, string(DepositSeen), d.CreatedAt, d.CreatedAt)
	return dbErr(err, "record deposit %s", key)
}

// Deposit returns the deposit (chainID, txHash, logIndex), or ErrNotFound.
func (db *DB) Deposit(ctx context.Context, chainID uint64, txHash string, logIndex uint32) (Deposit, error) {
	key, err := checkDepositKey(chainID, txHash, logIndex)
	if err != nil {
		return Deposit{}, err
	}
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+depositSelect+" FROM deposits WHERE chain_id = ? AND tx_hash = ? AND log_index = ?"),
		key.chain, txHash, int64(logIndex))
	d, err := scanDeposit(row)
	return d, dbErr(err, "deposit %s", key)
}

// DepositByRef returns the deposit recorded under ref, or ErrNotFound.
func (db *DB) DepositByRef(ctx context.Context, ref [32]byte) (Deposit, error) {
	row := db.DB.QueryRowContext(ctx, db.q("SELECT "+depositSelect+" FROM deposits WHERE ref = ?"), ref[:])
	d, err := scanDeposit(row)
	return d, dbErr(err, "deposit %x", ref)
}

// ListDeposits returns up to limit of account's deposits, newest first
// (by CreatedAt, ties broken by chain, tx hash and log index, all
// descending), starting after the cursor (nil: from the newest). The next
// page starts after the last deposit's Cursor().
func (db *DB) ListDeposits(ctx context.Context, account uint32, after *DepositCursor, limit int) ([]Deposit, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	query, args := "SELECT "+depositSelect+" FROM deposits WHERE account_id = ?", []any{int64(account)}
	if after != nil {
		chain, err := int63("chain id", after.ChainID)
		if err != nil {
			return nil, err
		}
		// Row values compare lexicographically in PostgreSQL and SQLite alike.
		query += " AND (created_at, chain_id, tx_hash, log_index) < (?, ?, ?, ?)"
		args = append(args, after.CreatedAt, chain, after.TxHash, int64(after.LogIndex))
	}
	query += " ORDER BY created_at DESC, chain_id DESC, tx_hash DESC, log_index DESC LIMIT ?"
	list, err := queryList(ctx, db, scanDeposit, query, append(args, limit)...)
	return list, dbErr(err, "list deposits of account %d", account)
}

// MarkDepositReorged marks a seen deposit as dropped by a reorg.
// ErrNotFound: no such deposit; ErrConflict: it is not seen (credited
// already, say: the engine's credit stands and the operator must look).
func (db *DB) MarkDepositReorged(ctx context.Context, chainID uint64, txHash string, logIndex uint32, now int64) error {
	return db.moveDeposit(ctx, chainID, txHash, logIndex, DepositReorged, now)
}

// MarkDepositRejected marks a seen deposit as one the engine will not
// credit. ErrNotFound: no such deposit; ErrConflict: it is not seen.
func (db *DB) MarkDepositRejected(ctx context.Context, chainID uint64, txHash string, logIndex uint32, now int64) error {
	return db.moveDeposit(ctx, chainID, txHash, logIndex, DepositRejected, now)
}

// moveDeposit moves a deposit from seen to status `to`.
func (db *DB) moveDeposit(ctx context.Context, chainID uint64, txHash string, logIndex uint32, to DepositStatus, now int64) error {
	key, err := checkDepositKey(chainID, txHash, logIndex)
	if err != nil {
		return err
	}
	const where = " WHERE chain_id = ? AND tx_hash = ? AND log_index = ?"
	res, err := db.DB.ExecContext(ctx, db.q("UPDATE deposits SET status = ?, updated_at = ?"+where+" AND status = ?"),
		string(to), now, key.chain, txHash, int64(logIndex), string(DepositSeen))
	if err != nil {
		return dbErr(err, "mark deposit %s %s", key, to)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return dbErr(err, "mark deposit %s %s", key, to)
	}
	var status string
	err = db.DB.QueryRowContext(ctx, db.q("SELECT status FROM deposits"+where), key.chain, txHash, int64(logIndex)).Scan(&status)
	if err != nil {
		return dbErr(err, "deposit %s", key)
	}
	return dbErr(ErrConflict, "deposit %s is %s, not %s", key, status, DepositSeen)
}

// depositKey is a checked (chain, tx, log index), as bound.
type depositKey struct {
	chain int64
	tx    string
	log   uint32
}

func (k depositKey) String() string { return fmt.Sprintf("%d/%s/%d", k.chain, k.tx, k.log) }

func checkDepositKey(chainID uint64, txHash string, logIndex uint32) (depositKey, error) {
	if chainID == 0 {
		return depositKey{}, invalidf("chain id 0")
	}
	chain, err := int63("chain id", chainID)
	if err != nil {
		return depositKey{}, err
	}
	if err := checkHex("tx hash", txHash, 32); err != nil {
		return depositKey{}, err
	}
	if logIndex > math.MaxInt32 { // INTEGER in PostgreSQL is 32-bit signed
		return depositKey{}, invalidf("log index %d is above 2^31-1", logIndex)
	}
	return depositKey{chain: chain, tx: txHash, log: logIndex}, nil
}

// The uint256 columns (amount_raw, dust_raw) are NUMERIC(78,0) in
// PostgreSQL and TEXT of decimal digits in SQLite. Both dialects take the
// same binding, the decimal digits as a string (PostgreSQL parses the text
// into NUMERIC), and give the same back when a query reads the column as
// CAST(col AS TEXT) (a no-op in SQLite; PostgreSQL's own plain-digit text
// in PostgreSQL). No float is ever involved.

// maxUint256 is 2^256-1.
var maxUint256 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// uint256Arg is x's binding: ErrInvalid when x is nil, negative or above
// 2^256-1.
func uint256Arg(what string, x *big.Int) (string, error) {
	if x == nil || x.Sign() < 0 || x.Cmp(maxUint256) > 0 {
		return "", invalidf("%s %v is not a uint256", what, x)
	}
	return x.String(), nil
}

// uint256Column reads a uint256 column as decimal digits.
func uint256Column(col string) string { return "CAST(" + col + " AS TEXT)" }

// nullUint256 is a scan target for a uint256 column; Int is nil for NULL.
type nullUint256 struct{ Int *big.Int }

// Scan parses the column's decimal digits exactly.
func (n *nullUint256) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		n.Int = nil
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("sqlstore: a uint256 column holds %T", src)
	}
	x, ok := new(big.Int).SetString(s, 10)
	if !ok || x.Sign() < 0 {
		return fmt.Errorf("sqlstore: a uint256 column holds %q", s)
	}
	n.Int = x
	return nil
}

var depositSelect = "chain_id, tx_hash, log_index, ref, account_id, asset_id, " + uint256Column("amount_raw") +
	", amount, " + uint256Column("dust_raw") + ", block_number, block_hash, status, credited_seq, created_at, updated_at"

func scanDeposit(r rowScanner) (Deposit, error) {
	var d Deposit
	var chain, logIndex, account, asset, block int64
	var ref []byte
	var raw, dust nullUint256
	var status string
	var credited sql.NullInt64
	err := r.Scan(&chain, &d.TxHash, &logIndex, &ref, &account, &asset, &raw, &d.Amount, &dust,
		&block, &d.BlockHash, &status, &credited, &d.CreatedAt, &d.UpdatedAt)
	if err == nil && len(ref) != len(d.Ref) {
		err = fmt.Errorf("sqlstore: deposit ref of %d bytes", len(ref))
	}
	copy(d.Ref[:], ref)
	d.ChainID, d.LogIndex, d.Account, d.Asset, d.BlockNumber = uint64(chain), uint32(logIndex), uint32(account), uint32(asset), uint64(block)
	d.AmountRaw, d.DustRaw, d.Status, d.CreditedSeq = raw.Int, dust.Int, DepositStatus(status), uint64(credited.Int64)
	return d, err
}
