package sqlstore

import (
	"context"
	"database/sql"
	"errors"
)

// ChainCursor returns how far the chain reader called name (the deposit
// watcher, say) got on chainID: the last block it finished and that
// block's hash, which the reader compares with the chain's to notice a
// reorg. ok is false when it has not started.
func (db *DB) ChainCursor(ctx context.Context, chainID uint64, name string) (block uint64, hash string, ok bool, err error) {
	chain, err := checkCursorKey(chainID, name)
	if err != nil {
		return 0, "", false, err
	}
	var n int64
	err = db.DB.QueryRowContext(ctx, db.q("SELECT block_number, block_hash FROM chain_cursors WHERE chain_id = ? AND name = ?"),
		chain, name).Scan(&n, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", false, nil
	}
	if err != nil {
		return 0, "", false, dbErr(err, "chain cursor %d/%s", chainID, name)
	}
	return uint64(n), hash, true, nil
}

// SetChainCursor records that name finished block (with hash) on chainID,
// creating the cursor or moving it, backwards too (a reorg). ErrInvalid:
// chain 0, an empty name, a hash that is not 0x + 64 lowercase hex.
func (db *DB) SetChainCursor(ctx context.Context, chainID uint64, name string, block uint64, hash string, now int64) error {
	chain, err := checkCursorKey(chainID, name)
	if err != nil {
		return err
	}
	if err := checkHex("block hash", hash, 32); err != nil {
		return err
	}
	n, err := int63("block number", block)
	if err != nil {
		return err
	}
	// ON CONFLICT ... DO UPDATE: the same upsert in PostgreSQL and SQLite.
	_, err = db.DB.ExecContext(ctx, db.q(`INSERT INTO chain_cursors (chain_id, name, block_number, block_hash, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (chain_id, name) DO UPDATE SET
			block_number = excluded.block_number, block_hash = excluded.block_hash, updated_at = excluded.updated_at`),
		chain, name, n, hash, now)
	return dbErr(err, "set chain cursor %d/%s", chainID, name)
}

func checkCursorKey(chainID uint64, name string) (int64, error) {
	if chainID == 0 {
		return 0, invalidf("chain id 0")
	}
	if name == "" {
		return 0, invalidf("chain cursor without a name")
	}
	return int63("chain id", chainID)
}
