package redisstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lpx-exchange/lpx/exchange"
	"github.com/lpx-exchange/lpx/internal/servicetest"
	"github.com/redis/go-redis/v9"
)

var _ exchange.Journal = (*Journal)(nil)

type readBatch struct {
	first, last uint64
	data        string
}

func readAll(t *testing.T, j *Journal, after uint64) ([]readBatch, error) {
	t.Helper()
	var got []readBatch
	err := j.Read(context.Background(), after, func(first, last uint64, data []byte) error {
		got = append(got, readBatch{first, last, string(data)})
		return nil
	})
	return got, err
}

// appendRange appends batches of 1, 2, 3, ... commands until seq n.
func appendRange(t *testing.T, j *Journal, n uint64) []readBatch {
	t.Helper()
	var want []readBatch
	size := uint64(1)
	for first := uint64(1); first <= n; {
		last := min(first+size-1, n)
		b := readBatch{first, last, fmt.Sprintf("batch %d-%d \x00\xff", first, last)}
		if err := j.Append(context.Background(), first, last, []byte(b.data)); err != nil {
			t.Fatalf("append %d-%d: %v", first, last, err)
		}
		want = append(want, b)
		first, size = last+1, size%5+1
	}
	return want
}

func TestJournalAppendReadTip(t *testing.T) {
	rdb, prefix := servicetest.Redis(t, JournalOptions)
	j := NewJournal(rdb, prefix+"journal", 0)
	ctx := context.Background()
	if _, _, ok, err := j.Tip(ctx); ok || err != nil {
		t.Fatalf("empty journal tip: ok=%v err=%v", ok, err)
	}
	want := appendRange(t, j, 1_000) // over several read pages
	first, last, ok, err := j.Tip(ctx)
	if err != nil || !ok || last != 1_000 || first != want[len(want)-1].first {
		t.Fatalf("tip %d-%d ok=%v err=%v", first, last, ok, err)
	}
	got, err := readAll(t, j, 0)
	if err != nil || len(got) != len(want) {
		t.Fatalf("read all: %d batches, err %v", len(got), err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("batch %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// Reading after a sequence number inside a batch starts with that batch.
	for _, after := range []uint64{1, 2, 499, 500, 999} {
		got, err := readAll(t, j, after)
		if err != nil || len(got) == 0 || got[0].first > after+1 || got[0].last <= after || got[len(got)-1].last != 1_000 {
			t.Fatalf("read after %d: first %+v err %v", after, got[0], err)
		}
	}
	if got, err := readAll(t, j, 1_000); err != nil || len(got) != 0 {
		t.Fatalf("read after the tip: %d batches, err %v", len(got), err)
	}
	// A second journal on the same stream finds the same tip.
	j2 := NewJournal(rdb, prefix+"journal", 0)
	if err := j2.Append(ctx, 1_001, 1_001, []byte("x")); err != nil {
		t.Fatalf("append after reopening: %v", err)
	}
}

func TestJournalRefusesGapsAndDuplicates(t *testing.T) {
	rdb, prefix := servicetest.Redis(t, JournalOptions)
	key := prefix + "journal"
	j := NewJournal(rdb, key, 0)
	ctx := context.Background()
	appendRange(t, j, 10)
	n := rdb.XLen(ctx, key).Val()
	for _, c := range []struct {
		first, last uint64
		want        error
	}{
		{12, 12, ErrSequenceGap},
		{10, 11, ErrDuplicateBatch},
		{1, 1, ErrDuplicateBatch},
	} {
		if err := j.Append(ctx, c.first, c.last, []byte("x")); !errors.Is(err, c.want) {
			t.Errorf("append %d-%d: %v, want %v", c.first, c.last, err, c.want)
		}
	}
	// A writer whose idea of the tip is stale is stopped by Redis itself:
	// the entry id must be above the newest.
	stale := NewJournal(rdb, key, 0)
	stale.tip, stale.tipOK = 0, true
	if err := stale.Append(ctx, 5, 5, []byte("x")); !errors.Is(err, ErrDuplicateBatch) {
		t.Errorf("stale writer: %v", err)
	}
	if got := rdb.XLen(ctx, key).Val(); got != n {
		t.Fatalf("refused appends wrote: %d entries, want %d", got, n)
	}
	if err := j.Append(ctx, 11, 11, []byte("x")); err != nil {
		t.Fatalf("the next batch after refusals: %v", err)
	}
}

func TestJournalReadDetectsCorruptionAndGaps(t *testing.T) {
	rdb, prefix := servicetest.Redis(t, JournalOptions)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		vals []any
		id   string
		want error
	}{
		{"checksum", []any{"l", 4, "c", 1, "d", "x"}, "4-0", ErrCorrupt},
		{"missing field", []any{"l", 4, "d", "x"}, "4-0", ErrCorrupt},
		{"last before first", []any{"l", 3, "c", checksum(4, 3, []byte("x")), "d", "x"}, "4-0", ErrCorrupt},
		{"gap", []any{"l", 5, "c", checksum(5, 5, []byte("x")), "d", "x"}, "5-0", ErrSequenceGap},
		{"overlap", []any{"l", 5, "c", checksum(3, 5, []byte("x")), "d", "x"}, "3-1", ErrCorrupt},
	} {
		t.Run(c.name, func(t *testing.T) {
			key := prefix + c.name
			j := NewJournal(rdb, key, 0)
			appendRange(t, j, 3)
			if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: key, ID: c.id, Values: c.vals}).Err(); err != nil {
				t.Fatal(err)
			}
			if _, err := readAll(t, j, 0); !errors.Is(err, c.want) {
				t.Fatalf("read: %v, want %v", err, c.want)
			}
		})
	}
}

func TestJournalTrim(t *testing.T) {
	rdb, prefix := servicetest.Redis(t, JournalOptions)
	j := NewJournal(rdb, prefix+"journal", 0)
	ctx := context.Background()
	appendRange(t, j, 100)
	if err := j.Trim(ctx, 50); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, j, 49)
	if err != nil || len(got) == 0 || got[0].first > 50 || got[0].last < 50 {
		t.Fatalf("after trimming before 50, read after 49: %+v %v", got, err)
	}
	if _, err := readAll(t, j, 10); !errors.Is(err, ErrSequenceGap) {
		t.Fatalf("reading trimmed history: %v, want a gap", err)
	}
	if err := j.Append(ctx, 101, 101, []byte("x")); err != nil {
		t.Fatalf("append after trim: %v", err)
	}
}

// TestJournalDeadRedis: against a port where nothing listens, calls fail
// within their deadline instead of hanging or retrying.
func TestJournalDeadRedis(t *testing.T) {
	rdb := redis.NewClient(JournalOptions(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond}))
	defer rdb.Close()
	j := NewJournal(rdb, "lpxtest:dead", 300*time.Millisecond)
	start := time.Now()
	err := j.Append(context.Background(), 1, 1, []byte("x"))
	if err == nil {
		t.Fatal("append to a dead Redis succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("append took %v", d)
	}
	if j.tipOK {
		t.Fatal("after an error the tip must be read again")
	}
	if bytes.Contains([]byte(err.Error()), []byte("redisstore")) == false {
		t.Fatalf("error without context: %v", err)
	}
}

// TestJournalRefusesRetryingClient: a client that retries by itself could
// store a batch twice after a lost reply; NewJournal refuses it.
func TestJournalRefusesRetryingClient(t *testing.T) {
	for name, opt := range map[string]*redis.Options{
		"retries":      {Addr: "127.0.0.1:1"},
		"no deadlines": {Addr: "127.0.0.1:1", MaxRetries: -1},
	} {
		t.Run(name, func(t *testing.T) {
			rdb := redis.NewClient(opt)
			defer rdb.Close()
			defer func() {
				if recover() == nil {
					t.Fatal("NewJournal accepted the client")
				}
			}()
			NewJournal(rdb, "k", 0)
		})
	}
	rdb := redis.NewClient(JournalOptions(&redis.Options{Addr: "127.0.0.1:1"}))
	defer rdb.Close()
	NewJournal(rdb, "k", 0) // accepted
}
