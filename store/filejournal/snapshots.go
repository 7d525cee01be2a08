package filejournal

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrBadSnapshot is returned (wrapped) by Load for a snapshot file that is
// short, too long, has a bad header or fails its checksum.
var ErrBadSnapshot = errors.New("filejournal: snapshot damaged")

// snapshotMagic opens every snapshot file: a 7-byte magic and a version byte.
const snapshotMagic = "LPXSNAP\x01"

// snapshotHeaderLen is magic (8) + seq (8) + length (8) + crc (4).
const snapshotHeaderLen = len(snapshotMagic) + 8 + 8 + 4

// snapshotTempMarker follows a snapshot's file name in the name of the
// temporary file Save writes before renaming it into place.
const snapshotTempMarker = ".tmp"

// Snapshots keeps engine snapshots in a directory, one file per snapshot
// named by its sequence number. It satisfies exchange.Snapshots. Every
// method is a few file-system calls that are each atomic, so a *Snapshots
// may be used from several goroutines; one process at a time may use a
// directory.
type Snapshots struct {
	dir string
}

// OpenSnapshots opens the snapshots in directory dir, creating it (and
// fsyncing its parent) if it does not exist, and removes the temporary
// files that a crash during Save left behind. Other files are left alone.
func OpenSnapshots(dir string) (*Snapshots, error) {
	if err := createDir(dir); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("filejournal: open snapshots: %w", err)
	}
	removed := false
	for _, e := range entries {
		if !isSnapshotTemp(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("filejournal: open snapshots: remove leftover: %w", err)
		}
		removed = true
	}
	if removed {
		if err := syncDir(dir); err != nil {
			return nil, fmt.Errorf("filejournal: open snapshots: %w", err)
		}
	}
	return &Snapshots{dir: dir}, nil
}

// snapshotName is the file name of the snapshot taken at seq.
func snapshotName(seq uint64) string { return fmt.Sprintf("%020d.snap", seq) }

// parseSnapshotName returns the sequence number in a snapshot file name,
// and ok false for any other name.
func parseSnapshotName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, ".snap")
	if !ok || len(digits) != 20 || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	return seq, err == nil
}

// isSnapshotTemp reports whether name is a temporary file of Save:
// "<20 digits>.snap.tmp" followed by anything.
func isSnapshotTemp(name string) bool {
	i := strings.Index(name, ".snap"+snapshotTempMarker)
	if i < 0 {
		return false
	}
	_, ok := parseSnapshotName(name[:i+len(".snap")])
	return ok
}

// appendSnapshotHeader appends the header of a snapshot file holding data.
func appendSnapshotHeader(dst []byte, seq uint64, data []byte) []byte {
	dst = append(dst, snapshotMagic...)
	dst = binary.LittleEndian.AppendUint64(dst, seq)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(len(data)))
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(data, castagnoli))
}

// Save stores a snapshot taken at seq, replacing any stored under the same
// seq. It writes a temporary file, fsyncs it, renames it into place and
// fsyncs the directory before it returns nil. A crash at any point leaves
// under the snapshot's name either what was there before (nothing, or the
// replaced snapshot, whole) or the new snapshot, whole; never a partial
// file. When Save returns nil the new snapshot survives a crash.
func (s *Snapshots) Save(ctx context.Context, seq uint64, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	name := snapshotName(seq)
	tmp, err := s.writeTemp(name, seq, data)
	if err != nil {
		return fmt.Errorf("filejournal: save snapshot %d: %w", seq, err)
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, name)); err != nil {
		os.Remove(tmp) // OpenSnapshots removes it anyway if this fails
		return fmt.Errorf("filejournal: save snapshot %d: %w", seq, err)
	}
	// The snapshot is in place; until the directory is fsynced a crash may
	// still lose it (and keep what the name held before).
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("filejournal: save snapshot %d: %w", seq, err)
	}
	return nil
}

// writeTemp writes the snapshot file for (seq, data) under a temporary name
// next to name, fsyncs and closes it, and returns its path. On error it
// removes the file.
func (s *Snapshots) writeTemp(name string, seq uint64, data []byte) (path string, err error) {
	f, err := os.CreateTemp(s.dir, name+snapshotTempMarker+"*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(appendSnapshotHeader(make([]byte, 0, snapshotHeaderLen), seq, data))
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name()) // OpenSnapshots removes it anyway if this fails
		return "", err
	}
	return f.Name(), nil
}

// List returns the sequence numbers of the stored snapshots, oldest first.
// Files whose names are not snapshot names are ignored.
func (s *Snapshots) List(ctx context.Context) ([]uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(s.dir) // sorted by name; zero-padded names sort by number
	if err != nil {
		return nil, fmt.Errorf("filejournal: list snapshots: %w", err)
	}
	var seqs []uint64
	for _, e := range entries {
		if seq, ok := parseSnapshotName(e.Name()); ok && e.Type().IsRegular() {
			seqs = append(seqs, seq)
		}
	}
	return seqs, nil
}

// Load returns the snapshot taken at seq. A file that is shorter or longer
// than its header says, whose header is not a snapshot header for seq, or
// whose data fails its checksum gives an error wrapping ErrBadSnapshot; a
// missing snapshot gives one wrapping fs.ErrNotExist.
func (s *Snapshots) Load(ctx context.Context, seq uint64) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(s.dir, snapshotName(seq)))
	if err != nil {
		return nil, fmt.Errorf("filejournal: load snapshot %d: %w", seq, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("filejournal: load snapshot %d: %w", seq, err)
	}
	size := info.Size()
	if size < int64(snapshotHeaderLen) {
		return nil, fmt.Errorf("%w: %d is %d bytes, shorter than a header", ErrBadSnapshot, seq, size)
	}
	hdr := make([]byte, snapshotHeaderLen)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return nil, fmt.Errorf("filejournal: load snapshot %d: %w", seq, err)
	}
	if string(hdr[:len(snapshotMagic)]) != snapshotMagic {
		return nil, fmt.Errorf("%w: %d has a bad header", ErrBadSnapshot, seq)
	}
	h := hdr[len(snapshotMagic):]
	hseq, length, sum := binary.LittleEndian.Uint64(h[0:8]), binary.LittleEndian.Uint64(h[8:16]), binary.LittleEndian.Uint32(h[16:20])
	if hseq != seq {
		return nil, fmt.Errorf("%w: %d holds the snapshot of %d", ErrBadSnapshot, seq, hseq)
	}
	if body := uint64(size) - uint64(snapshotHeaderLen); length != body {
		return nil, fmt.Errorf("%w: %d should hold %d bytes, holds %d", ErrBadSnapshot, seq, length, body)
	}
	data := make([]byte, length)
	if _, err := io.ReadFull(f, data); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) { // shrank since Stat
			return nil, fmt.Errorf("%w: %d: %v", ErrBadSnapshot, seq, err)
		}
		return nil, fmt.Errorf("filejournal: load snapshot %d: %w", seq, err)
	}
	if crc32.Checksum(data, castagnoli) != sum {
		return nil, fmt.Errorf("%w: %d fails its checksum", ErrBadSnapshot, seq)
	}
	return data, nil
}

// Delete removes the snapshot taken at seq, durably (the directory is
// fsynced). Deleting a snapshot that does not exist is not an error.
func (s *Snapshots) Delete(ctx context.Context, seq uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := os.Remove(filepath.Join(s.dir, snapshotName(seq)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil {
		err = syncDir(s.dir)
	}
	if err != nil {
		return fmt.Errorf("filejournal: delete snapshot %d: %w", seq, err)
	}
	return nil
}
