// Package node builds a whole lpx node from a Config: the exchange
// recovered from its stores, the sequencer, the market-data and SQL
// history projectors, the SQL database (migrated at start) and the Redis
// primitives the API uses. lpx serve and the end-to-end tests use it
// alike.
//
// Two modes. With RedisURL set, everything lives in that Redis: the
// journal and the event log (streams), snapshots, market data. Without it
// (the embedded default) the node starts an in-process Redis-protocol
// server (miniredis, with clock-driven key expiry) for market data,
// pub/sub, idempotency keys, nonces and rate limits, running the same
// code, and keeps what must survive a crash in files under DataDir: the
// command journal and the event log (store/filejournal, fsynced before an
// answer) and the snapshots. miniredis keeps nothing on disk, so after a
// restart the market-data projection starts empty and is rebuilt from the
// event log, or seeded from the newest snapshot when the log has been
// trimmed. The SQL database is SQLite in DataDir unless DatabaseURL names
// PostgreSQL (or another SQLite file).
//
// The chain. With EthRPCURL empty (and NoChain unset) the node starts the
// embedded dev chain (tokens/devchain) in DataDir/chain, keeps the vault's
// key in DataDir/vaultkey (generated once, mode 0600, never logged), tops
// the vault's gas up from the dev key when it runs low, and deploys the
// TokenFactory once, its address kept in DataDir/tokenfactory (deployed
// again only if that file is missing or names no contract). With EthRPCURL
// set, VaultKey is required and nothing is funded or deployed. Run drives
// the deposit watcher (tokens.Watcher over ChainStore, crediting through
// the sequencer) and the withdrawal sender (tokens.Sender over the SQL
// outbox), and stops both before it stops the sequencer. The sender is
// given only withdrawals whose hold the SQL history has recorded, so an
// outbox row that RequestWithdrawal wrote for a command the engine refused
// or never saw is never paid. NoChain runs the node without any of this
// (the tests that do not need a chain set it).
package node
