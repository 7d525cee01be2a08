package exchange

import "context"

// Batch is one journal entry: the encoded commands with sequence numbers
// First to Last (inclusive, consecutive), as the engine's
// AppendCommandBatch wrote them. The journal stores the bytes; it does not
// know the engine's types.
type Batch struct {
	First, Last uint64
	Data        []byte
}

// Journal is the durable, ordered log of command batches. An Append that
// returns nil has made the batch durable (for the file journal: written and
// fsynced; for Redis: acknowledged under its persistence settings).
type Journal interface {
	// Append adds b after the current tip. b.First must be the tip's Last+1
	// (or any value on an empty journal); otherwise it returns an error and
	// writes nothing. After any error the sequencer learns from Tip whether
	// the batch is stored, so the error's kind does not matter to it.
	Append(ctx context.Context, b Batch) error
	// Tip returns the newest batch's range, and ok false on an empty journal.
	// After an Append error the sequencer reads the tip to learn whether the
	// batch made it.
	Tip(ctx context.Context) (first, last uint64, ok bool, err error)
	// Read calls fn for every batch whose Last is greater than after, in
	// order, and returns an error when the stored batches are corrupt or not
	// a clean sequence (a gap or a duplicate); it never skips one silently.
	Read(ctx context.Context, after uint64, fn func(Batch) error) error
	// Trim drops every batch whose Last is below before (it never drops a
	// batch that holds sequence number before or later).
	Trim(ctx context.Context, before uint64) error
	// Close releases the journal.
	Close() error
}
