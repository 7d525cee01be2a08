package filejournal_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/store/filejournal"
)

var _ exchange.Journal = (*filejournal.Journal)(nil)

// batch is one stored batch, as the tests expect it back.
type batch struct {
	first, last uint64
	data        []byte
}

// makeBatches returns n consecutive batches starting at first, of 1 to 4
// commands and 0 to maxData bytes each, from a fixed seed.
func makeBatches(seed uint64, first uint64, n, maxData int) []batch {
	rng := rand.New(rand.NewPCG(seed, 0))
	out := make([]batch, n)
	for i := range out {
		count := 1 + rng.Uint64N(4)
		data := make([]byte, rng.IntN(maxData+1))
		for k := range data {
			data[k] = byte(rng.Uint32())
		}
		out[i] = batch{first, first + count - 1, data}
		first += count
	}
	return out
}

func open(t testing.TB, dir string, opts filejournal.Options) *filejournal.Journal {
	t.Helper()
	j, err := filejournal.OpenWithOptions(dir, opts)
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func appendAll(t testing.TB, j *filejournal.Journal, bs []batch) {
	t.Helper()
	for _, b := range bs {
		if err := j.Append(context.Background(), b.first, b.last, b.data); err != nil {
			t.Fatalf("append %d-%d: %v", b.first, b.last, err)
		}
	}
}

func readAll(t testing.TB, j *filejournal.Journal, after uint64) []batch {
	t.Helper()
	got, err := tryReadAll(j, after)
	if err != nil {
		t.Fatalf("read after %d: %v", after, err)
	}
	return got
}

func tryReadAll(j *filejournal.Journal, after uint64) ([]batch, error) {
	var got []batch
	err := j.Read(context.Background(), after, func(first, last uint64, data []byte) error {
		got = append(got, batch{first, last, bytes.Clone(data)})
		return nil
	})
	return got, err
}

func equalBatches(a, b []batch) bool {
	return slices.EqualFunc(a, b, func(x, y batch) bool {
		return x.first == y.first && x.last == y.last && bytes.Equal(x.data, y.data)
	})
}

func checkBatches(t testing.TB, got, want []batch) {
	t.Helper()
	if !equalBatches(got, want) {
		t.Fatalf("read %d batches %s, want %d batches %s", len(got), ranges(got), len(want), ranges(want))
	}
}

func ranges(bs []batch) string {
	var b bytes.Buffer
	for i, x := range bs {
		if i == 8 {
			fmt.Fprintf(&b, " ...")
			break
		}
		fmt.Fprintf(&b, " %d-%d", x.first, x.last)
	}
	return b.String()
}

func checkTip(t testing.TB, j *filejournal.Journal, want *batch) {
	t.Helper()
	first, last, ok, err := j.Tip(context.Background())
	if err != nil {
		t.Fatalf("tip: %v", err)
	}
	if want == nil {
		if ok {
			t.Fatalf("tip %d-%d on a journal that should be empty", first, last)
		}
		return
	}
	if !ok || first != want.first || last != want.last {
		t.Fatalf("tip %d-%d ok=%v, want %d-%d", first, last, ok, want.first, want.last)
	}
}

func segmentFiles(t testing.TB, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func dirSize(t testing.TB, dir string) int64 {
	t.Helper()
	var n int64
	for _, p := range segmentFiles(t, dir) {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		n += info.Size()
	}
	return n
}

func TestAppendReadRoundTrip(t *testing.T) {
	j := open(t, filepath.Join(t.TempDir(), "journal"), filejournal.Options{})
	want := makeBatches(1, 1, 200, 300)
	appendAll(t, j, want)
	checkBatches(t, readAll(t, j, 0), want)

	// after selects by last: a batch straddling after is returned.
	for _, after := range []uint64{0, want[10].first, want[10].last, want[len(want)-1].last - 1, want[len(want)-1].last} {
		var expect []batch
		for _, b := range want {
			if b.last > after {
				expect = append(expect, b)
			}
		}
		checkBatches(t, readAll(t, j, after), expect)
	}
}

func TestEmptyAndLargeData(t *testing.T) {
	j := open(t, t.TempDir(), filejournal.Options{})
	big := bytes.Repeat([]byte{0xab}, 3<<20)
	want := []batch{{7, 7, nil}, {8, 20, big}, {21, 21, []byte{}}}
	appendAll(t, j, want)
	got := readAll(t, j, 0)
	want[0].data, want[2].data = []byte{}, []byte{}
	for i := range got {
		if got[i].data == nil {
			got[i].data = []byte{}
		}
	}
	checkBatches(t, got, want)
}

func TestTip(t *testing.T) {
	j := open(t, t.TempDir(), filejournal.Options{})
	checkTip(t, j, nil)
	bs := makeBatches(2, 1000, 5, 10) // any first on an empty journal
	for i := range bs {
		appendAll(t, j, bs[i:i+1])
		checkTip(t, j, &bs[i])
	}
}

func TestAppendRefusesGapsAndDuplicatesWithoutWriting(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir, filejournal.Options{})
	ctx := context.Background()
	appendAll(t, j, []batch{{1, 3, []byte("abc")}})
	size := dirSize(t, dir)
	for _, c := range []struct {
		first, last uint64
		want        error
	}{
		{5, 5, filejournal.ErrSequenceGap},
		{5, 9, filejournal.ErrSequenceGap},
		{3, 4, filejournal.ErrDuplicateBatch},
		{1, 3, filejournal.ErrDuplicateBatch},
		{0, 0, filejournal.ErrDuplicateBatch},
		{4, 3, filejournal.ErrInvalidBatch},
	} {
		err := j.Append(ctx, c.first, c.last, []byte("x"))
		if !errors.Is(err, c.want) {
			t.Errorf("append %d-%d: %v, want %v", c.first, c.last, err, c.want)
		}
	}
	if got := dirSize(t, dir); got != size {
		t.Fatalf("refused appends wrote: %d bytes, was %d", got, size)
	}
	checkTip(t, j, &batch{1, 3, nil})
	appendAll(t, j, []batch{{4, 4, []byte("d")}}) // a refusal does not break the journal
	checkBatches(t, readAll(t, j, 0), []batch{{1, 3, []byte("abc")}, {4, 4, []byte("d")}})
}

func TestReopenReadsEverything(t *testing.T) {
	for _, segSize := range []int64{0, 512} {
		t.Run(fmt.Sprintf("segment=%d", segSize), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "a", "b")
			opts := filejournal.Options{SegmentSize: segSize}
			j, err := filejournal.OpenWithOptions(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			want := makeBatches(3, 1, 100, 200)
			appendAll(t, j, want[:60])
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			j = open(t, dir, opts)
			checkBatches(t, readAll(t, j, 0), want[:60])
			checkTip(t, j, &want[59])
			appendAll(t, j, want[60:])
			j.Close()
			j = open(t, dir, opts)
			checkBatches(t, readAll(t, j, 0), want)
			if segSize > 0 && len(segmentFiles(t, dir)) < 10 {
				t.Fatalf("only %d segments with %d-byte segments", len(segmentFiles(t, dir)), segSize)
			}
		})
	}
}

func TestClosed(t *testing.T) {
	j, err := filejournal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := j.Append(ctx, 1, 1, nil); !errors.Is(err, filejournal.ErrClosed) {
		t.Errorf("append after close: %v", err)
	}
	if _, _, _, err := j.Tip(ctx); !errors.Is(err, filejournal.ErrClosed) {
		t.Errorf("tip after close: %v", err)
	}
	if err := j.Read(ctx, 0, func(uint64, uint64, []byte) error { return nil }); !errors.Is(err, filejournal.ErrClosed) {
		t.Errorf("read after close: %v", err)
	}
	if err := j.Trim(ctx, 1); !errors.Is(err, filejournal.ErrClosed) {
		t.Errorf("trim after close: %v", err)
	}
}

func TestReadStopsOnCallbackError(t *testing.T) {
	j := open(t, t.TempDir(), filejournal.Options{SegmentSize: 256})
	appendAll(t, j, makeBatches(4, 1, 50, 40))
	stop := errors.New("stop")
	calls := 0
	err := j.Read(context.Background(), 0, func(uint64, uint64, []byte) error {
		calls++
		if calls == 7 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 7 {
		t.Fatalf("read returned %v after %d calls, want the callback's error after 7", err, calls)
	}
}

func TestReadDetectsDamageAfterOpen(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir, filejournal.Options{})
	appendAll(t, j, makeBatches(5, 1, 10, 50))
	seg := segmentFiles(t, dir)[0]
	b, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	b[30] ^= 0xff
	if err := os.WriteFile(seg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := tryReadAll(j, 0); !errors.Is(err, filejournal.ErrCorrupt) {
		t.Fatalf("read of a damaged file: %v, want ErrCorrupt", err)
	}
}

// TestConcurrentReadAndAppend is for the race detector: the mutex serializes
// Read with Append, and a Read sees a clean prefix.
func TestConcurrentReadAndAppend(t *testing.T) {
	j := open(t, t.TempDir(), filejournal.Options{SegmentSize: 1024})
	bs := makeBatches(6, 1, 60, 100)
	var wg sync.WaitGroup
	wg.Go(func() { appendAll(t, j, bs) })
	for range 3 {
		wg.Go(func() {
			for range 10 {
				got, err := tryReadAll(j, 0)
				if err != nil {
					t.Error(err)
					return
				}
				if !equalBatches(got, bs[:len(got)]) {
					t.Errorf("concurrent read saw %s", ranges(got))
				}
				j.Tip(context.Background())
			}
		})
	}
	wg.Wait()
	checkBatches(t, readAll(t, j, 0), bs)
}

// encodeRecord is the documented record format, written independently of
// the package so that the tests pin it.
func encodeRecord(first, last uint64, data []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(data)))
	b = binary.LittleEndian.AppendUint64(b, first)
	b = binary.LittleEndian.AppendUint64(b, last)
	b = append(b, data...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
}

const header = "LPXJRNL\x01"

func writeSegment(t testing.TB, dir string, first uint64, content []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%020d.seg", first)), content, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestFormat(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir, filejournal.Options{})
	appendAll(t, j, []batch{{5, 6, []byte("hello")}, {7, 7, nil}})
	got, err := os.ReadFile(filepath.Join(dir, "00000000000000000005.seg"))
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Concat([]byte(header), encodeRecord(5, 6, []byte("hello")), encodeRecord(7, 7, nil))
	if !bytes.Equal(got, want) {
		t.Fatalf("segment bytes\n%x\nwant\n%x", got, want)
	}
}

func TestOpenChecksSequence(t *testing.T) {
	seg := func(recs ...[]byte) []byte { return slices.Concat(append([][]byte{[]byte(header)}, recs...)...) }
	r := func(first, last uint64) []byte { return encodeRecord(first, last, []byte("x")) }
	type file struct {
		first   uint64
		content []byte
	}
	for _, c := range []struct {
		name  string
		files []file
		want  error
	}{
		{"gap in segment", []file{{1, seg(r(1, 2), r(4, 4), r(5, 5))}}, filejournal.ErrSequenceGap},
		{"duplicate in segment", []file{{1, seg(r(1, 2), r(2, 3), r(4, 4))}}, filejournal.ErrDuplicateBatch},
		{"gap at the tail", []file{{1, seg(r(1, 2), r(4, 4))}}, filejournal.ErrSequenceGap},
		{"gap between segments", []file{{1, seg(r(1, 2))}, {4, seg(r(4, 4))}}, filejournal.ErrSequenceGap},
		{"duplicate between segments", []file{{1, seg(r(1, 2))}, {2, seg(r(2, 4))}}, filejournal.ErrDuplicateBatch},
		{"name does not match", []file{{1, seg(r(2, 2))}}, filejournal.ErrCorrupt},
		{"backwards range", []file{{3, seg(r(3, 2), r(3, 3))}}, filejournal.ErrCorrupt},
		{"bad header", []file{{1, append([]byte("LPXJRNL\x02"), r(1, 1)...)}}, filejournal.ErrCorrupt},
		{"empty older segment", []file{{0, seg()}, {1, seg(r(1, 1))}}, filejournal.ErrCorrupt},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range c.files {
				writeSegment(t, dir, f.first, f.content)
			}
			j, err := filejournal.Open(dir)
			if !errors.Is(err, c.want) {
				if err == nil {
					j.Close()
				}
				t.Fatalf("open: %v, want %v", err, c.want)
			}
		})
	}
}
