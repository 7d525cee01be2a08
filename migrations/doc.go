// Package migrations holds lpx's SQL schema, one numbered up and down
// migration per change for each dialect (postgres/*.sql and sqlite/*.sql),
// embedded in the binary and applied with golang-migrate: the iofs source,
// the pgx v5 driver for PostgreSQL and the pure-Go modernc driver for
// SQLite (the sqlite3 driver needs cgo).
//
// Amounts are integer units of an asset's exchange scale (BIGINT in
// PostgreSQL, INTEGER in SQLite); on-chain uint256 values are NUMERIC(78,0)
// in PostgreSQL and TEXT of digits in SQLite, whose tables are STRICT, so a
// value of the wrong type is refused instead of turned into a float.
//
// A failed migration leaves its version dirty: look at what it did, repair
// by hand if needed, then `lpx migrate force N-1` (-1 when N was the first)
// and try again. Check refuses to run on a dirty schema or one newer than
// this binary knows, with a message that names the fix.
package migrations
