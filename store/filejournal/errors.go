package filejournal

import "errors"

// Errors of this package; compare with errors.Is. The package imports
// nothing of lpx; cmd/lpx maps these where a caller needs other kinds.
var (
	// ErrSequenceGap: a batch does not start at the tip's last+1 but later
	// (Append), or the stored batches skip sequence numbers (Open, Read).
	ErrSequenceGap = errors.New("filejournal: sequence gap")
	// ErrDuplicateBatch: a batch starts at or before the tip's last (Append),
	// or the stored batches overlap (Open, Read).
	ErrDuplicateBatch = errors.New("filejournal: duplicate batch")
	// ErrCorrupt: a segment is damaged somewhere other than a torn tail
	// (Open), or changed on disk after Open checked it (Read).
	ErrCorrupt = errors.New("filejournal: corrupt journal")
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("filejournal: journal closed")
	// ErrUnusable is returned by Append after a write, fsync or segment
	// creation failed: the journal refuses appends until it is reopened.
	ErrUnusable = errors.New("filejournal: journal unusable after a failed write, reopen it")
	// ErrTipUnknown is returned by Tip when a failed Append could not be
	// rolled back, so whether that batch is on disk is unknown until the
	// journal is reopened.
	ErrTipUnknown = errors.New("filejournal: tip unknown after a failed append, reopen the journal")
	// ErrInvalidBatch is returned by Append for a batch with last below
	// first or data longer than MaxBatchSize; nothing is written.
	ErrInvalidBatch = errors.New("filejournal: invalid batch")
)
