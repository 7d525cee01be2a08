package filejournal_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/lpx-exchange/lpx/store/filejournal"
)

// writtenJournal appends bs to a fresh journal, closes it and returns its
// directory and the sizes of its newest segment before and after the last
// Append (so the last record is content[start:end]).
func writtenJournal(t *testing.T, opts filejournal.Options, bs []batch) (dir, lastSeg string, start, end int64) {
	t.Helper()
	dir = t.TempDir()
	j, err := filejournal.OpenWithOptions(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, j, bs[:len(bs)-1])
	segs := segmentFiles(t, dir)
	info, err := os.Stat(segs[len(segs)-1])
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, j, bs[len(bs)-1:])
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	start = info.Size()
	now := segmentFiles(t, dir)
	if len(now) != len(segs) { // the last append started a segment
		start = int64(len(header))
	}
	lastSeg = now[len(now)-1]
	info, err = os.Stat(lastSeg)
	if err != nil {
		t.Fatal(err)
	}
	return dir, lastSeg, start, info.Size()
}

// copyDir copies the segment files of src into a new directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	for _, p := range segmentFiles(t, src) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(p)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// checkRecovered opens dir, which must hold exactly want, and checks that
// appending continues after want's last batch and survives a reopen.
func checkRecovered(t *testing.T, dir string, opts filejournal.Options, want []batch) {
	t.Helper()
	j, err := filejournal.OpenWithOptions(dir, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	checkBatches(t, readAll(t, j, 0), want)
	tip := want[len(want)-1]
	checkTip(t, j, &tip)
	next := batch{tip.last + 1, tip.last + 2, []byte("after the crash")}
	appendAll(t, j, []batch{next})
	j.Close()
	j, err = filejournal.OpenWithOptions(dir, opts)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer j.Close()
	checkBatches(t, readAll(t, j, 0), append(want[:len(want):len(want)], next))
}

func TestTornTailIsTruncated(t *testing.T) {
	// With 200-byte segments the last record shares its segment; with 300
	// it is the first record of a new one (writtenJournal handles both).
	for _, opts := range []filejournal.Options{{}, {SegmentSize: 300}, {SegmentSize: 200}} {
		t.Run(fmt.Sprintf("segment=%d", opts.SegmentSize), func(t *testing.T) {
			bs := makeBatches(10, 1, 12, 60)
			bs[len(bs)-1].data = []byte("the last batch, torn by the crash")
			src, seg, start, end := writtenJournal(t, opts, bs)
			content, err := os.ReadFile(seg)
			if err != nil {
				t.Fatal(err)
			}
			for cut := start; cut < end; cut++ {
				dir := copyDir(t, src)
				if err := os.Truncate(filepath.Join(dir, filepath.Base(seg)), cut); err != nil {
					t.Fatal(err)
				}
				t.Run(fmt.Sprintf("cut=%d", cut), func(t *testing.T) { checkRecovered(t, dir, opts, bs[:len(bs)-1]) })
			}
			for off := start; off < end; off++ {
				for _, mask := range []byte{0x01, 0x80, 0xff} {
					dir := copyDir(t, src)
					b := append([]byte(nil), content...)
					b[off] ^= mask
					if err := os.WriteFile(filepath.Join(dir, filepath.Base(seg)), b, 0o600); err != nil {
						t.Fatal(err)
					}
					t.Run(fmt.Sprintf("flip=%d^%#x", off, mask), func(t *testing.T) { checkRecovered(t, dir, opts, bs[:len(bs)-1]) })
				}
			}
			// Zeros where the last record should be (a file system that
			// extended the file but never wrote the data).
			for _, extra := range []int64{0, 1, 100} {
				dir := copyDir(t, src)
				b := append([]byte(nil), content[:start]...)
				b = append(b, make([]byte, end-start+extra)...)
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(seg)), b, 0o600); err != nil {
					t.Fatal(err)
				}
				t.Run(fmt.Sprintf("zeros+%d", extra), func(t *testing.T) { checkRecovered(t, dir, opts, bs[:len(bs)-1]) })
			}
		})
	}
}

// TestTornSegmentStart crashes while the first Append after a full segment
// creates the next one: the new file holds part of its header, or the
// header and part of its first record.
func TestTornSegmentStart(t *testing.T) {
	opts := filejournal.Options{SegmentSize: 200}
	bs := makeBatches(11, 1, 10, 60)
	src, _, _, _ := writtenJournal(t, opts, bs)
	next := bs[len(bs)-1].last + 1
	full := append([]byte(header), encodeRecord(next, next, []byte("first of a new segment"))...)
	for cut := 0; cut < len(full); cut++ {
		dir := copyDir(t, src)
		writeSegment(t, dir, next, full[:cut])
		t.Run(fmt.Sprintf("cut=%d", cut), func(t *testing.T) { checkRecovered(t, dir, opts, bs) })
	}
}

func TestCorruptionBeforeTheTailIsRefused(t *testing.T) {
	for _, opts := range []filejournal.Options{{}, {SegmentSize: 300}} {
		t.Run(fmt.Sprintf("segment=%d", opts.SegmentSize), func(t *testing.T) {
			bs := makeBatches(12, 1, 12, 60)
			src, seg, start, _ := writtenJournal(t, opts, bs)
			// Every byte of the records before the last one in the newest
			// segment, and of the oldest segment.
			targets := []struct {
				path     string
				from, to int64
			}{{seg, int64(len(header)), start}}
			if segs := segmentFiles(t, src); len(segs) > 1 {
				info, err := os.Stat(segs[0])
				if err != nil {
					t.Fatal(err)
				}
				targets = append(targets, struct {
					path     string
					from, to int64
				}{segs[0], 0, info.Size()})
			}
			for _, tg := range targets {
				orig, err := os.ReadFile(tg.path)
				if err != nil {
					t.Fatal(err)
				}
				for off := tg.from; off < tg.to; off++ {
					dir := copyDir(t, src)
					b := append([]byte(nil), orig...)
					b[off] ^= 0x10
					if err := os.WriteFile(filepath.Join(dir, filepath.Base(tg.path)), b, 0o600); err != nil {
						t.Fatal(err)
					}
					j, err := filejournal.OpenWithOptions(dir, opts)
					if err == nil {
						got, _ := tryReadAll(j, 0)
						j.Close()
						t.Fatalf("%s: flipped byte %d opened with %d batches", filepath.Base(tg.path), off, len(got))
					}
					if !errors.Is(err, filejournal.ErrCorrupt) {
						t.Fatalf("%s: flipped byte %d: %v, want ErrCorrupt", filepath.Base(tg.path), off, err)
					}
				}
			}
		})
	}
}

func TestTrim(t *testing.T) {
	opts := filejournal.Options{SegmentSize: 300}
	dir := t.TempDir()
	j := open(t, dir, opts)
	bs := makeBatches(13, 1, 80, 60)
	appendAll(t, j, bs)
	segs := len(segmentFiles(t, dir))
	if segs < 5 {
		t.Fatalf("%d segments", segs)
	}
	before := bs[40].first + 1 // inside batch 40: batch 40 must stay
	if err := j.Trim(t.Context(), before); err != nil {
		t.Fatal(err)
	}
	check := func(j *filejournal.Journal) {
		got := readAll(t, j, 0)
		if len(got) == 0 || got[0].first > bs[40].first {
			t.Fatalf("trim(%d) dropped batch %d-%d: read %s", before, bs[40].first, bs[40].last, ranges(got))
		}
		i := slicesIndex(bs, got[0])
		checkBatches(t, got, bs[i:])
		if i == 0 {
			t.Fatal("trim dropped nothing")
		}
	}
	check(j)
	if n := len(segmentFiles(t, dir)); n >= segs {
		t.Fatalf("trim left %d of %d segments", n, segs)
	}
	j.Close()
	j = open(t, dir, opts)
	check(j)

	// Trimming past the tip keeps the tip's segment, so the journal still
	// knows where to continue.
	if err := j.Trim(t.Context(), bs[len(bs)-1].last+100); err != nil {
		t.Fatal(err)
	}
	checkTip(t, j, &bs[len(bs)-1])
	j.Close()
	j = open(t, dir, opts)
	checkTip(t, j, &bs[len(bs)-1])
	if len(segmentFiles(t, dir)) != 1 {
		t.Fatalf("%d segments after trimming everything", len(segmentFiles(t, dir)))
	}
	appendAll(t, j, makeBatches(14, bs[len(bs)-1].last+1, 3, 10))
}

func slicesIndex(bs []batch, b batch) int {
	for i := range bs {
		if bs[i].first == b.first {
			return i
		}
	}
	return -1
}

// TestCrashDuringTrim: Trim deletes oldest first and fsyncs the directory
// after each deletion, so a crash leaves the segments of a suffix. Every
// such suffix opens; a hole does not (which is why the order matters).
func TestCrashDuringTrim(t *testing.T) {
	opts := filejournal.Options{SegmentSize: 300}
	bs := makeBatches(15, 1, 40, 60)
	src, _, _, _ := writtenJournal(t, opts, bs)
	segs := segmentFiles(t, src)
	for k := range len(segs) - 1 {
		dir := copyDir(t, src)
		for _, p := range segs[:k+1] {
			if err := os.Remove(filepath.Join(dir, filepath.Base(p))); err != nil {
				t.Fatal(err)
			}
		}
		j := open(t, dir, opts)
		got := readAll(t, j, 0)
		i := slicesIndex(bs, got[0])
		checkBatches(t, got, bs[i:])
		j.Close()
	}
	dir := copyDir(t, src)
	if err := os.Remove(filepath.Join(dir, filepath.Base(segs[1]))); err != nil {
		t.Fatal(err)
	}
	if _, err := filejournal.OpenWithOptions(dir, opts); !errors.Is(err, filejournal.ErrSequenceGap) {
		t.Fatalf("open with a missing middle segment: %v, want ErrSequenceGap", err)
	}
}
