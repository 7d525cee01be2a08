package filejournal_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lpx-exchange/lpx/store/filejournal"
)

// FuzzOpen writes arbitrary bytes as the newest segment (after a valid
// older one when older is set) and opens the journal: Open must return an
// error or a journal whose Read yields a clean sequence ending at its tip,
// and that accepts the next batch; never panic.
func FuzzOpen(f *testing.F) {
	valid := slices.Concat([]byte(header), encodeRecord(10, 12, []byte("abc")), encodeRecord(13, 13, nil))
	f.Add(valid, false)
	f.Add(valid[:len(valid)-3], false)
	f.Add(append(slices.Clone(valid), 0, 0, 0, 0), false)
	f.Add([]byte(header), false)
	f.Add([]byte("LPX"), true)
	f.Add([]byte{}, true)
	f.Add(slices.Concat([]byte(header), encodeRecord(10, 11, []byte("x")), encodeRecord(13, 13, nil)), false)
	f.Add(slices.Concat([]byte(header), encodeRecord(10, 11, make([]byte, 100))[:50], encodeRecord(12, 13, nil)), false)
	older := slices.Concat([]byte(header), encodeRecord(1, 9, []byte("older segment")))
	f.Fuzz(func(t *testing.T, content []byte, withOlder bool) {
		dir := t.TempDir()
		if withOlder {
			if err := os.WriteFile(filepath.Join(dir, "00000000000000000001.seg"), older, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "00000000000000000010.seg"), content, 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := filejournal.Open(dir)
		if err != nil {
			return
		}
		defer j.Close()
		ctx := context.Background()
		tipFirst, tipLast, ok, err := j.Tip(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		var prevLast uint64
		err = j.Read(ctx, 0, func(first, last uint64, data []byte) error {
			if first > last || (n > 0 && first != prevLast+1) {
				t.Fatalf("batch %d-%d after %d", first, last, prevLast)
			}
			if n == 0 && withOlder && first != 1 {
				t.Fatalf("first batch %d-%d", first, last)
			}
			n++
			prevLast = last
			if last == tipLast && first != tipFirst {
				t.Fatalf("tip %d-%d, read %d-%d", tipFirst, tipLast, first, last)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("read of an opened journal: %v", err)
		}
		if ok != (n > 0) || (ok && prevLast != tipLast) {
			t.Fatalf("tip %d-%d ok=%v, read %d batches ending at %d", tipFirst, tipLast, ok, n, prevLast)
		}
		// Whatever survived, the journal accepts the next batch.
		next := tipLast + 1
		if !ok {
			next = 100
		}
		if next == 0 {
			return
		}
		if err := j.Append(ctx, next, next, []byte("next")); err != nil {
			t.Fatalf("append %d: %v", next, err)
		}
		var last []byte
		j.Read(ctx, next-1, func(_, _ uint64, data []byte) error { last = bytes.Clone(data); return nil })
		if string(last) != "next" {
			t.Fatalf("read back %q", last)
		}
	})
}
