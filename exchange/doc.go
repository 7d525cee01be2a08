// Package exchange is the running service around the pure engine.
//
// One sequencer goroutine (Sequencer.Run) owns the engine. Callers Submit
// commands and wait; a bounded inbox answers ErrOverloaded when full. The
// sequencer drains the inbox into batches, stamps each command with the
// next sequence number and the time, appends the batch to the Journal as
// one entry, and only then applies it and answers: an answer means the
// command is journaled, so it is in the state after any crash (the
// durability rule of etcd's raft: persist before you answer). After an
// append error it asks the journal's tip whether the batch landed (a lost
// reply): if so it applies and answers; if not it answers ErrUnavailable,
// applies nothing and reuses the sequence numbers. On a quiet market it
// journals a tick, so that GTD orders and coupons expire on time.
//
// After a batch is applied, its events go to the event log (shaped like
// the journal, one entry per batch) and then to in-process subscribers
// (Subscribe) through bounded queues: a subscriber whose queue is full is
// cut off and counted, never waited for. Every SnapshotEvery commands or
// SnapshotInterval, and at shutdown, the state is encoded on the
// sequencer's goroutine and saved by another (never ahead of the event
// log); the journal before the oldest kept snapshot is trimmed, and the
// event log after EventRetention, but never past a projector's
// checkpoint. Shutdown stops taking commands, drains the inbox, snapshots
// and closes the subscriptions. Recover rebuilds the state at start-up
// from the newest intact snapshot and the journal after it, appending to
// the event log the events a crash kept from it; CheckCheckpoints refuses
// a projection that is ahead of it.
//
// Projectors (Projector, feeding a Projection) read the event log from
// their checkpoint, follow the live batches, and go back to the log when
// they fall behind; each write stores its events and its checkpoint
// atomically, so nothing is projected twice. MarketData is the
// market-data projection: depth from EvBookLevel, trades, candles and the
// 24-hour ticker, written through MarketDataStore. History is the SQL
// history projection: orders, trades, the ledger, deposits, withdrawals
// and redemptions, written through HistoryStore.
//
// The package declares what it needs from storage (Journal, Snapshots,
// MarketDataStore, HistoryStore) and imports no adapter: store/redisstore and
// store/filejournal implement them, cmd/lpx/node wires them.
package exchange
