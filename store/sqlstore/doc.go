// Package sqlstore keeps in SQL what lives outside the engine and the
// queryable history: accounts, API keys, wallets, web sessions, token
// programs, markets, deposits, the withdrawals outbox, orders, trades, the
// ledger, redemptions, chain cursors and projector checkpoints. One
// implementation serves PostgreSQL and SQLite: queries are written with ?
// placeholders (numbered for PostgreSQL by DB.q) and the few statements
// that differ by dialect say so.
//
// Errors are this package's, never a driver's: ErrNotFound, ErrDuplicate,
// ErrInvalid, ErrConflict (compare with errors.Is).
//
// SQLite runs in WAL mode with a busy timeout and one connection (one
// writer at a time; with several, concurrent writers fail with
// SQLITE_BUSY), write transactions taking the lock at BEGIN.
package sqlstore
