// Package filejournal is the embedded mode's command journal and snapshot
// store: the in-process Redis keeps nothing on disk, so the batches the
// sequencer journals and the engine snapshots it takes live in files in the
// data directory. *Journal satisfies exchange.Journal and *Snapshots
// exchange.Snapshots; the package imports only the standard library.
//
// # What it owns
//
// One directory (the path given to Open) of segment files named
// "<first>.seg", where <first> is the 20-digit, zero-padded sequence number
// of the segment's first batch. Other files in the directory are ignored.
// One process at a time may open a directory; nothing enforces it.
//
// # Guarantee
//
// When Append returns nil, the batch's record was written with one write
// call and fsynced, and the segment file's directory entry was fsynced when
// the segment was created: after kill -9 or a power cut (on a disk that
// honours fsync) Open returns that batch. A batch whose Append did not
// return nil may be missing after a crash, or, if the crash came after the
// write but before the answer, present. After Append fails, Tip tells
// whether the batch is stored (the record was truncated away) or returns
// ErrTipUnknown when it could not be rolled back; the journal refuses
// further appends until reopened, and the process should restart and
// recover from the files.
//
// # Format
//
// All integers are little-endian. A segment is
//
//	header  "LPXJRNL" 0x01 (magic, then format version 1)
//	record* length uint32 | first uint64 | last uint64 | data [length]byte | crc uint32
//
// where crc is CRC-32C (Castagnoli) over length, first, last and data,
// first <= last, and length <= MaxBatchSize. The segment's first record has
// first equal to the number in its name; each later record, in the same
// segment or the next one, starts at the previous record's last+1.
//
// # Recovery
//
// Open checks every record. Only the newest segment may end badly, as a
// crash during an Append leaves it: a damaged last record (short header,
// short data, bad checksum, zeros) behind which no whole record with a
// plausible sequence number follows is a torn tail, which was never
// acknowledged, and Open truncates it away; a newest segment left with no
// record (a crash while it was being started) is removed. Damage anywhere
// else is ErrCorrupt, and records that do not follow each other are
// ErrSequenceGap or ErrDuplicateBatch: Open then refuses the journal, and an
// operator decides. Read checks everything again while it streams.
//
// # Segments and Trim
//
// The first Append after the newest segment reached Options.SegmentSize
// bytes (default 64 MiB) starts a new segment. Trim deletes whole segments,
// oldest first, whose batches all end below its argument, never the one
// holding the tip; trimming is therefore per segment, and Read still
// returns older batches that share a segment with a kept one. Every
// deletion is fsynced before the next, so a crash during Trim leaves a
// contiguous run of batches that opens.
//
// # Snapshots
//
// OpenSnapshots keeps snapshots in a directory (it may be the journal's),
// one file per snapshot named "<seq>.snap" with seq 20-digit, zero-padded;
// other files are ignored. A file is
//
//	"LPXSNAP" 0x01 | seq uint64 | length uint64 | crc uint32 | data [length]byte
//
// (little-endian; crc is CRC-32C of data). Save writes "<seq>.snap.tmp*",
// fsyncs it, renames it over "<seq>.snap" and fsyncs the directory: a
// crash leaves the name holding the old file or the new one, whole, and
// when Save returns nil the snapshot is durable. OpenSnapshots removes the
// temporary files a crash left. Load checks the header against the name
// and the file size and the data against its checksum, and returns an
// error wrapping ErrBadSnapshot for a damaged file (the caller falls back
// to an older snapshot). Delete removes the file and fsyncs the directory.
//
// # Concurrency
//
// A *Journal is safe for concurrent use: one mutex serializes every method
// but Read, which holds it only to list the segments and then reads the
// files, so a reader (a projector catching up on the event log) never
// stalls Append, and Read's callback may call the journal. A *Snapshots
// holds no state but its directory; its methods are file-system calls that
// may run concurrently (the sequencer saves from its own goroutine).
//
// # Errors
//
// Errors wrap this package's sentinels (ErrSequenceGap, ErrDuplicateBatch,
// ErrCorrupt, ...); compare with errors.Is. The exchange contract declares
// no error kinds: the sequencer learns from Tip whether a failed batch is
// stored, and a Read or Open error stops recovery whatever its kind. Should
// a caller need exchange-level kinds, cmd/lpx (the wiring) maps these
// sentinels; the package stays simple and imports nothing of lpx.
package filejournal
