// Package history holds the plain row types of lpx's queryable history,
// shared by the SQL projection in package exchange, which computes them
// from the event log, and store/sqlstore, which writes them (and reads
// them back for the API). Amounts are int64 units of the asset's scale;
// times are Unix nanoseconds; ids are the engine's.
package history
