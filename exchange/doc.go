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
// the journal, one entry per batch) and, every SnapshotEvery commands and
// at shutdown, the state to Snapshots (never ahead of the event log); the
// journal before the oldest kept snapshot is trimmed. Recover rebuilds the
// state at start-up from the newest intact snapshot and the journal after
// it, appending to the event log the events a crash kept from it.
//
// The package declares what it needs from storage (Journal, Snapshots) and
// imports no adapter: store/redisstore and store/filejournal implement
// them, cmd/lpx wires them. Still to come (issue "The running exchange"):
// fan-out to subscribers, the projectors and market data, the crash test
// with kill -9, and the projector-checkpoint check at start-up.
package exchange
