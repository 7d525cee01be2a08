package sqlstore

import (
	"context"
	"fmt"
)

// projectedTables hold nothing but what the history projection wrote.
var projectedTables = []string{"orders", "trades", "ledger_entries", "redemptions", "markets", "assets"}

// ResetHistory empties what the history projection named name wrote and
// removes its checkpoint, in one transaction, so that the projection is
// rebuilt from the event log. Deposits and withdrawals keep their rows
// (the chain watcher and the withdrawal sender own them); projecting the
// events again sets the same credits and settlements. Run it only while
// the exchange is stopped.
func (db *DB) ResetHistory(ctx context.Context, name string) error {
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: reset history: %w", err)
	}
	defer tx.Rollback()
	for _, table := range projectedTables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("sqlstore: reset history: %s: %w", table, mapError(err))
		}
	}
	if _, err := tx.ExecContext(ctx, db.q("DELETE FROM projector_checkpoints WHERE name = ?"), name); err != nil {
		return fmt.Errorf("sqlstore: reset history: %w", mapError(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: reset history: %w", err)
	}
	return nil
}
