package filejournal_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/engine"
	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/store/filejournal"
)

var _ exchange.Snapshots = (*filejournal.Snapshots)(nil)

// snapshotFile is the documented file format, written independently of the
// package: magic and version, seq, length, CRC-32C of data, data.
func snapshotFile(seq uint64, data []byte) []byte {
	b := []byte("LPXSNAP\x01")
	b = binary.LittleEndian.AppendUint64(b, seq)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(data)))
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
	return append(b, data...)
}

func snapPath(dir string, seq uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%020d.snap", seq))
}

func openSnapshots(t testing.TB, dir string) *filejournal.Snapshots {
	t.Helper()
	s, err := filejournal.OpenSnapshots(dir)
	if err != nil {
		t.Fatalf("open snapshots %s: %v", dir, err)
	}
	return s
}

func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 0))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func mustSave(t testing.TB, s *filejournal.Snapshots, seq uint64, data []byte) {
	t.Helper()
	if err := s.Save(context.Background(), seq, data); err != nil {
		t.Fatalf("save %d: %v", seq, err)
	}
}

func checkLoad(t testing.TB, s *filejournal.Snapshots, seq uint64, want []byte) {
	t.Helper()
	got, err := s.Load(context.Background(), seq)
	if err != nil {
		t.Fatalf("load %d: %v", seq, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("load %d: %d bytes back, want %d", seq, len(got), len(want))
	}
}

func checkList(t testing.TB, s *filejournal.Snapshots, want ...uint64) {
	t.Helper()
	got, err := s.List(context.Background())
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("list: %v, want %v", got, want)
	}
}

// dirNames lists every name in dir.
func dirNames(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestSnapshotsRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snaps") // created by OpenSnapshots
	s := openSnapshots(t, dir)
	cases := []struct {
		seq  uint64
		data []byte
	}{
		{7, randomBytes(1, 3<<20)},
		{3, []byte("small")},
		{1<<64 - 1, randomBytes(2, 1000)},
	}
	for _, c := range cases {
		mustSave(t, s, c.seq, c.data)
		checkLoad(t, s, c.seq, c.data)
	}
	// The file is the documented format, byte for byte.
	for _, c := range cases {
		got, err := os.ReadFile(snapPath(dir, c.seq))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, snapshotFile(c.seq, c.data)) {
			t.Fatalf("snapshot %d: the file is not in the documented format", c.seq)
		}
	}
	// A reopened directory holds the same.
	s = openSnapshots(t, dir)
	checkList(t, s, 3, 7, 1<<64-1)
	for _, c := range cases {
		checkLoad(t, s, c.seq, c.data)
	}
}

func TestSnapshotsEmptyData(t *testing.T) {
	dir := t.TempDir()
	s := openSnapshots(t, dir)
	mustSave(t, s, 1, nil)
	mustSave(t, s, 2, []byte{})
	for _, seq := range []uint64{1, 2} {
		got, err := s.Load(context.Background(), seq)
		if err != nil || len(got) != 0 {
			t.Fatalf("load %d: %d bytes, %v", seq, len(got), err)
		}
		if fi, err := os.Stat(snapPath(dir, seq)); err != nil || fi.Size() != int64(len(snapshotFile(seq, nil))) {
			t.Fatalf("snapshot %d: file %v, %v", seq, fi, err)
		}
	}
	checkList(t, s, 1, 2)
}

func TestSnapshotsListOrderAndOtherFiles(t *testing.T) {
	dir := t.TempDir()
	s := openSnapshots(t, dir)
	checkList(t, s) // empty
	for _, seq := range []uint64{300, 7, 1 << 40, 12, 0} {
		mustSave(t, s, seq, []byte(fmt.Sprint(seq)))
	}
	// Files that are not snapshots, as a shared data directory holds.
	for _, name := range []string{
		"00000000000000000001.seg", "notes.txt", "123.snap", "0000000000000000000x.snap",
		"00000000000000000008.snap.bak", "000000000000000000009.snap",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("not a snapshot"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(snapPath(dir, 99), 0o700); err != nil { // a directory with a snapshot's name
		t.Fatal(err)
	}
	checkList(t, s, 0, 7, 12, 300, 1<<40)
	checkList(t, openSnapshots(t, dir), 0, 7, 12, 300, 1<<40)
	if n := len(dirNames(t, dir)); n != 5+6+1 {
		t.Fatalf("open removed files that are not its own: %d names left", n)
	}
}

func TestSnapshotsDelete(t *testing.T) {
	dir := t.TempDir()
	s := openSnapshots(t, dir)
	ctx := context.Background()
	for _, seq := range []uint64{1, 2, 3} {
		mustSave(t, s, seq, []byte{byte(seq)})
	}
	if err := s.Delete(ctx, 2); err != nil {
		t.Fatal(err)
	}
	checkList(t, s, 1, 3)
	if _, err := s.Load(ctx, 2); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("load of a deleted snapshot: %v", err)
	}
	if _, err := os.Stat(snapPath(dir, 2)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the file is still there: %v", err)
	}
	if err := s.Delete(ctx, 2); err != nil {
		t.Fatalf("deleting a missing snapshot: %v", err)
	}
	checkLoad(t, s, 1, []byte{1})
	checkLoad(t, s, 3, []byte{3})
}

// TestSnapshotsDetectDamage truncates a snapshot file at every length,
// flips every bit of every byte in turn, appends a byte, and moves a
// snapshot under another seq's name: Load must refuse each with
// ErrBadSnapshot.
func TestSnapshotsDetectDamage(t *testing.T) {
	const seq = 42
	data := randomBytes(3, 100)
	good := snapshotFile(seq, data)
	dir := t.TempDir()
	s := openSnapshots(t, dir)
	check := func(what string, content []byte) {
		t.Helper()
		if err := os.WriteFile(snapPath(dir, seq), content, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(context.Background(), seq)
		if !errors.Is(err, filejournal.ErrBadSnapshot) {
			t.Fatalf("%s: Load gave %d bytes and %v, want ErrBadSnapshot", what, len(got), err)
		}
	}
	for n := range len(good) {
		check(fmt.Sprintf("truncated to %d bytes", n), good[:n])
	}
	for i := range good {
		for bit := range 8 {
			bad := slices.Clone(good)
			bad[i] ^= 1 << bit
			check(fmt.Sprintf("bit %d of byte %d flipped", bit, i), bad)
		}
	}
	check("a byte appended", append(slices.Clone(good), 0))
	check("another seq's snapshot", snapshotFile(seq+1, data))
	// And the intact file still loads.
	if err := os.WriteFile(snapPath(dir, seq), good, 0o600); err != nil {
		t.Fatal(err)
	}
	checkLoad(t, s, seq, data)
}

// TestSnapshotsTruncatedLargeFile cuts a saved multi-megabyte snapshot
// short, as a disk that lost the file's tail would.
func TestSnapshotsTruncatedLargeFile(t *testing.T) {
	dir := t.TempDir()
	s := openSnapshots(t, dir)
	data := randomBytes(4, 2<<20)
	mustSave(t, s, 9, data)
	if err := os.Truncate(snapPath(dir, 9), int64(len(data)/2)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(context.Background(), 9); !errors.Is(err, filejournal.ErrBadSnapshot) {
		t.Fatalf("truncated: %v", err)
	}
}

// TestSnapshotsLeftoverTemp leaves what a crash during Save leaves: a
// temporary file, full or partial, beside the snapshot it was to replace.
// List and Load ignore it, and OpenSnapshots removes it (and nothing else).
func TestSnapshotsLeftoverTemp(t *testing.T) {
	dir := t.TempDir()
	s := openSnapshots(t, dir)
	old := []byte("the snapshot before the crash")
	mustSave(t, s, 5, old)
	newer := snapshotFile(5, []byte("the snapshot being saved when the process died"))
	leftovers := map[string][]byte{
		"00000000000000000005.snap.tmp123456": newer[:20],     // replacing 5, torn
		"00000000000000000006.snap.tmp987":    newer,          // a new seq, written whole but never renamed
		"00000000000000000007.snap.tmp":       nil,            // created, nothing written
		"keep.snap.tmp1":                      []byte("mine"), // not a snapshot temporary: not ours to remove
	}
	for name, content := range leftovers {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	checkList(t, s, 5)
	checkLoad(t, s, 5, old)

	s = openSnapshots(t, dir)
	checkList(t, s, 5)
	checkLoad(t, s, 5, old)
	if names := dirNames(t, dir); !slices.Equal(names, []string{"00000000000000000005.snap", "keep.snap.tmp1"}) {
		t.Fatalf("after open: %v", names)
	}
	// Saving again works beside whatever was there.
	mustSave(t, s, 6, []byte("six"))
	checkList(t, s, 5, 6)
}

// TestSnapshotsSaveReplaces saves twice under one seq: the second replaces
// the first whole, by rename, leaving no temporary file.
func TestSnapshotsSaveReplaces(t *testing.T) {
	dir := t.TempDir()
	s := openSnapshots(t, dir)
	first, second := randomBytes(5, 1<<20), []byte("shorter")
	mustSave(t, s, 10, first)
	before, err := os.Stat(snapPath(dir, 10))
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, 10, second)
	checkLoad(t, s, 10, second)
	checkList(t, s, 10)
	if names := dirNames(t, dir); !slices.Equal(names, []string{"00000000000000000010.snap"}) {
		t.Fatalf("after replacing: %v", names)
	}
	after, err := os.Stat(snapPath(dir, 10))
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(before, after) {
		t.Fatal("the snapshot was rewritten in place, not replaced by a new file")
	}
}

func TestSnapshotsCanceledContext(t *testing.T) {
	dir := t.TempDir()
	s := openSnapshots(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Save(ctx, 1, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("save: %v", err)
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Fatalf("a canceled save wrote %v", names)
	}
}

// TestSnapshotsRecoverWithSequencer runs the embedded mode's stores (file
// journal and file snapshots) under a sequencer that snapshots every 50
// commands and keeps 2, then recovers: the state is the one the sequencer
// left, and the recovery used the newest snapshot (the journal before the
// oldest kept one may be gone).
func TestSnapshotsRecoverWithSequencer(t *testing.T) {
	dir := t.TempDir()
	j := open(t, filepath.Join(dir, "journal"), filejournal.Options{SegmentSize: 4 << 10})
	snaps := openSnapshots(t, filepath.Join(dir, "snapshots"))
	st := exchange.Stores{Journal: j, Snapshots: snaps}
	eng := engine.New()
	s := exchange.NewSequencer(eng, st, exchange.Config{SnapshotEvery: 50, KeepSnapshots: 2, TickEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	eur, _ := engine.ParseSymbol("EUR")
	cmds := []engine.Command{{Kind: engine.CmdCreateAsset, Symbol: eur, Scale: 2}, {Kind: engine.CmdCreateAccount}}
	for i := range 300 {
		cmds = append(cmds, engine.Command{Kind: engine.CmdDeposit, Account: 1, Asset: 1, Amount: 1, Ref: engine.Ref{1, byte(i >> 8), byte(i)}})
	}
	for _, c := range cmds {
		res, err := s.Submit(context.Background(), c)
		if err != nil || res.Events[0].Kind == engine.EvRejected {
			t.Fatalf("submit %s: %v %v", c.Kind, err, res.Events)
		}
	}
	cancel()
	<-done
	want := eng.StateHash()

	seqs, err := snaps.List(context.Background())
	if err != nil || len(seqs) != 2 || seqs[1] != eng.LastSeq() {
		t.Fatalf("snapshots %v (%v), want 2 ending at %d", seqs, err, eng.LastSeq())
	}
	got, err := exchange.Recover(context.Background(), exchange.Stores{Journal: j, Snapshots: openSnapshots(t, filepath.Join(dir, "snapshots"))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastSeq() != eng.LastSeq() || got.StateHash() != want {
		t.Fatalf("recovered at %d, want %d; same state: %v", got.LastSeq(), eng.LastSeq(), got.StateHash() == want)
	}
}

// FuzzLoadSnapshot writes arbitrary bytes as the snapshot of seq 42: Load
// must not panic, and may only succeed on a file that is exactly the
// documented encoding of what it returns.
func FuzzLoadSnapshot(f *testing.F) {
	f.Add(snapshotFile(42, []byte("engine state")))
	f.Add(snapshotFile(42, nil))
	f.Add(snapshotFile(41, []byte("x")))
	f.Add([]byte("LPXSNAP\x01"))
	f.Add([]byte{})
	dir := f.TempDir()
	s, err := filejournal.OpenSnapshots(dir)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		if err := os.WriteFile(snapPath(dir, 42), content, 0o600); err != nil {
			t.Fatal(err)
		}
		data, err := s.Load(context.Background(), 42)
		if err != nil {
			if !errors.Is(err, filejournal.ErrBadSnapshot) {
				t.Fatalf("an error that is not ErrBadSnapshot: %v", err)
			}
			return
		}
		if !bytes.Equal(content, snapshotFile(42, data)) {
			t.Fatalf("Load accepted %x as %x", content, data)
		}
	})
}
