package filejournal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// DefaultSegmentSize is the segment size Open uses: the first Append after
// the active segment reached this many bytes starts a new segment.
const DefaultSegmentSize = 64 << 20

// Options tune a journal. The zero value is the default.
type Options struct {
	// SegmentSize is the size after which the next Append starts a new
	// segment file; 0 means DefaultSegmentSize. Trim deletes whole
	// segments, so it is also the granularity of trimming.
	SegmentSize int64
}

// segment is one segment file: header, then whole records.
type segment struct {
	path     string
	first    uint64 // from the file name; the First of its oldest batch
	last     uint64 // Last of its newest batch; valid when records > 0
	records  int
	size     int64 // bytes of header and whole records
	tipFirst uint64
}

// Journal is a directory of segment files holding command batches. It
// satisfies exchange.Journal. One mutex serializes every method; Read
// holds it only to list the segments.
type Journal struct {
	mu      sync.Mutex
	dir     string
	segSize int64
	segs    []segment // oldest first; only the last may hold no record
	f       *os.File  // the last segment, open for writing; nil when segs is empty
	buf     []byte    // reused record encoding buffer

	hasTip            bool
	tipFirst, tipLast uint64

	broken     error // why appends are refused; nil while healthy
	tipUnknown bool  // a failed append could not be rolled back
	closed     bool
}

// Open opens the journal in directory dir with the default options,
// creating the directory if it does not exist. See OpenWithOptions.
func Open(dir string) (*Journal, error) {
	return OpenWithOptions(dir, Options{})
}

// OpenWithOptions opens the journal in directory dir, creating it (and
// fsyncing its parent) if it does not exist. It checks every record: a torn
// tail of the newest segment (what a crash during an Append leaves; that
// batch was never acknowledged) is truncated away, and a newest segment
// holding no whole record is removed. Damage anywhere else is an error
// wrapping ErrCorrupt, and batches that do not follow each other
// are errors wrapping ErrSequenceGap or ErrDuplicateBatch;
// the journal is then not opened.
func OpenWithOptions(dir string, opts Options) (*Journal, error) {
	if opts.SegmentSize <= 0 {
		opts.SegmentSize = DefaultSegmentSize
	}
	if err := createDir(dir); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("filejournal: open: %w", err)
	}
	var firsts []uint64 // os.ReadDir sorts by name; zero-padded names sort by number
	for _, e := range entries {
		if first, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			firsts = append(firsts, first)
		}
	}
	j := &Journal{dir: dir, segSize: opts.SegmentSize}
	for i, first := range firsts {
		seg, keep, err := j.scanSegment(first, i == len(firsts)-1)
		if err != nil {
			return nil, err
		}
		if keep {
			j.segs = append(j.segs, seg)
			j.hasTip, j.tipFirst, j.tipLast = true, seg.tipFirst, seg.last
		}
	}
	if len(j.segs) > 0 {
		f, err := os.OpenFile(j.segs[len(j.segs)-1].path, os.O_RDWR, 0)
		if err != nil {
			return nil, fmt.Errorf("filejournal: open: %w", err)
		}
		j.f = f
	}
	return j, nil
}

// scanSegment checks one segment file. The newest segment (last) may end in
// a torn record, which it truncates away, or hold no whole record, in which
// case it removes the file and keep is false.
func (j *Journal) scanSegment(first uint64, last bool) (seg segment, keep bool, err error) {
	name := segmentName(first)
	seg = segment{path: filepath.Join(j.dir, name), first: first}
	if j.hasTip {
		if err := sequenceError(first, j.tipLast); err != nil {
			return seg, false, fmt.Errorf("filejournal: segment %s: %w", name, err)
		}
	}
	flag := os.O_RDONLY
	if last {
		flag = os.O_RDWR
	}
	f, err := os.OpenFile(seg.path, flag, 0)
	if err != nil {
		return seg, false, fmt.Errorf("filejournal: open segment: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return seg, false, fmt.Errorf("filejournal: open segment: %w", err)
	}
	size := info.Size()

	hdr := make([]byte, segmentHeaderLen)
	if _, err := f.ReadAt(hdr, 0); err != nil && !errors.Is(err, io.EOF) {
		return seg, false, fmt.Errorf("filejournal: segment %s: %w", name, err)
	}
	if size < segmentHeaderLen || string(hdr) != segmentHeader {
		if last && size <= MaxBatchSize+recordOverhead {
			all := make([]byte, size)
			if _, err := f.ReadAt(all, 0); err != nil && !errors.Is(err, io.EOF) {
				return seg, false, fmt.Errorf("filejournal: segment %s: %w", name, err)
			}
			if tornHeader(all) {
				return seg, false, j.removeSegment(f, seg.path)
			}
		}
		return seg, false, fmt.Errorf("filejournal: segment %s: %w: bad header", name, ErrCorrupt)
	}

	rr := newRecordReader(f, size)
	for {
		rec, err := rr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, errDamaged) {
			// A crash tears at most the one record being written.
			if !last || rr.end-rr.off > MaxBatchSize+recordOverhead {
				return seg, false, fmt.Errorf("filejournal: segment %s: %w: %v", name, ErrCorrupt, err)
			}
			tail := make([]byte, rr.end-rr.off)
			if _, err := f.ReadAt(tail, rr.off); err != nil && !errors.Is(err, io.EOF) {
				return seg, false, fmt.Errorf("filejournal: segment %s: %w", name, err)
			}
			next := first
			if seg.records > 0 {
				next = seg.last + 1
			}
			if validRecordIn(tail, next) {
				return seg, false, fmt.Errorf("filejournal: segment %s: %w: %v, and a whole record follows it", name, ErrCorrupt, err)
			}
			// A torn tail: the crash hit this record's write, so its
			// Append never returned nil. Drop it durably.
			if err := f.Truncate(rr.off); err != nil {
				return seg, false, fmt.Errorf("filejournal: truncate torn tail of %s: %w", name, err)
			}
			if err := f.Sync(); err != nil {
				return seg, false, fmt.Errorf("filejournal: truncate torn tail of %s: %w", name, err)
			}
			break
		}
		if err != nil {
			return seg, false, fmt.Errorf("filejournal: segment %s: %w", name, err)
		}
		if seg.records == 0 && rec.first != first {
			return seg, false, fmt.Errorf("filejournal: segment %s: %w: first batch starts at %d", name, ErrCorrupt, rec.first)
		}
		if seg.records > 0 {
			if err := sequenceError(rec.first, seg.last); err != nil {
				return seg, false, fmt.Errorf("filejournal: segment %s at offset %d: %w", name, rec.off, err)
			}
		}
		seg.records++
		seg.tipFirst, seg.last = rec.first, rec.last
	}
	seg.size = rr.off
	if seg.records == 0 {
		if !last {
			return seg, false, fmt.Errorf("filejournal: segment %s: %w: holds no batch", name, ErrCorrupt)
		}
		return seg, false, j.removeSegment(f, seg.path)
	}
	return seg, true, nil
}

// removeSegment durably removes a newest segment that holds no batch (a
// crash while it was being started or filled with its first record).
func (j *Journal) removeSegment(f *os.File, path string) error {
	f.Close()
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("filejournal: remove empty segment: %w", err)
	}
	return syncDir(j.dir)
}

// sequenceError returns nil when a batch starting at first follows one
// ending at prev, and otherwise an error wrapping ErrDuplicateBatch or
// ErrSequenceGap.
func sequenceError(first, prev uint64) error {
	switch {
	case first <= prev:
		return fmt.Errorf("%w: batch starts at %d, after a batch ending at %d", ErrDuplicateBatch, first, prev)
	case first-prev > 1:
		return fmt.Errorf("%w: batch starts at %d, after a batch ending at %d", ErrSequenceGap, first, prev)
	}
	return nil
}

// Append writes the batch first..last after the tip in one write call and
// fsyncs it before it returns nil. first must be the tip's last+1 (any
// value on an empty journal); otherwise it returns an error wrapping
// ErrSequenceGap or ErrDuplicateBatch and writes nothing. After a failed write or
// fsync it truncates the record away if it can, and refuses every further
// Append with ErrUnusable until the journal is reopened.
func (j *Journal) Append(ctx context.Context, first, last uint64, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ErrClosed
	}
	if j.broken != nil {
		return fmt.Errorf("%w: %w", ErrUnusable, j.broken)
	}
	if first > last {
		return fmt.Errorf("%w: range %d-%d is backwards", ErrInvalidBatch, first, last)
	}
	if len(data) > MaxBatchSize {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrInvalidBatch, len(data), MaxBatchSize)
	}
	if j.hasTip {
		if err := sequenceError(first, j.tipLast); err != nil {
			return fmt.Errorf("filejournal: append: %w", err)
		}
	}
	if j.f == nil || (j.segs[len(j.segs)-1].size >= j.segSize && j.segs[len(j.segs)-1].records > 0) {
		if err := j.startSegment(first); err != nil {
			j.broken = err
			return err
		}
	}
	seg := &j.segs[len(j.segs)-1]
	j.buf = appendRecord(j.buf[:0], first, last, data)
	_, err := j.f.WriteAt(j.buf, seg.size)
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		err = fmt.Errorf("filejournal: append batch %d-%d: %w", first, last, err)
		j.broken = err
		if terr := j.f.Truncate(seg.size); terr != nil {
			j.tipUnknown = true
		} else if serr := j.f.Sync(); serr != nil {
			j.tipUnknown = true
		}
		return err
	}
	seg.size += int64(len(j.buf))
	seg.records++
	seg.tipFirst, seg.last = first, last
	j.hasTip, j.tipFirst, j.tipLast = true, first, last
	if cap(j.buf) > 1<<20 {
		j.buf = nil // do not pin a large batch's buffer
	}
	return nil
}

// startSegment durably creates the segment file whose first batch will
// start at first, and makes it the one Append writes to.
func (j *Journal) startSegment(first uint64) error {
	path := filepath.Join(j.dir, segmentName(first))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("filejournal: start segment: %w", err)
	}
	_, err = f.Write([]byte(segmentHeader))
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = syncDir(j.dir)
	}
	if err != nil {
		f.Close()
		os.Remove(path) // Open removes it anyway if this fails
		return fmt.Errorf("filejournal: start segment: %w", err)
	}
	if j.f != nil {
		j.f.Close()
	}
	j.f = f
	j.segs = append(j.segs, segment{path: path, first: first, size: segmentHeaderLen})
	return nil
}

// Tip returns the newest batch's range, and ok false on an empty journal.
// After a failed Append it tells whether that batch made it (it did not,
// unless Tip says so); when the failure could not be rolled back it
// returns ErrTipUnknown instead, and the caller must reopen the journal.
func (j *Journal) Tip(ctx context.Context) (first, last uint64, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, false, err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return 0, 0, false, ErrClosed
	}
	if j.tipUnknown {
		return 0, 0, false, fmt.Errorf("%w: %w", ErrTipUnknown, j.broken)
	}
	return j.tipFirst, j.tipLast, j.hasTip, nil
}

// Read calls fn for every batch whose Last is greater than after, in
// order, streaming one segment file at a time and holding one batch in
// memory. data is valid only during the call to fn. It checks every checksum and
// sequence number again and returns an error wrapping ErrCorrupt,
// ErrSequenceGap or ErrDuplicateBatch on damage, and fn's
// error unchanged if fn fails. Read sees the batches stored when it
// began; it holds the journal's lock only to list them, so Append goes on
// while it reads (a reader of the event log never stalls the writer) and
// fn may call the journal. A segment that Trim deletes while Read waits
// to open it is an error; the caller reads again from where it was.
func (j *Journal) Read(ctx context.Context, after uint64, fn func(first, last uint64, data []byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return ErrClosed
	}
	segs := slices.Clone(j.segs)
	j.mu.Unlock()
	started := false
	for _, seg := range segs {
		if seg.records == 0 || seg.last <= after {
			continue
		}
		if !started && after > 0 && seg.first > after+1 { // that history was trimmed, or never written
			return fmt.Errorf("%w: the journal resumes at %d, wanted %d", ErrSequenceGap, seg.first, after+1)
		}
		started = true
		if err := readSegment(ctx, seg, after, fn); err != nil {
			return err
		}
	}
	return nil
}

func readSegment(ctx context.Context, seg segment, after uint64, fn func(first, last uint64, data []byte) error) error {
	f, err := os.Open(seg.path)
	if err != nil {
		return fmt.Errorf("filejournal: read: %w", err)
	}
	defer f.Close()
	name := filepath.Base(seg.path)
	rr := newRecordReader(f, seg.size)
	var prev uint64
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := rr.next()
		if errors.Is(err, io.EOF) {
			if n != seg.records {
				return fmt.Errorf("filejournal: read segment %s: %w: %d batches, expected %d", name, ErrCorrupt, n, seg.records)
			}
			return nil
		}
		if errors.Is(err, errDamaged) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("filejournal: read segment %s: %w: %v", name, ErrCorrupt, err)
		}
		if err != nil {
			return fmt.Errorf("filejournal: read segment %s: %w", name, err)
		}
		if n == 0 && rec.first != seg.first {
			return fmt.Errorf("filejournal: read segment %s: %w: first batch starts at %d", name, ErrCorrupt, rec.first)
		}
		if n > 0 {
			if err := sequenceError(rec.first, prev); err != nil {
				return fmt.Errorf("filejournal: read segment %s at offset %d: %w", name, rec.off, err)
			}
		}
		prev = rec.last
		if rec.last > after {
			if err := fn(rec.first, rec.last, rec.data); err != nil {
				return err
			}
		}
	}
}

// Trim deletes, oldest first, every segment file whose batches all have
// Last below before, except the segment holding the tip. Trimming is per
// segment: batches below before that share a segment with a batch at or
// after before stay, and Read still returns them. Each deletion is made
// durable (directory fsync) before the next, so a crash during Trim leaves
// a journal that opens with a contiguous suffix of the batches.
func (j *Journal) Trim(ctx context.Context, before uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ErrClosed
	}
	tipSeg := len(j.segs) - 1
	for tipSeg >= 0 && j.segs[tipSeg].records == 0 {
		tipSeg--
	}
	for tipSeg > 0 && j.segs[0].last < before {
		if err := os.Remove(j.segs[0].path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("filejournal: trim: %w", err)
		}
		j.segs = j.segs[1:]
		tipSeg--
		if err := syncDir(j.dir); err != nil {
			return fmt.Errorf("filejournal: trim: %w", err)
		}
	}
	return nil
}

// Close releases the journal. Every acknowledged batch is already on disk.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ErrClosed
	}
	j.closed = true
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	if err != nil {
		return fmt.Errorf("filejournal: close: %w", err)
	}
	return nil
}

// createDir creates dir if it does not exist, durably: it fsyncs the
// parent directory so the new entry survives a crash.
func createDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("filejournal: open: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("filejournal: open: %w", err)
	}
	if err := syncDir(filepath.Dir(filepath.Clean(dir))); err != nil {
		return fmt.Errorf("filejournal: open: %w", err)
	}
	return nil
}

// syncDir fsyncs a directory, making entries created or removed in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
