package filejournal

import (
	"context"
	"errors"
	"testing"
)

// TestFailedWriteMakesJournalUnusable forces the write to fail by closing
// the segment file under the journal (white box: no mock file system). The
// rollback cannot truncate a closed file either, so Tip reports the
// outcome unknown; a reopen recovers the acknowledged batches.
func TestFailedWriteMakesJournalUnusable(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(ctx, 1, 2, []byte("kept")); err != nil {
		t.Fatal(err)
	}
	j.f.Close()
	if err := j.Append(ctx, 3, 3, []byte("lost")); err == nil {
		t.Fatal("append to a closed file succeeded")
	}
	if err := j.Append(ctx, 3, 3, []byte("again")); !errors.Is(err, ErrUnusable) {
		t.Fatalf("append after a failure: %v, want ErrUnusable", err)
	}
	if _, _, _, err := j.Tip(ctx); !errors.Is(err, ErrTipUnknown) {
		t.Fatalf("tip after a failed rollback: %v, want ErrTipUnknown", err)
	}
	j.Close()

	j, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	first, last, ok, err := j.Tip(ctx)
	if err != nil || !ok || first != 1 || last != 2 {
		t.Fatalf("tip after reopen: %d-%d ok=%v err=%v", first, last, ok, err)
	}
	if err := j.Append(ctx, 3, 3, []byte("after reopen")); err != nil {
		t.Fatal(err)
	}
}
