package exchange

import "context"

// Journal is the durable, ordered log of command batches. A batch is the
// bytes of the commands numbered first to last (inclusive, consecutive), as
// the engine's AppendCommandBatch wrote them: the journal stores ranges and
// bytes, and knows nothing of the engine's types (so a store can satisfy
// this interface without importing anything of lpx). An Append that returns
// nil has made the batch durable (for the file journal: written and
// fsynced; for Redis: acknowledged under its persistence settings).
type Journal interface {
	// Append adds the batch first..last after the current tip. first must be
	// the tip's last+1 (or any value on an empty journal); otherwise it
	// returns an error and writes nothing. After an error the sequencer
	// learns from Tip whether the batch is stored, unless the error says
	// it certainly is not: an error with a method NotStored() bool that
	// returns true (a refused connection, a batch refused before writing).
	Append(ctx context.Context, first, last uint64, data []byte) error
	// Tip returns the newest batch's range, and ok false on an empty journal.
	Tip(ctx context.Context) (first, last uint64, ok bool, err error)
	// Read calls fn for every batch whose last is greater than after, in
	// order, and returns an error when the stored batches are corrupt or not
	// a clean sequence (a gap or a duplicate), including, for after > 0,
	// when the journal starts after after+1 (that history was trimmed);
	// after 0 reads from wherever the journal begins. It never skips a
	// batch silently.
	// data is valid only during the call.
	Read(ctx context.Context, after uint64, fn func(first, last uint64, data []byte) error) error
	// Trim drops every batch whose last is below before (it never drops a
	// batch that holds sequence number before or a later one). The
	// sequencer calls it from its snapshot goroutine, concurrently with
	// Append: it must be safe for that.
	Trim(ctx context.Context, before uint64) error
	// Close releases the journal.
	Close() error
}

// Snapshots stores engine snapshots (engine.AppendSnapshot) under the
// sequence number they reflect.
type Snapshots interface {
	Save(ctx context.Context, seq uint64, data []byte) error
	// List returns the stored sequence numbers, oldest first.
	List(ctx context.Context) ([]uint64, error)
	// Load returns a snapshot's bytes, or an error if it is damaged.
	Load(ctx context.Context, seq uint64) ([]byte, error)
	Delete(ctx context.Context, seq uint64) error
}

// Stores are what a sequencer persists to. Journal is required; Events (the
// event log, shaped like the journal) and Snapshots may be nil.
type Stores struct {
	Journal   Journal
	Events    Journal
	Snapshots Snapshots
}
