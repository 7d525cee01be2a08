package node

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/migrations"
	"github.com/lpx-exchange/lpx/store/sqlstore"
	"github.com/lpx-exchange/lpx/tokens"
)

// DepositCursorName names the deposit watcher's chain cursor.
const DepositCursorName = "deposits"

// ChainStore is the deposit watcher's state in the SQL database: token
// programs, wallet links, its chain cursor and the deposits table.
// Addresses and hashes are stored as lowercase hex.
type ChainStore struct {
	DB  *sqlstore.DB
	Now func() int64 // Unix nanoseconds, for created_at and updated_at
}

// Programs returns the token programs on chainID.
func (s ChainStore) Programs(ctx context.Context, chainID uint64) ([]tokens.Program, error) {
	all, err := s.DB.ListTokenPrograms(ctx, 0)
	if err != nil {
		return nil, err
	}
	var out []tokens.Program
	for _, p := range all {
		if p.ChainID != chainID {
			continue
		}
		out = append(out, tokens.Program{Asset: p.AssetID, Contract: common.HexToAddress(p.Contract), Decimals: p.Decimals, Scale: p.Scale})
	}
	return out, nil
}

// WalletOwner returns the account that linked addr on chainID.
func (s ChainStore) WalletOwner(ctx context.Context, chainID uint64, addr common.Address) (uint32, bool, error) {
	w, err := s.DB.Wallet(ctx, chainID, lowerHex(addr))
	if errors.Is(err, sqlstore.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return w.Account, true, nil
}

// Cursor returns the deposit watcher's cursor on chainID.
func (s ChainStore) Cursor(ctx context.Context, chainID uint64) (uint64, common.Hash, bool, error) {
	block, hash, ok, err := s.DB.ChainCursor(ctx, chainID, DepositCursorName)
	return block, common.HexToHash(hash), ok, err
}

// SetCursor moves the deposit watcher's cursor on chainID.
func (s ChainStore) SetCursor(ctx context.Context, chainID uint64, block uint64, hash common.Hash) error {
	return s.DB.SetChainCursor(ctx, chainID, DepositCursorName, block, hash.Hex(), s.Now())
}

// RecordSeen stores ds as seen in one transaction. One statement per
// deposit inserts it or, when its key is stored already as seen or
// reorged, makes it seen at its new block; credited and rejected rows stay
// as they are. (sqlstore.RecordDeposit refuses a key stored already and
// commits each row on its own, an fsync per deposit on SQLite; hence the
// SQL here. A batch method in sqlstore would be the better home.)
func (s ChainStore) RecordSeen(ctx context.Context, ds []tokens.Deposit) error {
	if len(ds) == 0 {
		return nil
	}
	now := s.Now()
	tx, err := s.DB.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("node: record deposits: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, s.q(`INSERT INTO deposits
		(chain_id, tx_hash, log_index, ref, account_id, asset_id, amount_raw, amount, dust_raw,
		 block_number, block_hash, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'seen', ?, ?)
		ON CONFLICT (chain_id, tx_hash, log_index) DO UPDATE SET
			block_number = excluded.block_number, block_hash = excluded.block_hash,
			status = 'seen', updated_at = excluded.updated_at
		WHERE deposits.status IN ('seen', 'reorged')`))
	if err != nil {
		return fmt.Errorf("node: record deposits: %w", err)
	}
	defer stmt.Close()
	for _, d := range ds {
		if err := checkDeposit(d); err != nil {
			return err
		}
		dust := d.Dust
		if dust == nil {
			dust = new(big.Int)
		}
		_, err := stmt.ExecContext(ctx, int64(d.ChainID), d.TxHash.Hex(), int64(d.LogIndex), d.Ref[:],
			int64(d.Account), int64(d.Asset), d.Raw.String(), d.Units, dust.String(),
			int64(d.Block), d.BlockHash.Hex(), now, now)
		if err != nil {
			return fmt.Errorf("node: record deposit %d/%s/%d: %w", d.ChainID, d.TxHash.Hex(), d.LogIndex, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("node: record deposits: %w", err)
	}
	return nil
}

// checkDeposit refuses what the schema would, with a clearer message.
func checkDeposit(d tokens.Deposit) error {
	switch {
	case d.ChainID == 0 || d.ChainID > math.MaxInt64 || d.Block > math.MaxInt64 || d.LogIndex > math.MaxInt32:
		return fmt.Errorf("%w: deposit %d/%s/%d in block %d out of range", sqlstore.ErrInvalid, d.ChainID, d.TxHash.Hex(), d.LogIndex, d.Block)
	case d.Account == 0 || d.Asset == 0 || d.Units < 0 || d.Raw == nil || d.Raw.Sign() < 0:
		return fmt.Errorf("%w: deposit %d/%s/%d: account %d, asset %d, units %d, raw %v",
			sqlstore.ErrInvalid, d.ChainID, d.TxHash.Hex(), d.LogIndex, d.Account, d.Asset, d.Units, d.Raw)
	}
	return nil
}

// MarkReorged marks a seen deposit reorged.
func (s ChainStore) MarkReorged(ctx context.Context, d tokens.Deposit) error {
	return s.DB.MarkDepositReorged(ctx, d.ChainID, d.TxHash.Hex(), uint32(d.LogIndex), s.Now())
}

// MarkRejected marks a seen deposit rejected; one rejected already is fine.
func (s ChainStore) MarkRejected(ctx context.Context, d tokens.Deposit) error {
	err := s.DB.MarkDepositRejected(ctx, d.ChainID, d.TxHash.Hex(), uint32(d.LogIndex), s.Now())
	if errors.Is(err, sqlstore.ErrConflict) {
		if cur, err2 := s.DB.Deposit(ctx, d.ChainID, d.TxHash.Hex(), uint32(d.LogIndex)); err2 == nil && cur.Status == sqlstore.DepositRejected {
			return nil
		}
	}
	return err
}

// Pending returns the seen deposits on chainID in blocks after block,
// oldest first. sqlstore has no such query yet, so it is written here.
func (s ChainStore) Pending(ctx context.Context, chainID uint64, after uint64) ([]tokens.Deposit, error) {
	if chainID > math.MaxInt64 || after > math.MaxInt64 {
		return nil, fmt.Errorf("%w: chain %d, block %d", sqlstore.ErrInvalid, chainID, after)
	}
	rows, err := s.DB.DB.QueryContext(ctx, s.q(`SELECT tx_hash, log_index, ref, account_id, asset_id,
		CAST(amount_raw AS TEXT), amount, CAST(dust_raw AS TEXT), block_number, block_hash
		FROM deposits WHERE chain_id = ? AND status = 'seen' AND block_number > ?
		ORDER BY block_number, log_index`), int64(chainID), int64(after))
	if err != nil {
		return nil, fmt.Errorf("node: pending deposits: %w", err)
	}
	defer rows.Close()
	var out []tokens.Deposit
	for rows.Next() {
		var (
			tx, raw, dust, blockHash string
			logIndex, account, asset int64
			block                    int64
			ref                      []byte
			d                        = tokens.Deposit{ChainID: chainID}
		)
		if err := rows.Scan(&tx, &logIndex, &ref, &account, &asset, &raw, &d.Units, &dust, &block, &blockHash); err != nil {
			return nil, fmt.Errorf("node: pending deposits: %w", err)
		}
		var ok1, ok2 bool
		d.Raw, ok1 = new(big.Int).SetString(raw, 10)
		d.Dust, ok2 = new(big.Int).SetString(dust, 10)
		if !ok1 || !ok2 || len(ref) != len(d.Ref) {
			return nil, fmt.Errorf("node: pending deposit %s/%d: bad amount or ref", tx, logIndex)
		}
		copy(d.Ref[:], ref)
		d.TxHash, d.LogIndex, d.Account, d.Asset = common.HexToHash(tx), uint(logIndex), uint32(account), uint32(asset)
		d.Block, d.BlockHash = uint64(block), common.HexToHash(blockHash)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("node: pending deposits: %w", err)
	}
	return out, nil
}

// q numbers the ? placeholders for PostgreSQL ($1, $2, ...), as sqlstore
// does internally.
func (s ChainStore) q(query string) string {
	if s.DB.Dialect != migrations.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func lowerHex(a common.Address) string { return strings.ToLower(a.Hex()) }

// EngineCrediter credits deposits through the sequencer.
type EngineCrediter struct {
	Submit func(ctx context.Context, cmd engine.Command) (exchange.Result, error)
}

// Credit submits the engine's Deposit command for d. A Ref credited
// already is success with duplicate set; any other rejection wraps
// tokens.ErrRejected with the engine's code.
func (c EngineCrediter) Credit(ctx context.Context, d tokens.Deposit) (uint64, bool, error) {
	res, err := c.Submit(ctx, engine.Command{
		Kind: engine.CmdDeposit, Account: engine.AccountID(d.Account), Asset: engine.AssetID(d.Asset),
		Amount: d.Units, Ref: engine.Ref(d.Ref),
	})
	if err != nil {
		return 0, false, err
	}
	for _, ev := range res.Events {
		switch {
		case ev.Kind == engine.EvDeposited:
			return res.Seq, false, nil
		case ev.Kind == engine.EvRejected && ev.Code == engine.CodeDuplicateDeposit:
			return res.Seq, true, nil
		case ev.Kind == engine.EvRejected:
			return res.Seq, false, fmt.Errorf("%w: %s", tokens.ErrRejected, ev.Code)
		}
	}
	return res.Seq, false, fmt.Errorf("node: deposit %x: no deposited or rejected event (seq %d)", d.Ref, res.Seq)
}
