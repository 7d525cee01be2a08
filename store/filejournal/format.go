package filejournal

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
)

// segmentHeader opens every segment file: a 7-byte magic and a version byte.
const segmentHeader = "LPXJRNL\x01"

const (
	segmentHeaderLen = int64(len(segmentHeader))
	// recordHeaderLen is length (4) + first (8) + last (8).
	recordHeaderLen = 20
	// recordOverhead is the record header plus the CRC32C trailer.
	recordOverhead = recordHeaderLen + 4
	// MaxBatchSize is the largest Batch.Data Append accepts. Open and Read
	// treat a record that claims more as damaged.
	MaxBatchSize = 64 << 20
	// resyncWindow bounds how far past the expected sequence number a record
	// found behind a damaged one may start and still count as evidence that
	// the damage is not a torn tail (see scanTail).
	resyncWindow = 1 << 32
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// segmentName is the file name of the segment whose first batch starts at first.
func segmentName(first uint64) string { return fmt.Sprintf("%020d.seg", first) }

// parseSegmentName returns the first sequence number encoded in a segment
// file name, and ok false for any other file name.
func parseSegmentName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, ".seg")
	if !ok || len(digits) != 20 {
		return 0, false
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	first, err := strconv.ParseUint(digits, 10, 64)
	return first, err == nil
}

// appendRecord appends the encoded record for (first, last, data) to dst.
func appendRecord(dst []byte, first, last uint64, data []byte) []byte {
	start := len(dst)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(data)))
	dst = binary.LittleEndian.AppendUint64(dst, first)
	dst = binary.LittleEndian.AppendUint64(dst, last)
	dst = append(dst, data...)
	sum := crc32.Checksum(dst[start:], castagnoli)
	return binary.LittleEndian.AppendUint32(dst, sum)
}

// errDamaged reports a record that is short, too long, fails its checksum
// or holds an impossible range. Whether that is a torn tail or corruption is
// decided by the caller.
var errDamaged = errors.New("damaged record")

// record is one decoded batch and its place in the segment file.
type record struct {
	first, last uint64
	data        []byte
	off, size   int64
}

// recordReader streams the records of one segment from the byte after the
// segment header up to end, holding at most one record in memory.
type recordReader struct {
	r    *bufio.Reader
	off  int64 // offset of the next record
	end  int64 // offset where the bytes to read end
	hdr  [recordHeaderLen]byte
	crc  [4]byte
	data []byte // reused: a record's data is valid until the next call
}

func newRecordReader(r io.ReaderAt, end int64) *recordReader {
	sr := io.NewSectionReader(r, segmentHeaderLen, end-segmentHeaderLen)
	return &recordReader{r: bufio.NewReaderSize(sr, 64<<10), off: segmentHeaderLen, end: end}
}

// next returns the next record, io.EOF at a clean end, an error wrapping
// errDamaged for a damaged record (the reader is then unusable), or an I/O
// error.
func (rr *recordReader) next() (record, error) {
	if rr.off == rr.end {
		return record{}, io.EOF
	}
	left := rr.end - rr.off
	if left < recordOverhead {
		return record{}, fmt.Errorf("%w at offset %d: %d bytes left, shorter than a record", errDamaged, rr.off, left)
	}
	if _, err := io.ReadFull(rr.r, rr.hdr[:]); err != nil {
		return record{}, fmt.Errorf("filejournal: read record header at offset %d: %w", rr.off, err)
	}
	n := int64(binary.LittleEndian.Uint32(rr.hdr[0:4]))
	if n > MaxBatchSize {
		return record{}, fmt.Errorf("%w at offset %d: length %d above the limit", errDamaged, rr.off, n)
	}
	if n+recordOverhead > left {
		return record{}, fmt.Errorf("%w at offset %d: length %d runs past the end", errDamaged, rr.off, n)
	}
	if int64(cap(rr.data)) < n {
		rr.data = make([]byte, n)
	}
	data := rr.data[:n]
	if _, err := io.ReadFull(rr.r, data); err != nil {
		return record{}, fmt.Errorf("filejournal: read record at offset %d: %w", rr.off, err)
	}
	if _, err := io.ReadFull(rr.r, rr.crc[:]); err != nil {
		return record{}, fmt.Errorf("filejournal: read record checksum at offset %d: %w", rr.off, err)
	}
	sum := crc32.Update(crc32.Checksum(rr.hdr[:], castagnoli), castagnoli, data)
	if sum != binary.LittleEndian.Uint32(rr.crc[:]) {
		return record{}, fmt.Errorf("%w at offset %d: checksum mismatch", errDamaged, rr.off)
	}
	rec := record{
		first: binary.LittleEndian.Uint64(rr.hdr[4:12]),
		last:  binary.LittleEndian.Uint64(rr.hdr[12:20]),
		data:  data,
		off:   rr.off,
		size:  n + recordOverhead,
	}
	if rec.first > rec.last {
		// A whole record with a good checksum is no torn write: Append
		// never writes a backwards range, so this is corruption.
		return record{}, fmt.Errorf("%w: record at offset %d has range %d-%d backwards", ErrCorrupt, rr.off, rec.first, rec.last)
	}
	rr.off += rec.size
	return rec, nil
}

// validRecordIn reports whether b holds, at any offset, a whole record with
// a good checksum whose range starts in [next, next+resyncWindow]. Open uses
// it to tell a torn tail (nothing valid follows the damage) from corruption
// in front of acknowledged batches (a valid record follows it).
func validRecordIn(b []byte, next uint64) bool {
	for p := 0; p+recordOverhead <= len(b); p++ {
		h := b[p:]
		first := binary.LittleEndian.Uint64(h[4:12])
		if first < next || first-next > resyncWindow {
			continue
		}
		last := binary.LittleEndian.Uint64(h[12:20])
		if last < first {
			continue
		}
		n := int(binary.LittleEndian.Uint32(h[0:4]))
		if n > MaxBatchSize || n+recordOverhead > len(h) {
			continue
		}
		sum := crc32.Checksum(h[:recordHeaderLen+n], castagnoli)
		if sum == binary.LittleEndian.Uint32(h[recordHeaderLen+n:]) {
			return true
		}
	}
	return false
}

// tornHeader reports whether b, the whole content of a segment file too
// damaged to have a header, is what a crash while creating the segment
// leaves: a prefix of the header, or zeros.
func tornHeader(b []byte) bool {
	if len(b) < len(segmentHeader) && bytes.HasPrefix([]byte(segmentHeader), b) {
		return true
	}
	return len(bytes.Trim(b, "\x00")) == 0
}
