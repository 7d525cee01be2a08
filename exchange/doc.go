// Package exchange is the running service around the pure engine: one
// sequencer goroutine owns the engine, journals every batch of commands
// before applying it and answering its callers, and fans the events out.
//
// It declares the interfaces it needs from storage (Journal here; the event
// log, snapshots and projector stores as they arrive) and imports no
// adapter: store/redisstore and store/filejournal implement them, cmd/lpx
// wires them.
//
// The durability rule, as in etcd's raft: persist before you answer. A
// caller that got an answer has its command in the journal, so it is in
// the state after any crash.
//
// Today the package holds only the Journal contract; the sequencer, the
// projectors and recovery are the rest of the issue "The running exchange:
// sequencer, Redis journal and order books, recovery".
package exchange
